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

    /** {@code {"events":[{"type","position"}...],"unchanged":bool}}. */
    static String events(final java.util.List<String> types, final java.util.List<Position> positions) {
        final StringWriter out = new StringWriter(64 + 120 * types.size());
        try (JsonGenerator g = JSON.createGenerator(out)) {
            g.writeStartObject();
            g.writeArrayFieldStart("events");
            for (int i = 0; i < types.size(); i++) {
                g.writeStartObject();
                g.writeStringField("type", types.get(i));
                writePosition(g, positions.get(i));
                g.writeEndObject();
            }
            g.writeEndArray();
            g.writeBooleanField("unchanged", types.isEmpty());
            g.writeEndObject();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toString();
    }

    /** A post's answer; {@code duplicate} when a retried clientMessageId named an existing message. */
    static String posted(final String messageId, final Position position, final boolean duplicate) {
        final StringWriter out = new StringWriter(180);
        try (JsonGenerator g = JSON.createGenerator(out)) {
            g.writeStartObject();
            g.writeStringField("messageId", messageId);
            writePosition(g, position);
            if (duplicate) {
                g.writeBooleanField("duplicate", true);
            }
            g.writeEndObject();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toString();
    }

    private static void writePosition(final JsonGenerator g, final Position position) throws IOException {
        g.writeObjectFieldStart("position");
        g.writeStringField("epoch", position.epoch());
        g.writeNumberField("partition", position.partition());
        g.writeNumberField("offset", position.offset());
        g.writeEndObject();
    }
}
