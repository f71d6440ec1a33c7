package chat.projector.topology;

import chat.common.shard.ShardMap;
import chat.events.EventEnvelope;
import chat.projector.EveryKind;
import chat.projector.ProjectorSettings;
import chat.projector.sink.JdbcReadModel;
import chat.projector.sink.JdbcShardSink;
import chat.projector.sink.PostgresHolder;
import chat.projector.sink.ReadModel;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** The topology over the real JDBC sink (TopologyTestDriver + embedded PostgreSQL), batch size 4. */
class ProjectorTopologyJdbcIT {
    @TempDir
    Path stateDir;

    private final JdbcShardSink sink = new JdbcShardSink(ShardMap.modulo(1, 1), s -> PostgresHolder.shard(0));

    @BeforeEach
    void emptyShards() {
        PostgresHolder.truncateAll();
    }

    @Test
    void givenEveryEventKind_whenPipedTwice_thenRowsProjectedOnceAndCheckpointCoversAll() {
        final List<EventEnvelope> events = EveryKind.events();
        final ProjectorSettings settings = ProjectorSettings.defaults().withBatchSize(4);
        try (TopologyHarness h = new TopologyHarness(sink, settings, stateDir)) {
            events.forEach(h::pipe);
        }
        final ReadModel first = JdbcReadModel.read(PostgresHolder.shard(0));
        EveryKind.assertProjected(first, 0);
        assertThat(first.checkpoints()).containsEntry(0, 17L);

        try (TopologyHarness replay = new TopologyHarness(sink, settings, stateDir)) {
            events.forEach(replay::pipe);
        }

        assertThat(JdbcReadModel.read(PostgresHolder.shard(0))).isEqualTo(first);
    }
}
