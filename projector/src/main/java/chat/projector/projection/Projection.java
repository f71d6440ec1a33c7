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
import java.util.List;

/**
 * The pure mapping event -> row changes of the read model. No I/O.
 *
 * <pre>{@code
 * List<RowChange> changes = Projection.project(envelope, 3, 4211);
 * }</pre>
 */
public final class Projection {
    private Projection() {
    }

    /**
     * The row changes of one valid event at {@code (partition, offset)}, in the order they must be
     * applied (a reply also recounts its root's thread; a delete also purges the message's
     * reactions and recounts its thread). Every change carries {@code offset}. An empty list would
     * mean "no row, the checkpoint still passes the event"; every known event has rows today.
     *
     * @throws IllegalArgumentException for a payload type this build does not know
     */
    public static List<RowChange> project(final EventEnvelope e, final int partition, final long offset) {
        final String team = e.getTeamId();
        final String actor = e.getActorId();
        final Instant at = e.getOccurredAt();
        return switch (e.getPayload()) {
            case TeamCreated p -> List.of(new RowChange.TeamInsert(team, p.getName(), actor, at, offset));
            case TeamMemberJoined p -> List.of(new RowChange.TeamMemberUpsert(team, p.getUserId(), p.getRole(), at, offset));
            case TeamMemberLeft p -> List.of(new RowChange.TeamMemberDelete(team, p.getUserId(), offset));
            case ChannelCreated p -> List.of(new RowChange.ChannelInsert(team, p.getChannelId(), p.getName(),
                    Boolean.TRUE.equals(p.getPrivate$()), p.getTopic(), actor, at, offset));
            case ChannelTopicChanged p -> List.of(new RowChange.ChannelTopicUpdate(team, p.getChannelId(), p.getTopic(), offset));
            case ChannelArchived p -> List.of(new RowChange.ChannelArchive(team, p.getChannelId(), at, offset));
            case MemberJoined p -> List.of(new RowChange.ChannelMemberUpsert(team, p.getChannelId(), p.getUserId(),
                    p.getInvitedBy(), at, offset));
            case MemberLeft p -> List.of(new RowChange.ChannelMemberDelete(team, p.getChannelId(), p.getUserId(), offset));
            case MessagePosted p -> {
                final RowChange insert = new RowChange.MessageInsert(team, p.getChannelId(), p.getMessageId(), actor,
                        p.getText(), p.getThreadRootId(), p.getClientMessageId(), at, partition, offset);
                yield p.getThreadRootId() == null ? List.of(insert)
                        : List.of(insert, new RowChange.ThreadRecount(team, p.getThreadRootId(), offset));
            }
            case MessageEdited p -> List.of(new RowChange.MessageEdit(team, p.getChannelId(), p.getMessageId(),
                    p.getText(), at, offset));
            // The tombstone, then what hangs on the message: its reactions, and (if it is a reply,
            // which only the row knows) its root's thread summary.
            case MessageDeleted p -> List.of(
                    new RowChange.MessageDelete(team, p.getChannelId(), p.getMessageId(), at, offset),
                    new RowChange.ReactionPurge(team, p.getChannelId(), p.getMessageId(), offset),
                    new RowChange.ThreadRecountOfReply(team, p.getMessageId(), offset));
            case ReactionAdded p -> List.of(new RowChange.ReactionAdd(team, p.getChannelId(), p.getMessageId(), actor,
                    p.getEmoji(), at, offset));
            case ReactionRemoved p -> List.of(new RowChange.ReactionRemove(team, p.getChannelId(), p.getMessageId(),
                    actor, p.getEmoji(), offset));
            case ReadMarked p -> List.of(new RowChange.ReadMarkerUpsert(team, p.getChannelId(), actor, p.getMessageId(),
                    at, offset));
            default -> throw new IllegalArgumentException("unknown payload type "
                    + (e.getPayload() == null ? "null" : e.getPayload().getClass().getName()));
        };
    }
}
