package chat.ingest.api;

import io.micronaut.http.HttpStatus;

/**
 * Every rejection of the write API: an HTTP status and a stable machine code. Codes are part of
 * the public contract (see README "Error codes"); never rename one, only add.
 */
public enum ApiError {
    /** The body is not a single well-formed JSON object. */
    MALFORMED_JSON(HttpStatus.BAD_REQUEST),
    /** The body is not valid UTF-8. */
    INVALID_UTF8(HttpStatus.BAD_REQUEST),
    /** A field has the wrong JSON type, e.g. a number where a string is expected. */
    INVALID_FIELD_TYPE(HttpStatus.BAD_REQUEST),
    /** An id (path, header or body) does not match {@code [A-Za-z0-9_-]{1,64}}. */
    INVALID_ID(HttpStatus.BAD_REQUEST),
    /** {@code text} is missing, empty or only whitespace. */
    TEXT_REQUIRED(HttpStatus.BAD_REQUEST),
    /** {@code text} is longer than 40,000 characters (Unicode code points). */
    TEXT_TOO_LONG(HttpStatus.BAD_REQUEST),
    /** {@code text} holds a character no read model can store: U+0000 or an unpaired surrogate. */
    INVALID_TEXT(HttpStatus.BAD_REQUEST),
    /** The request body exceeds the size limit of the route. */
    PAYLOAD_TOO_LARGE(HttpStatus.REQUEST_ENTITY_TOO_LARGE),
    /** The request is not {@code application/json}. */
    UNSUPPORTED_MEDIA_TYPE(HttpStatus.UNSUPPORTED_MEDIA_TYPE),
    /** No token (answered by the security filter; see {@code chat.common.auth.AuthErrorHandler}). */
    UNAUTHENTICATED(HttpStatus.UNAUTHORIZED),
    /** A verified token whose subject is not a valid user id. */
    TOKEN_INVALID(HttpStatus.UNAUTHORIZED),
    /** A field is missing or out of range (e.g. a channel name longer than 80 characters). */
    INVALID_FIELD(HttpStatus.BAD_REQUEST),
    /** The team's shard database cannot be read now; nothing was appended, retry later. */
    SHARD_UNAVAILABLE(HttpStatus.SERVICE_UNAVAILABLE),
    /** The team's read model has not caught up with this service's own earlier writes in time; retry later. */
    READ_MODEL_BEHIND(HttpStatus.SERVICE_UNAVAILABLE),
    /** The log (Kafka) did not acknowledge the write in time; nothing is promised, retry later. */
    LOG_UNAVAILABLE(HttpStatus.SERVICE_UNAVAILABLE);

    private final HttpStatus status;

    ApiError(final HttpStatus status) {
        this.status = status;
    }

    /** HTTP status sent with this code. */
    public HttpStatus status() {
        return status;
    }
}
