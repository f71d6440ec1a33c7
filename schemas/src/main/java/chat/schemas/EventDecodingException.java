package chat.schemas;

/** A record value that is not a decodable {@code EventEnvelope}. Permanent: retrying cannot help. */
public final class EventDecodingException extends RuntimeException {
    public EventDecodingException(final String message, final Throwable cause) {
        super(message, cause);
    }

    public EventDecodingException(final String message) {
        super(message);
    }
}
