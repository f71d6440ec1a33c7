package chat.dev.bench;

import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * {@code ./chat bench idle}: holds many idle WebSocket connections ({@link IdleFleet}) against one
 * or more edges and reports how many stayed open, and, with {@code --server-pid}, each edge JVM's
 * heap after full GC before the connections and while they are held (the heap per connection).
 * One process holds at most 19,000 (this machine allows 20,000 open files per process); run
 * several, each with its own {@code --sources} and {@code --user-prefix}, for more.
 */
final class IdleBench {
    static final String USAGE = """
            usage: chat bench idle [options]   holds idle WebSocket connections; heap per connection of the edges
              --url URL             the stack (tokens from its dev route; default http://127.0.0.1:8080)
              --edges WS[,WS...]    edge WebSocket bases, client i to edge i %% n (default ws://127.0.0.1:8080)
              --connections N       clients in this process, 1..19000 (default 1000)
              --sources IP[,IP...]  loopback source addresses, client i from source i %% n (default: the OS picks)
              --teams T             client i subscribes to team <team-prefix>(i %% T); 0: no subscription (default 100)
              --team-prefix P       (default idle-t)
              --user-prefix P       client i connects as user P<i> (default idle-u)
              --hold S              seconds to hold every connection once all are open (default 60)
              --release-file F      stop holding early once file F exists (several processes released together)
              --post-rate R         while holding, post R messages/s as user "bench" to team <team-prefix>0 (created
                                    with channel "general" first) and report each event frame's Kafka-append ->
                                    arrival latency (the fan-out of one team; needs an edge without membership
                                    checks, or --members; 0: no posts, default)
              --members             make every client's user a member of its team first (teams created with
                                    channel "general" by user "bench"), so the stack's own edge with its
                                    membership checks serves them
              --post-seconds S      how long to post (default 30; the hold must be longer)
              --post-delay S        wait S seconds after all are open before posting (default 10: the
                                    connection churn's presence frames drain first)
              --open-timeout S      longest wait for all to open (default 300)
              --server-pid PID[,..] edge JVMs: heap after full GC (jcmd GC.run) before and while held
              --out FILE            also write the JSON result to FILE
            exit code: 0 all opened and held, 1 otherwise, 2 bad usage
            """;

    private IdleBench() {
    }

    /** Two daemon threads for the set-up's HTTP client. */
    private static java.util.concurrent.ExecutorService daemonPool(final String name) {
        return java.util.concurrent.Executors.newFixedThreadPool(2, r -> {
            final Thread t = new Thread(r, name);
            t.setDaemon(true);
            return t;
        });
    }

    /** A poster used only for set-up as user "bench": creating {@code teams} with channel "general", adding members. */
    private static Poster setupPoster(final String url, final String[] teams, final java.util.concurrent.ExecutorService ex) {
        return new Poster(url, teams, "general", 50, new Tracker(),
                new WsFleet(url.replaceFirst("^http", "ws"), url, new String[] {"bench"}, teams, new Tracker()),
                64, java.time.Duration.ofSeconds(30), ex);
    }

    /** Creates {@code team} (channel "general") as user "bench", then posts at {@code rate}/s for {@code seconds} (open loop, bounded). */
    private static Thread postThread(final String url, final String team, final double rate, final double seconds,
                                     final double delaySeconds, final java.util.concurrent.atomic.AtomicLong posted)
            throws Exception {
        final java.util.concurrent.ExecutorService ex = daemonPool("idle-post");
        final Poster setup = setupPoster(url, new String[] {team}, ex);
        setup.provision();
        final java.net.http.HttpClient http = java.net.http.HttpClient.newBuilder().executor(ex)
                .version(java.net.http.HttpClient.Version.HTTP_1_1).build();
        final String bearer = BenchTokens.bearer(url, "bench");
        final Thread t = new Thread(() -> {
            java.util.concurrent.locks.LockSupport.parkNanos((long) (delaySeconds * 1e9));
            final long start = System.nanoTime();
            final long n = (long) (rate * seconds);
            for (long i = 0; i < n; i++) {
                final long due = start + (long) (i * 1e9 / rate);
                final long wait = due - System.nanoTime();
                if (wait > 0) {
                    java.util.concurrent.locks.LockSupport.parkNanos(wait);
                }
                final java.net.http.HttpRequest r = java.net.http.HttpRequest.newBuilder(
                                java.net.URI.create(url + "/api/v1/teams/" + team + "/channels/general/messages"))
                        .timeout(java.time.Duration.ofSeconds(30)).header("Content-Type", "application/json")
                        .header("Authorization", bearer)
                        .POST(java.net.http.HttpRequest.BodyPublishers.ofString("{\"text\":\"fan-out " + i + "\"}")).build();
                http.sendAsync(r, java.net.http.HttpResponse.BodyHandlers.discarding()).thenAccept(resp -> {
                    if (resp.statusCode() == 201) {
                        posted.incrementAndGet();
                    }
                });
            }
            try {
                Thread.sleep(5_000); // answers of the last posts
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            setup.close();
            http.shutdownNow();
            ex.shutdownNow();
        }, "idle-poster");
        t.setDaemon(true);
        return t;
    }

    /** Creates the teams (channel "general", user "bench" their admin) and adds user i to team i % teams. */
    private static void addMembers(final String url, final List<String> users, final String teamPrefix, final int teams)
            throws Exception {
        final long t0 = System.nanoTime();
        final String[] teamIds = new String[teams];
        for (int j = 0; j < teams; j++) {
            teamIds[j] = teamPrefix + j;
        }
        final int[] teamOf = new int[users.size()];
        for (int i = 0; i < teamOf.length; i++) {
            teamOf[i] = i % teams;
        }
        final java.util.concurrent.ExecutorService ex = daemonPool("idle-members");
        try {
            final Poster setup = setupPoster(url, teamIds, ex);
            setup.provision();
            setup.addMembers(users.toArray(String[]::new), teamOf, java.time.Duration.ofMinutes(10));
            setup.close();
        } finally {
            ex.shutdownNow();
        }
        System.out.printf(Locale.ROOT, "bench idle: %d members added to %d teams in %.1f s%n", users.size(), teams,
                (System.nanoTime() - t0) / 1e9);
    }

    static int run(final String[] args) throws Exception {
        String url = "http://127.0.0.1:8080";
        String edges = "ws://127.0.0.1:8080";
        int n = 1000;
        String sources = null;
        int teams = 100;
        String teamPrefix = "idle-t";
        String userPrefix = "idle-u";
        double hold = 60;
        double openTimeout = 300;
        String pids = null;
        String out = null;
        String releaseFile = null;
        double postRate = 0;
        double postSeconds = 30;
        double postDelay = 10;
        boolean members = false;
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
                    case "--connections" -> n = BenchOptions.intValue(args, ++i, a, 1, 19_000);
                    case "--sources" -> sources = BenchOptions.value(args, ++i, a);
                    case "--teams" -> teams = BenchOptions.intValue(args, ++i, a, 0, 1_000_000);
                    case "--team-prefix" -> teamPrefix = BenchOptions.value(args, ++i, a);
                    case "--user-prefix" -> userPrefix = BenchOptions.value(args, ++i, a);
                    case "--hold" -> hold = BenchOptions.doubleValue(args, ++i, a, 0, 3_600);
                    case "--open-timeout" -> openTimeout = BenchOptions.doubleValue(args, ++i, a, 1, 3_600);
                    case "--server-pid" -> pids = BenchOptions.value(args, ++i, a);
                    case "--out" -> out = BenchOptions.value(args, ++i, a);
                    case "--release-file" -> releaseFile = BenchOptions.value(args, ++i, a);
                    case "--post-rate" -> postRate = BenchOptions.doubleValue(args, ++i, a, 0, 1000);
                    case "--post-seconds" -> postSeconds = BenchOptions.doubleValue(args, ++i, a, 1, 3600);
                    case "--post-delay" -> postDelay = BenchOptions.doubleValue(args, ++i, a, 0, 600);
                    case "--members" -> members = true;
                    default -> throw new BenchOptions.UsageException("unknown option '" + a + "'");
                }
            }
            if (!userPrefix.matches("[A-Za-z0-9_-]{1,40}") || !teamPrefix.matches("[A-Za-z0-9_-]{1,40}")) {
                throw new BenchOptions.UsageException("--user-prefix and --team-prefix must match [A-Za-z0-9_-]{1,40}");
            }
        } catch (BenchOptions.UsageException e) {
            System.err.println("bench idle: " + e.getMessage());
            System.err.print(USAGE.replace("%%", "%"));
            return 2;
        }
        GcWatch.install();
        final String[] edgeList = edges.split(",");
        final String[] sourceList = sources == null ? new String[] {null} : sources.split(",");
        final List<Long> serverPids = new ArrayList<>();
        if (pids != null) {
            for (String p : pids.split(",")) {
                serverPids.add(Long.parseLong(p.trim()));
            }
        }
        final List<String> users = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            users.add(userPrefix + i);
        }
        final long t0 = System.nanoTime();
        BenchTokens.prefetch(url, users);
        System.out.printf(Locale.ROOT, "bench idle: %d tokens in %.1f s%n", n, (System.nanoTime() - t0) / 1e9);
        if (members && teams > 0) {
            addMembers(url, users, teamPrefix, teams);
        }
        final List<IdleFleet.Target> targets = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            final String edge = edgeList[i % edgeList.length];
            final java.net.InetSocketAddress addr = IdleFleet.address(edge);
            targets.add(new IdleFleet.Target(addr, addr.getHostString() + ":" + addr.getPort(),
                    sourceList[i % sourceList.length], BenchTokens.token(url, users.get(i)),
                    teams == 0 ? null : teamPrefix + (i % teams)));
        }
        users.clear();

        final Map<String, Object> result = new LinkedHashMap<>();
        result.put("tool", "chat-bench idle");
        result.put("date", java.time.OffsetDateTime.now(java.time.ZoneOffset.UTC).withNano(0).toString());
        result.put("options", Map.of("connections", n, "edges", edges, "sources", String.valueOf(sources),
                "teams", teams, "hold", hold));
        final Map<Long, long[]> heapBefore = new LinkedHashMap<>();
        for (long pid : serverPids) {
            heapBefore.put(pid, ProcessProbe.heapAfterGcKiB(pid));
        }
        int exit = 0;
        try (IdleFleet fleet = new IdleFleet(targets)) {
            final long o0 = System.nanoTime();
            fleet.run(o0 + (long) (openTimeout * 1e9), true);
            final double openSeconds = (System.nanoTime() - o0) / 1e9;
            System.out.printf(Locale.ROOT, "bench idle: %d/%d open, %d subscribed, %d failed in %.1f s %s%n",
                    fleet.opened, n, fleet.subscribed, fleet.failed, openSeconds, fleet.failures);
            result.put("open", Map.of("opened", fleet.opened, "subscribed", fleet.subscribed, "failed", fleet.failed,
                    "seconds", openSeconds, "failures", String.valueOf(fleet.failures)));
            // hold: the selector keeps answering pings while the edges' heaps are measured on another thread
            final Map<Long, long[]> heapHeld = new java.util.concurrent.ConcurrentHashMap<>();
            final Thread probe = new Thread(() -> {
                for (long pid : serverPids) {
                    final long[] h = ProcessProbe.heapAfterGcKiB(pid);
                    if (h != null) {
                        heapHeld.put(pid, h);
                    }
                }
            }, "heap-probe");
            probe.setDaemon(true);
            final long closed0 = fleet.closedByServer;
            final long events0 = fleet.eventFrames;
            final LatencyHistogram latency = new LatencyHistogram();
            final java.util.concurrent.atomic.AtomicLong posted = new java.util.concurrent.atomic.AtomicLong();
            Thread poster = null;
            if (postRate > 0) {
                fleet.appendToFrame = latency;
                poster = postThread(url, teamPrefix + "0", postRate, postSeconds, postDelay, posted);
            }
            final long h0 = System.nanoTime();
            probe.start();
            if (poster != null) {
                poster.start();
            }
            final long holdEnd = h0 + (long) (hold * 1e9);
            while (System.nanoTime() < holdEnd) {
                fleet.run(Math.min(holdEnd, System.nanoTime() + 1_000_000_000L), false);
                if (releaseFile != null && Files.exists(Path.of(releaseFile)) && !probe.isAlive()) {
                    break;
                }
            }
            hold = (System.nanoTime() - h0) / 1e9;
            probe.join(120_000);
            if (poster != null) {
                poster.join(60_000);
                final long subscribers = teams == 0 ? 0 : (n + teams - 1) / teams;
                final Map<String, Object> fan = new LinkedHashMap<>();
                fan.put("posted", posted.get());
                fan.put("subscribersOfTeam0", subscribers);
                fan.put("framesExpected", posted.get() * subscribers);
                fan.put("eventFramesReceived", fleet.eventFrames - events0);
                fan.put("appendToFrameP50Ms", latency.percentile(50) / 1000.0);
                fan.put("appendToFrameP99Ms", latency.percentile(99) / 1000.0);
                fan.put("appendToFrameP999Ms", latency.percentile(99.9) / 1000.0);
                fan.put("appendToFrameMaxMs", latency.maxMicros() / 1000.0);
                result.put("fanout", fan);
                System.out.printf(Locale.ROOT, "bench idle: fan-out: %d posts x %d subscribers: %d/%d frames; Kafka append -> frame"
                                + " p50 %.1f ms, p99 %.1f ms, p99.9 %.1f ms, max %.1f ms%n", posted.get(), subscribers,
                        fleet.eventFrames - events0, posted.get() * subscribers, latency.percentile(50) / 1000.0,
                        latency.percentile(99) / 1000.0, latency.percentile(99.9) / 1000.0, latency.maxMicros() / 1000.0);
            }
            final long liveAtEnd = fleet.live();
            System.out.printf(Locale.ROOT, "bench idle: held %.0f s: %d live at the end, %d closed by the edges %s, %d pings answered%n",
                    hold, liveAtEnd, fleet.closedByServer - closed0, fleet.closeCodes, fleet.pings);
            final Map<String, Object> held = new LinkedHashMap<>();
            held.put("seconds", hold);
            held.put("liveAtEnd", liveAtEnd);
            held.put("closedByEdges", fleet.closedByServer - closed0);
            held.put("closeCodes", String.valueOf(fleet.closeCodes));
            held.put("pingsAnswered", fleet.pings);
            held.put("eventFrames", fleet.eventFrames);
            held.put("otherFrames", fleet.otherFrames);
            result.put("hold", held);
            final List<Map<String, Object>> servers = new ArrayList<>();
            for (long pid : serverPids) {
                final long[] b = heapBefore.get(pid);
                final long[] h = heapHeld.get(pid);
                final Map<String, Object> s = new LinkedHashMap<>();
                s.put("pid", pid);
                s.put("heapAfterGcBeforeKiB", b == null ? null : b[0]);
                s.put("heapAfterGcHeldKiB", h == null ? null : h[0]);
                if (b != null && h != null && liveAtEnd > 0) {
                    // the connections of this process on that edge: client i goes to edge i % n
                    final long here = liveAtEnd / Math.max(1, serverPids.size());
                    s.put("connectionsAssumed", here);
                    s.put("heapPerConnectionBytes", (h[0] - b[0]) * 1024.0 / here);
                    System.out.printf(Locale.ROOT, "bench idle: edge pid %d heap after GC %,d KiB -> %,d KiB: %.0f bytes per connection (%d connections)%n",
                            pid, b[0], h[0], (h[0] - b[0]) * 1024.0 / here, here);
                }
                s.put("rssMiB", ProcessProbe.statusKiB(pid, "VmRSS") / 1024.0);
                servers.add(s);
            }
            result.put("servers", servers);
            if (fleet.opened < n || liveAtEnd < n || (teams > 0 && fleet.subscribed < n)) {
                exit = 1;
            }
        }
        System.gc();
        final Map<String, Object> loadgen = new LinkedHashMap<>();
        loadgen.put("heapUsedAfterGcMiB", ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed() / 1048576.0);
        loadgen.put("rssMiB", ProcessProbe.statusKiB(ProcessHandle.current().pid(), "VmRSS") / 1024.0);
        loadgen.put("gcPauses", GcWatch.count());
        loadgen.put("gcPauseMaxMs", GcWatch.maxPauseMs());
        loadgen.put("gcPauseTotalMs", GcWatch.totalPauseMs());
        result.put("loadgen", loadgen);
        result.put("exitCode", exit);
        final String json = Json.write(result);
        System.out.println(json);
        if (out != null) {
            Files.writeString(Path.of(out), json + "\n", StandardCharsets.UTF_8);
        }
        return exit;
    }
}
