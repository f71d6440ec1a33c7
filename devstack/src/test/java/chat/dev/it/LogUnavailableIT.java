package chat.dev.it;

import io.micronaut.context.ApplicationContext;
import io.micronaut.runtime.server.EmbeddedServer;
import org.junit.jupiter.api.Test;

import java.net.ServerSocket;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** With the log unreachable, a write is answered 503 with Retry-After, never 2xx. */
class LogUnavailableIT {

    @Test
    void givenKafkaUnreachable_whenPosting_then503WithRetryAfter() throws Exception {
        final int deadPort;
        try (ServerSocket s = new ServerSocket(0)) {
            deadPort = s.getLocalPort(); // closed again: nothing listens there
        }
        // The team and channel exist (in the shards of the running stack); only Kafka is unreachable.
        final chat.dev.DevStack stack = TestStack.get();
        // Post once through the stack and wait until it is projected: the other instance reads the shard.
        new Api(stack.httpUrl()).post("t1", "general", "{\"text\":\"before\"}");
        org.awaitility.Awaitility.await().atMost(java.time.Duration.ofSeconds(30))
                .until(() -> !Shards.messages(stack, stack.shardJdbcUrls(), "t1").isEmpty());
        try (ApplicationContext ctx = ApplicationContext.builder().properties(Map.of(
                        "micronaut.server.port", 0,
                        "micronaut.server.host", "127.0.0.1",
                        "chat.kafka.bootstrap-servers", "127.0.0.1:" + deadPort,
                        "chat.shards.jdbc-urls", String.join(",", stack.shardJdbcUrls()),
                        "chat.shards.user", stack.postgres().user(),
                        "chat.projector.enabled", false,
                        "chat.edge.enabled", false,
                        "chat.ingest.max-block-ms", 1000,
                        "chat.ingest.delivery-timeout-ms", 3000,
                        chat.common.auth.DevTokens.SECRET_PROPERTY, stack.authProperties().get(chat.common.auth.DevTokens.SECRET_PROPERTY)))
                .deduceEnvironment(false).start()) {
            final EmbeddedServer server = ctx.getBean(EmbeddedServer.class).start();
            final Api api = new Api("http://127.0.0.1:" + server.getPort());
            final long t0 = System.nanoTime();
            final Api.Reply reply = api.post("t1", "general", "{\"text\":\"hello\"}");
            final long ms = (System.nanoTime() - t0) / 1_000_000;
            assertThat(reply.status()).as(reply.body().toString()).isEqualTo(503);
            assertThat(reply.code()).isEqualTo("LOG_UNAVAILABLE");
            assertThat(reply.raw().headers().firstValue("Retry-After")).isPresent();
            assertThat(ms).as("answered within the configured bound").isLessThan(15_000);
        }
    }
}
