package chat.analytics.activity;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.common.config.TopicConfig;
import org.apache.kafka.common.errors.TopicExistsException;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.StreamsConfig;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;

/**
 * Runs the channel-activity job against a cluster until stopped (SIGTERM / Ctrl-C).
 *
 * <pre>{@code
 * java -cp ... chat.analytics.activity.ChannelActivityMain --bootstrap-servers 127.0.0.1:19092 --grace PT10M
 * }</pre>
 * Creates {@code analytics.channel-activity} if absent: compacted on the key, infinite retention.
 * Exactly-once (v2): a window's record is written once, atomically with the input offsets it covers.
 */
@Command(name = "channel-activity", mixinStandardHelpOptions = true,
        description = "Messages per channel per hour from chat.events to analytics.channel-activity (Kafka Streams).")
public final class ChannelActivityMain implements Callable<Integer> {
    private static final Logger LOG = LoggerFactory.getLogger(ChannelActivityMain.class);

    @Option(names = "--bootstrap-servers", defaultValue = "${env:CHAT_KAFKA_BOOTSTRAP_SERVERS:-127.0.0.1:19092}",
            description = "Kafka bootstrap servers (env CHAT_KAFKA_BOOTSTRAP_SERVERS; default ${DEFAULT-VALUE}).")
    String bootstrapServers;

    @Option(names = "--application-id", defaultValue = "chat-analytics-channel-activity",
            description = "Kafka Streams application id = consumer group and prefix of internal topics (default ${DEFAULT-VALUE}).")
    String applicationId;

    @Option(names = "--grace", defaultValue = "PT10M",
            description = "ISO-8601 duration a late message is still counted after its hour ends; PT0S = none (default ${DEFAULT-VALUE}).")
    Duration grace;

    @Option(names = "--skip-unknown-schema",
            description = "Skip (and count) values of an unknown writer schema instead of stopping the job.")
    boolean skipUnknownSchema;

    @Option(names = "--state-dir", defaultValue = "${java.io.tmpdir}/chat-analytics",
            description = "Local state (RocksDB) directory (default ${DEFAULT-VALUE}).")
    String stateDir;

    @Option(names = "--output-partitions", defaultValue = "6",
            description = "Partitions of analytics.channel-activity when this job creates it (default ${DEFAULT-VALUE}).")
    int outputPartitions;

    @Option(names = "--replication-factor", defaultValue = "1",
            description = "Replication factor of the output and internal topics (default ${DEFAULT-VALUE}; production: 3).")
    short replicationFactor;

    @Option(names = "--threads", defaultValue = "1", description = "Stream threads (default ${DEFAULT-VALUE}).")
    int threads;

    public static void main(final String[] args) {
        System.exit(new CommandLine(new ChannelActivityMain()).execute(args));
    }

    @Override
    public Integer call() throws Exception {
        final ActivityTopics topics = ActivityTopics.defaults();
        final ActivitySettings settings = new ActivitySettings(grace, !skipUnknownSchema);
        createOutputTopic(topics.output());
        final DecodeFailures failures = new DecodeFailures();
        final CountDownLatch stopped = new CountDownLatch(1);
        try (KafkaStreams streams = new KafkaStreams(ChannelActivityTopology.build(topics, settings, failures), streamsConfig())) {
            streams.setStateListener((now, before) -> {
                LOG.info("channel-activity: {} -> {}", before, now);
                if (now == KafkaStreams.State.ERROR || now == KafkaStreams.State.NOT_RUNNING) {
                    stopped.countDown();
                }
            });
            Runtime.getRuntime().addShutdownHook(new Thread(() -> {
                streams.close(Duration.ofSeconds(30));
                stopped.countDown();
            }, "channel-activity-shutdown"));
            streams.start();
            LOG.info("channel-activity: {} -> {} (grace {}, application id {})", topics.events(), topics.output(), grace, applicationId);
            stopped.await();
            LOG.info("channel-activity: stopped in state {}; {} undecodable records skipped", streams.state(), failures.count());
            return streams.state() == KafkaStreams.State.ERROR ? 1 : 0;
        }
    }

    Properties streamsConfig() {
        final Properties p = new Properties();
        p.put(StreamsConfig.APPLICATION_ID_CONFIG, applicationId);
        p.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        p.put(StreamsConfig.PROCESSING_GUARANTEE_CONFIG, StreamsConfig.EXACTLY_ONCE_V2);
        p.put(StreamsConfig.STATE_DIR_CONFIG, stateDir);
        p.put(StreamsConfig.NUM_STREAM_THREADS_CONFIG, threads);
        p.put(StreamsConfig.REPLICATION_FACTOR_CONFIG, (int) replicationFactor);
        return p;
    }

    void createOutputTopic(final String name) throws InterruptedException {
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers))) {
            final NewTopic topic = new NewTopic(name, outputPartitions, replicationFactor).configs(Map.of(
                    TopicConfig.CLEANUP_POLICY_CONFIG, TopicConfig.CLEANUP_POLICY_COMPACT,
                    TopicConfig.RETENTION_MS_CONFIG, "-1",
                    TopicConfig.RETENTION_BYTES_CONFIG, "-1"));
            admin.createTopics(List.of(topic)).all().get();
            LOG.info("channel-activity: created {} ({} partitions, compacted, retention infinite)", name, outputPartitions);
        } catch (ExecutionException e) {
            if (!(e.getCause() instanceof TopicExistsException)) {
                throw new AnalyticsException("cannot create " + name + " on " + bootstrapServers + ": " + e.getCause(), e);
            }
        }
    }
}
