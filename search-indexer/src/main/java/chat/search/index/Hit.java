package chat.search.index;

/**
 * One search result.
 *
 * @param message the message as indexed now
 * @param score   BM25 relevance (0 when the query has only filters)
 * @param snippet the text's best passage, HTML-escaped, matches wrapped in {@code <mark>...</mark>}
 */
public record Hit(MessageDoc message, float score, String snippet) {
}
