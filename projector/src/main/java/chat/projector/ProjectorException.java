package chat.projector;

/**
 * Root of every exception the projector throws. Whether retrying can help is in the type:
 * {@link chat.projector.sink.TransientShardException} may succeed later (shard down, connection
 * refused, serialization failure), {@link chat.projector.sink.PermanentShardException} cannot.
 *
 * <pre>{@code
 * try { sink.write(batch); } catch (TransientShardException e) { retry(); }
 * }</pre>
 */
public abstract class ProjectorException extends RuntimeException {
    protected ProjectorException(final String message, final Throwable cause) {
        super(message, cause);
    }

    /** True when the same operation may succeed if tried again later. */
    public abstract boolean isTransient();
}
