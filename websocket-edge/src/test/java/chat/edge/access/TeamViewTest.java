package chat.edge.access;

import chat.edge.TestEvents;
import chat.events.ChannelCreated;
import chat.events.MemberJoined;
import chat.events.MemberLeft;
import chat.events.MessagePosted;
import chat.events.TeamMemberJoined;
import chat.events.TeamMemberLeft;
import org.junit.jupiter.api.Test;

import java.util.Map;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;

class TeamViewTest {
    private static TeamView view() {
        // alice and bob in the team; "general" public; "secret" private with alice only
        return TeamView.of("t1", new MembershipSnapshot(10, Set.of("alice", "bob"), Set.of("general"),
                Map.of("secret", Set.of("alice"))));
    }

    private static Object post(final String channel) {
        return MessagePosted.newBuilder().setChannelId(channel).setMessageId("m").setText("x").build();
    }

    @Test
    void givenPrivateChannel_whenMessagePosted_thenOnlyItsMembersReceiveIt() {
        final TeamView v = view();
        final TeamView.Audience a = v.apply(10, TestEvents.envelope("t1", post("secret")));
        assertThat(a.includes("alice")).isTrue();
        assertThat(a.includes("bob")).isFalse();
        assertThat(a.includes("mallory")).isFalse();
        assertThat(a.includes(null)).isFalse();
        assertThat(v.next()).isEqualTo(11);
    }

    @Test
    void givenPublicChannel_thenEveryTeamMemberAndNoOutsiderReceivesIt() {
        final TeamView.Audience a = view().apply(10, TestEvents.envelope("t1", post("general")));
        assertThat(a.includes("alice")).isTrue();
        assertThat(a.includes("bob")).isTrue();
        assertThat(a.includes("mallory")).isFalse();
    }

    @Test
    void givenUnknownChannel_thenNobodyReceivesIt() {
        assertThat(view().apply(10, TestEvents.envelope("t1", post("nope"))).includes("alice")).isFalse();
    }

    @Test
    void givenInvite_thenInviteeSeesTheInviteAndLaterEvents_andAfterLeavingOnlyTheirLeave() {
        final TeamView v = view();
        final TeamView.Audience join = v.apply(10, TestEvents.envelope("t1",
                MemberJoined.newBuilder().setChannelId("secret").setUserId("bob").setInvitedBy("alice").build()));
        assertThat(join.includes("bob")).isTrue();
        assertThat(join.includes("alice")).isTrue();
        assertThat(v.apply(11, TestEvents.envelope("t1", post("secret"))).includes("bob")).isTrue();
        final TeamView.Audience leave = v.apply(12, TestEvents.envelope("t1",
                MemberLeft.newBuilder().setChannelId("secret").setUserId("bob").build()));
        assertThat(leave.includes("bob")).isTrue();
        assertThat(v.apply(13, TestEvents.envelope("t1", post("secret"))).includes("bob")).isFalse();
    }

    @Test
    void givenTeamMemberLeft_thenTheyGetTheirLeaveAndNothingAfter_evenOfPublicChannels() {
        final TeamView v = view();
        final TeamView.Audience left = v.apply(10, TestEvents.envelope("t1",
                TeamMemberLeft.newBuilder().setUserId("alice").build()));
        assertThat(left.includes("alice")).isTrue();
        assertThat(left.leftTeam()).isEqualTo("alice");
        assertThat(v.apply(11, TestEvents.envelope("t1", post("general"))).includes("alice")).isFalse();
        assertThat(v.apply(12, TestEvents.envelope("t1", post("secret"))).includes("alice")).isFalse();
        assertThat(v.isTeamMember("alice")).isFalse();
    }

    @Test
    void givenNewPrivateChannel_thenItsCreatorSeesItsCreationAndOthersDoNot() {
        final TeamView v = view();
        final TeamView.Audience created = v.apply(10, TestEvents.envelope("t1", ChannelCreated.newBuilder()
                .setChannelId("new").setName("new").setPrivate$(true).setTopic(null).build()));
        assertThat(created.includes("u1")).isTrue(); // TestEvents' actor
        assertThat(created.includes("bob")).isFalse();
        v.apply(11, TestEvents.envelope("t1", TeamMemberJoined.newBuilder().setUserId("carol").setRole("member").build()));
        assertThat(v.apply(12, TestEvents.envelope("t1", post("general"))).includes("carol")).isTrue();
        assertThat(v.apply(13, TestEvents.envelope("t1", post("new"))).includes("carol")).isFalse();
    }

    @Test
    void givenEventAlreadyInTheSnapshot_thenItChangesNothing() {
        final TeamView v = view();
        v.apply(9, TestEvents.envelope("t1", MemberLeft.newBuilder().setChannelId("secret").setUserId("alice").build()));
        assertThat(v.maySee("alice", "secret")).isTrue();
        assertThat(v.next()).isEqualTo(10);
    }

    @Test
    void replaysAreJudgedByMembershipNow_andAMembershipChangeIsAlwaysShownToItsSubject() {
        final TeamView v = view();
        assertThat(v.mayReplay("alice", new TeamView.Scope("secret", null, false))).isTrue();
        assertThat(v.mayReplay("bob", new TeamView.Scope("secret", null, false))).isFalse();
        assertThat(v.mayReplay("bob", new TeamView.Scope("secret", "bob", false))).isTrue();
        assertThat(v.mayReplay("mallory", TeamView.Scope.TEAM)).isFalse();
    }

    /** A memo that counts the member-set look-ups it caused. */
    private static final class CountingMemo implements MembershipMemo {
        long stamp;
        boolean member;
        int lookups;

        @Override
        public long membersStamp() {
            return stamp;
        }

        @Override
        public boolean teamMember() {
            return member;
        }

        @Override
        public void remember(final long membersStamp, final boolean teamMember) {
            stamp = membersStamp;
            member = teamMember;
            lookups++;
        }
    }

    @Test
    void givenMemo_thenMembershipIsLookedUpOnlyAfterTheTeamChanged_andAnswersStayRight() {
        final TeamView v = view();
        final CountingMemo carol = new CountingMemo();
        final CountingMemo bob = new CountingMemo();
        assertThat(v.apply(10, TestEvents.envelope("t1", post("general"))).includes("carol", carol)).isFalse();
        assertThat(v.apply(11, TestEvents.envelope("t1", post("general"))).includes("bob", bob)).isTrue();
        assertThat(v.apply(12, TestEvents.envelope("t1", post("general"))).includes("bob", bob)).isTrue();
        assertThat(v.apply(13, TestEvents.envelope("t1", post("general"))).includes("carol", carol)).isFalse();
        assertThat(carol.lookups).isEqualTo(1);
        assertThat(bob.lookups).isEqualTo(1);

        assertThat(v.apply(14, TestEvents.envelope("t1", TeamMemberJoined.newBuilder().setUserId("carol").build()))
                .includes("carol", carol)).isTrue();
        assertThat(v.apply(15, TestEvents.envelope("t1", post("general"))).includes("carol", carol)).isTrue();
        assertThat(v.apply(16, TestEvents.envelope("t1", TeamMemberLeft.newBuilder().setUserId("bob").build()))
                .includes("bob", bob)).as("the leaver gets their leave").isTrue();
        assertThat(v.apply(17, TestEvents.envelope("t1", post("general"))).includes("bob", bob)).isFalse();
        assertThat(v.apply(18, TestEvents.envelope("t1", post("secret"))).includes("carol", carol))
                .as("a team member outside a private channel").isFalse();

        // Another view of the team (reloaded) never answers from a memo of the old one.
        final TeamView reloaded = view();
        assertThat(reloaded.apply(10, TestEvents.envelope("t1", post("general"))).includes("bob", bob)).isTrue();
        assertThat(reloaded.apply(11, TestEvents.envelope("t1", post("general"))).includes("carol", carol)).isFalse();
    }
}
