package chat.ingest.domain;

/**
 * The slice of a team's state one command needs, read from the team's shard before deciding.
 * Fields a command does not need may be left empty.
 *
 * @param actorId         who issues the command
 * @param targetId        the user a command is about (invites, member changes), or {@code null}
 * @param teamExists      the team has been created
 * @param actorRole       the actor's team role, {@code null} when not a member
 * @param targetRole      the target user's team role (invites, member changes), {@code null} when not a member
 * @param channel         the addressed channel, {@code null} when it does not exist (or none addressed)
 * @param message         the addressed message, {@code null} when it does not exist (or none addressed)
 * @param threadRoot      the thread root a post replies to, {@code null} when it does not exist (or none)
 * @param reactionPresent the actor's reaction (message, emoji) is present
 * @param readMarkerOffset the log offset of the message the actor's read marker in the addressed
 *                        channel points at, {@link #NO_READ_MARKER} when there is none (or none loaded)
 */
public record TeamView(String actorId, String targetId, boolean teamExists, Role actorRole, Role targetRole, Channel channel, Message message,
                       Message threadRoot, boolean reactionPresent, long readMarkerOffset) {
    /** {@link #readMarkerOffset} when the actor has no read marker in the channel. */
    public static final long NO_READ_MARKER = -1L;

    /**
     * A channel as the decision sees it.
     *
     * @param actorIsMember  the actor is a member of the channel
     * @param targetIsMember the target user (invite) is a member of the channel
     */
    public record Channel(String channelId, boolean privateChannel, boolean archived, String createdBy,
                          boolean actorIsMember, boolean targetIsMember) {
    }

    /**
     * A message as the decision sees it.
     *
     * @param partition partition of the MessagePosted event (with {@code offset}: the message's position)
     * @param offset    offset of the MessagePosted event
     */
    public record Message(String messageId, String channelId, String authorId, boolean deleted, String threadRootId,
                          int partition, long offset) {
    }

    /** Nothing exists yet. */
    public static TeamView empty(final String actorId, final String targetId) {
        return new TeamView(actorId, targetId, false, null, null, null, null, null, false, NO_READ_MARKER);
    }

    public TeamView withTeam(final boolean exists, final Role actor) {
        return new TeamView(actorId, targetId, exists, actor, targetRole, channel, message, threadRoot, reactionPresent, readMarkerOffset);
    }

    public TeamView withTargetRole(final Role role) {
        return new TeamView(actorId, targetId, teamExists, actorRole, role, channel, message, threadRoot, reactionPresent, readMarkerOffset);
    }

    public TeamView withChannel(final Channel c) {
        return new TeamView(actorId, targetId, teamExists, actorRole, targetRole, c, message, threadRoot, reactionPresent, readMarkerOffset);
    }

    public TeamView withMessage(final Message m) {
        return new TeamView(actorId, targetId, teamExists, actorRole, targetRole, channel, m, threadRoot, reactionPresent, readMarkerOffset);
    }

    public TeamView withThreadRoot(final Message m) {
        return new TeamView(actorId, targetId, teamExists, actorRole, targetRole, channel, message, m, reactionPresent, readMarkerOffset);
    }

    public TeamView withReaction(final boolean present) {
        return new TeamView(actorId, targetId, teamExists, actorRole, targetRole, channel, message, threadRoot, present, readMarkerOffset);
    }

    public TeamView withReadMarker(final long offset) {
        return new TeamView(actorId, targetId, teamExists, actorRole, targetRole, channel, message, threadRoot, reactionPresent, offset);
    }
}
