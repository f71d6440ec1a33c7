package chat.projector.sink;

import chat.common.shard.ShardMap;
import chat.events.EventEnvelope;
import chat.projector.EveryKind;
import chat.projector.projection.Projection;
import chat.projector.projection.ProjectionBatch;
import chat.projector.projection.RowChange;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static chat.projector.Fixtures.*;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * The one contract every {@link ShardSink} keeps; run against the in-memory sink
 * ({@code InMemoryShardSinkTest}) and the PostgreSQL one ({@code JdbcShardSinkIT}). Shard map:
 * 4 partitions on 2 shards (even partitions on shard 0, odd on shard 1). Each test gets empty shards.
 */
abstract class ShardSinkContract {
    static final ShardMap MAP = ShardMap.modulo(4, 2);

    /** The sink under test, over empty shards. */
    abstract ShardSink sink();

    /** Every row of {@code shard}, lists sorted by primary key. */
    abstract ReadModel snapshot(int shard);

    /** Deletes the stored checkpoint of {@code partition}. */
    abstract void forgetCheckpoint(int partition);

    static ProjectionBatch batchOf(final int partition, final long firstOffset, final List<EventEnvelope> events) {
        final List<RowChange> changes = new ArrayList<>();
        for (int i = 0; i < events.size(); i++) {
            changes.addAll(Projection.project(events.get(i), partition, firstOffset + i));
        }
        return new ProjectionBatch(partition, firstOffset, firstOffset + events.size(), changes);
    }

    static List<EventEnvelope> everyKind() {
        return EveryKind.events();
    }

    static void assertEveryKindProjected(final ReadModel rows, final int partition) {
        EveryKind.assertProjected(rows, partition);
    }

    @Test
    void givenEveryEventKindInOneBatch_whenWritten_thenRowsAndCheckpointAreProjected() {
        final ShardSink sink = sink();

        sink.write(batchOf(1, 0, everyKind()));

        assertEveryKindProjected(snapshot(1), 1);
        assertThat(snapshot(1).checkpoints()).isEqualTo(Map.of(1, EveryKind.COUNT));
        assertThat(sink.checkpoint(1)).isEqualTo(EveryKind.COUNT);
        assertThat(snapshot(0).messages()).isEmpty();
        assertThat(snapshot(0).checkpoints()).isEmpty();
    }

    @Test
    void givenEveryEventKindOneByOne_whenWritten_thenSameRowsAsOneBatch() {
        final ShardSink sink = sink();
        final List<EventEnvelope> events = everyKind();

        for (int i = 0; i < events.size(); i++) {
            sink.write(batchOf(3, i, List.of(events.get(i))));
        }

        assertEveryKindProjected(snapshot(1), 3);
        assertThat(sink.checkpoint(3)).isEqualTo(EveryKind.COUNT);
    }

    @Test
    void givenWrittenBatch_whenReappliedTwice_thenRowsAndCheckpointUnchanged() {
        final ShardSink sink = sink();
        final ProjectionBatch batch = batchOf(1, 0, everyKind());
        sink.write(batch);
        final ReadModel before = snapshot(1);

        sink.write(batch);
        sink.write(batch);

        assertThat(snapshot(1)).isEqualTo(before);
    }

    @Test
    void givenCheckpointLost_whenBatchReapplied_thenRowsUnchanged() {
        final ShardSink sink = sink();
        final ProjectionBatch batch = batchOf(1, 0, everyKind());
        sink.write(batch);
        final ReadModel before = snapshot(1);
        forgetCheckpoint(1);
        assertThat(sink.checkpoint(1)).isZero();

        sink.write(batch); // only the rows' last_offset guards protect now

        assertThat(snapshot(1)).isEqualTo(before);
    }

    @Test
    void givenDeletedMessage_whenEdited_thenNoChange() {
        final ShardSink sink = sink();
        sink.write(batchOf(0, 0, List.of(posted(1, "c1", "m1", "hello"))));
        sink.write(batchOf(0, 1, List.of(deleted(2, "c1", "m1"))));

        sink.write(batchOf(0, 2, List.of(edited(3, "c1", "m1", "resurrected?"))));

        assertThat(snapshot(0).messages()).containsExactly(
                new ReadModel.Message(TEAM, "c1", "m1", "u1", null, null, "cm-m1", at(1), null, at(2), 0, 0, 1, 0, null));
        assertThat(sink.checkpoint(0)).isEqualTo(3);
    }

    @Test
    void givenCheckpointAt10_whenOlderBatchWritten_thenCheckpointAndRowsDoNotGoBack() {
        final ShardSink sink = sink();
        sink.write(new ProjectionBatch(2, 0, 10, List.of()));

        sink.write(batchOf(2, 4, List.of(posted(1, "c1", "stale", "from a zombie"))));

        assertThat(sink.checkpoint(2)).isEqualTo(10);
        assertThat(snapshot(0).messages()).isEmpty();

        sink.write(batchOf(2, 10, List.of(posted(2, "c1", "m1", "fresh"), teamCreated(3))));

        assertThat(sink.checkpoint(2)).isEqualTo(12);
        assertThat(snapshot(0).messages()).extracting(ReadModel.Message::messageId).containsExactly("m1");
        assertThat(snapshot(0).teams()).hasSize(1);
    }

    @Test
    void givenPartitionsOfOneShard_whenWritten_thenEachKeepsItsOwnCheckpoint() {
        final ShardSink sink = sink();

        sink.write(new ProjectionBatch(0, 0, 5, List.of()));
        sink.write(new ProjectionBatch(2, 0, 7, List.of()));
        sink.write(new ProjectionBatch(1, 0, 9, List.of()));

        assertThat(snapshot(0).checkpoints()).isEqualTo(Map.of(0, 5L, 2, 7L));
        assertThat(snapshot(1).checkpoints()).isEqualTo(Map.of(1, 9L));
        assertThat(sink.checkpoint(3)).isZero();
    }

    @Test
    void givenRandomSequences_whenWrittenAsOneBatch_thenRowsEqualOneByOneApplication() {
        final ShardSink sink = sink();
        long offset = 0;
        final InMemoryShardSink reference = new InMemoryShardSink(MAP);
        for (long seed = 0; seed < 25; seed++) {
            final List<RowChange> changes = RandomChanges.generate(seed, 80, 1, offset);
            sink.write(new ProjectionBatch(1, offset, offset + 80, changes));
            for (long o = offset; o < offset + 80; o++) { // one batch per event: its changes share the offset
                final long event = o;
                reference.write(new ProjectionBatch(1, o, o + 1,
                        changes.stream().filter(c -> c.offset() == event).toList()));
            }
            offset += 80;

            assertThat(snapshot(1)).as("after seed %d", seed).isEqualTo(reference.snapshot(1));
        }
    }

    // ---- reactions (V2) ----

    @Test
    void givenReactionAddedRemovedAndAddedAgain_whenWrittenInOneBatch_thenOneRowFromTheLastAdd() {
        final ShardSink sink = sink();

        sink.write(batchOf(0, 0, List.of(
                posted(1, "c1", "m1", "hi"),
                reactionAdded(2, "c1", "m1", "u2", "eyes"),
                reactionRemoved(3, "c1", "m1", "u2", "eyes"),
                reactionAdded(4, "c1", "m1", "u2", "eyes"))));

        assertThat(snapshot(0).reactions()).containsExactly(
                new ReadModel.Reaction(TEAM, "m1", "u2", "eyes", "c1", at(4), 3));
    }

    @Test
    void givenReactionAddedTwice_whenWritten_thenFirstAddKept() {
        final ShardSink sink = sink();
        sink.write(batchOf(0, 0, List.of(posted(1, "c1", "m1", "hi"), reactionAdded(2, "c1", "m1", "u2", "eyes"))));

        sink.write(batchOf(0, 2, List.of(reactionAdded(3, "c1", "m1", "u2", "eyes"))));

        assertThat(snapshot(0).reactions()).containsExactly(
                new ReadModel.Reaction(TEAM, "m1", "u2", "eyes", "c1", at(2), 1));
        assertThat(sink.checkpoint(0)).isEqualTo(3);
    }

    @Test
    void givenReactionsOfSeveralUsersAndEmojis_whenOneRemoved_thenOnlyThatRowGoes() {
        final ShardSink sink = sink();

        sink.write(batchOf(0, 0, List.of(
                posted(1, "c1", "m1", "hi"),
                reactionAdded(2, "c1", "m1", "u2", "eyes"),
                reactionAdded(3, "c1", "m1", "u1", "eyes"),
                reactionAdded(4, "c1", "m1", "u2", "+1"),
                reactionRemoved(5, "c1", "m1", "u1", "eyes"))));

        assertThat(snapshot(0).reactions()).containsExactly(
                new ReadModel.Reaction(TEAM, "m1", "u2", "+1", "c1", at(4), 3),
                new ReadModel.Reaction(TEAM, "m1", "u2", "eyes", "c1", at(2), 1));
    }

    @Test
    void givenNoReaction_whenRemoved_thenNothingChangesButCheckpointAdvances() {
        final ShardSink sink = sink();
        sink.write(batchOf(0, 0, List.of(posted(1, "c1", "m1", "hi"))));
        final ReadModel before = snapshot(0);

        sink.write(batchOf(0, 1, List.of(reactionRemoved(2, "c1", "m1", "u2", "eyes"))));

        assertThat(snapshot(0).reactions()).isEmpty();
        assertThat(snapshot(0).messages()).isEqualTo(before.messages());
        assertThat(sink.checkpoint(0)).isEqualTo(2);
    }

    @Test
    void givenUnknownMessageOrOtherChannel_whenReactionAdded_thenNoRow() {
        final ShardSink sink = sink();

        sink.write(batchOf(0, 0, List.of(
                reactionAdded(1, "c1", "m9", "u2", "eyes"),  // m9 is posted only after the reaction
                posted(2, "c1", "m9", "late"),
                posted(3, "c1", "m1", "hi"),
                reactionAdded(4, "c2", "m1", "u2", "eyes"))));  // m1 is not in c2
        final ReadModel first = snapshot(0);
        forgetCheckpoint(0);
        sink.write(batchOf(0, 0, List.of(
                reactionAdded(1, "c1", "m9", "u2", "eyes"),
                posted(2, "c1", "m9", "late"),
                posted(3, "c1", "m1", "hi"),
                reactionAdded(4, "c2", "m1", "u2", "eyes"))));

        assertThat(first.reactions()).isEmpty();
        assertThat(snapshot(0)).as("a replay finds what the first run found").isEqualTo(first);
    }

    @Test
    void givenMessageWithReactions_whenDeleted_thenItsReactionsAreGoneAndLaterAddsAndEditsChangeNothing() {
        final ShardSink sink = sink();
        sink.write(batchOf(0, 0, List.of(
                posted(1, "c1", "m1", "hi"),
                posted(2, "c1", "m2", "other"),
                reactionAdded(3, "c1", "m1", "u2", "eyes"),
                reactionAdded(4, "c1", "m1", "u1", "+1"),
                reactionAdded(5, "c1", "m2", "u2", "eyes"))));

        sink.write(batchOf(0, 5, List.of(
                deleted(6, "c1", "m1"),
                reactionAdded(7, "c1", "m1", "u3", "eyes"),
                edited(8, "c1", "m1", "resurrected?"))));

        final ReadModel rows = snapshot(0);
        assertThat(rows.reactions()).containsExactly(new ReadModel.Reaction(TEAM, "m2", "u2", "eyes", "c1", at(5), 4));
        assertThat(rows.messages().get(0)).isEqualTo(
                new ReadModel.Message(TEAM, "c1", "m1", "u1", null, null, "cm-m1", at(1), null, at(6), 0, 0, 5, 0, null));
        assertThat(sink.checkpoint(0)).isEqualTo(8);
    }

    @Test
    void givenReactionsAndDeleteInOneBatch_whenCheckpointLostAndReplayed_thenRowsUnchanged() {
        final ShardSink sink = sink();
        final ProjectionBatch batch = batchOf(0, 0, List.of(
                posted(1, "c1", "m1", "hi"),
                reactionAdded(2, "c1", "m1", "u2", "eyes"),
                deleted(3, "c1", "m1"),
                posted(4, "c1", "m2", "hi"),
                reactionAdded(5, "c1", "m2", "u2", "eyes"),
                reactionRemoved(6, "c1", "m2", "u2", "eyes")));
        sink.write(batch);
        final ReadModel first = snapshot(0);
        forgetCheckpoint(0);

        sink.write(batch);

        assertThat(first.reactions()).isEmpty();
        assertThat(snapshot(0)).isEqualTo(first);
    }

    // ---- read markers (V2) ----

    @Test
    void givenReadMarkers_whenMovedForwardThenBackward_thenMarkerStaysOnTheNewestMessage() {
        final ShardSink sink = sink();
        sink.write(batchOf(0, 0, List.of(posted(1, "c1", "m1", "a"), posted(2, "c1", "m2", "b"))));

        sink.write(batchOf(0, 2, List.of(readMarked(3, "c1", "m1", "u2"))));
        assertThat(snapshot(0).readMarkers()).containsExactly(new ReadModel.ReadMarker(TEAM, "c1", "u2", "m1", 0, at(3), 2));

        sink.write(batchOf(0, 3, List.of(readMarked(4, "c1", "m2", "u2"))));
        assertThat(snapshot(0).readMarkers()).containsExactly(new ReadModel.ReadMarker(TEAM, "c1", "u2", "m2", 1, at(4), 3));

        sink.write(batchOf(0, 4, List.of(readMarked(5, "c1", "m1", "u2"), readMarked(6, "c1", "m2", "u2"))));
        assertThat(snapshot(0).readMarkers()).as("backwards and same position: unchanged")
                .containsExactly(new ReadModel.ReadMarker(TEAM, "c1", "u2", "m2", 1, at(4), 3));
        assertThat(sink.checkpoint(0)).isEqualTo(6);
    }

    @Test
    void givenUnknownMessage_whenReadMarked_thenNothingChanges() {
        final ShardSink sink = sink();
        sink.write(batchOf(0, 0, List.of(posted(1, "c1", "m1", "a"), posted(2, "c2", "m2", "b"))));

        sink.write(batchOf(0, 2, List.of(readMarked(3, "c1", "nope", "u2"))));
        assertThat(snapshot(0).readMarkers()).isEmpty();

        sink.write(batchOf(0, 3, List.of(
                readMarked(4, "c1", "m1", "u2"),
                readMarked(5, "c1", "nope", "u2"),
                readMarked(6, "c1", "m2", "u2"))));  // m2 is in c2: unknown in c1
        assertThat(snapshot(0).readMarkers()).containsExactly(new ReadModel.ReadMarker(TEAM, "c1", "u2", "m1", 0, at(4), 3));
    }

    @Test
    void givenPostAndReadMarkerInOneBatch_whenWritten_thenMarkerFindsTheMessage() {
        final ShardSink sink = sink();

        sink.write(batchOf(0, 0, List.of(
                readMarked(1, "c1", "m1", "u2"),  // before the post: unknown
                posted(2, "c1", "m1", "a"),
                readMarked(3, "c1", "m1", "u1"),
                deleted(4, "c1", "m1"),
                readMarked(5, "c1", "m1", "u3"))));  // a deleted message keeps its position

        assertThat(snapshot(0).readMarkers()).containsExactly(
                new ReadModel.ReadMarker(TEAM, "c1", "u1", "m1", 1, at(3), 2),
                new ReadModel.ReadMarker(TEAM, "c1", "u3", "m1", 1, at(5), 4));
    }

    // ---- threads (V2) ----

    private static ReadModel.Message message(final ReadModel rows, final String id) {
        return rows.messages().stream().filter(m -> m.messageId().equals(id)).findFirst().orElseThrow();
    }

    @Test
    void givenRepliesAddedAndDeleted_whenWritten_thenRootSummaryIsRecountedAndReplayGivesSameRows() {
        final ShardSink sink = sink();
        final List<EventEnvelope> first = List.of(
                posted(1, "c1", "m1", "root"),
                reply(2, "c1", "r1", "m1", "a"),
                reply(3, "c1", "r2", "m1", "b"),
                reply(4, "c1", "r3", "m1", "c"));
        final List<EventEnvelope> second = List.of(
                deleted(5, "c1", "r3"),   // the newest: last_reply_at moves back
                deleted(6, "c1", "r1"),
                deleted(7, "c1", "r1"),   // again: nothing
                edited(8, "c1", "m1", "root!"));

        sink.write(batchOf(0, 0, first));
        assertThat(message(snapshot(0), "m1").replyCount()).isEqualTo(3);
        assertThat(message(snapshot(0), "m1").lastReplyAt()).isEqualTo(at(4));

        sink.write(batchOf(0, 4, second));
        final ReadModel rows = snapshot(0);
        assertThat(message(rows, "m1")).isEqualTo(new ReadModel.Message(TEAM, "c1", "m1", "u1", "root!", null, "cm-m1",
                at(1), at(8), null, 0, 0, 7, 1, at(3)));
        assertThat(message(rows, "r2")).isEqualTo(new ReadModel.Message(TEAM, "c1", "r2", "u1", "b", "m1", "cm-r2",
                at(3), null, null, 0, 2, 2, 0, null));

        forgetCheckpoint(0);
        sink.write(batchOf(0, 0, first));
        sink.write(batchOf(0, 4, second));
        assertThat(snapshot(0)).isEqualTo(rows);

        forgetCheckpoint(0);
        final List<EventEnvelope> all = new ArrayList<>(first);
        all.addAll(second);
        sink.write(batchOf(0, 0, all));
        assertThat(snapshot(0)).isEqualTo(rows);
    }

    @Test
    void givenAllRepliesDeleted_whenWritten_thenRootHasNoReplies() {
        final ShardSink sink = sink();

        sink.write(batchOf(0, 0, List.of(
                posted(1, "c1", "m1", "root"),
                reply(2, "c1", "r1", "m1", "a"),
                deleted(3, "c1", "r1"))));

        assertThat(message(snapshot(0), "m1").replyCount()).isZero();
        assertThat(message(snapshot(0), "m1").lastReplyAt()).isNull();
    }

    @Test
    void givenDeletedRoot_whenReplied_thenTombstoneKeepsItsSummary() {
        final ShardSink sink = sink();

        sink.write(batchOf(0, 0, List.of(
                posted(1, "c1", "m1", "root"),
                reply(2, "c1", "r1", "m1", "a"),
                deleted(3, "c1", "m1"),
                reply(4, "c1", "r2", "m1", "b"))));

        assertThat(message(snapshot(0), "m1")).isEqualTo(new ReadModel.Message(TEAM, "c1", "m1", "u1", null, null,
                "cm-m1", at(1), null, at(3), 0, 0, 2, 2, at(4)));
    }

    @Test
    void givenReplyBeforeItsRootOrToUnknownRoot_whenWrittenAndReplayed_thenNoSummaryEitherTime() {
        final ShardSink sink = sink();
        final ProjectionBatch batch = batchOf(0, 0, List.of(
                reply(1, "c1", "r1", "m1", "early"),   // m1 is posted only later
                posted(2, "c1", "m1", "root"),
                reply(3, "c1", "r2", "nope", "orphan")));
        sink.write(batch);
        final ReadModel first = snapshot(0);
        forgetCheckpoint(0);

        sink.write(batch);

        assertThat(message(first, "m1").replyCount()).isZero();
        assertThat(first.messages()).extracting(ReadModel.Message::messageId).containsExactly("m1", "r1", "r2");
        assertThat(snapshot(0)).isEqualTo(first);
    }
}
