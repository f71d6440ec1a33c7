package chat.ingest;

import chat.common.config.ChatSettings;
import chat.common.kafka.LogMetadata;
import chat.ingest.append.EpochSource;
import chat.ingest.append.EventAppender;
import chat.ingest.command.CommandService;
import chat.ingest.state.AppliedOffsets;
import chat.ingest.state.ShardStateReader;
import chat.common.shard.ShardDataSources;
import chat.common.shard.ShardMap;
import java.time.Clock;
import chat.schemas.Topics;
import io.micronaut.context.annotation.Bean;
import io.micronaut.context.annotation.Factory;
import io.micronaut.context.annotation.Value;
import jakarta.inject.Singleton;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import io.micronaut.context.annotation.Requires;
import io.micronaut.core.annotation.Nullable;
import chat.ingest.state.PostViews;
import chat.ingest.state.RestrictionFeed;

import java.time.Duration;
import java.util.Map;

/**
 * Builds the ingest's Kafka producer (idempotent, acks=all) and appender from configuration.
 *
 * <p>Keys: {@code chat.ingest.linger-ms} (default 0: a post is sent at once; under load the producer still
 * batches what queues behind the requests in flight; 2 ms of linger cost 2 ms at the median and 40 % of the
 * delivery capacity on 2 cores, BENCHMARKS.md), {@code chat.ingest.delivery-timeout-ms}
 * (default 10000: how long a write may wait for the log before the client gets 503),
 * {@code chat.ingest.max-block-ms} (default 2000: how long send may wait for metadata or buffer space),
 * {@code chat.ingest.buffer-bytes} (default 32 MiB: the bound on unacknowledged bytes in memory),
 * {@code chat.ingest.consistency-timeout-ms} (default 3000: how long a command waits for the team's shard to
 * show this instance's own earlier writes before answering 503 READ_MODEL_BEHIND),
 * {@code chat.ingest.post-views.enabled} (default true: plain posts are decided on views kept from earlier
 * posts, checked against the log, see {@link PostViews}), {@code chat.ingest.post-views.max-entries} (default
 * 100000), {@code chat.ingest.post-views.max-age-ms} (default 30000), {@code chat.ingest.post-views.liveness-ms}
 * (default 2000: views are used only while the feed polled that recently).
 */
@Factory
class IngestFactory {

    @Singleton
    @Bean(preDestroy = "close")
    Producer<byte[], byte[]> ingestProducer(final ChatSettings settings,
                                            @Value("${chat.ingest.linger-ms:0}") final int lingerMs,
                                            @Value("${chat.ingest.delivery-timeout-ms:10000}") final int deliveryTimeoutMs,
                                            @Value("${chat.ingest.max-block-ms:2000}") final int maxBlockMs,
                                            @Value("${chat.ingest.buffer-bytes:33554432}") final long bufferBytes) {
        final int requestTimeoutMs = Math.max(1000, Math.min(5000, deliveryTimeoutMs - lingerMs - 1));
        return new KafkaProducer<>(Map.<String, Object>of(
                ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, settings.bootstrapServers(),
                ProducerConfig.CLIENT_ID_CONFIG, "ingest",
                ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true,
                ProducerConfig.ACKS_CONFIG, "all",
                ProducerConfig.LINGER_MS_CONFIG, lingerMs,
                ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, deliveryTimeoutMs,
                ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, requestTimeoutMs,
                ProducerConfig.MAX_BLOCK_MS_CONFIG, maxBlockMs,
                ProducerConfig.BUFFER_MEMORY_CONFIG, bufferBytes),
                new ByteArraySerializer(), new ByteArraySerializer());
    }

    @Singleton
    EpochSource epochSource(final ChatSettings settings) {
        return new EpochSource(() -> {
            try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, settings.bootstrapServers(),
                    AdminClientConfig.CLIENT_ID_CONFIG, "ingest-admin",
                    AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, 3000,
                    AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, 3000))) {
                return LogMetadata.describe(admin, Topics.EVENTS, settings.region(), settings.partitions(), Duration.ofSeconds(3));
            }
        });
    }

    @Singleton
    AppliedOffsets appliedOffsets(final ChatSettings settings) {
        return new AppliedOffsets(settings.partitions());
    }

    @Singleton
    ShardStateReader shardStateReader(final ShardDataSources shards, final ShardMap shardMap) {
        return new ShardStateReader(shards, shardMap);
    }

    @Singleton
    CommandService commandService(final ShardStateReader state, final AppliedOffsets applied, final EventAppender appender,
                                  final Clock clock,
                                  @Value("${chat.ingest.consistency-timeout-ms:3000}") final long consistencyTimeoutMs,
                                  @Nullable final chat.common.redis.RedisGate redis,
                                  @Nullable final RestrictionFeed feed) {
        return new CommandService(state, applied, appender, clock, Duration.ofMillis(consistencyTimeoutMs),
                new chat.ingest.command.Claims(redis, Duration.ofSeconds(30)), feed == null ? null : feed.views());
    }

    @Singleton
    @Requires(property = "chat.ingest.post-views.enabled", notEquals = "false")
    PostViews postViews(final ChatSettings settings,
                        @Value("${chat.ingest.post-views.max-entries:100000}") final int maxEntries,
                        @Value("${chat.ingest.post-views.max-age-ms:30000}") final long maxAgeMs,
                        @Value("${chat.ingest.post-views.liveness-ms:2000}") final long livenessMs) {
        return new PostViews(settings.partitions(), maxEntries, Duration.ofMillis(maxAgeMs).toNanos(),
                Duration.ofMillis(livenessMs).toNanos(), System::nanoTime);
    }

    /**
     * Reads only keys and type headers; fetches at most every 100 ms unless 64 KiB are waiting (a bound on the broker's
     * work for it). Started with the context, not with the first write, so the first posts find it live.
     */
    @io.micronaut.context.annotation.Context
    @Bean(preDestroy = "close")
    @Requires(beans = PostViews.class)
    RestrictionFeed restrictionFeed(final PostViews views, final ChatSettings settings) {
        final int maxPollRecords = 2000;
        final KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(Map.<String, Object>of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, settings.bootstrapServers(),
                // one client id per instance: two ingest contexts in one JVM (tests) do not clash in JMX
                ConsumerConfig.CLIENT_ID_CONFIG, "ingest-restrictions-" + java.util.UUID.randomUUID().toString().substring(0, 8),
                ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false,
                ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "none",
                ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed",
                ConsumerConfig.MAX_POLL_RECORDS_CONFIG, maxPollRecords,
                ConsumerConfig.FETCH_MIN_BYTES_CONFIG, 65536,
                ConsumerConfig.FETCH_MAX_WAIT_MS_CONFIG, 100),
                new ByteArrayDeserializer(), new ByteArrayDeserializer());
        final RestrictionFeed feed = new RestrictionFeed(consumer, Topics.EVENTS, settings.partitions(), views,
                Duration.ofMillis(500), maxPollRecords);
        feed.start();
        return feed;
    }

    @Singleton
    EventAppender eventAppender(final Producer<byte[], byte[]> producer, final EpochSource epochs) {
        return new EventAppender(producer, Topics.EVENTS, epochs);
    }
}
