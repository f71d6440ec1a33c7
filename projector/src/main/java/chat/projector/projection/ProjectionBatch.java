package chat.projector.projection;

import java.util.List;

/**
 * The row changes of the events {@code firstOffset .. nextOffset-1} of one partition, written to
 * the partition's shard in one transaction together with {@code projection_checkpoint =
 * GREATEST(existing, nextOffset)}. Events without rows (not projected yet, or sent to the DLQ)
 * have no change but are covered by the offset range.
 *
 * <pre>{@code
 * ProjectionBatch b = new ProjectionBatch(3, 100, 150, changes);
 * }</pre>
 *
 * @param partition   partition of {@code chat.events}
 * @param firstOffset offset of the first event covered
 * @param nextOffset  the checkpoint after this batch: last covered offset + 1
 * @param changes     the row changes, in event (offset) order; one event may have several (same offset),
 *                    and they must all be in the same batch
 */
public record ProjectionBatch(int partition, long firstOffset, long nextOffset, List<RowChange> changes) {
    public ProjectionBatch {
        changes = List.copyOf(changes);
        if (partition < 0) {
            throw new IllegalArgumentException("partition must be >= 0, got " + partition);
        }
        if (firstOffset < 0 || nextOffset <= firstOffset) {
            throw new IllegalArgumentException("need 0 <= firstOffset < nextOffset, got " + firstOffset + ".." + nextOffset);
        }
        long previous = -1;
        for (RowChange c : changes) {
            if (c.offset() < firstOffset || c.offset() >= nextOffset || c.offset() < previous) {
                throw new IllegalArgumentException("change at offset " + c.offset() + " is out of order or outside "
                        + firstOffset + ".." + (nextOffset - 1));
            }
            previous = c.offset();
        }
    }

    /** Short form for logs and messages, e.g. {@code p3@100..149(37 changes)}. */
    public String describe() {
        return "p" + partition + "@" + firstOffset + ".." + (nextOffset - 1) + "(" + changes.size() + " changes)";
    }
}
