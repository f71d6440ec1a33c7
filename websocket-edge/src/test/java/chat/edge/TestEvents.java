package chat.edge;

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
import chat.schemas.EventCodec;

import java.time.Instant;
import java.util.List;
import java.util.UUID;

/** Envelopes for tests: one of every payload type, and a posted message with chosen text. */
public final class TestEvents {
    public static final Instant OCCURRED = Instant.ofEpochMilli(1_732_200_000_100L);

    private TestEvents() {
    }

    public static EventEnvelope envelope(final String team, final Object payload) {
        return EventEnvelope.newBuilder()
                .setEventId(UUID.randomUUID().toString())
                .setTeamId(team)
                .setActorId("u1")
                .setOccurredAt(OCCURRED)
                .setSchemaVersion(EventCodec.CURRENT_VERSION)
                .setPayload(payload)
                .build();
    }

    public static EventEnvelope posted(final String team, final String messageId, final String text) {
        return envelope(team, MessagePosted.newBuilder().setChannelId("c1").setMessageId(messageId).setText(text)
                .build());
    }

    /** One payload of every type in the union. */
    public static List<Object> everyPayload() {
        return List.of(
                TeamCreated.newBuilder().setName("Acme").build(),
                TeamMemberJoined.newBuilder().setUserId("u2").build(),
                TeamMemberLeft.newBuilder().setUserId("u2").build(),
                ChannelCreated.newBuilder().setChannelId("c1").setName("general").setPrivate$(true).setTopic("hi").build(),
                ChannelTopicChanged.newBuilder().setChannelId("c1").setTopic(null).build(),
                ChannelArchived.newBuilder().setChannelId("c1").build(),
                MemberJoined.newBuilder().setChannelId("c1").setUserId("u2").setInvitedBy("u1").build(),
                MemberLeft.newBuilder().setChannelId("c1").setUserId("u2").build(),
                MessagePosted.newBuilder().setChannelId("c1").setMessageId("m1").setText("hello")
                        .setThreadRootId("m0").setClientMessageId("cm1").build(),
                MessageEdited.newBuilder().setChannelId("c1").setMessageId("m1").setText("hello again").build(),
                MessageDeleted.newBuilder().setChannelId("c1").setMessageId("m1").build(),
                ReactionAdded.newBuilder().setChannelId("c1").setMessageId("m1").setEmoji(":+1:").build(),
                ReactionRemoved.newBuilder().setChannelId("c1").setMessageId("m1").setEmoji(":+1:").build(),
                ReadMarked.newBuilder().setChannelId("c1").setMessageId("m1").build());
    }
}
