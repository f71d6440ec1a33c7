package chat.dev.it.ops;

import chat.common.redis.ReadCacheKeys;
import chat.ctl.ChatCtl;
import chat.ctl.TableChecksums;
import chat.dev.DevStack;
import chat.dev.it.TestStack;
import io.lettuce.core.RedisClient;
import io.lettuce.core.api.StatefulRedisConnection;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicBoolean;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * {@code chatctl region bootstrap --target rgn}: a complete, empty region (one database per shard and
 * a Redis read cache) built from the log under live traffic, equal to the source per table per shard
 * at the same positions; a rerun resumes and catches up. Uses the shared stack: the targets are
 * separate databases (dropped afterwards) and the region's Redis is a separate Redis database (9).
 */
class RegionBootstrapIT {
    private static final String NAME = "rgn";
    private static final int REDIS_DB = 9;

    @AfterAll
    static void dropTargets() throws Exception {
        final DevStack stack = TestStack.get();
        try (Connection c = Ops.open(stack, stack.postgres().jdbcUrl("postgres")); Statement st = c.createStatement()) {
            for (int s = 0; s < stack.shardMap().shards(); s++) {
                st.execute("DROP DATABASE IF EXISTS chat_" + NAME + "_shard_" + s + " WITH (FORCE)");
            }
        }
        final RedisClient client = RedisClient.create(redisUri(stack));
        try (StatefulRedisConnection<String, String> c = client.connect()) {
            c.sync().flushdb();
        } finally {
            client.shutdown();
        }
    }

    private static String redisUri(final DevStack stack) {
        return stack.redis().uri() + "/" + REDIS_DB;
    }

    @Test
    void givenLiveTraffic_whenRegionBootstrapped_thenEveryShardEqualsTheSourceAtTheSamePositions_andRedisStartsThere()
            throws Exception {
        // Given: a seeded log and live posts (teams, channels, messages through ingest).
        final DevStack stack = TestStack.get();
        Ops.seed(stack, "rg-seed-", 12, 3_000);
        final Set<String> accepted = ConcurrentHashMap.newKeySet();
        final AtomicBoolean running = new AtomicBoolean(true);
        final ExecutorService threads = Executors.newFixedThreadPool(1);
        final CompletableFuture<Void> traffic = CompletableFuture.runAsync(() -> {
            int i = 0;
            while (running.get() && i < 2_000) {
                final List<CompletableFuture<String>> batch = new ArrayList<>();
                for (int t = 0; t < 4; t++) {
                    batch.add(Ops.post(stack, "rg-live-" + t, "general", "live " + i));
                }
                batch.forEach(f -> {
                    final String id = f.join();
                    if (id != null) {
                        accepted.add(id);
                    }
                });
                i++;
            }
        }, threads);
        final Ops.Run first;
        try {
            await().atMost(Duration.ofSeconds(30)).until(() -> accepted.size() >= 40);
            // When: the region is bootstrapped while the posts go on.
            first = Ops.ctl(stack, "region", "bootstrap", "--target", NAME, "--restart", "--redis-uri", redisUri(stack),
                    "--progress-ms", "500");
        } finally {
            running.set(false);
            traffic.join();
            threads.shutdown();
        }
        // Then: equal per table per shard at the source's own positions.
        assertThat(first.exitCode()).as(first.toString()).isEqualTo(ChatCtl.OK);
        assertThat(first.out()).contains("BOOTSTRAPPED").doesNotContain("DIFFERENT")
                .contains("chat.shards.jdbc-urls=" + stack.postgres().jdbcUrl("chat_" + NAME + "_shard_0"));
        for (int s = 0; s < stack.shardMap().shards(); s++) {
            for (String table : List.of("messages", "channels", "teams", "team_members", "projection_checkpoint")) {
                assertThat(first.out()).as(s + " " + table).containsPattern("(?m)^" + s + "\\s+" + table + "\\s.*EQUAL$");
            }
        }

        // When: the traffic stopped, a rerun resumes the targets and catches up with what came since.
        awaitProjected(stack);
        final Ops.Run again = Ops.ctl(stack, "region", "bootstrap", "--target", NAME, "--redis-uri", redisUri(stack));
        assertThat(again.exitCode()).as(again.toString()).isEqualTo(ChatCtl.OK);
        assertThat(again.out()).contains("resuming chat_" + NAME + "_shard_0").contains("BOOTSTRAPPED").doesNotContain("DIFFERENT");

        // Then, computed here independently: every table of every shard has the source's content, and every
        // acknowledged post is in the region once.
        final List<String> targets = new ArrayList<>();
        for (int s = 0; s < stack.shardMap().shards(); s++) {
            final String target = stack.postgres().jdbcUrl("chat_" + NAME + "_shard_" + s);
            targets.add(target);
            final Map<String, TableChecksums.Sum> source;
            final Map<String, TableChecksums.Sum> copy;
            try (Connection c = Ops.open(stack, stack.shardJdbcUrls().get(s))) {
                source = TableChecksums.of(c);
            }
            try (Connection c = Ops.open(stack, target)) {
                copy = TableChecksums.of(c);
            }
            assertThat(copy).as("shard " + s).isEqualTo(source);
            assertThat(Ops.hasFullSchema(stack, target, "messages_by_channel")).as("deferred index built in " + target).isTrue();
            assertThat(source.get("messages").rows()).as("shard " + s + " holds messages").isPositive();
        }
        final Map<String, Integer> live = Ops.messageIds(stack, targets, "rg-live-");
        assertThat(live.keySet()).containsAll(accepted);
        assertThat(live.values()).allMatch(n -> n == 1);
        assertThat(Ops.messageIds(stack, targets, "rg-seed-")).hasSize(3_000);

        // And the region's read cache state starts at the targets' checkpoints, in every partition.
        final Map<Integer, Long> checkpoints = Ops.checkpoints(stack, targets);
        final RedisClient client = RedisClient.create(redisUri(stack));
        try (StatefulRedisConnection<String, String> c = client.connect()) {
            for (int p = 0; p < stack.shardMap().partitions(); p++) {
                final Map<String, String> state = c.sync().hgetall(ReadCacheKeys.state(p));
                assertThat(state.get("n")).as("partition " + p).isEqualTo(Long.toString(checkpoints.getOrDefault(p, 0L)));
                assertThat(state.get("e")).as("partition " + p + " epoch").isNotBlank();
            }
        } finally {
            client.shutdown();
        }
    }

    @Test
    void givenTargetsCreatedButNeverMigrated_asARunKilledRightAfterCreateDatabaseLeavesThem_whenRerun_thenResumedAndEqual()
            throws Exception {
        // Given: the target databases exist without any table (the earlier run died between CREATE DATABASE
        // and applying the read-model migrations).
        final DevStack stack = TestStack.get();
        Ops.post(stack, "rg-bare-0", "general", "before the bootstrap").join();
        awaitProjected(stack);
        try (Connection c = Ops.open(stack, stack.postgres().jdbcUrl("postgres")); Statement st = c.createStatement()) {
            for (int s = 0; s < stack.shardMap().shards(); s++) {
                st.execute("DROP DATABASE IF EXISTS chat_" + NAME + "_shard_" + s + " WITH (FORCE)");
                st.execute("CREATE DATABASE chat_" + NAME + "_shard_" + s);
            }
        }
        // When: rerun without --restart.
        final Ops.Run run = Ops.ctl(stack, "region", "bootstrap", "--target", NAME, "--redis-uri", redisUri(stack));
        // Then: it resumes the empty targets from the beginning of the log and ends equal.
        assertThat(run.exitCode()).as(run.toString()).isEqualTo(ChatCtl.OK);
        assertThat(run.out()).contains("resuming chat_" + NAME + "_shard_0 at {}").contains("BOOTSTRAPPED").doesNotContain("DIFFERENT");
    }

    @Test
    void givenALiveShardAsTarget_whenBootstrapped_thenUsageErrorAndNothingTouched() throws Exception {
        final DevStack stack = TestStack.get();
        final List<String> urls = new ArrayList<>(stack.shardJdbcUrls());
        final Ops.Run run = Ops.ctl(stack, "region", "bootstrap", "--target", String.join(",", urls));
        assertThat(run.exitCode()).isEqualTo(ChatCtl.ERROR);
        assertThat(run.err()).contains("is a live source shard database");
        final Ops.Run bad = Ops.ctl(stack, "region", "bootstrap", "--target", "Bad-Name");
        assertThat(bad.exitCode()).isEqualTo(ChatCtl.ERROR);
        assertThat(bad.err()).contains("neither a name");
        final Ops.Run count = Ops.ctl(stack, "region", "bootstrap", "--target", urls.get(0).replace("chat_shard_0", "x_0"));
        assertThat(count.exitCode()).isEqualTo(ChatCtl.ERROR);
        assertThat(count.err()).contains("lists 1 JDBC URLs but the source map has " + urls.size() + " shards");
        try (Connection c = Ops.open(stack, stack.postgres().jdbcUrl("postgres"));
             ResultSet rs = c.createStatement().executeQuery("SELECT count(*) FROM pg_database WHERE datname = 'x_0'")) {
            rs.next();
            assertThat(rs.getInt(1)).as("nothing created").isZero();
        }
    }

    private static void awaitProjected(final DevStack stack) throws Exception {
        final Map<Integer, Long> end = Ops.logEnd(stack);
        await().atMost(Duration.ofSeconds(120)).pollInterval(Duration.ofMillis(250))
                .until(() -> Ops.checkpoints(stack, stack.shardJdbcUrls()).entrySet().containsAll(end.entrySet()));
    }
}
