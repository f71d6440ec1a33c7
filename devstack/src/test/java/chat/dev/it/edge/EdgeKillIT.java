package chat.dev.it.edge;

import chat.dev.DevStack;
import chat.dev.it.TestStack;
import com.fasterxml.jackson.databind.JsonNode;
import io.micronaut.runtime.server.EmbeddedServer;
import org.junit.jupiter.api.Test;

import java.io.File;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * An edge process killed with SIGKILL under load loses nothing: its clients reconnect to another
 * edge with their last positions and each sees every event of its team exactly once, in order.
 */
class EdgeKillIT {
    private static final int TEAMS = 4;
    private static final int CLIENTS_PER_TEAM = 6;
    private static final int ROUNDS = 100;

    @Test
    void givenClientsOfAnEdgeKilledMidStream_whenTheyResumeOnAnotherEdge_thenEachSeesEveryEventExactlyOnce()
            throws Exception {
        // Given an edge in a child JVM with 24 clients over 4 teams, and a second edge to fail over to
        final DevStack stack = TestStack.get();
        final EmbeddedServer survivor = stack.startEdge(0, EdgeProps.access(stack));
        final int port = freePort();
        final Process doomed = startEdgeProcess(stack, port);
        final List<EdgeClient> clients = new ArrayList<>();
        try {
            await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(200)).ignoreExceptions()
                    .until(() -> {
                        try (Socket s = new Socket("127.0.0.1", port)) {
                            return s.isConnected();
                        }
                    });
            final List<String> urls = List.of("ws://127.0.0.1:" + port + "/ws",
                    "ws://127.0.0.1:" + survivor.getPort() + "/ws");
            final Posts posts = new Posts(stack.httpUrl());
            for (int t = 0; t < TEAMS; t++) {
                posts.provision("edgekill-" + t, "general");
                for (int i = 0; i < CLIENTS_PER_TEAM; i++) {
                    clients.add(EdgeClient.connect(urls, 0, true).subscribeAndWait("edgekill-" + t));
                }
            }

            // When messages flow and the edge is killed after a third of them
            final AtomicInteger accepted = new AtomicInteger();
            final CompletableFuture<Void> traffic = CompletableFuture.runAsync(() -> {
                for (int i = 0; i < ROUNDS; i++) {
                    final List<CompletableFuture<Posts.Reply>> round = new ArrayList<>();
                    for (int t = 0; t < TEAMS; t++) {
                        round.add(posts.post("edgekill-" + t, "general", "k" + i));
                    }
                    for (CompletableFuture<Posts.Reply> r : round) {
                        if (r.join().status() == 201) {
                            accepted.incrementAndGet();
                        }
                    }
                    sleepQuietly(20); // pacing of the load (the per-user write limit paces it further)
                }
            });
            await().atMost(Duration.ofSeconds(60)).until(() -> accepted.get() >= ROUNDS * TEAMS / 3);
            doomed.destroyForcibly(); // SIGKILL: no drain, no close frames
            assertThat(doomed.waitFor(10, TimeUnit.SECONDS)).isTrue();
            final boolean killedMidStream = !traffic.isDone();
            traffic.get(120, TimeUnit.SECONDS);

            // Then every client has every event of its team exactly once, in order
            assertThat(accepted.get()).isEqualTo(ROUNDS * TEAMS);
            assertThat(killedMidStream).as("the kill landed while messages were flowing").isTrue();
            await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(200))
                    .until(() -> clients.stream().allMatch(c -> c.messages().size() >= ROUNDS));
            for (EdgeClient c : clients) {
                final List<JsonNode> events = c.messages();
                assertThat(events).hasSize(ROUNDS);
                final List<String> texts = events.stream().map(e -> e.at("/event/text").asText()).toList();
                final List<String> expected = new ArrayList<>();
                for (int i = 0; i < ROUNDS; i++) {
                    expected.add("k" + i);
                }
                assertThat(texts).containsExactlyElementsOf(expected);
                assertThat(new HashSet<>(events.stream().map(e -> e.at("/event/messageId").asText()).toList()))
                        .hasSize(ROUNDS);
                assertThat(c.connects.get()).as("reconnected once").isGreaterThanOrEqualTo(2);
            }
            final Map<String, Long> survivorStats = resumes(survivor);
            assertThat(survivorStats.get("resumed")).as("resumes on the surviving edge")
                    .isGreaterThanOrEqualTo(TEAMS * CLIENTS_PER_TEAM);
            assertThat(survivorStats.get("resyncs")).isZero();
        } finally {
            clients.forEach(EdgeClient::close);
            doomed.destroyForcibly();
            doomed.waitFor(10, TimeUnit.SECONDS);
            stack.stopEdge(survivor);
        }
    }

    private static Map<String, Long> resumes(final EmbeddedServer edge) {
        final chat.edge.delivery.EdgeStats.Snapshot s = edge.getApplicationContext()
                .getBean(chat.edge.delivery.EdgeStats.class).snapshot();
        final Map<String, Long> out = new HashMap<>();
        out.put("resumed", s.resumesBuffer() + s.resumesLog() + s.resumesNone());
        out.put("resyncs", s.resyncs());
        return out;
    }

    static Process startEdgeProcess(final DevStack stack, final int port) throws Exception {
        return startEdgeProcess(stack, port, Map.of());
    }

    /** An edge child JVM with the stack's Kafka and shards, plus {@code extra} system properties. */
    static Process startEdgeProcess(final DevStack stack, final int port, final Map<String, String> extra)
            throws Exception {
        final List<String> cmd = new ArrayList<>();
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        cmd.add("-Xmx256m");
        cmd.add("--enable-native-access=ALL-UNNAMED");
        cmd.add("-cp");
        cmd.add(System.getProperty("java.class.path"));
        final Map<String, String> props = new HashMap<>();
        props.put("micronaut.server.port", Integer.toString(port));
        props.put("micronaut.server.host", "127.0.0.1");
        props.put("chat.region", "dev");
        props.put("chat.kafka.bootstrap-servers", stack.bootstrapServers());
        props.put("chat.kafka.partitions", Integer.toString(stack.options().partitions()));
        props.put("chat.projector.enabled", "false");
        props.put("micronaut.banner.enabled", "false");
        EdgeProps.access(stack).forEach((k, v) -> props.put(k, String.valueOf(v)));
        props.putAll(extra);
        props.forEach((k, v) -> cmd.add("-D" + k + "=" + v));
        cmd.add("chat.edge.EdgeMain");
        final File log = Path.of("target", "edgekill-edge.log").toFile();
        final ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(log));
        // the JWT secret through the environment, not the command line (visible to ps)
        pb.environment().put("MICRONAUT_SECURITY_TOKEN_JWT_SIGNATURES_SECRET_GENERATOR_SECRET",
                String.valueOf(stack.authProperties().get(chat.common.auth.DevTokens.SECRET_PROPERTY)));
        return pb.start();
    }

    static int freePort() throws Exception {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }

    private static void sleepQuietly(final long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
