package chat.dev.bench;

import org.junit.jupiter.api.Test;

import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

class EdgeLatencyTest {
    private static String scrape(final long... cumulative) {
        final String[] bounds = {"1", "2", "5", "10", "25", "50", "+Inf"};
        final StringBuilder b = new StringBuilder("# TYPE chat_edge_delivery_latency_ms histogram\n");
        for (int i = 0; i < bounds.length; i++) {
            b.append("chat_edge_delivery_latency_ms_bucket{le=\"").append(bounds[i]).append("\"} ").append(cumulative[i]).append('\n');
        }
        return b.append("chat_edge_delivery_latency_ms_count ").append(cumulative[bounds.length - 1]).append('\n')
                .append("chat_edge_frames_sent_total 5\n").toString();
    }

    @Test
    void percentilesAreTheBoundsOfTheBucketsHoldingThemBetweenTwoScrapes() {
        // Before: 100 frames, all within 1 ms. Between the scrapes: 1,000 frames, 600 within 2 ms,
        // 985 within 10 ms, 995 within 25 ms, 5 above 50 ms.
        final Map<String, Long> before = EdgeLatency.parse(scrape(100, 100, 100, 100, 100, 100, 100));
        final Map<String, Long> after = EdgeLatency.parse(scrape(400, 700, 900, 1085, 1095, 1095, 1100));

        final Map<String, Object> s = EdgeLatency.summary(before, after);

        assertThat(s).containsEntry("frames", 1000L).containsEntry("p50AtMostMs", 2L).containsEntry("p99AtMostMs", 25L);
        @SuppressWarnings("unchecked")
        final Map<String, Object> pct = (Map<String, Object>) s.get("pctAtMostMs");
        assertThat(pct).containsEntry("1", 30.0).containsEntry("10", 98.5).containsEntry("25", 99.5).containsEntry("50", 99.5);
    }

    @Test
    void noHistogramOrNoFramesGivesNoSummary() {
        assertThat(EdgeLatency.summary(EdgeLatency.parse("chat_edge_connections 3\n"), EdgeLatency.parse(scrape(1, 1, 1, 1, 1, 1, 1))))
                .isNull();
        final Map<String, Long> same = EdgeLatency.parse(scrape(1, 2, 3, 4, 5, 6, 7));
        assertThat(EdgeLatency.summary(same, same)).isNull();
        assertThat(EdgeLatency.parse(null)).isEmpty();
    }

    @Test
    void aP99AboveTheLastFiniteBoundIsUnknown() {
        final Map<String, Object> s = EdgeLatency.summary(EdgeLatency.parse(scrape(0, 0, 0, 0, 0, 0, 0)),
                EdgeLatency.parse(scrape(10, 20, 30, 40, 50, 60, 100)));
        assertThat(s).containsEntry("p50AtMostMs", 25L).containsEntry("p99AtMostMs", null);
    }
}
