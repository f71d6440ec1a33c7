package chat.projector.sink;

import org.junit.jupiter.api.BeforeEach;

/** The shared contract against the in-memory sink. */
class InMemoryShardSinkTest extends ShardSinkContract {
    private InMemoryShardSink sink;

    @BeforeEach
    void freshSink() {
        sink = new InMemoryShardSink(MAP);
    }

    @Override
    ShardSink sink() {
        return sink;
    }

    @Override
    ReadModel snapshot(final int shard) {
        return sink.snapshot(shard);
    }

    @Override
    void forgetCheckpoint(final int partition) {
        sink.forgetCheckpoint(partition);
    }
}
