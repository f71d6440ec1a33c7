package chat.projector.projection;

import chat.events.EventEnvelope;
import org.junit.jupiter.api.Test;

import java.util.Optional;

import static chat.projector.Fixtures.*;
import static org.assertj.core.api.Assertions.assertThat;

class ProjectionTest {

    private static Optional<RowChange> project(final EventEnvelope e, final long offset) {
        return Projection.project(e, 3, offset);
    }

    @Test
    void shouldMapEveryProjectedEventToItsRowChange() {
        assertThat(project(teamCreated(1), 10)).contains(new RowChange.TeamInsert(TEAM, "Team One", "u1", at(1), 10));
        assertThat(project(teamMemberJoined(2, "u2", "admin"), 11))
                .contains(new RowChange.TeamMemberUpsert(TEAM, "u2", "admin", at(2), 11));
        assertThat(project(teamMemberLeft(3, "u2"), 12)).contains(new RowChange.TeamMemberDelete(TEAM, "u2", 12));
        assertThat(project(channelCreated(4, "c1"), 13))
                .contains(new RowChange.ChannelInsert(TEAM, "c1", "general", false, "hello", "u1", at(4), 13));
        assertThat(project(topicChanged(5, "c1", null), 14))
                .contains(new RowChange.ChannelTopicUpdate(TEAM, "c1", null, 14));
        assertThat(project(channelArchived(6, "c1"), 15)).contains(new RowChange.ChannelArchive(TEAM, "c1", at(6), 15));
        assertThat(project(memberJoined(7, "c1", "u3"), 16))
                .contains(new RowChange.ChannelMemberUpsert(TEAM, "c1", "u3", "u1", at(7), 16));
        assertThat(project(memberLeft(8, "c1", "u3"), 17))
                .contains(new RowChange.ChannelMemberDelete(TEAM, "c1", "u3", 17));
        assertThat(project(posted(9, "c1", "m1", "hi"), 18))
                .contains(new RowChange.MessageInsert(TEAM, "c1", "m1", "u1", "hi", null, "cm-m1", at(9), 3, 18));
        assertThat(project(edited(10, "c1", "m1", "hi!"), 19))
                .contains(new RowChange.MessageEdit(TEAM, "c1", "m1", "hi!", at(10), 19));
        assertThat(project(deleted(11, "c1", "m1"), 20)).contains(new RowChange.MessageDelete(TEAM, "c1", "m1", at(11), 20));
    }

    @Test
    void givenReactionsAndReadMarkers_whenProjected_thenNoRowChange() {
        assertThat(project(reactionAdded(1, "c1", "m1"), 1)).isEmpty();
        assertThat(project(reactionRemoved(1, "c1", "m1"), 2)).isEmpty();
        assertThat(project(readMarked(1, "c1", "m1"), 3)).isEmpty();
    }
}
