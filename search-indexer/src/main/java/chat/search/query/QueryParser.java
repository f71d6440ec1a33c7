package chat.search.query;

import chat.common.ids.Ids;

import java.time.LocalDate;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.time.format.ResolverStyle;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * Parses the search query language. Pure; no Lucene.
 *
 * <ul>
 *   <li>{@code word}: must occur (analyzed: case and accents folded);</li>
 *   <li>{@code "a phrase"}: the words adjacent, in order;</li>
 *   <li>{@code pre*}: a word starting with {@code pre} (at least {@value #MIN_PREFIX} characters);</li>
 *   <li>{@code -word}, {@code -"a phrase"}, {@code -pre*}: must not occur;</li>
 *   <li>{@code in:channel} (or {@code in:#channel}), {@code from:user} (or {@code from:@user}): repeated
 *       filters of one kind are alternatives (any of them);</li>
 *   <li>{@code after:YYYY-MM-DD}: created on or after the day after that date (UTC), {@code before:YYYY-MM-DD}:
 *       created before that date (UTC), both exclusive of the named day as in Slack;</li>
 *   <li>{@code has:thread}: messages with at least one reply.</li>
 * </ul>
 * A token {@code key:value} whose key is not one of these filters is ordinary text (so URLs search
 * as words). Everything else that cannot be understood is refused with {@code INVALID_QUERY}.
 *
 * <pre>{@code
 * SearchQuery q = QueryParser.parse("deploy* -staging in:ops after:2026-11-01");
 * }</pre>
 */
public final class QueryParser {
    /** Longest accepted query, in characters. */
    public static final int MAX_LENGTH = 512;
    /** Most text clauses plus filters in one query. */
    public static final int MAX_CLAUSES = 32;
    /** Shortest prefix before {@code *}. */
    public static final int MIN_PREFIX = 2;
    private static final DateTimeFormatter DATE = DateTimeFormatter.ofPattern("uuuu-MM-dd").withResolverStyle(ResolverStyle.STRICT);
    private static final long DAY_MILLIS = 86_400_000L;

    private QueryParser() {
    }

    /** Parses {@code raw}; throws {@link QueryException} with a stable code when it cannot. */
    public static SearchQuery parse(final String raw) {
        if (raw == null || raw.isBlank()) {
            throw new QueryException("QUERY_REQUIRED", "q is required: the text to search for, with optional filters");
        }
        if (raw.length() > MAX_LENGTH) {
            throw new QueryException("QUERY_TOO_LONG", "q is " + raw.length() + " characters; at most " + MAX_LENGTH);
        }
        for (int i = 0; i < raw.length(); i++) {
            final char ch = raw.charAt(i);
            if (ch == 0 || Character.isSurrogate(ch) && !validSurrogateAt(raw, i)) {
                throw new QueryException("INVALID_QUERY", "q holds U+0000 or an unpaired surrogate at index " + i);
            }
        }
        final List<SearchQuery.Term> terms = new ArrayList<>();
        final Set<String> channels = new LinkedHashSet<>();
        final Set<String> authors = new LinkedHashSet<>();
        Long after = null;
        Long before = null;
        boolean hasThread = false;
        int clauses = 0;
        int i = 0;
        final int n = raw.length();
        while (i < n) {
            if (Character.isWhitespace(raw.charAt(i))) {
                i++;
                continue;
            }
            boolean negated = false;
            if (raw.charAt(i) == '-' && i + 1 < n && !Character.isWhitespace(raw.charAt(i + 1))) {
                negated = true;
                i++;
            }
            if (++clauses > MAX_CLAUSES) {
                throw new QueryException("INVALID_QUERY", "q has more than " + MAX_CLAUSES + " words, phrases and filters");
            }
            if (raw.charAt(i) == '"') {
                final int close = raw.indexOf('"', i + 1);
                if (close < 0) {
                    throw new QueryException("INVALID_QUERY", "unterminated phrase starting at index " + i + ": add the closing \"");
                }
                final String phrase = raw.substring(i + 1, close).strip();
                if (phrase.isEmpty()) {
                    throw new QueryException("INVALID_QUERY", "empty phrase \"\" at index " + i);
                }
                terms.add(new SearchQuery.Phrase(phrase, negated));
                i = close + 1;
                continue;
            }
            int end = i;
            while (end < n && !Character.isWhitespace(raw.charAt(end))) {
                end++;
            }
            final String token = raw.substring(i, end);
            i = end;
            final int colon = token.indexOf(':');
            final String key = colon > 0 ? token.substring(0, colon).toLowerCase(Locale.ROOT) : "";
            if (isFilter(key)) {
                if (negated) {
                    throw new QueryException("INVALID_QUERY", "filters cannot be negated: -" + token);
                }
                final String value = token.substring(colon + 1);
                if (value.isEmpty()) {
                    throw new QueryException("INVALID_QUERY", key + ": needs a value, e.g. " + example(key));
                }
                switch (key) {
                    case "in" -> channels.add(id(key, value.startsWith("#") ? value.substring(1) : value));
                    case "from" -> authors.add(id(key, value.startsWith("@") ? value.substring(1) : value));
                    case "after" -> {
                        final long from = startOfDay(key, value) + DAY_MILLIS;
                        after = after == null ? from : Math.max(after, from);
                    }
                    case "before" -> {
                        final long to = startOfDay(key, value);
                        before = before == null ? to : Math.min(before, to);
                    }
                    case "has" -> {
                        if (!"thread".equalsIgnoreCase(value)) {
                            throw new QueryException("INVALID_QUERY", "has: supports only has:thread, got has:" + value);
                        }
                        hasThread = true;
                    }
                    default -> throw new IllegalStateException(key);
                }
                continue;
            }
            if (token.endsWith("*")) {
                final String prefix = token.substring(0, token.length() - 1);
                if (prefix.codePointCount(0, prefix.length()) < MIN_PREFIX || prefix.indexOf('*') >= 0 || prefix.indexOf('?') >= 0) {
                    throw new QueryException("INVALID_QUERY", "a prefix needs at least " + MIN_PREFIX
                            + " characters before one trailing *, got " + token);
                }
                terms.add(new SearchQuery.Prefix(prefix, negated));
                continue;
            }
            if (token.indexOf('*') >= 0) {
                throw new QueryException("INVALID_QUERY", "* is allowed only at the end of a word (prefix search), got " + token);
            }
            terms.add(new SearchQuery.Word(token, negated));
        }
        final SearchQuery q = new SearchQuery(terms, channels, authors, after, before, hasThread);
        if (!q.hasPositiveText() && channels.isEmpty() && authors.isEmpty() && after == null && before == null && !hasThread) {
            throw new QueryException("INVALID_QUERY", "q needs a word, phrase, prefix or filter that results must match");
        }
        return q;
    }

    private static boolean validSurrogateAt(final String s, final int i) {
        final char c = s.charAt(i);
        if (Character.isHighSurrogate(c)) {
            return i + 1 < s.length() && Character.isLowSurrogate(s.charAt(i + 1));
        }
        return i > 0 && Character.isHighSurrogate(s.charAt(i - 1));
    }

    private static boolean isFilter(final String key) {
        return switch (key) {
            case "in", "from", "after", "before", "has" -> true;
            default -> false;
        };
    }

    private static String example(final String key) {
        return switch (key) {
            case "in" -> "in:general";
            case "from" -> "from:alice";
            case "has" -> "has:thread";
            default -> key + ":2026-01-31";
        };
    }

    private static String id(final String key, final String value) {
        if (!Ids.isValid(value)) {
            throw new QueryException("INVALID_QUERY", key + ": must name an id matching [A-Za-z0-9_-]{1,64}, got " + value);
        }
        return value;
    }

    private static long startOfDay(final String key, final String value) {
        try {
            return LocalDate.parse(value, DATE).atStartOfDay(ZoneOffset.UTC).toInstant().toEpochMilli();
        } catch (DateTimeParseException e) {
            throw new QueryException("INVALID_QUERY", key + ": needs a date YYYY-MM-DD, got " + value);
        }
    }
}
