package chat.dev.it.edge;

import chat.dev.DevStack;
import chat.dev.it.TestStack;
import com.fasterxml.jackson.databind.JsonNode;
import io.micronaut.runtime.server.EmbeddedServer;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** Two edges at once: both deliver the same events; a client resumes on the other edge without gap or duplicate. */
class MultiEdgeResumeIT {

    @Test
    void givenClientOnEdgeA_whenItDropsAndResumesOnEdgeB_thenItSeesEveryEventOnceAndBothEdgesAgree() throws Exception {
        // Given two edges, a watcher on B, and a client on A that has seen the first 20 of a team's messages
        final DevStack stack = TestStack.get();
        final EmbeddedServer b = stack.startEdge(0, EdgeProps.access(stack));
        final String urlA = stack.wsUrl();
        final String urlB = "ws://127.0.0.1:" + b.getPort() + "/ws";
        assertThat(stack.edgeWsUrls()).contains(urlA, urlB);
        final String team = "multiedge-1";
        final Posts posts = new Posts(stack.httpUrl()).provision(team, "general");
        try (EdgeClient watcher = EdgeClient.connect(urlB).subscribeAndWait(team)) {
            final EdgeClient client = EdgeClient.connect(List.of(urlA, urlB), 0, true).subscribeAndWait(team);
            postAll(posts, team, 0, 20);
            await().atMost(Duration.ofSeconds(20)).until(() -> client.messages().size() == 20);

            // When it drops (no close handshake), 30 more are posted, and it resumes on B
            client.dropAndReconnect();
            postAll(posts, team, 20, 50);
            await().atMost(Duration.ofSeconds(20)).until(() -> client.messages().size() >= 50);
            postAll(posts, team, 50, 60);

            // Then exactly m0..m59 once each, like the watcher that never left
            await().atMost(Duration.ofSeconds(20)).until(() -> client.messages().size() >= 60
                    && watcher.messages().size() >= 60);
            assertThat(texts(client)).containsExactlyElementsOf(expected(60));
            assertThat(texts(watcher)).containsExactlyElementsOf(expected(60));
            final JsonNode resumed = client.ofType("subscribed").getLast();
            assertThat(resumed.get("recovered").asText()).isIn("buffer", "log");
            assertThat(resumed.get("recoveredEvents").asInt()).isBetween(0, 30);
            assertThat(resumed.at("/resumedFrom/offset").asLong())
                    .isEqualTo(client.messages().get(19).at("/position/offset").asLong());
            client.close();
        } finally {
            stack.stopEdge(b);
        }
    }

    static void postAll(final Posts posts, final String team, final int from, final int to) {
        for (int i = from; i < to; i++) {
            assertThat(posts.post(team, "general", "m" + i).join().status()).isEqualTo(201);
        }
    }

    static List<String> texts(final EdgeClient c) {
        return c.messages().stream().map(e -> e.at("/event/text").asText()).toList();
    }

    static List<String> expected(final int n) {
        final List<String> out = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            out.add("m" + i);
        }
        return out;
    }
}
