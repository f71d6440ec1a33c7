package chat.analytics.activity;

import chat.dev.embedded.EmbeddedKafka;
import chat.events.EventEnvelope;
import chat.events.MessageDeleted;
import chat.events.MessagePosted;
import chat.schemas.EventCodec;
import chat.schemas.Topics;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.Config;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.KafkaStreams;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The job as {@link ChannelActivityMain} configures it (exactly-once v2, output topic created
 * compacted with infinite retention) against a real, in-process broker.
 */
class ChannelActivityIT {
    private static final Instant H10 = Instant.parse("2026-11-21T10:00:00Z");
    private static EmbeddedKafka kafka;
    private static Path dir;

    @BeforeAll
    static void start() throws Exception {
        dir = Files.createTempDirectory("activity-it");
        kafka = new EmbeddedKafka(dir.resolve("kafka"), 0);
        kafka.start();
        kafka.createTopicIfAbsent(Topics.EVENTS, 3, Map.of("retention.ms", "-1"));
    }

    @AfterAll
    static void stop() {
        if (kafka != null) {
            kafka.close();
        }
    }

    @Test
    void givenPostsAndADelete_whenTheHourClosesOnTheBroker_thenOneCommittedRecordPerChannel_onACompactedInfiniteTopic()
            throws Exception {
        final ChannelActivityMain main = CommandLine.populateCommand(new ChannelActivityMain(),
                "--bootstrap-servers", kafka.bootstrapServers(), "--grace", "PT1M", "--application-id", "activity-it",
                "--state-dir", dir.resolve("streams").toString(), "--output-partitions", "2");
        main.createOutputTopic(ActivityTopics.CHANNEL_ACTIVITY);
        main.createOutputTopic(ActivityTopics.CHANNEL_ACTIVITY); // idempotent: exists is fine
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers()))) {
            final ConfigResource topic = new ConfigResource(ConfigResource.Type.TOPIC, ActivityTopics.CHANNEL_ACTIVITY);
            final Config config = admin.describeConfigs(List.of(topic)).all().get().get(topic);
            assertThat(config.get("cleanup.policy").value()).isEqualTo("compact");
            assertThat(config.get("retention.ms").value()).isEqualTo("-1");
        }
        final DecodeFailures failures = new DecodeFailures();
        try (KafkaStreams streams = new KafkaStreams(ChannelActivityTopology.build(ActivityTopics.defaults(),
                new ActivitySettings(Duration.ofMinutes(1), true), failures), main.streamsConfig())) {
            streams.start();
            try (KafkaProducer<String, byte[]> producer = new KafkaProducer<>(Map.<String, Object>of(
                    ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers(),
                    ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true), new StringSerializer(), new ByteArraySerializer())) {
                post(producer, "t1", "general", H10.plusSeconds(300), "m1");
                post(producer, "t1", "general", H10.plusSeconds(1800), "m2");
                post(producer, "t1", "random", H10.plusSeconds(2400), "m3");
                producer.send(new ProducerRecord<>(Topics.EVENTS, "t1", envelope("t1", H10.plusSeconds(2500),
                        MessageDeleted.newBuilder().setChannelId("general").setMessageId("m1").build())));
                producer.send(new ProducerRecord<>(Topics.EVENTS, "t1", "garbage".getBytes()));
                post(producer, "t1", "general", H10.plusSeconds(3600 + 120), "m4"); // closes 10:00 (end + 1 min grace)
                producer.flush();
                final List<String> values = new ArrayList<>();
                final List<String> keys = new ArrayList<>();
                readOutput(producer, keys, values);
                assertThat(keys).containsExactlyInAnyOrder("t1/general/2026-11-21T10:00:00Z", "t1/random/2026-11-21T10:00:00Z");
                assertThat(values).containsExactlyInAnyOrder(
                        new ChannelActivity("t1", "general", H10, H10.plusSeconds(3600), 2).toJson(),
                        new ChannelActivity("t1", "random", H10, H10.plusSeconds(3600), 1).toJson());
            }
            assertThat(failures.count()).isEqualTo(1);
            streams.close(Duration.ofSeconds(30));
        }
    }

    /**
     * Reads the output (read_committed). Kafka Streams checks for closed windows at most once per second
     * of wall-clock time ({@code __emit.interval.ms.kstreams.windowed.aggregation__}, default 1000), when a
     * record arrives: like live traffic, a later post of the same team (hour 11, not counted in hour 10)
     * is sent on every poll.
     */
    private static void readOutput(final KafkaProducer<String, byte[]> producer, final List<String> keys, final List<String> values) {
        final int[] tick = {0};
        try (KafkaConsumer<String, String> consumer = new KafkaConsumer<>(Map.<String, Object>of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers(),
                ConsumerConfig.GROUP_ID_CONFIG, "activity-it-reader",
                ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest",
                ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed"), new StringDeserializer(), new StringDeserializer())) {
            consumer.subscribe(List.of(ActivityTopics.CHANNEL_ACTIVITY));
            await().atMost(Duration.ofSeconds(60)).until(() -> {
                post(producer, "t1", "general", H10.plusSeconds(3600 + 180 + tick[0]), "tick-" + tick[0]++);
                producer.flush();
                for (ConsumerRecord<String, String> r : consumer.poll(Duration.ofMillis(500))) {
                    keys.add(r.key());
                    values.add(r.value());
                }
                return values.size() >= 2;
            });
            // Nothing more for hour 10: another second of polling brings no further record.
            for (ConsumerRecord<String, String> r : consumer.poll(Duration.ofSeconds(1))) {
                keys.add(r.key());
                values.add(r.value());
            }
        }
    }

    private static void post(final KafkaProducer<String, byte[]> producer, final String team, final String channel,
                             final Instant at, final String id) {
        producer.send(new ProducerRecord<>(Topics.EVENTS, team, envelope(team, at, MessagePosted.newBuilder().setChannelId(channel)
                .setMessageId(id).setText("hi").setThreadRootId(null).setClientMessageId(null).build())));
    }

    private static byte[] envelope(final String team, final Instant at, final Object payload) {
        return EventCodec.encode(EventEnvelope.newBuilder().setEventId(UUID.randomUUID().toString()).setTeamId(team)
                .setActorId("u1").setOccurredAt(at).setSchemaVersion(EventCodec.CURRENT_VERSION).setPayload(payload).build());
    }
}
