package chat.ctl;

import chat.projector.sink.JdbcShardSink;
import org.postgresql.PGConnection;
import org.postgresql.copy.CopyManager;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.PrintWriter;
import java.lang.management.ManagementFactory;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

/**
 * {@code chatctl bench replay|rebuild}: the operator benchmarks of BENCHMARKS.md against a running
 * platform, each beside its physical baseline measured in the same run.
 *
 * <pre>{@code
 * chatctl bench replay --shard 0 --events 1000000   # seed, wait for the projector, replay vs COPY
 * chatctl bench rebuild --shard 0 --live-rate 1000  # rebuild the shard while other shards take traffic
 * }</pre>
 */
@Command(name = "bench", mixinStandardHelpOptions = true,
        description = "Benchmarks: replay rate vs PostgreSQL COPY; shard rebuild time under live traffic.",
        subcommands = {BenchCommand.Replay.class, BenchCommand.Rebuild.class})
final class BenchCommand implements Runnable {
    @Spec
    CommandSpec spec;

    @Override
    public void run() {
        throw new picocli.CommandLine.ParameterException(spec.commandLine(), "missing command (replay | rebuild)");
    }

    static String load() {
        return String.format("%.2f", ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage());
    }

    static long sum(final Map<Integer, Long> offsets, final List<Integer> partitions) {
        return partitions.stream().mapToLong(p -> offsets.getOrDefault(p, 0L)).sum();
    }

    /** Waits until the live shard's checkpoints reach the log end of its partitions; returns seconds waited. */
    static double awaitLive(final Platform p, final int shard, final PrintWriter out, final long timeoutSeconds) throws InterruptedException {
        final List<Integer> partitions = p.map().partitionsOf(shard);
        final Map<Integer, Long> end = RebuildCommand.restrict(p.logEnd(), partitions);
        final long t0 = System.nanoTime();
        long lastPrint = t0;
        while (true) {
            final long lag = RebuildCommand.lag(end, p.checkpoints(p.currentUrl(shard)), partitions);
            if (lag == 0) {
                return (System.nanoTime() - t0) / 1e9;
            }
            if (System.nanoTime() - t0 > timeoutSeconds * 1_000_000_000L) {
                throw new CtlException("the live projector did not reach the log end of shard " + shard + " within "
                        + timeoutSeconds + " s (" + lag + " events behind)");
            }
            if (System.nanoTime() - lastPrint > 5_000_000_000L) {
                out.printf("bench: live projector of shard %d: %,d events behind%n", shard, lag);
                out.flush();
                lastPrint = System.nanoTime();
            }
            Thread.sleep(200); // polling an external system: there is no notification to wait on
        }
    }

    @Command(name = "replay", mixinStandardHelpOptions = true,
            description = {"Seeds --events into the partitions of --shard (0 = use what is there), waits for the live projector,",
                    "then replays the shard's partitions into a scratch database with the projector's code (timed) and",
                    "loads the resulting rows into another scratch database with COPY (timed): the physical baseline."})
    static final class Replay implements Callable<Integer> {
        @Mixin
        PlatformOptions platform;

        @Option(names = "--shard", defaultValue = "0", description = "Shard whose partitions are seeded and replayed (default ${DEFAULT-VALUE}).")
        int shard;

        @Option(names = "--events", defaultValue = "1000000", description = "Events to seed first, 0 = none (default ${DEFAULT-VALUE}).")
        long events;

        @Option(names = "--teams", defaultValue = "24", description = "Teams the seeded events are spread over (default ${DEFAULT-VALUE}).")
        int teams;

        @Option(names = "--batch-size", defaultValue = "5000", description = "Events per replay transaction (default ${DEFAULT-VALUE}).")
        int batchSize;

        @Option(names = "--parallelism", defaultValue = "3", description = "Partitions replayed at once, each with its own consumer, thread and connection (default ${DEFAULT-VALUE}).")
        int parallelism;

        @Option(names = "--defer-indexes", defaultValue = "true", negatable = true, fallbackValue = "true",
                description = "Build the read-API-only indexes once after the replay (timed), as rebuild/reshard/region do;"
                        + " --no-defer-indexes maintains them row by row (default ${DEFAULT-VALUE}).")
        boolean deferIndexes;

        @Option(names = "--copy-messages", defaultValue = "true", negatable = true, fallbackValue = "true",
                description = "Replay writer of rebuild/reshard/region/verify: message inserts loaded with COPY"
                        + " (JdbcShardSink.forReplay); --no-copy-messages uses the live projector's INSERT batches"
                        + " (the old path) (default ${DEFAULT-VALUE}).")
        boolean copyMessages;

        @Option(names = "--keep", description = "Keep the scratch databases.")
        boolean keep;

        @Spec
        CommandSpec spec;

        @Override
        public Integer call() throws Exception {
            final PrintWriter out = spec.commandLine().getOut();
            if (batchSize < 1 || parallelism < 1 || events < 0 || teams < 1) {
                throw new picocli.CommandLine.ParameterException(spec.commandLine(),
                        "--batch-size, --parallelism and --teams must be >= 1 and --events >= 0");
            }
            try (Platform p = platform.connect()) {
                final List<Integer> partitions = p.map().partitionsOf(shard);
                if (events > 0) {
                    seed(p, out);
                }
                final double waited = awaitLive(p, shard, out, 900);
                out.printf("bench: live projector caught up %.1f s after the seeding ended%n", waited);
                final Map<Integer, Long> end = RebuildCommand.restrict(p.logEnd(), partitions);
                final long logEvents = sum(end, partitions);

                final String tag = LocalDateTime.now().format(DateTimeFormatter.ofPattern("yyyyMMdd_HHmmss"));
                final String liveUrl = p.currentUrl(shard);
                final String replayDb = "bench_" + tag + "_replay";
                final String copyDb = "bench_" + tag + "_copy";
                final String replayUrl = Pg.withDatabase(liveUrl, replayDb);
                final String copyUrl = Pg.withDatabase(liveUrl, copyDb);
                Pg.create(liveUrl, replayDb, p.user(), p.password());
                Pg.create(liveUrl, copyDb, p.user(), p.password());
                try {
                    // 1. Replay with the projector's code (decode, validate, project, JDBC sink).
                    final List<String> urls = new ArrayList<>();
                    for (int s = 0; s < p.map().shards(); s++) {
                        urls.add(s == shard ? replayUrl : p.configuredUrl(s));
                    }
                    final double replaySeconds;
                    final double replayCpu;
                    final Replayer replayer;
                    final JdbcShardSink sink;
                    try (ScratchPools pools = new ScratchPools(p, urls, List.of(shard), parallelism + 1, deferIndexes)) {
                        sink = copyMessages ? JdbcShardSink.forReplay(p.map(), pools::shard) : new JdbcShardSink(p.map(), pools::shard);
                        replayer = new Replayer(p.bootstrapServers(), sink, batchSize, parallelism);
                        out.printf("bench: replaying %,d events of partitions %s into %s (load %s) ...%n", logEvents, partitions, replayDb, load());
                        out.flush();
                        final long cpu0 = cpuNanos();
                        final long t0 = System.nanoTime();
                        replayer.replay(end);
                        // Timed too: the replayed database ends with every index the COPY target has.
                        pools.restoreIndexes();
                        replaySeconds = (System.nanoTime() - t0) / 1e9;
                        replayCpu = (cpuNanos() - cpu0) / 1e9;
                    }
                    // 2. The same rows, dumped (untimed) and loaded with COPY (timed) into an identically migrated database.
                    final Map<String, byte[]> dumps = new LinkedHashMap<>();
                    final Map<String, Long> rows = new LinkedHashMap<>();
                    try (Connection c = p.open(replayUrl)) {
                        for (String table : tables(c)) {
                            final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
                            rows.put(table, copy(c).copyOut("COPY " + table + " TO STDOUT (FORMAT binary)", bytes));
                            dumps.put(table, bytes.toByteArray());
                        }
                    }
                    try (ScratchPools ignored = new ScratchPools(p, List.of(copyUrl), List.of(0), 1)) {
                        // migrated by ScratchPools
                    }
                    final long copyRows;
                    final double copySeconds;
                    try (Connection c = p.open(copyUrl)) {
                        c.setAutoCommit(false);
                        final long t0 = System.nanoTime();
                        long n = 0;
                        for (Map.Entry<String, byte[]> e : dumps.entrySet()) {
                            n += copy(c).copyIn("COPY " + e.getKey() + " FROM STDIN (FORMAT binary)", new ByteArrayInputStream(e.getValue()));
                        }
                        c.commit();
                        copySeconds = (System.nanoTime() - t0) / 1e9;
                        copyRows = n;
                    }
                    final long totalRows = rows.values().stream().mapToLong(Long::longValue).sum();
                    final double bytes = dumps.values().stream().mapToLong(b -> b.length).sum();
                    out.printf("bench replay: shard %d, partitions %s, %,d events (%,d rejected) -> %,d rows %s%n", shard, partitions,
                            logEvents, replayer.rejected(), totalRows, rows);
                    out.printf("bench replay: projector code  %6.2f s  %,9.0f events/s  (batch %d, parallelism %d, %s, %s; chatctl CPU %.1f s"
                                    + " = %.0f%% of one core: the rest of the time it waits for PostgreSQL)%n",
                            replaySeconds, logEvents / replaySeconds, batchSize, parallelism,
                            deferIndexes ? "deferred indexes built at the end, timed" : "indexes maintained per row",
                            copyMessages ? String.format("messages by COPY: %,d rows, %,d groups fell back to INSERT",
                                    sink.copiedMessages(), sink.copyFallbacks()) : "messages by INSERT batches",
                            replayCpu, 100 * replayCpu / replaySeconds);
                    out.printf("bench replay: COPY baseline   %6.2f s  %,9.0f events/s equivalent, %,.0f rows/s, %.1f MB binary (%,d rows)%n",
                            copySeconds, logEvents / copySeconds, copyRows / copySeconds, bytes / 1e6, copyRows);
                    out.printf("bench replay: ratio replay/COPY = %.2f; load average at end %s%n", copySeconds / replaySeconds, load());
                    out.flush();
                    return replayer.rejected() == 0 ? ChatCtl.OK : ChatCtl.DIFFERENT;
                } finally {
                    if (!keep) {
                        Pg.drop(liveUrl, replayDb, p.user(), p.password());
                        Pg.drop(liveUrl, copyDb, p.user(), p.password());
                    }
                }
            }
        }

        private void seed(final Platform p, final PrintWriter out) {
            final String prefix = "bench-" + Long.toString(System.currentTimeMillis() % 46_656_000L, 36) + "-s" + shard + "-t";
            final List<String> teamIds = BenchSeeder.teamsOn(p.map(), s -> s == shard, prefix, teams);
            final long t0 = System.nanoTime();
            try (BenchSeeder seeder = new BenchSeeder(p.bootstrapServers())) {
                seeder.setUp(teamIds);
                seeder.append(teamIds, Math.max(0, events - (long) teamIds.size() * BenchSeeder.SETUP_EVENTS_PER_TEAM));
                seeder.flush();
            }
            final double s = (System.nanoTime() - t0) / 1e9;
            out.printf("bench: seeded %,d events into %d teams of shard %d in %.1f s (%,.0f events/s)%n", events, teamIds.size(),
                    shard, s, events / s);
            out.flush();
        }

    }

    /** Every base table of the read model (schema public), migrations bookkeeping and redirects left out. */
    static List<String> tables(final Connection c) throws SQLException {
        final List<String> out = new ArrayList<>();
        try (Statement st = c.createStatement();
             ResultSet rs = st.executeQuery("SELECT table_name FROM information_schema.tables WHERE table_schema = 'public'"
                     + " AND table_type = 'BASE TABLE' ORDER BY table_name")) {
            while (rs.next()) {
                if (!TableChecksums.SKIPPED_TABLES.contains(rs.getString(1))) {
                    out.add(rs.getString(1));
                }
            }
        }
        return out;
    }

    static long cpuNanos() {
        return ManagementFactory.getOperatingSystemMXBean() instanceof com.sun.management.OperatingSystemMXBean os
                ? os.getProcessCpuTime() : 0;
    }

    static CopyManager copy(final Connection c) throws SQLException {
        return c.unwrap(PGConnection.class).getCopyAPI();
    }

    @Command(name = "rebuild", mixinStandardHelpOptions = true,
            description = {"Times `shard rebuild --shard N` while live traffic (--live-rate posts/s) is appended to teams of",
                    "every OTHER shard and projected by the live projector; reports their lag during the rebuild."})
    static final class Rebuild implements Callable<Integer> {
        @Mixin
        PlatformOptions platform;

        @Option(names = "--shard", defaultValue = "0", description = "Shard to rebuild (default ${DEFAULT-VALUE}).")
        int shard;

        @Option(names = "--live-rate", defaultValue = "1000", description = "Live posts/s on the other shards (default ${DEFAULT-VALUE}).")
        int liveRate;

        @Option(names = "--parallelism", defaultValue = "3", description = "Passed to shard rebuild (default ${DEFAULT-VALUE}).")
        int parallelism;

        @Option(names = "--batch-size", defaultValue = "5000", description = "Passed to shard rebuild (default ${DEFAULT-VALUE}).")
        int batchSize;

        @Spec
        CommandSpec spec;

        @Override
        public Integer call() throws Exception {
            final PrintWriter out = spec.commandLine().getOut();
            if (liveRate < 1 || batchSize < 1 || parallelism < 1) {
                throw new picocli.CommandLine.ParameterException(spec.commandLine(),
                        "--live-rate, --batch-size and --parallelism must be >= 1");
            }
            try (Platform p = platform.connect()) {
                final List<Integer> partitions = p.map().partitionsOf(shard);
                final long shardEvents = sum(p.logEnd(), partitions);
                final String prefix = "live-" + Long.toString(System.currentTimeMillis() % 46_656_000L, 36) + "-t";
                final List<String> liveTeams = BenchSeeder.teamsOn(p.map(), s -> s != shard, prefix, 3 * (p.map().shards() - 1));
                final AtomicBoolean running = new AtomicBoolean(true);
                final AtomicLong posted = new AtomicLong();
                final List<Integer> others = new ArrayList<>();
                for (int s = 0; s < p.map().shards(); s++) {
                    if (s != shard) {
                        others.add(s);
                    }
                }
                final Thread traffic;
                try (BenchSeeder live = new BenchSeeder(p.bootstrapServers())) {
                    live.setUp(liveTeams);
                    live.flush();
                    traffic = new Thread(() -> {
                        final long t0 = System.nanoTime();
                        long i = 0;
                        while (running.get()) {
                            live.post(liveTeams.get((int) (i % liveTeams.size())), "c0", "u1", "live " + i);
                            posted.incrementAndGet();
                            i++;
                            final long ahead = t0 + i * 1_000_000_000L / liveRate - System.nanoTime();
                            if (ahead > 0) {
                                java.util.concurrent.locks.LockSupport.parkNanos(ahead); // pacing, not a wait for a condition
                            }
                        }
                        live.flush();
                    }, "bench-live-traffic");
                    traffic.start();
                    for (int s : others) {
                        awaitLive(p, s, out, 120);
                    }
                    out.printf("bench rebuild: shard %d holds %,d events; live traffic %d posts/s on shards %s (%d teams); load %s%n",
                            shard, shardEvents, liveRate, others, liveTeams.size(), load());
                    out.flush();
                    // Lag of the other shards, sampled while the rebuild runs.
                    final AtomicLong maxLag = new AtomicLong();
                    final AtomicBoolean sampling = new AtomicBoolean(true);
                    final Thread sampler = new Thread(() -> {
                        while (sampling.get()) {
                            try {
                                final Map<Integer, Long> end = p.logEnd();
                                for (int s : others) {
                                    maxLag.accumulateAndGet(RebuildCommand.lag(end, p.checkpoints(p.currentUrl(s)), p.map().partitionsOf(s)), Math::max);
                                }
                                Thread.sleep(500); // sampling interval
                            } catch (InterruptedException e) {
                                return;
                            } catch (RuntimeException e) {
                                out.println("bench rebuild: lag sample failed: " + e.getMessage());
                            }
                        }
                    }, "bench-lag-sampler");
                    sampler.start();
                    final long postedBefore = posted.get();
                    final List<String> args = new ArrayList<>(List.of("shard", "rebuild", "--shard", Integer.toString(shard),
                            "--parallelism", Integer.toString(parallelism), "--batch-size", Integer.toString(batchSize),
                            "--progress-ms", "2000"));
                    args.addAll(platform.asArguments());
                    final long t0 = System.nanoTime();
                    final int code = ChatCtl.run(args.toArray(String[]::new), out, spec.commandLine().getErr());
                    final double seconds = (System.nanoTime() - t0) / 1e9;
                    final long livePosted = posted.get() - postedBefore;
                    sampling.set(false);
                    sampler.join();
                    running.set(false);
                    traffic.join();
                    for (int s : others) {
                        awaitLive(p, s, out, 120);
                    }
                    out.printf("bench rebuild: shard %d (%,d events) rebuilt in %.1f s (exit %d); meanwhile %,d live posts (%,.0f/s)"
                                    + " on shards %s, their max lag %,d events; load average at end %s%n", shard, shardEvents, seconds,
                            code, livePosted, livePosted / seconds, others, maxLag.get(), load());
                    out.flush();
                    return code;
                }
            }
        }
    }
}
