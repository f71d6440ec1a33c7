package chat.schemas;

import chat.events.EventEnvelope;
import org.apache.avro.Schema;
import org.apache.avro.message.BadHeaderException;
import org.apache.avro.message.BinaryMessageDecoder;
import org.apache.avro.message.BinaryMessageEncoder;
import org.apache.avro.message.MissingSchemaException;
import org.apache.avro.specific.SpecificData;
import org.apache.avro.util.ClassSecurityValidator;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * Encodes and decodes {@link EventEnvelope} values of {@code chat.events} with Avro's
 * single-object encoding: {@code C3 01}, the 8-byte little-endian CRC-64-AVRO fingerprint of
 * the writer's schema, then the Avro binary body. A decoder resolves every writer schema kept
 * in {@code schemas/history} to the current reader schema. Thread-safe.
 *
 * <pre>{@code
 * byte[] bytes = EventCodec.encode(envelope);
 * EventEnvelope back = EventCodec.decode(bytes);
 * }</pre>
 */
public final class EventCodec {
    /** Schema version this build writes: the highest {@code chat-event.vN.avsc} in history. */
    public static final int CURRENT_VERSION;
    private static final List<Schema> HISTORY;
    private static final BinaryMessageEncoder<EventEnvelope> ENCODER;
    private static final BinaryMessageDecoder<EventEnvelope> DECODER;

    static {
        // Avro >= 1.12.2 only instantiates classes it trusts; trust our generated event classes
        // in addition to whatever the process already trusts.
        final ClassSecurityValidator.ClassSecurityPredicate existing = ClassSecurityValidator.getGlobal();
        ClassSecurityValidator.setGlobal(ClassSecurityValidator.composite(existing,
                type -> EventEnvelope.class.getPackageName().equals(type.getPackageName())));
        final List<Schema> history = new ArrayList<>();
        for (int v = 1; ; v++) {
            final String resource = "/chat/schemas/history/chat-event.v" + v + ".avsc";
            try (InputStream in = EventCodec.class.getResourceAsStream(resource)) {
                if (in == null) {
                    break;
                }
                history.add(new Schema.Parser().parse(new String(in.readAllBytes(), StandardCharsets.UTF_8)));
            } catch (IOException e) {
                throw new UncheckedIOException("cannot read " + resource, e);
            }
        }
        if (history.isEmpty()) {
            throw new IllegalStateException("no schema history on the classpath under /chat/schemas/history");
        }
        HISTORY = List.copyOf(history);
        CURRENT_VERSION = history.size();
        final SpecificData model = SpecificData.getForSchema(EventEnvelope.getClassSchema());
        ENCODER = new BinaryMessageEncoder<>(model, EventEnvelope.getClassSchema());
        DECODER = new BinaryMessageDecoder<>(model, EventEnvelope.getClassSchema());
        for (Schema old : HISTORY) {
            DECODER.addSchema(old);
        }
    }

    private EventCodec() {
    }

    /** Every schema version kept in history, v1 first. */
    public static List<Schema> history() {
        return HISTORY;
    }

    /** Encodes one envelope. */
    public static byte[] encode(final EventEnvelope envelope) {
        try {
            final ByteBuffer buffer = ENCODER.encode(envelope);
            final byte[] bytes = new byte[buffer.remaining()];
            buffer.get(bytes);
            return bytes;
        } catch (IOException | RuntimeException e) {
            throw new IllegalArgumentException("cannot encode event " + envelope.getEventId() + ": " + e.getMessage(), e);
        }
    }

    /**
     * Decodes one value.
     *
     * @throws EventDecodingException when the bytes are not an envelope of a known schema version
     */
    public static EventEnvelope decode(final byte[] bytes) {
        if (bytes == null) {
            throw new EventDecodingException("null value (tombstone) where an event was expected");
        }
        try {
            return DECODER.decode(bytes);
        } catch (MissingSchemaException e) {
            throw new EventDecodingException("unknown writer schema fingerprint: " + e.getMessage(), e);
        } catch (BadHeaderException e) {
            throw new EventDecodingException("not Avro single-object encoded (" + bytes.length + " bytes): " + e.getMessage(), e);
        } catch (IOException | RuntimeException e) {
            throw new EventDecodingException("corrupt event body (" + bytes.length + " bytes): " + e, e);
        }
    }
}
