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
final class ReadCacheStats {
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
}
