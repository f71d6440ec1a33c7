package chat.ingest.api;

/** A rejected request: carries the stable code and a human message; nothing was appended. */
public final class ApiException extends RuntimeException {
    private final ApiError error;

    public ApiException(final ApiError error, final String message) {
        super(message, null, false, false);
        this.error = error;
    }

    /** The stable code. */
    public ApiError error() {
        return error;
    }
}
