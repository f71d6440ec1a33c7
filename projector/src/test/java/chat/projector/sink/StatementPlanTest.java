package chat.projector.sink;

import chat.projector.projection.RowChange;
import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;

class StatementPlanTest {
    private static final Instant AT = Instant.parse("2026-01-01T00:00:00Z");

    @Test
    void givenPostsOfDifferentMessages_whenPlanned_thenOneBatch() {
        final List<RowChange> posts = List.of(
                new RowChange.MessageInsert("t1", "c1", "m1", "u1", "a", null, null, AT, 0, 1),
                new RowChange.MessageInsert("t1", "c1", "m2", "u1", "b", null, null, AT, 0, 2));

        assertThat(StatementPlan.plan(posts)).containsExactly(posts);
    }

    @Test
    void givenEditAfterPostInSameBatch_whenPlanned_thenEditRunsInALaterGroup() {
        final RowChange post = new RowChange.MessageInsert("t1", "c1", "m1", "u1", "a", null, null, AT, 0, 1);
        final RowChange otherPost = new RowChange.MessageInsert("t1", "c1", "m2", "u1", "b", null, null, AT, 0, 3);
        final RowChange edit = new RowChange.MessageEdit("t1", "c1", "m1", "a!", AT, 2);

        assertThat(StatementPlan.plan(List.of(post, edit, otherPost)))
                .containsExactly(List.of(post, otherPost), List.of(edit));
    }

    @Test
    void givenReactionsOfAMessagePostedAndDeletedInSameBatch_whenPlanned_thenOrderedByTheMessage() {
        final RowChange post = new RowChange.MessageInsert("t1", "c1", "m1", "u1", "a", null, null, AT, 0, 1);
        final RowChange add = new RowChange.ReactionAdd("t1", "c1", "m1", "u2", "+1", AT, 2);
        final RowChange otherAdd = new RowChange.ReactionAdd("t1", "c1", "m1", "u1", "+1", AT, 3);
        final RowChange delete = new RowChange.MessageDelete("t1", "c1", "m1", AT, 4);
        final RowChange purge = new RowChange.ReactionPurge("t1", "c1", "m1", 4);

        assertThat(StatementPlan.plan(List.of(post, add, otherAdd, delete, purge)))
                .containsExactly(List.of(post), List.of(add, otherAdd), List.of(delete), List.of(purge));
    }

    @Test
    void givenRepliesAndReadMarkers_whenPlanned_thenTheyRunLastAndEachRootIsRecountedOnce() {
        final RowChange reply1 = new RowChange.MessageInsert("t1", "c1", "r1", "u1", "a", "m1", null, AT, 0, 1);
        final RowChange recount1 = new RowChange.ThreadRecount("t1", "m1", 1);
        final RowChange mark = new RowChange.ReadMarkerUpsert("t1", "c1", "u1", "r1", AT, 2);
        final RowChange reply2 = new RowChange.MessageInsert("t1", "c1", "r2", "u1", "b", "m1", null, AT, 0, 3);
        final RowChange recount2 = new RowChange.ThreadRecount("t1", "m1", 3);
        final RowChange delete = new RowChange.MessageDelete("t1", "c1", "r1", AT, 4);
        final RowChange purge = new RowChange.ReactionPurge("t1", "c1", "r1", 4);
        final RowChange recountOfReply = new RowChange.ThreadRecountOfReply("t1", "r1", 4);

        assertThat(StatementPlan.plan(List.of(reply1, recount1, mark, reply2, recount2, delete, purge, recountOfReply)))
                .containsExactly(List.of(reply1, reply2), List.of(delete), List.of(purge),
                        List.of(mark), List.of(recount2), List.of(recountOfReply));
    }

    @Test
    void givenRandomSequences_whenAppliedInPlanOrder_thenRowsEqualOneByOneApplication() {
        final Set<RowChange.Kind> seen = EnumSet.noneOf(RowChange.Kind.class);
        for (long seed = 0; seed < 300; seed++) {
            final List<RowChange> changes = RandomChanges.generate(seed, 60, 0, 0);
            final InMemoryShardSink.Shard sequential = new InMemoryShardSink.Shard();
            changes.forEach(sequential::apply);
            final InMemoryShardSink.Shard planned = new InMemoryShardSink.Shard();
            final List<List<RowChange>> groups = StatementPlan.plan(changes);
            groups.forEach(g -> g.forEach(planned::apply));
            changes.forEach(c -> seen.add(c.kind()));

            assertThat(groups).allSatisfy(g -> assertThat(g).extracting(RowChange::kind).containsOnly(g.get(0).kind()));
            // every change runs, except recounts superseded by a later one of the same root
            assertThat(groups.stream().flatMap(List::stream).toList()).containsAll(changes.stream()
                    .filter(c -> c.kind() != RowChange.Kind.THREAD_RECOUNT
                            && c.kind() != RowChange.Kind.THREAD_RECOUNT_OF_REPLY).toList());
            assertThat(planned.messages).as("seed %d", seed).isEqualTo(sequential.messages);
            assertThat(planned.reactions).as("seed %d", seed).isEqualTo(sequential.reactions);
            assertThat(planned.readMarkers).as("seed %d", seed).isEqualTo(sequential.readMarkers);
            assertThat(planned.channels).as("seed %d", seed).isEqualTo(sequential.channels);
            assertThat(planned.channelMembers).as("seed %d", seed).isEqualTo(sequential.channelMembers);
            assertThat(planned.teams).as("seed %d", seed).isEqualTo(sequential.teams);
            assertThat(planned.teamMembers).as("seed %d", seed).isEqualTo(sequential.teamMembers);
        }
        assertThat(seen).as("the generator covers every kind").isEqualTo(EnumSet.allOf(RowChange.Kind.class));
    }
}
