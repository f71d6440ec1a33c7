package chat.dev.it.cache;

import chat.dev.DevStack;
import chat.dev.embedded.EmbeddedRedisServer;
import chat.dev.it.TestStack;
import chat.projector.ProjectorService;
import io.micronaut.context.ApplicationContext;
import io.micronaut.runtime.server.EmbeddedServer;
import org.apache.kafka.streams.KafkaStreams;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;

import static org.awaitility.Awaitility.await;

/**
 * The cache tests' own servers next to the shared stack (whose Redis other tests use): a Redis
 * of their own that they may stop, one service instance with a projector writing through to it
 * and the read API reading from it ("cached"), and one read API with the cache switched off
 * ("shard only", the reference). Both read the shared stack's shards; writes go to its Kafka.
 */
final class CacheStack implements AutoCloseable {
    final DevStack stack;
    final Path redisDir;
    final Path streamsDir;
    final int redisPort;
    EmbeddedRedisServer redis;
    final ApplicationContext cachedContext;
    final ApplicationContext shardContext;
    final Http cached;
    final Http shardOnly;

    CacheStack() throws Exception {
        this(Map.of());
    }

    /** {@code extra}: properties of both instances (e.g. a small {@code chat.read-cache.window}). */
    CacheStack(final Map<String, Object> extra) throws Exception {
        stack = TestStack.get();
        redisDir = Files.createTempDirectory("read-cache-it-redis");
        redis = new EmbeddedRedisServer(redisDir, 0);
        redis.start();
        redisPort = redis.port();
        final Map<String, Object> cachedProps = base();
        cachedProps.put("chat.projector.enabled", true);
        cachedProps.put("chat.projector.application-id", "read-cache-it-" + ProcessHandle.current().pid());
        streamsDir = Files.createTempDirectory("read-cache-it-streams");
        cachedProps.put("chat.projector.state-dir", streamsDir.toString());
        cachedProps.put("chat.projector.commit-interval-ms", 100);
        cachedProps.putAll(extra);
        cachedContext = ApplicationContext.builder().properties(cachedProps).deduceEnvironment(false).start();
        // Tests start once this projector's group has settled: a task that moves to the other stream thread
        // re-reads its checkpoint, which the shared stack's projector has moved on, and the cache refills
        // that partition (counted as a fill, which the tests compare).
        final ProjectorService projector = cachedContext.getBean(ProjectorService.class);
        await().atMost(Duration.ofSeconds(60)).until(() -> projector.state() == KafkaStreams.State.RUNNING);
        cached = new Http("http://127.0.0.1:" + cachedContext.getBean(EmbeddedServer.class).start().getPort());
        final Map<String, Object> shardProps = base();
        shardProps.put("chat.projector.enabled", false);
        shardProps.putAll(extra);
        shardProps.put("chat.read-cache.enabled", false);
        shardContext = ApplicationContext.builder().properties(shardProps).deduceEnvironment(false).start();
        shardOnly = new Http("http://127.0.0.1:" + shardContext.getBean(EmbeddedServer.class).start().getPort());
    }

    private Map<String, Object> base() {
        final Map<String, Object> p = new HashMap<>();
        p.put("micronaut.application.name", "read-cache-it");
        p.put("micronaut.server.port", -1);
        p.put("micronaut.server.host", "127.0.0.1");
        p.putAll(stack.authProperties());
        p.put("chat.kafka.bootstrap-servers", stack.bootstrapServers());
        p.put("chat.kafka.partitions", stack.options().partitions());
        p.put("chat.shards.jdbc-urls", String.join(",", stack.shardJdbcUrls()));
        p.put("chat.shards.user", stack.postgres().user());
        p.put("chat.shards.password", stack.postgres().password());
        p.put("chat.shards.map-file", stack.options().dataDir().toAbsolutePath().resolve("shard-map.json").toString());
        p.put("chat.edge.enabled", false);
        p.put("chat.ingest.rate-limit.enabled", false);
        p.put("redis.uri", "redis://127.0.0.1:" + redisPort);
        return p;
    }

    /** Stops this Redis (SIGTERM), as an outage. */
    void stopRedis() {
        redis.close();
    }

    /** Starts Redis again on the same port and directory (it loads dump.rdb when one was saved). */
    void startRedis() {
        redis = new EmbeddedRedisServer(redisDir, redisPort);
        redis.start();
    }

    @Override
    public void close() {
        shardContext.close();
        cachedContext.close();
        redis.close();
        for (Path dir : new Path[] {redisDir, streamsDir}) {
            try (java.util.stream.Stream<Path> walk = Files.walk(dir)) {
                for (Path p : walk.sorted(java.util.Comparator.reverseOrder()).toList()) {
                    Files.deleteIfExists(p);
                }
            } catch (java.io.IOException e) {
                System.err.println("could not delete " + dir + ": " + e);
            }
        }
    }
}
