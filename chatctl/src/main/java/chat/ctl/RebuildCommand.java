package chat.ctl;

import chat.common.shard.ShardRedirects;
import chat.projector.sink.JdbcShardSink;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

import java.io.PrintWriter;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.Callable;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * {@code chatctl shard rebuild --shard N}: blue/green rebuild of one shard while every other shard
 * keeps projecting and serving.
 * <ol>
 *   <li>green = a fresh database {@code <base>_g<k+1>} next to the current one ({@code <base>_g<k>}
 *       or {@code <base>}); the name is deterministic, so a rerun after a crash resumes it (its
 *       checkpoints say where), {@code --restart} starts it over;</li>
 *   <li>replay the shard's partitions into green with the projector's code, in passes, until it is
 *       within {@code --catch-up-threshold} events of the live head (progress: events/s, lag, ETA);</li>
 *   <li>fence blue ({@link ShardRedirects#fence}): projector writes to it now fail and are retried;
 *       its checkpoints are final; reads keep working;</li>
 *   <li>replay green on to the log end (>= blue's final checkpoints) and check it;</li>
 *   <li>publish the redirect blue -> green; services re-read it every
 *       {@code chat.shards.redirect-poll-ms} and switch; the projector's retried writes land in
 *       green. Blue is kept (fenced) for inspection; drop it after updating
 *       {@code chat.shards.jdbc-urls}.</li>
 * </ol>
 */
@Command(name = "rebuild", mixinStandardHelpOptions = true,
        description = {"Blue/green rebuild of one shard from its partitions into a fresh database, then an atomic switch.",
                "Safe to kill and rerun: the rerun resumes the same green database."})
final class RebuildCommand implements Callable<Integer> {
    private static final Pattern GENERATION = Pattern.compile("(.*)_g(\\d+)");

    @Mixin
    PlatformOptions platform;

    @Option(names = "--shard", required = true, paramLabel = "N", description = "The shard to rebuild.")
    int shard;

    @Option(names = "--restart", description = "Drop a half-built green database of an earlier run instead of resuming it.")
    boolean restart;

    @Option(names = "--catch-up-threshold", defaultValue = "1000", paramLabel = "EVENTS",
            description = "Fence and switch once green is this close to the live head (default ${DEFAULT-VALUE}).")
    long threshold;

    @Mixin
    ReplayOptions replay;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        final PrintWriter out = spec.commandLine().getOut();
        replay.check(spec.commandLine());
        try (Platform p = platform.connect()) {
            if (shard < 0 || shard >= p.map().shards()) {
                throw new CommandLine.ParameterException(spec.commandLine(),
                        "--shard " + shard + " is outside 0.." + (p.map().shards() - 1));
            }
            final String blueUrl = p.currentUrl(shard);
            final String blueDb = Pg.database(blueUrl);
            final Matcher m = GENERATION.matcher(blueDb);
            final String base = m.matches() ? m.group(1) : blueDb;
            final int generation = m.matches() ? Integer.parseInt(m.group(2)) : 1;
            final String greenDb = base + "_g" + (generation + 1);
            final String greenUrl = Pg.withDatabase(blueUrl, greenDb);
            final List<Integer> partitions = p.map().partitionsOf(shard);
            final long t0 = System.nanoTime();

            if (Pg.exists(greenUrl, greenDb, p.user(), p.password())) {
                if (restart) {
                    Pg.drop(greenUrl, greenDb, p.user(), p.password());
                    Pg.create(greenUrl, greenDb, p.user(), p.password());
                    out.printf("rebuild shard %d: dropped and recreated %s%n", shard, greenDb);
                } else {
                    out.printf("rebuild shard %d: resuming %s at %s%n", shard, greenDb, p.checkpoints(greenUrl));
                }
            } else {
                Pg.create(greenUrl, greenDb, p.user(), p.password());
                out.printf("rebuild shard %d: created %s%n", shard, greenDb);
            }
            out.printf("rebuild shard %d: %s (live) -> %s, partitions %s%n", shard, blueDb, greenDb, partitions);
            out.flush();

            final List<String> urls = new ArrayList<>();
            for (int s = 0; s < p.map().shards(); s++) {
                urls.add(s == shard ? greenUrl : p.configuredUrl(s));
            }
            try (ScratchPools green = new ScratchPools(p, urls, List.of(shard), replay.parallelism + 1, true)) {
                final JdbcShardSink sink = JdbcShardSink.forReplay(p.map(), green::shard);
                final Replayer replayer = new Replayer(p.bootstrapServers(), sink,
                        replay.batchSize, replay.parallelism).withMaxRate(replay.maxRate);
                final ScheduledExecutorService ticker = Executors.newSingleThreadScheduledExecutor(r -> {
                    final Thread t = new Thread(r, "rebuild-progress");
                    t.setDaemon(true);
                    return t;
                });
                final Progress progress = new Progress(p, partitions, greenUrl, replayer, out);
                ticker.scheduleAtFixedRate(progress::print, replay.progressMs, replay.progressMs, TimeUnit.MILLISECONDS);
                try {
                    // Passes until green is close to the live head.
                    int pass = 0;
                    while (true) {
                        pass++;
                        replayer.replay(restrict(p.logEnd(), partitions));
                        final long lag = lag(p.logEnd(), p.checkpoints(greenUrl), partitions);
                        out.printf("rebuild shard %d: pass %d done, %d events behind the live head%n", shard, pass, lag);
                        out.flush();
                        if (lag <= threshold) {
                            // Indexes deferred in a fresh green are built now, before the fence; then one more pass.
                            final long b0 = System.nanoTime();
                            final int built = green.restoreIndexes();
                            if (built == 0) {
                                break;
                            }
                            out.printf("rebuild shard %d: built %d deferred index(es) in %d ms%n", shard, built,
                                    (System.nanoTime() - b0) / 1_000_000);
                        }
                    }
                    // Cut-over: fence blue, catch green up past blue's final checkpoints, publish.
                    final long fenceStart = System.nanoTime();
                    try (Connection blue = p.open(blueUrl)) {
                        ShardRedirects.fence(blue);
                        final Map<Integer, Long> blueFinal = Platform.checkpoints(blue);
                        replayer.replay(restrict(p.logEnd(), partitions));
                        final Map<Integer, Long> greenNow = p.checkpoints(greenUrl);
                        for (int partition : partitions) {
                            if (greenNow.getOrDefault(partition, 0L) < blueFinal.getOrDefault(partition, 0L)) {
                                ShardRedirects.unfence(blue);
                                throw new CtlException("green " + greenDb + " is behind blue " + blueDb + " on partition "
                                        + partition + " (" + greenNow.get(partition) + " < " + blueFinal.get(partition)
                                        + "); fence lifted, nothing switched");
                            }
                        }
                        final int version = ShardRedirects.publish(blue, greenUrl);
                        ticker.shutdownNow();
                        progress.print();
                        out.printf("rebuild shard %d: SWITCHED %s -> %s (redirect version %d; projector writes were fenced"
                                        + " for %d ms); blue final checkpoints %s, green %s%n", shard, blueDb, greenDb, version,
                                (System.nanoTime() - fenceStart) / 1_000_000, blueFinal, greenNow);
                    }
                } finally {
                    ticker.shutdownNow();
                }
                out.printf("rebuild shard %d: done in %.1f s, %,d events replayed by this run (%,d rejected by the"
                                + " projector's rules; %,d message rows loaded by COPY). Services follow within chat.shards.redirect-poll-ms; set"
                                + " chat.shards.jdbc-urls[%d] to %s before dropping %s.%n", shard,
                        (System.nanoTime() - t0) / 1e9, replayer.events(), replayer.rejected(), sink.copiedMessages(), shard,
                        greenUrl, blueDb);
                out.flush();
            }
        } catch (SQLException e) {
            throw new CtlException("rebuild of shard " + shard + " failed: " + e.getMessage(), e);
        }
        return ChatCtl.OK;
    }

    static Map<Integer, Long> restrict(final Map<Integer, Long> end, final List<Integer> partitions) {
        final Map<Integer, Long> out = new TreeMap<>();
        partitions.forEach(partition -> out.put(partition, end.getOrDefault(partition, 0L)));
        return out;
    }

    static long lag(final Map<Integer, Long> end, final Map<Integer, Long> checkpoints, final List<Integer> partitions) {
        long lag = 0;
        for (int partition : partitions) {
            lag += Math.max(0, end.getOrDefault(partition, 0L) - checkpoints.getOrDefault(partition, 0L));
        }
        return lag;
    }

    /** Prints {@code events, events/s, lag, ETA} lines. */
    private final class Progress {
        private final Platform p;
        private final List<Integer> partitions;
        private final String greenUrl;
        private final Replayer replayer;
        private final PrintWriter out;
        private long lastEvents;
        private long lastNanos = System.nanoTime();

        Progress(final Platform p, final List<Integer> partitions, final String greenUrl, final Replayer replayer,
                 final PrintWriter out) {
            this.p = p;
            this.partitions = partitions;
            this.greenUrl = greenUrl;
            this.replayer = replayer;
            this.out = out;
        }

        synchronized void print() {
            try {
                final long now = System.nanoTime();
                final long events = replayer.events();
                final double rate = (events - lastEvents) / Math.max(1e-9, (now - lastNanos) / 1e9);
                lastEvents = events;
                lastNanos = now;
                final long lag = lag(p.logEnd(), p.checkpoints(greenUrl), partitions);
                out.printf("rebuild shard %d: %,d events replayed, %,.0f events/s, lag %,d events, ETA %s%n", shard, events,
                        rate, lag, rate > 0 ? String.format("%.1f s", lag / rate) : "-");
                out.flush();
            } catch (RuntimeException e) {
                out.println("rebuild shard " + shard + ": progress unavailable: " + e.getMessage());
            }
        }
    }
}
