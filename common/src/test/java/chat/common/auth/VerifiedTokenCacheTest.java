package chat.common.auth;

import io.micronaut.security.authentication.Authentication;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Date;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class VerifiedTokenCacheTest {
    private static final Instant T0 = Instant.parse("2026-01-01T00:00:00Z");
    private final MutableClock clock = new MutableClock(T0);

    private static Authentication caller(final String user, final Instant exp) {
        return Authentication.build(user, Map.of("sub", user, "exp", Date.from(exp)));
    }

    @Test
    void givenAStoredToken_whenLookedUp_thenTheSameCallerIsReturned_andCountedAsAHit() {
        final VerifiedTokenCache cache = new VerifiedTokenCache(100, Duration.ofSeconds(60), clock);
        final Authentication alice = caller("alice", T0.plusSeconds(3600));

        cache.put("token-a", alice);

        assertThat(cache.get("token-a", a -> true)).isSameAs(alice);
        assertThat(cache.get("token-a", a -> true)).isSameAs(alice);
        assertThat(cache.stats()).isEqualTo(new VerifiedTokenCache.Stats(2, 0, 1, 0, 1));
    }

    @Test
    void givenAnUnknownToken_whenLookedUp_thenMiss() {
        final VerifiedTokenCache cache = new VerifiedTokenCache(100, Duration.ofSeconds(60), clock);
        cache.put("token-a", caller("alice", T0.plusSeconds(3600)));

        assertThat(cache.get("token-b", a -> true)).isNull();
        assertThat(cache.get("token-a-with-another-signature", a -> true)).isNull();
        assertThat(cache.stats().misses()).isEqualTo(2);
        assertThat(cache.stats().hits()).isZero();
    }

    @Test
    void givenACachedToken_whenItsExpArrives_thenItIsRefusedFromThatMillisecondOn_andDropped() {
        final VerifiedTokenCache cache = new VerifiedTokenCache(100, Duration.ofSeconds(60), clock);
        final Instant exp = T0.plusSeconds(10);
        cache.put("token-a", caller("alice", exp));

        clock.set(exp.minusMillis(1));
        assertThat(cache.get("token-a", a -> true)).isNotNull();

        clock.set(exp);
        assertThat(cache.get("token-a", a -> true)).isNull();
        assertThat(cache.stats().size()).isZero();
        clock.set(exp.minusMillis(1)); // even if the clock stepped back: the entry is gone
        assertThat(cache.get("token-a", a -> true)).isNull();
    }

    @Test
    void givenATokenValidForHours_whenMaxAgePasses_thenItMustBeVerifiedAgain() {
        final VerifiedTokenCache cache = new VerifiedTokenCache(100, Duration.ofSeconds(60), clock);
        cache.put("token-a", caller("alice", T0.plusSeconds(6 * 3600)));

        clock.advance(Duration.ofSeconds(59));
        assertThat(cache.get("token-a", a -> true)).isNotNull();
        clock.advance(Duration.ofSeconds(1));
        assertThat(cache.get("token-a", a -> true)).isNull();

        cache.put("token-a", caller("alice", T0.plusSeconds(6 * 3600))); // verified again: trusted for another max-age
        clock.advance(Duration.ofSeconds(30));
        assertThat(cache.get("token-a", a -> true)).isNotNull();
    }

    @Test
    void givenACachedToken_whenTheRecheckRefusesIt_thenMiss_andTheEntryStaysForOtherRequests() {
        final VerifiedTokenCache cache = new VerifiedTokenCache(100, Duration.ofSeconds(60), clock);
        cache.put("token-a", caller("alice", T0.plusSeconds(3600)));

        assertThat(cache.get("token-a", a -> false)).isNull();
        assertThat(cache.get("token-a", a -> true)).isNotNull();
        assertThat(cache.stats().hits()).isEqualTo(1);
        assertThat(cache.stats().misses()).isEqualTo(1);
    }

    @Test
    void givenTokensWithoutExpOrAlreadyExpired_whenPut_thenNothingIsStored() {
        final VerifiedTokenCache cache = new VerifiedTokenCache(100, Duration.ofSeconds(60), clock);

        cache.put("no-exp", Authentication.build("alice", Map.of("sub", "alice")));
        cache.put("expired", caller("alice", T0.minusSeconds(1)));
        cache.put("expires-now", caller("alice", T0));

        assertThat(cache.stats().size()).isZero();
        assertThat(cache.stats().stored()).isZero();
        assertThat(cache.get("no-exp", a -> true)).isNull();
    }

    @Test
    void givenExpAsEpochSecondsOrInstant_whenPut_thenItIsHonoured() {
        final VerifiedTokenCache cache = new VerifiedTokenCache(100, Duration.ofSeconds(60), clock);
        cache.put("seconds", Authentication.build("a", Map.of("exp", T0.plusSeconds(5).getEpochSecond())));
        cache.put("instant", Authentication.build("b", Map.of("exp", T0.plusSeconds(5))));

        clock.advance(Duration.ofSeconds(4));
        assertThat(cache.get("seconds", a -> true)).isNotNull();
        assertThat(cache.get("instant", a -> true)).isNotNull();
        clock.advance(Duration.ofSeconds(1));
        assertThat(cache.get("seconds", a -> true)).isNull();
        assertThat(cache.get("instant", a -> true)).isNull();
    }

    @Test
    void givenMoreTokensThanMaxEntries_whenPut_thenSizeStaysBounded_expiredGoFirst_andTheNewestIsKept() {
        final VerifiedTokenCache cache = new VerifiedTokenCache(100, Duration.ofSeconds(60), clock);
        for (int i = 0; i < 50; i++) {
            cache.put("short-" + i, caller("u" + i, T0.plusSeconds(1)));
        }
        clock.advance(Duration.ofSeconds(2)); // the 50 short ones have expired
        for (int i = 0; i < 1000; i++) {
            cache.put("long-" + i, caller("u" + i, T0.plusSeconds(3600)));
            assertThat(cache.stats().size()).isLessThanOrEqualTo(100);
            assertThat(cache.get("long-" + i, a -> true)).as("just stored").isNotNull();
        }
        final VerifiedTokenCache.Stats stats = cache.stats();
        assertThat(stats.size()).isBetween(100 - 100 / 8, 100);
        assertThat(stats.evictions()).isEqualTo(1050 - stats.size());
        for (int i = 0; i < 50; i++) {
            assertThat(cache.get("short-" + i, a -> true)).isNull();
        }
    }

    @Test
    void givenMaxEntriesZero_thenTheCacheIsOff() {
        final VerifiedTokenCache cache = new VerifiedTokenCache(0, Duration.ofSeconds(60), clock);
        cache.put("token-a", caller("alice", T0.plusSeconds(3600)));

        assertThat(cache.enabled()).isFalse();
        assertThat(cache.get("token-a", a -> true)).isNull();
        assertThat(cache.stats()).isEqualTo(new VerifiedTokenCache.Stats(0, 0, 0, 0, 0));
    }

    @Test
    void givenBadSettings_thenStartUpFailsListingEveryProblem() {
        assertThatThrownBy(() -> new TokenCacheSettings(-1, Duration.ZERO))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("chat.auth.token-cache.max-entries must be 0..1000000, got -1")
                .hasMessageContaining("chat.auth.token-cache.max-age must be 1s..1h, got PT0S");
        assertThat(new TokenCacheSettings(0, Duration.ofSeconds(60)).maxEntries()).isZero();
    }

    @Test
    void givenManyThreads_whenPuttingAndGettingAtOnce_thenEveryHitIsTheRightCaller_andTheBoundHolds() throws Exception {
        final int max = 200;
        final VerifiedTokenCache cache = new VerifiedTokenCache(max, Duration.ofSeconds(60), clock);
        final int threads = 8;
        final int opsPerThread = 20_000;
        final AtomicLong gets = new AtomicLong();
        final CountDownLatch start = new CountDownLatch(1);
        final ExecutorService pool = Executors.newFixedThreadPool(threads);
        try {
            final List<Future<?>> done = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                final int seed = t;
                done.add(pool.submit(() -> {
                    start.await();
                    for (int i = 0; i < opsPerThread; i++) {
                        final int n = (i * 31 + seed * 7) % (3 * max); // more distinct tokens than room
                        final String token = "token-" + n;
                        final Authentication hit = cache.get(token, a -> true);
                        gets.incrementAndGet();
                        if (hit == null) {
                            cache.put(token, caller("user-" + n, T0.plusSeconds(3600)));
                        } else if (!hit.getName().equals("user-" + n)) {
                            throw new AssertionError("token-" + n + " answered " + hit.getName());
                        }
                    }
                    return null;
                }));
            }
            start.countDown();
            for (Future<?> f : done) {
                f.get(60, TimeUnit.SECONDS);
            }
        } finally {
            pool.shutdownNow();
        }
        final VerifiedTokenCache.Stats stats = cache.stats();
        assertThat(stats.hits() + stats.misses()).isEqualTo(gets.get());
        assertThat(stats.hits()).isPositive();
        assertThat(stats.size()).isLessThanOrEqualTo(max);
        assertThat(stats.stored() - stats.evictions()).isGreaterThanOrEqualTo(stats.size());
    }
}
