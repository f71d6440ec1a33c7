package chat.dev;

import chat.common.auth.DevTokens;
import chat.common.shard.ShardDataSources;
import chat.common.shard.ShardMap;
import chat.common.shard.ShardMigrations;
import chat.dev.embedded.EmbeddedKafka;
import chat.dev.embedded.EmbeddedPostgresServer;
import chat.dev.embedded.EmbeddedRedisServer;
import chat.schemas.Topics;
import io.micronaut.context.ApplicationContext;
import io.micronaut.runtime.server.EmbeddedServer;
import org.apache.kafka.common.Uuid;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * The whole platform in one JVM: an embedded single-node Kafka (KRaft), one PostgreSQL server
 * holding the shard databases, a Redis server, and every service (ingest, projector, edge)
 * in one Micronaut application on one HTTP port. The services are the production code, wired
 * with configuration that points at the embedded servers; nothing on the paths that matter is
 * dev-only.
 *
 * <pre>{@code
 * try (DevStack stack = DevStack.start(DevStack.Options.defaults().withFresh(true))) {
 *     System.out.println(stack.httpUrl());
 * }
 * }</pre>
 */
public final class DevStack implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(DevStack.class);

    /**
     * How to start the stack.
     *
     * @param dataDir    where every server keeps its data (kept across restarts)
     * @param fresh      delete {@code dataDir} first
     * @param httpPort   the one HTTP/WebSocket port of all services; 0 picks a free one
     * @param kafkaPort  Kafka broker port; 0 picks a free one
     * @param pgPort     PostgreSQL port; 0 picks a free one
     * @param redisPort  Redis port; 0 picks a free one
     * @param partitions partition count of {@code chat.events}, fixed at creation
     * @param shards     number of shard databases
     * @param properties extra Micronaut properties, overriding the stack's
     */
    public record Options(Path dataDir, boolean fresh, int httpPort, int kafkaPort, int pgPort, int redisPort,
                          int partitions, int shards, Map<String, Object> properties) {
        public Options {
            properties = Map.copyOf(properties);
            if (shards < 1 || shards > partitions) {
                throw new IllegalArgumentException("shards must be 1.." + partitions + ", got " + shards);
            }
        }

        /** {@code ./.chat-data}, ports 8080/19092/15432/16379, 12 partitions, 4 shards. */
        public static Options defaults() {
            return new Options(Path.of(".chat-data"), false, 8080, 19092, 15432, 16379, 12, 4, Map.of());
        }

        public Options withDataDir(final Path dir) {
            return new Options(dir, fresh, httpPort, kafkaPort, pgPort, redisPort, partitions, shards, properties);
        }

        public Options withFresh(final boolean f) {
            return new Options(dataDir, f, httpPort, kafkaPort, pgPort, redisPort, partitions, shards, properties);
        }

        public Options withPorts(final int http, final int kafka, final int pg, final int redis) {
            return new Options(dataDir, fresh, http, kafka, pg, redis, partitions, shards, properties);
        }

        public Options withLayout(final int p, final int s) {
            return new Options(dataDir, fresh, httpPort, kafkaPort, pgPort, redisPort, p, s, properties);
        }

        public Options withProperties(final Map<String, Object> extra) {
            final Map<String, Object> merged = new HashMap<>(properties);
            merged.putAll(extra);
            return new Options(dataDir, fresh, httpPort, kafkaPort, pgPort, redisPort, partitions, shards, merged);
        }
    }

    private final Options options;
    private final List<AutoCloseable> toClose = new ArrayList<>();
    private EmbeddedKafka kafka;
    private EmbeddedPostgresServer postgres;
    private EmbeddedRedisServer redis;
    private ShardMap shardMap;
    private List<String> shardUrls;
    private Uuid topicId;
    private EmbeddedServer server;
    private Map<String, Object> serviceProperties;
    private final List<EmbeddedServer> extraEdges = new ArrayList<>();

    private DevStack(final Options options) {
        this.options = options;
    }

    /** Starts every server and service; on failure stops what was started and rethrows. */
    public static DevStack start(final Options options) {
        final DevStack stack = new DevStack(options);
        try {
            stack.startAll();
            return stack;
        } catch (RuntimeException | Error e) {
            stack.close();
            throw e;
        }
    }

    private void startAll() {
        final long t0 = System.nanoTime();
        final Path data = options.dataDir().toAbsolutePath();
        if (options.fresh()) {
            deleteRecursively(data);
        }
        mkdirs(data);

        redis = new EmbeddedRedisServer(data.resolve("redis"), options.redisPort());
        toClose.add(redis);
        redis.start();
        postgres = new EmbeddedPostgresServer(data.resolve("postgres"), options.pgPort());
        toClose.add(postgres);
        postgres.start();
        kafka = new EmbeddedKafka(data.resolve("kafka"), options.kafkaPort());
        toClose.add(kafka);
        kafka.start();

        topicId = kafka.createTopicIfAbsent(Topics.EVENTS, options.partitions(), Map.of(
                "retention.ms", "-1",
                "retention.bytes", "-1",
                "message.timestamp.type", "LogAppendTime",
                "min.insync.replicas", "1"));
        kafka.createTopicIfAbsent(Topics.DLQ, Math.min(3, options.partitions()), Map.of("retention.ms", "-1"));

        shardMap = loadOrWriteShardMap(data.resolve("shard-map.json"));
        shardUrls = new ArrayList<>();
        for (int s = 0; s < shardMap.shards(); s++) {
            final String db = "chat_shard_" + s;
            postgres.ensureDatabase(db);
            shardUrls.add(postgres.jdbcUrl(db));
        }
        try (ShardDataSources pools = ShardDataSources.open(shardUrls, postgres.user(), postgres.password(), 1, "devstack")) {
            for (int s = 0; s < pools.count(); s++) {
                ShardMigrations.apply(pools.shard(s));
            }
        } catch (SQLException e) {
            throw new IllegalStateException("cannot migrate shard databases: " + e.getMessage(), e);
        }

        final Map<String, Object> props = new HashMap<>();
        props.put("micronaut.application.name", "chat-dev");
        props.put("micronaut.server.port", options.httpPort());
        props.put("micronaut.server.host", "127.0.0.1");
        props.put("micronaut.server.max-request-size", "1MB");
        props.put("chat.region", "dev");
        props.put("chat.kafka.bootstrap-servers", kafka.bootstrapServers());
        props.put("chat.kafka.partitions", options.partitions());
        props.put("chat.shards.jdbc-urls", String.join(",", shardUrls));
        props.put("chat.shards.user", postgres.user());
        props.put("chat.shards.password", postgres.password());
        props.put("chat.shards.map-file", data.resolve("shard-map.json").toString());
        props.put("chat.projector.state-dir", data.resolve("streams").toString());
        // One projector instance with a stable identity: a restart takes its partitions back at once.
        props.put("chat.projector.instance-id", "dev-0");
        props.put("redis.uri", redis.uri());
        // Search: one Lucene index per partition under the data dir, every partition in this JVM;
        // admin endpoints (status, rebuild, checksum) with a dev-only token.
        props.put("chat.search.index-dir", data.resolve("search").toString());
        props.put("chat.search.admin-token", "dev-search-admin");
        // JWT: HS256 with a secret kept in the data directory, so tokens survive a restart; the dev
        // stack (only) mints tokens at POST /api/v1/dev/tokens?user=alice.
        props.put(DevTokens.SECRET_PROPERTY, devSecret(data.resolve("dev-jwt-secret")));
        props.put("chat.auth.dev-tokens.enabled", "true");
        // GET /health with every part's details (kafka, shards, redis, projector, edge): dev only;
        // production keeps details for authenticated callers.
        props.put("endpoints.health.details-visible", "ANONYMOUS");
        props.putAll(options.properties());
        serviceProperties = Map.copyOf(props);
        final ApplicationContext context = ApplicationContext.builder()
                .properties(props)
                .environments("dev")
                .deduceEnvironment(false)
                .start();
        toClose.add(context::close);
        server = context.getBean(EmbeddedServer.class).start();
        LOG.info("dev stack up in {} ms: http={} kafka={} postgres=127.0.0.1:{} redis={} shards={} map={}",
                (System.nanoTime() - t0) / 1_000_000, httpUrl(), kafka.bootstrapServers(), postgres.port(),
                redis.uri(), shardUrls.size(), shardMap);
    }

    /** The HS256 secret of this data directory: read, or made once (owner-only file). */
    private static String devSecret(final Path file) {
        try {
            if (Files.exists(file)) {
                return Files.readString(file).trim();
            }
            final String secret = DevTokens.randomSecret();
            Files.writeString(file, secret + "\n");
            try {
                Files.setPosixFilePermissions(file, java.nio.file.attribute.PosixFilePermissions.fromString("rw-------"));
            } catch (UnsupportedOperationException e) {
                // not a POSIX file system: the data directory's own permissions apply
            }
            return secret;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read or write " + file, e);
        }
    }

    /** The JWT settings of the stack's services, for another service context that must accept the same tokens. */
    public Map<String, Object> authProperties() {
        return Map.of(DevTokens.SECRET_PROPERTY, serviceProperties.get(DevTokens.SECRET_PROPERTY));
    }

    /** Mints tokens the stack's services accept (dev and tests only). */
    public DevTokens tokens() {
        return new DevTokens((String) serviceProperties.get(DevTokens.SECRET_PROPERTY));
    }

    private ShardMap loadOrWriteShardMap(final Path file) {
        try {
            if (Files.exists(file)) {
                final ShardMap existing = ShardMap.parse(Files.readString(file));
                if (existing.partitions() != options.partitions() || existing.shards() != options.shards()) {
                    throw new IllegalStateException("the data directory holds a shard map for " + existing.partitions()
                            + " partitions / " + existing.shards() + " shards (" + file + "), but "
                            + options.partitions() + "/" + options.shards()
                            + " were requested; start with --fresh or the same layout");
                }
                return existing;
            }
            final ShardMap map = ShardMap.modulo(options.partitions(), options.shards());
            Files.writeString(file, map.toJson() + "\n");
            return map;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read or write " + file, e);
        }
    }

    /**
     * Starts one more WebSocket edge in this JVM: its own Micronaut context (own consumer, own
     * sockets, nothing shared with the stack's edge but the log) on {@code port} (0 picks a free
     * one), with the projector disabled and no shard or Redis configuration. Stopped by
     * {@link #close()} (or {@link #stopEdge}) before the servers.
     *
     * <pre>{@code
     * EmbeddedServer edge2 = stack.startEdge(0);
     * String url = "ws://127.0.0.1:" + edge2.getPort() + "/ws";
     * }</pre>
     */
    public synchronized EmbeddedServer startEdge(final int port) {
        return startEdge(port, Map.of());
    }

    /** {@link #startEdge(int)} with extra properties for this edge only (e.g. {@code chat.edge.max-queued-frames}). */
    public synchronized EmbeddedServer startEdge(final int port, final Map<String, Object> extra) {
        final Map<String, Object> props = new HashMap<>();
        props.put("micronaut.application.name", "chat-dev-edge");
        props.put("micronaut.server.port", port == 0 ? -1 : port);
        props.put("micronaut.server.host", "127.0.0.1");
        props.put("chat.region", serviceProperties.get("chat.region"));
        props.put("chat.kafka.bootstrap-servers", kafka.bootstrapServers());
        props.put("chat.kafka.partitions", options.partitions());
        props.put("chat.projector.enabled", "false");
        props.put("endpoints.health.details-visible", "ANONYMOUS");
        serviceProperties.forEach((k, v) -> {
            // edge settings, and the shards (membership checks, read API) and Redis it reads
            if (k.startsWith("chat.edge.") || k.startsWith("chat.shards.") || k.startsWith("redis.")
                    || k.startsWith("micronaut.security.")) {
                props.put(k, v);
            }
        });
        props.putAll(extra);
        final ApplicationContext context = ApplicationContext.builder()
                .properties(props)
                .environments("dev")
                .deduceEnvironment(false)
                .start();
        final EmbeddedServer edge;
        try {
            edge = context.getBean(EmbeddedServer.class).start();
        } catch (RuntimeException e) {
            context.close();
            throw e;
        }
        extraEdges.add(edge);
        toClose.add(() -> stopEdge(edge));
        LOG.info("extra websocket edge up: ws://127.0.0.1:{}/ws", edge.getPort());
        return edge;
    }

    /** Stops an edge started by {@link #startEdge} (its clients are told 4000: reconnect elsewhere). */
    public synchronized void stopEdge(final EmbeddedServer edge) {
        if (extraEdges.remove(edge)) {
            edge.getApplicationContext().close();
        }
    }

    /** The WebSocket URLs of every edge: the stack's own first, then those of {@link #startEdge}. */
    public synchronized List<String> edgeWsUrls() {
        final List<String> urls = new ArrayList<>();
        urls.add(wsUrl());
        for (EmbeddedServer e : extraEdges) {
            urls.add("ws://127.0.0.1:" + e.getPort() + "/ws");
        }
        return urls;
    }

    /** {@code http://127.0.0.1:<port>} of every HTTP route. */
    public String httpUrl() {
        return "http://127.0.0.1:" + server.getPort();
    }

    /** The WebSocket endpoint. */
    public String wsUrl() {
        return "ws://127.0.0.1:" + server.getPort() + "/ws";
    }

    public int httpPort() {
        return server.getPort();
    }

    public String bootstrapServers() {
        return kafka.bootstrapServers();
    }

    public EmbeddedKafka kafka() {
        return kafka;
    }

    public EmbeddedPostgresServer postgres() {
        return postgres;
    }

    public EmbeddedRedisServer redis() {
        return redis;
    }

    public List<String> shardJdbcUrls() {
        return List.copyOf(shardUrls);
    }

    public ShardMap shardMap() {
        return shardMap;
    }

    /** Kafka's id of {@code chat.events}; with the region it forms the epoch. */
    public Uuid topicId() {
        return topicId;
    }

    public ApplicationContext context() {
        return server.getApplicationContext();
    }

    public Options options() {
        return options;
    }

    /** Stops services first, then Kafka (clients before broker), PostgreSQL and Redis. Idempotent. */
    @Override
    public synchronized void close() {
        for (int i = toClose.size() - 1; i >= 0; i--) {
            try {
                toClose.get(i).close();
            } catch (Exception e) {
                LOG.warn("while stopping {}: {}", toClose.get(i), e.toString());
            }
        }
        toClose.clear();
    }

    private static void mkdirs(final Path dir) {
        try {
            Files.createDirectories(dir);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create " + dir, e);
        }
    }

    /** Deletes {@code dir} and everything under it; nothing when it does not exist. */
    public static void deleteRecursively(final Path dir) {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> walk = Files.walk(dir)) {
            for (Path p : walk.sorted(Comparator.reverseOrder()).toList()) {
                Files.delete(p);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot delete " + dir, e);
        }
    }
}
