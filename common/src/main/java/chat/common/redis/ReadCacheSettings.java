package chat.common.redis;

import io.micronaut.context.annotation.ConfigurationProperties;
import io.micronaut.core.bind.annotation.Bindable;

import java.util.ArrayList;
import java.util.List;

/**
 * Settings of the Redis read cache, bound from {@code chat.read-cache.*}; shared by the projector
 * (write-through) and the read API (reads and fills). Only used when {@code redis.uri} is set.
 *
 * <pre>{@code
 * chat.read-cache.window: 200
 * }</pre>
 *
 * @param enabled       false = the projector does not write through and reads go to the shard only
 * @param window        N, the newest root messages kept per channel; 1..10000 (bounds memory: N x channels)
 * @param queueCapacity batches the projector may hold for the cache writer; 1..100000. When full, the
 *                      batch is dropped and its partition's cache marked stale (the shard path never waits)
 */
@ConfigurationProperties("chat.read-cache")
public record ReadCacheSettings(
        @Bindable(defaultValue = "true") boolean enabled,
        @Bindable(defaultValue = "200") int window,
        @Bindable(defaultValue = "1000") int queueCapacity) {

    public ReadCacheSettings {
        final List<String> problems = new ArrayList<>();
        if (window < 1 || window > 10_000) {
            problems.add("chat.read-cache.window must be 1..10000, got " + window);
        }
        if (queueCapacity < 1 || queueCapacity > 100_000) {
            problems.add("chat.read-cache.queue-capacity must be 1..100000, got " + queueCapacity);
        }
        if (!problems.isEmpty()) {
            throw new IllegalArgumentException("invalid read cache configuration:\n  - " + String.join("\n  - ", problems));
        }
    }

    /** The documented defaults. */
    public static ReadCacheSettings defaults() {
        return new ReadCacheSettings(true, 200, 1000);
    }
}
