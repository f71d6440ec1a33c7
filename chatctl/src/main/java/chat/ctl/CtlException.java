package chat.ctl;

/** An operator-facing failure of chatctl (exit code 2), with the state needed to act on it. */
public final class CtlException extends RuntimeException {
    public CtlException(final String message) {
        super(message);
    }

    public CtlException(final String message, final Throwable cause) {
        super(message, cause);
    }
}
