package chat.dev.it.ops;

import chat.dev.DevStack;
import chat.dev.it.TestStack;
import org.junit.jupiter.api.Test;

import java.sql.Connection;
import java.time.Duration;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** {@code chatctl lag}: events and seconds behind, per partition and per shard. */
class LagIT {

    @Test
    void givenCaughtUpProjector_whenLag_thenZeroEverywhere() throws Exception {
        final DevStack stack = TestStack.get();
        for (int i = 0; i < 24; i++) {
            Ops.post(stack, "lag-" + i, "general", "lag " + i).join();
        }
        final Map<Integer, Long> end = Ops.logEnd(stack);
        await().atMost(Duration.ofSeconds(60)).until(() -> Ops.checkpoints(stack, stack.shardJdbcUrls()).entrySet()
                .containsAll(end.entrySet()));

        final Ops.Run lag = Ops.ctl(stack, "lag");

        assertThat(lag.exitCode()).as(lag.toString()).isZero();
        for (int p = 0; p < stack.shardMap().partitions(); p++) {
            // partition, shard, log end, checkpoint, events behind, seconds behind
            final Matcher m = Pattern.compile("(?m)^" + p + "\\s+(\\d+)\\s+(\\d+)\\s+(\\d+)\\s+(\\d+)\\s+([\\d.]+)$").matcher(lag.out());
            assertThat(m.find()).as(lag.toString()).isTrue();
            assertThat(Long.parseLong(m.group(2))).isGreaterThanOrEqualTo(end.getOrDefault(p, 0L));
            assertThat(m.group(4)).as("events behind, partition " + p).isEqualTo("0");
        }
    }

    @Test
    void givenAnEmptyCopyOfTheShards_whenLag_thenEveryEventIsBehindAndSecondsCountFromTheFirstUnapplied() throws Exception {
        // Given: empty (migrated) shard databases stand for a projector that applied nothing.
        final DevStack stack = TestStack.get();
        Ops.post(stack, "lag-x", "general", "hello").join();
        final long postedAt = System.currentTimeMillis();
        final StringBuilder urls = new StringBuilder();
        for (int s = 0; s < stack.shardMap().shards(); s++) {
            final String db = "lagtest_shard_" + s;
            stack.postgres().ensureDatabase(db);
            try (Connection c = Ops.open(stack, stack.postgres().jdbcUrl(db))) {
                c.createStatement().execute("CREATE TABLE IF NOT EXISTS projection_checkpoint (partition integer PRIMARY KEY,"
                        + " next_offset bigint NOT NULL, updated_at timestamptz NOT NULL DEFAULT now())");
            }
            urls.append(s == 0 ? "" : ",").append(stack.postgres().jdbcUrl(db));
        }
        final Map<Integer, Long> end = Ops.logEnd(stack);
        await().atMost(Duration.ofSeconds(10)).until(() -> System.currentTimeMillis() - postedAt >= 1100);

        // When
        final java.io.StringWriter out = new java.io.StringWriter();
        final int code = chat.ctl.ChatCtl.run(new String[]{"lag", "--bootstrap-servers", stack.bootstrapServers(),
                "--jdbc-urls", urls.toString(), "--db-user", stack.postgres().user(), "--db-password", "",
                "--shard-map", stack.options().dataDir().resolve("shard-map.json").toString()},
                new java.io.PrintWriter(out), new java.io.PrintWriter(new java.io.StringWriter()));

        // Then: every event is behind; the partition of lag-x is at least ~1 s behind.
        assertThat(code).as(out.toString()).isZero();
        long total = 0;
        double maxSeconds = 0;
        for (int p = 0; p < stack.shardMap().partitions(); p++) {
            final Matcher m = Pattern.compile("(?m)^" + p + "\\s+(\\d+)\\s+(\\d+)\\s+(\\d+)\\s+(\\d+)\\s+([\\d.]+)$").matcher(out.toString());
            assertThat(m.find()).as(out.toString()).isTrue();
            assertThat(Long.parseLong(m.group(3))).isZero();
            assertThat(Long.parseLong(m.group(4))).isEqualTo(Long.parseLong(m.group(2)));
            total += Long.parseLong(m.group(4));
            maxSeconds = Math.max(maxSeconds, Double.parseDouble(m.group(5)));
        }
        assertThat(total).isGreaterThanOrEqualTo(end.values().stream().mapToLong(Long::longValue).sum());
        assertThat(maxSeconds).isGreaterThanOrEqualTo(1.0);
        // Per shard lines: shard, partitions, events behind, seconds, database.
        assertThat(out.toString()).containsPattern("(?m)^0\\s+3\\s+\\d+\\s+[\\d.]+\\s+lagtest_shard_0$");
    }
}
