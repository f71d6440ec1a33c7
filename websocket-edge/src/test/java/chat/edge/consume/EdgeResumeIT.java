package chat.edge.consume;

import chat.edge.TestAuth;
import chat.edge.TestClient;
import chat.edge.TestEvents;
import chat.edge.delivery.EdgeStats;
import chat.schemas.EventCodec;
import chat.schemas.Topics;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.micronaut.context.ApplicationContext;
import io.micronaut.runtime.server.EmbeddedServer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.net.http.HttpClient;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Resume by position against a real broker: short gaps from the edge's buffer (20 records per
 * partition here), longer ones from the log, the catch-up to live hand-off under concurrent
 * appends, and every resync answer. Every test counts frames exactly.
 */
class EdgeResumeIT {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient HTTP = HttpClient.newHttpClient();
    private static EmbeddedServer server;
    private static KafkaProducer<byte[], byte[]> producer;
    private static String epoch;

    @BeforeAll
    static void start() {
        server = ApplicationContext.run(EmbeddedServer.class, TestAuth.with(
                "micronaut.server.port", -1,
                "chat.region", "resume",
                "chat.kafka.bootstrap-servers", EdgeKafkaIT.Broker.KAFKA.bootstrapServers(),
                "chat.kafka.partitions", 12,
                "chat.edge.resume.buffer-events", 20,
                "chat.edge.resume.max-events", 300,
                "chat.edge.access.enabled", false));
        epoch = "resume." + EdgeKafkaIT.Broker.TOPIC_ID;
        producer = new KafkaProducer<>(Map.of(
                ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, EdgeKafkaIT.Broker.KAFKA.bootstrapServers(),
                ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true,
                ProducerConfig.LINGER_MS_CONFIG, 1,
                ProducerConfig.ACKS_CONFIG, "all"), new ByteArraySerializer(), new ByteArraySerializer());
    }

    @AfterAll
    static void stop() {
        if (producer != null) {
            producer.close(Duration.ofSeconds(5));
        }
        if (server != null) {
            server.getApplicationContext().close();
        }
    }

    private static RecordMetadata append(final String team, final String messageId) throws Exception {
        return producer.send(new ProducerRecord<>(Topics.EVENTS, team.getBytes(StandardCharsets.UTF_8),
                EventCodec.encode(TestEvents.posted(team, messageId, "text " + messageId)))).get();
    }

    private static List<RecordMetadata> appendAll(final String team, final String prefix, final int from,
                                                  final int to) throws Exception {
        final List<RecordMetadata> out = new ArrayList<>();
        for (int i = from; i < to; i++) {
            out.add(append(team, prefix + i));
        }
        return out;
    }

    private static TestClient connect() throws Exception {
        return TestClient.connect(HTTP, URI.create("ws://127.0.0.1:" + server.getPort() + "/ws"));
    }

    private static String since(final String team, final int partition, final long offset) {
        return "{\"op\":\"subscribe\",\"teamId\":\"" + team + "\",\"since\":{\"epoch\":\"" + epoch
                + "\",\"partition\":" + partition + ",\"offset\":" + offset + "}}";
    }

    private static List<JsonNode> frames(final TestClient c, final String type) throws Exception {
        final List<JsonNode> out = new ArrayList<>();
        for (String m : c.messages()) {
            final JsonNode n = JSON.readTree(m);
            if (type.equals(n.path("type").asText())) {
                out.add(n);
            }
        }
        return out;
    }

    private static List<String> messageIds(final TestClient c) throws Exception {
        return frames(c, "event").stream().map(e -> e.at("/event/messageId").asText()).toList();
    }

    private static List<String> ids(final String prefix, final int from, final int to) {
        final List<String> out = new ArrayList<>();
        for (int i = from; i < to; i++) {
            out.add(prefix + i);
        }
        return out;
    }

    private static JsonNode awaitReply(final TestClient c) {
        await().atMost(Duration.ofSeconds(20)).until(() -> !c.messages().isEmpty());
        try {
            return JSON.readTree(c.messages().getFirst());
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    @Test
    void givenShortGap_whenResuming_thenMissedEventsComeFromTheBufferThenLiveWithoutGapOrDuplicate() throws Exception {
        // Given a team with 10 events, the client having seen the first 5
        final String team = "resume-short";
        final List<RecordMetadata> first = appendAll(team, "s", 0, 10);
        await().atMost(Duration.ofSeconds(10)).until(() -> server.getApplicationContext().getBean(EdgeStats.class)
                .snapshot().recordsConsumed() > 0 && logNext(first.getLast().partition()) > first.getLast().offset());
        final RecordMetadata seen = first.get(4);
        // When it resumes from the fifth, then 5 more are appended
        final TestClient c = connect();
        c.send(since(team, seen.partition(), seen.offset()));
        final JsonNode reply = awaitReply(c);
        await().atMost(Duration.ofSeconds(10)).until(() -> frames(c, "event").size() == 5);
        appendAll(team, "s", 10, 15);
        // Then exactly s5..s14, in order, after a "buffer" reply
        await().atMost(Duration.ofSeconds(10)).until(() -> frames(c, "event").size() >= 10);
        assertThat(reply.get("type").asText()).isEqualTo("subscribed");
        assertThat(reply.get("recovered").asText()).isEqualTo("buffer");
        assertThat(reply.get("recoveredEvents").asInt()).isEqualTo(5);
        assertThat(reply.at("/resumedFrom/offset").asLong()).isEqualTo(seen.offset());
        assertThat(reply.at("/resumedFrom/partition").asInt()).isEqualTo(seen.partition());
        assertThat(messageIds(c)).containsExactlyElementsOf(ids("s", 5, 15));
        c.close();
    }

    @Test
    void givenGapPastTheBuffer_whenResuming_thenMissedEventsComeFromTheLogThenLive() throws Exception {
        // Given 80 events of a team (the buffer holds 20 per partition), the client having seen 10
        final String team = "resume-long";
        final List<RecordMetadata> first = appendAll(team, "l", 0, 80);
        final RecordMetadata seen = first.get(9);
        await().atMost(Duration.ofSeconds(10)).until(() -> logNext(seen.partition()) > first.getLast().offset());
        // When it resumes from the tenth, then 10 more are appended
        final TestClient c = connect();
        c.send(since(team, seen.partition(), seen.offset()));
        final JsonNode reply = awaitReply(c);
        await().atMost(Duration.ofSeconds(10)).until(() -> frames(c, "event").size() == 70);
        appendAll(team, "l", 80, 90);
        // Then exactly l10..l89 after a "log" reply
        await().atMost(Duration.ofSeconds(10)).until(() -> frames(c, "event").size() >= 80);
        assertThat(reply.get("recovered").asText()).isEqualTo("log");
        assertThat(reply.get("recoveredEvents").asInt()).isEqualTo(70);
        assertThat(messageIds(c)).containsExactlyElementsOf(ids("l", 10, 90));
        c.close();
    }

    @Test
    void givenAppendsDuringTheCatchUp_whenResumingFromTheLog_thenEveryEventArrivesExactlyOnceInOrder() throws Exception {
        // Given 100 events of a team, and 200 more being appended while the client resumes from the 1st
        final String team = "resume-race";
        final List<RecordMetadata> first = appendAll(team, "r", 0, 100);
        final RecordMetadata seen = first.getFirst();
        final CompletableFuture<List<RecordMetadata>> more = CompletableFuture.supplyAsync(() -> {
            try {
                return appendAll(team, "r", 100, 300);
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        });
        // When it resumes while the appends run
        final TestClient c = connect();
        c.send(since(team, seen.partition(), seen.offset()));
        more.get();
        // Then r1..r299 exactly once, in order, offsets increasing
        await().atMost(Duration.ofSeconds(20)).until(() -> frames(c, "event").size() >= 299);
        final JsonNode reply = awaitReply(c);
        assertThat(reply.get("type").asText()).isEqualTo("subscribed");
        assertThat(reply.get("recovered").asText()).isEqualTo("log");
        assertThat(messageIds(c)).containsExactlyElementsOf(ids("r", 1, 300));
        long last = seen.offset();
        for (JsonNode e : frames(c, "event")) {
            assertThat(e.at("/position/offset").asLong()).isGreaterThan(last);
            last = e.at("/position/offset").asLong();
        }
        c.close();
    }

    @Test
    void givenPlainSubscribe_whenItsReplyPositionIsUsedLater_thenExactlyTheEventsAfterItArrive() throws Exception {
        // Given a client that subscribed without a position and went away
        final String team = "resume-plain";
        appendAll(team, "p", 0, 3);
        final TestClient a = connect();
        a.send("{\"op\":\"subscribe\",\"teamId\":\"" + team + "\"}");
        final JsonNode first = awaitReply(a);
        a.abort();
        // When 4 events are appended and a new connection resumes from the reply's position
        appendAll(team, "p", 3, 7);
        final TestClient b = connect();
        b.send(since(team, first.at("/position/partition").asInt(), first.at("/position/offset").asLong()));
        // Then it gets exactly those 4
        await().atMost(Duration.ofSeconds(10)).until(() -> frames(b, "event").size() >= 4);
        assertThat(first.get("recovered").asText()).isEqualTo("none");
        assertThat(first.at("/position/epoch").asText()).isEqualTo(epoch);
        assertThat(messageIds(b)).containsExactlyElementsOf(ids("p", 3, 7));
        b.close();
    }

    @Test
    void givenUnresumablePositions_whenResuming_thenResyncWithStableCodesAndNoSubscription() throws Exception {
        final String team = "resume-bad";
        final List<RecordMetadata> ms = appendAll(team, "b", 0, 5);
        final int partition = ms.getFirst().partition();
        final long end = ms.getLast().offset() + 1;
        assertThat(resyncCode("{\"op\":\"subscribe\",\"teamId\":\"" + team + "\",\"since\":{\"epoch\":\"other.x\","
                + "\"partition\":" + partition + ",\"offset\":1}}")).isEqualTo("EPOCH_MISMATCH");
        assertThat(resyncCode(since(team, (partition + 1) % 12, 1))).isEqualTo("WRONG_PARTITION");
        assertThat(resyncCode(since(team, partition, end + 1000))).isEqualTo("OFFSET_BEYOND_END");
        // More than max-events (300) missed events: resync instead of an unbounded replay
        appendAll(team, "b", 5, 320);
        assertThat(resyncCode(since(team, partition, -1))).isEqualTo("TOO_FAR_BEHIND");
        final EdgeStats.Snapshot s = server.getApplicationContext().getBean(EdgeStats.class).snapshot();
        assertThat(s.resyncs()).isGreaterThanOrEqualTo(4);
    }

    private static String resyncCode(final String subscribe) throws Exception {
        final TestClient c = connect();
        c.send(subscribe);
        final JsonNode reply = awaitReply(c);
        // Nothing follows a resync: the connection is not subscribed.
        append(reply.path("teamId").asText("resume-bad"), "after-resync-" + System.nanoTime());
        Thread.sleep(300); // a negative check: give a wrongly registered subscription time to deliver
        assertThat(c.messages()).hasSize(1);
        c.close();
        assertThat(reply.get("type").asText()).as(reply.toString()).isEqualTo("resync");
        return reply.get("code").asText();
    }

    /** The edge's next offset to route in {@code partition}. */
    private static long logNext(final int partition) {
        return server.getApplicationContext().getBean(ResumeService.class).resumer().tailNext(partition);
    }
}
