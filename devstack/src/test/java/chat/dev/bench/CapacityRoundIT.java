package chat.dev.bench;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code bench capacity} end to end on a short schedule: it starts the in-memory floor in its own JVM, warms it, runs a
 * find-max against it from another JVM, reports the figure, and leaves no process behind.
 */
class CapacityRoundIT {

    @Test
    void givenTheInMemoryFloor_whenARoundRuns_thenItReportsAFigureAndEndsEveryProcess(@TempDir final Path dir) throws Exception {
        final PrintStream stdout = System.out;
        final ByteArrayOutputStream captured = new ByteArrayOutputStream();
        final int code;
        System.setOut(new PrintStream(captured, true, StandardCharsets.UTF_8));
        try {
            code = CapacityRound.run(new String[] {"--servers", "mem", "--warm-seconds", "2", "--step-seconds", "2",
                    "--max-steps", "2", "--refine", "0", "--clients", "20", "--layouts", "2", "--out-dir", dir.toString()});
        } finally {
            System.setOut(stdout);
        }
        final String out = captured.toString(StandardCharsets.UTF_8);
        stdout.print(out);
        assertThat(code).as(out).isZero();
        // 20 clients over 2 teams: 10 subscribers per post; the first step posts 100/s, so at least 1,000 deliveries/s.
        assertThat(out).containsPattern("\\| round 1, 2 x 10 \\| [0-9,]+ \\|");
        final long figure = CapacityRound.maxPassing(Files.readString(dir.resolve("r1-mem-2.out")));
        assertThat(figure).isGreaterThanOrEqualTo(1_000);
        assertThat(dir.resolve("r1-mem-warm1.out")).exists();
        // The embedded stack of other tests may be this JVM's children too; only the round's JVMs count here.
        assertThat(ProcessHandle.current().descendants().filter(ProcessHandle::isAlive)
                .filter(h -> h.info().arguments().map(a -> java.util.List.of(a).contains(BenchMain.class.getName())).orElse(false))
                .count()).as("bench JVMs left behind").isZero();
    }
}
