package chat.projector.topology;

import chat.common.shard.ShardMap;
import chat.events.EventEnvelope;
import chat.projector.EveryKind;
import chat.projector.RandomEvents;
import chat.projector.ProjectorSettings;
import chat.projector.sink.JdbcReadModel;
import chat.projector.sink.InMemoryShardSink;
import chat.projector.sink.JdbcShardSink;
import chat.projector.sink.PostgresHolder;
import chat.projector.sink.ReadModel;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.Statement;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** The topology over the real JDBC sink (TopologyTestDriver + embedded PostgreSQL, V1 + V2 read model), small batches. */
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
        assertThat(first.checkpoints()).containsEntry(0, EveryKind.COUNT);

        try (TopologyHarness replay = new TopologyHarness(sink, settings, stateDir)) {
            events.forEach(replay::pipe);
        }

        assertThat(JdbcReadModel.read(PostgresHolder.shard(0))).isEqualTo(first);
    }

    @Test
    void givenRandomEventsOfEveryKind_whenPipedInSmallBatches_thenRowsEqualTheInMemorySinkOneByOneAndSurviveReplay()
            throws Exception {
        final List<EventEnvelope> events = RandomEvents.generate(42, 400, 0);
        final InMemoryShardSink reference = new InMemoryShardSink(ShardMap.modulo(1, 1));
        try (TopologyHarness h = new TopologyHarness(reference, ProjectorSettings.defaults().withBatchSize(1), stateDir)) {
            events.forEach(h::pipe);
        }
        final ProjectorSettings settings = ProjectorSettings.defaults().withBatchSize(7);
        try (TopologyHarness h = new TopologyHarness(sink, settings, stateDir)) {
            events.forEach(h::pipe);
        }
        final ReadModel rows = JdbcReadModel.read(PostgresHolder.shard(0));
        assertThat(rows).isEqualTo(reference.snapshot(0));
        assertThat(rows.reactions()).isNotEmpty();
        assertThat(rows.readMarkers()).isNotEmpty();
        assertThat(rows.messages()).anySatisfy(m -> assertThat(m.replyCount()).isPositive());

        try (Connection c = PostgresHolder.shard(0).getConnection(); Statement st = c.createStatement()) {
            st.executeUpdate("DELETE FROM projection_checkpoint"); // only the rows' guards protect now
        }
        try (TopologyHarness replay = new TopologyHarness(sink, settings, stateDir)) {
            events.forEach(replay::pipe);
        }
        assertThat(JdbcReadModel.read(PostgresHolder.shard(0))).isEqualTo(rows);
    }
}
