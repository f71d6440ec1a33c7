package chat.edge.protocol;

/**
 * A client frame the edge refuses, with the stable code sent back. Permanent: the same frame
 * fails the same way.
 */
public final class ProtocolException extends Exception {
    private final ErrorCode code;
    private final String requestId;

    public ProtocolException(final ErrorCode code, final String message, final String requestId) {
        super(message, null, false, false);
        this.code = code;
        this.requestId = requestId;
    }

    /** The stable code. */
    public ErrorCode code() {
        return code;
    }

    /** The client's {@code id} of the refused frame when it could be read, else {@code null}. */
    public String requestId() {
        return requestId;
    }
}
