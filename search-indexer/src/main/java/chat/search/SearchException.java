package chat.search;

/**
 * The search-indexer's one root exception: a request refused with an HTTP status and a stable code
 * (README "Error codes"). {@link #transientFailure()} says whether retrying later can succeed
 * (503s, with {@link #retryAfterSeconds()}).
 */
public final class SearchException extends RuntimeException {
    private final int status;
    private final String code;
    private final int retryAfterSeconds;

    public SearchException(final int status, final String code, final String message) {
        this(status, code, message, 0);
    }

    public SearchException(final int status, final String code, final String message, final int retryAfterSeconds) {
        super(message, null, false, false);
        this.status = status;
        this.code = code;
        this.retryAfterSeconds = retryAfterSeconds;
    }

    public int status() {
        return status;
    }

    public String code() {
        return code;
    }

    /** Seconds to wait before retrying; 0 for permanent refusals. */
    public int retryAfterSeconds() {
        return retryAfterSeconds;
    }

    public boolean transientFailure() {
        return status >= 500;
    }
}
