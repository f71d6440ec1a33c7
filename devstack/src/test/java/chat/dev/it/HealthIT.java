package chat.dev.it;

import chat.dev.DevStack;
import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.net.http.HttpRequest;
import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** {@code /health} reports every dependency of the stack: Kafka, each shard, Redis, projector, edge, and ingest's post views. */
class HealthIT {

    @Test
    void givenRunningStack_whenHealthRequested_thenEveryPartIsUp() {
        final DevStack stack = TestStack.get();
        final Api api = new Api(stack.httpUrl());
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
            final Api.Reply reply = api.send(HttpRequest.newBuilder(URI.create(api.url("/health"))).GET().build());
            assertThat(reply.status()).as(reply.body().toString()).isEqualTo(200);
            final JsonNode details = reply.body().get("details");
            assertThat(reply.body().get("status").asText()).isEqualTo("UP");
            for (String part : new String[]{"kafka", "shards", "redis", "projector", "edge", "postViews"}) {
                assertThat(details.path(part).path("status").asText()).as(part + " in " + details).isEqualTo("UP");
            }
            assertThat(details.path("shards").path("details").size()).isEqualTo(stack.shardMap().shards());
            assertThat(details.path("postViews").path("details").path("feed").asText()).as(details.toString()).isEqualTo("live");
        });
    }
}
