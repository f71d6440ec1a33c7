package chat.common.api;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import io.micronaut.http.HttpResponse;
import io.micronaut.http.HttpStatus;
import io.micronaut.http.MediaType;
import io.micronaut.http.MutableHttpResponse;

import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;

/**
 * The one shape of every HTTP rejection of every service: {@code {"error":{"code","message"}}}
 * with a stable code (README "Error codes").
 *
 * <pre>{@code
 * return ErrorResponses.of(HttpStatus.NOT_FOUND, "CHANNEL_NOT_FOUND", "no channel general in team acme");
 * }</pre>
 */
public final class ErrorResponses {
    private static final JsonFactory JSON = new JsonFactory();

    private ErrorResponses() {
    }

    /** The JSON body of a rejection. */
    public static String body(final String code, final String message) {
        final StringWriter out = new StringWriter(64 + message.length());
        try (JsonGenerator g = JSON.createGenerator(out)) {
            g.writeStartObject();
            g.writeObjectFieldStart("error");
            g.writeStringField("code", code);
            g.writeStringField("message", message);
            g.writeEndObject();
            g.writeEndObject();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toString();
    }

    /** A rejection response; callers may add headers such as {@code Retry-After}. */
    public static MutableHttpResponse<String> of(final HttpStatus status, final String code, final String message) {
        return HttpResponse.<String>status(status).contentType(MediaType.APPLICATION_JSON_TYPE).body(body(code, message));
    }
}
