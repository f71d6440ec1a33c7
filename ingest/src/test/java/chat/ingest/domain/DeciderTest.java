package chat.ingest.domain;

import chat.events.ChannelArchived;
import chat.events.ChannelCreated;
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
import chat.ingest.domain.Command.AddReaction;
import chat.ingest.domain.Command.AddTeamMember;
import chat.ingest.domain.Command.ArchiveChannel;
import chat.ingest.domain.Command.CreateChannel;
import chat.ingest.domain.Command.CreateTeam;
import chat.ingest.domain.Command.DeleteMessage;
import chat.ingest.domain.Command.EditMessage;
import chat.ingest.domain.Command.InviteToChannel;
import chat.ingest.domain.Command.JoinChannel;
import chat.ingest.domain.Command.LeaveChannel;
import chat.ingest.domain.Command.MarkRead;
import chat.ingest.domain.Command.PostMessage;
import chat.ingest.domain.Command.RemoveReaction;
import chat.ingest.domain.Command.RemoveTeamMember;
import org.apache.avro.specific.SpecificRecord;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

class DeciderTest {
    private static final String T = "acme";

    /** Applies each accepted decision's events to the view, like the read model would. */
    private static TeamView run(TeamView view, final Command... commands) {
        for (Command c : commands) {
            final Decision d = Decider.decide(c, view);
            assertThat(d).as("setup command %s", c).isInstanceOf(Decision.Accepted.class);
            for (SpecificRecord e : ((Decision.Accepted) d).payloads()) {
                view = Decider.evolve(view, c.actorId(), e);
            }
        }
        return view;
    }

    private static List<SpecificRecord> accepted(final Decision d) {
        assertThat(d).isInstanceOf(Decision.Accepted.class);
        return ((Decision.Accepted) d).payloads();
    }

    private static DomainError rejected(final Decision d) {
        assertThat(d).isInstanceOf(Decision.Rejected.class);
        return ((Decision.Rejected) d).error();
    }

    /** A team with alice (admin, creator of #general and the private #secret) and bob (member, in #general). */
    private static TeamView world(final String actor, final String target) {
        TeamView v = TeamView.empty(actor, target);
        // replay the history through evolve as the views of the actors involved see it
        final List<Object[]> history = List.of(
                new Object[]{"alice", new TeamCreated("Acme")},
                new Object[]{"alice", new TeamMemberJoined("alice", "admin")},
                new Object[]{"alice", new TeamMemberJoined("bob", "member")},
                new Object[]{"alice", new TeamMemberJoined("carol", "member")});
        for (Object[] h : history) {
            v = Decider.evolve(v, (String) h[0], (SpecificRecord) h[1]);
        }
        return v;
    }

    private static TeamView general(final TeamView v, final String... members) {
        TeamView out = Decider.evolve(v, "alice", new ChannelCreated("general", "General", false, null));
        for (String m : members) {
            out = Decider.evolve(out, m, new MemberJoined("general", m, null));
        }
        return out;
    }

    private static TeamView secret(final TeamView v, final String... members) {
        TeamView out = Decider.evolve(v, "alice", new ChannelCreated("secret", "Secret", true, null));
        for (String m : members) {
            out = Decider.evolve(out, m, new MemberJoined("secret", m, null));
        }
        return out;
    }

    private static TeamView withMessage(final TeamView v, final String author, final String id) {
        return Decider.evolve(v, author, new MessagePosted("general", id, "hi", null, null));
    }

    @Test
    void givenNoTeam_whenCreated_thenTeamAndCreatorAsAdmin() {
        final List<SpecificRecord> events = accepted(Decider.decide(new CreateTeam("alice", T, "Acme"), TeamView.empty("alice", null)));
        assertThat(events).containsExactly(new TeamCreated("Acme"), new TeamMemberJoined("alice", "admin"));
        final TeamView v = run(TeamView.empty("alice", null), new CreateTeam("alice", T, "Acme"));
        assertThat(rejected(Decider.decide(new CreateTeam("alice", T, "Acme"), v))).isEqualTo(DomainError.TEAM_EXISTS);
        assertThat(v.actorRole()).isEqualTo(Role.ADMIN);
    }

    @Test
    void givenMember_whenAddingMembers_thenOnlyAdminsMay() {
        assertThat(rejected(Decider.decide(new AddTeamMember("bob", T, "dave", Role.MEMBER), world("bob", "dave"))))
                .isEqualTo(DomainError.NOT_TEAM_ADMIN);
        assertThat(rejected(Decider.decide(new AddTeamMember("eve", T, "dave", Role.MEMBER), world("eve", "dave"))))
                .isEqualTo(DomainError.NOT_TEAM_MEMBER);
        assertThat(accepted(Decider.decide(new AddTeamMember("alice", T, "dave", Role.MEMBER), world("alice", "dave"))))
                .containsExactly(new TeamMemberJoined("dave", "member"));
        assertThat(accepted(Decider.decide(new AddTeamMember("alice", T, "bob", Role.MEMBER), world("alice", "bob"))))
                .as("already a member with that role").isEmpty();
        assertThat(rejected(Decider.decide(new AddTeamMember("alice", "nope", "bob", Role.MEMBER),
                TeamView.empty("alice", "bob")))).isEqualTo(DomainError.TEAM_NOT_FOUND);
    }

    @Test
    void givenMember_whenLeavingOrRemoved_thenSelfOrAdmin() {
        assertThat(accepted(Decider.decide(new RemoveTeamMember("bob", T, "bob"), world("bob", "bob"))))
                .containsExactly(new TeamMemberLeft("bob"));
        assertThat(rejected(Decider.decide(new RemoveTeamMember("bob", T, "carol"), world("bob", "carol"))))
                .isEqualTo(DomainError.NOT_TEAM_ADMIN);
        assertThat(accepted(Decider.decide(new RemoveTeamMember("alice", T, "carol"), world("alice", "carol")))).hasSize(1);
        assertThat(accepted(Decider.decide(new RemoveTeamMember("alice", T, "zed"), world("alice", "zed")))).isEmpty();
    }

    @Test
    void givenTeamMember_whenCreatingChannel_thenCreatorJoinsIt() {
        assertThat(accepted(Decider.decide(new CreateChannel("bob", T, "random", "Random", false, "fun"), world("bob", null))))
                .containsExactly(new ChannelCreated("random", "Random", false, "fun"), new MemberJoined("random", "bob", null));
        assertThat(rejected(Decider.decide(new CreateChannel("bob", T, "general", "G", false, null), general(world("bob", null)))))
                .isEqualTo(DomainError.CHANNEL_EXISTS);
        assertThat(rejected(Decider.decide(new CreateChannel("eve", T, "x", "X", false, null), world("eve", null))))
                .isEqualTo(DomainError.NOT_TEAM_MEMBER);
    }

    @Test
    void givenPublicChannel_whenJoiningTwice_thenSecondChangesNothing() {
        final TeamView v = run(general(world("carol", null)), new JoinChannel("carol", T, "general"));
        assertThat(v.channel().actorIsMember()).isTrue();
        assertThat(accepted(Decider.decide(new JoinChannel("carol", T, "general"), v))).isEmpty();
        assertThat(accepted(Decider.decide(new LeaveChannel("carol", T, "general"), v)))
                .containsExactly(new MemberLeft("general", "carol"));
        assertThat(rejected(Decider.decide(new JoinChannel("carol", T, "nope"), world("carol", null))))
                .isEqualTo(DomainError.CHANNEL_NOT_FOUND);
    }

    @Test
    void givenPrivateChannel_whenOutsiderActs_thenItLooksAbsent() {
        final TeamView outsider = secret(world("bob", null), "alice");
        assertThat(rejected(Decider.decide(new JoinChannel("bob", T, "secret"), outsider))).isEqualTo(DomainError.CHANNEL_NOT_FOUND);
        assertThat(rejected(Decider.decide(new PostMessage("bob", T, "secret", "m1", "hi", null, null), outsider)))
                .isEqualTo(DomainError.CHANNEL_NOT_FOUND);
        assertThat(rejected(Decider.decide(new MarkRead("bob", T, "secret", "m1"), outsider))).isEqualTo(DomainError.CHANNEL_NOT_FOUND);
        assertThat(rejected(Decider.decide(new AddReaction("bob", T, "secret", "m1", "tada"), outsider)))
                .isEqualTo(DomainError.CHANNEL_NOT_FOUND);
        assertThat(rejected(Decider.decide(new LeaveChannel("bob", T, "secret"), outsider))).isEqualTo(DomainError.CHANNEL_NOT_FOUND);
    }

    @Test
    void givenPrivateChannelMember_whenInvitingATeamMember_thenInvitedJoins() {
        final TeamView v = secret(world("alice", "bob"), "alice");
        assertThat(accepted(Decider.decide(new InviteToChannel("alice", T, "secret", "bob"), v)))
                .containsExactly(new MemberJoined("secret", "bob", "alice"));
        final TeamView after = run(v, new InviteToChannel("alice", T, "secret", "bob"));
        assertThat(accepted(Decider.decide(new InviteToChannel("alice", T, "secret", "bob"), after))).as("twice").isEmpty();
        assertThat(rejected(Decider.decide(new InviteToChannel("alice", T, "secret", "zed"), secret(world("alice", "zed"), "alice"))))
                .isEqualTo(DomainError.USER_NOT_TEAM_MEMBER);
    }

    @Test
    void givenNonMember_whenPosting_thenRejected_andMemberPostsAndRepliesJoinTheRootThread() {
        assertThat(rejected(Decider.decide(new PostMessage("carol", T, "general", "m1", "hi", null, null),
                general(world("carol", null), "bob")))).isEqualTo(DomainError.NOT_CHANNEL_MEMBER);
        final TeamView v = general(world("bob", null), "bob");
        assertThat(accepted(Decider.decide(new PostMessage("bob", T, "general", "m1", "hi", null, "c1"), v)))
                .containsExactly(new MessagePosted("general", "m1", "hi", null, "c1"));
        // a reply to a reply is recorded against the root
        final TeamView reply = v.withThreadRoot(new TeamView.Message("r1", "general", "alice", false, "root", 0, 5));
        assertThat(accepted(Decider.decide(new PostMessage("bob", T, "general", "m2", "re", "r1", null), reply)))
                .containsExactly(new MessagePosted("general", "m2", "re", "root", null));
        assertThat(rejected(Decider.decide(new PostMessage("bob", T, "general", "m2", "re", "missing", null), v)))
                .isEqualTo(DomainError.THREAD_ROOT_NOT_FOUND);
    }

    @Test
    void givenRetriedPostWithSameMessageId_thenNothingNewIsAppended() {
        final TeamView v = withMessage(general(world("bob", null), "bob"), "bob", "m1");
        assertThat(accepted(Decider.decide(new PostMessage("bob", T, "general", "m1", "hi", null, "c1"), v))).isEmpty();
    }

    @Test
    void givenArchivedChannel_thenNoPostsEditsReactionsOrJoins() {
        TeamView v = withMessage(general(world("bob", null), "bob"), "bob", "m1");
        v = Decider.evolve(v, "alice", new ChannelArchived("general"));
        assertThat(rejected(Decider.decide(new PostMessage("bob", T, "general", "m2", "x", null, null), v)))
                .isEqualTo(DomainError.CHANNEL_ARCHIVED);
        assertThat(rejected(Decider.decide(new EditMessage("bob", T, "general", "m1", "x"), v))).isEqualTo(DomainError.CHANNEL_ARCHIVED);
        assertThat(rejected(Decider.decide(new AddReaction("bob", T, "general", "m1", "tada"), v))).isEqualTo(DomainError.CHANNEL_ARCHIVED);
        assertThat(rejected(Decider.decide(new JoinChannel("carol", T, "general"),
                Decider.evolve(general(world("carol", null)), "alice", new ChannelArchived("general"))))).isEqualTo(DomainError.CHANNEL_ARCHIVED);
        assertThat(accepted(Decider.decide(new ArchiveChannel("alice", T, "general"), v))).as("archive twice").isEmpty();
    }

    @Test
    void givenChannel_whenArchiving_thenAdminOrCreatorOnly() {
        assertThat(rejected(Decider.decide(new ArchiveChannel("bob", T, "general"), general(world("bob", null), "bob"))))
                .isEqualTo(DomainError.NOT_TEAM_ADMIN);
        assertThat(accepted(Decider.decide(new ArchiveChannel("alice", T, "general"), general(world("alice", null)))))
                .containsExactly(new ChannelArchived("general"));
    }

    @Test
    void givenMessage_whenEditedOrDeleted_thenAuthorOrAdminRules() {
        final TeamView bobs = withMessage(general(world("carol", null), "bob", "carol"), "bob", "m1");
        assertThat(rejected(Decider.decide(new EditMessage("carol", T, "general", "m1", "x"), bobs))).isEqualTo(DomainError.NOT_AUTHOR);
        assertThat(rejected(Decider.decide(new DeleteMessage("carol", T, "general", "m1"), bobs))).isEqualTo(DomainError.NOT_AUTHOR);
        final TeamView asBob = withMessage(general(world("bob", null), "bob"), "bob", "m1");
        assertThat(accepted(Decider.decide(new EditMessage("bob", T, "general", "m1", "fixed"), asBob)))
                .containsExactly(new MessageEdited("general", "m1", "fixed"));
        final TeamView asAdmin = withMessage(general(world("alice", null)), "bob", "m1");
        assertThat(accepted(Decider.decide(new DeleteMessage("alice", T, "general", "m1"), asAdmin)))
                .containsExactly(new MessageDeleted("general", "m1"));
        assertThat(rejected(Decider.decide(new EditMessage("bob", T, "general", "nope", "x"), general(world("bob", null), "bob"))))
                .isEqualTo(DomainError.MESSAGE_NOT_FOUND);
    }

    @Test
    void givenDeletedMessage_whenEditedOrDeletedAgain_thenNoChange() {
        TeamView v = withMessage(general(world("bob", null), "bob"), "bob", "m1");
        v = run(v, new DeleteMessage("bob", T, "general", "m1"));
        assertThat(v.message().deleted()).isTrue();
        assertThat(rejected(Decider.decide(new EditMessage("bob", T, "general", "m1", "x"), v))).isEqualTo(DomainError.MESSAGE_DELETED);
        assertThat(accepted(Decider.decide(new DeleteMessage("bob", T, "general", "m1"), v))).isEmpty();
        assertThat(rejected(Decider.decide(new AddReaction("bob", T, "general", "m1", "tada"), v))).isEqualTo(DomainError.MESSAGE_DELETED);
    }

    @Test
    void givenMessageInAnotherChannel_thenNotFoundInThisOne() {
        final TeamView v = general(world("bob", null), "bob")
                .withMessage(new TeamView.Message("m1", "random", "bob", false, null, 0, 1));
        assertThat(rejected(Decider.decide(new EditMessage("bob", T, "general", "m1", "x"), v))).isEqualTo(DomainError.MESSAGE_NOT_FOUND);
        assertThat(rejected(Decider.decide(new MarkRead("bob", T, "general", "m1"), v))).isEqualTo(DomainError.MESSAGE_NOT_FOUND);
    }

    @Test
    void givenReactions_thenAddRemoveAreIdempotentAndEmojiValidated() {
        final TeamView v = withMessage(general(world("bob", null), "bob"), "bob", "m1");
        assertThat(accepted(Decider.decide(new AddReaction("bob", T, "general", "m1", "👍🏽"), v)))
                .containsExactly(new ReactionAdded("general", "m1", "👍🏽"));
        final TeamView reacted = run(v, new AddReaction("bob", T, "general", "m1", "tada"));
        assertThat(accepted(Decider.decide(new AddReaction("bob", T, "general", "m1", "tada"), reacted))).isEmpty();
        assertThat(accepted(Decider.decide(new RemoveReaction("bob", T, "general", "m1", "tada"), reacted)))
                .containsExactly(new ReactionRemoved("general", "m1", "tada"));
        assertThat(accepted(Decider.decide(new RemoveReaction("bob", T, "general", "m1", "tada"), v))).isEmpty();
        for (String bad : new String[]{"", "Tada", "a b", "<script>", "x".repeat(33), "ab", "👍".repeat(11)}) {
            if (bad.equals("ab")) {
                continue; // a valid shortcode
            }
            assertThat(rejected(Decider.decide(new AddReaction("bob", T, "general", "m1", bad), v))).as(bad)
                    .isEqualTo(DomainError.INVALID_EMOJI);
        }
    }

    @Test
    void givenMember_whenMarkingRead_thenEventOnlyForMembersAndKnownMessages() {
        final TeamView v = withMessage(general(world("bob", null), "bob"), "bob", "m1");
        assertThat(accepted(Decider.decide(new MarkRead("bob", T, "general", "m1"), v)))
                .containsExactly(new ReadMarked("general", "m1"));
        assertThat(rejected(Decider.decide(new MarkRead("carol", T, "general", "m1"),
                withMessage(general(world("carol", null), "bob"), "bob", "m1")))).isEqualTo(DomainError.NOT_CHANNEL_MEMBER);
    }

    @Test
    void givenAMarker_whenMarkingReadAtOrBeforeIt_thenUnchanged_andAfterIt_thenAnEvent() {
        final TeamView member = general(world("bob", null), "bob");
        final TeamView.Message at40 = new TeamView.Message("m40", "general", "alice", false, null, 3, 40);
        final TeamView noMarker = member.withMessage(at40);
        assertThat(accepted(Decider.decide(new MarkRead("bob", T, "general", "m40"), noMarker)))
                .containsExactly(new ReadMarked("general", "m40"));
        // The event moves the view's marker to the message: marking it again is a no-op.
        final TeamView marked = Decider.evolve(noMarker, "bob", new ReadMarked("general", "m40"));
        assertThat(marked.readMarkerOffset()).isEqualTo(40);
        assertThat(accepted(Decider.decide(new MarkRead("bob", T, "general", "m40"), marked))).isEmpty();
        // Another user's marker event does not move bob's.
        assertThat(Decider.evolve(noMarker, "carol", new ReadMarked("general", "m40")).readMarkerOffset())
                .isEqualTo(TeamView.NO_READ_MARKER);
        // An older message than the marker: no-op; a newer one: an event.
        assertThat(accepted(Decider.decide(new MarkRead("bob", T, "general", "m40"), noMarker.withReadMarker(55)))).isEmpty();
        assertThat(accepted(Decider.decide(new MarkRead("bob", T, "general", "m40"), noMarker.withReadMarker(39))))
                .containsExactly(new ReadMarked("general", "m40"));
        // A message whose position is unknown (folded from an event, not read from the shard) is never assumed covered.
        assertThat(accepted(Decider.decide(new MarkRead("bob", T, "general", "m1"),
                withMessage(member, "bob", "m1").withReadMarker(55)))).containsExactly(new ReadMarked("general", "m1"));
    }

    @Test
    void shouldAcceptEmojiSequencesAndShortcodes() {
        assertThat(Emoji.isValid("+1")).isTrue();
        assertThat(Emoji.isValid("party_parrot")).isTrue();
        assertThat(Emoji.isValid("❤️")).isTrue();
        assertThat(Emoji.isValid("👨‍👩‍👧")).isTrue();
        assertThat(Emoji.isValid("🇫🇷")).isTrue();
        assertThat(Emoji.isValid("#")).isFalse();
        assertThat(Emoji.isValid("é")).isFalse();
    }
}
