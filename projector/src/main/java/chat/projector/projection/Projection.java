package chat.projector.projection;

import chat.events.ChannelArchived;
import chat.events.ChannelCreated;
import chat.events.ChannelTopicChanged;
import chat.events.EventEnvelope;
import chat.events.MemberJoined;
import chat.events.MemberLeft;
import chat.events.MessageDeleted;
import chat.events.MessageEdited;
import chat.events.MessagePosted;
import chat.events.ReactionAdded;
import chat.events.ReactionRemoved;
import chat.events.ReadMarked;
import chat.events.TeamCreated;
import chat.events.TeamMemberJoined;
import chat.events.TeamMemberLeft;

import java.time.Instant;
import java.util.Optional;

/**
 * The pure mapping event -> row change of the read model. No I/O.
 *
 * <pre>{@code
 * Optional<RowChange> change = Projection.project(envelope, 3, 4211);
 * }</pre>
 */
public final class Projection {
    private Projection() {
    }

    /**
     * The row change of one valid event at {@code (partition, offset)}, or empty for events this
     * projection does not (yet) keep rows for; those still advance the partition's checkpoint.
     *
     * @throws IllegalArgumentException for a payload type this build does not know
     */
    public static Optional<RowChange> project(final EventEnvelope e, final int partition, final long offset) {
        final String team = e.getTeamId();
        final String actor = e.getActorId();
        final Instant at = e.getOccurredAt();
        final RowChange change = switch (e.getPayload()) {
            case TeamCreated p -> new RowChange.TeamInsert(team, p.getName(), actor, at, offset);
            case TeamMemberJoined p -> new RowChange.TeamMemberUpsert(team, p.getUserId(), p.getRole(), at, offset);
            case TeamMemberLeft p -> new RowChange.TeamMemberDelete(team, p.getUserId(), offset);
            case ChannelCreated p -> new RowChange.ChannelInsert(team, p.getChannelId(), p.getName(),
                    Boolean.TRUE.equals(p.getPrivate$()), p.getTopic(), actor, at, offset);
            case ChannelTopicChanged p -> new RowChange.ChannelTopicUpdate(team, p.getChannelId(), p.getTopic(), offset);
            case ChannelArchived p -> new RowChange.ChannelArchive(team, p.getChannelId(), at, offset);
            case MemberJoined p -> new RowChange.ChannelMemberUpsert(team, p.getChannelId(), p.getUserId(),
                    p.getInvitedBy(), at, offset);
            case MemberLeft p -> new RowChange.ChannelMemberDelete(team, p.getChannelId(), p.getUserId(), offset);
            case MessagePosted p -> new RowChange.MessageInsert(team, p.getChannelId(), p.getMessageId(), actor,
                    p.getText(), p.getThreadRootId(), p.getClientMessageId(), at, partition, offset);
            case MessageEdited p -> new RowChange.MessageEdit(team, p.getChannelId(), p.getMessageId(), p.getText(),
                    at, offset);
            case MessageDeleted p -> new RowChange.MessageDelete(team, p.getChannelId(), p.getMessageId(), at, offset);
            // Not projected yet (reactions and read markers come with the next issue): these events
            // only advance the partition's checkpoint.
            case ReactionAdded p -> null;
            case ReactionRemoved p -> null;
            case ReadMarked p -> null;
            default -> throw new IllegalArgumentException("unknown payload type "
                    + (e.getPayload() == null ? "null" : e.getPayload().getClass().getName()));
        };
        return Optional.ofNullable(change);
    }
}
