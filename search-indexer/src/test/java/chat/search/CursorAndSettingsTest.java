package chat.search;

import org.junit.jupiter.api.Test;

import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class CursorAndSettingsTest {

    @Test
    void givenCursor_whenDecodedForSameSearch_thenSamePoint_elseInvalidCursor() {
        final String c = Cursor.encode("acme", "q1", 2.5f, 1041);
        assertThat(Cursor.decode(c, "acme", "q1")).isEqualTo(new Cursor.Point(2.5f, 1041));
        for (String[] bad : List.of(new String[] {c, "other", "q1"}, new String[] {c, "acme", "q2"},
                new String[] {"not base64!", "acme", "q1"}, new String[] {"AAAA", "acme", "q1"})) {
            assertThatThrownBy(() -> Cursor.decode(bad[0], bad[1], bad[2]))
                    .isInstanceOfSatisfying(SearchException.class, e -> assertThat(e.code()).isEqualTo("INVALID_CURSOR"));
        }
    }

    @Test
    void givenPartitionSpecs_whenParsed_thenRangesExpanded_andBadSpecsNamed() {
        assertThat(PartitionRanges.parse("all", 4)).containsExactly(0, 1, 2, 3);
        assertThat(PartitionRanges.parse("0-2, 5,7-7", 12)).containsExactly(0, 1, 2, 5, 7);
        assertThatThrownBy(() -> PartitionRanges.parse("3-1", 12)).hasMessageContaining("reversed");
        assertThatThrownBy(() -> PartitionRanges.parse("12", 12)).hasMessageContaining("outside 0-11");
        assertThatThrownBy(() -> PartitionRanges.parse("x", 12)).hasMessageContaining("not N or N-M");
    }

    @Test
    void givenRoutes_whenParsed_thenEveryPartitionMapped_andConflictsRefused() {
        assertThat(SearchSettings.parseRoutes("0,2=http://a,1,3=http://b", 4)).containsOnly(
                Map.entry(0, URI.create("http://a")), Map.entry(2, URI.create("http://a")),
                Map.entry(1, URI.create("http://b")), Map.entry(3, URI.create("http://b")));
        assertThatThrownBy(() -> SearchSettings.parseRoutes("0,1", 4)).hasMessageContaining("<partitions>=<url>");
        final Map<Integer, URI> routes = SearchSettings.parseRoutes("0-1=http://a:8080, 3=https://b", 4);
        assertThat(routes).containsOnly(Map.entry(0, URI.create("http://a:8080")), Map.entry(1, URI.create("http://a:8080")),
                Map.entry(3, URI.create("https://b")));
        assertThatThrownBy(() -> SearchSettings.parseRoutes("0=http://a,0=http://b", 4)).hasMessageContaining("both");
        assertThatThrownBy(() -> SearchSettings.parseRoutes("0=ftp://a", 4)).hasMessageContaining("http(s)");
    }

    @Test
    void givenBadSettings_thenEveryProblemListed_andTokenMasked() {
        assertThatThrownBy(() -> new SearchSettings(Path.of("x"), List.of(0, 1), Map.of(1, URI.create("http://a")),
                Duration.ZERO, Duration.ofMillis(1), Duration.ZERO, 0, 0, "secret-token-123", Duration.ofSeconds(1), Duration.ofSeconds(1)))
                .hasMessageContaining("refresh-ms").hasMessageContaining("commit-ms").hasMessageContaining("barrier-timeout-ms")
                .hasMessageContaining("ram-buffer-mb").hasMessageContaining("max-poll-records")
                .hasMessageContaining("indexed here and also routed").hasMessageNotContaining("secret-token-123");
    }
}
