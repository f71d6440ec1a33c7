package chat.edge.ws;

import chat.edge.TestAuth;
import chat.edge.CloseCodes;
import chat.edge.TestClient;
import chat.edge.TestEvents;
import chat.edge.delivery.Connection;
import chat.edge.delivery.SubscriptionRegistry;
import chat.edge.protocol.EventFrames;
import chat.edge.protocol.Frame;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.micronaut.context.ApplicationContext;
import io.micronaut.runtime.server.EmbeddedServer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The socket layer through a real Micronaut server and real WebSocket clients, without Kafka
 * ({@code chat.edge.consumer-enabled=false}): events are handed to the registry's connections as
 * the consumer thread would.
 */
class EdgeWebSocketIT {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static EmbeddedServer server;
    private static SubscriptionRegistry registry;
    private static HttpClient http;
    private static URI ws;

    @BeforeAll
    static void start() {
        server = ApplicationContext.run(EmbeddedServer.class, TestAuth.with(
                "micronaut.server.port", -1,
                "chat.edge.consumer-enabled", false,
                "chat.edge.max-subscriptions", 3,
                "chat.edge.max-inbound-frame-bytes", 1024,
                "chat.edge.max-protocol-errors", 2,
                "chat.edge.limits.max-connections-per-user", 2,
                "chat.kafka.bootstrap-servers", "unused:9092"));
        registry = server.getApplicationContext().getBean(SubscriptionRegistry.class);
        http = HttpClient.newHttpClient();
        ws = URI.create("ws://127.0.0.1:" + server.getPort() + "/ws");
    }

    @AfterAll
    static void stop() {
        if (server != null) {
            server.getApplicationContext().close();
        }
    }

    private static void publish(final String team, final long offset, final String text) {
        final Frame f = EventFrames.render("dev.test", 0, offset, 1L, TestEvents.posted(team, "m" + offset, text));
        for (Connection c : registry.subscribers(team)) {
            c.offer(f);
        }
    }

    @Test
    void shouldDeliverOnlyTheSubscribedTeamsEventsInOrder() throws Exception {
        // Given
        final TestClient a = TestClient.connect(http, ws);
        final TestClient b = TestClient.connect(http, ws);
        a.send("{\"op\":\"subscribe\",\"teamId\":\"it-a\"}");
        b.send("{\"op\":\"subscribe\",\"teamId\":\"it-b\",\"id\":\"r1\"}");
        await().atMost(Duration.ofSeconds(5)).until(() -> a.messages().size() == 1 && b.messages().size() == 1);
        assertThat(a.messages().get(0)).isEqualTo("{\"type\":\"subscribed\",\"teamId\":\"it-a\"}");
        assertThat(b.messages().get(0)).isEqualTo("{\"type\":\"subscribed\",\"teamId\":\"it-b\",\"id\":\"r1\"}");
        // When
        for (long i = 0; i < 50; i++) {
            publish(i % 2 == 0 ? "it-a" : "it-b", i, "text \"" + i + "\"\n😀");
        }
        // Then
        await().atMost(Duration.ofSeconds(5)).until(() -> a.messages().size() == 26 && b.messages().size() == 26);
        long last = -1;
        for (String m : a.messages().subList(1, 26)) {
            final JsonNode n = JSON.readTree(m);
            assertThat(n.at("/event/teamId").asText()).isEqualTo("it-a");
            assertThat(n.at("/position/offset").asLong()).isGreaterThan(last);
            assertThat(n.at("/event/text").asText()).isEqualTo("text \"" + n.at("/position/offset").asLong() + "\"\n😀");
            last = n.at("/position/offset").asLong();
        }
        assertThat(b.messages().subList(1, 26)).allSatisfy(m -> assertThat(JSON.readTree(m).at("/event/teamId").asText())
                .isEqualTo("it-b"));

        // unsubscribe stops delivery
        a.send("{\"op\":\"unsubscribe\",\"teamId\":\"it-a\"}");
        await().atMost(Duration.ofSeconds(5)).until(() -> a.messages().size() == 27);
        assertThat(JSON.readTree(a.messages().get(26)).get("type").asText()).isEqualTo("unsubscribed");
        assertThat(registry.subscribers("it-a")).isEmpty();
        a.close();
        b.close();
        await().atMost(Duration.ofSeconds(5)).until(() -> registry.subscribers("it-b").isEmpty());
    }

    @Test
    void givenBadInput_whenSent_thenErrorsThenTerminalClose() throws Exception {
        final TestClient c = TestClient.connect(http, ws);
        c.send("{\"op\":\"subscribe\",\"teamId\":\"it-c\"}");
        c.send("{\"op\":\"jump\"}");
        c.send("{\"op\":\"subscribe\",\"teamId\":\"no such team!\"}");
        await().atMost(Duration.ofSeconds(5)).until(() -> c.messages().size() == 3);
        assertThat(JSON.readTree(c.messages().get(1)).get("code").asText()).isEqualTo("UNKNOWN_OP");
        assertThat(JSON.readTree(c.messages().get(2)).get("code").asText()).isEqualTo("INVALID_TEAM_ID");
        assertThat(registry.subscribers("it-c")).hasSize(1);
        c.send("[]");
        assertThat(c.closed().get(5, TimeUnit.SECONDS)).isEqualTo(CloseCodes.PROTOCOL_ERROR);
        await().atMost(Duration.ofSeconds(5)).until(() -> registry.subscribers("it-c").isEmpty());
    }

    @Test
    void givenOversizedFrame_whenSent_thenClosedWithMessageTooBig() throws Exception {
        final TestClient c = TestClient.connect(http, ws);
        c.send("{\"op\":\"subscribe\",\"teamId\":\"" + "x".repeat(2000) + "\"}");
        assertThat(c.closed().get(5, TimeUnit.SECONDS)).isEqualTo(CloseCodes.MESSAGE_TOO_BIG);
        assertThat(c.messages()).hasSize(1);
        assertThat(JSON.readTree(c.messages().get(0)).get("code").asText()).isEqualTo("FRAME_TOO_LARGE");
    }

    @Test
    void shouldExposeStats() throws Exception {
        final HttpResponse<String> r = http.send(HttpRequest.newBuilder(
                URI.create("http://127.0.0.1:" + server.getPort() + "/api/v1/edge/stats")).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).isEqualTo(200);
        final JsonNode n = JSON.readTree(r.body());
        assertThat(n.has("connections")).isTrue();
        assertThat(n.has("queueOverflows")).isTrue();
        assertThat(n.has("undecodableRecords")).isTrue();
    }

    @Test
    void givenNoUserOnTheUpgrade_thenClosedWithUnauthorized() throws Exception {
        final TestClient c = TestClient.connectRaw(http, ws);
        assertThat(c.closed().get(5, TimeUnit.SECONDS)).isEqualTo(CloseCodes.UNAUTHORIZED);
        final TestClient invalid = TestClient.connectRaw(http, URI.create(ws + "?access_token="
                + new chat.common.auth.DevTokens(chat.common.auth.DevTokens.randomSecret()).mint("tester", Duration.ofMinutes(5))));
        assertThat(invalid.closed().get(5, TimeUnit.SECONDS)).as("forged token").isEqualTo(CloseCodes.UNAUTHORIZED);
        final TestClient notAnId = TestClient.connectRaw(http, URI.create(ws + "?access_token=" + TestAuth.token("not valid")));
        assertThat(notAnId.closed().get(5, TimeUnit.SECONDS)).as("subject not an id").isEqualTo(CloseCodes.UNAUTHORIZED);
        assertThat(CloseCodes.isReconnect(CloseCodes.UNAUTHORIZED)).isFalse();
    }

    @Test
    void givenAConnectionWhoseTokenExpires_thenItIsClosedWithUnauthorizedAtExpiry() throws Exception {
        final TestClient c = TestClient.connectRaw(http, URI.create(ws + "?access_token=" + TestAuth.token("expiring", Duration.ofSeconds(3))));
        c.send("{\"op\":\"ping\",\"id\":\"p1\"}");
        await().atMost(Duration.ofSeconds(2)).until(() -> !c.messages().isEmpty());
        assertThat(c.closed()).as("open while the token is valid").isNotDone();
        assertThat(c.closed().get(10, TimeUnit.SECONDS)).isEqualTo(CloseCodes.UNAUTHORIZED);
    }

    @Test
    void givenUserAtTheConnectionLimit_whenAnotherConnects_thenItIsClosedWithTooManyConnections_untilOneCloses()
            throws Exception {
        final URI limited = URI.create(ws + "?access_token=" + TestAuth.token("limited"));
        final TestClient a = TestClient.connectRaw(http, limited);
        final TestClient b = TestClient.connectRaw(http, limited);
        final TestClient c = TestClient.connectRaw(http, limited);
        assertThat(c.closed().get(5, TimeUnit.SECONDS)).isEqualTo(CloseCodes.TOO_MANY_CONNECTIONS);
        assertThat(a.closed()).isNotDone();
        a.close();
        await().atMost(Duration.ofSeconds(5)).untilAsserted(() -> {
            final TestClient d = TestClient.connectRaw(http, limited);
            d.send("{\"op\":\"ping\",\"id\":\"p1\"}");
            await().atMost(Duration.ofSeconds(2)).until(() -> !d.messages().isEmpty());
            assertThat(JSON.readTree(d.messages().get(0)).get("type").asText()).isEqualTo("pong");
            d.close();
        });
        b.close();
    }

    @Test
    void shouldExposePrometheusText() throws Exception {
        final HttpResponse<String> r = http.send(HttpRequest.newBuilder(
                URI.create("http://127.0.0.1:" + server.getPort() + "/prometheus")).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(r.headers().firstValue("content-type").orElse("")).startsWith("text/plain");
        assertThat(r.body()).contains("# TYPE chat_edge_connections gauge", "chat_edge_frames_sent_total ",
                "chat_edge_delivery_latency_ms_bucket{le=\"+Inf\"} ", "chat_edge_resumes_total{kind=\"log\"} ",
                "chat_edge_queue_overflows_total ", "chat_edge_presence_suppressed_total 0");
    }
}
