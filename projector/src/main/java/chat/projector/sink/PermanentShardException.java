package chat.projector.sink;

import chat.projector.ProjectorException;

/** A shard read or write the shard rejected; retrying the same batch cannot help (e.g. a schema mismatch). */
public final class PermanentShardException extends ProjectorException {
    private final int shard;
    private final int partition;

    public PermanentShardException(final String message, final int shard, final int partition, final Throwable cause) {
        super(message, cause);
        this.shard = shard;
        this.partition = partition;
    }

    /** The shard that rejected the batch. */
    public int shard() {
        return shard;
    }

    /** The partition whose batch was rejected. */
    public int partition() {
        return partition;
    }

    @Override
    public boolean isTransient() {
        return false;
    }
}
