package chat.dev.embedded;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.stream.Collectors;

import kafka.server.KafkaConfig;
import kafka.server.KafkaRaftServer;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.LogDirDescription;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.common.KafkaFuture;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.TopicPartitionInfo;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.errors.TopicExistsException;
import org.apache.kafka.common.errors.UnknownTopicOrPartitionException;
import org.apache.kafka.common.utils.Time;
import org.apache.kafka.metadata.storage.Formatter;
import org.apache.kafka.server.common.MetadataVersion;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A single-node Apache Kafka cluster (KRaft, combined broker and controller) running inside this JVM,
 * for the development stack and integration tests.
 *
 * <p>The log directory {@code <dataDir>/kraft-combined-logs} is formatted on first start only (when it
 * has no {@code meta.properties}); later starts on the same data directory keep every topic, record and
 * committed offset. Both listeners bind to {@code 127.0.0.1} only: a {@code PLAINTEXT} broker listener and
 * a {@code CONTROLLER} listener on a free port. Settings are those of a single node: replication factor and
 * min ISR 1 for the internal topics, no automatic topic creation, infinite retention.
 *
 * <pre>{@code
 * try (EmbeddedKafka kafka = new EmbeddedKafka(Path.of(".devstack/kafka"), 0)) {
 *     kafka.start();
 *     Uuid topicId = kafka.createTopicIfAbsent("chat.events", 12, Map.of());
 *     String bootstrap = kafka.bootstrapServers(); // e.g. 127.0.0.1:41234
 * }
 * }</pre>
 *
 * <p>Close every client of the broker before {@link #close()}: a broker shutting down while clients still
 * reconnect takes about 30 s longer. Fatal faults inside the broker (e.g. a failed log directory) halt the
 * JVM, as they do in a standalone broker. Not thread-safe for concurrent {@code start}/{@code close}; the
 * other methods may be called from any thread once started.
 */
public final class EmbeddedKafka implements AutoCloseable {

    /** The node id of the single broker/controller; also the id to pass to {@code describeLogDirs}. */
    public static final int NODE_ID = 1;

    private static final Logger LOG = LoggerFactory.getLogger(EmbeddedKafka.class);
    private static final String LOOPBACK = ServerProcesses.LOOPBACK;
    private static final String BROKER_LISTENER = "PLAINTEXT";
    private static final String CONTROLLER_LISTENER = "CONTROLLER";
    private static final Duration OPERATION_TIMEOUT = Duration.ofSeconds(30);
    private static final Duration READY_POLL_INTERVAL = Duration.ofMillis(50);

    private enum State { NEW, STARTED, CLOSED }

    private final Path dataDir;
    private final Path logDir;
    private final int requestedPort;

    private State state = State.NEW;
    private int brokerPort;
    private int controllerPort;
    private KafkaRaftServer server;
    private Admin admin;
    private String clusterId;

    /**
     * Creates a broker that is not started yet.
     *
     * @param dataDir directory owned by this broker; created if missing, kept across restarts
     * @param port    broker ({@code PLAINTEXT}) port on 127.0.0.1; 0 picks a free port at {@link #start()}
     */
    public EmbeddedKafka(final Path dataDir, final int port) {
        this.dataDir = Objects.requireNonNull(dataDir, "dataDir").toAbsolutePath();
        this.requestedPort = ServerProcesses.requirePort(port);
        this.logDir = this.dataDir.resolve("kraft-combined-logs");
    }

    /**
     * Formats the log directory if it was never formatted, starts the broker and controller, and waits
     * until the broker answers a metadata request.
     *
     * @throws IllegalStateException if already started or closed, or the broker did not start; the
     *                               message names the ports and the log directory
     */
    public synchronized void start() {
        if (state != State.NEW) {
            throw new IllegalStateException("EmbeddedKafka can be started once, state=" + state + " (logDir=" + logDir + ")");
        }
        final long startNanos = System.nanoTime();
        try {
            Files.createDirectories(logDir);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create Kafka log dir " + logDir, e);
        }
        brokerPort = requestedPort != 0 ? requestedPort : ServerProcesses.freeLoopbackPort();
        controllerPort = ServerProcesses.freeLoopbackPort(brokerPort);

        final KafkaConfig config = KafkaConfig.fromProps(brokerProperties(), false);
        formatIfNeeded();

        final KafkaRaftServer candidate = new KafkaRaftServer(config, Time.SYSTEM);
        try {
            candidate.startup();
        } catch (RuntimeException e) {
            shutDownQuietly(candidate);
            throw new IllegalStateException("Kafka failed to start (" + describe() + "): " + e.getMessage(), e);
        }
        server = candidate;
        state = State.STARTED;
        admin = Admin.create(Map.of(
                AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers(),
                AdminClientConfig.CLIENT_ID_CONFIG, "embedded-kafka-admin",
                AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, (int) OPERATION_TIMEOUT.toMillis()));
        try {
            clusterId = await(admin.describeCluster().clusterId(), "describe cluster");
        } catch (RuntimeException e) {
            close();
            throw e;
        }
        LOG.info("Kafka started in {} ms ({})", elapsedMillis(startNanos), describe());
    }

    /** {@return {@code 127.0.0.1:port} of the broker listener, for {@code bootstrap.servers}} */
    public synchronized String bootstrapServers() {
        requireStarted();
        return LOOPBACK + ":" + brokerPort;
    }

    /** {@return the broker listener port (the actual one when 0 was requested)} */
    public synchronized int port() {
        requireStarted();
        return brokerPort;
    }

    /** {@return the cluster id written to {@code meta.properties} at format time; stable across restarts} */
    public synchronized String clusterId() {
        requireStarted();
        return clusterId;
    }

    /** {@return the log directory (holds {@code meta.properties}, the metadata log and every partition)} */
    public Path logDir() {
        return logDir;
    }

    /**
     * Creates a topic with replication factor 1 unless it exists, then waits until the broker hosts every
     * partition of it with a leader. Producing before that point can stall for minutes with
     * {@code NOT_LEADER_OR_FOLLOWER} / {@code OUT_OF_ORDER_SEQUENCE_NUMBER} errors.
     *
     * <p>The partition count is a fixed contract of a topic: if the topic exists with another count this
     * method throws rather than adding partitions. The configs of an existing topic are left as they are.
     *
     * @param name       topic name
     * @param partitions number of partitions, at least 1
     * @param configs    topic configs used when the topic is created (e.g. {@code retention.ms})
     * @return the topic id, which survives restarts and changes only if the topic is deleted and recreated
     * @throws IllegalStateException if the topic exists with another partition count, or is not ready in time
     */
    public Uuid createTopicIfAbsent(final String name, final int partitions, final Map<String, String> configs) {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(configs, "configs");
        if (partitions < 1) {
            throw new IllegalArgumentException("partitions must be >= 1, was " + partitions + " (topic=" + name + ")");
        }
        final Admin client = startedAdmin();
        final long startNanos = System.nanoTime();
        boolean created = true;
        try {
            await(client.createTopics(List.of(new NewTopic(name, partitions, (short) 1).configs(configs))).all(),
                    "create topic " + name);
        } catch (KafkaOperationException e) {
            if (!(e.getCause() instanceof TopicExistsException)) {
                throw e;
            }
            created = false;
        }
        final TopicDescription description = awaitTopicReady(client, name, partitions);
        LOG.info("Topic {} {} with {} partitions, id {}, ready in {} ms", name, created ? "created" : "already existed",
                partitions, description.topicId(), elapsedMillis(startNanos));
        return description.topicId();
    }

    /**
     * Stops the broker and controller, after closing this object's own admin client. Idempotent. Data stays
     * in the data directory; a new instance on the same directory resumes from it.
     */
    @Override
    public synchronized void close() {
        if (state == State.CLOSED) {
            return;
        }
        final boolean wasStarted = state == State.STARTED;
        state = State.CLOSED;
        final long startNanos = System.nanoTime();
        if (admin != null) {
            admin.close(Duration.ofSeconds(5));
            admin = null;
        }
        if (server != null) {
            shutDownQuietly(server);
            server = null;
        }
        if (wasStarted) {
            LOG.info("Kafka stopped in {} ms ({})", elapsedMillis(startNanos), describe());
        }
    }

    @Override
    public String toString() {
        return "EmbeddedKafka[" + describe() + "]";
    }

    private Properties brokerProperties() {
        final Properties props = new Properties();
        props.put("process.roles", "broker,controller");
        props.put("node.id", Integer.toString(NODE_ID));
        props.put("controller.quorum.voters", NODE_ID + "@" + LOOPBACK + ":" + controllerPort);
        props.put("listeners", BROKER_LISTENER + "://" + LOOPBACK + ":" + brokerPort + ","
                + CONTROLLER_LISTENER + "://" + LOOPBACK + ":" + controllerPort);
        props.put("advertised.listeners", BROKER_LISTENER + "://" + LOOPBACK + ":" + brokerPort);
        props.put("listener.security.protocol.map", BROKER_LISTENER + ":PLAINTEXT," + CONTROLLER_LISTENER + ":PLAINTEXT");
        props.put("controller.listener.names", CONTROLLER_LISTENER);
        props.put("inter.broker.listener.name", BROKER_LISTENER);
        props.put("log.dirs", logDir.toString());
        props.put("metadata.log.dir", logDir.toString());

        // A single node: every internal topic and every default must be satisfiable with one replica.
        props.put("offsets.topic.replication.factor", "1");
        props.put("transaction.state.log.replication.factor", "1");
        props.put("transaction.state.log.min.isr", "1");
        props.put("share.coordinator.state.topic.replication.factor", "1");
        props.put("share.coordinator.state.topic.min.isr", "1");
        props.put("default.replication.factor", "1");
        props.put("min.insync.replicas", "1");
        // Internal topics are created on first use; 50 partitions each (the default) cost seconds here.
        props.put("offsets.topic.num.partitions", "4");
        props.put("transaction.state.log.num.partitions", "4");
        props.put("share.coordinator.state.topic.num.partitions", "4");

        props.put("group.initial.rebalance.delay.ms", "0");
        props.put("auto.create.topics.enable", "false");
        // The log is the source of truth: never delete it by age or size.
        props.put("log.retention.ms", "-1");
        props.put("log.retention.bytes", "-1");
        // Bound a startup that cannot complete instead of hanging forever.
        props.put("server.max.startup.time.ms", Long.toString(OPERATION_TIMEOUT.toMillis()));
        return props;
    }

    private void formatIfNeeded() {
        if (Files.exists(logDir.resolve("meta.properties"))) {
            return;
        }
        final String newClusterId = Uuid.randomUuid().toString();
        final ByteArrayOutputStream output = new ByteArrayOutputStream();
        try (PrintStream printStream = new PrintStream(output, true, StandardCharsets.UTF_8)) {
            new Formatter()
                    .setPrintStream(printStream)
                    .setNodeId(NODE_ID)
                    .setClusterId(newClusterId)
                    .addDirectory(logDir.toString())
                    .setMetadataLogDirectory(logDir.toString())
                    .setControllerListenerName(CONTROLLER_LISTENER)
                    .setReleaseVersion(MetadataVersion.LATEST_PRODUCTION)
                    .run();
        } catch (Exception e) {
            throw new IllegalStateException("cannot format Kafka log dir " + logDir + " (clusterId=" + newClusterId
                    + ", formatter output: " + output.toString(StandardCharsets.UTF_8).strip() + "): " + e.getMessage(), e);
        }
        LOG.info("Formatted Kafka log dir {} with cluster id {} and metadata version {}", logDir, newClusterId,
                MetadataVersion.LATEST_PRODUCTION);
    }

    private TopicDescription awaitTopicReady(final Admin client, final String name, final int partitions) {
        final long deadline = System.nanoTime() + OPERATION_TIMEOUT.toNanos();
        String lastProblem = "not checked yet";
        while (true) {
            final TopicDescription description = describeTopicOrNull(client, name);
            if (description != null) {
                if (description.partitions().size() != partitions) {
                    throw new IllegalStateException("topic " + name + " exists with " + description.partitions().size()
                            + " partitions but " + partitions + " were requested; the partition count of a topic is"
                            + " fixed at creation (topicId=" + description.topicId() + ", " + describe() + ")");
                }
                final long leaderless = description.partitions().stream().filter(p -> p.leader() == null).count();
                final Set<Integer> hosted = hostedPartitions(client, name);
                final Set<Integer> expected = description.partitions().stream()
                        .map(TopicPartitionInfo::partition).collect(Collectors.toSet());
                if (leaderless == 0 && hosted.containsAll(expected)) {
                    return description;
                }
                lastProblem = leaderless + " partitions without leader, " + hosted.size() + " of " + partitions
                        + " partitions in the broker's log dir";
            } else {
                lastProblem = "topic not yet in metadata";
            }
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("topic " + name + " not ready after " + OPERATION_TIMEOUT.toMillis()
                        + " ms: " + lastProblem + " (" + describe() + ")");
            }
            sleep(READY_POLL_INTERVAL);
        }
    }

    private TopicDescription describeTopicOrNull(final Admin client, final String name) {
        try {
            return await(client.describeTopics(List.of(name)).topicNameValues().get(name), "describe topic " + name);
        } catch (KafkaOperationException e) {
            if (e.getCause() instanceof UnknownTopicOrPartitionException) {
                return null;
            }
            throw e;
        }
    }

    private Set<Integer> hostedPartitions(final Admin client, final String name) {
        final Map<Integer, Map<String, LogDirDescription>> byBroker =
                await(client.describeLogDirs(List.of(NODE_ID)).allDescriptions(), "describe log dirs");
        return byBroker.getOrDefault(NODE_ID, Map.of()).values().stream()
                .flatMap(dir -> dir.replicaInfos().keySet().stream())
                .filter(tp -> tp.topic().equals(name))
                .map(TopicPartition::partition)
                .collect(Collectors.toSet());
    }

    private synchronized Admin startedAdmin() {
        requireStarted();
        return admin;
    }

    private void requireStarted() {
        if (state != State.STARTED) {
            throw new IllegalStateException("EmbeddedKafka is not running, state=" + state + " (logDir=" + logDir + ")");
        }
    }

    private String describe() {
        return "bootstrap=" + LOOPBACK + ":" + brokerPort + ", controllerPort=" + controllerPort + ", logDir=" + logDir
                + (clusterId != null ? ", clusterId=" + clusterId : "");
    }

    private <T> T await(final KafkaFuture<T> future, final String what) {
        try {
            return future.get(OPERATION_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
        } catch (ExecutionException e) {
            throw new KafkaOperationException(what + " failed (" + describe() + "): " + e.getCause().getMessage(), e.getCause());
        } catch (TimeoutException e) {
            throw new KafkaOperationException(what + " timed out after " + OPERATION_TIMEOUT.toMillis() + " ms ("
                    + describe() + ")", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new KafkaOperationException(what + " interrupted (" + describe() + ")", e);
        }
    }

    private static void shutDownQuietly(final KafkaRaftServer target) {
        try {
            target.shutdown();
            target.awaitShutdown();
        } catch (RuntimeException e) {
            LOG.warn("Error while shutting down Kafka", e);
        }
    }

    private static void sleep(final Duration duration) {
        try {
            Thread.sleep(duration);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while waiting for Kafka", e);
        }
    }

    private static long elapsedMillis(final long startNanos) {
        return TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - startNanos);
    }

    /** A Kafka admin operation failed or timed out; the cause is the Kafka exception when there is one. */
    public static final class KafkaOperationException extends RuntimeException {
        private static final long serialVersionUID = 1L;

        KafkaOperationException(final String message, final Throwable cause) {
            super(message, cause);
        }
    }
}
