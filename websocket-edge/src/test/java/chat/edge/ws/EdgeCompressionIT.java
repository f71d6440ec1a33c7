package chat.edge.ws;

import chat.edge.RawWebSocket;
import chat.edge.TestAuth;
import chat.edge.TestEvents;
import chat.edge.delivery.Connection;
import chat.edge.delivery.SubscriptionRegistry;
import chat.edge.protocol.EventFrames;
import chat.edge.protocol.Frame;
import io.micronaut.context.ApplicationContext;
import io.micronaut.runtime.server.EmbeddedServer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * permessage-deflate on a real Micronaut server, seen on the wire: negotiated per connection,
 * frames at or above the threshold compressed (RSV1 set) and each decompressible alone
 * ({@code server_no_context_takeover}), small frames and clients that offer nothing plain.
 */
class EdgeCompressionIT {
    private static EmbeddedServer server;
    private static SubscriptionRegistry registry;

    @BeforeAll
    static void start() {
        server = ApplicationContext.run(EmbeddedServer.class, TestAuth.with(
                "micronaut.server.port", -1,
                "chat.edge.consumer-enabled", false,
                "chat.edge.compression.threshold-bytes", 1024,
                "chat.kafka.bootstrap-servers", "unused:9092"));
        registry = server.getApplicationContext().getBean(SubscriptionRegistry.class);
    }

    @AfterAll
    static void stop() {
        if (server != null) {
            server.getApplicationContext().close();
        }
    }

    private static RawWebSocket connect(final String user, final String extensions) throws Exception {
        final RawWebSocket ws = RawWebSocket.connect("127.0.0.1", server.getPort(),
                "/ws?access_token=" + TestAuth.token(user), extensions);
        assertThat(ws.status()).isEqualTo(101);
        return ws;
    }

    private static void subscribe(final RawWebSocket ws, final String team) throws Exception {
        ws.sendText("{\"op\":\"subscribe\",\"teamId\":\"" + team + "\"}");
        final RawWebSocket.Frame reply = ws.read();
        assertThat(reply.rsv1()).as("a small frame is sent plain").isFalse();
        assertThat(reply.text()).isEqualTo("{\"type\":\"subscribed\",\"teamId\":\"" + team + "\"}");
        await().atMost(Duration.ofSeconds(5)).until(() -> !registry.subscribers(team).isEmpty());
    }

    private static void publish(final String team, final long offset, final String text) {
        final Frame f = EventFrames.render("dev.test", 0, offset, 1L, TestEvents.posted(team, "m" + offset, text));
        for (Connection c : registry.subscribers(team)) {
            c.offer(f);
        }
    }

    @Test
    void givenAClientOfferingDeflate_thenLargeFramesArriveCompressed_eachOnItsOwn_andSmallOnesPlain() throws Exception {
        try (RawWebSocket ws = connect("zip", "permessage-deflate; client_max_window_bits")) {
            assertThat(ws.header("sec-websocket-extensions"))
                    .startsWith("permessage-deflate").contains("server_no_context_takeover");
            subscribe(ws, "cz-1");
            final String big = "lorem ipsum dolor sit amet ".repeat(200); // 5,400 chars
            publish("cz-1", 1, big);
            publish("cz-1", 2, big + "again");
            publish("cz-1", 3, "short");
            final RawWebSocket.Frame first = ws.read();
            final RawWebSocket.Frame second = ws.read();
            final RawWebSocket.Frame third = ws.read();
            assertThat(first.rsv1()).isTrue();
            assertThat(first.payload().length).isLessThan(1000);
            assertThat(first.text()).contains("\"offset\":1").contains(big);
            // decompressed with a fresh inflater: no context carried over from the first message
            assertThat(second.rsv1()).isTrue();
            assertThat(second.text()).contains("\"offset\":2").contains(big + "again");
            assertThat(third.rsv1()).as("below the threshold").isFalse();
            assertThat(third.text()).contains("\"offset\":3").contains("\"text\":\"short\"");
        }
    }

    @Test
    void givenAClientOfferingNothing_thenEveryFrameIsPlain() throws Exception {
        try (RawWebSocket ws = connect("plain", null)) {
            assertThat(ws.header("sec-websocket-extensions")).isNull();
            subscribe(ws, "cz-2");
            final String big = "lorem ipsum dolor sit amet ".repeat(200);
            publish("cz-2", 1, big);
            final RawWebSocket.Frame f = ws.read();
            assertThat(f.rsv1()).isFalse();
            assertThat(f.payload().length).isGreaterThan(5400);
            assertThat(f.text()).contains(big);
        }
    }

    @Test
    void givenAClientAskingForASmallerServerWindow_thenNothingIsCompressed() throws Exception {
        try (RawWebSocket ws = connect("window", "permessage-deflate; server_max_window_bits=10")) {
            assertThat(ws.header("sec-websocket-extensions")).isNull();
            subscribe(ws, "cz-3");
            publish("cz-3", 1, "x".repeat(3000));
            assertThat(ws.read().rsv1()).isFalse();
        }
    }

    @Test
    void givenCompressionDisabled_thenAnOfferIsDeclined_andFramesArePlain() throws Exception {
        try (EmbeddedServer off = ApplicationContext.run(EmbeddedServer.class, TestAuth.with(
                "micronaut.server.port", -1,
                "chat.edge.consumer-enabled", false,
                "chat.edge.compression.enabled", false,
                "chat.kafka.bootstrap-servers", "unused:9092"));
             RawWebSocket ws = RawWebSocket.connect("127.0.0.1", off.getPort(), "/ws?access_token=" + TestAuth.token("off"),
                     "permessage-deflate; client_max_window_bits")) {
            assertThat(ws.status()).isEqualTo(101);
            assertThat(ws.header("sec-websocket-extensions")).isNull();
            ws.sendText("{\"op\":\"ping\",\"id\":\"p1\"}");
            final RawWebSocket.Frame pong = ws.read();
            assertThat(pong.rsv1()).isFalse();
            assertThat(pong.text()).isEqualTo("{\"type\":\"pong\",\"id\":\"p1\"}");
        }
    }
}
