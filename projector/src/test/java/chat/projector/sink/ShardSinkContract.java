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
            Projection.project(events.get(i), partition, firstOffset + i).ifPresent(changes::add);
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
        assertThat(snapshot(1).checkpoints()).isEqualTo(Map.of(1, 17L));
        assertThat(sink.checkpoint(1)).isEqualTo(17);
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
        assertThat(sink.checkpoint(3)).isEqualTo(17);
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
                new ReadModel.Message(TEAM, "c1", "m1", "u1", null, null, "cm-m1", at(1), null, at(2), 0, 0, 1));
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
            for (RowChange c : changes) {
                reference.write(new ProjectionBatch(1, c.offset(), c.offset() + 1, List.of(c)));
            }
            offset += 80;

            assertThat(snapshot(1)).as("after seed %d", seed).isEqualTo(reference.snapshot(1));
        }
    }
}
