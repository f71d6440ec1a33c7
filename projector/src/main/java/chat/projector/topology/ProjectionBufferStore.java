package chat.projector.topology;

import chat.projector.projection.ProjectionBatch;
import chat.projector.projection.RowChange;
import chat.projector.sink.ShardSink;
import chat.projector.sink.TransientShardException;
import org.apache.kafka.common.errors.TimeoutException;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.streams.processor.StateStore;
import org.apache.kafka.streams.errors.TaskCorruptedException;
import org.apache.kafka.streams.processor.StateStoreContext;
import org.apache.kafka.streams.processor.TaskId;
import org.apache.kafka.streams.state.internals.CacheFlushListener;
import org.apache.kafka.streams.state.internals.CachedStateStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The per-task buffer of projected row changes: a custom, non-logged, non-persistent state store
 * that writes its content to the partition's shard (through {@link ShardSink}) in one transaction
 * per batch, with the partition's checkpoint.
 *
 * <h2>When the batch is written, and why that is before Kafka Streams commits offsets</h2>
 * <ul>
 *   <li>early, synchronously in {@link #append}, when {@code maxBatch} events are buffered
 *       (bounds memory);</li>
 *   <li>in {@link #flushCache()}. In Kafka Streams 4.3 a task commit is
 *       {@code StreamTask.prepareCommit} -> {@code ProcessorStateManager.flushCache()} (calls
 *       {@code CachedStateStore.flushCache()} on every store implementing it), then
 *       {@code TaskExecutor.commitOffsetsOrTransaction} (commits the input offsets), then
 *       {@code StreamTask.postCommit} -> {@code ProcessorStateManager.commit()} ->
 *       {@link StateStore#commit(Map)}. {@code StateStore.commit} (and the deprecated
 *       {@code flush()} it defaults to) therefore runs AFTER the offsets are committed: a crash or a
 *       failed write there would lose the buffered events. The only hook that runs before the
 *       offset commit is {@code flushCache()} of the internal {@link CachedStateStore} interface,
 *       which is why this store implements it. {@code ProjectionBufferStoreTest} fails if a Kafka
 *       upgrade stops calling it from {@code prepareCommit};</li>
 *   <li>in {@link #commit(Map)} (and {@link #flush()}) as well: normally a no-op because
 *       {@code flushCache()} already emptied the buffer, it keeps the store correct-but-late on
 *       Kafka versions where the commit hook moves.</li>
 * </ul>
 * A task closed dirty (after an error) discards its buffer: its offsets were not committed, so
 * the events are read again.
 *
 * <h2>A shard that is unavailable pauses only its own partitions</h2>
 * When the sink cannot reach the partition's shard ({@link TransientShardException}, after the
 * sink's own retries, or at once for a shard it has marked unavailable), this store throws
 * {@link TaskCorruptedException} for its task: Kafka Streams commits the thread's other tasks,
 * closes this one dirty (buffer discarded, offsets not committed) and revives it, rewound to its
 * last committed offset. The thread and its other tasks carry on; nothing is lost. The revived
 * task's {@link #init} then throws Kafka's {@link TimeoutException} while
 * {@link ShardSink#unavailable} names a reason, which Kafka Streams 4.3 answers by retrying the
 * task's initialization with a backoff (1 s doubling to 10 s), without fetching its partition. So
 * the partition waits, its lag grows, and it resumes once the shard answers again. After
 * {@code task.timeout.ms} of waiting Kafka Streams gives up on the task and the thread is replaced
 * (the application's handler), which starts the wait over. Events below the shard's checkpoint (read lazily on the first
 * record) are already applied and must be skipped by the caller ({@link #isApplied}).
 *
 * <pre>{@code
 * ProjectionBufferStore buffer = context.getStateStore(ProjectorTopology.BUFFER_STORE);
 * if (!buffer.isApplied(offset)) buffer.append(offset, Projection.project(e, partition, offset));
 * }</pre>
 */
final class ProjectionBufferStore implements StateStore, CachedStateStore<Object, Object> {
    private static final Logger LOG = LoggerFactory.getLogger(ProjectionBufferStore.class);

    private final String name;
    private final ShardSink sink;
    private final int maxBatch;
    private final List<RowChange> changes = new ArrayList<>();
    private int partition = -1;
    private TaskId taskId;
    private boolean open;
    /** The shard's checkpoint for this partition as far as this task knows; null until first read. */
    private Long appliedUpTo;
    /** First and next offset of the buffered range; firstOffset < 0 when empty. */
    private long firstOffset = -1;
    private long nextOffset = -1;
    private int events;

    ProjectionBufferStore(final String name, final ShardSink sink, final int maxBatch) {
        if (maxBatch < 1) {
            throw new IllegalArgumentException("maxBatch must be >= 1, got " + maxBatch);
        }
        this.name = name;
        this.sink = sink;
        this.maxBatch = maxBatch;
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public void init(final StateStoreContext context, final StateStore root) {
        partition = context.taskId().partition();
        taskId = context.taskId();
        final String unavailable = sink.unavailable(partition);
        if (unavailable != null) {
            // Kafka Streams retries the initialization later, with a backoff, and does not fetch meanwhile.
            throw new TimeoutException("partition " + partition + " waits for its shard: " + unavailable);
        }
        // Nothing to restore: the store is not logged, the shard is the durable copy.
        context.register(root, (key, value) -> { });
        open = true;
        appliedUpTo = null;
        nextOffset = -1; // a revived task reads again from its last committed offset
        discard();
    }

    /** True when the shard already holds the event at {@code offset} (reads the checkpoint once per task). */
    boolean isApplied(final long offset) {
        if (appliedUpTo == null) {
            try {
                appliedUpTo = sink.checkpoint(partition);
            } catch (TransientShardException e) {
                throw pause(e);
            }
        }
        return offset < appliedUpTo;
    }

    /**
     * Buffers the changes of the event at {@code offset} (empty: the event has no row but the
     * checkpoint must pass it); writes the batch when it reaches the bounded size (counted in
     * events, so one event's changes always stay in one batch).
     */
    void append(final long offset, final List<RowChange> eventChanges) {
        // chat.events has dense offsets (one idempotent, non-transactional writer; infinite retention), so the
        // next event to apply is exactly the shard's checkpoint, then one after another. A later offset means
        // the consumer skipped events (seen once: a task revived while its group was rebalancing resumed at
        // its old fetch position instead of its committed offset). Never write past such a gap: fail the
        // stream thread; its replacement starts every task from the committed offsets, which are never
        // beyond the shard's checkpoint.
        final long expected = nextOffset >= 0 ? nextOffset : appliedUpTo != null ? appliedUpTo : offset;
        if (offset < expected) {
            throw new IllegalStateException("offset " + offset + " appended after " + (expected - 1)
                    + " (partition=" + partition + ")");
        }
        if (offset > expected) {
            throw new IllegalStateException("partition " + partition + " skipped offsets " + expected + ".." + (offset - 1)
                    + ": the next event to apply is " + expected + " but the consumer delivered " + offset
                    + "; nothing written, the stream thread is replaced to re-read from the committed offset");
        }
        if (firstOffset < 0) {
            firstOffset = offset;
        }
        nextOffset = offset + 1;
        events++;
        changes.addAll(eventChanges);
        if (events >= maxBatch) {
            writeBuffered();
        }
    }

    /** Number of events buffered and not yet written. */
    int bufferedEvents() {
        return events;
    }

    /** The partition of this task (valid after init). */
    int partition() {
        return partition;
    }

    private void writeBuffered() {
        if (events == 0) {
            return;
        }
        final ProjectionBatch batch = new ProjectionBatch(partition, firstOffset, nextOffset, changes);
        try {
            sink.write(batch);
        } catch (TransientShardException e) {
            throw pause(e);
        }
        appliedUpTo = appliedUpTo == null ? nextOffset : Math.max(appliedUpTo, nextOffset);
        discard();
    }

    /** This task goes back to its last committed offset and waits for its shard (see the class comment). */
    private TaskCorruptedException pause(final TransientShardException cause) {
        LOG.warn("partition {} cannot reach its shard; task {} rewinds to its last committed offset and waits: {}",
                partition, taskId, cause.getMessage());
        discard();
        return new TaskCorruptedException(Set.of(taskId));
    }

    private void discard() {
        changes.clear();
        firstOffset = -1;
        events = 0;
    }

    /** Called by Kafka Streams 4.3 in {@code prepareCommit}, BEFORE input offsets are committed. */
    @Override
    public void flushCache() {
        writeBuffered();
    }

    /** Called after the offsets are committed in 4.3; normally finds the buffer empty. */
    @Override
    public void commit(final Map<TopicPartition, Long> changelogOffsets) {
        writeBuffered();
    }

    @Override
    @SuppressWarnings("deprecation")
    public void flush() {
        writeBuffered();
    }

    /** Called when the task is recycled; nothing is buffered then (the task committed before). */
    @Override
    public void clearCache() {
        discard();
        nextOffset = -1;
        appliedUpTo = null;
    }

    @Override
    public boolean setFlushListener(final CacheFlushListener<Object, Object> listener, final boolean sendOldValues) {
        return false; // nothing downstream listens to this store
    }

    @Override
    public void close() {
        if (events > 0) {
            // A clean close committed (and so wrote) first; here the task closes dirty and its
            // offsets are not committed: the events will be read again.
            LOG.debug("discarding {} unwritten events of partition {} on close", events, partition);
        }
        discard();
        open = false;
    }

    @Override
    public boolean persistent() {
        return false;
    }

    @Override
    public boolean isOpen() {
        return open;
    }
}
