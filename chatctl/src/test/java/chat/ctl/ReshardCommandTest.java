package chat.ctl;

import org.junit.jupiter.api.Test;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

class ReshardCommandTest {

    @Test
    void givenChecksumsOfDisjointRowSets_whenSummed_thenRowsAddAndHalvesAddModulo2To60() {
        final TableChecksums.Sum a = new TableChecksums.Sum(2, "fffffffffffffff000000000000001");
        final TableChecksums.Sum b = new TableChecksums.Sum(3, "000000000000002000000000000002");
        assertThat(a.plus(b)).isEqualTo(new TableChecksums.Sum(5, "000000000000001000000000000003"));
        assertThat(a.plus(b)).isEqualTo(b.plus(a));
        final TableChecksums.Sum c = new TableChecksums.Sum(7, "123456789abcdef0fedcba987654321".substring(0, 30));
        assertThat(a.plus(b).plus(c)).isEqualTo(a.plus(b.plus(c)));
    }

    @Test
    void givenReferenceAndTarget_thenLagCountsOnlyWhatTheTargetMisses() {
        assertThat(ReshardCommand.lag(Map.of(0, 10L, 1, 5L, 2, 0L), Map.of(0, 4L, 1, 7L))).isEqualTo(6);
    }

    @Test
    void givenNoTargetCount_whenRun_thenUsageError() {
        final StringWriter err = new StringWriter();
        assertThat(ChatCtl.run(new String[]{"reshard"}, new PrintWriter(new StringWriter()), new PrintWriter(err)))
                .isEqualTo(ChatCtl.ERROR);
        assertThat(err.toString()).contains("Missing required option: '--to=S''");
    }
}
