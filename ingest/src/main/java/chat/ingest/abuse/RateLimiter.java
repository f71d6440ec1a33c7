package chat.ingest.abuse;

import chat.common.redis.RedisGate;
import io.lettuce.core.RedisException;
import io.lettuce.core.ScriptOutputType;
import io.lettuce.core.api.sync.RedisCommands;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Token-bucket rate limits kept in Redis and checked in one Lua script, so the check and the
 * take are one atomic step across every ingest instance (no read-then-write race). A request
 * takes one token from each of its buckets (user, IP, team) or from none: when any bucket is
 * short, nothing is taken and the answer says how long to wait. Redis time is the clock, so
 * instances with skewed clocks agree.
 *
 * <p>When Redis is unreachable the limiter lets writes through (limits are protection, the log
 * is the product) and counts how often it did.
 *
 * <pre>{@code
 * RateLimiter.Verdict v = limiter.take(List.of(Bucket.user("bob"), Bucket.ip("10.0.0.7")));
 * if (!v.allowed()) answer429(v.retryAfterMs());
 * }</pre>
 */
public final class RateLimiter {
    private static final Logger LOG = LoggerFactory.getLogger(RateLimiter.class);

    /**
     * KEYS = bucket keys; ARGV = per bucket (rate per second, burst). Each bucket is a hash
     * {t = last refill time in microseconds, v = tokens}. Returns {allowed 0/1, wait in ms}.
     */
    static final String SCRIPT = """
            local now_t = redis.call('TIME')
            local now = tonumber(now_t[1]) * 1000000 + tonumber(now_t[2])
            local n = #KEYS
            local tokens = {}
            local wait = 0
            for i = 1, n do
              local rate = tonumber(ARGV[2 * i - 1])
              local burst = tonumber(ARGV[2 * i])
              local b = redis.call('HMGET', KEYS[i], 't', 'v')
              local t = tonumber(b[1])
              local v = tonumber(b[2])
              if t == nil or v == nil then
                t = now
                v = burst
              end
              v = math.min(burst, v + (now - t) * rate / 1000000)
              tokens[i] = v
              if v < 1 then
                local w = math.ceil((1 - v) * 1000 / rate)
                if w > wait then wait = w end
              end
            end
            if wait > 0 then
              return {0, wait}
            end
            for i = 1, n do
              local rate = tonumber(ARGV[2 * i - 1])
              local burst = tonumber(ARGV[2 * i])
              redis.call('HSET', KEYS[i], 't', now, 'v', tokens[i] - 1)
              redis.call('PEXPIRE', KEYS[i], math.ceil(burst * 1000 / rate) + 1000)
            end
            return {1, 0}
            """;

    /**
     * One bucket.
     *
     * @param key     Redis key, e.g. {@code rl:u:bob}
     * @param perSecond refill rate, > 0
     * @param burst   capacity, >= 1
     */
    public record Bucket(String key, double perSecond, int burst) {
    }

    /** The answer: allowed, or how long to wait before a retry may pass. */
    public record Verdict(boolean allowed, long retryAfterMs, boolean limiterAvailable) {
    }

    private final RedisGate redis;
    private final AtomicLong unlimitedBecauseRedisDown = new AtomicLong();
    private volatile String sha;

    /** @param redis the Redis gate, or {@code null} when no Redis is configured (every write passes) */
    public RateLimiter(final RedisGate redis) {
        this.redis = redis;
    }

    /** Takes one token from every bucket, or none. */
    public Verdict take(final List<Bucket> buckets) {
        if (buckets.isEmpty()) {
            return new Verdict(true, 0, true);
        }
        final var commands = redis == null ? java.util.Optional.<RedisCommands<String, String>>empty() : redis.commands();
        if (commands.isEmpty()) {
            unlimitedBecauseRedisDown.incrementAndGet();
            return new Verdict(true, 0, false);
        }
        final String[] keys = new String[buckets.size()];
        final List<String> args = new ArrayList<>(2 * buckets.size());
        for (int i = 0; i < buckets.size(); i++) {
            keys[i] = buckets.get(i).key();
            args.add(Double.toString(buckets.get(i).perSecond()));
            args.add(Integer.toString(buckets.get(i).burst()));
        }
        try {
            final List<Long> result = run(commands.get(), keys, args.toArray(String[]::new));
            return new Verdict(result.get(0) == 1L, result.get(1), true);
        } catch (RedisException e) {
            unlimitedBecauseRedisDown.incrementAndGet();
            LOG.debug("rate limiter unavailable, letting the write through: {}", e.getMessage());
            return new Verdict(true, 0, false);
        }
    }

    /** Writes let through without a check because Redis was unavailable. */
    public long unlimitedBecauseRedisDown() {
        return unlimitedBecauseRedisDown.get();
    }

    private List<Long> run(final RedisCommands<String, String> redisCommands, final String[] keys, final String[] args) {
        String s = sha;
        if (s == null) {
            s = redisCommands.scriptLoad(SCRIPT);
            sha = s;
        }
        try {
            return redisCommands.evalsha(s, ScriptOutputType.MULTI, keys, args);
        } catch (RedisException e) {
            if (e.getMessage() != null && e.getMessage().startsWith("NOSCRIPT")) {
                // Redis restarted and lost its script cache: load again once.
                sha = redisCommands.scriptLoad(SCRIPT);
                return redisCommands.evalsha(sha, ScriptOutputType.MULTI, keys, args);
            }
            throw e;
        }
    }
}
