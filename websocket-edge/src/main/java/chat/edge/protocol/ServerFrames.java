package chat.edge.protocol;

import com.fasterxml.jackson.core.JsonGenerator;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;

/**
 * Renders the edge's control frames:
 * <pre>{@code
 * {"type":"subscribed","teamId":"t1","id":"r1"}
 * {"type":"subscribed","teamId":"t1","recovered":"buffer","recoveredEvents":3,
 *  "resumedFrom":{"epoch":"dev.Qx3","partition":3,"offset":41},"position":{"epoch":"dev.Qx3","partition":3,"offset":57}}
 * {"type":"resync","teamId":"t1","code":"EPOCH_MISMATCH","message":"..."}
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

    /**
     * Acknowledges a subscription of an edge that reads the log.
     *
     * @param recovered       {@code none}, {@code buffer} or {@code log}: where the missed events came from
     * @param recoveredEvents how many missed events follow this frame (before live ones)
     * @param resumedFrom     the client's {@code since}, or {@code null}
     * @param position        for a plain subscribe: the position live delivery starts after (a later
     *                        resume may use it as {@code since}); {@code null} when not known yet
     */
    public static Frame subscribed(final String teamId, final String id, final String recovered,
                                   final int recoveredEvents, final ClientCommand.Since resumedFrom,
                                   final ClientCommand.Since position) {
        return render(g -> {
            g.writeStringField("type", "subscribed");
            g.writeStringField("teamId", teamId);
            if (id != null) {
                g.writeStringField("id", id);
            }
            g.writeStringField("recovered", recovered);
            g.writeNumberField("recoveredEvents", recoveredEvents);
            if (resumedFrom != null) {
                writePosition(g, "resumedFrom", resumedFrom);
            }
            if (position != null) {
                writePosition(g, "position", position);
            }
        });
    }

    /**
     * Tells the client its position cannot be resumed: it must reload the team's state (HTTP
     * history) and subscribe without {@code since}. The connection is not subscribed to the team.
     */
    public static Frame resync(final String teamId, final ResyncCode code, final String message, final String id) {
        return render(g -> {
            g.writeStringField("type", "resync");
            g.writeStringField("teamId", teamId);
            g.writeStringField("code", code.name());
            g.writeStringField("message", message);
            if (id != null) {
                g.writeStringField("id", id);
            }
        });
    }

    private static void writePosition(final JsonGenerator g, final String field, final ClientCommand.Since p)
            throws IOException {
        g.writeObjectFieldStart(field);
        g.writeStringField("epoch", p.epoch());
        g.writeNumberField("partition", p.partition());
        g.writeNumberField("offset", p.offset());
        g.writeEndObject();
    }

    /** Acknowledges an unsubscription. */
    public static Frame unsubscribed(final String teamId, final String id) {
        return teamReply("unsubscribed", teamId, id);
    }

    /**
     * Tells the client the edge ended its subscription, with the reason's stable code, e.g.
     * {@code {"type":"unsubscribed","teamId":"t1","code":"NOT_TEAM_MEMBER"}}.
     */
    public static Frame unsubscribed(final String teamId, final String id, final ErrorCode code) {
        return render(g -> {
            g.writeStringField("type", "unsubscribed");
            g.writeStringField("teamId", teamId);
            if (id != null) {
                g.writeStringField("id", id);
            }
            g.writeStringField("code", code.name());
        });
    }

    /** Answers a {@code ping}: {@code {"type":"pong"}} (with the ping's {@code id} when it had one). */
    public static Frame pong(final String id) {
        return render(g -> {
            g.writeStringField("type", "pong");
            if (id != null) {
                g.writeStringField("id", id);
            }
        });
    }

    /** A presence change: {@code {"type":"presence","teamId":"t1","userId":"bob","state":"away"}}. */
    public static Frame presence(final String teamId, final String userId, final String state) {
        return render(g -> {
            g.writeStringField("type", "presence");
            g.writeStringField("teamId", teamId);
            g.writeStringField("userId", userId);
            g.writeStringField("state", state);
        });
    }

    /** A typing indicator: {@code {"type":"typing","teamId":"t1","channelId":"c1","userId":"bob"}}. */
    public static Frame typing(final String teamId, final String channelId, final String userId) {
        return render(g -> {
            g.writeStringField("type", "typing");
            g.writeStringField("teamId", teamId);
            g.writeStringField("channelId", channelId);
            g.writeStringField("userId", userId);
        });
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
