package chat.projector;

import chat.common.shard.ShardMigrations;
import chat.projector.sink.PostgresHolder;
import io.micronaut.context.ApplicationContext;
import org.apache.kafka.streams.KafkaStreams;
import org.junit.jupiter.api.Test;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The Micronaut wiring: with a real (embedded) PostgreSQL shard and no Kafka broker reachable,
 * start-up applies the migrations, starts Kafka Streams without waiting for RUNNING, and closes it.
 * (A broker-backed end-to-end test needs chat:embedded's Kafka; see the module README.)
 */
class ProjectorServiceIT {

    @Test
    void givenEmptyShard_whenContextStarts_thenShardMigratedAndStreamsStartedAndClosedOnShutdown() throws Exception {
        try (Connection c = PostgresHolder.postgres().getPostgresDatabase().getConnection();
             Statement st = c.createStatement()) {
            st.execute("DROP DATABASE IF EXISTS projector_service");
            st.execute("CREATE DATABASE projector_service");
        }
        final String url = PostgresHolder.postgres().getJdbcUrl("postgres", "projector_service");

        final ProjectorService service;
        try (ApplicationContext ctx = ApplicationContext.run(Map.of(
                "chat.kafka.bootstrap-servers", "127.0.0.1:1",
                "chat.kafka.partitions", "4",
                "chat.shards.jdbc-urls", List.of(url),
                "chat.shards.user", "postgres",
                "chat.shards.pool-size", "2",
                "chat.projector.threads", "1",
                "chat.projector.close-timeout-ms", "10000"))) {
            service = ctx.getBean(ProjectorService.class);

            assertThat(service.state()).isIn(KafkaStreams.State.CREATED, KafkaStreams.State.REBALANCING,
                    KafkaStreams.State.RUNNING);
            try (Connection c = PostgresHolder.database("projector_service").getConnection();
                 Statement st = c.createStatement();
                 ResultSet rs = st.executeQuery("SELECT count(*) FROM schema_migrations")) {
                rs.next();
                assertThat(rs.getInt(1)).isEqualTo(ShardMigrations.known().size()); // every migration, V2 included
            }
        }

        assertThat(service.state()).isNull(); // closed on shutdown
    }
}
