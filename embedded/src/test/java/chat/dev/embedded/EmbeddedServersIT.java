package chat.dev.embedded;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedReader;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Starts the three embedded servers on fresh directories, uses each, restarts Kafka and PostgreSQL on the same
 * directories and checks that their data survived, and that no server process outlives {@code close()}.
 */
class EmbeddedServersIT {

    private static final String TOPIC = "chat.events";
    private static final int PARTITIONS = 12;
    private static final String DATABASE = "chat_shard_0";
    private static final Duration WAIT = Duration.ofSeconds(30);

    @TempDir
    Path dir;

    @Test
    void givenFreshDirs_whenServersAreUsedAndRestarted_thenDataSurvivesAndNoServerProcessRemains() throws Exception {
        final Path kafkaDir = dir.resolve("kafka");
        final Path postgresDir = dir.resolve("postgres");
        final Path redisDir = dir.resolve("redis");
        final Uuid topicId;
        final RecordMetadata produced;
        final long postmasterPid;
        final long redisPid;

        // Given: all three servers on fresh directories
        try (EmbeddedKafka kafka = new EmbeddedKafka(kafkaDir, 0);
             EmbeddedPostgresServer postgres = new EmbeddedPostgresServer(postgresDir, 0);
             EmbeddedRedisServer redis = new EmbeddedRedisServer(redisDir, 0)) {
            timed("kafka cold start", kafka::start);
            timed("postgres cold start (initdb)", postgres::start);
            timed("redis start", redis::start);
            postmasterPid = postgres.postmasterPid();
            redisPid = redis.pid();
            assertTrue(postmasterPid > 0, "postmaster pid");
            assertTrue(redisPid > 0, "redis-server pid");

            // When: a 12-partition topic is created, then a record produced and consumed
            topicId = kafka.createTopicIfAbsent(TOPIC, PARTITIONS, Map.of("min.insync.replicas", "1"));
            assertEquals(topicId, kafka.createTopicIfAbsent(TOPIC, PARTITIONS, Map.of()), "idempotent create");
            final IllegalStateException mismatch = assertThrows(IllegalStateException.class,
                    () -> kafka.createTopicIfAbsent(TOPIC, 6, Map.of()));
            assertTrue(mismatch.getMessage().contains("exists with 12 partitions but 6 were requested"), mismatch.getMessage());

            try (KafkaProducer<String, String> producer = producer(kafka.bootstrapServers())) {
                produced = producer.send(new ProducerRecord<>(TOPIC, "team-1", "hello")).get(WAIT.toSeconds(), TimeUnit.SECONDS);
            }
            try (KafkaConsumer<String, String> consumer = consumer(kafka.bootstrapServers(), "it-group")) {
                consumer.subscribe(List.of(TOPIC));
                final ConsumerRecord<String, String> record = pollFirst(consumer);
                assertEquals("team-1", record.key());
                assertEquals("hello", record.value());
                assertEquals(produced.partition(), record.partition());
                consumer.commitSync(WAIT);
            }

            // And: a database with a table and a row
            assertTrue(postgres.ensureDatabase(DATABASE), "first ensureDatabase creates");
            assertFalse(postgres.ensureDatabase(DATABASE), "second ensureDatabase is a no-op");
            try (Connection c = DriverManager.getConnection(postgres.jdbcUrl(DATABASE), postgres.user(), postgres.password());
                 Statement s = c.createStatement()) {
                s.execute("CREATE TABLE greeting (id int PRIMARY KEY, text varchar NOT NULL)");
                s.execute("INSERT INTO greeting VALUES (1, 'hello')");
                assertEquals("hello", singleString(s, "SELECT text FROM greeting WHERE id = 1"));
            }

            // And: a second server cannot take over a data directory in use (nor stop its postmaster)
            final IllegalStateException inUse = assertThrows(IllegalStateException.class,
                    () -> new EmbeddedPostgresServer(postgresDir, 0).start());
            assertTrue(inUse.getMessage().contains("in use"), inUse.getMessage());
            assertTrue(isRunning(postmasterPid), "running postmaster left alone");

            // And: a Redis key, over plain RESP
            try (Socket socket = new Socket("127.0.0.1", redis.port())) {
                socket.setSoTimeout((int) WAIT.toMillis());
                assertEquals("OK", resp(socket, "SET", "greeting", "hello"));
                assertEquals("hello", resp(socket, "GET", "greeting"));
            }
            assertTrue(redis.uri().startsWith("redis://127.0.0.1:"), redis.uri());
        }

        // Then: no server process outlives close()
        assertServerProcessesGone(postmasterPid, redisPid);
        assertFalse(redisDir.resolve("dump.rdb").toFile().exists(), "no RDB snapshot with save \"\"");
        assertFalse(Path.of("dump.rdb").toFile().exists(), "no dump.rdb in the working directory");

        // When: Kafka and PostgreSQL restart on the same directories
        final long restartedPostmasterPid;
        try (EmbeddedKafka kafka = new EmbeddedKafka(kafkaDir, 0);
             EmbeddedPostgresServer postgres = new EmbeddedPostgresServer(postgresDir, 0)) {
            timed("kafka warm start", kafka::start);
            timed("postgres warm start", postgres::start);
            restartedPostmasterPid = postgres.postmasterPid();

            // Then: the topic kept its id, its 12 partitions and its record
            assertEquals(topicId, kafka.createTopicIfAbsent(TOPIC, PARTITIONS, Map.of()), "same topic id after restart");
            try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers()))) {
                final TopicDescription description = admin.describeTopics(List.of(TOPIC)).topicNameValues().get(TOPIC)
                        .get(WAIT.toSeconds(), TimeUnit.SECONDS);
                assertEquals(PARTITIONS, description.partitions().size());
                assertEquals(topicId, description.topicId());
            }
            try (KafkaConsumer<String, String> consumer = consumer(kafka.bootstrapServers(), null)) {
                final TopicPartition partition = new TopicPartition(TOPIC, produced.partition());
                consumer.assign(List.of(partition));
                consumer.seek(partition, produced.offset());
                final ConsumerRecord<String, String> record = pollFirst(consumer);
                assertEquals("hello", record.value());
                assertEquals(produced.offset(), record.offset());
            }

            // And: the database, table and row are still there
            assertFalse(postgres.ensureDatabase(DATABASE), "database survived the restart");
            try (Connection c = DriverManager.getConnection(postgres.jdbcUrl(DATABASE), postgres.user(), postgres.password());
                 Statement s = c.createStatement()) {
                assertEquals("hello", singleString(s, "SELECT text FROM greeting WHERE id = 1"));
            }
        }
        assertServerProcessesGone(restartedPostmasterPid, -1);
    }

    @Test
    void givenServersOrphanedByKilledJvm_whenStartedAgain_thenStopsOrphansAndKeepsData() throws Exception {
        final Path postgresDir = dir.resolve("postgres");
        final Path redisDir = dir.resolve("redis");

        // Given: a JVM that started PostgreSQL and Redis, wrote a row, and was killed with SIGKILL
        final Process child = new ProcessBuilder(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp", System.getProperty("java.class.path"),
                OrphaningMain.class.getName(), postgresDir.toString(), redisDir.toString())
                .redirectErrorStream(true)
                .start();
        final long[] orphanPids;
        try {
            orphanPids = CompletableFuture.supplyAsync(() -> awaitReadyLine(child.getInputStream()))
                    .get(90, TimeUnit.SECONDS);
        } finally {
            child.destroyForcibly();
            assertTrue(child.waitFor(WAIT.toSeconds(), TimeUnit.SECONDS), "killed child JVM exits");
        }
        final long orphanPostmaster = orphanPids[0];
        final long orphanRedis = orphanPids[1];
        assertTrue(isRunning(orphanPostmaster), "pg_ctl detaches the postmaster, so it outlives the killed JVM");
        assertTrue(isRunning(orphanRedis), "redis-server outlives the killed JVM");

        // When: new servers start on the same directories
        try (EmbeddedPostgresServer postgres = new EmbeddedPostgresServer(postgresDir, 0);
             EmbeddedRedisServer redis = new EmbeddedRedisServer(redisDir, 0)) {
            timed("postgres start over an orphaned postmaster", postgres::start);
            timed("redis start over an orphaned redis-server", redis::start);

            // Then: the orphans are gone and the database kept its row
            assertFalse(isRunning(orphanPostmaster), "orphaned postmaster stopped");
            assertFalse(isRunning(orphanRedis), "orphaned redis-server stopped");
            try (Connection c = DriverManager.getConnection(postgres.jdbcUrl("crash_test"), postgres.user(), postgres.password());
                 Statement s = c.createStatement()) {
                assertEquals("before the crash", singleString(s, "SELECT text FROM note"));
            }
        }
    }

    /** Entry point of the child JVM of the orphan test: starts PostgreSQL and Redis, writes a row, waits to be killed. */
    public static final class OrphaningMain {
        public static void main(final String[] args) throws Exception {
            final EmbeddedPostgresServer postgres = new EmbeddedPostgresServer(Path.of(args[0]), 0);
            final EmbeddedRedisServer redis = new EmbeddedRedisServer(Path.of(args[1]), 0);
            postgres.start();
            redis.start();
            postgres.ensureDatabase("crash_test");
            try (Connection c = DriverManager.getConnection(postgres.jdbcUrl("crash_test"), postgres.user(), postgres.password());
                 Statement s = c.createStatement()) {
                s.execute("CREATE TABLE note (text varchar NOT NULL)");
                s.execute("INSERT INTO note VALUES ('before the crash')");
            }
            System.out.println("READY " + postgres.postmasterPid() + " " + redis.pid());
            System.out.flush();
            // Bounded in case the parent dies: exits normally (stopping both servers) after 5 minutes.
            Thread.sleep(Duration.ofMinutes(5));
            redis.close();
            postgres.close();
        }
    }

    /** Reads the child's output up to its {@code READY <postmasterPid> <redisPid>} line. */
    private static long[] awaitReadyLine(final InputStream output) {
        try {
            final BufferedReader reader = new BufferedReader(new InputStreamReader(output, StandardCharsets.UTF_8));
            final List<String> seen = new ArrayList<>();
            String line;
            while ((line = reader.readLine()) != null) {
                if (line.startsWith("READY ")) {
                    final String[] pids = line.substring("READY ".length()).strip().split(" ");
                    return new long[] {Long.parseLong(pids[0]), Long.parseLong(pids[1])};
                }
                seen.add(line);
            }
            throw new IllegalStateException("child JVM exited without READY; output:\n" + String.join("\n", seen));
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    private static void assertServerProcessesGone(final long postmasterPid, final long redisPid) {
        assertFalse(isRunning(postmasterPid), "postmaster pid " + postmasterPid + " still running");
        if (redisPid > 0) {
            assertFalse(ProcessHandle.of(redisPid).map(ProcessHandle::isAlive).orElse(false),
                    "redis-server pid " + redisPid + " still alive");
        }
        final List<String> leftovers = ProcessHandle.current().descendants()
                .filter(ServerProcesses::isRunning)
                .map(p -> p.pid() + " " + p.info().command().orElse("?"))
                .filter(c -> c.contains("postgres") || c.contains("redis-server") || c.contains("pg_ctl"))
                .toList();
        assertEquals(List.of(), leftovers, "server processes left among this JVM's descendants");
    }

    /** Alive and not a zombie waiting for init to reap it (see {@link ServerProcesses#isRunning}). */
    private static boolean isRunning(final long pid) {
        return ProcessHandle.of(pid).map(ServerProcesses::isRunning).orElse(false);
    }

    private static KafkaProducer<String, String> producer(final String bootstrap) {
        final Properties props = new Properties();
        props.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        props.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
        props.put(ProducerConfig.ACKS_CONFIG, "all");
        props.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, (int) WAIT.toMillis());
        props.put(ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, (int) WAIT.toMillis() / 2);
        return new KafkaProducer<>(props, new StringSerializer(), new StringSerializer());
    }

    private static KafkaConsumer<String, String> consumer(final String bootstrap, final String groupId) {
        final Properties props = new Properties();
        props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        props.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        if (groupId != null) {
            props.put(ConsumerConfig.GROUP_ID_CONFIG, groupId);
        }
        return new KafkaConsumer<>(props, new StringDeserializer(), new StringDeserializer());
    }

    private static ConsumerRecord<String, String> pollFirst(final KafkaConsumer<String, String> consumer) {
        final long deadline = System.nanoTime() + WAIT.toNanos();
        while (System.nanoTime() < deadline) {
            for (ConsumerRecord<String, String> record : consumer.poll(Duration.ofMillis(200))) {
                return record;
            }
        }
        throw new AssertionError("no record consumed within " + WAIT.toMillis() + " ms (assignment=" + consumer.assignment() + ")");
    }

    private static String singleString(final Statement statement, final String sql) throws SQLException {
        try (ResultSet rs = statement.executeQuery(sql)) {
            assertTrue(rs.next(), "one row from " + sql);
            final String value = rs.getString(1);
            assertFalse(rs.next(), "only one row from " + sql);
            return value;
        }
    }

    /** Sends one command as a RESP array of bulk strings and returns a simple-string or bulk-string reply. */
    private static String resp(final Socket socket, final String... command) throws IOException {
        final ByteArrayOutputStream request = new ByteArrayOutputStream();
        request.writeBytes(("*" + command.length + "\r\n").getBytes(StandardCharsets.UTF_8));
        for (String part : command) {
            final byte[] bytes = part.getBytes(StandardCharsets.UTF_8);
            request.writeBytes(("$" + bytes.length + "\r\n").getBytes(StandardCharsets.UTF_8));
            request.writeBytes(bytes);
            request.writeBytes("\r\n".getBytes(StandardCharsets.UTF_8));
        }
        final OutputStream out = socket.getOutputStream();
        out.write(request.toByteArray());
        out.flush();

        final InputStream in = socket.getInputStream();
        final String header = readLine(in);
        return switch (header.charAt(0)) {
            case '+' -> header.substring(1);
            case '$' -> {
                final int length = Integer.parseInt(header.substring(1));
                if (length < 0) {
                    yield null;
                }
                final byte[] body = in.readNBytes(length);
                readLine(in); // trailing CRLF
                yield new String(body, StandardCharsets.UTF_8);
            }
            default -> throw new IOException("unexpected RESP reply to " + command[0] + ": " + header);
        };
    }

    private static String readLine(final InputStream in) throws IOException {
        final ByteArrayOutputStream line = new ByteArrayOutputStream();
        int previous = -1;
        int current;
        while ((current = in.read()) != -1) {
            if (previous == '\r' && current == '\n') {
                final byte[] bytes = line.toByteArray();
                return new String(bytes, 0, bytes.length - 1, StandardCharsets.UTF_8);
            }
            line.write(current);
            previous = current;
        }
        throw new IOException("connection closed in the middle of a RESP reply");
    }

    private static void timed(final String what, final Runnable action) {
        final long start = System.nanoTime();
        action.run();
        System.out.printf("TIMING %s: %d ms%n", what, TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start));
    }
}
