package chat.dev.it.ops;

import chat.ctl.ChatCtl;
import chat.dev.DevStack;
import chat.dev.it.TestStack;
import org.junit.jupiter.api.Test;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;

import static org.assertj.core.api.Assertions.assertThat;

/** {@code chatctl verify}: checksums per table per shard, and the comparison against a fresh replay. */
class VerifyIT {

    @Test
    void givenProjectedTraffic_whenVerifiedAgainstReplay_thenEqualAndScratchDropped_andACorruptedRowIsNamed() throws Exception {
        // Given: messages in every shard, acknowledged by ingest.
        final DevStack stack = TestStack.get();
        final List<CompletableFuture<String>> posts = new ArrayList<>();
        for (int i = 0; i < 240; i++) {
            posts.add(Ops.post(stack, "verify-" + (i % 24), "c" + (i % 3), "verify " + i));
        }
        assertThat(posts.stream().map(CompletableFuture::join).filter(id -> id != null).count()).isEqualTo(240);

        // When: checksums only.
        final Ops.Run sums = Ops.ctl(stack, "verify");
        assertThat(sums.exitCode()).as(sums.toString()).isZero();
        for (int s = 0; s < stack.shardMap().shards(); s++) {
            assertThat(sums.out()).as(sums.toString()).containsPattern("(?m)^" + s + "\\s+messages\\s+\\d+\\s+[0-9a-f]{30}");
        }

        // When: against a replay of the whole log.
        final Ops.Run equal = Ops.ctl(stack, "verify", "--against-replay");
        // Then
        assertThat(equal.exitCode()).as(equal.toString()).isEqualTo(ChatCtl.OK);
        assertThat(equal.out()).contains("verify: EQUAL").doesNotContain("DIFFERENT");
        for (String table : List.of("messages", "channels", "projection_checkpoint", "teams")) {
            assertThat(equal.out()).as(table).containsPattern("(?m)^0\\s+" + table + "\\s.*EQUAL$");
        }
        assertThat(scratchDatabases(stack)).as("scratch databases dropped").isEmpty();

        // Given: one row of one shard changed behind the projector's back.
        final int partition = stack.shardMap().partitions() - 1;
        final int shard = stack.shardMap().shardOf(partition);
        final String url = stack.shardJdbcUrls().get(shard);
        String team = null;
        String messageId = null;
        String text = null;
        try (Connection c = Ops.open(stack, url);
             PreparedStatement ps = c.prepareStatement("SELECT team_id, message_id, text FROM messages"
                     + " WHERE team_id LIKE 'verify-%' AND text IS NOT NULL LIMIT 1");
             ResultSet rs = ps.executeQuery()) {
            assertThat(rs.next()).isTrue();
            team = rs.getString(1);
            messageId = rs.getString(2);
            text = rs.getString(3);
        }
        setText(stack, url, team, messageId, text + " (tampered)");
        try {
            // When
            final Ops.Run different = Ops.ctl(stack, "verify", "--against-replay", "--shard", Integer.toString(shard), "--keep");
            // Then: exit 1, the table and shard named, the others equal; scratch kept on request.
            assertThat(different.exitCode()).as(different.toString()).isEqualTo(ChatCtl.DIFFERENT);
            assertThat(different.out()).containsPattern("(?m)^" + shard + "\\s+messages\\s.*DIFFERENT$")
                    .containsPattern("(?m)^" + shard + "\\s+channels\\s.*EQUAL$")
                    .contains("verify: DIFFERENT");
            assertThat(scratchDatabases(stack)).hasSize(1).allMatch(db -> db.endsWith("_shard_" + shard));
        } finally {
            setText(stack, url, team, messageId, text);
            for (String db : scratchDatabases(stack)) {
                try (Connection c = Ops.open(stack, stack.postgres().jdbcUrl("postgres"))) {
                    c.createStatement().execute("DROP DATABASE " + db + " WITH (FORCE)");
                }
            }
        }
    }

    @Test
    void givenBadArguments_whenRun_thenExitCode2() {
        final DevStack stack = TestStack.get();
        assertThat(Ops.ctl(stack, "verify", "--shard", "99").exitCode()).isEqualTo(ChatCtl.ERROR);
        assertThat(Ops.ctl(stack, "verify", "--no-such-option").exitCode()).isEqualTo(ChatCtl.ERROR);
        assertThat(ChatCtl.run(new String[]{"verify", "--bootstrap-servers", stack.bootstrapServers(),
                "--jdbc-urls", "jdbc:postgresql://127.0.0.1:1/nowhere,jdbc:postgresql://127.0.0.1:1/a,"
                        + "jdbc:postgresql://127.0.0.1:1/b,jdbc:postgresql://127.0.0.1:1/c",
                "--shard-map", "/nonexistent"}, new java.io.PrintWriter(new java.io.StringWriter()),
                new java.io.PrintWriter(new java.io.StringWriter()))).as("shard database unreachable").isEqualTo(ChatCtl.ERROR);
    }

    private static void setText(final DevStack stack, final String url, final String team, final String messageId,
                                final String text) throws Exception {
        try (Connection c = Ops.open(stack, url);
             PreparedStatement ps = c.prepareStatement("UPDATE messages SET text = ? WHERE team_id = ? AND message_id = ?")) {
            ps.setString(1, text);
            ps.setString(2, team);
            ps.setString(3, messageId);
            assertThat(ps.executeUpdate()).isEqualTo(1);
        }
    }

    static List<String> scratchDatabases(final DevStack stack) throws Exception {
        final List<String> out = new ArrayList<>();
        try (Connection c = Ops.open(stack, stack.postgres().jdbcUrl("postgres"));
             ResultSet rs = c.createStatement().executeQuery("SELECT datname FROM pg_database WHERE datname LIKE 'verify\\_%'")) {
            while (rs.next()) {
                out.add(rs.getString(1));
            }
        }
        return out;
    }
}
