package chat.dev.it;

import chat.dev.DevStack;
import chat.schemas.Topics;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** An undecodable record goes to chat.events.dlq with its reason and the partition keeps moving. */
class PoisonEventIT {

    @Test
    void givenGarbageInTheLog_whenProjected_thenDeadLetteredAndLaterEventsOfThePartitionStillApplied() throws Exception {
        final DevStack stack = TestStack.get();
        final String team = "poison-team";
        final RecordMetadata poison;
        try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(Map.of(
                ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, stack.bootstrapServers(),
                ProducerConfig.ACKS_CONFIG, "all"), new ByteArraySerializer(), new ByteArraySerializer())) {
            poison = producer.send(new ProducerRecord<>(Topics.EVENTS, team.getBytes(StandardCharsets.UTF_8),
                    "this is not avro".getBytes(StandardCharsets.UTF_8))).get();
        }
        // A good event of the same team lands after the poison, in the same partition.
        final Api.Reply reply = new Api(stack.httpUrl()).post(team, "general", "{\"text\":\"after the poison\"}");
        assertThat(reply.status()).isEqualTo(201);
        final int partition = reply.body().get("position").get("partition").asInt();
        final long offset = reply.body().get("position").get("offset").asLong();
        assertThat(partition).isEqualTo(poison.partition());
        assertThat(offset).isGreaterThan(poison.offset());

        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
            assertThat(Shards.messages(stack, stack.shardJdbcUrls(), team)).extracting(Shards.Row::text)
                    .containsExactly("after the poison");
            assertThat(Shards.checkpoints(stack, stack.shardJdbcUrls()).get(partition)).isGreaterThan(offset);
        });

        final List<ConsumerRecord<byte[], byte[]>> dead = new ArrayList<>();
        try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(Map.of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, stack.bootstrapServers(),
                ConsumerConfig.GROUP_ID_CONFIG, "poison-it",
                ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest"), new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
            consumer.subscribe(List.of(Topics.DLQ));
            await().atMost(Duration.ofSeconds(30)).until(() -> {
                consumer.poll(Duration.ofMillis(200)).forEach(dead::add);
                // every component that cannot read it dead-letters it (the search-indexer too): look for the projector's
                return dead.stream().anyMatch(r -> header(r, Topics.DLQ_OFFSET).equals(Long.toString(poison.offset()))
                        && header(r, Topics.DLQ_PARTITION).equals(Integer.toString(poison.partition()))
                        && "projector".equals(header(r, Topics.DLQ_COMPONENT)));
            });
        }
        final ConsumerRecord<byte[], byte[]> letter = dead.stream()
                .filter(r -> header(r, Topics.DLQ_OFFSET).equals(Long.toString(poison.offset()))
                        && "projector".equals(header(r, Topics.DLQ_COMPONENT))).findFirst().orElseThrow();
        assertThat(new String(letter.value(), StandardCharsets.UTF_8)).isEqualTo("this is not avro");
        assertThat(new String(letter.key(), StandardCharsets.UTF_8)).isEqualTo(team);
        assertThat(header(letter, Topics.DLQ_REASON)).isNotBlank();
        assertThat(header(letter, Topics.DLQ_COMPONENT)).isEqualTo("projector");
    }

    private static String header(final ConsumerRecord<byte[], byte[]> r, final String name) {
        final Header h = r.headers().lastHeader(name);
        return h == null ? "" : new String(h.value(), StandardCharsets.UTF_8);
    }
}
