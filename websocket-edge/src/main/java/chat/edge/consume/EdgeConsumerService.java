package chat.edge.consume;

import chat.common.config.ChatSettings;
import chat.common.config.CommonFactory.ServiceName;
import chat.common.kafka.LogMetadata;
import chat.common.shard.ShardDataSources;
import chat.common.shard.ShardMap;
import chat.edge.AccessSettings;
import chat.edge.CloseCodes;
import chat.edge.access.MembershipSource;
import chat.edge.access.ShardMembershipSource;
import io.micronaut.core.annotation.Nullable;
import chat.edge.EdgeSettings;
import chat.edge.ResumeSettings;
import chat.edge.delivery.EdgeStats;
import chat.edge.delivery.QueueLimits;
import chat.edge.delivery.SubscriptionRegistry;
import chat.schemas.Topics;
import io.micronaut.context.annotation.Context;
import io.micronaut.context.annotation.Requires;
import jakarta.annotation.PostConstruct;
import jakarta.annotation.PreDestroy;
import jakarta.inject.Named;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;

/**
 * Starts the edge's consumer thread when the application context starts ({@link Context}: before
 * the HTTP server accepts sockets) and stops it when the context closes. Start-up fails with the
 * reason when {@code chat.events} is missing, has another partition count than
 * {@code chat.kafka.partitions}, or Kafka cannot be reached within {@code chat.edge.startup-timeout}.
 */
@Context
@Requires(property = "chat.edge.enabled", notEquals = "false")
@Requires(property = "chat.edge.consumer-enabled", notEquals = "false")
final class EdgeConsumerService {
    private static final Logger LOG = LoggerFactory.getLogger(EdgeConsumerService.class);

    private final ChatSettings chat;
    private final EdgeSettings edge;
    private final SubscriptionRegistry registry;
    private final EdgeStats stats;
    private final QueueLimits limits;
    private final ResumeSettings resume;
    private final String clientId;
    private final AccessSettings access;
    private final MembershipSource membership;
    private volatile TeamViews views;
    private Resumer resumer;
    private EventLoop loop;
    private Thread thread;
    private LogMetadata log;

    EdgeConsumerService(final ChatSettings chat, final EdgeSettings edge, final SubscriptionRegistry registry,
                        final EdgeStats stats, final QueueLimits limits, final ResumeSettings resume,
                        @Named("service") final ServiceName service, final AccessSettings access,
                        @Nullable final ShardDataSources shards, final ShardMap shardMap) {
        this.access = access;
        this.membership = shards == null ? null : new ShardMembershipSource(shards, shardMap);
        this.chat = chat;
        this.limits = limits;
        this.resume = resume;
        this.edge = edge;
        this.registry = registry;
        this.stats = stats;
        this.clientId = service.value() + "-edge-" + UUID.randomUUID().toString().substring(0, 8);
    }

    @PostConstruct
    void start() {
        try (Admin admin = Admin.create(Map.of(
                AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, chat.bootstrapServers(),
                AdminClientConfig.CLIENT_ID_CONFIG, clientId + "-admin",
                AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, (int) edge.startupTimeout().toMillis(),
                AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, (int) edge.startupTimeout().toMillis()))) {
            log = LogMetadata.describe(admin, Topics.EVENTS, chat.region(), chat.partitions(), edge.startupTimeout());
        } catch (IllegalStateException | KafkaException e) {
            throw new IllegalStateException("websocket-edge cannot start: " + e.getMessage()
                    + " (bootstrap=" + chat.bootstrapServers() + ")", e);
        }
        final KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(consumerProperties(),
                new ByteArrayDeserializer(), new ByteArrayDeserializer());
        final LogTails tails = new LogTails(log.partitions(), Map.of(), resume.bufferEvents(), resume.bufferBytes());
        final Router router = new Router(log.epoch(), registry, stats, tails);
        if (access.enabled()) {
            final MembershipSource source = membership != null ? membership : (team, partition) -> {
                throw new IllegalStateException("this edge has no shard configured (chat.shards.jdbc-urls)");
            };
            if (membership == null) {
                LOG.warn("chat.edge.access.enabled but no chat.shards.jdbc-urls: every subscribe is refused");
            }
            final TeamViews v = new TeamViews(router, source, access.loadTimeout(), access.maxPending());
            router.useViews(v);
            views = v;
        }
        final EventLoop l = new EventLoop(consumer, log.topic(), log.partitions(), router, stats, edge.pollTimeout());
        final Map<Integer, Long> start;
        try {
            start = l.positionAtEnd(edge.startupTimeout());
        } catch (RuntimeException e) {
            consumer.close(Duration.ZERO);
            throw new IllegalStateException("websocket-edge cannot start: cannot find the end of " + log.topic()
                    + " within " + edge.startupTimeout().toMillis() + " ms: " + e, e);
        }
        tails.reset(start);
        resumer = new Resumer(router, registry, stats, limits, resume, log.topic(),
                () -> new KafkaConsumer<>(readerProperties(), new ByteArrayDeserializer(), new ByteArrayDeserializer()));
        loop = l;
        thread = Thread.ofPlatform().name("edge-consumer").daemon(true).start(() -> {
            try {
                l.run();
            } catch (RuntimeException | Error e) {
                // Without its event stream this edge only lies to its clients: send them elsewhere.
                registry.drain(CloseCodes.INTERNAL_ERROR, "edge lost its event stream");
            }
        });
        LOG.info("websocket-edge consuming {} (epoch {}, {} partitions) from the log end {}", log.topic(),
                log.epoch(), log.partitions(), start);
    }

    /** True while the consumer thread runs. */
    boolean consuming() {
        final Thread t = thread;
        return t != null && t.isAlive();
    }

    /** Resumes subscriptions from client positions; {@code null} before start-up finished. */
    Resumer resumer() {
        return resumer;
    }

    /** The membership views, {@code null} when access is not filtered. */
    TeamViews views() {
        return views;
    }

    /** The log this edge consumes (epoch and partition count). */
    LogMetadata log() {
        return log;
    }

    @PreDestroy
    void stop() {
        // Sockets first: clients reconnect to another edge while this one still runs. Wait (bounded)
        // for the close frames to go out before the server stops its event loops.
        final int closed = registry.shutdownAndWait();
        if (loop == null) {
            return;
        }
        resumer.close();
        loop.stop();
        try {
            thread.join(Duration.ofSeconds(10));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        LOG.info("websocket-edge stopped: closed {} connection(s) with 4000, consumer thread {}", closed,
                thread.isAlive() ? "still running" : "finished");
    }

    /** Short-lived readers of one partition for resumes: assigned, no group, fail on a deleted offset. */
    private Properties readerProperties() {
        final Properties p = new Properties();
        p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, chat.bootstrapServers());
        p.put(ConsumerConfig.CLIENT_ID_CONFIG, clientId + "-resume");
        p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        p.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "none");
        p.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        p.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, 2000);
        return p;
    }

    private Properties consumerProperties() {
        final Properties p = new Properties();
        p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, chat.bootstrapServers());
        p.put(ConsumerConfig.CLIENT_ID_CONFIG, clientId);
        // No group: assign() every partition, never commit; each edge starts at the end on start-up.
        p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        p.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "latest");
        p.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        p.putAll(edge.fetchBatching());
        return p;
    }
}
