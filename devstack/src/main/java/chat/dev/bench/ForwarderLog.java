package chat.dev.bench;

import io.netty.buffer.ByteBuf;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.errors.TopicExistsException;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.BiConsumer;

/**
 * The forwarder's log path ({@code chat bench forwarder --log}): the least an event-sourced chat
 * server does per post, and nothing more. A post is appended to a Kafka topic keyed by team with a
 * producer configured as ingest's (idempotent, acks=all, no linger) and answered 201 when the broker
 * acknowledges it; one consumer thread, configured as the edge's (no group, every partition assigned,
 * read_committed, from the end), renders each record into a frame once and hands it to the forwarder's
 * fan-out. No database, no authorization, no read model, no projector.
 *
 * <p>Measured beside the in-memory floor and the stack in the same run, it splits the stack's gap to
 * the floor into what appending to and reading from a log costs on the machine (the architecture's
 * share) and what the stack adds on top (ours).
 */
final class ForwarderLog implements AutoCloseable {
    static final String TOPIC = "bench.floor";

    private final KafkaProducer<byte[], byte[]> producer;
    private final KafkaConsumer<byte[], byte[]> consumer;
    private final Thread reader;
    private final BiConsumer<String, ByteBuf> fanOut;
    private volatile boolean running = true;

    /**
     * Creates {@link #TOPIC} on {@code bootstrapServers} when absent (with {@code partitions}) and starts
     * reading it from its end.
     */
    ForwarderLog(final String bootstrapServers, final int partitions, final BiConsumer<String, ByteBuf> fanOut)
            throws InterruptedException, ExecutionException, TimeoutException {
        this.fanOut = fanOut;
        final int existing = ensureTopic(bootstrapServers, partitions);
        producer = new KafkaProducer<>(Map.<String, Object>of(
                ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers,
                ProducerConfig.CLIENT_ID_CONFIG, "bench-forwarder",
                ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true,
                ProducerConfig.ACKS_CONFIG, "all",
                ProducerConfig.LINGER_MS_CONFIG, 0,
                ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, 10_000,
                ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, 5_000,
                ProducerConfig.MAX_BLOCK_MS_CONFIG, 2_000),
                new ByteArraySerializer(), new ByteArraySerializer());
        final Map<String, Object> consumerProps = new java.util.HashMap<>(Map.<String, Object>of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers,
                ConsumerConfig.CLIENT_ID_CONFIG, "bench-forwarder",
                ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false,
                ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "latest",
                ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed"));
        // Fetch settings as the edge's default ones (chat.edge.fetch-max-wait).
        consumerProps.putAll(chat.edge.EdgeSettings.defaults().fetchBatching());
        consumer = new KafkaConsumer<>(consumerProps, new ByteArrayDeserializer(), new ByteArrayDeserializer());
        try {
            chat.common.kafka.LogEnd.assignAll(consumer, TOPIC, existing, Duration.ofSeconds(10));
        } catch (RuntimeException e) {
            consumer.close();
            producer.close(Duration.ZERO);
            throw e;
        }
        reader = new Thread(this::read, "bench-forwarder-log");
        reader.setDaemon(true);
        reader.start();
    }

    /** The topic's partition count after making sure it exists. */
    private static int ensureTopic(final String bootstrapServers, final int partitions)
            throws InterruptedException, ExecutionException, TimeoutException {
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers,
                AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, 15_000,
                AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, 30_000))) {
            try {
                admin.createTopics(List.of(new NewTopic(TOPIC, partitions, (short) 1))).all().get(30, TimeUnit.SECONDS);
            } catch (ExecutionException e) {
                if (!(e.getCause() instanceof TopicExistsException)) {
                    throw e;
                }
            }
            return admin.describeTopics(List.of(TOPIC)).allTopicNames().get(30, TimeUnit.SECONDS)
                    .get(TOPIC).partitions().size();
        }
    }

    /**
     * Appends {@code event} (JSON) for {@code team}; {@code acked} gets the record's metadata, or the
     * error, on the producer's I/O thread.
     */
    void append(final String team, final String event, final BiConsumer<RecordMetadata, Exception> acked) {
        try {
            producer.send(new ProducerRecord<>(TOPIC, team.getBytes(StandardCharsets.UTF_8),
                    event.getBytes(StandardCharsets.UTF_8)), acked::accept);
        } catch (RuntimeException e) {
            acked.accept(null, e);
        }
    }

    private void read() {
        try {
            while (running) {
                for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(200))) {
                    fanOut.accept(new String(r.key(), StandardCharsets.UTF_8),
                            Forwarder.eventFrame(r.partition(), r.offset(), r.timestamp(), r.value()));
                }
            }
        } catch (WakeupException e) {
            // closing
        } finally {
            consumer.close(org.apache.kafka.clients.consumer.CloseOptions.timeout(Duration.ofSeconds(5)));
        }
    }

    @Override
    public void close() throws InterruptedException {
        running = false;
        consumer.wakeup();
        reader.join(10_000);
        producer.close(Duration.ofSeconds(5));
    }
}
