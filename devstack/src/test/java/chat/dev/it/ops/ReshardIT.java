package chat.dev.it.ops;

import chat.common.shard.ShardDataSources;
import chat.common.shard.ShardMap;
import chat.common.shard.ShardMapSwitch;
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
 * {@code chatctl reshard --to 8}: 4 -> 8 shards under live posts and reads, SIGKILLed mid-way and rerun; the running
 * services then switch to the new map by themselves (no restart): reads never fail, every acknowledged post is in
 * the new shards once, the old shards take no write after the cut-over. Runs on its OWN embedded stack: the old
 * shards end up fenced.
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
                "chat.shards.redirect-poll-ms", 200,
                "chat.shards.pool-size", 4));
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
    void givenLiveTraffic_whenReshardedTo8_thenServicesSwitchLiveWithoutRestart_nothingLostOrDuplicated_readsNeverFail()
            throws Exception {
        // Given: a seeded, projected log, live posts on 8 teams and a reader of the edge read API.
        final int seeded = 20_000;
        Ops.seed(stack, "rs-seed-", 24, seeded);
        awaitProjected(stack.shardJdbcUrls());
        final List<String> oldUrls = List.copyOf(stack.shardJdbcUrls());
        final ShardDataSources services = stack.context().getBean(ShardDataSources.class);
        assertThat(services.map().version()).isEqualTo(1);
        final Set<String> accepted = ConcurrentHashMap.newKeySet();
        final Set<String> acceptedAfterSwitch = ConcurrentHashMap.newKeySet();
        final AtomicBoolean switched = new AtomicBoolean();
        final AtomicBoolean running = new AtomicBoolean(true);
        for (int t = 0; t < 8; t++) {
            Ops.provision(stack, "rs-live-" + t, "general");
        }
        awaitProjected(stack.shardJdbcUrls()); // the reader starts once the live teams and channels are readable
        final Reads reads = new Reads();
        final ExecutorService threads = Executors.newFixedThreadPool(2);
        final CompletableFuture<Void> traffic = CompletableFuture.runAsync(() -> {
            int i = 0;
            while (running.get()) {
                final boolean after = switched.get();
                final List<CompletableFuture<String>> batch = new ArrayList<>();
                for (int t = 0; t < 8; t++) {
                    batch.add(Ops.post(stack, "rs-live-" + t, "general", "live " + i));
                }
                batch.forEach(f -> {
                    final String id = f.join();
                    if (id != null) {
                        accepted.add(id);
                        if (after) {
                            acceptedAfterSwitch.add(id);
                        }
                    }
                });
                i++;
            }
        }, threads);
        final CompletableFuture<Void> reader = CompletableFuture.runAsync(() -> {
            int i = 0;
            while (running.get()) {
                reads.read("rs-live-" + (i % 8), i % 2 == 0 ? "/channels" : "/channels/general/messages?limit=20", switched.get());
                i++;
            }
        }, threads);
        final Path mapFile = DATA.resolve("shard-map.v2.json").toAbsolutePath();
        final Ops.Run run;
        final Map<Integer, Long> oldFinal;
        final List<String> newUrls;
        try {
            await().atMost(Duration.ofSeconds(30)).until(() -> accepted.size() >= 200);
            // When: a rate-limited reshard is SIGKILLed mid-way ...
            final Path log = Path.of("target", "ops-reshard-chatctl.log");
            Files.deleteIfExists(log);
            final Process first = Ops.ctlProcess(stack, log.toFile(), "reshard", "--to", "8", "--new-map-file", mapFile.toString(),
                    "--max-rate", "2000", "--batch-size", "500", "--progress-ms", "500");
            await().atMost(Duration.ofSeconds(120)).pollInterval(Duration.ofMillis(100)).until(() -> targetEvents() >= 2_000);
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
            assertThat(services.map().version()).as("nothing switched by a killed run").isEqualTo(1);
            // ... then SIGKILLed again at random moments of unthrottled reruns (any phase: start, replay, fence,
            // final replay, comparison, publication), checking after each kill what must hold at any crash point ...
            final java.util.Random random = new java.util.Random(Ops.seed("ReshardIT"));
            final List<Ops.Kill> kills = Ops.killAtRandomMoments(stack, log.toFile(), random, 3, 0, 12_000, "reshard:",
                    k -> assertCrashInvariants(oldUrls, services, k), "reshard", "--to", "8", "--new-map-file", mapFile.toString(),
                    "--progress-ms", "500");
            System.out.println("random kills: " + kills);
            // ... and rerun to completion, under the same traffic.
            run = Ops.ctl(stack, "reshard", "--to", "8", "--new-map-file", mapFile.toString(), "--progress-ms", "500");
            System.out.println("chatctl reshard (final run):\n" + run.out());
            assertThat(run.exitCode()).as(run.toString()).isZero();
            final String all = Files.readString(log) + run.out();
            assertThat(run.out()).contains("RESHARDED");
            assertThat(all).contains("resuming chat_m2_shard_0").doesNotContain("DIFFERENT")
                    .containsPattern("(?m)^messages\\s+\\d+:\\S+\\s+\\d+:\\S+\\s+EQUAL$");
            final Matcher m = Pattern.compile("chat\\.shards\\.jdbc-urls=(\\S+)").matcher(run.out());
            assertThat(m.find()).as(run.out()).isTrue();
            newUrls = Arrays.asList(m.group(1).split(","));
            assertThat(newUrls).hasSize(8).doesNotContainAnyElementsOf(oldUrls);
            oldFinal = Ops.checkpoints(stack, oldUrls);

            // Then: the running services switch to map v2 and its databases by themselves, no restart ...
            final long published = System.nanoTime();
            await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(20))
                    .until(() -> services.map().version() == 2);
            switched.set(true);
            System.out.printf("services switched to map v2 %d ms after chatctl returned%n", (System.nanoTime() - published) / 1_000_000);
            for (int s = 0; s < 8; s++) {
                assertThat(services.url(s)).isEqualTo(newUrls.get(s));
            }
            // ... and writes and reads go on through the new shards.
            await().atMost(Duration.ofSeconds(60)).until(() -> acceptedAfterSwitch.size() >= 200 && reads.afterSwitch.get() >= 50);
        } finally {
            running.set(false);
            traffic.join();
            reader.join();
            threads.shutdown();
        }
        final Map<String, Integer> refused = new java.util.TreeMap<>();
        Ops.FAILURES.forEach((reason, n) -> refused.merge(reason.replaceAll("retry after \\d+ ms", "retry after <n> ms"), n, Integer::sum));
        System.out.println("accepted posts: " + accepted.size() + " (" + acceptedAfterSwitch.size() + " after the switch); refused: "
                + refused + "; reads: " + reads.ok.get() + " ok (" + reads.afterSwitch.get() + " after the switch), failed: " + reads.failures);
        assertThat(reads.failures).as("reads keep working throughout").isEmpty();

        // Then: the new map is written, the old shards stayed fenced and took no write after their final positions.
        final ShardMap next = ShardMap.parse(Files.readString(mapFile).trim());
        assertThat(next.version()).isEqualTo(2);
        assertThat(next.shards()).isEqualTo(8);
        assertThat(services.map()).isEqualTo(next);
        for (String url : oldUrls) {
            try (Connection c = Ops.open(stack, url)) {
                assertThat(ShardRedirects.isFenced(c)).as(url + " fenced").isTrue();
            }
        }
        assertThat(Ops.checkpoints(stack, oldUrls)).as("no write landed in an old shard after the cut-over").isEqualTo(oldFinal);
        // Every acknowledged post (before, during and after the cut-over) is in the new shards exactly once.
        awaitProjected(newUrls);
        final Map<String, Integer> live = Ops.messageIds(stack, newUrls, "rs-live-");
        assertThat(live.keySet()).as("every acknowledged message is in the new shards").containsAll(accepted);
        assertThat(live.values()).as("none twice").allMatch(n -> n == 1);
        final Map<String, Integer> seed = Ops.messageIds(stack, newUrls, "rs-seed-");
        assertThat(seed).hasSize(seeded);
        assertThat(seed.values()).allMatch(n -> n == 1);
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
        for (String url : newUrls) {
            assertThat(Ops.hasFullSchema(stack, url, "messages_by_channel")).as("index deferred during the replay is built: " + url).isTrue();
        }
        // A post after the switch is readable at once through the edge (read-your-writes on the new shards).
        final String after = Ops.post(stack, "rs-live-3", "general", "after the switch").join();
        assertThat(after).isNotNull();
        await().atMost(Duration.ofSeconds(20)).until(() -> reads.body("rs-live-3", "/channels/general/messages?limit=5").contains(after));

        // Then: chatctl, still given the OLD configuration, follows the published switch, and the new shards
        // equal a fresh replay of the log (the projector projected into them from their own positions).
        final Ops.Run verify = Ops.ctl(stack, "verify", "--against-replay", "--wait", "60");
        assertThat(verify.exitCode()).as(verify.toString()).isZero();
        assertThat(verify.out()).contains("verify: EQUAL").doesNotContain("DIFFERENT")
                .containsPattern("(?m)^7\\s+messages\\s");
        // A rerun of the same reshard only confirms the publication.
        final Ops.Run again = Ops.ctl(stack, "reshard", "--to", "8", "--new-map-file", mapFile.toString());
        assertThat(again.exitCode()).as(again.toString()).isZero();
        assertThat(again.out()).contains("RESHARDED already: map v2");
    }

    /** Reads of the edge read API (they go to the shard of the team), counted; any failure is kept. */
    private static final class Reads {
        final java.util.concurrent.atomic.AtomicInteger ok = new java.util.concurrent.atomic.AtomicInteger();
        final java.util.concurrent.atomic.AtomicInteger afterSwitch = new java.util.concurrent.atomic.AtomicInteger();
        final List<String> failures = java.util.Collections.synchronizedList(new ArrayList<>());

        void read(final String team, final String path, final boolean switched) {
            try {
                final java.net.http.HttpResponse<String> r = get(team, path);
                if (r.statusCode() == 200) {
                    ok.incrementAndGet();
                    if (switched) {
                        afterSwitch.incrementAndGet();
                    }
                } else if (failures.size() < 20) {
                    failures.add(r.statusCode() + " " + path + " " + r.body());
                }
            } catch (Exception e) {
                if (failures.size() < 20) {
                    failures.add(path + " " + e);
                }
            }
        }

        String body(final String team, final String path) throws Exception {
            return get(team, path).body();
        }

        private static java.net.http.HttpResponse<String> get(final String team, final String path) throws Exception {
            final java.net.http.HttpRequest request = java.net.http.HttpRequest.newBuilder(
                            java.net.URI.create(stack.httpUrl() + "/api/v1/teams/" + team + path))
                    .timeout(Duration.ofSeconds(10)).header("Authorization", chat.dev.it.Tokens.bearer(stack, Ops.USER)).GET().build();
            return Ops.HTTP.send(request, java.net.http.HttpResponse.BodyHandlers.ofString());
        }
    }

    /**
     * What must hold whenever chatctl dies: a switch is published only in fenced old shards (never a
     * live old shard next to a published map), and the services run map v1, or v2 only once it is published.
     */
    private static void assertCrashInvariants(final List<String> oldUrls, final ShardDataSources services, final Ops.Kill kill) {
        try {
            boolean anyPublished = false;
            boolean allFenced = true;
            for (String url : oldUrls) {
                try (Connection c = Ops.open(stack, url)) {
                    anyPublished |= ShardMapSwitch.read(c).isPresent();
                    allFenced &= ShardRedirects.isFenced(c);
                }
            }
            if (anyPublished) {
                assertThat(allFenced).as("switch published while an old shard is unfenced, after " + kill).isTrue();
            }
            if (services.map().version() == 2) {
                assertThat(anyPublished).as("services on map v2 without a published switch, after " + kill).isTrue();
            }
        } catch (java.sql.SQLException e) {
            throw new IllegalStateException(e);
        }
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

    private static void awaitProjected(final List<String> urls) throws Exception {
        final Map<Integer, Long> end = Ops.logEnd(stack);
        await().dontCatchUncaughtExceptions().atMost(Duration.ofSeconds(120)).pollInterval(Duration.ofMillis(250))
                .until(() -> Ops.checkpoints(stack, urls).entrySet().containsAll(end.entrySet()));
    }
}
