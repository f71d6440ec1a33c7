package chat.edge.consume;

import chat.edge.FakeOutbound;
import chat.edge.TestEvents;
import chat.edge.delivery.Connection;
import chat.edge.delivery.EdgeStats;
import chat.edge.delivery.QueueLimits;
import chat.edge.delivery.SubscriptionRegistry;
import chat.schemas.EventCodec;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.apache.kafka.clients.consumer.MockConsumer;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.HashMap;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

class EventLoopTest {

    @Test
    void shouldStartAtTheLogEndOfEveryPartitionAndDeliverLaterRecordsInOrder() throws Exception {
        // Given a topic of 3 partitions with history
        final MockConsumer<byte[], byte[]> consumer = new MockConsumer<>("latest");
        final Map<TopicPartition, Long> ends = new HashMap<>();
        for (int p = 0; p < 3; p++) {
            ends.put(new TopicPartition("chat.events", p), 10L * (p + 1));
        }
        consumer.updateBeginningOffsets(Map.of(new TopicPartition("chat.events", 0), 0L,
                new TopicPartition("chat.events", 1), 0L, new TopicPartition("chat.events", 2), 0L));
        consumer.updateEndOffsets(ends);
        final EdgeStats stats = new EdgeStats();
        final SubscriptionRegistry registry = new SubscriptionRegistry(stats, 10);
        final FakeOutbound out = FakeOutbound.fast();
        final Connection c = new Connection("c", out, new QueueLimits(100, 1 << 20), stats, registry::closed);
        registry.open(c);
        registry.subscribe(c, "t1");
        final EventLoop loop = new EventLoop(consumer, "chat.events", 3, new Router("dev.x", registry, stats, new LogTails(3, Map.of(), 100, 1 << 20)), stats,
                Duration.ofMillis(10));

        // When
        final Map<Integer, Long> start = loop.positionAtEnd(Duration.ofSeconds(1));

        // Then
        assertThat(start).containsExactly(Map.entry(0, 10L), Map.entry(1, 20L), Map.entry(2, 30L));
        assertThat(consumer.assignment()).hasSize(3);

        final Thread t = Thread.ofPlatform().start(loop);
        for (int i = 0; i < 5; i++) {
            consumer.schedulePollTask(() -> { });
        }
        for (int i = 0; i < 5; i++) {
            consumer.addRecord(RouterTest.record(1, 20 + i, "t1",
                    EventCodec.encode(TestEvents.posted("t1", "m" + i, "n" + i))));
        }
        await().atMost(Duration.ofSeconds(5)).until(() -> out.sent().size() == 5);
        final ObjectMapper json = new ObjectMapper();
        for (int i = 0; i < 5; i++) {
            final var node = json.readTree(out.sent().get(i).utf8());
            assertThat(node.at("/position/offset").asLong()).isEqualTo(20 + i);
            assertThat(node.at("/event/messageId").asText()).isEqualTo("m" + i);
        }
        loop.stop();
        t.join(5_000);
        assertThat(t.isAlive()).isFalse();
        assertThat(consumer.closed()).isTrue();
    }
}
