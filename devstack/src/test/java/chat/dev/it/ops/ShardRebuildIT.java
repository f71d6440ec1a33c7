package chat.dev.it.ops;

import chat.common.shard.ShardDataSources;
import chat.dev.DevStack;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import javax.sql.DataSource;
import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * {@code chatctl shard rebuild}: blue/green rebuild of one shard under live traffic on every
 * shard, with the rebuild SIGKILLed mid-way and rerun. Runs on its OWN embedded stack: the
 * switch moves a shard to another database, which the shared test stack's other tests must not see.
 */
class ShardRebuildIT {
    private static final int SHARD = 1;
    private static DevStack stack;

    @BeforeAll
    static void start() {
        stack = DevStack.start(DevStack.Options.defaults()
                .withDataDir(Path.of("target", "ops-rebuild-stack"))
                .withFresh(true)
                .withPorts(0, 0, 0, 0)
                .withProperties(Map.of("chat.projector.commit-interval-ms", 100, "chat.shards.redirect-poll-ms", 200)));
    }

    @AfterAll
    static void stop() {
        if (stack != null) {
            stack.close();
        }
    }

    @Test
    void givenLiveTraffic_whenRebuildKilledMidWayAndRerun_thenSwitchedWithReadsThroughout_verifyEqual_noMessageLostOrDuplicated()
            throws Exception {
        // Given: a seeded log, projected, and live traffic on every shard.
        final int seeded = 40_000;
        Ops.seed(stack, "rb-seed-", 48, seeded);
        awaitProjected(stack.shardJdbcUrls());
        final String blueUrl = stack.shardJdbcUrls().get(SHARD);
        final String g2Url = stack.postgres().jdbcUrl("chat_shard_" + SHARD + "_g2");
        String greenUrl = g2Url;
        final String readTeam = readTeamOfShard(blueUrl);

        final Set<String> accepted = ConcurrentHashMap.newKeySet();
        final AtomicBoolean running = new AtomicBoolean(true);
        for (int t = 0; t < 12; t++) {
            Ops.provision(stack, "rb-live-" + t, "general");
        }
        // Own threads: the common pool may have a single thread on a 2-core machine.
        final java.util.concurrent.ExecutorService threads = java.util.concurrent.Executors.newFixedThreadPool(2);
        final CompletableFuture<Void> traffic = CompletableFuture.runAsync(() -> {
            int i = 0;
            while (running.get()) {
                final List<CompletableFuture<String>> batch = new ArrayList<>();
                for (int t = 0; t < 12; t++) {
                    batch.add(Ops.post(stack, "rb-live-" + t, "general", "live " + i));
                }
                batch.forEach(f -> {
                    final String id = f.join();
                    if (id != null) {
                        accepted.add(id);
                    }
                });
                i++;
                pace(50);
            }
        }, threads);
        // Reads of the rebuilt shard through the service's own pool, all the time.
        final DataSource servicePool = stack.context().getBean(ShardDataSources.class).shard(SHARD);
        final List<String> readErrors = new ArrayList<>();
        final AtomicInteger reads = new AtomicInteger();
        final AtomicLong lastCount = new AtomicLong(-1);
        final CompletableFuture<Void> reader = CompletableFuture.runAsync(() -> {
            while (running.get()) {
                try (Connection c = servicePool.getConnection();
                     PreparedStatement ps = c.prepareStatement("SELECT count(*) FROM messages WHERE team_id = ?")) {
                    ps.setString(1, readTeam);
                    try (ResultSet rs = ps.executeQuery()) {
                        rs.next();
                        final long n = rs.getLong(1);
                        if (n < lastCount.get()) {
                            readErrors.add("count of " + readTeam + " went back from " + lastCount.get() + " to " + n);
                        }
                        lastCount.set(n);
                        reads.incrementAndGet();
                    }
                } catch (Exception e) {
                    readErrors.add(e.toString());
                }
                pace(20);
            }
        }, threads);

        final File log = Path.of("target", "ops-rebuild-chatctl.log").toFile();
        Files.deleteIfExists(log.toPath());
        try {
            // When: a rate-limited rebuild is SIGKILLed mid-way ...
            final Process first = Ops.ctlProcess(stack, log, "shard", "rebuild", "--shard", Integer.toString(SHARD),
                    "--max-rate", "2000", "--batch-size", "500", "--progress-ms", "500");
            await().atMost(Duration.ofSeconds(120)).pollInterval(Duration.ofMillis(100))
                    .until(() -> greenEvents(g2Url) >= 2_000);
            first.destroyForcibly();
            assertThat(first.waitFor(10, TimeUnit.SECONDS)).isTrue();
            assertThat(first.exitValue()).isNotZero();
            final long atKill = greenEvents(g2Url);
            assertThat(atKill).as("killed mid-way").isLessThan(shardLogEnd());
            assertThat(Files.readString(log.toPath())).doesNotContain("SWITCHED");
            assertThat(stack.context().getBean(ShardDataSources.class).url(SHARD)).isEqualTo(blueUrl);

            // ... then SIGKILLed again at random moments of unthrottled reruns (any phase), checking after each kill
            // what must hold at any crash point ...
            final java.util.Random random = new java.util.Random(Ops.seed("ShardRebuildIT"));
            final List<Ops.Kill> kills = Ops.killAtRandomMoments(stack, log, random, 3, 0, 8_000, "rebuild shard " + SHARD + ":",
                    k -> assertCrashInvariants(blueUrl, k), "shard", "rebuild", "--shard", Integer.toString(SHARD), "--progress-ms", "500");
            System.out.println("random kills: " + kills);

            // ... and rerun to completion (unless a random run completed by itself).
            final long t0 = System.nanoTime();
            if (kills.get(kills.size() - 1).killed()) {
                final Process second = Ops.ctlProcess(stack, log, "shard", "rebuild", "--shard", Integer.toString(SHARD),
                        "--progress-ms", "500");
                assertThat(second.waitFor(180, TimeUnit.SECONDS)).as(Files.readString(log.toPath())).isTrue();
                assertThat(second.exitValue()).as(Files.readString(log.toPath())).isZero();
            }
            final String output = Files.readString(log.toPath());
            assertThat(output).contains("resuming chat_shard_" + SHARD + "_g2").contains("SWITCHED")
                    .containsPattern("events/s, lag [\\d,]+ events, ETA");
            System.out.printf("rebuild rerun finished in %.1f s (killed at %d events)%n", (System.nanoTime() - t0) / 1e9, atKill);

            // Then: the services follow the redirect (chain: a run killed after its switch makes the next one build
            // a newer copy); traffic goes on into the newest copy.
            greenUrl = newest(blueUrl);
            assertThat(greenUrl).isNotEqualTo(blueUrl).contains("chat_shard_" + SHARD + "_g");
            final String target = greenUrl;
            await().atMost(Duration.ofSeconds(10))
                    .until(() -> stack.context().getBean(ShardDataSources.class).url(SHARD).equals(target));
            final int acceptedAtSwitch = accepted.size();
            await().atMost(Duration.ofSeconds(30)).failFast(() -> !traffic.isDone() ? false : true)
                    .until(() -> accepted.size() > acceptedAtSwitch + 100);
        } finally {
            System.out.println("accepted posts: " + accepted.size() + "; rejected: " + Ops.FAILURES);
            running.set(false);
            traffic.join();
            reader.join();
            threads.shutdown();
        }
        final List<String> current = new ArrayList<>(stack.shardJdbcUrls());
        current.set(SHARD, greenUrl);
        awaitProjected(current);

        assertThat(readErrors).as("reads of shard " + SHARD + " during the rebuild").isEmpty();
        assertThat(Ops.hasFullSchema(stack, greenUrl, "messages_by_channel")).as("index deferred during the replay is built").isTrue();
        assertThat(reads.get()).isGreaterThan(50);
        final Ops.Run verify = Ops.ctl(stack, "verify", "--against-replay");
        assertThat(verify.exitCode()).as(verify.toString()).isZero();
        assertThat(verify.out()).containsPattern("(?m)^" + SHARD + "\\s+messages\\s.*EQUAL$");

        final Map<String, Integer> live = Ops.messageIds(stack, current, "rb-live-");
        assertThat(live.keySet()).as("every acknowledged message is in the read model").containsAll(accepted);
        assertThat(live.values()).as("none twice").allMatch(n -> n == 1);
        final Map<String, Integer> seed = Ops.messageIds(stack, current, "rb-seed-");
        assertThat(seed).hasSize(seeded);
        assertThat(seed.values()).allMatch(n -> n == 1);
    }

    /**
     * What must hold whenever the rebuild dies: a redirect is published only from a fenced database, and the
     * services read either blue or a copy blue's redirect chain reaches.
     */
    private static void assertCrashInvariants(final String blueUrl, final Ops.Kill kill) {
        try {
            final List<String> chain = new ArrayList<>(List.of(blueUrl));
            for (String url = blueUrl; ; ) {
                try (Connection c = Ops.open(stack, url)) {
                    final java.util.Optional<chat.common.shard.ShardRedirects.Redirect> r = chat.common.shard.ShardRedirects.read(c);
                    if (r.isEmpty()) {
                        break;
                    }
                    assertThat(chat.common.shard.ShardRedirects.isFenced(c)).as(url + " redirects but is not fenced, after " + kill).isTrue();
                    url = r.get().targetUrl();
                    chain.add(url);
                }
            }
            assertThat(chain).as("the service reads a copy of the chain, after " + kill)
                    .contains(stack.context().getBean(ShardDataSources.class).url(SHARD));
        } catch (java.sql.SQLException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The end of the redirect chain starting at {@code url}. */
    private static String newest(final String url) throws Exception {
        String current = url;
        for (int hop = 0; hop < 16; hop++) {
            try (Connection c = Ops.open(stack, current)) {
                final java.util.Optional<chat.common.shard.ShardRedirects.Redirect> r = chat.common.shard.ShardRedirects.read(c);
                if (r.isEmpty()) {
                    return current;
                }
                current = r.get().targetUrl();
            }
        }
        throw new IllegalStateException("redirect chain too long from " + url);
    }

    private long shardLogEnd() throws Exception {
        final Map<Integer, Long> end = Ops.logEnd(stack);
        return stack.shardMap().partitionsOf(SHARD).stream().mapToLong(p -> end.getOrDefault(p, 0L)).sum();
    }

    private static long greenEvents(final String greenUrl) {
        try {
            return Ops.checkpoints(stack, List.of(greenUrl)).values().stream().mapToLong(Long::longValue).sum();
        } catch (Exception e) {
            return 0; // not created or migrated yet
        }
    }

    private static void awaitProjected(final List<String> urls) throws Exception {
        final Map<Integer, Long> end = Ops.logEnd(stack);
        await().atMost(Duration.ofSeconds(120)).pollInterval(Duration.ofMillis(250))
                .until(() -> Ops.checkpoints(stack, urls).entrySet().containsAll(end.entrySet()));
    }

    private static String readTeamOfShard(final String url) throws Exception {
        try (Connection c = Ops.open(stack, url);
             ResultSet rs = c.createStatement().executeQuery("SELECT team_id FROM messages GROUP BY team_id LIMIT 1")) {
            assertThat(rs.next()).isTrue();
            return rs.getString(1);
        }
    }

    private static void pace(final long ms) {
        try {
            Thread.sleep(ms); // pacing of the load, not a wait for a condition
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
