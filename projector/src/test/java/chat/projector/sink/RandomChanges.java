package chat.projector.sink;

import chat.projector.projection.RowChange;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/** Random but valid-looking change sequences over a tiny key space, so rows collide often. */
final class RandomChanges {
    private RandomChanges() {
    }

    static List<RowChange> generate(final long seed, final int count, final int partition, final long firstOffset) {
        final Random r = new Random(seed);
        final String[] users = {"u1", "u2"};
        final String[] channels = {"c1", "c2"};
        final String[] messages = {"m1", "m2", "m3"};
        final List<RowChange> out = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            final long o = firstOffset + i;
            final Instant at = Instant.ofEpochMilli(1_700_000_000_000L + o * 1000);
            final String team = "t" + (1 + r.nextInt(2));
            final String u = users[r.nextInt(users.length)];
            final String c = channels[r.nextInt(channels.length)];
            final String m = messages[r.nextInt(messages.length)];
            out.add(switch (r.nextInt(11)) {
                case 0 -> new RowChange.TeamInsert(team, "name" + o, u, at, o);
                case 1 -> new RowChange.TeamMemberUpsert(team, u, r.nextBoolean() ? "admin" : "member", at, o);
                case 2 -> new RowChange.TeamMemberDelete(team, u, o);
                case 3 -> new RowChange.ChannelInsert(team, c, "ch" + o, r.nextBoolean(), r.nextBoolean() ? null : "t" + o, u, at, o);
                case 4 -> new RowChange.ChannelTopicUpdate(team, c, r.nextBoolean() ? null : "topic" + o, o);
                case 5 -> new RowChange.ChannelArchive(team, c, at, o);
                case 6 -> new RowChange.ChannelMemberUpsert(team, c, u, r.nextBoolean() ? null : "u9", at, o);
                case 7 -> new RowChange.ChannelMemberDelete(team, c, u, o);
                case 8 -> new RowChange.MessageInsert(team, c, m, u, "text" + o, null, null, at, partition, o);
                case 9 -> new RowChange.MessageEdit(team, c, m, "edit" + o, at, o);
                default -> new RowChange.MessageDelete(team, c, m, at, o);
            });
        }
        return out;
    }
}
