package chat.common.redis;

import io.lettuce.core.resource.ClientResources;
import io.lettuce.core.resource.Delay;
import io.micronaut.configuration.lettuce.AbstractRedisConfiguration;
import io.micronaut.configuration.lettuce.ClientResourcesMutator;
import io.micronaut.context.annotation.Value;
import jakarta.inject.Singleton;

import java.time.Duration;
import java.util.concurrent.TimeUnit;

/**
 * Caps how long the Redis client waits between reconnect attempts (default 1 s,
 * {@code chat.redis.max-reconnect-delay-ms}). Lettuce's own default doubles the wait from 1 ms up
 * to 30 s, so after an outage of ten seconds or more the client could stay disconnected for up to
 * half a minute after Redis was back: the caches (served from the shard meanwhile) and the rate
 * limits would recover that much later. Reconnecting at most a second after Redis returns costs one
 * connection attempt per second while it is away.
 */
@Singleton
public final class RedisReconnect implements ClientResourcesMutator {
    private final Duration max;

    public RedisReconnect(@Value("${chat.redis.max-reconnect-delay-ms:1000}") final long maxMs) {
        if (maxMs < 10 || maxMs > 60_000) {
            throw new IllegalArgumentException("chat.redis.max-reconnect-delay-ms must be 10..60000, got " + maxMs);
        }
        this.max = Duration.ofMillis(maxMs);
    }

    /** The delay between reconnect attempts: doubling from 10 ms, at most the configured maximum. */
    public Delay delay() {
        return Delay.exponential(Duration.ofMillis(10), max, 2, TimeUnit.MILLISECONDS);
    }

    @Override
    public void mutate(final ClientResources.Builder builder, final AbstractRedisConfiguration config) {
        builder.reconnectDelay(this::delay);
    }
}
