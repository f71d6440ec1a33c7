package chat.search.query;

import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.util.List;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class QueryParserTest {

    @Test
    void givenWordsPhrasePrefixAndFilters_whenParsed_thenEveryPartIsRecognised() {
        final SearchQuery q = QueryParser.parse("deploy \"release notes\" stag* -flaky -\"old build\" in:#ops in:general "
                + "from:@alice from:bob after:2026-11-01 before:2026-11-10 has:thread");

        assertThat(q.terms()).containsExactly(
                new SearchQuery.Word("deploy", false),
                new SearchQuery.Phrase("release notes", false),
                new SearchQuery.Prefix("stag", false),
                new SearchQuery.Word("flaky", true),
                new SearchQuery.Phrase("old build", true));
        assertThat(q.channels()).containsExactlyInAnyOrder("ops", "general");
        assertThat(q.authors()).containsExactlyInAnyOrder("alice", "bob");
        // after: the day after the date (exclusive), before: the date itself (exclusive), both UTC
        assertThat(q.afterMillis()).isEqualTo(Instant.parse("2026-11-02T00:00:00Z").toEpochMilli());
        assertThat(q.beforeMillis()).isEqualTo(Instant.parse("2026-11-10T00:00:00Z").toEpochMilli());
        assertThat(q.hasThread()).isTrue();
    }

    @Test
    void givenFiltersOnly_whenParsed_thenAccepted() {
        final SearchQuery q = QueryParser.parse("from:alice");
        assertThat(q.terms()).isEmpty();
        assertThat(q.authors()).isEqualTo(Set.of("alice"));
    }

    @Test
    void givenUnknownKey_whenParsed_thenItIsText() {
        final SearchQuery q = QueryParser.parse("https://example.com/x foo:bar");
        assertThat(q.terms()).containsExactly(new SearchQuery.Word("https://example.com/x", false),
                new SearchQuery.Word("foo:bar", false));
    }

    @Test
    void givenFilterKeysInAnyCase_whenParsed_thenRecognised() {
        assertThat(QueryParser.parse("IN:general HAS:Thread").channels()).containsExactly("general");
    }

    @Test
    void givenBadQueries_whenParsed_thenStableCodes() {
        record Bad(String q, String code, String messagePart) {
        }
        for (Bad b : List.of(
                new Bad(null, "QUERY_REQUIRED", "required"),
                new Bad("   ", "QUERY_REQUIRED", "required"),
                new Bad("x".repeat(QueryParser.MAX_LENGTH + 1), "QUERY_TOO_LONG", "at most"),
                new Bad("\"unterminated", "INVALID_QUERY", "unterminated"),
                new Bad("\"\"", "INVALID_QUERY", "empty phrase"),
                new Bad("a*", "INVALID_QUERY", "at least 2"),
                new Bad("*", "INVALID_QUERY", "at least 2"),
                new Bad("fo*o", "INVALID_QUERY", "only at the end"),
                new Bad("in:", "INVALID_QUERY", "needs a value"),
                new Bad("in:bad.channel", "INVALID_QUERY", "[A-Za-z0-9_-]"),
                new Bad("from:a/b", "INVALID_QUERY", "[A-Za-z0-9_-]"),
                new Bad("before:2026-13-01", "INVALID_QUERY", "YYYY-MM-DD"),
                new Bad("after:2026-02-30", "INVALID_QUERY", "YYYY-MM-DD"),
                new Bad("after:yesterday", "INVALID_QUERY", "YYYY-MM-DD"),
                new Bad("has:link", "INVALID_QUERY", "has:thread"),
                new Bad("-in:general x", "INVALID_QUERY", "cannot be negated"),
                new Bad("-only -exclusions", "INVALID_QUERY", "must match"),
                new Bad("a\u0000b", "INVALID_QUERY", "U+0000"),
                new Bad("bad\uD800", "INVALID_QUERY", "surrogate"),
                new Bad("w ".repeat(QueryParser.MAX_CLAUSES + 1), "INVALID_QUERY", "more than"))) {
            assertThatThrownBy(() -> QueryParser.parse(b.q())).as(b.q() == null ? "null" : b.q())
                    .isInstanceOfSatisfying(QueryException.class, e -> {
                        assertThat(e.code()).isEqualTo(b.code());
                        assertThat(e.getMessage()).contains(b.messagePart());
                    });
        }
    }

    @Test
    void givenEmojiAndAccents_whenParsed_thenKeptAsWords() {
        assertThat(QueryParser.parse("café 🚀").terms()).containsExactly(new SearchQuery.Word("café", false),
                new SearchQuery.Word("🚀", false));
    }
}
