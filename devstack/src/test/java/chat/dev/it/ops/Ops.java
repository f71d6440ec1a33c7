package chat.dev.it.ops;

import chat.dev.it.Tokens;
import chat.ctl.ChatCtl;
import chat.dev.DevStack;
import chat.events.EventEnvelope;
import chat.events.MessagePosted;
import chat.schemas.EventCodec;
import chat.schemas.Topics;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArraySerializer;

import java.io.File;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;

/** Helpers of the operator tests: chatctl in-process and as a child JVM, traffic, positions. */
final class Ops {
    static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    static final ObjectMapper JSON = new ObjectMapper();

    private Ops() {
    }

    /** What chatctl printed and returned. */
    record Run(int exitCode, String out, String err) {
        @Override
        public String toString() {
            return "exit " + exitCode + "\n--- out ---\n" + out + "--- err ---\n" + err;
        }
    }

    /** The chatctl options that point at {@code stack}. */
    static List<String> platformArgs(final DevStack stack) {
        return List.of("--bootstrap-servers", stack.bootstrapServers(),
                "--jdbc-urls", String.join(",", stack.shardJdbcUrls()),
                "--db-user", stack.postgres().user(), "--db-password", stack.postgres().password(),
                "--shard-map", stack.options().dataDir().resolve("shard-map.json").toString());
    }

    /** Runs chatctl in this JVM: {@code command} words, then the platform options. */
    static Run ctl(final DevStack stack, final String... command) {
        final List<String> args = new ArrayList<>(List.of(command));
        args.addAll(platformArgs(stack));
        final StringWriter out = new StringWriter();
        final StringWriter err = new StringWriter();
        final int code = ChatCtl.run(args.toArray(String[]::new), new PrintWriter(out), new PrintWriter(err));
        return new Run(code, out.toString(), err.toString());
    }

    /** Starts chatctl as a child JVM (so it can be SIGKILLed), output appended to {@code log}. */
    static Process ctlProcess(final DevStack stack, final File log, final String... command) throws Exception {
        final List<String> cmd = new ArrayList<>();
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        cmd.add("-Xmx384m");
        cmd.add("-cp");
        cmd.add(System.getProperty("java.class.path"));
        cmd.add("chat.ctl.ChatCtl");
        cmd.addAll(List.of(command));
        cmd.addAll(platformArgs(stack));
        return new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.appendTo(log)).start();
    }

    /** What happened to one run of {@link #killAtRandomMoments}. */
    record Kill(int attempt, long delayMs, boolean killed, int exitCode, String lastLine) {
        @Override
        public String toString() {
            return "run " + attempt + (killed ? " SIGKILLed " + delayMs + " ms after its first output" : " exited " + exitCode + " by itself")
                    + " (last output: " + lastLine + ")";
        }
    }

    /**
     * Starts chatctl {@code command} as a child JVM up to {@code kills} times, each time SIGKILLing it a
     * random delay in {@code [minDelayMs, maxDelayMs)} after it printed {@code startMarker} drawn from {@code random} (seeded and logged by the caller,
     * so a failing run can be repeated), and stops early when a run exits by itself. After each run
     * {@code afterEach} checks the invariants that must hold at any crash point.
     */
    static List<Kill> killAtRandomMoments(final DevStack stack, final File log, final java.util.Random random, final int kills,
                                          final long minDelayMs, final long maxDelayMs, final String startMarker,
                                          final java.util.function.Consumer<Kill> afterEach, final String... command)
            throws Exception {
        final List<Kill> out = new ArrayList<>();
        for (int i = 1; i <= kills; i++) {
            final long delay = minDelayMs + (long) (random.nextDouble() * (maxDelayMs - minDelayMs));
            final long before = java.nio.file.Files.exists(log.toPath()) ? java.nio.file.Files.size(log.toPath()) : 0;
            final Process p = ctlProcess(stack, log, command);
            // The clock starts at chatctl's first line of work (JVM up, platform connected): on a loaded 2-core machine
            // the JVM start alone varies by seconds, and a kill before any work proves nothing.
            final long startDeadline = System.nanoTime() + java.util.concurrent.TimeUnit.SECONDS.toNanos(60);
            while (p.isAlive() && !since(log, before).contains(startMarker) && System.nanoTime() < startDeadline) {
                p.waitFor(20, java.util.concurrent.TimeUnit.MILLISECONDS);
            }
            final boolean exited = p.waitFor(delay, java.util.concurrent.TimeUnit.MILLISECONDS);
            if (!exited) {
                p.destroyForcibly(); // SIGKILL on Unix
                if (!p.waitFor(20, java.util.concurrent.TimeUnit.SECONDS)) {
                    throw new IllegalStateException("chatctl did not die within 20 s of SIGKILL (pid " + p.pid() + ")");
                }
            }
            final String mine = since(log, before).strip();
            final String last = mine.isEmpty() ? "(none)" : mine.substring(mine.lastIndexOf('\n') + 1);
            final Kill k = new Kill(i, delay, !exited, p.exitValue(), last);
            System.out.println("random kill: " + k);
            out.add(k);
            afterEach.accept(k);
            if (exited) {
                break;
            }
        }
        return out;
    }

    private static String since(final File log, final long offset) throws java.io.IOException {
        final String text = java.nio.file.Files.readString(log.toPath());
        return text.substring((int) Math.min(offset, text.length()));
    }

    /** The seed of the random kill tests: {@code -Dchat.it.seed=N} repeats a run, else a fresh one (printed). */
    static long seed(final String test) {
        final String given = System.getProperty("chat.it.seed");
        final long seed = given != null && !given.isBlank() ? Long.parseLong(given.trim()) : System.nanoTime();
        System.out.println(test + ": random seed " + seed + " (repeat with -Dchat.it.seed=" + seed + ")");
        return seed;
    }

    /** The author of every test post; it creates (and so is a member of) the teams and channels. */
    static final String USER = "operator";
    /** Rejected posts by status and body, for diagnosis. */
    static final Map<String, Integer> FAILURES = new java.util.concurrent.ConcurrentHashMap<>();
    private static final java.util.Set<String> PROVISIONED = java.util.concurrent.ConcurrentHashMap.newKeySet();

    /** Creates team and public channel as {@link #USER} once per stack ("exists" answers are fine). */
    static void provision(final DevStack stack, final String team, final String channel) {
        if (PROVISIONED.contains(stack.httpUrl() + "|" + team + "|" + channel)) {
            return;
        }
        final int t = write(stack, "/api/v1/teams", "{\"teamId\":\"" + team + "\"}");
        final int c = write(stack, "/api/v1/teams/" + team + "/channels", "{\"channelId\":\"" + channel + "\"}");
        if ((t != 201 && t != 409) || (c != 201 && c != 409)) {
            throw new IllegalStateException("cannot provision " + team + "/" + channel + ": " + t + ", " + c);
        }
        PROVISIONED.add(stack.httpUrl() + "|" + team + "|" + channel);
    }

    private static int write(final DevStack stack, final String path, final String body) {
        final HttpRequest request = HttpRequest.newBuilder(URI.create(stack.httpUrl() + path))
                .timeout(Duration.ofSeconds(30)).header("Content-Type", "application/json").header("Authorization", Tokens.bearer(stack, USER))
                .POST(HttpRequest.BodyPublishers.ofString(body, StandardCharsets.UTF_8)).build();
        return HTTP.sendAsync(request, HttpResponse.BodyHandlers.ofString()).join().statusCode();
    }

    /** Posts a message (provisioning team and channel first); completes with the message id on 201, null otherwise. */
    static CompletableFuture<String> post(final DevStack stack, final String team, final String channel, final String text) {
        provision(stack, team, channel);
        final HttpRequest request = HttpRequest.newBuilder(URI.create(stack.httpUrl() + "/api/v1/teams/" + team + "/channels/"
                        + channel + "/messages"))
                .timeout(Duration.ofSeconds(30))
                .header("Content-Type", "application/json")
                .header("Authorization", Tokens.bearer(stack, USER))
                .POST(HttpRequest.BodyPublishers.ofString("{\"text\":\"" + text + "\"}", StandardCharsets.UTF_8)).build();
        return HTTP.sendAsync(request, HttpResponse.BodyHandlers.ofString()).thenApply(r -> {
            if (r.statusCode() != 201) {
                FAILURES.merge(r.statusCode() + " " + r.body().replaceAll("[0-9a-f-]{36}", "<id>"), 1, Integer::sum);
                return null;
            }
            try {
                final JsonNode body = JSON.readTree(r.body());
                return body.path("messageId").asText();
            } catch (Exception e) {
                return null;
            }
        }).exceptionally(e -> {
            FAILURES.merge(e.toString(), 1, Integer::sum);
            return null;
        });
    }

    /** Appends {@code count} MessagePosted events straight to chat.events (fast seeding), round-robin over teams. */
    static void seed(final DevStack stack, final String teamPrefix, final int teams, final int count) {
        try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(Map.<String, Object>of(
                ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, stack.bootstrapServers(),
                ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true,
                ProducerConfig.ACKS_CONFIG, "all",
                ProducerConfig.LINGER_MS_CONFIG, 5), new ByteArraySerializer(), new ByteArraySerializer())) {
            for (int i = 0; i < count; i++) {
                final String team = teamPrefix + (i % teams);
                final EventEnvelope e = EventEnvelope.newBuilder()
                        .setEventId(UUID.randomUUID().toString())
                        .setTeamId(team)
                        .setActorId("seeder")
                        .setOccurredAt(Instant.ofEpochMilli(1_700_000_000_000L + i))
                        .setSchemaVersion(EventCodec.CURRENT_VERSION)
                        .setPayload(MessagePosted.newBuilder().setChannelId("c" + (i % 5))
                                .setMessageId(UUID.randomUUID().toString()).setText("seeded message " + i)
                                .setThreadRootId(null).setClientMessageId(null).build())
                        .build();
                final byte[] key = team.getBytes(StandardCharsets.UTF_8);
                final ProducerRecord<byte[], byte[]> r = new ProducerRecord<>(Topics.EVENTS, key, EventCodec.encode(e));
                r.headers().add(Topics.HEADER_TEAM, key);
                r.headers().add(Topics.HEADER_CHANNEL, ("c" + (i % 5)).getBytes(StandardCharsets.UTF_8));
                r.headers().add(Topics.HEADER_TYPE, "MessagePosted".getBytes(StandardCharsets.UTF_8));
                producer.send(r);
            }
            producer.flush();
        }
    }

    /** partition -> log end offset of chat.events. */
    static Map<Integer, Long> logEnd(final DevStack stack) throws Exception {
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, stack.bootstrapServers()))) {
            final Map<TopicPartition, OffsetSpec> spec = new HashMap<>();
            for (int p = 0; p < stack.options().partitions(); p++) {
                spec.put(new TopicPartition(Topics.EVENTS, p), OffsetSpec.latest());
            }
            final Map<Integer, Long> out = new HashMap<>();
            admin.listOffsets(spec).all().get().forEach((tp, info) -> {
                if (info.offset() > 0) {
                    out.put(tp.partition(), info.offset());
                }
            });
            return out;
        }
    }

    static Connection open(final DevStack stack, final String url) throws SQLException {
        return DriverManager.getConnection(url, stack.postgres().user(), stack.postgres().password());
    }

    /** True when the database has the index (and no index deferred by a replay is still pending). */
    static boolean hasFullSchema(final DevStack stack, final String url, final String index) throws SQLException {
        try (Connection c = open(stack, url);
             PreparedStatement ps = c.prepareStatement("SELECT (SELECT count(*) FROM pg_indexes WHERE schemaname = 'public'"
                     + " AND indexname = ?), to_regclass('public.chatctl_deferred_index') IS NULL")) {
            ps.setString(1, index);
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                return rs.getInt(1) == 1 && rs.getBoolean(2);
            }
        }
    }

    /** partition -> next_offset over the given shard databases. */
    static Map<Integer, Long> checkpoints(final DevStack stack, final List<String> urls) throws SQLException {
        final Map<Integer, Long> out = new HashMap<>();
        for (String url : urls) {
            try (Connection c = open(stack, url);
                 PreparedStatement ps = c.prepareStatement("SELECT partition, next_offset FROM projection_checkpoint");
                 ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    out.put(rs.getInt(1), rs.getLong(2));
                }
            }
        }
        return out;
    }

    /** message_id -> number of rows, over the given shard databases, for teams starting with {@code prefix}. */
    static Map<String, Integer> messageIds(final DevStack stack, final List<String> urls, final String prefix) throws SQLException {
        final Map<String, Integer> out = new HashMap<>();
        for (String url : urls) {
            try (Connection c = open(stack, url);
                 PreparedStatement ps = c.prepareStatement("SELECT message_id FROM messages WHERE team_id LIKE ?")) {
                ps.setString(1, prefix + "%");
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        out.merge(rs.getString(1), 1, Integer::sum);
                    }
                }
            }
        }
        return out;
    }
}
