package chat.ctl;

import chat.projector.sink.JdbcShardSink;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

import java.io.PrintWriter;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.Callable;

/**
 * {@code chatctl verify}: a content checksum per table per shard ({@link TableChecksums}); with
 * {@code --against-replay}, a comparison with a fresh replay of the log into scratch databases.
 *
 * <p>Positions: the log end offsets E are recorded first and the scratch databases are filled up
 * to E; then chatctl waits until the live checkpoints reach E, takes ONE snapshot per live shard
 * (REPEATABLE READ: its checkpoints C >= E and its checksums together), replays the scratch copy
 * on to exactly C, and compares. So the comparison is exact even while traffic goes on.
 */
@Command(name = "verify", mixinStandardHelpOptions = true,
        description = {"Prints a content checksum per table per shard (order-independent, wall-clock bookkeeping excluded).",
                "With --against-replay, replays the log into fresh scratch databases with the projector's code and compares.",
                "Exit code: 0 equal, 1 different (named in the output), 2 usage/connection error or not caught up in time."})
final class VerifyCommand implements Callable<Integer> {
    @Mixin
    PlatformOptions platform;

    @Option(names = "--against-replay", description = "Compare every shard with a fresh replay of its partitions.")
    boolean againstReplay;

    @Option(names = "--shard", paramLabel = "N", description = "Only these shards (repeatable; default all).")
    List<Integer> shards;

    @Option(names = "--keep", description = "Keep the scratch databases (default: dropped afterwards).")
    boolean keep;

    @Option(names = "--wait", defaultValue = "120", paramLabel = "SECONDS",
            description = "How long to wait for the live projector to reach the recorded positions (default ${DEFAULT-VALUE}).")
    long waitSeconds;

    @Option(names = "--batch-size", defaultValue = "5000", description = "Events per replay transaction (default ${DEFAULT-VALUE}).")
    int batchSize;

    @Option(names = "--parallelism", defaultValue = "3", description = "Partitions replayed at once, each with its own consumer, thread and connection (default ${DEFAULT-VALUE}).")
    int parallelism;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        final PrintWriter out = spec.commandLine().getOut();
        ReplayOptions.check(spec.commandLine(), batchSize, parallelism);
        try (Platform p = platform.connect()) {
            final List<Integer> selected = selectedShards(p);
            return againstReplay ? againstReplay(p, selected, out) : checksumsOnly(p, selected, out);
        }
    }

    private List<Integer> selectedShards(final Platform p) {
        final List<Integer> all = new ArrayList<>();
        for (int s = 0; s < p.map().shards(); s++) {
            all.add(s);
        }
        if (shards == null || shards.isEmpty()) {
            return all;
        }
        for (int s : shards) {
            if (s < 0 || s >= p.map().shards()) {
                throw new picocli.CommandLine.ParameterException(spec.commandLine(),
                        "--shard " + s + " is outside 0.." + (p.map().shards() - 1));
            }
        }
        return List.copyOf(new TreeSet<>(shards));
    }

    private int checksumsOnly(final Platform p, final List<Integer> selected, final PrintWriter out) throws SQLException {
        final TextTable table = new TextTable("shard", "table", "rows", "checksum", "database");
        for (int s : selected) {
            final String url = p.currentUrl(s);
            try (Connection c = p.open(url)) {
                for (Map.Entry<String, TableChecksums.Sum> e : TableChecksums.of(c).entrySet()) {
                    table.row(s, e.getKey(), e.getValue().rows(), e.getValue().hash(), Pg.database(url));
                }
            }
        }
        table.print(out);
        return ChatCtl.OK;
    }

    private int againstReplay(final Platform p, final List<Integer> selected, final PrintWriter out) throws Exception {
        final long t0 = System.nanoTime();
        final Map<Integer, Long> end = p.logEnd();
        out.println("recorded log end offsets: " + end);
        final String prefix = "verify_" + LocalDateTime.now().format(DateTimeFormatter.ofPattern("yyyyMMdd_HHmmss")) + "_shard_";
        final List<String> liveUrls = new ArrayList<>();
        final List<String> scratchUrls = new ArrayList<>();
        for (int s = 0; s < p.map().shards(); s++) {
            final String live = p.currentUrl(s);
            liveUrls.add(live);
            scratchUrls.add(Pg.withDatabase(live, prefix + s));
        }
        final List<String> created = new ArrayList<>();
        boolean equal = true;
        try {
            for (int s : selected) {
                Pg.create(scratchUrls.get(s), prefix + s, p.user(), p.password());
                created.add(scratchUrls.get(s));
            }
            try (ScratchPools scratch = new ScratchPools(p, scratchUrls, selected, parallelism + 1, true)) {
                final JdbcShardSink sink = JdbcShardSink.forReplay(p.map(), scratch::shard);
                final Replayer replayer = new Replayer(p.bootstrapServers(), sink, batchSize, parallelism);
                // 1. Scratch copies up to the recorded end offsets.
                replayer.replay(partitionsOf(p, selected, end));
                out.printf("replayed %,d events into %d scratch databases (%s*) in %.1f s%n", replayer.events(), selected.size(),
                        prefix, (System.nanoTime() - t0) / 1e9);
                out.printf("replay writer: %,d message rows loaded by COPY, %,d message groups written by INSERT instead"
                        + " (COPY refused: e.g. a message id seen twice)%n", sink.copiedMessages(), sink.copyFallbacks());
                // 2. The live projector must have reached them too.
                awaitLive(p, selected, liveUrls, end, out);
                // 3. One snapshot per live shard; scratch replayed on to exactly its checkpoints.
                final TextTable table = new TextTable("shard", "table", "live rows", "live checksum", "replay rows",
                        "replay checksum", "result");
                for (int s : selected) {
                    final Map<Integer, Long> at;
                    final Map<String, TableChecksums.Sum> live;
                    try (Connection c = p.open(liveUrls.get(s))) {
                        c.setAutoCommit(false);
                        c.setTransactionIsolation(Connection.TRANSACTION_REPEATABLE_READ);
                        at = Platform.checkpoints(c);
                        live = TableChecksums.of(c);
                        c.commit();
                    }
                    final Map<Integer, Long> until = new HashMap<>();
                    for (int partition : p.map().partitionsOf(s)) {
                        until.put(partition, at.getOrDefault(partition, 0L));
                    }
                    replayer.replay(until);
                    final Map<String, TableChecksums.Sum> replay;
                    try (Connection c = p.open(scratchUrls.get(s))) {
                        replay = TableChecksums.of(c);
                    }
                    final TreeSet<String> tables = new TreeSet<>(live.keySet());
                    tables.addAll(replay.keySet());
                    for (String t : tables) {
                        final TableChecksums.Sum a = live.get(t);
                        final TableChecksums.Sum b = replay.get(t);
                        final boolean same = a != null && a.equals(b);
                        equal &= same;
                        table.row(s, t, a == null ? "-" : a.rows(), a == null ? "(missing)" : a.hash(),
                                b == null ? "-" : b.rows(), b == null ? "(missing)" : b.hash(), same ? "EQUAL" : "DIFFERENT");
                    }
                }
                table.print(out);
                if (keep) {
                    scratch.restoreIndexes(); // a kept copy has the full schema
                }
                if (replayer.rejected() > 0) {
                    out.printf("note: %,d records were rejected by the projector's rules (they are in %s)%n",
                            replayer.rejected(), chat.schemas.Topics.DLQ);
                }
            }
        } finally {
            if (keep) {
                out.println("kept scratch databases: " + created.stream().map(Pg::database).toList());
            } else {
                for (String url : created) {
                    Pg.drop(url, Pg.database(url), p.user(), p.password());
                }
            }
        }
        out.printf("verify: %s (%.1f s)%n", equal ? "EQUAL" : "DIFFERENT", (System.nanoTime() - t0) / 1e9);
        out.flush();
        return equal ? ChatCtl.OK : ChatCtl.DIFFERENT;
    }

    private static Map<Integer, Long> partitionsOf(final Platform p, final List<Integer> shards, final Map<Integer, Long> end) {
        final Map<Integer, Long> out = new TreeMap<>();
        for (int s : shards) {
            for (int partition : p.map().partitionsOf(s)) {
                out.put(partition, end.getOrDefault(partition, 0L));
            }
        }
        return out;
    }

    private void awaitLive(final Platform p, final List<Integer> selected, final List<String> liveUrls,
                           final Map<Integer, Long> end, final PrintWriter out) throws InterruptedException {
        final long deadline = System.nanoTime() + Duration.ofSeconds(waitSeconds).toNanos();
        while (true) {
            final List<String> behind = new ArrayList<>();
            for (int s : selected) {
                final Map<Integer, Long> cp = p.checkpoints(liveUrls.get(s));
                for (int partition : p.map().partitionsOf(s)) {
                    final long want = end.getOrDefault(partition, 0L);
                    final long have = cp.getOrDefault(partition, 0L);
                    if (have < want) {
                        behind.add("p" + partition + "@shard" + s + " " + have + "<" + want);
                    }
                }
            }
            if (behind.isEmpty()) {
                return;
            }
            if (System.nanoTime() > deadline) {
                throw new CtlException("the live projector did not reach the recorded positions within " + waitSeconds
                        + " s: " + behind + " (see chatctl lag)");
            }
            Thread.sleep(200); // polling the live checkpoints
        }
    }
}
