package chat.projector.sink;

import chat.projector.projection.RowChange;
import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.util.List;

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
    void givenRandomSequences_whenAppliedInPlanOrder_thenRowsEqualOneByOneApplication() {
        for (long seed = 0; seed < 300; seed++) {
            final List<RowChange> changes = RandomChanges.generate(seed, 60, 0, 0);
            final InMemoryShardSink.Shard sequential = new InMemoryShardSink.Shard();
            changes.forEach(sequential::apply);
            final InMemoryShardSink.Shard planned = new InMemoryShardSink.Shard();
            final List<List<RowChange>> groups = StatementPlan.plan(changes);
            groups.forEach(g -> g.forEach(planned::apply));

            assertThat(groups).allSatisfy(g -> assertThat(g).extracting(RowChange::kind).containsOnly(g.get(0).kind()));
            assertThat(groups.stream().mapToInt(List::size).sum()).isEqualTo(changes.size());
            assertThat(planned.messages).as("seed %d", seed).isEqualTo(sequential.messages);
            assertThat(planned.channels).as("seed %d", seed).isEqualTo(sequential.channels);
            assertThat(planned.channelMembers).as("seed %d", seed).isEqualTo(sequential.channelMembers);
            assertThat(planned.teams).as("seed %d", seed).isEqualTo(sequential.teams);
            assertThat(planned.teamMembers).as("seed %d", seed).isEqualTo(sequential.teamMembers);
        }
    }
}
