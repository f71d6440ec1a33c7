package chat.dev.bench;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The edge's own delivery latency (Kafka append -> frame written to the socket, the issue's
 * definition of delivery) over one bench phase: the difference of two scrapes of the edge's
 * {@code chat_edge_delivery_latency_ms} histogram. Unlike the client's accept->frame it does not
 * include the load generator's reading of the frame, nor its GC pauses. The histogram has fixed
 * buckets (1, 2, 5, 10, 25, 50, 100 ... ms), so a percentile is known as "at most the bucket's bound".
 *
 * <pre>{@code
 * Map<String, Long> before = EdgeLatency.parse(scrape0), after = EdgeLatency.parse(scrape1);
 * Map<String, Object> summary = EdgeLatency.summary(before, after); // frames, p50/p99 bounds, share per bound
 * }</pre>
 */
final class EdgeLatency {
    private static final Pattern BUCKET = Pattern.compile(
            "^chat_edge_delivery_latency_ms_bucket\\{le=\"([^\"]+)\"} (\\d+)$", Pattern.MULTILINE);

    private EdgeLatency() {
    }

    /** Cumulative count per bucket bound ("1" ... "+Inf"), in the scrape's order; empty when absent. */
    static Map<String, Long> parse(final String prometheusText) {
        final Map<String, Long> m = new LinkedHashMap<>();
        if (prometheusText == null) {
            return m;
        }
        final Matcher matcher = BUCKET.matcher(prometheusText);
        while (matcher.find()) {
            m.put(matcher.group(1), Long.parseLong(matcher.group(2)));
        }
        return m;
    }

    /**
     * Frames written between the scrapes, the smallest bucket bound holding 50 % and 99 % of them
     * ({@code null} when that is only +Inf), and the cumulative share per bound; {@code null} when
     * either scrape has no histogram or no frame was written in between.
     */
    static Map<String, Object> summary(final Map<String, Long> before, final Map<String, Long> after) {
        if (before.isEmpty() || after.isEmpty() || !before.keySet().equals(after.keySet())) {
            return null;
        }
        final long total = after.get("+Inf") - before.get("+Inf");
        if (total <= 0) {
            return null;
        }
        final Map<String, Object> shares = new LinkedHashMap<>();
        Long p50 = null;
        Long p99 = null;
        for (Map.Entry<String, Long> e : after.entrySet()) {
            if (e.getKey().equals("+Inf")) {
                continue;
            }
            final long upTo = e.getValue() - before.get(e.getKey());
            final double share = (double) upTo / total;
            shares.put(e.getKey(), Math.round(share * 100_000) / 1000.0);
            final long bound = Long.parseLong(e.getKey());
            if (p50 == null && share >= 0.50) {
                p50 = bound;
            }
            if (p99 == null && share >= 0.99) {
                p99 = bound;
            }
        }
        final Map<String, Object> m = new LinkedHashMap<>();
        m.put("frames", total);
        m.put("p50AtMostMs", p50);
        m.put("p99AtMostMs", p99);
        m.put("pctAtMostMs", shares);
        return m;
    }
}
