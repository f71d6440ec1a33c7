package chat.projector.sink;

import chat.projector.projection.ProjectionBatch;

/**
 * Port to the read model: writes the row changes of one partition's events to that partition's
 * shard (partition -> shard by the shard map) together with the partition's checkpoint, in one
 * transaction, and reads the checkpoint back. Implementations: {@link JdbcShardSink} (PostgreSQL
 * shards) and {@link InMemoryShardSink} (tests); one contract suite runs against both.
 *
 * <pre>{@code
 * long next = sink.checkpoint(3);          // events below `next` are already applied
 * sink.write(new ProjectionBatch(3, next, next + 2, changes));
 * }</pre>
 *
 * <p>Contract: a batch is all-or-nothing; changes at offsets below the stored checkpoint are
 * skipped (already applied); the checkpoint becomes {@code GREATEST(stored, batch.nextOffset())};
 * re-applying a batch changes nothing; the result equals applying the changes one by one in
 * offset order.
 */
public interface ShardSink {

    /**
     * The next offset to apply for {@code partition}: every event below it is in the shard. Zero
     * when the partition was never written.
     *
     * @throws TransientShardException when the shard cannot be read now
     */
    long checkpoint(int partition);

    /**
     * Applies {@code batch} and advances the checkpoint, atomically.
     *
     * @throws TransientShardException when the shard cannot be written now (nothing was written)
     * @throws PermanentShardException when the shard rejects the batch (nothing was written)
     */
    void write(ProjectionBatch batch);

    /**
     * Why the shard of {@code partition} cannot be used now (it went away, or was retired by a
     * cut-over and its successor is not known yet), or null when it can. A task whose shard is
     * unavailable does not read its partition until this answers null again. No I/O.
     */
    default String unavailable(final int partition) {
        return null;
    }
}
