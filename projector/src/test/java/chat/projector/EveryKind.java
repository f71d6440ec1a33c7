package chat.projector;

import chat.events.EventEnvelope;
import chat.projector.sink.ReadModel;

import java.util.List;

import static chat.projector.Fixtures.*;
import static org.assertj.core.api.Assertions.assertThat;

/** One event of every kind, in an order that exercises each rule, and the rows it must leave. */
public final class EveryKind {
    /** Number of events: the checkpoint after writing them from offset 0. */
    public static final long COUNT = 24;

    private EveryKind() {
    }

    /** {@value #COUNT} events, offsets in the comments. */
    public static List<EventEnvelope> events() {
        return List.of(
                teamCreated(1),                                 // 0
                teamMemberJoined(2, "u2", "member"),            // 1
                teamMemberJoined(3, "u3", "admin"),             // 2
                teamMemberLeft(4, "u3"),                        // 3
                channelCreated(5, "c1"),                        // 4
                topicChanged(6, "c1", "news"),                  // 5
                channelCreated(7, "c2"),                        // 6
                channelArchived(8, "c2"),                       // 7
                memberJoined(9, "c1", "u2"),                    // 8
                memberJoined(10, "c1", "u3"),                   // 9
                memberLeft(11, "c1", "u3"),                     // 10
                posted(12, "c1", "m1", "hello"),                // 11
                edited(13, "c1", "m1", "hello!"),               // 12
                posted(14, "c1", "m2", "bye"),                  // 13
                deleted(15, "c1", "m2"),                        // 14
                reactionAdded(16, "c1", "m1"),                  // 15: u1 +1 on m1, stays
                readMarked(17, "c1", "m1"),                     // 16: u1 read up to m1 ...
                reply(18, "c1", "r1", "m1", "first"),           // 17: m1 has 1 reply
                reply(19, "c1", "r2", "m1", "second"),          // 18: ... 2 replies
                reactionAdded(20, "c1", "r2", "u2", "eyes"),    // 19: purged with r2 below
                deleted(21, "c1", "r2"),                        // 20: m1 back to 1 reply
                reactionAdded(22, "c1", "m1", "u2", "tada"),    // 21
                reactionRemoved(23, "c1", "m1", "u2", "tada"),  // 22
                readMarked(24, "c1", "r1", "u1"));              // 23: ... then up to r1
    }

    /** The rows {@link #events()} leave when written from offset 0 of {@code partition}. */
    public static void assertProjected(final ReadModel rows, final int partition) {
        assertThat(rows.teams()).containsExactly(new ReadModel.Team(TEAM, "Team One", "u1", at(1), 0));
        assertThat(rows.teamMembers()).containsExactly(new ReadModel.TeamMember(TEAM, "u2", "member", at(2), 1));
        assertThat(rows.channels()).containsExactly(
                new ReadModel.Channel(TEAM, "c1", "general", false, "news", "u1", at(5), null, 5),
                new ReadModel.Channel(TEAM, "c2", "general", false, "hello", "u1", at(7), at(8), 7));
        assertThat(rows.channelMembers()).containsExactly(new ReadModel.ChannelMember(TEAM, "c1", "u2", "u1", at(9), 8));
        assertThat(rows.messages()).containsExactly(
                // the thread summary does not move the root's last_offset (12: the edit)
                new ReadModel.Message(TEAM, "c1", "m1", "u1", "hello!", null, "cm-m1", at(12), at(13), null, partition,
                        11, 12, 1, at(18)),
                new ReadModel.Message(TEAM, "c1", "m2", "u1", null, null, "cm-m2", at(14), null, at(15), partition,
                        13, 14, 0, null),
                new ReadModel.Message(TEAM, "c1", "r1", "u1", "first", "m1", "cm-r1", at(18), null, null, partition,
                        17, 17, 0, null),
                new ReadModel.Message(TEAM, "c1", "r2", "u1", null, "m1", "cm-r2", at(19), null, at(21), partition,
                        18, 20, 0, null));
        assertThat(rows.reactions()).containsExactly(new ReadModel.Reaction(TEAM, "m1", "u1", "+1", "c1", at(16), 15));
        assertThat(rows.readMarkers()).containsExactly(new ReadModel.ReadMarker(TEAM, "c1", "u1", "r1", 17, at(24), 23));
    }
}
