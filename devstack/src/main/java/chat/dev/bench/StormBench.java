package chat.dev.bench;

import java.lang.management.ManagementFactory;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * {@code ./chat bench storm}: a reconnect storm. N clients (distinct users, members of T teams)
 * subscribe and remember their positions; every TCP connection is then dropped at once (RST, no
 * close frame), M messages per team are posted while they are away, and all N reconnect at once,
 * each resuming every team with {@code since}. Reports the time until every client is subscribed
 * again (live) and until every client has received exactly its M missed events (caught up), how
 * they were recovered (buffer/log/none), and clients with a wrong count (gap or duplicate).
 */
final class StormBench {
    static final String USAGE = """
            usage: chat bench storm [options]   N clients drop their connections at once, miss M messages per team,
                                                and resume all at once; time until all are live and caught up
              --url URL           the stack's HTTP base (default http://127.0.0.1:8080)
              --edges WS[,WS...]  edge WebSocket bases, client i to edge i %% n (default: --url as ws://)
              --clients N         1..19000 (default 10000)
              --teams T           client i follows team i %% T (default 10)
              --missed M          messages posted to each team while the clients are away (default 20)
              --handshakes K      upgrades in flight at once when reconnecting, 1..10000 (default 1000)
              --timeout S         longest wait for the resume (default 300)
              --out FILE          also write the JSON result to FILE
            exit code: 0 every client resumed with exactly M events, 1 otherwise, 2 bad usage
            """;

    private StormBench() {
    }

    static int run(final String[] args) throws Exception {
        String url = "http://127.0.0.1:8080";
        String edges = null;
        int n = 10_000;
        int teams = 10;
        int missed = 20;
        int handshakes = 1000;
        double timeout = 300;
        String out = null;
        try {
            for (int i = 0; i < args.length; i++) {
                final String a = args[i];
                switch (a) {
                    case "-h", "--help" -> {
                        System.out.print(USAGE.replace("%%", "%"));
                        return 0;
                    }
                    case "--url" -> url = BenchOptions.value(args, ++i, a);
                    case "--edges" -> edges = BenchOptions.value(args, ++i, a);
                    case "--clients" -> n = BenchOptions.intValue(args, ++i, a, 1, 19_000);
                    case "--teams" -> teams = BenchOptions.intValue(args, ++i, a, 1, 10_000);
                    case "--missed" -> missed = BenchOptions.intValue(args, ++i, a, 0, 10_000);
                    case "--handshakes" -> handshakes = BenchOptions.intValue(args, ++i, a, 1, 10_000);
                    case "--timeout" -> timeout = BenchOptions.doubleValue(args, ++i, a, 1, 3_600);
                    case "--out" -> out = BenchOptions.value(args, ++i, a);
                    default -> throw new BenchOptions.UsageException("unknown option '" + a + "'");
                }
            }
            if (teams > n) {
                throw new BenchOptions.UsageException("--teams must not exceed --clients");
            }
        } catch (BenchOptions.UsageException e) {
            System.err.println("bench storm: " + e.getMessage());
            System.err.print(USAGE.replace("%%", "%"));
            return 2;
        }
        if (url.endsWith("/")) {
            url = url.substring(0, url.length() - 1);
        }
        if (edges == null) {
            edges = url.replaceFirst("^http", "ws");
        }
        GcWatch.install();
        final String tag = "s" + Long.toString(System.currentTimeMillis() % 46_656_000L, 36);
        final String[] teamIds = new String[teams];
        for (int t = 0; t < teams; t++) {
            teamIds[t] = tag + "-t" + t;
        }
        final String[] users = new String[n];
        final int[] teamOf = new int[n];
        for (int i = 0; i < n; i++) {
            users[i] = tag + "-u" + i;
            teamOf[i] = i % teams;
        }
        final long p0 = System.nanoTime();
        BenchTokens.prefetch(url, List.of(users));
        final java.util.concurrent.ExecutorService executor = java.util.concurrent.Executors.newFixedThreadPool(4, r -> {
            final Thread th = new Thread(r, "storm-http");
            th.setDaemon(true);
            return th;
        });
        final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).executor(executor)
                .connectTimeout(Duration.ofSeconds(5)).build();
        try (WsFleet none = new WsFleet(edges, url, new String[] {"bench"}, teamIds, new Tracker());
             Poster setup = new Poster(url, teamIds, "general", 50, new Tracker(), none, 64, Duration.ofSeconds(30), executor)) {
            setup.provision();
            setup.addMembers(users, teamOf, Duration.ofSeconds(Math.max(120, n / 20)));
        }
        System.out.printf(Locale.ROOT, "bench storm: %d users in %d teams set up in %.1f s%n", n, teams, (System.nanoTime() - p0) / 1e9);

        final String[] edgeList = edges.split(",");
        final List<IdleFleet.Target> targets = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            final java.net.InetSocketAddress addr = IdleFleet.address(edgeList[i % edgeList.length]);
            targets.add(new IdleFleet.Target(addr, addr.getHostString() + ":" + addr.getPort(), null,
                    BenchTokens.token(url, users[i]), teamIds[teamOf[i]]));
        }
        final Map<String, Object> result = new LinkedHashMap<>();
        result.put("tool", "chat-bench storm");
        result.put("date", java.time.OffsetDateTime.now(java.time.ZoneOffset.UTC).withNano(0).toString());
        result.put("options", Map.of("clients", n, "teams", teams, "missed", missed, "handshakes", handshakes, "edges", edges));
        int exit = 0;
        try (IdleFleet fleet = new IdleFleet(targets)) {
            fleet.tracking = true;
            // 1) everyone subscribed (membership written in setup may still be projecting: retry once)
            long o0 = System.nanoTime();
            fleet.run(o0 + (long) (timeout * 1e9), true);
            if (fleet.subscribed < n) {
                throw new IllegalStateException("only " + fleet.subscribed + "/" + n + " clients subscribed before the storm: "
                        + fleet.failures);
            }
            System.out.printf(Locale.ROOT, "bench storm: %d clients subscribed in %.1f s%n", n, (System.nanoTime() - o0) / 1e9);
            fleet.run(System.nanoTime() + 2_000_000_000L, false); // quiet: let stray frames arrive
            // 2) every connection lost at once; 3) M messages per team while away
            fleet.dropAll();
            final long posted = post(http, url, teamIds, missed, Duration.ofSeconds((long) timeout));
            if (posted != (long) missed * teams) {
                throw new IllegalStateException("posted only " + posted + "/" + (missed * teams) + " messages");
            }
            System.out.printf(Locale.ROOT, "bench storm: all %d dropped; %d messages posted (%d per team); reconnecting all%n",
                    n, posted, missed);
            // 4) all reconnect at once, each resuming with its last position
            fleet.expectedEvents = missed;
            fleet.maxHandshakes = handshakes;
            final long s0 = System.nanoTime();
            fleet.run(s0 + (long) (timeout * 1e9), true);
            final long[] last = fleet.lastInstants();
            final double liveSeconds = last[0] == 0 ? -1 : (last[0] - s0) / 1e9;
            final double caughtUpSeconds = last[1] == 0 ? -1 : (last[1] - s0) / 1e9;
            fleet.run(System.nanoTime() + 2_000_000_000L, false); // a duplicate would arrive now
            final long wrong = fleet.wrongCounts();
            System.out.printf(Locale.ROOT, "bench storm: %d/%d live after %.2f s, %d/%d caught up after %.2f s; recovered %s;"
                            + " clients with a wrong event count %d; failures %s; closes %s%n",
                    fleet.subscribed, n, liveSeconds, fleet.caughtUp, n, caughtUpSeconds, fleet.recovered, wrong,
                    fleet.failures, fleet.closeCodes);
            final Map<String, Object> storm = new LinkedHashMap<>();
            storm.put("resubscribed", fleet.subscribed);
            storm.put("caughtUp", fleet.caughtUp);
            storm.put("allLiveSeconds", liveSeconds);
            storm.put("allCaughtUpSeconds", caughtUpSeconds);
            storm.put("recovered", String.valueOf(fleet.recovered));
            storm.put("wrongEventCounts", wrong);
            storm.put("failures", String.valueOf(fleet.failures));
            storm.put("closeCodes", String.valueOf(fleet.closeCodes));
            result.put("storm", storm);
            if (fleet.caughtUp < n || wrong > 0 || liveSeconds < 0) {
                exit = 1;
            }
        } finally {
            http.shutdownNow();
            executor.shutdownNow();
        }
        final Map<String, Object> loadgen = new LinkedHashMap<>();
        loadgen.put("heapUsedMiB", ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed() / 1048576.0);
        loadgen.put("gcPauses", GcWatch.count());
        loadgen.put("gcPauseMaxMs", GcWatch.maxPauseMs());
        loadgen.put("gcPauseTotalMs", GcWatch.totalPauseMs());
        result.put("loadgen", loadgen);
        result.put("exitCode", exit);
        System.out.printf(Locale.ROOT, "bench storm: load generator GC pauses %d, max %.1f ms, total %.0f ms%n",
                GcWatch.count(), GcWatch.maxPauseMs(), GcWatch.totalPauseMs());
        final String json = Json.write(result);
        System.out.println(json);
        if (out != null) {
            Files.writeString(Path.of(out), json + "\n", StandardCharsets.UTF_8);
        }
        return exit;
    }

    /** Posts {@code perTeam} messages to each team as the bench user (64 at once); returns how many got 201. */
    private static long post(final HttpClient http, final String url, final String[] teams, final int perTeam,
                             final Duration timeout) throws InterruptedException {
        final Semaphore slots = new Semaphore(64);
        final AtomicLong ok = new AtomicLong();
        final String bearer = BenchTokens.bearer(url, "bench");
        final long deadline = System.nanoTime() + timeout.toNanos();
        for (int m = 0; m < perTeam; m++) {
            for (String team : teams) {
                if (!slots.tryAcquire(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS)) {
                    return ok.get();
                }
                final HttpRequest r = HttpRequest.newBuilder(URI.create(url + "/api/v1/teams/" + team + "/channels/general/messages"))
                        .timeout(Duration.ofSeconds(30)).header("Content-Type", "application/json")
                        .header("Authorization", bearer)
                        .POST(HttpRequest.BodyPublishers.ofString("{\"text\":\"storm " + m + "\"}")).build();
                http.sendAsync(r, HttpResponse.BodyHandlers.discarding()).whenComplete((resp, e) -> {
                    if (e == null && resp.statusCode() == 201) {
                        ok.incrementAndGet();
                    }
                    slots.release();
                });
            }
        }
        slots.tryAcquire(64, Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
        return ok.get();
    }
}
