package chat.ingest.state;

import java.util.concurrent.atomic.AtomicLongArray;

/**
 * Per partition, the offset after the last event this ingest instance appended: before deciding
 * a command of a team, the instance waits until the team's shard has applied at least that far,
 * so a client sees its own earlier writes (create a channel, then post to it at once).
 *
 * <p>Posts (the hot path) do not wait for other posts: they wait only for this instance's
 * writes that can change whether a post is accepted (archive, leave, removal, delete...): the
 * offset after the last such event is kept apart ({@link #requiredForPosts}), and the highest
 * checkpoint seen ({@link #seen}) spares a checkpoint query when it is already passed.
 */
public final class AppliedOffsets {
    private final AtomicLongArray appendedUpTo;
    private final AtomicLongArray restrictingUpTo;
    private final AtomicLongArray seenCheckpoint;

    public AppliedOffsets(final int partitions) {
        this.appendedUpTo = new AtomicLongArray(partitions);
        this.restrictingUpTo = new AtomicLongArray(partitions);
        this.seenCheckpoint = new AtomicLongArray(partitions);
    }

    /** Records an acknowledged append at {@code offset} of an event that no post has to wait for. */
    public void appended(final int partition, final long offset) {
        appended(partition, offset, false);
    }

    /**
     * Records an acknowledged append at {@code offset}; {@code restrictsPosts}: the event may turn a
     * later post's acceptance into a refusal, so posts decided here wait until it is projected.
     */
    public void appended(final int partition, final long offset, final boolean restrictsPosts) {
        appendedUpTo.accumulateAndGet(partition, offset + 1, Math::max);
        if (restrictsPosts) {
            restrictingUpTo.accumulateAndGet(partition, offset + 1, Math::max);
        }
    }

    /** The offset the shard must reach before a post of this instance is decided. */
    public long requiredForPosts(final int partition) {
        return restrictingUpTo.get(partition);
    }

    /** Records a checkpoint read from the shard. */
    public void seen(final int partition, final long checkpoint) {
        seenCheckpoint.accumulateAndGet(partition, checkpoint, Math::max);
    }

    /** The highest checkpoint of {@code partition} seen so far (the shard is at least there). */
    public long seen(final int partition) {
        return seenCheckpoint.get(partition);
    }

    /** The offset the shard must reach for this instance's writes to {@code partition} to be visible. */
    public long required(final int partition) {
        return appendedUpTo.get(partition);
    }
}
