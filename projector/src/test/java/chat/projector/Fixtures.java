package chat.projector;

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
import java.util.UUID;

/** Builds events of team {@code t1} for tests; times are {@code T0 + n seconds}. */
public final class Fixtures {
    public static final String TEAM = "t1";
    public static final Instant T0 = Instant.parse("2026-01-02T03:04:05.678Z");

    private Fixtures() {
    }

    public static Instant at(final int second) {
        return T0.plusSeconds(second);
    }

    public static EventEnvelope envelope(final String team, final String actor, final int second, final Object payload) {
        return new EventEnvelope(UUID.randomUUID().toString(), team, actor, at(second), EventCodec.CURRENT_VERSION, payload);
    }

    public static EventEnvelope of(final int second, final Object payload) {
        return envelope(TEAM, "u1", second, payload);
    }

    public static EventEnvelope teamCreated(final int s) {
        return of(s, new TeamCreated("Team One"));
    }

    public static EventEnvelope teamMemberJoined(final int s, final String user, final String role) {
        return of(s, new TeamMemberJoined(user, role));
    }

    public static EventEnvelope teamMemberLeft(final int s, final String user) {
        return of(s, new TeamMemberLeft(user));
    }

    public static EventEnvelope channelCreated(final int s, final String channel) {
        return of(s, new ChannelCreated(channel, "general", false, "hello"));
    }

    public static EventEnvelope topicChanged(final int s, final String channel, final String topic) {
        return of(s, new ChannelTopicChanged(channel, topic));
    }

    public static EventEnvelope channelArchived(final int s, final String channel) {
        return of(s, new ChannelArchived(channel));
    }

    public static EventEnvelope memberJoined(final int s, final String channel, final String user) {
        return of(s, new MemberJoined(channel, user, "u1"));
    }

    public static EventEnvelope memberLeft(final int s, final String channel, final String user) {
        return of(s, new MemberLeft(channel, user));
    }

    public static EventEnvelope posted(final int s, final String channel, final String message, final String text) {
        return of(s, new MessagePosted(channel, message, text, null, "cm-" + message));
    }

    public static EventEnvelope edited(final int s, final String channel, final String message, final String text) {
        return of(s, new MessageEdited(channel, message, text));
    }

    public static EventEnvelope deleted(final int s, final String channel, final String message) {
        return of(s, new MessageDeleted(channel, message));
    }

    public static EventEnvelope reactionAdded(final int s, final String channel, final String message) {
        return of(s, new ReactionAdded(channel, message, "+1"));
    }

    public static EventEnvelope reactionRemoved(final int s, final String channel, final String message) {
        return of(s, new ReactionRemoved(channel, message, "+1"));
    }

    public static EventEnvelope readMarked(final int s, final String channel, final String message) {
        return of(s, new ReadMarked(channel, message));
    }

    public static EventEnvelope reply(final int s, final String channel, final String message, final String root,
                                      final String text) {
        return of(s, new MessagePosted(channel, message, text, root, "cm-" + message));
    }

    public static EventEnvelope reactionAdded(final int s, final String channel, final String message, final String user,
                                              final String emoji) {
        return envelope(TEAM, user, s, new ReactionAdded(channel, message, emoji));
    }

    public static EventEnvelope reactionRemoved(final int s, final String channel, final String message,
                                                final String user, final String emoji) {
        return envelope(TEAM, user, s, new ReactionRemoved(channel, message, emoji));
    }

    public static EventEnvelope readMarked(final int s, final String channel, final String message, final String user) {
        return envelope(TEAM, user, s, new ReadMarked(channel, message));
    }
}
