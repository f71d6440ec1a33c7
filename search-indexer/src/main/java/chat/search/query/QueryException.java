package chat.search.query;

/**
 * A search request the API refuses: a stable machine code ({@code INVALID_QUERY},
 * {@code QUERY_REQUIRED}, {@code QUERY_TOO_LONG}, {@code INVALID_LIMIT}, {@code INVALID_CURSOR})
 * and a message naming what is wrong. Permanent: the same input fails the same way.
 */
public final class QueryException extends RuntimeException {
    private final String code;

    public QueryException(final String code, final String message) {
        super(message, null, false, false);
        this.code = code;
    }

    public String code() {
        return code;
    }
}
