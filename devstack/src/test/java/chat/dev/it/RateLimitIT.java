package chat.dev.it;

import chat.dev.DevStack;
import io.micronaut.context.ApplicationContext;
import io.micronaut.runtime.server.EmbeddedServer;
import org.junit.jupiter.api.Test;

import java.net.ServerSocket;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

import static org.assertj.core.api.Assertions.assertThat;

/** Write rate limits are atomic across concurrent requests, answer 429 with Retry-After, and never block writes when Redis is gone. */
class RateLimitIT {

    @Test
    void givenOneUserBurstingConcurrently_thenAcceptedWritesStayWithinTheBucketAndRejectedOnesAppendNothing() throws Exception {
        final DevStack stack = TestStack.get();
        final Api api = new Api(stack.httpUrl());
        api.provision("rl-team", "general");
        // Fire 150 posts at once into one team (the test stack limits a team to 20/s, burst 60).
        Thread.sleep(TestStack.TEAM_BURST * 1000L / TestStack.TEAM_PER_SECOND); // let provisioning's writes refill
        final long t0 = System.nanoTime();
        final List<CompletableFuture<Api.Reply>> replies = new ArrayList<>();
        for (int i = 0; i < 150; i++) {
            replies.add(api.postAsync("rl-team", "general", "{\"text\":\"burst " + i + "\"}"));
        }
        int accepted = 0;
        int limited = 0;
        for (CompletableFuture<Api.Reply> f : replies) {
            final Api.Reply r = f.join();
            if (r.status() == 201) {
                accepted++;
            } else {
                assertThat(r.status()).as(r.body().toString()).isEqualTo(429);
                assertThat(r.code()).isEqualTo("RATE_LIMITED");
                assertThat(Long.parseLong(r.raw().headers().firstValue("Retry-After").orElseThrow())).isBetween(1L, 5L);
                limited++;
            }
        }
        final double seconds = (System.nanoTime() - t0) / 1e9;
        assertThat(accepted).as("the burst passes").isGreaterThanOrEqualTo(TestStack.TEAM_BURST);
        assertThat((double) accepted).as("never more than burst + refill: the check-and-take is atomic")
                .isLessThanOrEqualTo(TestStack.TEAM_BURST + TestStack.TEAM_PER_SECOND * seconds + 1);
        assertThat(limited).as("some were limited").isPositive();
        assertThat(limited).isEqualTo(150 - accepted);
        // nothing of the rejected ones reached the log: the shard holds exactly the accepted posts
        final int acceptedPosts = accepted;
        org.awaitility.Awaitility.await().atMost(java.time.Duration.ofSeconds(30)).untilAsserted(() ->
                assertThat(Shards.messages(stack, stack.shardJdbcUrls(), "rl-team")).hasSize(acceptedPosts));
    }

    @Test
    void givenRedisUnreachable_whenWriting_thenWritesStillWork() throws Exception {
        final DevStack stack = TestStack.get();
        // Set up through the stack and wait until projected: the second instance decides on the shard.
        new Api(stack.httpUrl()).post("rl-noredis", "general", "{\"text\":\"setup\"}");
        org.awaitility.Awaitility.await().atMost(java.time.Duration.ofSeconds(30))
                .until(() -> !Shards.messages(stack, stack.shardJdbcUrls(), "rl-noredis").isEmpty());
        final int deadPort;
        try (ServerSocket s = new ServerSocket(0)) {
            deadPort = s.getLocalPort();
        }
        final Map<String, Object> props = TestStack.ingestOnly(stack);
        props.putAll(stack.authProperties());
        props.put("redis.uri", "redis://127.0.0.1:" + deadPort);
        try (ApplicationContext ctx = ApplicationContext.builder().properties(props).deduceEnvironment(false).start()) {
            final EmbeddedServer server = ctx.getBean(EmbeddedServer.class).start();
            final Api api = new Api("http://127.0.0.1:" + server.getPort());
            for (int i = 0; i < 3; i++) {
                final Api.Reply r = api.post("rl-noredis", "general", "{\"text\":\"no redis " + i + "\"}");
                assertThat(r.status()).as(r.body().toString()).isEqualTo(201);
            }
        }
    }
}
