package chat.ingest.state;

import chat.common.kafka.TeamPartitioner;
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
import chat.ingest.domain.Command;
import chat.ingest.domain.Decider;
import chat.ingest.domain.Decision;
import chat.ingest.domain.Role;
import chat.ingest.domain.TeamView;
import org.apache.avro.Schema;
import org.apache.avro.specific.SpecificRecord;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

import static org.assertj.core.api.Assertions.assertThat;

class PostViewsTest {
    private static final int PARTITIONS = 12;
    private static final long SECOND = 1_000_000_000L;
    private static final String TEAM = "acme";
    private static final int P = TeamPartitioner.partitionOf(TEAM, PARTITIONS);

    private final AtomicLong now = new AtomicLong(1_000 * SECOND);
    private PostViews views;

    @BeforeEach
    void setUp() {
        views = new PostViews(PARTITIONS, 100, 30 * SECOND, 2 * SECOND, now::get);
        for (int p = 0; p < PARTITIONS; p++) {
            views.feedStarted(p, 100);
        }
        views.feedPolled(true);
    }

    private static Command.PostMessage post(final String author, final String channel) {
        return new Command.PostMessage(author, TEAM, channel, "m-" + System.nanoTime(), "hi", null, null);
    }

    /** bob, a team member and a member of the public channel general: his posts there are accepted. */
    private static TeamView bobInGeneral() {
        return TeamView.empty("bob", null).withTeam(true, Role.MEMBER)
                .withChannel(new TeamView.Channel("general", false, false, "alice", true, false));
    }

    @Test
    void givenAnAcceptedView_thenTheNextPostOfThatAuthorToThatChannelUsesIt_andNoOtherPost() {
        final TeamView v = bobInGeneral();
        assertThat(views.get(post("bob", "general"), P, 0)).isNull();
        views.offer(post("bob", "general"), P, v, 150, 0);

        assertThat(views.get(post("bob", "general"), P, 0)).isSameAs(v);
        assertThat(views.get(post("bob", "random"), P, 0)).isNull();
        assertThat(views.get(post("carol", "general"), P, 0)).isNull();
        assertThat(views.stats().hits()).isEqualTo(1);
        assertThat(views.stats().misses()).isEqualTo(3);
    }

    @Test
    void givenARestrictingEventAtOrAfterTheViewsCheckpoint_thenTheViewIsDropped_butNotForOneBefore() {
        views.offer(post("bob", "general"), P, bobInGeneral(), 150, 0);
        views.restricted(TEAM, P, 149); // already in the snapshot (checkpoint 150 = next offset to apply)
        assertThat(views.get(post("bob", "general"), P, 0)).isNotNull();

        views.restricted(TEAM, P, 150);
        assertThat(views.get(post("bob", "general"), P, 0)).isNull();
        assertThat(views.stats().stale()).isEqualTo(1);
        // once dropped it stays dropped, and a view read before the restriction is not kept again
        views.offer(post("bob", "general"), P, bobInGeneral(), 150, 0);
        assertThat(views.get(post("bob", "general"), P, 0)).isNull();
        // a view read after it is
        views.offer(post("bob", "general"), P, bobInGeneral(), 151, 0);
        assertThat(views.get(post("bob", "general"), P, 0)).isNotNull();
    }

    @Test
    void givenARestrictionInAnotherTeam_thenTheViewStays() {
        views.offer(post("bob", "general"), P, bobInGeneral(), 150, 0);
        views.restricted("other-team", TeamPartitioner.partitionOf("other-team", PARTITIONS), 500);
        assertThat(views.get(post("bob", "general"), P, 0)).isNotNull();
    }

    @Test
    void givenThisInstancesOwnRestrictingWriteBeyondTheView_thenTheViewIsNotUsed() {
        views.offer(post("bob", "general"), P, bobInGeneral(), 150, 0);
        assertThat(views.get(post("bob", "general"), P, 151)).isNull();
        views.offer(post("bob", "general"), P, bobInGeneral(), 150, 151);
        assertThat(views.get(post("bob", "general"), P, 0)).as("not kept when older than our own write").isNull();
    }

    @Test
    void givenAViewReadBeforeTheFeedStarted_thenItIsNotKept() {
        views.offer(post("bob", "general"), P, bobInGeneral(), 99, 0);
        assertThat(views.get(post("bob", "general"), P, 0)).isNull();
    }

    @Test
    void givenTheFeedRestartsFurtherOn_thenViewsOfThatPartitionReadBeforeAreDropped() {
        views.offer(post("bob", "general"), P, bobInGeneral(), 150, 0);
        views.feedStarted(P, 400);
        assertThat(views.get(post("bob", "general"), P, 0)).isNull();
    }

    @Test
    void givenTheFeedRestartsFurtherBack_thenEveryViewOfThatPartitionIsDropped_andOthersStay() {
        final String elsewhere = "zeta";
        final int other = TeamPartitioner.partitionOf(elsewhere, PARTITIONS);
        assertThat(other).isNotEqualTo(P);
        views.offer(post("bob", "general"), P, bobInGeneral(), 150, 0);
        final Command.PostMessage there = new Command.PostMessage("bob", elsewhere, "general", "m", "hi", null, null);
        views.offer(there, other, bobInGeneral(), 150, 0);
        views.feedStarted(P, 50); // e.g. a recreated topic: offsets from another log
        assertThat(views.get(post("bob", "general"), P, 0)).isNull();
        assertThat(views.get(there, other, 0)).isNotNull();
    }

    @Test
    void givenTheFeedSilentOrBehindOrStopped_thenNoViewIsUsed() {
        views.offer(post("bob", "general"), P, bobInGeneral(), 150, 0);
        now.addAndGet(3 * SECOND);
        assertThat(views.get(post("bob", "general"), P, 0)).as("no poll for 3 s").isNull();
        views.feedPolled(false);
        assertThat(views.get(post("bob", "general"), P, 0)).as("catching up").isNull();
        views.feedPolled(true);
        assertThat(views.get(post("bob", "general"), P, 0)).isNotNull();
        views.feedStopped();
        assertThat(views.get(post("bob", "general"), P, 0)).as("stopped").isNull();
        assertThat(views.stats().bypassed()).isEqualTo(3);
    }

    @Test
    void givenAViewOlderThanMaxAge_thenItIsReadAgain() {
        views.offer(post("bob", "general"), P, bobInGeneral(), 150, 0);
        for (int i = 0; i < 31; i++) {
            now.addAndGet(SECOND);
            views.feedPolled(true);
        }
        assertThat(views.get(post("bob", "general"), P, 0)).isNull();
    }

    @Test
    void givenMoreViewsAndRestrictedTeamsThanTheBound_thenMemoryStaysBounded_andForgottenRestrictionsStillCount() {
        for (int i = 0; i < 1_000; i++) {
            views.offer(post("user-" + i, "general"), P, bobInGeneral(), 150, 0);
        }
        assertThat(views.stats().entries()).isLessThanOrEqualTo(100);

        views.offer(post("bob", "general"), P, bobInGeneral(), 150, 0);
        views.restricted(TEAM, P, 160);
        for (int i = 0; i < 200; i++) { // forgets per-team restrictions, TEAM's among them
            views.restricted("team-" + i, TeamPartitioner.partitionOf("team-" + i, PARTITIONS), 120);
        }
        views.offer(post("bob", "general"), P, bobInGeneral(), 155, 0);
        assertThat(views.get(post("bob", "general"), P, 0)).as("TEAM's restriction at 160 folded into the partition's bound")
                .isNull();
    }

    /**
     * The feed lets every event type restrict but the neutral ones; folding any neutral event (by
     * anyone, about anyone) into a view a post was accepted on leaves the post accepted.
     */
    @Test
    void givenAnyNeutralEvent_thenAPostAcceptedBeforeItIsStillAccepted_andEachRestrictingOneCanRefuse() {
        final List<SpecificRecord> neutral = List.of(new TeamCreated("Acme"), new TeamMemberJoined("bob", "admin"),
                new TeamMemberJoined("bob", "member"), new TeamMemberJoined("carol", "member"),
                new ChannelTopicChanged("general", "news"),
                new MemberJoined("general", "bob", "alice"), new MemberJoined("general", "carol", null),
                new MessagePosted("general", "m1", "x", null, null), new MessageEdited("general", "m1", "y"),
                new MessageDeleted("general", "m1"), new ReactionAdded("general", "m1", "tada"),
                new ReactionRemoved("general", "m1", "tada"), new ReadMarked("general", "m1"));
        for (SpecificRecord e : neutral) {
            assertThat(RestrictionFeed.restricts(e.getSchema().getName())).as(e.getSchema().getName()).isFalse();
            for (String actor : List.of("alice", "bob")) {
                final TeamView after = Decider.evolve(bobInGeneral(), actor, e);
                assertThat(Decider.decide(post("bob", "general"), after)).as(e + " by " + actor)
                        .isInstanceOf(Decision.Accepted.class);
            }
        }
        // A creation concerns a channel that did not exist (a second ChannelCreated of one id, which two
        // instances without Redis could both append, is ignored by the projection: ON CONFLICT DO NOTHING).
        assertThat(RestrictionFeed.restricts(new ChannelCreated("random", "Random", true, null).getSchema().getName())).isFalse();
        for (SpecificRecord e : List.of(new TeamMemberLeft("bob"), new MemberLeft("general", "bob"), new ChannelArchived("general"))) {
            assertThat(RestrictionFeed.restricts(e.getSchema().getName())).as(e.getSchema().getName()).isTrue();
            assertThat(Decider.decide(post("bob", "general"), Decider.evolve(bobInGeneral(), "alice", e)))
                    .as(e.toString()).isInstanceOf(Decision.Rejected.class);
        }
        assertThat(RestrictionFeed.restricts(null)).as("no type header").isTrue();
        assertThat(RestrictionFeed.restricts("SomethingNew")).as("a type added later").isTrue();
        // every neutral name is a payload type of the log: a misspelt one would silently leave its type restricting
        final List<String> payloadTypes = EventEnvelope.getClassSchema().getField("payload").schema().getTypes().stream()
                .map(Schema::getName).toList();
        assertThat(payloadTypes).containsAll(RestrictionFeed.NEUTRAL);
    }
}
