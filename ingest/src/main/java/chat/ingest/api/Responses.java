package chat.ingest.api;

import chat.common.api.ErrorResponses;
import io.micronaut.http.HttpStatus;
import io.micronaut.http.MutableHttpResponse;

/** Error responses in the one shape every route uses: {@code {"error":{"code","message"}}}. */
public final class Responses {
    /** Seconds a client should wait before retrying after {@link ApiError#LOG_UNAVAILABLE}. */
    static final int RETRY_AFTER_SECONDS = 2;

    private Responses() {
    }

    /** The response for a command refused by a domain rule (codes of {@code DomainError}). */
    public static MutableHttpResponse<String> refused(final chat.ingest.domain.DomainError code, final String message) {
        return ErrorResponses.of(HttpStatus.valueOf(code.status()), code.name(), message);
    }

    /** The response for a rejected request. */
    public static MutableHttpResponse<String> error(final ApiError code, final String message) {
        final MutableHttpResponse<String> response = ErrorResponses.of(code.status(), code.name(), message);
        if (code.status() == HttpStatus.SERVICE_UNAVAILABLE) {
            response.header("Retry-After", Integer.toString(RETRY_AFTER_SECONDS));
        }
        return response;
    }
}
