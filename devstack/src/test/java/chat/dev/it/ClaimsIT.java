package chat.dev.it;

import chat.dev.DevStack;
import chat.events.EventEnvelope;
import chat.events.MessagePosted;
import chat.events.TeamCreated;
import chat.schemas.EventCodec;
import chat.schemas.Topics;
import io.micronaut.context.ApplicationContext;
import io.micronaut.runtime.server.EmbeddedServer;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Two ingest instances racing on the same id: exactly one team is created per id, and a post
 * retried concurrently with one clientMessageId is appended once.
 */
class ClaimsIT {

    @Test
    void givenTwoInstancesCreatingTheSameTeamAtOnce_thenExactlyOneWins_andConcurrentRetriesAppendOnce() throws Exception {
        final DevStack stack = TestStack.get();
        final Map<String, Object> props = TestStack.ingestOnly(stack);
        props.putAll(stack.authProperties());
        try (ApplicationContext ctx = ApplicationContext.builder().properties(props).deduceEnvironment(false).start()) {
            final EmbeddedServer second = ctx.getBean(EmbeddedServer.class).start();
            final Api a = new Api(stack.httpUrl());
            final Api b = new Api("http://127.0.0.1:" + second.getPort());
            final int rounds = 8;
            for (int i = 0; i < rounds; i++) {
                final String body = "{\"teamId\":\"race-" + i + "\"}";
                final CompletableFuture<Api.Reply> fa = CompletableFuture.supplyAsync(() -> a.write("POST", "/api/v1/teams", "alice", body));
                final CompletableFuture<Api.Reply> fb = CompletableFuture.supplyAsync(() -> b.write("POST", "/api/v1/teams", "bob", body));
                final List<Integer> statuses = List.of(fa.join().status(), fb.join().status());
                assertThat(statuses).as("round " + i + ": " + fa.join().body() + " / " + fb.join().body())
                        .containsExactlyInAnyOrder(201, 409);
            }
            assertThat(count(stack, "race-", TeamCreated.class)).isEqualTo(rounds);

            // A post retried 6 times at once (same clientMessageId) on both instances is one message.
            // set up through one instance and wait until projected: the other decides on the shard
            a.post("race-0b", "general", "{\"text\":\"setup\"}");
            org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(30))
                    .until(() -> !Shards.messages(stack, stack.shardJdbcUrls(), "race-0b").isEmpty());
            final String body = "{\"text\":\"exactly once\",\"clientMessageId\":\"retry-1\"}";
            final List<CompletableFuture<Api.Reply>> posts = new ArrayList<>();
            for (int i = 0; i < 6; i++) {
                final Api api = i % 2 == 0 ? a : b;
                posts.add(CompletableFuture.supplyAsync(() ->
                        api.write("POST", "/api/v1/teams/race-0b/channels/general/messages", Api.USER, body)));
            }
            final List<Api.Reply> replies = posts.stream().map(CompletableFuture::join).toList();
            assertThat(replies).extracting(Api.Reply::status).as(replies.toString()).containsOnly(201, 200);
            assertThat(replies).filteredOn(r -> r.status() == 201).hasSize(1);
            assertThat(replies).extracting(r -> r.body().get("messageId").asText()).containsOnly(
                    replies.get(0).body().get("messageId").asText());
            assertThat(count(stack, "race-0b", MessagePosted.class)).as("setup post + the retried one").isEqualTo(2);
        }
    }

    /** Events of a payload type in the whole log for teams starting with {@code prefix}. */
    private static long count(final DevStack stack, final String prefix, final Class<?> type) {
        try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(Map.of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, stack.bootstrapServers()),
                new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
            final List<TopicPartition> parts = new ArrayList<>();
            for (int p = 0; p < stack.options().partitions(); p++) {
                parts.add(new TopicPartition(Topics.EVENTS, p));
            }
            consumer.assign(parts);
            consumer.seekToBeginning(parts);
            final Map<TopicPartition, Long> end = consumer.endOffsets(parts);
            long n = 0;
            final long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
            while (parts.stream().anyMatch(tp -> consumer.position(tp) < end.get(tp)) && System.nanoTime() < deadline) {
                for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(200))) {
                    final EventEnvelope e;
                    try {
                        e = EventCodec.decode(r.value());
                    } catch (RuntimeException ignored) {
                        continue; // other tests' poison records
                    }
                    if (e.getTeamId().startsWith(prefix) && type.isInstance(e.getPayload())) {
                        n++;
                    }
                }
            }
            return n;
        }
    }
}
