package chat.dev.it;

import chat.common.shard.ShardDataSources;
import chat.common.shard.ShardMigrations;
import chat.dev.DevStack;
import chat.schemas.Topics;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * A projector process killed with SIGKILL mid-stream and restarted leaves exactly the rows an
 * uninterrupted projector leaves: the in-JVM projector of the stack runs without interruption
 * into the stack's shards while a second projector (own application id, own scratch shard
 * databases) runs as a child JVM that is killed twice while messages are being posted.
 */
class ProjectorKillIT {
    private static final String[] TABLES = {"messages", "channels", "channel_members", "teams", "team_members",
            "projection_checkpoint"};

    @Test
    void givenProjectorKilledTwiceMidStream_whenRestarted_thenSameRowsAsUninterruptedRun() throws Exception {
        final DevStack stack = TestStack.get();
        final List<String> scratchUrls = new ArrayList<>();
        for (int s = 0; s < stack.shardMap().shards(); s++) {
            final String db = "killtest_shard_" + s;
            stack.postgres().ensureDatabase(db);
            scratchUrls.add(stack.postgres().jdbcUrl(db));
        }
        try (ShardDataSources pools = ShardDataSources.open(scratchUrls, stack.postgres().user(), stack.postgres().password(), 1, "killtest")) {
            for (int s = 0; s < pools.count(); s++) {
                ShardMigrations.apply(pools.shard(s));
            }
        }
        final Path stateDir = Files.createTempDirectory("killtest-streams");
        final Api api = new Api(stack.httpUrl());

        // Traffic over 24 teams until both kills happened (at least 40 rounds), bounded by 600 rounds and 120 s.
        for (int t = 0; t < 24; t++) {
            api.provision("kill-" + t, "c0");
            api.provision("kill-" + t, "c1");
            api.provision("kill-" + t, "c2");
        }
        final AtomicInteger accepted = new AtomicInteger();
        final AtomicInteger rounds = new AtomicInteger();
        final java.util.concurrent.atomic.AtomicBoolean stop = new java.util.concurrent.atomic.AtomicBoolean();
        final CompletableFuture<Void> traffic = CompletableFuture.runAsync(() -> {
            final long deadline = System.nanoTime() + Duration.ofSeconds(120).toNanos();
            for (int i = 0; i < 600 && System.nanoTime() < deadline && (i < 40 || !stop.get()); i++) {
                final List<CompletableFuture<Api.Reply>> batch = new ArrayList<>();
                for (int t = 0; t < 24; t++) {
                    batch.add(api.postAsync("kill-" + t, "c" + (i % 3), "{\"text\":\"kill test " + i + "\"}"));
                }
                for (CompletableFuture<Api.Reply> f : batch) {
                    if (f.join().status() == 201) {
                        accepted.incrementAndGet();
                    }
                }
                rounds.incrementAndGet();
                sleepQuietly(100);
            }
        });

        Process projector = startProjector(stack, scratchUrls, stateDir);
        int killedMidStream = 0;
        try {
            for (int kill = 0; kill < 2; kill++) {
                // Kill only once this incarnation has applied events, so the kill lands mid-stream.
                final long atStart = sum(Shards.checkpoints(stack, scratchUrls));
                await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(50))
                        .until(() -> sum(Shards.checkpoints(stack, scratchUrls)) >= atStart + 150);
                sleepQuietly(ThreadLocalRandom.current().nextLong(0, 400));
                projector.destroyForcibly(); // SIGKILL: no shutdown hook, no flush, no commit
                assertThat(projector.waitFor(10, java.util.concurrent.TimeUnit.SECONDS)).isTrue();
                if (!traffic.isDone() && sum(Shards.checkpoints(stack, scratchUrls)) < sum(logEnd(stack))) {
                    killedMidStream++;
                }
                projector = startProjector(stack, scratchUrls, stateDir);
            }
            stop.set(true);
            traffic.join();
            final int expected = rounds.get() * 24;
            assertThat(accepted.get()).isEqualTo(expected);
            assertThat(killedMidStream).as("kills that landed while traffic was flowing and the projector was behind")
                    .isEqualTo(2);

            // Both projectors catch up to the log end ...
            final Map<Integer, Long> end = logEnd(stack);
            await().atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofMillis(250)).untilAsserted(() -> {
                assertThat(Shards.checkpoints(stack, stack.shardJdbcUrls())).as("uninterrupted").containsAllEntriesOf(end);
                assertThat(Shards.checkpoints(stack, scratchUrls)).as("killed and restarted").containsAllEntriesOf(end);
            });
            assertThat(projector.isAlive()).as("restarted projector still running").isTrue();
        } finally {
            projector.destroyForcibly();
            projector.waitFor(10, java.util.concurrent.TimeUnit.SECONDS);
        }

        // ... and hold the same rows, shard by shard, table by table.
        for (int s = 0; s < scratchUrls.size(); s++) {
            for (String table : TABLES) {
                assertThat(checksum(stack, scratchUrls.get(s), table))
                        .as("shard " + s + " table " + table)
                        .isEqualTo(checksum(stack, stack.shardJdbcUrls().get(s), table));
            }
        }
        assertThat(Shards.messages(stack, scratchUrls, "kill-")).hasSize(accepted.get());
    }

    private static long sum(final Map<Integer, Long> offsets) {
        return offsets.values().stream().mapToLong(Long::longValue).sum();
    }

    private static Process startProjector(final DevStack stack, final List<String> urls, final Path stateDir) throws Exception {
        final List<String> cmd = new ArrayList<>();
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        cmd.add("-Xmx512m");
        cmd.add("--enable-native-access=ALL-UNNAMED");
        cmd.add("-cp");
        cmd.add(System.getProperty("java.class.path"));
        final Map<String, String> props = new HashMap<>();
        props.put("micronaut.server.port", "-1");
        props.put("micronaut.server.host", "127.0.0.1");
        props.put("chat.region", "dev");
        props.put("chat.kafka.bootstrap-servers", stack.bootstrapServers());
        props.put("chat.kafka.partitions", Integer.toString(stack.options().partitions()));
        props.put("chat.shards.jdbc-urls", String.join(",", urls));
        props.put("chat.shards.user", stack.postgres().user());
        props.put("chat.shards.password", stack.postgres().password());
        props.put("chat.projector.application-id", "killtest-projector");
        props.put("chat.projector.state-dir", stateDir.toString());
        props.put("chat.projector.commit-interval-ms", "500");
        props.put("chat.edge.enabled", "false");
        props.put("micronaut.banner.enabled", "false");
        props.put("chat.projector.instance-id", "killtest-0");
        props.forEach((k, v) -> cmd.add("-D" + k + "=" + v));
        cmd.add("chat.projector.ProjectorMain");
        final File log = Path.of("target", "killtest-projector.log").toFile();
        return new ProcessBuilder(cmd).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(log)).start();
    }

    private static Map<Integer, Long> logEnd(final DevStack stack) throws Exception {
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, stack.bootstrapServers()))) {
            final Map<TopicPartition, OffsetSpec> spec = new HashMap<>();
            for (int p = 0; p < stack.options().partitions(); p++) {
                spec.put(new TopicPartition(Topics.EVENTS, p), OffsetSpec.latest());
            }
            final Map<Integer, Long> out = new HashMap<>();
            admin.listOffsets(spec).all().get().forEach((tp, info) -> {
                if (info.offset() > 0) {
                    out.put(tp.partition(), info.offset());
                }
            });
            return out;
        }
    }

    /** Row count and an order-independent content hash of a table, excluding wall-clock bookkeeping columns. */
    private static String checksum(final DevStack stack, final String url, final String table) throws Exception {
        try (Connection c = Shards.open(stack, url); Statement st = c.createStatement()) {
            final List<String> columns = new ArrayList<>();
            try (ResultSet rs = c.getMetaData().getColumns(null, "public", table, null)) {
                while (rs.next()) {
                    final String col = rs.getString("COLUMN_NAME");
                    if (!col.equals("updated_at")) {
                        columns.add(col);
                    }
                }
            }
            assertThat(columns).as("columns of " + table).isNotEmpty();
            final String row = "concat_ws('|', " + String.join(", ", columns.stream().map(col -> "\"" + col + "\"::text").toList()) + ")";
            try (ResultSet rs = st.executeQuery("SELECT count(*), coalesce(md5(string_agg(md5(" + row + "), '' ORDER BY md5(" + row
                    + "))), '-') FROM " + table)) {
                rs.next();
                return rs.getLong(1) + ":" + rs.getString(2);
            }
        }
    }

    private static void sleepQuietly(final long ms) {
        try {
            Thread.sleep(ms); // pacing of the load and of the kills, not a wait for a condition
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
