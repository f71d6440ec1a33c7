package chat.edge.protocol;

import com.fasterxml.jackson.core.JsonGenerator;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;

/**
 * Renders the edge's control frames:
 * <pre>{@code
 * {"type":"subscribed","teamId":"t1","id":"r1"}
 * {"type":"unsubscribed","teamId":"t1"}
 * {"type":"error","code":"UNKNOWN_OP","message":"unknown op 'x'; ...","id":"r2"}
 * }</pre>
 * {@code id} appears only when the client's frame carried one.
 */
public final class ServerFrames {
    private ServerFrames() {
    }

    /** Acknowledges a subscription. */
    public static Frame subscribed(final String teamId, final String id) {
        return teamReply("subscribed", teamId, id);
    }

    /** Acknowledges an unsubscription. */
    public static Frame unsubscribed(final String teamId, final String id) {
        return teamReply("unsubscribed", teamId, id);
    }

    /** Reports a refused frame. */
    public static Frame error(final ErrorCode code, final String message, final String id) {
        return render(g -> {
            g.writeStringField("type", "error");
            g.writeStringField("code", code.name());
            g.writeStringField("message", message);
            if (id != null) {
                g.writeStringField("id", id);
            }
        });
    }

    private static Frame teamReply(final String type, final String teamId, final String id) {
        return render(g -> {
            g.writeStringField("type", type);
            g.writeStringField("teamId", teamId);
            if (id != null) {
                g.writeStringField("id", id);
            }
        });
    }

    interface Fields {
        void write(JsonGenerator g) throws IOException;
    }

    static Frame render(final Fields fields) {
        final ByteArrayOutputStream out = new ByteArrayOutputStream(128);
        try (JsonGenerator g = Json.FACTORY.createGenerator(out)) {
            g.writeStartObject();
            fields.write(g);
            g.writeEndObject();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot render frame", e);
        }
        return new Frame(out.toByteArray());
    }
}
