package chat.ingest.api;

import chat.common.position.Position;
import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;

import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;

/** Renders the API's JSON responses with jackson-core (no reflection on the hot path). */
final class JsonBodies {
    private static final JsonFactory JSON = new JsonFactory();

    private JsonBodies() {
    }

    static String posted(final String messageId, final Position position) {
        final StringWriter out = new StringWriter(160);
        try (JsonGenerator g = JSON.createGenerator(out)) {
            g.writeStartObject();
            g.writeStringField("messageId", messageId);
            g.writeObjectFieldStart("position");
            g.writeStringField("epoch", position.epoch());
            g.writeNumberField("partition", position.partition());
            g.writeNumberField("offset", position.offset());
            g.writeEndObject();
            g.writeEndObject();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toString();
    }

    static String error(final ApiError code, final String message) {
        final StringWriter out = new StringWriter(160);
        try (JsonGenerator g = JSON.createGenerator(out)) {
            g.writeStartObject();
            g.writeObjectFieldStart("error");
            g.writeStringField("code", code.name());
            g.writeStringField("message", message);
            g.writeEndObject();
            g.writeEndObject();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toString();
    }
}
