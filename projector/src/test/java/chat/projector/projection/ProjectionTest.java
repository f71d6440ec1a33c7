package chat.projector.projection;

import chat.events.EventEnvelope;
import org.junit.jupiter.api.Test;

import java.util.List;

import static chat.projector.Fixtures.*;
import static org.assertj.core.api.Assertions.assertThat;

class ProjectionTest {

    private static List<RowChange> project(final EventEnvelope e, final long offset) {
        return Projection.project(e, 3, offset);
    }

    @Test
    void shouldMapEveryProjectedEventToItsRowChange() {
        assertThat(project(teamCreated(1), 10)).containsExactly(new RowChange.TeamInsert(TEAM, "Team One", "u1", at(1), 10));
        assertThat(project(teamMemberJoined(2, "u2", "admin"), 11))
                .containsExactly(new RowChange.TeamMemberUpsert(TEAM, "u2", "admin", at(2), 11));
        assertThat(project(teamMemberLeft(3, "u2"), 12)).containsExactly(new RowChange.TeamMemberDelete(TEAM, "u2", 12));
        assertThat(project(channelCreated(4, "c1"), 13))
                .containsExactly(new RowChange.ChannelInsert(TEAM, "c1", "general", false, "hello", "u1", at(4), 13));
        assertThat(project(topicChanged(5, "c1", null), 14))
                .containsExactly(new RowChange.ChannelTopicUpdate(TEAM, "c1", null, 14));
        assertThat(project(channelArchived(6, "c1"), 15)).containsExactly(new RowChange.ChannelArchive(TEAM, "c1", at(6), 15));
        assertThat(project(memberJoined(7, "c1", "u3"), 16))
                .containsExactly(new RowChange.ChannelMemberUpsert(TEAM, "c1", "u3", "u1", at(7), 16));
        assertThat(project(memberLeft(8, "c1", "u3"), 17))
                .containsExactly(new RowChange.ChannelMemberDelete(TEAM, "c1", "u3", 17));
        assertThat(project(posted(9, "c1", "m1", "hi"), 18))
                .containsExactly(new RowChange.MessageInsert(TEAM, "c1", "m1", "u1", "hi", null, "cm-m1", at(9), 3, 18));
        assertThat(project(edited(10, "c1", "m1", "hi!"), 19))
                .containsExactly(new RowChange.MessageEdit(TEAM, "c1", "m1", "hi!", at(10), 19));
    }

    @Test
    void givenReactionsAndReadMarkers_whenProjected_thenActorIsTheUser() {
        assertThat(project(reactionAdded(1, "c1", "m1", "u2", "eyes"), 1))
                .containsExactly(new RowChange.ReactionAdd(TEAM, "c1", "m1", "u2", "eyes", at(1), 1));
        assertThat(project(reactionRemoved(2, "c1", "m1", "u2", "eyes"), 2))
                .containsExactly(new RowChange.ReactionRemove(TEAM, "c1", "m1", "u2", "eyes", 2));
        assertThat(project(readMarked(3, "c1", "m1", "u2"), 3))
                .containsExactly(new RowChange.ReadMarkerUpsert(TEAM, "c1", "u2", "m1", at(3), 3));
    }

    @Test
    void givenReply_whenProjected_thenInsertThenRecountOfItsRoot() {
        assertThat(project(reply(1, "c1", "r1", "m1", "re"), 7)).containsExactly(
                new RowChange.MessageInsert(TEAM, "c1", "r1", "u1", "re", "m1", "cm-r1", at(1), 3, 7),
                new RowChange.ThreadRecount(TEAM, "m1", 7));
    }

    @Test
    void givenDelete_whenProjected_thenTombstoneThenReactionPurgeThenRecountOfItsThread() {
        assertThat(project(deleted(1, "c1", "m1"), 8)).containsExactly(
                new RowChange.MessageDelete(TEAM, "c1", "m1", at(1), 8),
                new RowChange.ReactionPurge(TEAM, "c1", "m1", 8),
                new RowChange.ThreadRecountOfReply(TEAM, "m1", 8));
    }
}
