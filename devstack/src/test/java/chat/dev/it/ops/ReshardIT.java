package chat.dev.it.ops;

import chat.common.shard.ShardMap;
import chat.common.shard.ShardRedirects;
import chat.dev.DevStack;
import org.apache.kafka.clients.producer.internals.BuiltInPartitioner;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * {@code chatctl reshard --to 8}: 4 -> 8 shards under live traffic, SIGKILLed mid-way and rerun, then
 * the services restarted on the new map and URLs it printed. Runs on its OWN embedded stack (fixed free ports, so the new
 * URLs stay valid across the restart): the old shards end up fenced.
 */
class ReshardIT {
    private static final Path DATA = Path.of("target", "ops-reshard-stack");
    private static final int[] PORTS = new int[4];
    private static DevStack stack;

    @BeforeAll
    static void start() throws IOException {
        for (int i = 0; i < PORTS.length; i++) {
            try (ServerSocket s = new ServerSocket(0)) {
                PORTS[i] = s.getLocalPort();
            }
        }
        stack = DevStack.start(options(true, Map.of()));
    }

    private static DevStack.Options options(final boolean fresh, final Map<String, Object> extra) {
        final Map<String, Object> props = new HashMap<>(Map.of("chat.projector.commit-interval-ms", 100,
                "chat.shards.redirect-poll-ms", 200));
        props.putAll(extra);
        return DevStack.Options.defaults().withDataDir(DATA).withFresh(fresh)
                .withPorts(PORTS[0], PORTS[1], PORTS[2], PORTS[3]).withProperties(props);
    }

    @AfterAll
    static void stop() {
        if (stack != null) {
            stack.close();
        }
    }

    @Test
    void givenLiveTraffic_whenReshardedTo8_thenOldEqualsNew_teamsInTheirNewShard_andAfterRestartNoMessageLostOrDuplicated()
            throws Exception {
        // Given: a seeded, projected log and live posts on 8 teams.
        final int seeded = 20_000;
        Ops.seed(stack, "rs-seed-", 24, seeded);
        awaitProjected(stack.shardJdbcUrls());
        final List<String> oldUrls = List.copyOf(stack.shardJdbcUrls());
        final Set<String> accepted = ConcurrentHashMap.newKeySet();
        final AtomicBoolean running = new AtomicBoolean(true);
        for (int t = 0; t < 8; t++) {
            Ops.provision(stack, "rs-live-" + t, "general");
        }
        final ExecutorService threads = Executors.newFixedThreadPool(1);
        final CompletableFuture<Void> traffic = CompletableFuture.runAsync(() -> {
            int i = 0;
            while (running.get()) {
                final List<CompletableFuture<String>> batch = new ArrayList<>();
                for (int t = 0; t < 8; t++) {
                    batch.add(Ops.post(stack, "rs-live-" + t, "general", "live " + i));
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
        final Path mapFile = DATA.resolve("shard-map.v2.json").toAbsolutePath();
        final Ops.Run run;
        try {
            await().atMost(Duration.ofSeconds(30)).until(() -> accepted.size() >= 200);
            // When: a rate-limited reshard is SIGKILLed mid-way ...
            final Path log = Path.of("target", "ops-reshard-chatctl.log");
            Files.deleteIfExists(log);
            final Process first = Ops.ctlProcess(stack, log.toFile(), "reshard", "--to", "8", "--new-map-file", mapFile.toString(),
                    "--max-rate", "2000", "--batch-size", "500", "--progress-ms", "500");
            await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(100)).until(() -> targetEvents() >= 2_000);
            first.destroyForcibly();
            assertThat(first.waitFor(10, java.util.concurrent.TimeUnit.SECONDS)).isTrue();
            assertThat(first.exitValue()).isNotZero();
            assertThat(Files.readString(log)).doesNotContain("RESHARDED");
            assertThat(mapFile).doesNotExist();
            for (String url : oldUrls) {
                try (Connection c = Ops.open(stack, url)) {
                    assertThat(ShardRedirects.isFenced(c)).as(url + " not fenced by a run killed while replaying").isFalse();
                }
            }
            // ... and rerun to completion.
            run = Ops.ctl(stack, "reshard", "--to", "8", "--new-map-file", mapFile.toString(), "--progress-ms", "500");
            assertThat(run.out()).contains("resuming chat_m2_shard_0");
            // Writes go on until the fence; from then on ingest's read-your-writes check waits for shards that
            // no longer advance (503 after its consistency timeout) until the services restart on the new map.
        } finally {
            running.set(false);
            traffic.join();
            threads.shutdown();
        }

        // Then: verified equal at the old shards' final positions, new map written, old shards fenced.
        assertThat(run.exitCode()).as(run.toString()).isZero();
        assertThat(run.out()).contains("RESHARDED").doesNotContain("DIFFERENT")
                .containsPattern("(?m)^messages\\s+\\d+:\\S+\\s+\\d+:\\S+\\s+EQUAL$");
        final ShardMap next = ShardMap.parse(Files.readString(mapFile).trim());
        assertThat(next.version()).isEqualTo(2);
        assertThat(next.shards()).isEqualTo(8);
        final Matcher m = Pattern.compile("chat\\.shards\\.jdbc-urls=(\\S+)").matcher(run.out());
        assertThat(m.find()).as(run.out()).isTrue();
        final List<String> newUrls = Arrays.asList(m.group(1).split(","));
        assertThat(newUrls).hasSize(8).doesNotContainAnyElementsOf(oldUrls);
        for (String url : oldUrls) {
            try (Connection c = Ops.open(stack, url)) {
                assertThat(ShardRedirects.isFenced(c)).as(url + " fenced").isTrue();
            }
        }
        // Every team's rows are in the shard the NEW map gives its partition, and only there.
        final Set<String> placed = new java.util.HashSet<>();
        for (int s = 0; s < newUrls.size(); s++) {
            try (Connection c = Ops.open(stack, newUrls.get(s));
                 ResultSet rs = c.createStatement().executeQuery("SELECT team_id FROM teams UNION SELECT team_id FROM messages")) {
                while (rs.next()) {
                    final int partition = BuiltInPartitioner.partitionForKey(rs.getString(1).getBytes(StandardCharsets.UTF_8),
                            next.partitions());
                    assertThat(next.shardOf(partition)).as("team " + rs.getString(1) + " in new shard " + s).isEqualTo(s);
                    assertThat(placed.add(rs.getString(1))).as("team " + rs.getString(1) + " in one shard only").isTrue();
                }
            }
        }
        assertThat(placed).as("24 seeded + 8 live teams").hasSize(32);

        // When: the services restart on the new map and URLs (what the operator does next).
        final Map<String, Integer> refused = new java.util.TreeMap<>();
        Ops.FAILURES.forEach((reason, n) -> refused.merge(reason.replaceAll("retry after \\d+ ms", "retry after <n> ms"), n, Integer::sum));
        System.out.println("accepted posts: " + accepted.size() + "; refused: " + refused);
        final long restart = System.nanoTime();
        closeFencedStack();
        stack = DevStack.start(options(false, Map.of("chat.shards.jdbc-urls", String.join(",", newUrls),
                "chat.shards.map-file", mapFile.toString())));
        // Then: the posts accepted while fenced are projected into the new shards; nothing is lost or doubled.
        awaitProjected(newUrls);
        System.out.printf("services restarted on the new map and caught up in %.1f s%n", (System.nanoTime() - restart) / 1e9);
        final String after = Ops.post(stack, "rs-live-3", "general", "after the restart").join();
        assertThat(after).isNotNull();
        accepted.add(after);
        awaitProjected(newUrls);
        final Map<String, Integer> live = Ops.messageIds(stack, newUrls, "rs-live-");
        assertThat(live.keySet()).as("every acknowledged message is in the new shards").containsAll(accepted);
        assertThat(live.values()).as("none twice").allMatch(n -> n == 1);
        final Map<String, Integer> seed = Ops.messageIds(stack, newUrls, "rs-seed-");
        assertThat(seed).hasSize(seeded);
        assertThat(seed.values()).allMatch(n -> n == 1);
    }

    /** Events in the default targets of a reshard to map v2 (0 while they do not exist yet). */
    private static long targetEvents() {
        final List<String> urls = new ArrayList<>();
        for (int s = 0; s < 8; s++) {
            urls.add(stack.postgres().jdbcUrl("chat_m2_shard_" + s));
        }
        long n = 0;
        for (String url : urls) {
            try {
                n += Ops.checkpoints(stack, List.of(url)).values().stream().mapToLong(Long::longValue).sum();
            } catch (Exception e) {
                // not created or migrated yet
            }
        }
        return n;
    }

    /**
     * Stops the services whose shards are all fenced: the projector cannot flush its last buffers on
     * close (every write fails with the fence's 40001) and says so; its offsets stay at or below the
     * old shards' final checkpoints, which is what makes the restart exact. Anything else fails the test.
     */
    private static void closeFencedStack() {
        try {
            stack.close();
        } catch (RuntimeException e) {
            boolean fenced = false;
            for (Throwable t = e; t != null; t = t.getCause()) {
                fenced |= String.valueOf(t.getMessage()).contains("this shard database is retired");
            }
            if (!fenced) {
                throw e;
            }
        }
    }

    private static void awaitProjected(final List<String> urls) throws Exception {
        final Map<Integer, Long> end = Ops.logEnd(stack);
        await().dontCatchUncaughtExceptions().atMost(Duration.ofSeconds(120)).pollInterval(Duration.ofMillis(250))
                .until(() -> Ops.checkpoints(stack, urls).entrySet().containsAll(end.entrySet()));
    }
}
