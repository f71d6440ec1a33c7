package chat.edge.protocol;

/**
 * Stable machine codes of {@code {"type":"error"}} frames. A client may switch on them; the
 * accompanying message is for humans and may change. An error frame never changes the
 * connection's state.
 */
public enum ErrorCode {
    /** The frame is not one well-formed JSON object. */
    MALFORMED_JSON,
    /** A required field ({@code op}, {@code teamId}) is absent. */
    MISSING_FIELD,
    /** A field has the wrong type or value, or is not part of the protocol. */
    INVALID_FIELD,
    /** {@code op} is not one the edge knows. */
    UNKNOWN_OP,
    /** {@code teamId} does not match {@code [A-Za-z0-9_-]{1,64}}. */
    INVALID_TEAM_ID,
    /** The connection already has {@code chat.edge.max-subscriptions} subscriptions. */
    TOO_MANY_SUBSCRIPTIONS,
    /** The frame exceeded {@code chat.edge.max-inbound-frame-bytes}; the connection is then closed. */
    FRAME_TOO_LARGE
}
