package chat.schemas;

import chat.events.EventEnvelope;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serializer;

/** Kafka serde for {@code chat.events} values; decoding failures raise {@link EventDecodingException}. */
public final class EnvelopeSerde implements Serde<EventEnvelope> {
    @Override
    public Serializer<EventEnvelope> serializer() {
        return (topic, envelope) -> envelope == null ? null : EventCodec.encode(envelope);
    }

    @Override
    public Deserializer<EventEnvelope> deserializer() {
        return (topic, bytes) -> EventCodec.decode(bytes);
    }
}
