package chat.common.redis;

import io.lettuce.core.ClientOptions;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisException;
import io.lettuce.core.TimeoutOptions;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.sync.RedisCommands;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.Optional;

/**
 * Redis as a cache and limiter must never take the service down with it: this gate connects
 * lazily, fails fast while Redis is away (commands are rejected instead of queued, each command
 * has a short timeout), retries the connection at most once per {@code retryEvery}, and lets the
 * client reconnect by itself when Redis returns. Callers treat an empty answer or a
 * {@link RedisException} as "no Redis right now" and carry on without it.
 *
 * <pre>{@code
 * gate.commands().ifPresent(redis -> redis.incr("k"));
 * }</pre>
 */
public final class RedisGate implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(RedisGate.class);

    private final RedisClient client;
    private final Duration retryEvery;
    private volatile StatefulRedisConnection<String, String> connection;
    private volatile long nextAttemptNanos;

    public RedisGate(final RedisClient client, final Duration commandTimeout, final Duration retryEvery) {
        this.client = client;
        this.retryEvery = retryEvery;
        client.setOptions(ClientOptions.builder()
                .autoReconnect(true)
                .disconnectedBehavior(ClientOptions.DisconnectedBehavior.REJECT_COMMANDS)
                .timeoutOptions(TimeoutOptions.enabled(commandTimeout))
                .build());
        client.setDefaultTimeout(commandTimeout);
    }

    /** Synchronous commands when Redis is (or just became) reachable, else empty. */
    public Optional<RedisCommands<String, String>> commands() {
        StatefulRedisConnection<String, String> c = connection;
        if (c != null) {
            return c.isOpen() ? Optional.of(c.sync()) : Optional.empty();
        }
        synchronized (this) {
            c = connection;
            if (c != null) {
                return Optional.of(c.sync());
            }
            if (System.nanoTime() < nextAttemptNanos) {
                return Optional.empty();
            }
            try {
                connection = client.connect();
                LOG.info("connected to Redis");
                return Optional.of(connection.sync());
            } catch (RedisException e) {
                nextAttemptNanos = System.nanoTime() + retryEvery.toNanos();
                LOG.warn("Redis unreachable, carrying on without it (next attempt in {} ms): {}", retryEvery.toMillis(),
                        e.getMessage());
                return Optional.empty();
            }
        }
    }

    @Override
    public void close() {
        final StatefulRedisConnection<String, String> c = connection;
        if (c != null) {
            c.close();
        }
    }
}
