package chat.dev.bench;

import chat.events.EventEnvelope;
import chat.events.MessagePosted;
import chat.schemas.EventCodec;
import chat.schemas.Topics;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.Node;
import org.apache.kafka.common.TopicPartitionInfo;
import org.apache.kafka.common.errors.UnknownTopicOrPartitionException;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.serialization.ByteArraySerializer;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The raw Kafka ceiling: one producer configured like ingest's (idempotent, acks=all, linger 5 ms)
 * sends real MessagePosted envelopes (encoded with {@link EventCodec}, same text length and headers
 * as the HTTP path) keyed by team to a throw-away topic {@value #TOPIC} with 12 partitions, on the
 * same broker. A warm-up of {@code records / 5} (at most 50,000) records precedes the measured
 * {@code records}. The topic is deleted afterwards.
 */
final class RawKafkaBench {
    static final String TOPIC = "bench.raw";
    private static final int PARTITIONS = 12;

    record Result(long records, long acked, long failed, double seconds, double recordsPerSecond, double mbPerSecond,
                  int valueBytes, int recordBytes, String error) {
    }

    private RawKafkaBench() {
    }

    static Result run(final String bootstrap, final String[] teams, final int textLength, final long records,
                      final Duration timeLimit) {
        final long deadline = System.nanoTime() + timeLimit.toNanos();
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap,
                AdminClientConfig.CLIENT_ID_CONFIG, "bench-raw-admin",
                AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, 15_000,
                AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, 10_000))) {
            deleteIfPresent(admin);
            admin.createTopics(List.of(new NewTopic(TOPIC, PARTITIONS, (short) 1))).all().get(30, TimeUnit.SECONDS);
            awaitLeadersAndLogs(admin, Duration.ofSeconds(30));
            try {
                return produce(bootstrap, teams, textLength, records, deadline);
            } finally {
                deleteIfPresent(admin);
            }
        } catch (Exception e) {
            return new Result(records, 0, 0, 0, 0, 0, 0, 0, e.toString());
        }
    }

    private static Result produce(final String bootstrap, final String[] teams, final int textLength, final long records,
                                  final long deadline) throws InterruptedException {
        final String padding = "x".repeat(textLength);
        final long warmup = Math.min(50_000, records / 5);
        final AtomicLong acked = new AtomicLong();
        final AtomicLong failed = new AtomicLong();
        final AtomicLong bytes = new AtomicLong();
        int sampleValue = 0;
        int sampleRecord = 0;
        try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(Map.<String, Object>of(
                ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap,
                ProducerConfig.CLIENT_ID_CONFIG, "bench-raw",
                ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true,
                ProducerConfig.ACKS_CONFIG, "all",
                ProducerConfig.LINGER_MS_CONFIG, 5,
                ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, 30_000,
                ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, 10_000,
                ProducerConfig.MAX_BLOCK_MS_CONFIG, 10_000,
                ProducerConfig.BUFFER_MEMORY_CONFIG, 32L << 20),
                new ByteArraySerializer(), new ByteArraySerializer())) {
            long t0 = System.nanoTime();
            long sentMeasured = 0;
            for (long i = 0; i < warmup + records; i++) {
                if (i == warmup) {
                    producer.flush();
                    t0 = System.nanoTime();
                }
                if (System.nanoTime() > deadline) {
                    break;
                }
                final String team = teams[(int) (i % teams.length)];
                final EventEnvelope envelope = EventEnvelope.newBuilder()
                        .setEventId(UUID.randomUUID().toString())
                        .setTeamId(team)
                        .setActorId("bench")
                        .setOccurredAt(Instant.ofEpochMilli(System.currentTimeMillis()))
                        .setSchemaVersion(EventCodec.CURRENT_VERSION)
                        .setPayload(new MessagePosted("general", UUID.randomUUID().toString(),
                                Poster.text(i, padding), null, null))
                        .build();
                final byte[] key = team.getBytes(StandardCharsets.UTF_8);
                final byte[] value = EventCodec.encode(envelope);
                final RecordHeaders headers = new RecordHeaders();
                headers.add(Topics.HEADER_TEAM, key);
                headers.add(Topics.HEADER_CHANNEL, "general".getBytes(StandardCharsets.UTF_8));
                headers.add(Topics.HEADER_TYPE, "MessagePosted".getBytes(StandardCharsets.UTF_8));
                final boolean measured = i >= warmup;
                if (measured) {
                    sentMeasured++;
                    if (sampleValue == 0) {
                        sampleValue = value.length;
                        sampleRecord = key.length + value.length;
                    }
                }
                final int size = key.length + value.length;
                producer.send(new ProducerRecord<>(TOPIC, null, envelope.getOccurredAt().toEpochMilli(), key, value, headers),
                        (md, err) -> {
                            if (!measured) {
                                return;
                            }
                            if (err == null) {
                                acked.incrementAndGet();
                                bytes.addAndGet(size);
                            } else {
                                failed.incrementAndGet();
                            }
                        });
            }
            producer.flush();
            final double seconds = (System.nanoTime() - t0) / 1e9;
            final String error = sentMeasured < records ? "time limit reached after " + sentMeasured + " records" : null;
            return new Result(records, acked.get(), failed.get(), seconds, acked.get() / seconds,
                    bytes.get() / seconds / 1e6, sampleValue, sampleRecord, error);
        }
    }

    private static void deleteIfPresent(final Admin admin) throws InterruptedException {
        try {
            if (!admin.listTopics().names().get(15, TimeUnit.SECONDS).contains(TOPIC)) {
                return;
            }
            admin.deleteTopics(List.of(TOPIC)).all().get(30, TimeUnit.SECONDS);
            final long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            while (System.nanoTime() < until && admin.listTopics().names().get(15, TimeUnit.SECONDS).contains(TOPIC)) {
                Thread.sleep(100);
            }
        } catch (ExecutionException e) {
            if (!(e.getCause() instanceof UnknownTopicOrPartitionException)) {
                System.err.println("bench: could not delete " + TOPIC + ": " + e.getCause());
            }
        } catch (java.util.concurrent.TimeoutException e) {
            System.err.println("bench: timed out deleting " + TOPIC);
        }
    }

    /** Waits until every partition has a leader and the broker's log dirs list every partition. */
    private static void awaitLeadersAndLogs(final Admin admin, final Duration timeout) throws Exception {
        final long until = System.nanoTime() + timeout.toNanos();
        while (true) {
            boolean ready = false;
            try {
                final TopicDescription d = admin.describeTopics(List.of(TOPIC)).allTopicNames()
                        .get(10, TimeUnit.SECONDS).get(TOPIC);
                final Set<Integer> brokers = new HashSet<>();
                boolean leaders = d.partitions().size() == PARTITIONS;
                for (TopicPartitionInfo p : d.partitions()) {
                    final Node leader = p.leader();
                    if (leader == null || leader.isEmpty()) {
                        leaders = false;
                    } else {
                        brokers.add(leader.id());
                    }
                }
                if (leaders) {
                    final Set<Integer> onDisk = new HashSet<>();
                    admin.describeLogDirs(brokers).allDescriptions().get(10, TimeUnit.SECONDS).values()
                            .forEach(dirs -> dirs.values().forEach(dir -> dir.replicaInfos().keySet().forEach(tp -> {
                                if (tp.topic().equals(TOPIC)) {
                                    onDisk.add(tp.partition());
                                }
                            })));
                    ready = onDisk.size() == PARTITIONS;
                }
            } catch (ExecutionException e) {
                if (!(e.getCause() instanceof UnknownTopicOrPartitionException)) {
                    throw e;
                }
            }
            if (ready) {
                return;
            }
            if (System.nanoTime() > until) {
                throw new IllegalStateException(TOPIC + " did not get a leader for all " + PARTITIONS
                        + " partitions within " + timeout);
            }
            Thread.sleep(100);
        }
    }
}
