package chat.search.query;

import chat.search.index.Fields;
import org.apache.lucene.analysis.Analyzer;
import org.apache.lucene.document.LongPoint;
import org.apache.lucene.index.Term;
import org.apache.lucene.search.BooleanClause.Occur;
import org.apache.lucene.search.BooleanQuery;
import org.apache.lucene.search.MatchNoDocsQuery;
import org.apache.lucene.search.PrefixQuery;
import org.apache.lucene.search.Query;
import org.apache.lucene.search.TermInSetQuery;
import org.apache.lucene.search.TermQuery;
import org.apache.lucene.util.BytesRef;
import org.apache.lucene.util.QueryBuilder;

import java.util.Collection;
import java.util.List;

/**
 * Turns a {@link SearchQuery} plus the caller's readable channels into one Lucene query. The
 * permission filter is part of the query itself (a required clause), so no result can escape it.
 *
 * <pre>{@code
 * Query lq = LuceneQueries.build(q, analyzer, "acme", Set.of("general", "secret"));
 * }</pre>
 */
public final class LuceneQueries {
    private LuceneQueries() {
    }

    /**
     * @param readable the channels of {@code team} the caller may read now; empty matches nothing
     * @throws QueryException {@code INVALID_QUERY} when the text has nothing searchable (only punctuation)
     */
    public static Query build(final SearchQuery q, final Analyzer analyzer, final String team, final Collection<String> readable) {
        final BooleanQuery.Builder b = new BooleanQuery.Builder();
        b.add(new TermQuery(new Term(Fields.KIND, Fields.KIND_MESSAGE)), Occur.FILTER);
        b.add(new TermQuery(new Term(Fields.TEAM, team)), Occur.FILTER);
        final Collection<String> channels = q.channels().isEmpty() ? readable
                : q.channels().stream().filter(readable::contains).toList();
        if (channels.isEmpty()) {
            return new MatchNoDocsQuery("no readable channel");
        }
        b.add(new TermInSetQuery(Fields.CHANNEL, bytes(channels)), Occur.FILTER);
        if (!q.authors().isEmpty()) {
            b.add(new TermInSetQuery(Fields.AUTHOR, bytes(q.authors())), Occur.FILTER);
        }
        if (q.afterMillis() != null || q.beforeMillis() != null) {
            final long lo = q.afterMillis() == null ? Long.MIN_VALUE : q.afterMillis();
            final long hi = q.beforeMillis() == null ? Long.MAX_VALUE : q.beforeMillis() - 1;
            if (lo > hi) {
                return new MatchNoDocsQuery("empty date range");
            }
            b.add(LongPoint.newRangeQuery(Fields.CREATED, lo, hi), Occur.FILTER);
        }
        if (q.hasThread()) {
            b.add(new TermQuery(new Term(Fields.HAS_THREAD, "yes")), Occur.FILTER);
        }
        final QueryBuilder text = new QueryBuilder(analyzer);
        boolean anyPositive = false;
        boolean anyText = false;
        for (SearchQuery.Term t : q.terms()) {
            final Query clause = switch (t) {
                case SearchQuery.Word w -> text.createBooleanQuery(Fields.TEXT, w.text(), Occur.MUST);
                case SearchQuery.Phrase p -> text.createPhraseQuery(Fields.TEXT, p.text());
                case SearchQuery.Prefix p -> prefix(analyzer, p.prefix());
            };
            if (clause == null) {
                continue; // only punctuation: nothing to match
            }
            anyText = true;
            anyPositive |= !t.negated();
            b.add(clause, t.negated() ? Occur.MUST_NOT : Occur.MUST);
        }
        if (!anyText && !q.terms().isEmpty() && q.channels().isEmpty() && q.authors().isEmpty()
                && q.afterMillis() == null && q.beforeMillis() == null && !q.hasThread()) {
            throw new QueryException("INVALID_QUERY", "q has no searchable words (only punctuation or symbols)");
        }
        if (!anyPositive && q.channels().isEmpty() && q.authors().isEmpty() && q.afterMillis() == null
                && q.beforeMillis() == null && !q.hasThread()) {
            throw new QueryException("INVALID_QUERY", "q needs a word, phrase, prefix or filter that results must match, not only exclusions");
        }
        return b.build();
    }

    private static Query prefix(final Analyzer analyzer, final String raw) {
        final BytesRef normalized = analyzer.normalize(Fields.TEXT, raw);
        if (normalized.length == 0) {
            return null;
        }
        return new PrefixQuery(new Term(Fields.TEXT, normalized));
    }

    private static List<BytesRef> bytes(final Collection<String> values) {
        return values.stream().map(BytesRef::new).toList();
    }
}
