package chat.edge.protocol;

import chat.edge.TestEvents;
import chat.events.EventEnvelope;
import chat.schemas.Events;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.apache.avro.Schema;
import org.apache.avro.specific.SpecificRecord;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class FramesTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    @Test
    void shouldRenderEveryPayloadTypeAsValidJsonWithFlattenedFields() throws Exception {
        for (Object payload : TestEvents.everyPayload()) {
            // Given
            final EventEnvelope e = TestEvents.envelope("t1", payload);
            // When
            final Frame frame = EventFrames.render("dev.abc", 3, 42, 1_732_200_000_123L, e);
            // Then
            final JsonNode root = JSON.readTree(frame.utf8());
            final String type = Events.typeOf(e);
            assertThat(root.get("type").asText()).isEqualTo("event");
            assertThat(root.at("/position/epoch").asText()).isEqualTo("dev.abc");
            assertThat(root.at("/position/partition").asInt()).isEqualTo(3);
            assertThat(root.at("/position/offset").asLong()).isEqualTo(42);
            assertThat(root.get("appendedAt").asLong()).isEqualTo(1_732_200_000_123L);
            final JsonNode event = root.get("event");
            assertThat(event.get("eventId").asText()).isEqualTo(e.getEventId());
            assertThat(event.get("teamId").asText()).isEqualTo("t1");
            assertThat(event.get("actorId").asText()).isEqualTo("u1");
            assertThat(event.get("occurredAt").asLong()).isEqualTo(TestEvents.OCCURRED.toEpochMilli());
            assertThat(event.get("type").asText()).isEqualTo(type);
            final SpecificRecord record = (SpecificRecord) payload;
            for (Schema.Field f : record.getSchema().getFields()) {
                final Object value = record.get(f.pos());
                final JsonNode node = event.get(f.name());
                assertThat(node).as("%s.%s", type, f.name()).isNotNull();
                if (value == null) {
                    assertThat(node.isNull()).as("%s.%s", type, f.name()).isTrue();
                } else if (value instanceof Boolean b) {
                    assertThat(node.asBoolean()).isEqualTo(b);
                } else {
                    assertThat(node.asText()).as("%s.%s", type, f.name()).isEqualTo(value.toString());
                }
            }
            assertThat(event.size()).isEqualTo(5 + record.getSchema().getFields().size());
        }
    }

    @Test
    void noPayloadFieldCollidesWithAnEnvelopeKey() {
        final Schema union = EventEnvelope.getClassSchema().getField("payload").schema();
        for (Schema branch : union.getTypes()) {
            for (Schema.Field f : branch.getFields()) {
                assertThat(EventFrames.ENVELOPE_KEYS).as("%s.%s", branch.getName(), f.name()).doesNotContain(f.name());
            }
        }
    }

    @Test
    void givenTextWithQuotesNewlinesAndUnicode_whenRendered_thenItRoundTrips() throws Exception {
        final String text = "He said \"hi\"\\ \n\r\t and </script> \u0000\u001f \u2028\u2029 é 漢字 😀 \uD83D\uDC4D";
        final Frame frame = EventFrames.render("dev.abc", 0, 1, 2, TestEvents.posted("t1", "m1", text));
        final String raw = frame.text();
        assertThat(raw).doesNotContain("\n").doesNotContain("\r").doesNotContain("\u0000");
        assertThat(JSON.readTree(frame.utf8()).at("/event/text").asText()).isEqualTo(text);
        assertThat(frame.size()).isEqualTo(raw.getBytes(java.nio.charset.StandardCharsets.UTF_8).length);
    }

    @Test
    void shouldRenderControlFrames() throws Exception {
        assertThat(ServerFrames.subscribed("t1", null).text()).isEqualTo("{\"type\":\"subscribed\",\"teamId\":\"t1\"}");
        assertThat(ServerFrames.unsubscribed("t1", "r1").text())
                .isEqualTo("{\"type\":\"unsubscribed\",\"teamId\":\"t1\",\"id\":\"r1\"}");
        final JsonNode error = JSON.readTree(ServerFrames.error(ErrorCode.UNKNOWN_OP, "bad \"op\"\n", "r2").utf8());
        assertThat(error.get("type").asText()).isEqualTo("error");
        assertThat(error.get("code").asText()).isEqualTo("UNKNOWN_OP");
        assertThat(error.get("message").asText()).isEqualTo("bad \"op\"\n");
        assertThat(error.get("id").asText()).isEqualTo("r2");
    }
}
