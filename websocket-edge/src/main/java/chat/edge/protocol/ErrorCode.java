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
    FRAME_TOO_LARGE,
    /**
     * The connection's user is not a member of the team: {@code subscribe} is refused (nothing is
     * subscribed); also the {@code code} of an {@code unsubscribed} frame the edge sends when the
     * user leaves (or is removed from) a team they are subscribed to.
     */
    NOT_TEAM_MEMBER,
    /** The user may not see the channel (private channel outsider, unknown channel), e.g. for {@code typing}. */
    NOT_CHANNEL_MEMBER,
    /**
     * The team's membership could not be read (shard unreachable, projector far behind, no shard
     * configured): nothing is subscribed; retry later with back-off.
     */
    MEMBERSHIP_UNAVAILABLE,
    /** Too many frames of this kind (e.g. {@code typing}); the frame was dropped. */
    RATE_LIMITED,
    /**
     * Presence and typing need Redis, which this edge has not configured ({@code redis.uri}) or
     * cannot reach right now: the {@code typing} or {@code presence} frame had no effect beyond
     * this connection; retry later. Everything else keeps working.
     */
    PRESENCE_UNAVAILABLE
}
