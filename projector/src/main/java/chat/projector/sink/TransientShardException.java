package chat.projector.sink;

import chat.projector.ProjectorException;

/** A shard read or write that failed but may succeed later (shard down, connection lost, conflict). */
public final class TransientShardException extends ProjectorException {
    private final int shard;
    private final int partition;
    private final boolean unusable;

    public TransientShardException(final String message, final int shard, final int partition, final Throwable cause) {
        this(message, shard, partition, cause, false);
    }

    /**
     * @param unusable true when the database cannot be used at all for now (unreachable, or retired
     *                 by a cut-over), as opposed to a conflict that retrying the transaction may pass
     */
    public TransientShardException(final String message, final int shard, final int partition, final Throwable cause,
                                   final boolean unusable) {
        super(message, cause);
        this.shard = shard;
        this.partition = partition;
        this.unusable = unusable;
    }

    /** The shard that failed. */
    public int shard() {
        return shard;
    }

    /** The partition whose batch or checkpoint was being written or read. */
    public int partition() {
        return partition;
    }

    /** True when the database is unreachable or retired: retrying at once is pointless, wait for a probe. */
    public boolean unusable() {
        return unusable;
    }

    @Override
    public boolean isTransient() {
        return true;
    }
}
