package chat.edge.consume;

import chat.edge.TestAuth;
import chat.dev.embedded.EmbeddedKafka;
import chat.edge.TestClient;
import chat.edge.TestEvents;
import chat.edge.delivery.EdgeStats;
import chat.events.EventEnvelope;
import chat.schemas.EventCodec;
import chat.schemas.Events;
import chat.schemas.Topics;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.micronaut.context.ApplicationContext;
import io.micronaut.runtime.server.EmbeddedServer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.net.http.HttpClient;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

/**
 * The whole edge against a real (embedded, in-process) Kafka broker: records produced to
 * {@code chat.events} reach exactly the WebSocket clients subscribed to their team, in log order.
 */
class EdgeKafkaIT {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final int PARTITIONS = 12;

    /** One broker per JVM, shared by every broker-backed test of this module. */
    static final class Broker {
        static final EmbeddedKafka KAFKA;
        static final Uuid TOPIC_ID;

        static {
            // A fresh data directory per run under target/, so every run starts from an empty log.
            KAFKA = new EmbeddedKafka(Path.of("target", "edge-it-kafka-" + System.nanoTime()), 0);
            KAFKA.start();
            TOPIC_ID = KAFKA.createTopicIfAbsent(Topics.EVENTS, PARTITIONS, Map.of());
            Runtime.getRuntime().addShutdownHook(new Thread(KAFKA::close));
        }
    }

    private static EmbeddedServer server;
    private static KafkaProducer<byte[], byte[]> producer;

    @BeforeAll
    static void start() {
        server = ApplicationContext.run(EmbeddedServer.class, TestAuth.with(
                "micronaut.server.port", -1,
                "chat.region", "it",
                "chat.kafka.bootstrap-servers", Broker.KAFKA.bootstrapServers(),
                "chat.kafka.partitions", PARTITIONS,
                "chat.edge.access.enabled", false));
        producer = new KafkaProducer<>(Map.of(
                ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, Broker.KAFKA.bootstrapServers(),
                ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true,
                ProducerConfig.ACKS_CONFIG, "all"), new ByteArraySerializer(), new ByteArraySerializer());
    }

    @AfterAll
    static void stop() {
        // Clients before the broker, or the broker's shutdown waits for them.
        if (producer != null) {
            producer.close(Duration.ofSeconds(5));
        }
        if (server != null) {
            server.getApplicationContext().close();
        }
    }

    private static void append(final EventEnvelope e) throws Exception {
        final ProducerRecord<byte[], byte[]> r = new ProducerRecord<>(Topics.EVENTS,
                e.getTeamId().getBytes(StandardCharsets.UTF_8), EventCodec.encode(e));
        r.headers().add(Topics.HEADER_TEAM, e.getTeamId().getBytes(StandardCharsets.UTF_8));
        r.headers().add(Topics.HEADER_TYPE, Events.typeOf(e).getBytes(StandardCharsets.UTF_8));
        producer.send(r).get();
    }

    @Test
    void shouldDeliverEachTeamsEventsToItsSubscribersOnlyInLogOrder() throws Exception {
        // Given three clients: a -> team-a, b -> team-b, c -> both
        final URI ws = URI.create("ws://127.0.0.1:" + server.getPort() + "/ws");
        final HttpClient http = HttpClient.newHttpClient();
        final TestClient a = TestClient.connect(http, ws);
        final TestClient b = TestClient.connect(http, ws);
        final TestClient c = TestClient.connect(http, ws);
        a.send("{\"op\":\"subscribe\",\"teamId\":\"team-a\"}");
        b.send("{\"op\":\"subscribe\",\"teamId\":\"team-b\"}");
        c.send("{\"op\":\"subscribe\",\"teamId\":\"team-a\"}");
        c.send("{\"op\":\"subscribe\",\"teamId\":\"team-b\"}");
        await().atMost(Duration.ofSeconds(10)).until(() -> a.messages().size() == 1 && b.messages().size() == 1
                && c.messages().size() == 2);

        // When 100 events of two teams (and one of a team nobody follows, and one poison record) are appended
        for (int i = 0; i < 50; i++) {
            append(TestEvents.posted("team-a", "a" + i, "text a" + i));
            append(TestEvents.posted("team-b", "b" + i, "text b" + i));
            if (i == 10) {
                append(TestEvents.posted("team-z", "z", "nobody listens"));
                producer.send(new ProducerRecord<>(Topics.EVENTS, "team-a".getBytes(StandardCharsets.UTF_8),
                        "poison".getBytes(StandardCharsets.UTF_8))).get();
            }
        }

        // Then
        await().atMost(Duration.ofSeconds(20)).until(() -> a.messages().size() == 51 && b.messages().size() == 51
                && c.messages().size() == 102);
        final String epoch = "it." + Broker.TOPIC_ID;
        assertTeamEvents(events(a), Map.of("team-a", "a"), epoch);
        assertTeamEvents(events(b), Map.of("team-b", "b"), epoch);
        assertTeamEvents(events(c), Map.of("team-a", "a", "team-b", "b"), epoch);
        final EdgeStats.Snapshot stats = server.getApplicationContext().getBean(EdgeStats.class).snapshot();
        assertThat(stats.undecodableRecords()).isEqualTo(1);
        assertThat(stats.eventsRendered()).isEqualTo(100);
        assertThat(stats.queueOverflows()).isZero();
        a.close();
        b.close();
        c.close();
    }

    @Test
    void givenPartitionCountOtherThanConfigured_whenStarting_thenStartUpFailsWithTheReason() {
        assertThatThrownBy(() -> ApplicationContext.run(EmbeddedServer.class, TestAuth.with(
                "micronaut.server.port", -1,
                "chat.kafka.bootstrap-servers", Broker.KAFKA.bootstrapServers(),
                "chat.kafka.partitions", 7)))
                .hasStackTraceContaining("has " + PARTITIONS + " partitions but chat.kafka.partitions is 7");
    }

    private static List<JsonNode> events(final TestClient client) throws Exception {
        final List<JsonNode> out = new ArrayList<>();
        for (String m : client.messages()) {
            final JsonNode n = JSON.readTree(m);
            if ("event".equals(n.get("type").asText())) {
                out.add(n);
            }
        }
        return out;
    }

    /** Exactly 50 events per expected team, message ids 0..49 in order, offsets strictly increasing. */
    private static void assertTeamEvents(final List<JsonNode> events, final Map<String, String> prefixByTeam,
                                         final String epoch) {
        final Map<String, Integer> next = new HashMap<>();
        final Map<String, Long> lastOffset = new HashMap<>();
        final Map<String, Integer> partition = new HashMap<>();
        for (JsonNode e : events) {
            final String team = e.at("/event/teamId").asText();
            assertThat(prefixByTeam).containsKey(team);
            final int i = next.merge(team, 1, Integer::sum) - 1;
            assertThat(e.at("/event/messageId").asText()).isEqualTo(prefixByTeam.get(team) + i);
            assertThat(e.at("/event/type").asText()).isEqualTo("MessagePosted");
            assertThat(e.at("/position/epoch").asText()).isEqualTo(epoch);
            final long offset = e.at("/position/offset").asLong();
            assertThat(offset).isGreaterThan(lastOffset.getOrDefault(team, -1L));
            lastOffset.put(team, offset);
            final int p = e.at("/position/partition").asInt();
            assertThat(partition.computeIfAbsent(team, t -> p)).isEqualTo(p);
            assertThat(e.get("appendedAt").asLong()).isPositive();
        }
        assertThat(next.keySet()).isEqualTo(Set.copyOf(prefixByTeam.keySet()));
        assertThat(next.values()).allMatch(n -> n == 50);
    }
}
