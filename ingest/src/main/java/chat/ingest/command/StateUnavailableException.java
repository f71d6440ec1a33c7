package chat.ingest.command;

/** The state a command needs cannot be read now (shard down, or behind this instance's own writes). Transient. */
public final class StateUnavailableException extends RuntimeException {
    private final boolean behind;

    public StateUnavailableException(final String message, final Throwable cause, final boolean behind) {
        super(message, cause);
        this.behind = behind;
    }

    /** True when the shard is up but has not applied this instance's earlier writes in time. */
    public boolean behind() {
        return behind;
    }
}
