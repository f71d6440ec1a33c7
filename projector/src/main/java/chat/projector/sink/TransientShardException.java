package chat.projector.sink;

import chat.projector.ProjectorException;

/** A shard read or write that failed but may succeed later (shard down, connection lost, conflict). */
public final class TransientShardException extends ProjectorException {
    private final int shard;
    private final int partition;

    public TransientShardException(final String message, final int shard, final int partition, final Throwable cause) {
        super(message, cause);
        this.shard = shard;
        this.partition = partition;
    }

    /** The shard that failed. */
    public int shard() {
        return shard;
    }

    /** The partition whose batch or checkpoint was being written or read. */
    public int partition() {
        return partition;
    }

    @Override
    public boolean isTransient() {
        return true;
    }
}
