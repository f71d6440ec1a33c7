package chat.dev.it.ops;

import chat.common.kafka.TeamPartitioner;
import chat.common.shard.ShardMap;
import chat.dev.DevStack;
import chat.dev.it.TestStack;
import chat.projector.ProjectorService;
import org.apache.kafka.streams.KafkaStreams;
import org.junit.jupiter.api.Test;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * A shard database that goes away stops only its own projection: its partitions wait (lag grows),
 * every other shard keeps projecting at its usual pace on the same stream threads, and when the
 * database returns its partitions catch up, each event applied exactly once.
 */
class ShardOutageIT {
    private static final int DOWN = 1;
    private static final int SEEDED = 300;

    @Test
    void givenOneShardDatabaseGone_whenEventsKeepComing_thenOthersKeepProjectingAndItCatchesUpExactlyOnceWhenBack()
            throws Exception {
        // Given: a team on shard 1 and one team on each other shard, created and projected.
        final DevStack stack = TestStack.get();
        final ShardMap map = stack.shardMap();
        final List<String> urls = stack.shardJdbcUrls();
        final String downPrefix = prefixOnShard(map, "outage-down-", DOWN);
        final List<String> liveTeams = new ArrayList<>();
        for (int s = 0; s < map.shards(); s++) {
            if (s != DOWN) {
                liveTeams.add(prefixOnShard(map, "outage-live-" + s + "-", s) + "0");
            }
        }
        for (String team : liveTeams) {
            assertThat(Ops.post(stack, team, "general", "before").join()).isNotNull();
        }
        final ProjectorService projector = stack.context().getBean(ProjectorService.class);
        final String downDb = databaseName(urls.get(DOWN));

        final Map<String, Long> latencyMs = new HashMap<>();
        try (Connection admin = Ops.open(stack, urls.get(0))) {
            // When: shard 1's database goes away (refuses connections, its sessions are cut) ...
            setConnectable(admin, downDb, false);
            // ... while events for its team keep arriving in the log and the other teams keep posting.
            Ops.seed(stack, downPrefix, 1, SEEDED);
            await().atMost(Duration.ofSeconds(30)).until(() -> projector.unavailableShards().contains(DOWN));
            for (int round = 0; round < 10; round++) {
                for (String team : liveTeams) {
                    final long sent = System.nanoTime();
                    final String id = Ops.post(stack, team, "general", "during " + round).join();
                    assertThat(id).as("post to " + team + " while shard " + DOWN + " is down: " + Ops.FAILURES).isNotNull();
                    final String url = urls.get(map.shardOf(TeamPartitioner.partitionOf(team, map.partitions())));
                    await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(20))
                            .until(() -> hasMessage(stack, url, id));
                    latencyMs.merge(team, (System.nanoTime() - sent) / 1_000_000, Math::max);
                }
            }
            // Then: the other shards projected every post within seconds, the projector stayed up ...
            System.out.println("slowest post -> projected per live team while shard " + DOWN + " was down (ms): " + latencyMs);
            assertThat(latencyMs.values()).allSatisfy(ms -> assertThat(ms).isLessThan(5_000));
            assertThat(projector.state()).isIn(KafkaStreams.State.RUNNING, KafkaStreams.State.REBALANCING);
            assertThat(projector.unavailableShards()).containsExactly(DOWN);
        } finally {
            try (Connection admin = Ops.open(stack, urls.get(0))) {
                setConnectable(admin, downDb, true);
            }
        }
        // ... and when the database is back, its partitions catch up: every seeded event exactly once.
        final long back = System.nanoTime();
        // A stream thread the projector replaces on purpose (its guard against a consumer that skipped events)
        // must not fail this wait: what counts is that every event arrives exactly once.
        await().dontCatchUncaughtExceptions().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(250)).untilAsserted(() -> {
            final Map<String, Integer> ids = Ops.messageIds(stack, List.of(urls.get(DOWN)), downPrefix);
            assertThat(ids).hasSize(SEEDED);
            assertThat(ids.values()).containsOnly(1);
        });
        System.out.printf("shard %d caught up %d ms after its database came back%n", DOWN, (System.nanoTime() - back) / 1_000_000);
        await().atMost(Duration.ofSeconds(10)).until(() -> projector.unavailableShards().isEmpty());
    }

    /** A team-name prefix whose team {@code prefix + "0"} lives on {@code shard}. */
    private static String prefixOnShard(final ShardMap map, final String base, final int shard) {
        for (int i = 0; ; i++) {
            final String prefix = base + System.nanoTime() % 100_000 + "-" + i + "-";
            if (map.shardOf(TeamPartitioner.partitionOf(prefix + "0", map.partitions())) == shard) {
                return prefix;
            }
        }
    }

    private static String databaseName(final String jdbcUrl) {
        final String path = jdbcUrl.substring(jdbcUrl.lastIndexOf('/') + 1);
        final int q = path.indexOf('?');
        return q < 0 ? path : path.substring(0, q);
    }

    /** Lets a database accept connections again, or refuses new ones and cuts the open sessions. */
    private static void setConnectable(final Connection admin, final String db, final boolean connectable) throws SQLException {
        try (Statement st = admin.createStatement()) {
            st.execute("ALTER DATABASE \"" + db + "\" WITH ALLOW_CONNECTIONS " + connectable);
        }
        if (!connectable) {
            try (PreparedStatement ps = admin.prepareStatement(
                    "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = ? AND pid <> pg_backend_pid()")) {
                ps.setString(1, db);
                ps.executeQuery().close();
            }
        }
    }

    private static boolean hasMessage(final DevStack stack, final String url, final String messageId) throws SQLException {
        try (Connection c = Ops.open(stack, url);
             PreparedStatement ps = c.prepareStatement("SELECT 1 FROM messages WHERE message_id = ?")) {
            ps.setString(1, messageId);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next();
            }
        }
    }
}
