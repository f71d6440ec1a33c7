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

import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * Random but valid events of every kind over a tiny key space (2 teams, 2 channels, 2 users, 4
 * messages, 2 emojis), so rows collide often: posts, replies to any message (also to itself or
 * to one posted later), edits, deletes, reactions and read markers on known and unknown messages.
 */
public final class RandomEvents {
    private RandomEvents() {
    }

    /** {@code count} events; event {@code i} occurs at second {@code firstSecond + i}. */
    public static List<EventEnvelope> generate(final long seed, final int count, final int firstSecond) {
        final Random r = new Random(seed);
        final String[] users = {"u1", "u2"};
        final String[] channels = {"c1", "c2"};
        final String[] messages = {"m1", "m2", "m3", "m4"};
        final String[] emojis = {"+1", "eyes"};
        final List<EventEnvelope> out = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            final int second = firstSecond + i;
            final String team = "t" + (1 + r.nextInt(2));
            final String u = users[r.nextInt(users.length)];
            final String c = channels[r.nextInt(channels.length)];
            final String m = messages[r.nextInt(messages.length)];
            final Object payload = switch (r.nextInt(17)) {
                case 0 -> new TeamCreated("name" + second);
                case 1 -> new TeamMemberJoined(u, r.nextBoolean() ? "admin" : "member");
                case 2 -> new TeamMemberLeft(u);
                case 3 -> new ChannelCreated(c, "ch" + second, r.nextBoolean(), r.nextBoolean() ? null : "t" + second);
                case 4 -> new ChannelTopicChanged(c, r.nextBoolean() ? null : "topic" + second);
                case 5 -> new ChannelArchived(c);
                case 6 -> new MemberJoined(c, u, r.nextBoolean() ? null : "u9");
                case 7 -> new MemberLeft(c, u);
                case 8, 9 -> new MessagePosted(c, m, "text" + second, null, null);
                case 10 -> new MessagePosted(c, m, "reply" + second, messages[r.nextInt(messages.length)], null);
                case 11 -> new MessageEdited(c, m, "edit" + second);
                case 12 -> new MessageDeleted(c, m);
                case 13, 14 -> new ReactionAdded(c, m, emojis[r.nextInt(emojis.length)]);
                case 15 -> new ReactionRemoved(c, m, emojis[r.nextInt(emojis.length)]);
                default -> new ReadMarked(c, m);
            };
            out.add(Fixtures.envelope(team, u, second, payload));
        }
        return out;
    }
}
