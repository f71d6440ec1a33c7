package chat.ctl;

import chat.common.redis.ReadCacheKeys;
import chat.common.shard.ShardMap;
import chat.projector.sink.JdbcShardSink;
import chat.schemas.Topics;
import io.lettuce.core.RedisClient;
import io.lettuce.core.ScriptOutputType;
import io.lettuce.core.api.StatefulRedisConnection;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.common.TopicPartition;
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
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.regex.Pattern;

/**
 * {@code chatctl region bootstrap --target <db set>}: builds a complete, empty region's read models
 * from the log with the projector's code, to the same state as the source region at the same
 * positions, and proves it.
 * <ol>
 *   <li>targets: one database per shard of the source map ({@code chat_<name>_shard_<n>} on
 *       {@code --target-server}, or explicit URLs); deterministic, so a rerun after a crash resumes
 *       them from their checkpoints ({@code --restart} drops them);</li>
 *   <li>records the log end E and replays every partition into the targets up to E (from
 *       {@code --log-bootstrap-servers}, e.g. the region's MirrorMaker 2 mirror, default the source's Kafka);</li>
 *   <li>waits until the source shards' checkpoints reach E, then per shard takes ONE snapshot of the
 *       source (REPEATABLE READ: checkpoints C and checksums together), replays the target on to
 *       exactly C and compares per table (the {@code verify} checksum): {@code EQUAL} / {@code DIFFERENT};</li>
 *   <li>with {@code --redis-uri}: sets the target region's read cache of every partition to a fresh
 *       epoch continuing at the target's checkpoint (entries fill from the target shards on first read,
 *       the region's projector writes through from there);</li>
 *   <li>writes the region's shard map file and prints its service configuration.</li>
 * </ol>
 * Exit 0 equal, 1 different (targets kept for inspection), 2 usage/connection error or timeout.
 */
@Command(name = "bootstrap", mixinStandardHelpOptions = true,
        description = {"Builds a complete, empty region's read models (every shard of a target database set, and its Redis",
                "read cache state with --redis-uri) from the log, to the same state as the source region at the same",
                "positions, and compares per table per shard. Exit 0 equal, 1 different, 2 error. Safe to kill and rerun."})
final class RegionBootstrapCommand implements Callable<Integer> {
    private static final Pattern NAME = Pattern.compile("[a-z][a-z0-9_]{0,30}");

    @Mixin
    PlatformOptions platform;

    @Option(names = "--target", required = true, paramLabel = "DB-SET",
            description = {"The target region's databases: a name (databases chat_<name>_shard_<n> on --target-server)",
                    "or one JDBC URL per shard of the source map, comma separated, in shard order."})
    String target;

    @Option(names = "--target-server", paramLabel = "JDBC-URL",
            description = "Any JDBC URL of the server that holds a named --target (default: the server of source shard 0).")
    String targetServer;

    @Option(names = "--log-bootstrap-servers", paramLabel = "HOST:PORT",
            description = "Kafka with the log to replay, e.g. the target region's mirror (offsets as in the source); default --bootstrap-servers.")
    String logBootstrapServers;

    @Option(names = "--redis-uri", paramLabel = "URI",
            description = "The target region's Redis (read cache); its per-partition state starts at the target's checkpoints.")
    String redisUri;

    @Option(names = "--map-file-out", paramLabel = "FILE",
            description = "Where the region's shard map is written. Default: shard-map.<name>.json next to --shard-map.")
    String mapFileOut;

    @Option(names = "--restart", description = "Drop target databases of an earlier run instead of resuming them.")
    boolean restart;

    @Option(names = "--wait", defaultValue = "120", paramLabel = "SECONDS",
            description = "How long to wait for the source shards to reach the recorded log end (default ${DEFAULT-VALUE}).")
    long waitSeconds;

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
            final ShardMap map = p.map();
            final List<String> sourceUrls = new ArrayList<>();
            for (int s = 0; s < map.shards(); s++) {
                sourceUrls.add(p.currentUrl(s));
            }
            final List<String> targets = targets(sourceUrls, map.shards());
            for (String url : targets) {
                final String db = Pg.database(url);
                if (Pg.exists(url, db, p.user(), p.password())) {
                    if (restart) {
                        Pg.drop(url, db, p.user(), p.password());
                        Pg.create(url, db, p.user(), p.password());
                        out.printf("region bootstrap: dropped and recreated %s%n", db);
                    } else {
                        out.printf("region bootstrap: resuming %s at %s%n", db, p.checkpoints(url));
                    }
                } else {
                    Pg.create(url, db, p.user(), p.password());
                }
            }
            final String log = logBootstrapServers == null || logBootstrapServers.isBlank() ? p.bootstrapServers() : logBootstrapServers;
            final List<Integer> all = new ArrayList<>();
            for (int s = 0; s < map.shards(); s++) {
                all.add(s);
            }
            out.printf("region bootstrap: %d shards (map v%d) from the log at %s into %s%n", map.shards(), map.version(), log,
                    targets.stream().map(Pg::database).toList());
            out.flush();
            final Map<Integer, Long> end = logEnd(log, p.partitions());
            out.println("region bootstrap: recorded log end offsets " + end);
            boolean equal = true;
            final Map<Integer, Long> at = new TreeMap<>();
            try (ScratchPools pools = new ScratchPools(p, targets, all, replay.parallelism + 1, true)) {
                final Replayer replayer = new Replayer(log, JdbcShardSink.forReplay(map, pools::shard), replay.batchSize, replay.parallelism)
                        .withMaxRate(replay.maxRate);
                final ScheduledExecutorService ticker = progress(p, targets, end, replayer, out);
                try {
                    // 1. Every partition up to the recorded log end.
                    replayer.replay(end);
                } finally {
                    ticker.shutdownNow();
                }
                final int built = pools.restoreIndexes();
                out.printf("region bootstrap: replayed %,d events in %.1f s (%d deferred index(es) built)%n", replayer.events(),
                        (System.nanoTime() - t0) / 1e9, built);
                // 2. The source region must have reached it too; 3. compare each shard at the source's own positions.
                awaitSource(p, sourceUrls, end);
                final TextTable table = new TextTable("shard", "table", "source rows", "source checksum", "target rows",
                        "target checksum", "result");
                for (int s = 0; s < map.shards(); s++) {
                    final Map<Integer, Long> c;
                    final Map<String, TableChecksums.Sum> source;
                    try (Connection conn = p.open(sourceUrls.get(s))) {
                        conn.setAutoCommit(false);
                        conn.setTransactionIsolation(Connection.TRANSACTION_REPEATABLE_READ);
                        c = Platform.checkpoints(conn);
                        source = TableChecksums.of(conn);
                        conn.commit();
                    }
                    final Map<Integer, Long> until = new HashMap<>();
                    for (int partition : map.partitionsOf(s)) {
                        until.put(partition, c.getOrDefault(partition, 0L));
                    }
                    replayer.replay(until);
                    at.putAll(until);
                    final Map<String, TableChecksums.Sum> copy;
                    try (Connection conn = p.open(targets.get(s))) {
                        copy = TableChecksums.of(conn);
                    }
                    final TreeSet<String> tables = new TreeSet<>(source.keySet());
                    tables.addAll(copy.keySet());
                    for (String t : tables) {
                        final TableChecksums.Sum a = source.get(t);
                        final TableChecksums.Sum b = copy.get(t);
                        final boolean same = a != null && a.equals(b);
                        equal &= same;
                        table.row(s, t, a == null ? "-" : a.rows(), a == null ? "(missing)" : a.hash(),
                                b == null ? "-" : b.rows(), b == null ? "(missing)" : b.hash(), same ? "EQUAL" : "DIFFERENT");
                    }
                }
                table.print(out);
                if (replayer.rejected() > 0) {
                    out.printf("note: %,d records were rejected by the projector's rules (they are in %s)%n", replayer.rejected(),
                            Topics.DLQ);
                }
            }
            if (!equal) {
                out.printf("region bootstrap: DIFFERENT from the source at %s; targets kept for inspection, nothing written%n", at);
                out.flush();
                return ChatCtl.DIFFERENT;
            }
            if (redisUri != null && !redisUri.isBlank()) {
                final Map<Integer, Long> cps = ReshardCommand.checkpoints(p, targets);
                startReadCache(redisUri, p.partitions(), cps);
                out.printf("region bootstrap: read cache at %s: %d partitions start a fresh epoch at the target's checkpoints%n",
                        redisUri.replaceAll("//[^@/]*@", "//***@"), p.partitions());
            }
            final Path mapFile = mapFileOut != null ? Path.of(mapFileOut)
                    : Path.of(platform.shardMap()).toAbsolutePath().resolveSibling("shard-map." + fileName() + ".json");
            writeAtomically(mapFile, map.toJson());
            out.printf("region bootstrap: BOOTSTRAPPED at the source's positions %s in %.1f s%n", at, (System.nanoTime() - t0) / 1e9);
            out.printf("region bootstrap: start the region's services with%n  chat.shards.map-file=%s%n  chat.shards.jdbc-urls=%s%n",
                    mapFile, String.join(",", targets));
            out.println("region bootstrap: search index: run `chatctl search rebuild` against the region's search-indexer");
            out.flush();
            return ChatCtl.OK;
        }
    }

    private List<String> targets(final List<String> sourceUrls, final int shards) {
        final List<String> urls = new ArrayList<>();
        if (target.contains("jdbc:")) {
            for (String u : target.split(",")) {
                if (!u.isBlank()) {
                    urls.add(u.trim());
                }
            }
            if (urls.size() != shards) {
                throw new CommandLine.ParameterException(spec.commandLine(), "--target lists " + urls.size()
                        + " JDBC URLs but the source map has " + shards + " shards");
            }
        } else {
            if (!NAME.matcher(target).matches()) {
                throw new CommandLine.ParameterException(spec.commandLine(), "--target " + target
                        + " is neither a name ([a-z][a-z0-9_]{0,30}) nor a list of JDBC URLs");
            }
            final String server = targetServer == null || targetServer.isBlank() ? sourceUrls.get(0) : targetServer;
            for (int s = 0; s < shards; s++) {
                urls.add(Pg.withDatabase(server, "chat_" + target + "_shard_" + s));
            }
        }
        if (new TreeSet<>(urls).size() != urls.size()) {
            throw new CommandLine.ParameterException(spec.commandLine(), "--target names a database twice: " + urls);
        }
        for (String url : urls) {
            Pg.database(url); // a postgresql URL with a valid database name, else a clear error
            if (sourceUrls.contains(url)) {
                throw new CommandLine.ParameterException(spec.commandLine(), "target " + url + " is a live source shard database");
            }
        }
        return List.copyOf(urls);
    }

    private String fileName() {
        return target.contains("jdbc:") ? "region" : target;
    }

    private ScheduledExecutorService progress(final Platform p, final List<String> targets, final Map<Integer, Long> end,
                                              final Replayer replayer, final PrintWriter out) {
        final ScheduledExecutorService ticker = Executors.newSingleThreadScheduledExecutor(r -> {
            final Thread t = new Thread(r, "region-progress");
            t.setDaemon(true);
            return t;
        });
        final long started = System.nanoTime();
        ticker.scheduleAtFixedRate(() -> {
            try {
                final long lag = ReshardCommand.lag(end, ReshardCommand.checkpoints(p, targets));
                final double rate = replayer.events() / Math.max(1e-9, (System.nanoTime() - started) / 1e9);
                out.printf("region bootstrap: %,d events replayed, %,.0f events/s, lag %,d events, ETA %s%n", replayer.events(), rate,
                        lag, rate > 0 ? String.format("%.1f s", lag / rate) : "-");
                out.flush();
            } catch (RuntimeException e) {
                out.println("region bootstrap: progress unavailable: " + e.getMessage());
            }
        }, replay.progressMs, replay.progressMs, TimeUnit.MILLISECONDS);
        return ticker;
    }

    private void awaitSource(final Platform p, final List<String> sourceUrls, final Map<Integer, Long> end) throws InterruptedException {
        final long deadline = System.nanoTime() + Duration.ofSeconds(waitSeconds).toNanos();
        while (true) {
            final long behind = ReshardCommand.lag(end, ReshardCommand.checkpoints(p, sourceUrls));
            if (behind == 0) {
                return;
            }
            if (System.nanoTime() > deadline) {
                throw new CtlException("the source region's shards did not reach the recorded log end within " + waitSeconds
                        + " s (" + behind + " events behind; see chatctl lag)");
            }
            Thread.sleep(200); // polling the source checkpoints
        }
    }

    /** partition -> log end offset of chat.events at {@code bootstrap}. */
    private static Map<Integer, Long> logEnd(final String bootstrap, final int partitions) {
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap,
                AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, 10_000,
                AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, 15_000))) {
            final Map<TopicPartition, OffsetSpec> spec = new HashMap<>();
            for (int p = 0; p < partitions; p++) {
                spec.put(new TopicPartition(Topics.EVENTS, p), OffsetSpec.latest());
            }
            final Map<Integer, Long> out = new TreeMap<>();
            admin.listOffsets(spec).all().get(20, TimeUnit.SECONDS).forEach((tp, info) -> out.put(tp.partition(), info.offset()));
            return out;
        } catch (ExecutionException | TimeoutException e) {
            throw new CtlException("cannot list the end offsets of " + Topics.EVENTS + " at " + bootstrap + ": " + e, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new CtlException("interrupted", e);
        }
    }

    /**
     * The read cache's per-partition state (ReadCacheKeys, owned by the read-cache code) set to a fresh
     * epoch continuing at {@code checkpoints}: no entry of an earlier epoch can be served, reads fill
     * from the target shards, and the region's projector's first write-through continues without a gap.
     */
    private static void startReadCache(final String uri, final int partitions, final Map<Integer, Long> checkpoints) {
        final RedisClient client = RedisClient.create(uri);
        try (StatefulRedisConnection<String, String> c = client.connect()) {
            for (int p = 0; p < partitions; p++) {
                ReadCacheKeys.eval(c.sync(), ReadCacheKeys.INVALIDATE, ScriptOutputType.INTEGER, ReadCacheKeys.state(p),
                        ReadCacheKeys.prefix(p), ReadCacheKeys.newEpoch(), Long.toString(checkpoints.getOrDefault(p, 0L)));
            }
        } catch (RuntimeException e) {
            throw new CtlException("cannot set the read cache state at " + uri.replaceAll("//[^@/]*@", "//***@") + ": " + e.getMessage(), e);
        } finally {
            client.shutdown();
        }
    }

    private static void writeAtomically(final Path file, final String text) {
        try {
            final Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
            Files.writeString(tmp, text + "\n");
            Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            throw new CtlException("cannot write the region's shard map to " + file + ": " + e.getMessage(), e);
        }
    }
}
