package chat.edge.protocol;

/**
 * Stable codes of {@code {"type":"resync"}} frames: why a {@code since} position cannot be resumed.
 * Every one means the same to a client: reload the team's state over HTTP, then subscribe without
 * {@code since} (or with the position the history reply names).
 */
public enum ResyncCode {
    /** The position belongs to another incarnation of the log (topic recreated, other region). */
    EPOCH_MISMATCH,
    /** The position's partition is not the one that holds the team's events. */
    WRONG_PARTITION,
    /** The position is at or beyond the end of the log: the client claims events that do not exist. */
    OFFSET_BEYOND_END,
    /** The position is older than the log start (deleted by retention). */
    OFFSET_BEFORE_START,
    /** More missed events (or log records to scan) than one resume may replay; use history. */
    TOO_FAR_BEHIND,
    /** This edge cannot resume (it runs without the log); use history or another edge. */
    RESUME_UNAVAILABLE
}
