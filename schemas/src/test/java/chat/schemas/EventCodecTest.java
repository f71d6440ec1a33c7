package chat.schemas;

import chat.events.ChannelCreated;
import chat.events.EventEnvelope;
import chat.events.MemberJoined;
import chat.events.MessageDeleted;
import chat.events.MessageEdited;
import chat.events.MessagePosted;
import chat.events.TeamCreated;
import org.apache.avro.Schema;
import org.apache.avro.SchemaNormalization;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericRecord;
import org.apache.avro.message.BinaryMessageEncoder;
import org.junit.jupiter.api.Test;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.time.Instant;
import java.util.List;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class EventCodecTest {

    static EventEnvelope envelope(final Object payload) {
        return EventEnvelope.newBuilder()
                .setEventId(UUID.randomUUID().toString())
                .setTeamId("team-1")
                .setActorId("alice")
                .setOccurredAt(Instant.ofEpochMilli(1_700_000_000_123L))
                .setSchemaVersion(EventCodec.CURRENT_VERSION)
                .setPayload(payload)
                .build();
    }

    @Test
    void shouldRoundTripEveryCorePayloadType() {
        final List<Object> payloads = List.of(
                new TeamCreated("Acme"),
                new ChannelCreated("general", "General", true, "news"),
                new MemberJoined("general", "bob", "alice"),
                new MessagePosted("general", "m1", "héllo 👋", null, "c-1"),
                new MessageEdited("general", "m1", "edited"),
                new MessageDeleted("general", "m1"));
        for (Object payload : payloads) {
            final EventEnvelope in = envelope(payload);
            final EventEnvelope out = EventCodec.decode(EventCodec.encode(in));
            assertThat(out).isEqualTo(in);
        }
    }

    @Test
    void shouldWriteSingleObjectEncodingWithTheSchemaFingerprint() {
        final byte[] bytes = EventCodec.encode(envelope(new MessagePosted("general", "m1", "hi", null, null)));
        assertThat(bytes[0]).isEqualTo((byte) 0xC3);
        assertThat(bytes[1]).isEqualTo((byte) 0x01);
        final long fingerprint = ByteBuffer.wrap(bytes, 2, 8).order(ByteOrder.LITTLE_ENDIAN).getLong();
        assertThat(fingerprint).isEqualTo(SchemaNormalization.parsingFingerprint64(EventEnvelope.getClassSchema()));
    }

    @Test
    void shouldExposeTypeAndChannelForHeaders() {
        final EventEnvelope posted = envelope(new MessagePosted("random", "m1", "hi", null, null));
        assertThat(Events.typeOf(posted)).isEqualTo("MessagePosted");
        assertThat(Events.channelOf(posted)).isEqualTo("random");
        assertThat(Events.channelOf(envelope(new TeamCreated("Acme")))).isNull();
    }

    @Test
    void shouldRejectGarbageWithADecodingError() {
        assertThatThrownBy(() -> EventCodec.decode("not avro".getBytes()))
                .isInstanceOf(EventDecodingException.class)
                .hasMessageContaining("single-object");
        assertThatThrownBy(() -> EventCodec.decode(null)).isInstanceOf(EventDecodingException.class);
        final byte[] good = EventCodec.encode(envelope(new MessagePosted("general", "m1", "hello", null, null)));
        final byte[] truncated = java.util.Arrays.copyOf(good, good.length - 4);
        assertThatThrownBy(() -> EventCodec.decode(truncated)).isInstanceOf(EventDecodingException.class);
    }

    @Test
    void shouldRejectAnUnknownWriterSchemaByFingerprint() throws Exception {
        // A writer on a future schema this build does not have.
        final Schema future = new Schema.Parser().parse("""
                {"type":"record","name":"EventEnvelope","namespace":"chat.events","fields":[
                  {"name":"eventId","type":"string"},{"name":"extra","type":"string","default":""}]}""");
        final GenericRecord record = new GenericData.Record(future);
        record.put("eventId", "e");
        record.put("extra", "x");
        final ByteBuffer buf = new BinaryMessageEncoder<GenericRecord>(GenericData.get(), future).encode(record);
        final byte[] bytes = new byte[buf.remaining()];
        buf.get(bytes);
        assertThatThrownBy(() -> EventCodec.decode(bytes))
                .isInstanceOf(EventDecodingException.class)
                .hasMessageContaining("unknown writer schema");
    }
}
