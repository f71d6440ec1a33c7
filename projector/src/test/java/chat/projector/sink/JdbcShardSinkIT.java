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
