package chat.projector.cache;

import chat.projector.projection.ProjectionBatch;
import chat.projector.sink.ShardSink;

/**
 * A {@link ShardSink} that, after the shard committed a batch, hands it to the
 * {@link ReadCacheWriter} (non-blocking). A failed shard write throws before the cache hears of
 * it, so the cache never holds what the shard does not.
 *
 * <pre>{@code
 * ShardSink sink = new WriteThroughShardSink(new RetryingShardSink(jdbc, ...), writer);
 * }</pre>
 */
public final class WriteThroughShardSink implements ShardSink {
    private final ShardSink shard;
    private final ReadCacheWriter cache;

    public WriteThroughShardSink(final ShardSink shard, final ReadCacheWriter cache) {
        this.shard = shard;
        this.cache = cache;
    }

    @Override
    public long checkpoint(final int partition) {
        return shard.checkpoint(partition);
    }

    @Override
    public void write(final ProjectionBatch batch) {
        shard.write(batch);
        cache.submit(batch);
    }

    @Override
    public String unavailable(final int partition) {
        return shard.unavailable(partition);
    }
}
