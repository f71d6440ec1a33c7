package chat.ctl;

import chat.common.shard.ShardMap;
import chat.common.shard.ShardMapSwitch;
import chat.common.shard.ShardRedirects;
import chat.projector.sink.JdbcShardSink;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import java.util.concurrent.Callable;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * {@code chatctl reshard --to S'}: moves the read models to a new shard map (version + 1, S' shards,
 * partition mod S') by replaying EVERY partition into S' new databases with the projector's code.
 * <ol>
 *   <li>targets: {@code chat_m<version>_shard_<n>} on the server of shard 0 (or {@code --target-urls});
 *       deterministic names, so a rerun after a crash (even SIGKILL) resumes them from their checkpoints;</li>
 *   <li>replay, in passes, up to the LIVE shards' checkpoints (not the log end), until within
 *       {@code --catch-up-threshold} events of them;</li>
 *   <li>fence ALL old shards at once (projector writes fail with 40001 and are retried; reads go on);
 *       their checkpoints C are now final;</li>
 *   <li>replay the targets to exactly C and compare: per table, row count and the content checksum
 *       SUMMED over the old shards must equal the sum over the new ones (the checksum is a sum of
 *       row hashes, so it is additive across shards whatever the map). Different: fences lifted,
 *       exit 1, nothing switched;</li>
 *   <li>write the new map to {@code --new-map-file} and publish it with the target URLs as a
 *       {@link ShardMapSwitch} in every old shard. Running services follow it on their next redirect
 *       poll and switch map and pools atomically, without a restart: reads go from the old shards
 *       (state at C) to the targets (at least C), the projector's refused writes are retried into
 *       the targets from THEIR checkpoints (nothing lost, nothing applied twice). Once publishing has
 *       begun the fences are never lifted; a rerun after a crash completes the publication.</li>
 * </ol>
 */
@Command(name = "reshard", mixinStandardHelpOptions = true,
        description = {"Replays every partition into S' new databases under a new shard map (version+1), fences the old",
                "shards, verifies old == new (per table, summed over shards), writes the new map and publishes it in",
                "the old shards: running services switch to it live. Safe to kill and rerun: the rerun resumes."})
final class ReshardCommand implements Callable<Integer> {
    @Mixin
    PlatformOptions platform;

    @Option(names = "--to", required = true, paramLabel = "S'", description = "The new shard count (1..partitions).")
    int to;

    @Option(names = "--target-urls", split = ",", paramLabel = "URL",
            description = "JDBC URLs of the S' new databases, in new shard order. Default: chat_m<version>_shard_<n> on shard 0's server.")
    List<String> targetUrls;

    @Option(names = "--new-map-file", paramLabel = "FILE",
            description = "Where the new map is written. Default: shard-map.v<version>.json next to --shard-map.")
    String newMapFile;

    @Option(names = "--restart", description = "Drop half-built target databases of an earlier run instead of resuming them.")
    boolean restart;

    @Option(names = "--catch-up-threshold", defaultValue = "1000", paramLabel = "EVENTS",
            description = "Fence the old shards once the targets are this close to them (default ${DEFAULT-VALUE}).")
    long threshold;

    @Mixin
    ReplayOptions replay;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        final PrintWriter out = spec.commandLine().getOut();
        replay.check(spec.commandLine());
        final long t0 = System.nanoTime();
        try (Platform p = platform.connect()) {
            final ShardMap old = p.map();
            if (to < 1 || to > p.partitions()) {
                throw new CommandLine.ParameterException(spec.commandLine(), "--to " + to + " is outside 1.." + p.partitions());
            }
            if (!p.switchedFrom().isEmpty() && old.shards() == to) {
                return complete(p, out);
            }
            final ShardMap next = new ShardMap(old.version() + 1, to, ShardMap.modulo(p.partitions(), to).assignment());
            final List<String> oldUrls = new ArrayList<>();
            for (int s = 0; s < old.shards(); s++) {
                oldUrls.add(p.currentUrl(s));
            }
            final List<String> urls = targets(oldUrls.get(0), next.version());
            if (urls.size() != to) {
                throw new CommandLine.ParameterException(spec.commandLine(), "--target-urls lists " + urls.size() + " URLs for " + to + " shards");
            }
            for (String url : urls) {
                if (oldUrls.contains(url)) {
                    throw new CommandLine.ParameterException(spec.commandLine(), "target " + url + " is a live shard database");
                }
                final String db = Pg.database(url);
                if (Pg.exists(url, db, p.user(), p.password())) {
                    if (restart) {
                        Pg.drop(url, db, p.user(), p.password());
                        Pg.create(url, db, p.user(), p.password());
                        out.printf("reshard: dropped and recreated %s%n", db);
                    } else {
                        out.printf("reshard: resuming %s%n", db);
                    }
                } else {
                    Pg.create(url, db, p.user(), p.password());
                }
            }
            out.printf("reshard: map v%d (%d shards) -> v%d (%d shards), targets %s%n", old.version(), old.shards(),
                    next.version(), to, urls.stream().map(Pg::database).toList());
            out.flush();
            final List<Integer> shards = new ArrayList<>();
            for (int s = 0; s < to; s++) {
                shards.add(s);
            }
            try (ScratchPools pools = new ScratchPools(p, urls, shards, replay.parallelism + 1, true)) {
                final Replayer replayer = new Replayer(p.bootstrapServers(), JdbcShardSink.forReplay(next, pools::shard), replay.batchSize, replay.parallelism)
                        .withMaxRate(replay.maxRate);
                final ScheduledExecutorService ticker = Executors.newSingleThreadScheduledExecutor(r -> {
                    final Thread t = new Thread(r, "reshard-progress");
                    t.setDaemon(true);
                    return t;
                });
                final long started = System.nanoTime();
                ticker.scheduleAtFixedRate(() -> {
                    try {
                        final long lag = lag(checkpoints(p, oldUrls), checkpoints(p, urls));
                        final double rate = replayer.events() / Math.max(1e-9, (System.nanoTime() - started) / 1e9);
                        out.printf("reshard: %,d events replayed, %,.0f events/s, lag %,d events, ETA %s%n", replayer.events(), rate,
                                lag, rate > 0 ? String.format("%.1f s", lag / rate) : "-");
                        out.flush();
                    } catch (RuntimeException e) {
                        out.println("reshard: progress unavailable: " + e.getMessage());
                    }
                }, replay.progressMs, replay.progressMs, TimeUnit.MILLISECONDS);
                try {
                    for (int pass = 1; ; pass++) {
                        replayer.replay(checkpoints(p, oldUrls));
                        final long lag = lag(checkpoints(p, oldUrls), checkpoints(p, urls));
                        out.printf("reshard: pass %d done, %d events behind the live shards%n", pass, lag);
                        out.flush();
                        if (lag <= threshold) {
                            // Indexes deferred in fresh targets are built now, before the fence; then one more pass.
                            final long b0 = System.nanoTime();
                            final int built = pools.restoreIndexes();
                            if (built == 0) {
                                break;
                            }
                            out.printf("reshard: built %d deferred index(es) in %d ms%n", built, (System.nanoTime() - b0) / 1_000_000);
                        }
                    }
                    final long fenceStart = System.nanoTime();
                    fenceAll(p, oldUrls);
                    boolean publishing = false;
                    try {
                        final Map<Integer, Long> finalOld = checkpoints(p, oldUrls);
                        replayer.replay(finalOld);
                        final long replayedAt = System.nanoTime();
                        final Map<Integer, Long> nowNew = checkpoints(p, urls);
                        for (Map.Entry<Integer, Long> e : finalOld.entrySet()) {
                            if (!Objects.equals(nowNew.getOrDefault(e.getKey(), 0L), e.getValue())) {
                                throw new CtlException("target checkpoint of partition " + e.getKey() + " is " + nowNew.get(e.getKey())
                                        + ", not the old shards' final " + e.getValue() + "; fences lifted, nothing switched");
                            }
                        }
                        ticker.shutdownNow();
                        final java.util.concurrent.CompletableFuture<Map<String, TableChecksums.Sum>> oldSums =
                                java.util.concurrent.CompletableFuture.supplyAsync(() -> {
                                    try {
                                        return total(p, oldUrls);
                                    } catch (SQLException e) {
                                        throw new CtlException("cannot checksum the old shards: " + e.getMessage(), e);
                                    }
                                });
                        final Map<String, TableChecksums.Sum> after = total(p, urls);
                        final Map<String, TableChecksums.Sum> before;
                        try {
                            before = oldSums.join();
                        } catch (java.util.concurrent.CompletionException e) {
                            throw e.getCause() instanceof RuntimeException re ? re : e;
                        }
                        boolean equal = before.keySet().equals(after.keySet());
                        out.printf("%-22s %-40s %-40s %s%n", "table", "old (sum over shards)", "new (sum over shards)", "result");
                        for (String table : new java.util.TreeSet<>(before.keySet())) {
                            final boolean same = before.get(table).equals(after.get(table));
                            equal &= same;
                            out.printf("%-22s %-40s %-40s %s%n", table, before.get(table), after.get(table), same ? "EQUAL" : "DIFFERENT");
                        }
                        if (!equal) {
                            unfenceAll(p, oldUrls);
                            out.println("reshard: DIFFERENT at the old shards' final positions " + finalOld + "; fences lifted, nothing switched");
                            out.flush();
                            return ChatCtl.DIFFERENT;
                        }
                        final long comparedAt = System.nanoTime();
                        final Path mapFile = newMapFile != null ? Path.of(newMapFile)
                                : Path.of(platform.shardMap()).toAbsolutePath().resolveSibling("shard-map.v" + next.version() + ".json");
                        writeAtomically(mapFile, next.toJson());
                        // From the first publish on, some service may already route to the targets: the old
                        // shards must never take a write again, so no failure below may lift the fences.
                        publishing = true;
                        publishAll(p, oldUrls, new ShardMapSwitch.Switch(next, urls));
                        out.printf("reshard: RESHARDED at %s; map v%d published in the old shards after a fence of %d ms"
                                        + " (final replay %d ms, comparison %d ms)%n", finalOld, next.version(),
                                (System.nanoTime() - fenceStart) / 1_000_000, (replayedAt - fenceStart) / 1_000_000,
                                (comparedAt - replayedAt) / 1_000_000);
                        out.printf("reshard: running services switch to it live within chat.shards.redirect-poll-ms (no restart);"
                                + " to start services directly on the new map use%n  chat.shards.map-file=%s%n  chat.shards.jdbc-urls=%s%n",
                                mapFile, String.join(",", urls));
                        out.printf("reshard: done in %.1f s, %,d events replayed by this run (%,d rejected by the projector's rules)%n",
                                (System.nanoTime() - t0) / 1e9, replayer.events(), replayer.rejected());
                        out.flush();
                        return ChatCtl.OK;
                    } catch (RuntimeException | SQLException e) {
                        if (publishing) {
                            out.println("reshard: publishing the switch failed (" + e.getMessage() + "); the old shards stay"
                                    + " fenced: rerun the same command to complete it");
                            out.flush();
                        } else {
                            unfenceAll(p, oldUrls);
                        }
                        throw e;
                    }
                } finally {
                    ticker.shutdownNow();
                }
            }
        }
    }

    /**
     * A rerun after the switch was (maybe partly) published: the platform already follows map
     * {@code p.map()}; publish it into every old shard that lacks it (idempotent) and report.
     */
    private int complete(final Platform p, final PrintWriter out) throws SQLException {
        final List<String> urls = new ArrayList<>();
        for (int s = 0; s < p.map().shards(); s++) {
            urls.add(p.configuredUrl(s));
        }
        publishAll(p, p.switchedFrom(), new ShardMapSwitch.Switch(p.map(), urls));
        out.printf("reshard: RESHARDED already: map v%d (%d shards) is published in the old shards %s; nothing to replay%n",
                p.map().version(), p.map().shards(), p.switchedFrom().stream().map(Pg::database).toList());
        out.printf("reshard: to start services directly on the new map use%n  chat.shards.jdbc-urls=%s%n", String.join(",", urls));
        out.flush();
        return ChatCtl.OK;
    }

    private static void publishAll(final Platform p, final List<String> oldUrls, final ShardMapSwitch.Switch sw)
            throws SQLException {
        for (String url : oldUrls) {
            try (Connection c = p.open(url)) {
                ShardMapSwitch.publish(c, sw);
            }
        }
    }

    private List<String> targets(final String shard0Url, final int version) {
        if (targetUrls != null && !targetUrls.isEmpty()) {
            return targetUrls.stream().map(String::trim).toList();
        }
        final List<String> out = new ArrayList<>();
        for (int s = 0; s < to; s++) {
            out.add(Pg.withDatabase(shard0Url, "chat_m" + version + "_shard_" + s));
        }
        return out;
    }

    /** partition -> next offset over a set of databases (each partition lives in one of them). */
    static Map<Integer, Long> checkpoints(final Platform p, final List<String> urls) {
        final Map<Integer, Long> out = new TreeMap<>();
        for (String url : urls) {
            p.checkpoints(url).forEach((partition, offset) -> out.merge(partition, offset, Math::max));
        }
        return out;
    }

    static long lag(final Map<Integer, Long> reference, final Map<Integer, Long> target) {
        long lag = 0;
        for (Map.Entry<Integer, Long> e : reference.entrySet()) {
            lag += Math.max(0, e.getValue() - target.getOrDefault(e.getKey(), 0L));
        }
        return lag;
    }

    /**
     * Per table: rows and content checksum summed over the databases (the checksum is additive).
     * The databases are read concurrently (this runs inside the fence window).
     */
    static Map<String, TableChecksums.Sum> total(final Platform p, final List<String> urls) throws SQLException {
        final java.util.concurrent.ExecutorService pool = Executors.newFixedThreadPool(Math.min(4, urls.size()), r -> {
            final Thread t = new Thread(r, "reshard-checksum");
            t.setDaemon(true);
            return t;
        });
        try {
            final List<java.util.concurrent.Future<Map<String, TableChecksums.Sum>>> parts = new ArrayList<>();
            for (String url : urls) {
                parts.add(pool.submit(() -> {
                    try (Connection c = p.open(url)) {
                        return TableChecksums.of(c);
                    }
                }));
            }
            final Map<String, TableChecksums.Sum> out = new TreeMap<>();
            for (java.util.concurrent.Future<Map<String, TableChecksums.Sum>> f : parts) {
                f.get().forEach((table, sum) -> out.merge(table, sum, TableChecksums.Sum::plus));
            }
            return out;
        } catch (java.util.concurrent.ExecutionException e) {
            if (e.getCause() instanceof SQLException sql) {
                throw sql;
            }
            throw e.getCause() instanceof RuntimeException re ? re : new CtlException("checksum failed: " + e.getCause(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new CtlException("interrupted", e);
        } finally {
            pool.shutdownNow();
        }
    }

    private static void fenceAll(final Platform p, final List<String> urls) throws SQLException {
        final List<String> done = new ArrayList<>();
        try {
            for (String url : urls) {
                try (Connection c = p.open(url)) {
                    ShardRedirects.fence(c);
                }
                done.add(url);
            }
        } catch (SQLException | RuntimeException e) {
            unfenceAll(p, done);
            throw e;
        }
    }

    private static void unfenceAll(final Platform p, final List<String> urls) {
        for (String url : urls) {
            try (Connection c = p.open(url)) {
                ShardRedirects.unfence(c);
            } catch (SQLException | RuntimeException e) {
                System.err.println("reshard: cannot lift the fence of " + url + ": " + e.getMessage());
            }
        }
    }

    private static void writeAtomically(final Path file, final String text) {
        try {
            final Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
            Files.writeString(tmp, text + "\n");
            Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            throw new CtlException("cannot write the new shard map to " + file + ": " + e.getMessage(), e);
        }
    }
}
