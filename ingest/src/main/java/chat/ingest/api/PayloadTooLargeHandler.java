package chat.ingest.api;

import io.micronaut.context.annotation.Replaces;
import io.micronaut.http.HttpRequest;
import io.micronaut.http.HttpResponse;
import io.micronaut.http.annotation.Produces;
import io.micronaut.http.exceptions.ContentLengthExceededException;
import io.micronaut.http.server.exceptions.ExceptionHandler;
import jakarta.inject.Singleton;

/** Bodies over the server's hard limit get the API's error shape, not the framework's. */
@Produces
@Singleton
@Replaces(io.micronaut.http.server.exceptions.ContentLengthExceededHandler.class)
class PayloadTooLargeHandler implements ExceptionHandler<ContentLengthExceededException, HttpResponse<String>> {
    @Override
    public HttpResponse<String> handle(final HttpRequest request, final ContentLengthExceededException exception) {
        return Responses.error(ApiError.PAYLOAD_TOO_LARGE, exception.getMessage());
    }
}
