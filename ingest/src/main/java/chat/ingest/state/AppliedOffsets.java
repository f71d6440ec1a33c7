package chat.ingest.state;

import java.util.concurrent.atomic.AtomicLongArray;

/**
 * Per partition, the offset after the last event this ingest instance appended: before deciding
 * a command of a team, the instance waits until the team's shard has applied at least that far,
 * so a client sees its own earlier writes (create a channel, then post to it at once).
 */
public final class AppliedOffsets {
    private final AtomicLongArray appendedUpTo;

    public AppliedOffsets(final int partitions) {
        this.appendedUpTo = new AtomicLongArray(partitions);
    }

    /** Records an acknowledged append at {@code offset}. */
    public void appended(final int partition, final long offset) {
        appendedUpTo.accumulateAndGet(partition, offset + 1, Math::max);
    }

    /** The offset the shard must reach for this instance's writes to {@code partition} to be visible. */
    public long required(final int partition) {
        return appendedUpTo.get(partition);
    }
}
