package chat.common.auth;

import io.micronaut.security.authentication.Authentication;
import jakarta.inject.Inject;
import jakarta.inject.Singleton;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Predicate;

/**
 * Tokens whose signature was verified recently, with the caller they named: clients send the same
 * bearer token on every request and every WebSocket upgrade, and verifying it (base64, JSON, HMAC
 * or RSA) each time was most of the cost of authenticating. Only successes are stored, keyed by the
 * exact token string (a forged or altered token is another key and goes through full verification).
 *
 * <p>An entry is trusted until the token's {@code exp} or for {@code max-age} after it was verified,
 * whichever comes first; a token without a readable {@code exp} is not stored. At most
 * {@code max-entries} are kept: when full, expired entries and then an arbitrary eighth of the rest
 * are dropped in one pass, so the cost of eviction is spread over many inserts. Reads are lock-free
 * ({@link ConcurrentHashMap#get} and counters).
 *
 * <pre>{@code
 * VerifiedTokenCache cache = new VerifiedTokenCache(10_000, Duration.ofSeconds(60), Clock.systemUTC());
 * Authentication a = cache.get(token, auth -> claimsStillHold(auth)); // null: verify it, then
 * cache.put(token, verified);
 * }</pre>
 */
@Singleton
public final class VerifiedTokenCache {
    private record Entry(Authentication authentication, long expiresAtMillis) {
    }

    /**
     * Counters since start: lookups answered from the cache ({@code hits}) or not ({@code misses}:
     * unknown, expired, or refused by the re-check), tokens stored, entries dropped to make room;
     * {@code size} is the current number of entries.
     */
    public record Stats(long hits, long misses, long stored, long evictions, int size) {
    }

    private final int maxEntries;
    private final long maxAgeMillis;
    private final Clock clock;
    private final ConcurrentHashMap<String, Entry> entries;
    /** Entries in the map plus inserts in flight: never above {@code maxEntries}. */
    private final AtomicInteger reserved = new AtomicInteger();
    private final AtomicBoolean evicting = new AtomicBoolean();
    private final LongAdder hits = new LongAdder();
    private final LongAdder misses = new LongAdder();
    private final LongAdder stored = new LongAdder();
    private final LongAdder evictions = new LongAdder();

    @Inject
    VerifiedTokenCache(final TokenCacheSettings settings) {
        this(settings.maxEntries(), settings.maxAge(), Clock.systemUTC());
    }

    /**
     * @param maxEntries entries kept at most; 0 disables the cache
     * @param maxAge     longest time an entry is trusted
     * @param clock      the time entries expire by
     */
    public VerifiedTokenCache(final int maxEntries, final Duration maxAge, final Clock clock) {
        if (maxEntries < 0) {
            throw new IllegalArgumentException("maxEntries must be >= 0, got " + maxEntries);
        }
        this.maxEntries = maxEntries;
        this.maxAgeMillis = maxAge.toMillis();
        this.clock = clock;
        this.entries = new ConcurrentHashMap<>(Math.min(maxEntries, 1024));
    }

    /** False when {@code max-entries} is 0: {@link #get} always misses and {@link #put} keeps nothing. */
    public boolean enabled() {
        return maxEntries > 0;
    }

    /**
     * The caller {@code token} was verified for, if it is cached, not past its expiry and
     * {@code stillValid} accepts it (the checks that depend on time or on the request); else null.
     */
    public Authentication get(final String token, final Predicate<Authentication> stillValid) {
        if (maxEntries == 0) {
            return null;
        }
        final Entry entry = entries.get(token);
        if (entry == null) {
            misses.increment();
            return null;
        }
        if (clock.millis() >= entry.expiresAtMillis()) {
            remove(token, entry);
            misses.increment();
            return null;
        }
        if (!stillValid.test(entry.authentication())) {
            misses.increment();
            return null;
        }
        hits.increment();
        return entry.authentication();
    }

    /**
     * Remembers that {@code token} was verified for {@code authentication}: only call it after a
     * successful verification. Does nothing when the token has no {@code exp} or it has passed.
     */
    public void put(final String token, final Authentication authentication) {
        if (maxEntries == 0) {
            return;
        }
        final Instant exp = Identity.instant(authentication.getAttributes().get("exp"));
        if (exp == null) {
            return;
        }
        final long now = clock.millis();
        final long expiresAt = Math.min(exp.toEpochMilli(), now + maxAgeMillis);
        if (expiresAt <= now) {
            return;
        }
        if (!reserve(now)) {
            return; // full and another thread is evicting: skip caching this one, it is verified anyway
        }
        final Entry previous = entries.put(token, new Entry(authentication, expiresAt));
        if (previous != null) {
            reserved.decrementAndGet(); // replaced, not added
        }
        stored.increment();
    }

    /** Current counters. */
    public Stats stats() {
        return new Stats(hits.sum(), misses.sum(), stored.sum(), evictions.sum(), entries.size());
    }

    private boolean reserve(final long now) {
        for (int attempt = 0; attempt < 2; attempt++) {
            if (reserved.incrementAndGet() <= maxEntries) {
                return true;
            }
            reserved.decrementAndGet();
            if (!evict(now)) {
                return false;
            }
        }
        return false;
    }

    /** One pass that frees at least an eighth of the room; false if another thread is already at it. */
    private boolean evict(final long now) {
        if (!evicting.compareAndSet(false, true)) {
            return false;
        }
        try {
            final int target = maxEntries - Math.max(1, maxEntries / 8);
            for (Map.Entry<String, Entry> e : entries.entrySet()) {
                if (now >= e.getValue().expiresAtMillis() && remove(e.getKey(), e.getValue())) {
                    evictions.increment();
                }
            }
            // Still too full: drop live entries in table order, which is hash order, i.e. arbitrary.
            for (Map.Entry<String, Entry> e : entries.entrySet()) {
                if (reserved.get() <= target) {
                    break;
                }
                if (remove(e.getKey(), e.getValue())) {
                    evictions.increment();
                }
            }
            return true;
        } finally {
            evicting.set(false);
        }
    }

    private boolean remove(final String token, final Entry entry) {
        if (entries.remove(token, entry)) {
            reserved.decrementAndGet();
            return true;
        }
        return false;
    }
}
