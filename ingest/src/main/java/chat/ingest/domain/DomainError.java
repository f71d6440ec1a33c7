package chat.ingest.domain;

/**
 * Why the domain refused a command. Stable codes: part of the API contract (README "Error codes").
 * Private channels an actor may not see answer {@link #CHANNEL_NOT_FOUND}, never revealing that they exist.
 */
public enum DomainError {
    TEAM_NOT_FOUND(404),
    TEAM_EXISTS(409),
    NOT_TEAM_MEMBER(403),
    NOT_TEAM_ADMIN(403),
    USER_NOT_TEAM_MEMBER(422),
    CHANNEL_NOT_FOUND(404),
    CHANNEL_EXISTS(409),
    CHANNEL_ARCHIVED(409),
    NOT_CHANNEL_MEMBER(403),
    MESSAGE_NOT_FOUND(404),
    MESSAGE_DELETED(409),
    NOT_AUTHOR(403),
    THREAD_ROOT_NOT_FOUND(422),
    INVALID_EMOJI(400);

    private final int status;

    DomainError(final int status) {
        this.status = status;
    }

    /** HTTP status of this rejection. */
    public int status() {
        return status;
    }
}
