package chat.ingest.abuse;

import chat.common.redis.RedisGate;
import io.micronaut.context.annotation.Factory;
import io.micronaut.context.annotation.Value;
import io.micronaut.core.annotation.Nullable;
import jakarta.inject.Singleton;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Rate limits from configuration. Keys ({@code chat.ingest.rate-limit.}): {@code enabled} (true),
 * {@code user-per-second} (20) / {@code user-burst} (50), {@code ip-per-second} (2000) /
 * {@code ip-burst} (5000), {@code team-per-second} (500) / {@code team-burst} (1000); 0 disables
 * one limit. Without Redis ({@code redis.uri}) the limits are off.
 */
@Factory
class AbuseFactory {
    private static final Logger LOG = LoggerFactory.getLogger(AbuseFactory.class);

    @Singleton
    RateLimitSettings rateLimitSettings(@Value("${chat.ingest.rate-limit.enabled:true}") final boolean enabled,
                                        @Value("${chat.ingest.rate-limit.user-per-second:20}") final double user,
                                        @Value("${chat.ingest.rate-limit.user-burst:50}") final int userBurst,
                                        @Value("${chat.ingest.rate-limit.ip-per-second:2000}") final double ip,
                                        @Value("${chat.ingest.rate-limit.ip-burst:5000}") final int ipBurst,
                                        @Value("${chat.ingest.rate-limit.team-per-second:500}") final double team,
                                        @Value("${chat.ingest.rate-limit.team-burst:1000}") final int teamBurst) {
        return new RateLimitSettings(enabled, user, userBurst, ip, ipBurst, team, teamBurst);
    }

    @Singleton
    RateLimiter rateLimiter(@Nullable final RedisGate redis) {
        if (redis == null) {
            LOG.warn("no Redis configured (redis.uri): write rate limits are off");
        }
        return new RateLimiter(redis);
    }
}
