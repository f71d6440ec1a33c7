package chat.schemas;

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
import org.apache.avro.specific.SpecificRecord;

/** Small helpers over envelopes that every module needs: the payload's type and channel. */
public final class Events {
    private Events() {
    }

    /** The payload's record name, e.g. {@code MessagePosted}; also the {@code type} header. */
    public static String typeOf(final EventEnvelope envelope) {
        final Object payload = envelope.getPayload();
        if (payload instanceof SpecificRecord record) {
            return record.getSchema().getName();
        }
        throw new IllegalArgumentException("payload is not a record: " + payload);
    }

    /** The channel an event belongs to, or {@code null} for team-scoped events. */
    public static String channelOf(final EventEnvelope envelope) {
        return switch (envelope.getPayload()) {
            case MessagePosted p -> p.getChannelId();
            case MessageEdited p -> p.getChannelId();
            case MessageDeleted p -> p.getChannelId();
            case ReactionAdded p -> p.getChannelId();
            case ReactionRemoved p -> p.getChannelId();
            case ReadMarked p -> p.getChannelId();
            case ChannelCreated p -> p.getChannelId();
            case ChannelTopicChanged p -> p.getChannelId();
            case ChannelArchived p -> p.getChannelId();
            case MemberJoined p -> p.getChannelId();
            case MemberLeft p -> p.getChannelId();
            default -> null;
        };
    }
}
