package chat.search.index;

import java.util.List;

/**
 * One page of results, best first (score, then newest).
 *
 * @param hits      the results
 * @param total     how many messages match (exact below 1,000; a lower bound above)
 * @param totalExact false when {@code total} is a lower bound
 * @param more      true when a next page exists; {@code lastScore}/{@code lastOffset} then continue it
 */
public record Page(List<Hit> hits, long total, boolean totalExact, boolean more, float lastScore, long lastOffset) {
}
