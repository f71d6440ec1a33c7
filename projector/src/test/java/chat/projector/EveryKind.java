package chat.projector;

import chat.events.EventEnvelope;
import chat.projector.sink.ReadModel;

import java.util.List;

import static chat.projector.Fixtures.*;
import static org.assertj.core.api.Assertions.assertThat;

/** One event of every kind, in an order that exercises each rule, and the rows it must leave. */
public final class EveryKind {
    private EveryKind() {
    }

    /** 17 events; offsets 15 and 16 (reaction, read marker) only advance the checkpoint. */
    public static List<EventEnvelope> events() {
        return List.of(
                teamCreated(1),                         // 0
                teamMemberJoined(2, "u2", "member"),    // 1
                teamMemberJoined(3, "u3", "admin"),     // 2
                teamMemberLeft(4, "u3"),                // 3
                channelCreated(5, "c1"),                // 4
                topicChanged(6, "c1", "news"),          // 5
                channelCreated(7, "c2"),                // 6
                channelArchived(8, "c2"),               // 7
                memberJoined(9, "c1", "u2"),            // 8
                memberJoined(10, "c1", "u3"),           // 9
                memberLeft(11, "c1", "u3"),             // 10
                posted(12, "c1", "m1", "hello"),        // 11
                edited(13, "c1", "m1", "hello!"),       // 12
                posted(14, "c1", "m2", "bye"),          // 13
                deleted(15, "c1", "m2"),                // 14
                reactionAdded(16, "c1", "m1"),          // 15: checkpoint only
                readMarked(17, "c1", "m1"));            // 16: checkpoint only
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
                new ReadModel.Message(TEAM, "c1", "m1", "u1", "hello!", null, "cm-m1", at(12), at(13), null, partition, 11, 12),
                new ReadModel.Message(TEAM, "c1", "m2", "u1", null, null, "cm-m2", at(14), null, at(15), partition, 13, 14));
    }
}
