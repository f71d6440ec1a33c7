package chat.search.index;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** The permission rule search shares with the read API: team membership, then public or private-member channels. */
class PartitionAclTest {

    private static PartitionAcl acme() {
        final PartitionAcl acl = new PartitionAcl();
        acl.joinTeam("acme", "alice");
        acl.joinTeam("acme", "bob");
        acl.createChannel("acme", "general", false);
        acl.createChannel("acme", "secret", true);
        acl.joinChannel("acme", "general", "alice");
        acl.joinChannel("acme", "secret", "alice");
        return acl;
    }

    @Test
    void givenPublicAndPrivateChannels_whenListed_thenPrivateOnlyForMembers() {
        final PartitionAcl acl = acme();
        assertThat(acl.readableChannels("acme", "alice")).containsExactlyInAnyOrder("general", "secret");
        assertThat(acl.readableChannels("acme", "bob")).containsExactly("general");
        assertThat(acl.mayRead("acme", "secret", "bob")).isFalse();
        assertThat(acl.mayRead("acme", "general", "bob")).as("public: no channel membership needed").isTrue();
    }

    @Test
    void givenOutsider_whenListed_thenNothing() {
        final PartitionAcl acl = acme();
        assertThat(acl.readableChannels("acme", "mallory")).isEmpty();
        assertThat(acl.readableChannels("other-team", "alice")).isEmpty();
        assertThat(acl.isTeamMember("acme", "mallory")).isFalse();
    }

    @Test
    void givenMemberLeavesPrivateChannel_whenListed_thenGoneAtOnce() {
        final PartitionAcl acl = acme();
        acl.leaveChannel("acme", "secret", "alice");
        assertThat(acl.readableChannels("acme", "alice")).containsExactly("general");
    }

    @Test
    void givenMemberLeavesTeam_thenNothingReadable_andRejoinRestoresChannelMemberships() {
        final PartitionAcl acl = acme();
        acl.leaveTeam("acme", "alice");
        assertThat(acl.readableChannels("acme", "alice")).isEmpty();
        assertThat(acl.mayRead("acme", "general", "alice")).isFalse();
        // as in the read model: channel memberships stay, team membership gates them
        acl.joinTeam("acme", "alice");
        assertThat(acl.readableChannels("acme", "alice")).containsExactlyInAnyOrder("general", "secret");
    }

    @Test
    void givenUnknownChannel_thenNotReadable() {
        assertThat(acme().mayRead("acme", "nope", "alice")).isFalse();
    }
}
