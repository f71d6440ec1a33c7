package chat.projector.topology;

import chat.projector.sink.ShardSink;
import org.apache.kafka.streams.state.StoreBuilder;

import java.util.Map;

/**
 * Builds one {@link ProjectionBufferStore} per task. Logging and caching cannot be turned on: the
 * shard is the durable copy, and a changelog would only duplicate the log.
 */
final class ProjectionBufferStoreBuilder implements StoreBuilder<ProjectionBufferStore> {
    private final String name;
    private final ShardSink sink;
    private final int maxBatch;

    ProjectionBufferStoreBuilder(final String name, final ShardSink sink, final int maxBatch) {
        this.name = name;
        this.sink = sink;
        this.maxBatch = maxBatch;
    }

    @Override
    public StoreBuilder<ProjectionBufferStore> withCachingEnabled() {
        throw new UnsupportedOperationException("the projection buffer is its own cache");
    }

    @Override
    public StoreBuilder<ProjectionBufferStore> withCachingDisabled() {
        return this;
    }

    @Override
    public StoreBuilder<ProjectionBufferStore> withLoggingEnabled(final Map<String, String> config) {
        throw new UnsupportedOperationException("the projection buffer is not logged: the shard is the durable copy");
    }

    @Override
    public StoreBuilder<ProjectionBufferStore> withLoggingDisabled() {
        return this;
    }

    @Override
    public ProjectionBufferStore build() {
        return new ProjectionBufferStore(name, sink, maxBatch);
    }

    @Override
    public Map<String, String> logConfig() {
        return Map.of();
    }

    @Override
    public boolean loggingEnabled() {
        return false;
    }

    @Override
    public String name() {
        return name;
    }
}
