package chat.edge.consume;

import chat.edge.FakeOutbound;
import chat.edge.TestEvents;
import chat.edge.delivery.Connection;
import chat.edge.delivery.EdgeStats;
import chat.edge.delivery.QueueLimits;
import chat.edge.delivery.SubscriptionRegistry;
import chat.events.EventEnvelope;
import chat.schemas.EventCodec;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;

import static org.assertj.core.api.Assertions.assertThat;

class RouterTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private EdgeStats stats;
    private SubscriptionRegistry registry;
    private Router router;

    @BeforeEach
    void setUp() {
        stats = new EdgeStats();
        registry = new SubscriptionRegistry(stats, 10);
        router = new Router("dev.topic1", registry, stats, new LogTails(12, java.util.Map.of(), 100, 1 << 20));
    }

    static ConsumerRecord<byte[], byte[]> record(final int partition, final long offset, final String key,
                                                 final byte[] value) {
        return new ConsumerRecord<>("chat.events", partition, offset, key == null ? null
                : key.getBytes(StandardCharsets.UTF_8), value);
    }

    private Connection subscribed(final FakeOutbound out, final String... teams) {
        final Connection c = new Connection("c", out, new QueueLimits(100, 1 << 20), stats, registry::closed);
        registry.open(c);
        for (String t : teams) {
            registry.subscribe(c, t);
        }
        return c;
    }

    @Test
    void shouldRenderOnceAndShareTheSameFrameAmongSubscribers() throws Exception {
        // Given
        final FakeOutbound a = FakeOutbound.fast();
        final FakeOutbound b = FakeOutbound.fast();
        final FakeOutbound other = FakeOutbound.fast();
        subscribed(a, "t1");
        subscribed(b, "t1", "t2");
        subscribed(other, "t2");
        final EventEnvelope e = TestEvents.posted("t1", "m1", "hi");
        // When
        final int offered = router.route(record(5, 77, "t1", EventCodec.encode(e)));
        // Then
        assertThat(offered).isEqualTo(2);
        assertThat(a.sent()).hasSize(1);
        assertThat(b.sent().get(0)).isSameAs(a.sent().get(0));
        assertThat(other.sent()).isEmpty();
        final JsonNode frame = JSON.readTree(a.sent().get(0).utf8());
        assertThat(frame.at("/position/epoch").asText()).isEqualTo("dev.topic1");
        assertThat(frame.at("/position/partition").asInt()).isEqualTo(5);
        assertThat(frame.at("/position/offset").asLong()).isEqualTo(77);
        assertThat(frame.at("/event/messageId").asText()).isEqualTo("m1");
        assertThat(stats.snapshot().eventsRendered()).isEqualTo(1);
    }

    @Test
    void givenUndecodableRecord_whenRouted_thenCountedAndNotDelivered() {
        final FakeOutbound a = FakeOutbound.fast();
        subscribed(a, "t1");
        router.route(record(0, 1, "t1", "garbage".getBytes(StandardCharsets.UTF_8)));
        router.route(record(0, 2, "t1", null));
        router.route(record(0, 3, null, EventCodec.encode(TestEvents.posted("t1", "m1", "x"))));
        assertThat(a.sent()).isEmpty();
        assertThat(stats.snapshot().undecodableRecords()).isEqualTo(3);
        assertThat(stats.snapshot().recordsConsumed()).isEqualTo(3);
    }

    @Test
    void givenEnvelopeOfAnotherTeamThanItsKey_whenRouted_thenNotDelivered() {
        final FakeOutbound a = FakeOutbound.fast();
        subscribed(a, "t1");
        router.route(record(0, 1, "t1", EventCodec.encode(TestEvents.posted("t9", "m1", "secret"))));
        assertThat(a.sent()).isEmpty();
        assertThat(stats.snapshot().undecodableRecords()).isEqualTo(1);
    }

    @Test
    void givenNoSubscriber_whenRouted_thenNotDecodedNorRendered() {
        router.route(record(0, 1, "t1", "garbage".getBytes(StandardCharsets.UTF_8)));
        assertThat(stats.snapshot().eventsRendered()).isZero();
        assertThat(stats.snapshot().undecodableRecords()).isZero();
    }
}
