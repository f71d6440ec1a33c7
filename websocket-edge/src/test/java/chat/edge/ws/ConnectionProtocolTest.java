package chat.edge.ws;

import chat.edge.CloseCodes;
import chat.edge.FakeOutbound;
import chat.edge.delivery.Connection;
import chat.edge.delivery.EdgeStats;
import chat.edge.delivery.QueueLimits;
import chat.edge.delivery.SubscriptionRegistry;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

class ConnectionProtocolTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private EdgeStats stats;
    private SubscriptionRegistry registry;
    private FakeOutbound out;
    private Connection connection;
    private ConnectionProtocol protocol;

    @BeforeEach
    void setUp() {
        stats = new EdgeStats();
        registry = new SubscriptionRegistry(stats, 2);
        out = FakeOutbound.fast();
        connection = new Connection("s1", out, new QueueLimits(100, 1 << 20), stats, registry::closed);
        registry.open(connection);
        protocol = new ConnectionProtocol(connection, registry, stats, 256, 3);
    }

    private JsonNode last() throws Exception {
        final List<String> texts = out.texts();
        return JSON.readTree(texts.get(texts.size() - 1));
    }

    @Test
    void shouldSubscribeAndUnsubscribe() throws Exception {
        protocol.onText("{\"op\":\"subscribe\",\"teamId\":\"t1\",\"id\":\"r1\"}");
        assertThat(out.texts()).containsExactly("{\"type\":\"subscribed\",\"teamId\":\"t1\",\"id\":\"r1\"}");
        assertThat(registry.subscribers("t1")).containsExactly(connection);

        protocol.onText("{\"op\":\"unsubscribe\",\"teamId\":\"t1\"}");
        assertThat(last().get("type").asText()).isEqualTo("unsubscribed");
        assertThat(registry.subscribers("t1")).isEmpty();
    }

    @Test
    void givenBadFrames_whenReceived_thenErrorWithStableCodeAndNothingChanges() throws Exception {
        protocol.onText("{\"op\":\"subscribe\",\"teamId\":\"t1\"}");
        final String[][] cases = {
                {"{oops", "MALFORMED_JSON"},
                {"{\"op\":\"dance\",\"teamId\":\"t1\"}", "UNKNOWN_OP"},
                {"{\"op\":\"unsubscribe\",\"teamId\":\"bad team\"}", "INVALID_TEAM_ID"},
        };
        for (String[] c : cases) {
            protocol.onText(c[0]);
            final JsonNode reply = last();
            assertThat(reply.get("type").asText()).isEqualTo("error");
            assertThat(reply.get("code").asText()).as(c[0]).isEqualTo(c[1]);
            assertThat(reply.get("message").asText()).isNotBlank();
        }
        assertThat(registry.subscribers("t1")).containsExactly(connection);
        assertThat(connection.teams()).containsExactly("t1");
        assertThat(out.isClosed()).isFalse();
        assertThat(stats.snapshot().protocolErrors()).isEqualTo(3);
    }

    @Test
    void givenLimitReached_whenSubscribingToAnotherTeam_thenTooManySubscriptions() throws Exception {
        protocol.onText("{\"op\":\"subscribe\",\"teamId\":\"t1\"}");
        protocol.onText("{\"op\":\"subscribe\",\"teamId\":\"t2\"}");
        protocol.onText("{\"op\":\"subscribe\",\"teamId\":\"t3\",\"id\":\"r3\"}");
        assertThat(last().get("code").asText()).isEqualTo("TOO_MANY_SUBSCRIPTIONS");
        assertThat(last().get("id").asText()).isEqualTo("r3");
        assertThat(connection.teams()).containsExactlyInAnyOrder("t1", "t2");
        // re-subscribing to a team it has is still fine
        protocol.onText("{\"op\":\"subscribe\",\"teamId\":\"t2\"}");
        assertThat(last().get("type").asText()).isEqualTo("subscribed");
    }

    @Test
    void givenRepeatedAbuse_whenErrorsExceedTheLimit_thenClosedWithProtocolError() throws Exception {
        for (int i = 0; i < 3; i++) {
            protocol.onText("nope");
        }
        assertThat(out.isClosed()).isFalse();
        protocol.onText("nope");
        assertThat(out.closeCode()).isEqualTo(CloseCodes.PROTOCOL_ERROR);
        assertThat(last().get("code").asText()).isEqualTo("MALFORMED_JSON");
        assertThat(connection.isTerminated()).isTrue();
        assertThat(registry.connectionCount()).isZero();
    }

    @Test
    void givenOversizedFrame_whenReceived_thenErrorAndClosedWithMessageTooBig() throws Exception {
        protocol.onText("{\"op\":\"subscribe\",\"teamId\":\"t1\"}");
        protocol.onText("{\"op\":\"subscribe\",\"teamId\":\"" + "é".repeat(200) + "\"}"); // 200 chars, 400+ bytes
        assertThat(last().get("code").asText()).isEqualTo("FRAME_TOO_LARGE");
        assertThat(out.closeCode()).isEqualTo(CloseCodes.MESSAGE_TOO_BIG);
        assertThat(registry.subscribers("t1")).isEmpty();
    }

    @Test
    void givenNoRedis_whenTypingOrPresence_thenPresenceUnavailableAndTheConnectionKeepsWorking() throws Exception {
        final ConnectionProtocol p = new ConnectionProtocol(connection, registry, stats, 256, 3, null,
                chat.edge.presence.Presence.unavailable(), 2_000_000_000L);
        p.onText("{\"op\":\"typing\",\"teamId\":\"t1\",\"channelId\":\"general\",\"id\":\"r0\"}");
        assertThat(last().get("code").asText()).as("typing before subscribing").isEqualTo("NOT_TEAM_MEMBER");
        p.onText("{\"op\":\"subscribe\",\"teamId\":\"t1\"}");
        p.onText("{\"op\":\"typing\",\"teamId\":\"t1\",\"channelId\":\"general\",\"id\":\"r1\"}");
        assertThat(last().get("code").asText()).isEqualTo("PRESENCE_UNAVAILABLE");
        assertThat(last().get("id").asText()).isEqualTo("r1");
        p.onText("{\"op\":\"presence\",\"state\":\"away\",\"id\":\"r2\"}");
        assertThat(last().get("code").asText()).isEqualTo("PRESENCE_UNAVAILABLE");
        p.onText("{\"op\":\"ping\",\"id\":\"h1\"}");
        assertThat(last().get("type").asText()).isEqualTo("pong");
        assertThat(registry.subscribers("t1")).containsExactly(connection);
        assertThat(stats.snapshot().protocolErrors()).isZero();
    }
}
