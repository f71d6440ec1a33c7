package chat.projector;

import chat.common.config.ChatSettings;
import chat.common.redis.ReadCacheSettings;
import chat.common.redis.RedisGate;
import chat.common.shard.ShardDataSources;
import chat.common.shard.ShardMap;
import chat.common.shard.ShardMigrations;
import chat.projector.cache.ReadCacheWriter;
import chat.projector.cache.WriteThroughShardSink;
import chat.projector.sink.JdbcShardSink;
import chat.projector.sink.RetryingShardSink;
import chat.projector.sink.ShardAvailability;
import chat.projector.sink.ShardSink;
import chat.projector.sink.Sleeper;
import chat.projector.topology.ProjectorTopology;
import io.micronaut.context.annotation.Requires;
import io.micronaut.context.annotation.Value;
import io.micronaut.core.annotation.Nullable;
import io.micronaut.context.event.ApplicationEventListener;
import io.micronaut.context.event.StartupEvent;
import jakarta.annotation.PreDestroy;
import jakarta.inject.Singleton;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.errors.LogAndFailProcessingExceptionHandler;
import org.apache.kafka.streams.errors.StreamsUncaughtExceptionHandler;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;

/**
 * Runs the projector: at application start applies the read-model migrations to every shard,
 * builds {@link ProjectorTopology} over a retrying {@link JdbcShardSink} and starts Kafka
 * Streams (at_least_once); closes it with a timeout on shutdown. Start-up does not wait for
 * RUNNING; {@link #state()} tells where it is.
 *
 * <p>Failure policy: a shard that cannot be reached (or was retired by a cut-over whose successor
 * is not published yet), or whose writes still fail after the bounded retries of
 * {@link RetryingShardSink}, is marked in {@link ShardAvailability}: only its partitions' tasks
 * rewind to their last committed offsets and wait (the buffered batch was never acknowledged to
 * Kafka, so nothing is lost), while every other shard keeps projecting on the same threads; a
 * probe every {@code chat.projector.shard-probe-ms} (500) lifts the mark. Any other failure of a
 * stream thread makes the uncaught-exception handler answer {@code REPLACE_THREAD}, so its tasks
 * resume from the last committed offsets. Migrations failing on
 * any shard fail start-up, listing every shard: a projector writing to a shard without its
 * tables would only loop.
 *
 * <pre>{@code
 * ProjectorService service = context.getBean(ProjectorService.class);
 * KafkaStreams.State state = service.state();
 * }</pre>
 */
@Singleton
@Requires(property = "chat.projector.enabled", notEquals = "false")
public class ProjectorService implements ApplicationEventListener<StartupEvent>, AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(ProjectorService.class);

    private final ProjectorSettings settings;
    private final ChatSettings chat;
    private final ShardMap shardMap;
    private final ShardDataSources shards;
    private final RedisGate redis;
    private final ReadCacheSettings cacheSettings;
    private volatile KafkaStreams streams;
    private final long shardProbeMs;
    private volatile ReadCacheWriter cacheWriter;
    private volatile ShardAvailability availability;

    /**
     * @param redis         the process's Redis gate, or null without {@code redis.uri}: no read cache write-through
     * @param cacheSettings {@code chat.read-cache.*}
     */
    public ProjectorService(final ProjectorSettings settings, final ChatSettings chat, final ShardMap shardMap,
                            final ShardDataSources shards, @Nullable final RedisGate redis,
                            final ReadCacheSettings cacheSettings,
                            @Value("${chat.projector.shard-probe-ms:500}") final long shardProbeMs) {
        this.settings = settings;
        this.shardProbeMs = shardProbeMs;
        this.chat = chat;
        this.shardMap = shardMap;
        this.shards = shards;
        this.redis = redis;
        this.cacheSettings = cacheSettings;
    }

    @Override
    public void onApplicationEvent(final StartupEvent event) {
        start();
    }

    /** Applies migrations and starts Kafka Streams; idempotent. */
    public synchronized void start() {
        if (streams != null) {
            return;
        }
        migrateAllShards();
        final ShardAvailability marks = new ShardAvailability(shards, Math.max(50, shardProbeMs));
        availability = marks;
        ShardSink sink = new RetryingShardSink(new JdbcShardSink(shards),
                settings.maxRetries(), settings::backoff, Sleeper.SYSTEM, marks);
        if (redis != null && cacheSettings.enabled()) {
            // Read cache write-through after each committed batch (chat.projector.cache); never blocks the shard path.
            final ReadCacheWriter writer = new ReadCacheWriter(redis, shards::forPartition,
                    cacheSettings.window(), cacheSettings.queueCapacity());
            writer.start();
            cacheWriter = writer;
            sink = new WriteThroughShardSink(sink, writer);
        }
        final Topology topology = ProjectorTopology.build(ProjectorTopology.TopicNames.DEFAULT, settings, sink);
        final KafkaStreams ks = new KafkaStreams(topology, streamsConfig(settings, chat.bootstrapServers(),
                settings.stateDirOr(temporaryStateDir())));
        ks.setUncaughtExceptionHandler(e -> {
            LOG.error("projector stream thread failed; replacing it (uncommitted events will be re-read): {}",
                    e.toString(), e);
            return StreamsUncaughtExceptionHandler.StreamThreadExceptionResponse.REPLACE_THREAD;
        });
        ks.setStateListener((now, before) -> LOG.info("projector state {} -> {}", before, now));
        ks.start();
        streams = ks;
        LOG.info("projector started: application.id={}, threads={}, batch={}, shards={}", settings.applicationId(),
                settings.threads(), settings.batchSize(), shards.count());
    }

    /** Kafka Streams properties of the projector; pure, for tests and operators. */
    static Properties streamsConfig(final ProjectorSettings settings, final String bootstrapServers, final Path stateDir) {
        final Properties p = new Properties();
        p.put(StreamsConfig.APPLICATION_ID_CONFIG, settings.applicationId());
        p.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        p.put(StreamsConfig.STATE_DIR_CONFIG, stateDir.toString());
        p.put(StreamsConfig.PROCESSING_GUARANTEE_CONFIG, StreamsConfig.AT_LEAST_ONCE);
        p.put(StreamsConfig.COMMIT_INTERVAL_MS_CONFIG, Long.toString(settings.commitIntervalMs()));
        p.put(StreamsConfig.NUM_STREAM_THREADS_CONFIG, Integer.toString(settings.threads()));
        p.put(StreamsConfig.consumerPrefix(ConsumerConfig.SESSION_TIMEOUT_MS_CONFIG), Integer.toString(settings.sessionTimeoutMs()));
        // The projector writes its buffered batch once per commit interval, so a fetch need not return
        // the moment one event arrives: let the broker gather up to 64 KiB for at most a quarter of the
        // interval (<= 50 ms). Without this every append answered a fetch of each stream thread.
        p.put(StreamsConfig.mainConsumerPrefix(ConsumerConfig.FETCH_MIN_BYTES_CONFIG), Integer.toString(64 * 1024));
        p.put(StreamsConfig.mainConsumerPrefix(ConsumerConfig.FETCH_MAX_WAIT_MS_CONFIG),
                Long.toString(Math.max(1, Math.min(50, settings.commitIntervalMs() / 4))));
        if (!settings.instanceId().isEmpty()) {
            // Static membership: Kafka Streams suffixes the id per stream thread.
            p.put(StreamsConfig.mainConsumerPrefix(ConsumerConfig.GROUP_INSTANCE_ID_CONFIG), settings.instanceId());
        }
        // Explicit FAIL: a failed shard read/write in process() must kill the thread (and be
        // re-read after REPLACE_THREAD), never be logged and skipped.
        p.put(StreamsConfig.PROCESSING_EXCEPTION_HANDLER_CLASS_CONFIG, LogAndFailProcessingExceptionHandler.class.getName());
        return p;
    }

    private void migrateAllShards() {
        final List<String> failures = new ArrayList<>();
        for (int s = 0; s < shards.count(); s++) {
            try {
                final int applied = ShardMigrations.apply(shards.shard(s));
                LOG.info("shard {} read model is up to date ({} migrations applied now)", s, applied);
            } catch (Exception e) {
                failures.add("shard " + s + " (" + shards.url(s) + "): " + e.getMessage());
            }
        }
        if (!failures.isEmpty()) {
            throw new IllegalStateException("cannot migrate the read model of " + failures.size() + " of "
                    + shards.count() + " shards:\n  - " + String.join("\n  - ", failures));
        }
    }

    private static Path temporaryStateDir() {
        try {
            return Files.createTempDirectory("chat-projector-state");
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create a temporary Kafka Streams state dir", e);
        }
    }

    /** The read cache writer's counters, or null when the projector does not write through. */
    public ReadCacheWriter.Stats cacheStats() {
        final ReadCacheWriter w = cacheWriter;
        return w == null ? null : w.stats();
    }

    /** Shard numbers the projector cannot use now (their partitions wait); empty before start. */
    public List<Integer> unavailableShards() {
        final ShardAvailability a = availability;
        return a == null ? List.of() : a.unavailableShards();
    }

    /** The Kafka Streams state, or null before start. */
    public KafkaStreams.State state() {
        final KafkaStreams ks = streams;
        return ks == null ? null : ks.state();
    }

    /** Closes Kafka Streams, waiting at most {@code chat.projector.close-timeout-ms}. */
    @PreDestroy
    @Override
    public synchronized void close() {
        final KafkaStreams ks = streams;
        if (ks == null) {
            return;
        }
        streams = null;
        final boolean closed = ks.close(Duration.ofMillis(settings.closeTimeoutMs()));
        final ReadCacheWriter w = cacheWriter;
        if (w != null) {
            w.close();
            cacheWriter = null;
        }
        final ShardAvailability a = availability;
        if (a != null) {
            a.close();
            availability = null;
        }
        LOG.info("projector {} ({} ms timeout)", closed ? "closed" : "did not close in time", settings.closeTimeoutMs());
    }
}
