package chat.projector.topology;

import chat.common.shard.ShardMap;
import chat.projector.ProjectorSettings;
import chat.projector.projection.ProjectionBatch;
import chat.projector.projection.RowChange;
import chat.projector.sink.InMemoryShardSink;
import chat.projector.sink.ShardSink;
import chat.projector.sink.TransientShardException;
import org.apache.kafka.common.errors.TimeoutException;
import org.apache.kafka.streams.errors.TaskCorruptedException;
import org.apache.kafka.streams.processor.TaskId;
import org.apache.kafka.streams.processor.api.MockProcessorContext;
import org.apache.kafka.streams.state.internals.CachedStateStore;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.atomic.AtomicInteger;

import static chat.projector.Fixtures.posted;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class ProjectionBufferStoreTest {
    private static final Instant AT = Instant.parse("2026-01-01T00:00:00Z");

    @TempDir
    Path stateDir;

    private final InMemoryShardSink memory = new InMemoryShardSink(ShardMap.modulo(8, 1));
    private final AtomicInteger checkpointReads = new AtomicInteger();
    private final ShardSink counting = new ShardSink() {
        @Override
        public long checkpoint(final int partition) {
            checkpointReads.incrementAndGet();
            return memory.checkpoint(partition);
        }

        @Override
        public void write(final ProjectionBatch batch) {
            memory.write(batch);
        }
    };

    private ProjectionBufferStore store(final int maxBatch) {
        final ProjectionBufferStore store = new ProjectionBufferStore("projection-buffer", counting, maxBatch);
        final MockProcessorContext<Object, Object> context =
                new MockProcessorContext<>(new Properties(), new TaskId(0, 5), stateDir.toFile());
        store.init(context.getStateStoreContext(), store);
        return store;
    }

    /** A sink whose shard is gone: unavailable with a reason, and every call fails. */
    private final ShardSink gone = new ShardSink() {
        @Override
        public long checkpoint(final int partition) {
            throw new TransientShardException("connection refused", 5, partition, null, true);
        }

        @Override
        public void write(final ProjectionBatch batch) {
            throw new TransientShardException("connection refused", 5, batch.partition(), null, true);
        }

        @Override
        public String unavailable(final int partition) {
            return "shard 5 unavailable for 10 ms: connection refused";
        }
    };

    private static RowChange post(final long offset) {
        return new RowChange.MessageInsert("t1", "c1", "m" + offset, "u1", "x", null, null, AT, 5, offset);
    }

    @Test
    void givenBatchSize3_whenThreeEventsAppended_thenWrittenEarlyAsOneBatch() {
        final ProjectionBufferStore store = store(3);

        store.append(0, List.of(post(0)));
        store.append(1, List.of());
        assertThat(memory.writtenBatches()).isEmpty();
        store.append(2, List.of(post(2)));

        assertThat(memory.writtenBatches()).containsExactly(new ProjectionBatch(5, 0, 3, List.of(post(0), post(2))));
        assertThat(store.bufferedEvents()).isZero();
        assertThat(memory.checkpoint(5)).isEqualTo(3);
    }

    @Test
    void givenBufferedEvents_whenFlushCacheCalled_thenWrittenThenCommitFindsNothing() {
        final ProjectionBufferStore store = store(500);
        store.append(7, List.of(post(7)));
        store.append(8, List.of());

        store.flushCache();
        store.commit(Map.of());

        assertThat(memory.writtenBatches()).containsExactly(new ProjectionBatch(5, 7, 9, List.of(post(7))));
    }

    @Test
    void givenBufferedEvents_whenOnlyCommitCalled_thenStillWritten() {
        final ProjectionBufferStore store = store(500);
        store.append(0, List.of(post(0)));

        store.commit(Map.of());

        assertThat(memory.checkpoint(5)).isEqualTo(1);
    }

    @Test
    void givenBufferedEvents_whenClosedWithoutCommit_thenDiscarded() {
        final ProjectionBufferStore store = store(500);
        store.append(0, List.of(post(0)));

        store.close();

        assertThat(memory.writtenBatches()).isEmpty();
        assertThat(store.isOpen()).isFalse();
    }

    @Test
    void givenCheckpoint_whenAskedManyTimes_thenShardReadOnceAndAdvancedByOwnWrites() {
        memory.write(new ProjectionBatch(5, 0, 4, List.of()));
        final ProjectionBufferStore store = store(1);

        assertThat(store.isApplied(3)).isTrue();
        assertThat(store.isApplied(4)).isFalse();
        store.append(4, List.of(post(4)));

        assertThat(store.isApplied(4)).isTrue();
        assertThat(checkpointReads).hasValue(1);
    }

    @Test
    void shouldBeACachedStateStoreSoKafkaStreams43FlushesItBeforeCommittingOffsets() {
        assertThat(CachedStateStore.class).isAssignableFrom(ProjectionBufferStore.class);
    }

    /**
     * Guards the Kafka Streams internals the design relies on: the batch must be written from
     * {@code StreamTask.prepareCommit} (before offsets are committed), not from {@code postCommit}.
     * If an upgrade moves the hook, this test fails.
     */
    @Test
    void givenTopologyTestDriver_whenRecordPiped_thenBatchWrittenDuringPrepareCommitNotPostCommit() {
        final List<List<String>> writers = new ArrayList<>();
        final ShardSink recording = new ShardSink() {
            @Override
            public long checkpoint(final int partition) {
                return memory.checkpoint(partition);
            }

            @Override
            public void write(final ProjectionBatch batch) {
                writers.add(StackWalker.getInstance().walk(frames -> frames
                        .filter(f -> f.getClassName().endsWith(".StreamTask"))
                        .map(StackWalker.StackFrame::getMethodName).toList()));
                memory.write(batch);
            }
        };

        try (TopologyHarness h = new TopologyHarness(recording, ProjectorSettings.defaults(), stateDir)) {
            h.pipe(posted(1, "c1", "m1", "hi"));
        }

        assertThat(writers).hasSize(1);
        assertThat(writers.get(0)).contains("prepareCommit").doesNotContain("postCommit");
    }

    @Test
    void givenShardUnavailable_whenTaskInitialized_thenKafkaTimeoutSoStreamsRetriesTheInitLaterWithoutFetching() {
        final ProjectionBufferStore store = new ProjectionBufferStore("projection-buffer", gone, 10);
        final MockProcessorContext<Object, Object> context =
                new MockProcessorContext<>(new Properties(), new TaskId(0, 5), stateDir.toFile());

        assertThatThrownBy(() -> store.init(context.getStateStoreContext(), store))
                .isInstanceOf(TimeoutException.class)
                .hasMessageContaining("partition 5 waits for its shard").hasMessageContaining("connection refused");
        assertThat(store.isOpen()).isFalse();
    }

    @Test
    void givenShardGoneWhileBuffered_whenFlushed_thenOnlyThisTaskIsCorruptedAndItsBufferDiscarded() {
        final boolean[] down = {false};
        final ShardSink flaky = new ShardSink() {
            @Override
            public long checkpoint(final int partition) {
                return memory.checkpoint(partition);
            }

            @Override
            public void write(final ProjectionBatch batch) {
                if (down[0]) {
                    gone.write(batch);
                }
                memory.write(batch);
            }
        };
        final ProjectionBufferStore store = new ProjectionBufferStore("projection-buffer", flaky, 10);
        final MockProcessorContext<Object, Object> context =
                new MockProcessorContext<>(new Properties(), new TaskId(0, 5), stateDir.toFile());
        store.init(context.getStateStoreContext(), store);
        store.isApplied(0);
        store.append(0, List.of(post(0)));
        store.append(1, List.of(post(1)));
        down[0] = true;

        assertThatThrownBy(store::flushCache).isInstanceOfSatisfying(TaskCorruptedException.class,
                e -> assertThat(e.corruptedTasks()).containsExactly(new TaskId(0, 5)));
        assertThat(store.bufferedEvents()).isZero();
        assertThat(memory.checkpoint(5)).isZero();

        // Revived: Kafka Streams initializes the same store again and replays from the committed offset 0.
        down[0] = false;
        store.init(context.getStateStoreContext(), store);
        assertThat(store.isApplied(0)).isFalse();
        store.append(0, List.of(post(0)));
        store.append(1, List.of(post(1)));
        store.flushCache();
        assertThat(memory.checkpoint(5)).isEqualTo(2);
        assertThat(memory.snapshot(0).messages()).hasSize(2);
    }

    @Test
    void givenTheConsumerSkippedEvents_whenTheNextOneIsAppended_thenRefusedAndNothingWritten() {
        final ProjectionBufferStore store = store(10);
        assertThat(store.isApplied(3)).isFalse(); // the shard's checkpoint is 0: offsets 0..2 were never delivered

        assertThatThrownBy(() -> store.append(3, List.of(post(3)))).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("partition 5 skipped offsets 0..2");
        store.append(0, List.of(post(0)));
        assertThatThrownBy(() -> store.append(2, List.of(post(2)))).hasMessageContaining("skipped offsets 1..1");
        store.append(1, List.of(post(1)));
        store.flushCache();
        assertThat(memory.checkpoint(5)).isEqualTo(2);
        assertThatThrownBy(() -> store.append(7, List.of(post(7)))).hasMessageContaining("skipped offsets 2..6");
    }
}
