package chat.ctl;

import org.junit.jupiter.api.Test;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class ChatCtlTest {

    @Test
    void givenUnknownCommandOrMissingOption_whenRun_thenExitCode2WithUsage() {
        final StringWriter err = new StringWriter();
        assertThat(ChatCtl.run(new String[]{"frobnicate"}, new PrintWriter(new StringWriter()), new PrintWriter(err)))
                .isEqualTo(ChatCtl.ERROR);
        assertThat(ChatCtl.run(new String[]{"shard", "rebuild"}, new PrintWriter(new StringWriter()),
                new PrintWriter(err))).isEqualTo(ChatCtl.ERROR);
        assertThat(err.toString()).contains("Missing required option: '--shard=N'");
    }

    @Test
    void givenNonPositiveParallelismOrBatchSize_whenAReplayCommandRuns_thenExitCode2BeforeConnecting() {
        // nothing listens on port 1: reaching the platform would fail differently (and create nothing anyway)
        final String[] connection = {"--bootstrap-servers", "127.0.0.1:1", "--jdbc-urls", "jdbc:postgresql://127.0.0.1:1/x"};
        for (String[] command : List.of(new String[]{"shard", "rebuild", "--shard", "0", "--parallelism", "0"},
                new String[]{"reshard", "--to", "2", "--batch-size", "0"},
                new String[]{"region", "bootstrap", "--target", "eu", "--parallelism", "-1"},
                new String[]{"verify", "--against-replay", "--batch-size", "0"},
                new String[]{"bench", "replay", "--parallelism", "0"})) {
            final StringWriter err = new StringWriter();
            final String[] args = java.util.stream.Stream.concat(java.util.Arrays.stream(command), java.util.Arrays.stream(connection))
                    .toArray(String[]::new);
            assertThat(ChatCtl.run(args, new PrintWriter(new StringWriter()), new PrintWriter(err)))
                    .as(String.join(" ", command) + ": " + err).isEqualTo(ChatCtl.ERROR);
            assertThat(err.toString()).as(String.join(" ", command)).contains("must be >= 1").doesNotContain("Exception");
        }
    }

    @Test
    void givenHelp_whenRun_thenExitCodesDocumented() {
        final StringWriter out = new StringWriter();
        assertThat(ChatCtl.run(new String[]{"--help"}, new PrintWriter(out), new PrintWriter(new StringWriter()))).isZero();
        assertThat(out.toString()).contains("verify").contains("lag").contains("shard")
                .contains("1   verify: a table differs");
    }

    @Test
    void givenJdbcUrl_whenDatabaseSwapped_thenHostAndParametersKept() {
        assertThat(Pg.database("jdbc:postgresql://h:5432/chat_shard_2?ssl=true")).isEqualTo("chat_shard_2");
        assertThat(Pg.withDatabase("jdbc:postgresql://h:5432/chat_shard_2?ssl=true", "chat_shard_2_g2"))
                .isEqualTo("jdbc:postgresql://h:5432/chat_shard_2_g2?ssl=true");
        assertThatThrownBy(() -> Pg.database("jdbc:mysql://h/x")).isInstanceOf(CtlException.class);
    }

    @Test
    void givenEndAndCheckpoints_whenLag_thenSumOfPositiveGapsOfTheShardsPartitions() {
        final Map<Integer, Long> end = Map.of(0, 100L, 4, 50L, 8, 10L, 1, 999L);
        final Map<Integer, Long> cp = Map.of(0, 90L, 4, 60L);
        assertThat(RebuildCommand.lag(end, cp, List.of(0, 4, 8))).isEqualTo(10 + 0 + 10);
        assertThat(RebuildCommand.restrict(end, List.of(0, 8, 12))).containsExactly(Map.entry(0, 100L), Map.entry(8, 10L),
                Map.entry(12, 0L));
    }
}
