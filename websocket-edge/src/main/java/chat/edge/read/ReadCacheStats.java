package chat.edge.read;

import jakarta.inject.Singleton;

import java.util.concurrent.atomic.LongAdder;

/**
 * Counters of the read cache as the read API sees it: a hit is a history read answered from
 * Redis (including refusals decided from cached membership); a miss went to the shard, because
 * the entry was cold or stale, the page lies beyond the cached window, Redis was unavailable, or
 * a Redis call failed. Fills are shard snapshots installed after a cold miss. The channel list's
 * counters ({@code list*}) are kept apart; "shallow" there is a member's read marker below a
 * channel's unread window.
 */
@Singleton
public final class ReadCacheStats {
    final LongAdder hits = new LongAdder();
    final LongAdder cold = new LongAdder();
    final LongAdder shallow = new LongAdder();
    final LongAdder unavailable = new LongAdder();
    final LongAdder errors = new LongAdder();
    final LongAdder fills = new LongAdder();
    final LongAdder fillsRefused = new LongAdder();
    // the channel list (GET /teams/{t}/channels): the same kinds, counted apart
    final LongAdder listHits = new LongAdder();
    final LongAdder listCold = new LongAdder();
    final LongAdder listShallow = new LongAdder();
    final LongAdder listUnavailable = new LongAdder();
    final LongAdder listErrors = new LongAdder();
    final LongAdder listFills = new LongAdder();
    final LongAdder listFillsRefused = new LongAdder();

    long listMisses() {
        return listCold.sum() + listShallow.sum() + listUnavailable.sum() + listErrors.sum();
    }

    /** Channel-list hits / (hits + misses), 0 before any list read. */
    double listHitRate() {
        final long h = listHits.sum();
        final long total = h + listMisses();
        return total == 0 ? 0 : (double) h / total;
    }

    long misses() {
        return cold.sum() + shallow.sum() + unavailable.sum() + errors.sum();
    }

    /** hits / (hits + misses), 0 before any read. */
    double hitRate() {
        final long h = hits.sum();
        final long total = h + misses();
        return total == 0 ? 0 : (double) h / total;
    }

    /**
     * The counters in the Prometheus text format: {@code chat_read_cache_reads_total} by {@code read}
     * (history, list) and {@code result} (hit, cold, shallow, unavailable, error), fills and refused
     * fills. Hit rate over time: {@code sum(rate(...{result="hit"}[5m])) / sum(rate(...[5m]))}.
     */
    public void appendPrometheus(final StringBuilder b) {
        b.append("# HELP chat_read_cache_reads_total Reads of the read API by cache result: hit, or the reason it went to the shard.\n")
                .append("# TYPE chat_read_cache_reads_total counter\n");
        reads(b, "history", hits, cold, shallow, unavailable, errors);
        reads(b, "list", listHits, listCold, listShallow, listUnavailable, listErrors);
        b.append("# HELP chat_read_cache_fills_total Cache entries installed from a shard snapshot after a cold miss.\n")
                .append("# TYPE chat_read_cache_fills_total counter\n")
                .append("chat_read_cache_fills_total{read=\"history\"} ").append(fills.sum()).append('\n')
                .append("chat_read_cache_fills_total{read=\"list\"} ").append(listFills.sum()).append('\n')
                .append("# HELP chat_read_cache_fills_refused_total Fills refused because the entry moved on meanwhile.\n")
                .append("# TYPE chat_read_cache_fills_refused_total counter\n")
                .append("chat_read_cache_fills_refused_total{read=\"history\"} ").append(fillsRefused.sum()).append('\n')
                .append("chat_read_cache_fills_refused_total{read=\"list\"} ").append(listFillsRefused.sum()).append('\n');
    }

    private static void reads(final StringBuilder b, final String read, final LongAdder hit, final LongAdder cold,
                              final LongAdder shallow, final LongAdder unavailable, final LongAdder error) {
        final String[] results = {"hit", "cold", "shallow", "unavailable", "error"};
        final LongAdder[] values = {hit, cold, shallow, unavailable, error};
        for (int i = 0; i < results.length; i++) {
            b.append("chat_read_cache_reads_total{read=\"").append(read).append("\",result=\"").append(results[i]).append("\"} ")
                    .append(values[i].sum()).append('\n');
        }
    }
}
