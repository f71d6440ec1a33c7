package chat.projector.sink;

import chat.common.shard.ShardMap;
import chat.projector.projection.ProjectionBatch;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.postgresql.ds.PGSimpleDataSource;

import java.sql.Connection;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import static chat.projector.Fixtures.posted;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The shared contract against PostgreSQL (embedded, migrations applied), plus failure classification. */
class JdbcShardSinkIT extends ShardSinkContract {

    @BeforeEach
    void emptyShards() {
        PostgresHolder.truncateAll();
    }

    @Override
    ShardSink sink() {
        return new JdbcShardSink(MAP, PostgresHolder::shard);
    }

    @Override
    ReadModel snapshot(final int shard) {
        return JdbcReadModel.read(PostgresHolder.shard(shard));
    }

    @Override
    void forgetCheckpoint(final int partition) {
        try (Connection c = PostgresHolder.shard(MAP.shardOf(partition)).getConnection();
             Statement st = c.createStatement()) {
            st.executeUpdate("DELETE FROM projection_checkpoint WHERE partition = " + partition);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    @Test
    void givenShardRefusesConnections_whenWrittenThroughRetries_thenTransientFailureAfterRetriesAndNothingWritten() {
        final PGSimpleDataSource down = new PGSimpleDataSource();
        down.setURL("jdbc:postgresql://127.0.0.1:1/nothing"); // nothing listens on port 1
        down.setConnectTimeout(1);
        final List<Duration> sleeps = new ArrayList<>();
        final ShardSink sink = new RetryingShardSink(
                new JdbcShardSink(MAP, shard -> shard == 1 ? down : PostgresHolder.shard(shard)), 2,
                n -> Duration.ofMillis(10L * n), sleeps::add);

        assertThatThrownBy(() -> sink.write(batchOf(1, 0, List.of(posted(1, "c1", "m1", "x")))))
                .isInstanceOf(TransientShardException.class)
                .hasMessageContaining("failed after 2 retries")
                .hasMessageContaining("shard=1").hasMessageContaining("partition=1");
        assertThat(sleeps).hasSize(2);

        // the healthy shard goes on
        sink.write(batchOf(0, 0, List.of(posted(1, "c1", "m1", "x"))));
        assertThat(snapshot(0).messages()).hasSize(1);
    }

    @Test
    void givenLiveMapSwitch_whenTheFencedBatchIsRetried_thenItLandsInTheNewDatabaseFromItsCheckpoint_andTheOldStaysFrozen()
            throws Exception {
        // Given: map v1 keeps partition 1 in database 0; the projector wrote events 0..1 there.
        final ShardMap v1 = ShardMap.modulo(4, 1);
        final ShardMap v2 = new ShardMap(2, 2, ShardMap.modulo(4, 2).assignment()); // partition 1 -> database 1
        final java.util.concurrent.atomic.AtomicReference<ShardMap> current = new java.util.concurrent.atomic.AtomicReference<>(v1);
        final JdbcShardSink live = new JdbcShardSink(p -> {
            final ShardMap m = current.get();
            final int shard = m.shardOf(p);
            return new chat.common.shard.ShardRouter.Route(shard, m == v1 ? PostgresHolder.shard(0) : PostgresHolder.shard(shard));
        });
        final List<chat.events.EventEnvelope> events = List.of(posted(1, "c1", "m1", "a"), posted(1, "c1", "m2", "b"),
                posted(1, "c1", "m3", "c"));
        live.write(batchOf(1, 0, events.subList(0, 2)));
        // ... the reshard's replay brought database 1 to the same position, then fenced database 0.
        new JdbcShardSink(v2, PostgresHolder::shard).write(batchOf(1, 0, events.subList(0, 2)));
        try (Connection c = PostgresHolder.shard(0).getConnection()) {
            chat.common.shard.ShardRedirects.fence(c);
        }
        try {
            // When: the projector's next batch (re-read from offset 0) is refused by the fence, then the map switches.
            assertThatThrownBy(() -> live.write(batchOf(1, 0, events))).isInstanceOf(TransientShardException.class)
                    .hasMessageContaining("sqlState=40001");
            current.set(v2);
            live.write(batchOf(1, 0, events));

            // Then: the new database applied only what it lacked; the old one never moved past its final position.
            assertThat(live.checkpoint(1)).isEqualTo(3);
            assertThat(snapshot(1).messages()).hasSize(3);
            assertThat(snapshot(0).messages()).hasSize(2);
            try (Connection c = PostgresHolder.shard(0).getConnection();
                 Statement st = c.createStatement();
                 java.sql.ResultSet rs = st.executeQuery("SELECT next_offset FROM projection_checkpoint WHERE partition = 1")) {
                assertThat(rs.next()).isTrue();
                assertThat(rs.getLong(1)).isEqualTo(2);
            }
        } finally {
            try (Connection c = PostgresHolder.shard(0).getConnection()) {
                chat.common.shard.ShardRedirects.unfence(c);
            }
        }
    }

    @Test
    void givenShardWithoutReadModelTables_whenWritten_thenPermanentFailure() throws Exception {
        try (Connection c = PostgresHolder.postgres().getPostgresDatabase().getConnection();
             Statement st = c.createStatement()) {
            st.execute("DROP DATABASE IF EXISTS projector_empty");
            st.execute("CREATE DATABASE projector_empty");
        }
        final JdbcShardSink sink = new JdbcShardSink(ShardMap.modulo(1, 1), s -> PostgresHolder.database("projector_empty"));

        assertThatThrownBy(() -> sink.write(new ProjectionBatch(0, 0, 1, List.of())))
                .isInstanceOf(PermanentShardException.class)
                .hasMessageContaining("sqlState=42P01")
                .hasMessageContaining("partition=0");
    }
}
