package chat.dev.bench;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAccumulator;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * {@code ./chat bench [options]}: the spine benchmark (HTTP POST -> ingest -> Kafka -> edge ->
 * WebSocket) against a running stack, plus a raw KafkaProducer ceiling on the same broker, run
 * after the WebSocket phase (never concurrently). See {@link BenchOptions#USAGE} and BENCHMARKS.md.
 *
 * <p>Latencies per delivered frame: accept->frame = frame received - 201 received (negative when
 * the frame overtook the 201: recorded as 0 and counted), send->frame = frame received - POST sent;
 * post = 201 received - POST sent. Every loop is bounded by count and time.
 */
public final class BenchMain {
    private static final Pattern NUMBER_FIELD = Pattern.compile("\"(\\w+)\":(-?\\d+)");
    private static final int CORES = Runtime.getRuntime().availableProcessors();

    private final BenchOptions o;
    private final String[] teams;
    private final String runTag;
    private final List<Map<String, Object>> phaseReports = new ArrayList<>();
    private final LongAccumulator peakServerRssKiB = new LongAccumulator(Long::max, -1);
    private final LongAccumulator peakOwnHeapBytes = new LongAccumulator(Long::max, 0);
    private volatile boolean sampling = true;

    private BenchMain(final BenchOptions o) {
        this.o = o;
        final String tag = Long.toString(System.currentTimeMillis() % 46_656_000L, 36);
        this.runTag = "b" + tag;
        this.teams = new String[o.teams()];
        for (int i = 0; i < teams.length; i++) {
            teams[i] = "b" + tag + "-t" + i;
        }
    }

    public static void main(final String[] args) {
        // Two logback.xml on the classpath (devstack, websocket-edge) make logback print its status; not useful here.
        System.setProperty("logback.statusListenerClass", "ch.qos.logback.core.status.NopStatusListener");
        if (args.length > 0 && args[0].equals("search")) { // ./chat bench search ...: the search-indexer benchmark
            chat.dev.bench.search.SearchBench.cli(java.util.Arrays.copyOfRange(args, 1, args.length));
            return;
        }
        if (args.length > 0 && (args[0].equals("idle") || args[0].equals("storm") || args[0].equals("forwarder")
                || args[0].equals("capacity"))) {
            int code;
            try {
                final String[] rest = java.util.Arrays.copyOfRange(args, 1, args.length);
                code = switch (args[0]) {
                    case "idle" -> IdleBench.run(rest);
                    case "storm" -> StormBench.run(rest);
                    case "capacity" -> CapacityRound.run(rest);
                    default -> Forwarder.run(rest);
                };
            } catch (Exception e) {
                System.err.println("bench " + args[0] + ": failed: " + e);
                e.printStackTrace(System.err);
                code = 1;
            }
            System.exit(code);
            return;
        }
        for (String a : args) {
            if (a.equals("-h") || a.equals("--help")) {
                System.out.print(BenchOptions.USAGE);
                System.exit(0);
            }
        }
        final BenchOptions options;
        try {
            options = BenchOptions.parse(args);
        } catch (BenchOptions.UsageException e) {
            System.err.println("bench: " + e.getMessage());
            System.err.print(BenchOptions.USAGE);
            System.exit(2);
            return;
        }
        int code;
        try {
            code = new BenchMain(options).run();
        } catch (Exception e) {
            System.err.println("bench: failed: " + e);
            e.printStackTrace(System.err);
            code = 1;
        }
        System.exit(code);
    }

    /** CPU and wall-clock readings at one instant. */
    private record Snap(long wallNanos, long ownCpuNanos, long serverCpuNanos, long[] machine, long[] irq,
                        Map<Long, Map.Entry<String, Long>> processes) {
        static Snap take(final long serverPid) {
            return new Snap(System.nanoTime(), ProcessProbe.ownCpuNanos(),
                    serverPid > 0 ? ProcessProbe.cpuNanos(serverPid) : -1, ProcessProbe.machineJiffies(),
                    ProcessProbe.machineIrqJiffies(), ProcessProbe.allProcesses());
        }
    }

    /**
     * Where the machine's CPU went between two snapshots, in % of the machine: every process other
     * than the load generator and the server grouped by program (the stack's PostgreSQL, and e.g.
     * builds or tests of others sharing the machine), plus interrupt work (loopback networking's
     * softirq time is charged to no process).
     */
    private Map<String, Object> cpuBreakdown(final Snap a, final Snap b) {
        final double wall = (b.wallNanos() - a.wallNanos()) / 1e9;
        final Map<String, Double> byLabel = new java.util.TreeMap<>();
        final long self = ProcessHandle.current().pid();
        b.processes().forEach((pid, e) -> {
            if (pid == self || pid == o.serverPid()) {
                return;
            }
            final Map.Entry<String, Long> before = a.processes().get(pid);
            final long d = e.getValue() - (before == null ? 0 : before.getValue());
            if (d > 0) {
                byLabel.merge(e.getKey(), 100.0 * d / 1e9 / wall / CORES, Double::sum);
            }
        });
        final Map<String, Object> m = new LinkedHashMap<>();
        byLabel.entrySet().stream().filter(e -> e.getValue() >= 0.5)
                .sorted(Map.Entry.<String, Double>comparingByValue().reversed())
                .forEach(e -> m.put(e.getKey(), e.getValue()));
        if (a.irq() != null && b.irq() != null && b.irq()[1] > a.irq()[1]) {
            m.put("irq+softirq", 100.0 * (b.irq()[0] - a.irq()[0]) / (b.irq()[1] - a.irq()[1]));
        }
        return m;
    }

    private int run() throws Exception {
        final String started = OffsetDateTime.now(ZoneOffset.UTC).truncatedTo(ChronoUnit.SECONDS).toString();
        final AtomicInteger threadNo = new AtomicInteger();
        final ExecutorService executor = Executors.newFixedThreadPool(Math.max(4, CORES * 2), r -> {
            final Thread t = new Thread(r, "bench-io-" + threadNo.incrementAndGet());
            t.setDaemon(true);
            return t;
        });
        GcWatch.install();
        final Thread sampler = startSampler();
        final Map<String, Object> result = new LinkedHashMap<>();
        result.put("tool", "chat-bench");
        result.put("date", started);
        result.put("mode", o.findMax() ? "find-max" : "fixed-rate");
        result.put("options", optionsMap());
        result.put("machine", Map.of("cores", CORES, "java", System.getProperty("java.version")));

        final Map<String, Long> edgeBefore = edgeStats();
        if (edgeBefore == null) {
            System.err.println("bench: the stack does not answer at " + o.url() + "/api/v1/edge/stats; is ./chat dev running?");
            shutdown(executor, sampler);
            return 1;
        }
        final Tracker tracker = new Tracker();
        // The bench user creates every team and channel (Poster.provision) and posts; each socket is its
        // own user (added to its team in setup) unless --same-user.
        final String[] users;
        if (o.sameUser()) {
            users = new String[] {"bench"};
        } else {
            users = new String[o.clients()];
            for (int i = 0; i < users.length; i++) {
                users[i] = runTag + "-u" + i;
            }
        }
        BenchTokens.prefetch(o.url(), List.of(users));
        long errors = 0;
        long loss = 0;
        boolean findMaxPassed = false;
        final Snap total0;
        final Snap total1;
        long[] serverHeap = null;
        long serverRssEnd = -1;
        final WsFleet fleet = new WsFleet(o.url().replaceFirst("^http", "ws"), o.url(), users, teams, tracker);
        Poster poster = null;
        try {
            poster = new Poster(o.url(), teams, "general", o.textLength(), tracker, fleet, o.maxInFlight(),
                    Duration.ofSeconds(10), executor);
            poster.provision(); // teams and channels exist, with the bench user as member, before anyone subscribes
            if (!o.sameUser()) {
                final long m0 = System.nanoTime();
                final int[] teamOf = new int[users.length];
                for (int i = 0; i < users.length; i++) {
                    teamOf[i] = i % teams.length;
                }
                poster.addMembers(users, teamOf, Duration.ofSeconds(Math.max(60, users.length / 20)));
                System.out.printf(Locale.ROOT, "bench: %d users added to %d teams in %.1f s%n", users.length, teams.length,
                        (System.nanoTime() - m0) / 1e9);
            }
            final long t0 = System.nanoTime();
            final int subscribed = fleet.open(o.clients(), Duration.ofSeconds(Math.max(30, o.clients() / 50)));
            final double connectSeconds = (System.nanoTime() - t0) / 1e9;
            System.out.printf(Locale.ROOT, "bench: %d/%d WebSocket clients subscribed to %d teams in %.1f s%n",
                    subscribed, o.clients(), o.teams(), connectSeconds);
            result.put("connect", Map.of("subscribed", subscribed, "requested", o.clients(), "seconds", connectSeconds,
                    "connectFailures", fleet.connectFailures.get(), "subscribeFailures", fleet.subscribeFailures.get(),
                    "subscribeRetries", fleet.subscribeRetries.get(), "distinctUsers", users.length));
            if (subscribed < o.clients()) {
                errors += o.clients() - subscribed;
            }

            final Phase warm = new Phase("warmup", o.rate(), false);
            Snap w0 = null;
            if (o.warmupSeconds() > 0) {
                System.out.printf(Locale.ROOT, "bench: warm-up %.0f s at %.0f msg/s%n", o.warmupSeconds(), o.rate());
                w0 = Snap.take(o.serverPid());
                poster.pace(warm, o.rate(), o.warmupSeconds());
            }
            warmStart = w0;
            total0 = Snap.take(o.serverPid());
            if (!o.findMax()) {
                final Phase run = new Phase("run", o.rate(), true);
                System.out.printf(Locale.ROOT, "bench: measuring %.0f s at %.0f msg/s (%d clients, %d per team)%n",
                        o.durationSeconds(), o.rate(), o.clients(), o.clients() / o.teams());
                final long wsErrors0 = fleet.unexpectedEvents();
                final Map<String, Long> edgeLatency0 = EdgeLatency.parse(prometheus());
                final Snap s0 = Snap.take(o.serverPid());
                poster.pace(run, o.rate(), o.durationSeconds());
                final Snap s1 = Snap.take(o.serverPid());
                drain(poster, List.of(warm, run));
                addWarmupReport(warm, s0);
                final Map<String, Object> report = phaseReport(run, s0, s1, fleet.unexpectedEvents() - wsErrors0);
                // The edge's own append -> written histogram over the run (the warm-up's last frames included).
                report.put("edgeAppendToWrittenMs", EdgeLatency.summary(edgeLatency0, EdgeLatency.parse(prometheus())));
                phaseReports.add(report);
                errors += warm.postErrors() + run.postErrors();
                loss += Math.max(0, warm.lossAfterDrain) + Math.max(0, run.lossAfterDrain);
            } else {
                findMaxPassed = findMax(poster, fleet, warm);
                errors += warm.postErrors();
                loss += Math.max(0, warm.lossAfterDrain);
            }
            total1 = Snap.take(o.serverPid());
            if (o.serverPid() > 0) {
                serverRssEnd = ProcessProbe.statusKiB(o.serverPid(), "VmRSS");
                serverHeap = ProcessProbe.jvmHeapKiB(o.serverPid());
            }
        } finally {
            if (poster != null) {
                poster.close();
            }
            fleet.close();
        }
        errors += fleet.unexpectedEvents() + fleet.connectFailures.get();
        final Map<String, Long> edgeAfter = edgeStats();
        result.put("phases", phaseReports);
        result.put("websocket", wsReport(fleet, tracker));
        result.put("edgeStatsDelta", delta(edgeBefore, edgeAfter));

        // Load generator and server over the whole paced run (after warm-up, including drains).
        final double wall = (total1.wallNanos() - total0.wallNanos()) / 1e9;
        final Map<String, Object> loadgen = new LinkedHashMap<>();
        final double ownCpu = (total1.ownCpuNanos() - total0.ownCpuNanos()) / 1e9;
        loadgen.put("cpuPctOfOneCore", 100 * ownCpu / wall);
        loadgen.put("cpuPctOfMachine", 100 * ownCpu / wall / CORES);
        loadgen.put("heapUsedPeakMiB", peakOwnHeapBytes.get() / 1048576.0);
        loadgen.put("heapCommittedMiB", ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getCommitted() / 1048576.0);
        loadgen.put("rssMiB", ProcessProbe.statusKiB(ProcessHandle.current().pid(), "VmRSS") / 1024.0);
        loadgen.put("seconds", wall);
        loadgen.put("gcPausesSinceStart", GcWatch.count());
        loadgen.put("gcPauseMaxMs", GcWatch.maxPauseMs());
        loadgen.put("gcPauseTotalMs", GcWatch.totalPauseMs());
        result.put("loadgen", loadgen);
        result.put("machineBusyPct", machineBusy(total0, total1));
        result.put("otherProcessesCpuPctOfMachine", otherCpu(total0, total1));
        result.put("otherCpuBreakdownPctOfMachine", cpuBreakdown(total0, total1));
        if (o.serverPid() > 0) {
            final Map<String, Object> server = new LinkedHashMap<>();
            server.put("pid", o.serverPid());
            final double serverCpu = (total1.serverCpuNanos() - total0.serverCpuNanos()) / 1e9;
            server.put("cpuPctOfOneCore", 100 * serverCpu / wall);
            server.put("cpuPctOfMachine", 100 * serverCpu / wall / CORES);
            server.put("rssMiBEnd", serverRssEnd / 1024.0);
            server.put("rssMiBPeak", peakServerRssKiB.get() / 1024.0);
            server.put("rssHwmMiB", ProcessProbe.statusKiB(o.serverPid(), "VmHWM") / 1024.0);
            server.put("heapUsedMiB", serverHeap == null ? null : serverHeap[0] / 1024.0);
            server.put("heapCommittedMiB", serverHeap == null ? null : serverHeap[1] / 1024.0);
            result.put("server", server);
        }

        // Raw Kafka ceiling: after the WebSocket phase, with every socket closed.
        if (o.rawRecords() > 0) {
            System.out.printf(Locale.ROOT, "bench: raw producer: %d records to %s (after the WebSocket phase)%n",
                    o.rawRecords(), RawKafkaBench.TOPIC);
            final Snap r0 = Snap.take(o.serverPid());
            final RawKafkaBench.Result raw = RawKafkaBench.run(o.kafka(), teams, o.textLength(), o.rawRecords(),
                    Duration.ofSeconds(180));
            final Snap r1 = Snap.take(o.serverPid());
            final Map<String, Object> rawMap = new LinkedHashMap<>();
            rawMap.put("when", "after the WebSocket phase");
            rawMap.put("topic", RawKafkaBench.TOPIC);
            rawMap.put("records", raw.records());
            rawMap.put("acked", raw.acked());
            rawMap.put("failed", raw.failed());
            rawMap.put("seconds", raw.seconds());
            rawMap.put("recordsPerSecond", raw.recordsPerSecond());
            rawMap.put("mbPerSecond", raw.mbPerSecond());
            rawMap.put("valueBytes", raw.valueBytes());
            rawMap.put("keyPlusValueBytes", raw.recordBytes());
            rawMap.put("error", raw.error());
            final double rw = (r1.wallNanos() - r0.wallNanos()) / 1e9;
            rawMap.put("loadgenCpuPctOfOneCore", 100 * (r1.ownCpuNanos() - r0.ownCpuNanos()) / 1e9 / rw);
            if (o.serverPid() > 0) {
                rawMap.put("serverCpuPctOfOneCore", 100 * (r1.serverCpuNanos() - r0.serverCpuNanos()) / 1e9 / rw);
            }
            result.put("raw", rawMap);
            if (raw.error() != null || raw.failed() > 0 || raw.acked() < raw.records()) {
                errors++;
            }
        }
        shutdown(executor, sampler);

        final int exit;
        if (o.findMax()) {
            exit = findMaxPassed && errorsOutsideSteps(result) == 0 ? 0 : 1;
        } else {
            exit = errors > 0 || loss > 0 ? 1 : 0;
        }
        result.put("errors", errors);
        result.put("lostFrames", loss);
        result.put("exitCode", exit);
        printSummary(result);
        final String json = Json.write(result);
        System.out.println(json);
        if (o.out() != null) {
            try {
                Files.writeString(Path.of(o.out()), json + "\n", StandardCharsets.UTF_8);
            } catch (IOException e) {
                System.err.println("bench: cannot write " + o.out() + ": " + e);
            }
        }
        return exit;
    }

    private long errorsOutsideSteps(final Map<String, Object> result) {
        final Object raw = result.get("raw");
        if (raw instanceof Map<?, ?> m && (m.get("error") != null || !m.get("acked").equals(m.get("records")))) {
            return 1;
        }
        final Object connect = result.get("connect");
        if (connect instanceof Map<?, ?> c && !c.get("subscribed").equals(c.get("requested"))) {
            return 1;
        }
        return 0;
    }

    /** Steps the rate up until a step fails; returns true when at least one step passed. */
    private boolean findMax(final Poster poster, final WsFleet fleet, final Phase warm) throws InterruptedException {
        double rate = o.rate();
        double lastPass = -1;
        double firstFail = -1;
        final List<Map<String, Object>> steps = new ArrayList<>();
        boolean warmDrained = false;
        for (int step = 0; step < o.maxSteps() + o.refineSteps(); step++) {
            if (step >= o.maxSteps() && firstFail < 0) {
                break; // no failure within the step bound: nothing to refine
            }
            if (firstFail > 0) {
                if (step - stepsBeforeRefine(steps) >= o.refineSteps() || lastPass < 0) {
                    break;
                }
                if (fleet.openSockets() < o.clients()) {
                    System.out.println("bench: not refining: " + (o.clients() - fleet.openSockets())
                            + " sockets were closed by the failing step");
                    break;
                }
                rate = Math.round((lastPass + firstFail) / 2);
                if (rate <= lastPass || rate >= firstFail) {
                    break;
                }
            }
            final Phase p = new Phase("step-" + (step + 1), rate, true);
            System.out.printf(Locale.ROOT, "bench: find-max step %d: %.0f msg/s for %.0f s%n", step + 1, rate,
                    o.stepSeconds());
            final long wsErrors0 = fleet.unexpectedEvents();
            final Snap s0 = Snap.take(o.serverPid());
            poster.pace(p, rate, o.stepSeconds());
            final Snap s1 = Snap.take(o.serverPid());
            drain(poster, warmDrained ? List.of(p) : List.of(warm, p));
            if (!warmDrained) {
                addWarmupReport(warm, s0);
            }
            warmDrained = true;
            final long wsErrors = fleet.unexpectedEvents() - wsErrors0;
            final Map<String, Object> report = phaseReport(p, s0, s1, wsErrors);
            final double p99 = p.sendToFrame.percentile(99) / 1000.0;
            final double achieved = p.sent.get() / p.seconds();
            final List<String> reasons = new ArrayList<>();
            if (p99 >= o.p99LimitMs()) {
                reasons.add(String.format(Locale.ROOT, "p99 send->frame %.1f ms >= %.0f ms", p99, o.p99LimitMs()));
            }
            if (p.postErrors() > 0) {
                reasons.add(p.postErrors() + " post errors");
            }
            if (wsErrors > 0) {
                reasons.add(wsErrors + " WebSocket errors/closes");
            }
            if (p.lossAfterDrain != 0) {
                reasons.add(p.lossAfterDrain + " frames missing after drain");
            }
            if (achieved < 0.95 * rate) {
                reasons.add(String.format(Locale.ROOT, "load generator sent only %.0f msg/s", achieved));
            }
            if (p.sendToFrame.count() == 0) {
                reasons.add("no frame delivered");
            }
            final boolean pass = reasons.isEmpty();
            report.put("pass", pass);
            report.put("failReasons", reasons);
            phaseReports.add(report);
            steps.add(report);
            System.out.printf(Locale.ROOT, "bench:   -> %s  p99 send->frame %.1f ms, accept->frame %.1f ms, %.0f frames/s%s%n",
                    pass ? "pass" : "FAIL", p99, p.acceptToFrame.percentile(99) / 1000.0,
                    (p.framesReceivedAtEnd - p.framesReceivedAtStart) / p.seconds(),
                    pass ? "" : " (" + String.join("; ", reasons) + ")");
            if (pass) {
                lastPass = Math.max(lastPass, rate);
                if (firstFail < 0) {
                    rate = Math.round(rate * o.stepFactor());
                }
            } else {
                firstFail = firstFail < 0 ? rate : Math.min(firstFail, rate);
                if (lastPass < 0) {
                    break; // even the first rate failed
                }
                if (fleet.openSockets() < o.clients()) {
                    System.out.println("bench: stopping: " + (o.clients() - fleet.openSockets()) + " sockets are closed");
                    break;
                }
            }
        }
        this.findMaxSummary = new LinkedHashMap<>();
        findMaxSummary.put("maxRatePassing", lastPass < 0 ? null : lastPass);
        findMaxSummary.put("maxDeliveriesPerSecondPassing", lastPass < 0 ? null : lastPass * o.clients() / o.teams());
        findMaxSummary.put("firstFailingRate", firstFail < 0 ? null : firstFail);
        findMaxSummary.put("p99LimitMs", o.p99LimitMs());
        findMaxSummary.put("criterion", "p99 send->frame < limit, 0 post errors, 0 socket errors/closes, 0 lost frames, "
                + ">= 95% of the target rate sent");
        return lastPass > 0;
    }

    private Map<String, Object> findMaxSummary;
    private Snap warmStart;

    /** The warm-up's counters (no latencies: they are not recorded while warming up). */
    private void addWarmupReport(final Phase warm, final Snap end) {
        if (warmStart == null) {
            return;
        }
        final Map<String, Object> m = phaseReport(warm, warmStart, end, 0);
        m.keySet().removeIf(k -> k.endsWith("Ms") && !k.equals("maxScheduleLagMs"));
        m.put("note", "warm-up: counted for errors and loss, latencies not recorded");
        phaseReports.add(m);
    }

    private static int stepsBeforeRefine(final List<Map<String, Object>> steps) {
        int n = 0;
        for (Map<String, Object> s : steps) {
            n++;
            if (Boolean.FALSE.equals(s.get("pass"))) {
                return n;
            }
        }
        return n;
    }

    /**
     * After posting stopped: waits for every answer, then for the missing frames of {@code phases},
     * until none is missing, {@code --drain} seconds passed, or nothing arrived for 3 s.
     */
    private void drain(final Poster poster, final List<Phase> phases) throws InterruptedException {
        final long start = System.nanoTime();
        final long limit = start + (long) (o.drainSeconds() * 1e9);
        poster.awaitAnswers(Duration.ofSeconds(12));
        long lastOutstanding = Long.MAX_VALUE;
        long lastProgress = System.nanoTime();
        while (true) {
            long outstanding = 0;
            for (Phase p : phases) {
                outstanding += p.outstandingFrames();
            }
            final long now = System.nanoTime();
            if (outstanding < lastOutstanding) {
                lastOutstanding = outstanding;
                lastProgress = now;
            }
            if (outstanding <= 0 || now > limit || now - lastProgress > 3_000_000_000L) {
                break;
            }
            Thread.sleep(20);
        }
        for (Phase p : phases) {
            p.lossAfterDrain = p.outstandingFrames();
        }
    }

    private Map<String, Object> phaseReport(final Phase p, final Snap s0, final Snap s1, final long wsErrors) {
        final Map<String, Object> m = new LinkedHashMap<>();
        m.put("name", p.name);
        m.put("targetRate", p.targetRate);
        m.put("seconds", p.seconds());
        m.put("scheduled", p.scheduled.get());
        m.put("sent", p.sent.get());
        m.put("accepted201", p.accepted.get());
        m.put("achievedPostRate", p.sent.get() / p.seconds());
        m.put("acceptedPerSecond", p.accepted.get() / p.seconds());
        m.put("deliveredFramesPerSecond", (p.framesReceivedAtEnd - p.framesReceivedAtStart) / p.seconds());
        m.put("expectedFrames", p.expectedFrames.get());
        m.put("deliveredFrames", p.deliveredFrames.get());
        m.put("lostFrames", p.lossAfterDrain);
        m.put("postMs", latency(p.post));
        m.put("acceptToFrameMs", latency(p.acceptToFrame));
        m.put("sendToFrameMs", latency(p.sendToFrame));
        m.put("framesBefore201", p.clampedNegative.get());
        final Map<String, Object> errors = new LinkedHashMap<>();
        errors.put("non201", p.non201.get());
        errors.put("timeouts", p.timeouts.get());
        errors.put("ioErrors", p.ioErrors.get());
        errors.put("droppedInFlightLimit", p.droppedInflight.get());
        errors.put("badResponses", p.badResponses.get());
        errors.put("webSocketErrorsAndCloses", wsErrors);
        final Map<String, Object> statuses = new LinkedHashMap<>();
        p.statusCounts.forEach((k, v) -> statuses.put(Integer.toString(k), v.get()));
        errors.put("httpStatuses", statuses);
        m.put("errors", errors);
        m.put("maxScheduleLagMs", p.maxScheduleLagMicros.get() / 1000.0);
        m.put("sendsLaterThan5ms", p.lateSends.get());
        final double wall = (s1.wallNanos() - s0.wallNanos()) / 1e9;
        m.put("loadgenCpuPctOfOneCore", 100 * (s1.ownCpuNanos() - s0.ownCpuNanos()) / 1e9 / wall);
        if (o.serverPid() > 0) {
            m.put("serverCpuPctOfOneCore", 100 * (s1.serverCpuNanos() - s0.serverCpuNanos()) / 1e9 / wall);
        }
        m.put("machineBusyPct", machineBusy(s0, s1));
        m.put("otherProcessesCpuPctOfMachine", otherCpu(s0, s1));
        m.put("otherCpuBreakdownPctOfMachine", cpuBreakdown(s0, s1));
        return m;
    }

    /**
     * Machine busy time not spent in the load generator or the server JVM, in % of the machine:
     * the stack's PostgreSQL/Redis processes, the kernel's softirq work not charged to a process,
     * and anything else running on the machine (which makes the run noisy when large).
     */
    private Object otherCpu(final Snap a, final Snap b) {
        if (!(machineBusy(a, b) instanceof Double busy)) {
            return null;
        }
        final double wall = (b.wallNanos() - a.wallNanos()) / 1e9;
        double ours = (b.ownCpuNanos() - a.ownCpuNanos()) / 1e9;
        if (o.serverPid() > 0) {
            ours += (b.serverCpuNanos() - a.serverCpuNanos()) / 1e9;
        }
        return Math.max(0, busy - 100 * ours / wall / CORES);
    }

    private static Map<String, Object> latency(final LatencyHistogram h) {
        final Map<String, Object> m = new LinkedHashMap<>();
        m.put("count", h.count());
        m.put("p50", h.percentile(50) / 1000.0);
        m.put("p95", h.percentile(95) / 1000.0);
        m.put("p99", h.percentile(99) / 1000.0);
        m.put("p999", h.percentile(99.9) / 1000.0);
        m.put("max", h.maxMicros() / 1000.0);
        m.put("mean", h.meanMicros() / 1000.0);
        return m;
    }

    private static Object machineBusy(final Snap a, final Snap b) {
        if (a.machine() == null || b.machine() == null || b.machine()[1] == a.machine()[1]) {
            return null;
        }
        return 100.0 * (b.machine()[0] - a.machine()[0]) / (b.machine()[1] - a.machine()[1]);
    }

    private Map<String, Object> wsReport(final WsFleet fleet, final Tracker tracker) {
        final Map<String, Object> m = new LinkedHashMap<>();
        m.put("framesReceived", tracker.framesReceived.get());
        m.put("unexpectedCloses", fleet.unexpectedCloses.get());
        final Map<String, Object> codes = new LinkedHashMap<>();
        fleet.closeCodes.forEach((k, v) -> codes.put(Integer.toString(k), v.get()));
        m.put("closeCodes", codes);
        m.put("socketErrors", fleet.socketErrors.get());
        m.put("errorFrames", fleet.errorFrames.get());
        final Map<String, Object> errCodes = new LinkedHashMap<>();
        fleet.errorCodes.forEach((k, v) -> errCodes.put(k, v.get()));
        m.put("errorCodes", errCodes);
        m.put("duplicateFrames", tracker.duplicateFrames.get());
        m.put("unmatchedFrames", tracker.unmatchedFrames());
        m.put("otherFrames", fleet.otherFrames.get());
        m.put("unparsedFrames", fleet.unparsedFrames.get());
        if (findMaxSummary != null) {
            m.put("findMax", findMaxSummary);
        }
        return m;
    }

    private Map<String, Object> optionsMap() {
        final Map<String, Object> m = new LinkedHashMap<>();
        m.put("url", o.url());
        m.put("kafka", o.kafka());
        m.put("clients", o.clients());
        m.put("teams", o.teams());
        m.put("rate", o.rate());
        m.put("duration", o.durationSeconds());
        m.put("warmup", o.warmupSeconds());
        m.put("serverPid", o.serverPid() > 0 ? o.serverPid() : null);
        m.put("rawRecords", o.rawRecords());
        m.put("findMax", o.findMax());
        if (o.findMax()) {
            m.put("stepSeconds", o.stepSeconds());
            m.put("stepFactor", o.stepFactor());
            m.put("maxSteps", o.maxSteps());
            m.put("refine", o.refineSteps());
            m.put("p99LimitMs", o.p99LimitMs());
        }
        m.put("textLength", o.textLength());
        m.put("maxInFlight", o.maxInFlight());
        return m;
    }

    /** {@code GET /api/v1/edge/stats} as numbers; null when the stack does not answer. */
    private Map<String, Long> edgeStats() {
        final String body = get("/api/v1/edge/stats");
        if (body == null) {
            return null;
        }
        final Map<String, Long> m = new LinkedHashMap<>();
        final Matcher matcher = NUMBER_FIELD.matcher(body);
        while (matcher.find()) {
            m.put(matcher.group(1), Long.parseLong(matcher.group(2)));
        }
        return m;
    }

    /** {@code GET /prometheus} of the stack's edge, or {@code null} (the forwarder has none). */
    private String prometheus() {
        return get("/prometheus");
    }

    /** The body of {@code GET path} on the stack when it answers 200, else {@code null}. */
    private String get(final String path) {
        try (HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(3)).build()) {
            final HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(o.url() + path))
                    .timeout(Duration.ofSeconds(5)).GET().build(), HttpResponse.BodyHandlers.ofString());
            return r.statusCode() == 200 ? r.body() : null;
        } catch (IOException e) {
            return null;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return null;
        }
    }

    private static Map<String, Object> delta(final Map<String, Long> before, final Map<String, Long> after) {
        final Map<String, Object> m = new LinkedHashMap<>();
        if (after == null) {
            return m;
        }
        after.forEach((k, v) -> {
            final Long b = before.get(k);
            m.put(k, b == null || k.equals("connections") || k.equals("subscriptions") || k.equals("teams") ? v : v - b);
        });
        return m;
    }

    private Thread startSampler() {
        final Thread t = new Thread(() -> {
            final long until = System.nanoTime() + TimeUnit.HOURS.toNanos(6);
            while (sampling && System.nanoTime() < until) {
                peakOwnHeapBytes.accumulate(ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed());
                if (o.serverPid() > 0) {
                    peakServerRssKiB.accumulate(ProcessProbe.statusKiB(o.serverPid(), "VmRSS"));
                }
                try {
                    Thread.sleep(500);
                } catch (InterruptedException e) {
                    return;
                }
            }
        }, "bench-sampler");
        t.setDaemon(true);
        t.start();
        return t;
    }

    private void shutdown(final ExecutorService executor, final Thread sampler) throws InterruptedException {
        sampling = false;
        sampler.interrupt();
        executor.shutdownNow();
        executor.awaitTermination(5, TimeUnit.SECONDS);
    }

    // ---- human summary -------------------------------------------------------------------------

    @SuppressWarnings("unchecked")
    private void printSummary(final Map<String, Object> r) {
        final StringBuilder sb = new StringBuilder();
        sb.append("\n=== chat bench: HTTP -> Kafka -> WebSocket (").append(r.get("mode")).append(", ")
                .append(r.get("date")).append(") ===\n");
        sb.append(String.format(Locale.ROOT, "clients %d, teams %d (%d per team), text %d chars%n", o.clients(),
                o.teams(), o.clients() / o.teams(), o.textLength()));
        for (Map<String, Object> p : (List<Map<String, Object>>) r.get("phases")) {
            sb.append(String.format(Locale.ROOT, "%n[%s] target %.0f msg/s over %.1f s%s%n", p.get("name"),
                    num(p.get("targetRate")), num(p.get("seconds")),
                    p.containsKey("pass") ? (Boolean.TRUE.equals(p.get("pass")) ? "  PASS" : "  FAIL " + p.get("failReasons")) : ""));
            sb.append(String.format(Locale.ROOT, "  posts: sent %d (%.0f/s), 201 %d; delivered %.0f frames/s; "
                            + "frames expected %d, delivered %d, lost %d%n",
                    p.get("sent"), num(p.get("achievedPostRate")), p.get("accepted201"),
                    num(p.get("deliveredFramesPerSecond")), p.get("expectedFrames"), p.get("deliveredFrames"),
                    p.get("lostFrames")));
            if (p.get("postMs") != null) {
                sb.append(lat("post (send->201)  ", (Map<String, Object>) p.get("postMs")));
                sb.append(lat("accept->frame     ", (Map<String, Object>) p.get("acceptToFrameMs")));
                sb.append(lat("send->frame       ", (Map<String, Object>) p.get("sendToFrameMs")));
            }
            if (p.get("edgeAppendToWrittenMs") instanceof Map<?, ?> edge) {
                final Map<?, ?> pct = (Map<?, ?>) edge.get("pctAtMostMs");
                sb.append(String.format(Locale.ROOT, "  edge append->written (the edge's histogram): p50 <= %s ms, p99 <= %s ms;"
                                + " %s %% within 25 ms, %s %% within 100 ms (n=%s)%n",
                        edge.get("p50AtMostMs"), edge.get("p99AtMostMs"), pct.get("25"), pct.get("100"), edge.get("frames")));
            }
            sb.append(String.format(Locale.ROOT, "  frames before their 201 (accept->frame clamped to 0): %d%n",
                    p.get("framesBefore201")));
            sb.append("  errors: ").append(Json.write(p.get("errors"))).append('\n');
            sb.append("  other CPU (% of machine): ").append(Json.write(p.get("otherCpuBreakdownPctOfMachine"))).append('\n');
            sb.append(String.format(Locale.ROOT, "  schedule: max lag %.1f ms, %d sends > 5 ms late; CPU: loadgen %.0f%% of a core, "
                            + "server %s, machine busy %s, other processes %s of the machine%n",
                    num(p.get("maxScheduleLagMs")), p.get("sendsLaterThan5ms"), num(p.get("loadgenCpuPctOfOneCore")),
                    p.containsKey("serverCpuPctOfOneCore") ? String.format(Locale.ROOT, "%.0f%% of a core",
                            num(p.get("serverCpuPctOfOneCore"))) : "n/a",
                    p.get("machineBusyPct") == null ? "n/a" : String.format(Locale.ROOT, "%.0f%%", num(p.get("machineBusyPct"))),
                    p.get("otherProcessesCpuPctOfMachine") == null ? "n/a"
                            : String.format(Locale.ROOT, "%.0f%%", num(p.get("otherProcessesCpuPctOfMachine")))));
        }
        final Map<String, Object> ws = (Map<String, Object>) r.get("websocket");
        sb.append("\nwebsocket: ").append(Json.write(ws)).append('\n');
        sb.append("edge stats delta: ").append(Json.write(r.get("edgeStatsDelta"))).append('\n');
        final Map<String, Object> lg = (Map<String, Object>) r.get("loadgen");
        sb.append(String.format(Locale.ROOT, "load generator: CPU %.0f%% of one core = %.0f%% of the machine (%d cores); "
                        + "heap peak %.0f MiB; RSS %.0f MiB; own GC pauses %s, max %.1f ms, total %.0f ms%n",
                num(lg.get("cpuPctOfOneCore")), num(lg.get("cpuPctOfMachine")),
                CORES, num(lg.get("heapUsedPeakMiB")), num(lg.get("rssMiB")), lg.get("gcPausesSinceStart"),
                num(lg.get("gcPauseMaxMs")), num(lg.get("gcPauseTotalMs"))));
        if (r.get("server") instanceof Map<?, ?> s) {
            sb.append(String.format(Locale.ROOT, "server pid %s: CPU %.0f%% of one core = %.0f%% of the machine; RSS end %.0f MiB, "
                            + "peak %.0f MiB; heap used %s MiB of %s MiB committed%n",
                    s.get("pid"), num(s.get("cpuPctOfOneCore")), num(s.get("cpuPctOfMachine")), num(s.get("rssMiBEnd")),
                    num(s.get("rssMiBPeak")), fmt(s.get("heapUsedMiB")), fmt(s.get("heapCommittedMiB"))));
        }
        if (r.get("machineBusyPct") != null) {
            sb.append(String.format(Locale.ROOT, "machine busy: %.0f%% (other processes than load generator and server: %.0f%%)%n",
                    num(r.get("machineBusyPct")), num(r.get("otherProcessesCpuPctOfMachine"))));
            sb.append("  other CPU (% of machine): ").append(Json.write(r.get("otherCpuBreakdownPctOfMachine"))).append('\n');
        }
        if (r.get("raw") instanceof Map<?, ?> raw) {
            sb.append(String.format(Locale.ROOT, "raw producer (%s): %s records in %.2f s = %.0f records/s, %.1f MB/s "
                            + "(value %s B, key+value %s B), failed %s%s%n",
                    raw.get("when"), raw.get("acked"), num(raw.get("seconds")), num(raw.get("recordsPerSecond")),
                    num(raw.get("mbPerSecond")), raw.get("valueBytes"), raw.get("keyPlusValueBytes"), raw.get("failed"),
                    raw.get("error") == null ? "" : ", error: " + raw.get("error")));
        }
        if (findMaxSummary != null) {
            sb.append(String.format(Locale.ROOT, "find-max: highest rate with p99 send->frame < %.0f ms: %s msg/s "
                            + "(%s deliveries/s); first failing rate %s%n", o.p99LimitMs(),
                    fmt(findMaxSummary.get("maxRatePassing")), fmt(findMaxSummary.get("maxDeliveriesPerSecondPassing")),
                    fmt(findMaxSummary.get("firstFailingRate"))));
        }
        sb.append("errors ").append(r.get("errors")).append(", lost frames ").append(r.get("lostFrames"))
                .append(", exit code ").append(r.get("exitCode")).append('\n');
        System.out.print(sb);
    }

    private static String lat(final String label, final Map<String, Object> m) {
        return String.format(Locale.ROOT, "  %s p50 %7.2f  p95 %7.2f  p99 %7.2f  p99.9 %7.2f  max %8.2f ms  (n=%s)%n",
                label, num(m.get("p50")), num(m.get("p95")), num(m.get("p99")), num(m.get("p999")), num(m.get("max")),
                m.get("count"));
    }

    private static double num(final Object v) {
        return v instanceof Number n ? n.doubleValue() : Double.NaN;
    }

    private static String fmt(final Object v) {
        return v instanceof Number n ? String.format(Locale.ROOT, "%.0f", n.doubleValue()) : "n/a";
    }
}
