package chat.edge.protocol;

import chat.events.EventEnvelope;
import chat.schemas.Events;
import com.fasterxml.jackson.core.JsonGenerator;
import org.apache.avro.Schema;
import org.apache.avro.specific.SpecificRecord;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.time.Instant;
import java.util.Map;
import java.util.Set;

/**
 * Renders one event of {@code chat.events} as the frame every subscriber receives:
 * <pre>{@code
 * {"type":"event",
 *  "position":{"epoch":"dev.Qx3...","partition":3,"offset":42},
 *  "appendedAt":1732200000123,
 *  "event":{"eventId":"...","teamId":"t1","actorId":"u1","occurredAt":1732200000100,
 *           "type":"MessagePosted","channelId":"c1","messageId":"m1","text":"hi","threadRootId":null,...}}
 * }</pre>
 * The payload's fields are flattened into {@code event} generically from its Avro schema, so a
 * field added to a payload in a compatible schema step reaches clients without a code change.
 * Optional fields appear with {@code null}; timestamps are epoch milliseconds.
 */
public final class EventFrames {
    /** Keys of {@code event} owned by the envelope; a payload field of the same name would be ambiguous. */
    public static final Set<String> ENVELOPE_KEYS = Set.of("eventId", "teamId", "actorId", "occurredAt", "type");

    private EventFrames() {
    }

    /**
     * Renders an event once.
     *
     * @param appendedAt the Kafka record's timestamp (ms)
     */
    public static Frame render(final String epoch, final int partition, final long offset, final long appendedAt,
                               final EventEnvelope envelope) {
        final Frame f = ServerFrames.render(g -> {
            g.writeStringField("type", "event");
            g.writeObjectFieldStart("position");
            g.writeStringField("epoch", epoch);
            g.writeNumberField("partition", partition);
            g.writeNumberField("offset", offset);
            g.writeEndObject();
            g.writeNumberField("appendedAt", appendedAt);
            g.writeObjectFieldStart("event");
            g.writeStringField("eventId", envelope.getEventId());
            g.writeStringField("teamId", envelope.getTeamId());
            g.writeStringField("actorId", envelope.getActorId());
            g.writeFieldName("occurredAt");
            writeValue(g, envelope.getOccurredAt());
            g.writeStringField("type", Events.typeOf(envelope));
            final SpecificRecord payload = (SpecificRecord) envelope.getPayload();
            for (Schema.Field field : payload.getSchema().getFields()) {
                if (ENVELOPE_KEYS.contains(field.name())) {
                    // Guarded by a test; rendering "payload_<name>" keeps both rather than losing one.
                    g.writeFieldName("payload_" + field.name());
                } else {
                    g.writeFieldName(field.name());
                }
                writeValue(g, payload.get(field.pos()));
            }
            g.writeEndObject();
        });
        return new Frame(f.utf8(), appendedAt);
    }

    private static void writeValue(final JsonGenerator g, final Object value) throws IOException {
        switch (value) {
            case null -> g.writeNull();
            case CharSequence s -> g.writeString(s.toString());
            case Boolean b -> g.writeBoolean(b);
            case Integer i -> g.writeNumber(i);
            case Long l -> g.writeNumber(l);
            case Float f -> g.writeNumber(f);
            case Double d -> g.writeNumber(d);
            case Instant i -> g.writeNumber(i.toEpochMilli());
            case Enum<?> e -> g.writeString(e.name());
            case ByteBuffer b -> {
                final ByteBuffer copy = b.duplicate();
                final byte[] bytes = new byte[copy.remaining()];
                copy.get(bytes);
                g.writeBinary(bytes);
            }
            case SpecificRecord r -> {
                g.writeStartObject();
                for (Schema.Field field : r.getSchema().getFields()) {
                    g.writeFieldName(field.name());
                    writeValue(g, r.get(field.pos()));
                }
                g.writeEndObject();
            }
            case Iterable<?> items -> {
                g.writeStartArray();
                for (Object item : items) {
                    writeValue(g, item);
                }
                g.writeEndArray();
            }
            case Map<?, ?> map -> {
                g.writeStartObject();
                for (Map.Entry<?, ?> e : map.entrySet()) {
                    g.writeFieldName(String.valueOf(e.getKey()));
                    writeValue(g, e.getValue());
                }
                g.writeEndObject();
            }
            default -> g.writeString(value.toString());
        }
    }
}
