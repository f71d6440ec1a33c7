package chat.ingest.append;

/**
 * The log did not acknowledge an append. {@link #transientFailure()} tells whether a retry may
 * succeed (broker down, timeout) or not (record too large, serialization); either way the
 * write must not be acknowledged to the client.
 */
public final class AppendException extends RuntimeException {
    private final boolean transientFailure;
    private final boolean tooLarge;

    public AppendException(final String message, final Throwable cause, final boolean transientFailure,
                           final boolean tooLarge) {
        super(message, cause);
        this.transientFailure = transientFailure;
        this.tooLarge = tooLarge;
    }

    /** True when retrying later may succeed. */
    public boolean transientFailure() {
        return transientFailure;
    }

    /** True when the broker refused the record for its size. */
    public boolean tooLarge() {
        return tooLarge;
    }
}
