package chat.dev.bench;

import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.serialization.ByteArraySerializer;

import java.util.Map;

/**
 * The producer the benchmarks seed {@code chat.events} with: idempotent, acks=all (what ingest
 * writes with), large lz4 batches and a bounded 64 MiB buffer, so that seeding a million events
 * takes seconds and never more memory than that.
 */
public final class SeedProducer {
    private SeedProducer() {
    }

    public static KafkaProducer<byte[], byte[]> create(final String bootstrap, final String clientId) {
        return new KafkaProducer<>(Map.<String, Object>of(
                ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap,
                ProducerConfig.CLIENT_ID_CONFIG, clientId,
                ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true,
                ProducerConfig.ACKS_CONFIG, "all",
                ProducerConfig.LINGER_MS_CONFIG, 10,
                ProducerConfig.BATCH_SIZE_CONFIG, 256 * 1024,
                ProducerConfig.COMPRESSION_TYPE_CONFIG, "lz4",
                ProducerConfig.BUFFER_MEMORY_CONFIG, 64L << 20), new ByteArraySerializer(), new ByteArraySerializer());
    }
}
