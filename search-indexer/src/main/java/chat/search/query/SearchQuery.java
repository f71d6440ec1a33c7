package chat.search.query;

import java.util.List;
import java.util.Set;

/**
 * A parsed search query: what to match in the text, and the filters. Pure data; turned into a
 * Lucene query by {@link LuceneQueries}. Built by {@link QueryParser}.
 *
 * <pre>{@code
 * SearchQuery q = QueryParser.parse("\"release notes\" deploy* in:general from:alice after:2026-01-31");
 * }</pre>
 *
 * @param terms      text clauses, every one required unless negated
 * @param channels   {@code in:} channel ids (any of them); empty = every channel the caller may read
 * @param authors    {@code from:} user ids (any of them); empty = any author
 * @param afterMillis  {@code after:} lower bound (inclusive) on the message's creation time, epoch millis; null = none
 * @param beforeMillis {@code before:} upper bound (exclusive), epoch millis; null = none
 * @param hasThread  {@code has:thread}: only messages with at least one live reply
 */
public record SearchQuery(List<Term> terms, Set<String> channels, Set<String> authors, Long afterMillis,
                          Long beforeMillis, boolean hasThread) {
    public SearchQuery {
        terms = List.copyOf(terms);
        channels = Set.copyOf(channels);
        authors = Set.copyOf(authors);
    }

    /** One text clause. */
    public sealed interface Term permits Word, Phrase, Prefix {
        /** True for {@code -word}: results must not match it. */
        boolean negated();
    }

    /** A word, analyzed like the indexed text (may yield several tokens, all required). */
    public record Word(String text, boolean negated) implements Term {
    }

    /** {@code "a phrase"}: the analyzed tokens in this order, adjacent. */
    public record Phrase(String text, boolean negated) implements Term {
    }

    /** {@code depl*}: any token starting with the normalized prefix. */
    public record Prefix(String prefix, boolean negated) implements Term {
    }

    /** True when there is at least one non-negated text clause (the query ranks by relevance). */
    public boolean hasPositiveText() {
        return terms.stream().anyMatch(t -> !t.negated());
    }

    /** A canonical text of the query, used to bind a cursor to the query that made it. */
    public String canonical() {
        return terms + "|" + new java.util.TreeSet<>(channels) + "|" + new java.util.TreeSet<>(authors) + "|"
                + afterMillis + "|" + beforeMillis + "|" + hasThread;
    }
}
