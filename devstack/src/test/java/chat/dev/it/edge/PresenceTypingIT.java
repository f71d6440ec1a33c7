package chat.dev.it.edge;

import chat.dev.it.Tokens;
import chat.dev.DevStack;
import chat.dev.it.TestStack;
import com.fasterxml.jackson.databind.JsonNode;
import io.micronaut.runtime.server.EmbeddedServer;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.junit.jupiter.api.Test;

import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Presence and typing end to end, across edges that share only Redis: presence changes reach the
 * team's members on another edge, an edge killed with SIGKILL takes its users offline after their
 * TTL, typing reaches the channel's members on other edges (a private channel's members only), is
 * rate-limited, and never reaches the log.
 */
class PresenceTypingIT {
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private final DevStack stack = TestStack.get();

    private HttpResponse<String> http(final String user, final String method, final String path, final String body)
            throws Exception {
        for (int attempt = 0; ; attempt++) {
            final HttpResponse<String> r = HTTP.send(HttpRequest.newBuilder(URI.create(stack.httpUrl() + path))
                            .timeout(Duration.ofSeconds(30)).header("Content-Type", "application/json")
                            .header("Authorization", Tokens.bearer(user))
                            .method(method, body == null ? HttpRequest.BodyPublishers.noBody()
                                    : HttpRequest.BodyPublishers.ofString(body, StandardCharsets.UTF_8)).build(),
                    HttpResponse.BodyHandlers.ofString());
            if (r.statusCode() != 429 || attempt > 100) {
                return r;
            }
            Thread.sleep(100);
        }
    }

    private void call(final String user, final String method, final String path, final String body) throws Exception {
        final HttpResponse<String> r = http(user, method, path, body);
        assertThat(r.statusCode()).as(method + " " + path + " as " + user + ": " + r.body()).isBetween(200, 299);
    }

    /** A team with owner and members; "priv" private with owner and {@code privMembers}, "pub" public. */
    private void team(final String team, final String owner, final List<String> members, final List<String> privMembers)
            throws Exception {
        call(owner, "POST", "/api/v1/teams", "{\"teamId\":\"" + team + "\"}");
        for (String m : members) {
            call(owner, "PUT", "/api/v1/teams/" + team + "/members/" + m, "{}");
        }
        call(owner, "POST", "/api/v1/teams/" + team + "/channels", "{\"channelId\":\"priv\",\"private\":true}");
        call(owner, "POST", "/api/v1/teams/" + team + "/channels", "{\"channelId\":\"pub\",\"private\":false}");
        for (String m : privMembers) {
            call(owner, "PUT", "/api/v1/teams/" + team + "/channels/priv/members/" + m, "{}");
        }
    }

    /** Subscribes, retrying while the edge has not yet seen the user join the team. */
    private static void subscribeAsMember(final EdgeClient c, final String team) {
        await().atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(200)).until(() -> {
            final int subscribed = c.ofType("subscribed").size();
            final int answers = subscribed + c.ofType("error").size();
            c.send("{\"op\":\"subscribe\",\"teamId\":\"" + team + "\"}");
            await().atMost(Duration.ofSeconds(10))
                    .until(() -> c.ofType("subscribed").size() + c.ofType("error").size() > answers);
            return c.ofType("subscribed").size() > subscribed;
        });
    }

    private static List<String> presenceOf(final EdgeClient c, final String team, final String user) {
        return c.ofType("presence").stream()
                .filter(f -> team.equals(f.path("teamId").asText()) && user.equals(f.path("userId").asText()))
                .map(f -> f.path("state").asText()).toList();
    }

    private String queried(final String caller, final String team, final String channel, final String user)
            throws Exception {
        final HttpResponse<String> r = http(caller, "GET", "/api/v1/teams/" + team + "/channels/" + channel + "/presence", null);
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        for (JsonNode m : EdgeClient.JSON.readTree(r.body()).path("members")) {
            if (user.equals(m.path("userId").asText())) {
                return m.path("state").asText();
            }
        }
        return "absent";
    }

    private static String suffix() {
        return Long.toString(System.nanoTime() % 1_000_000_000L, 36);
    }

    @Test
    void givenMembersOnTwoEdges_whenOneComesGoesAwayAndLeaves_thenTheOtherSeesEachChange_andTheQueryAgrees()
            throws Exception {
        // Given a team with owner and bob; the owner on the stack's edge, a second edge for bob
        final String s = suffix();
        final String team = "pres" + s;
        final String owner = "own" + s;
        final String bob = "bob" + s;
        final String outsider = "out" + s;
        team(team, owner, List.of(bob), List.of());
        final EmbeddedServer edge2 = stack.startEdge(0, EdgeProps.access(stack));
        final String url2 = "ws://127.0.0.1:" + edge2.getPort() + "/ws";
        try (EdgeClient own = EdgeClient.connectAs(stack.wsUrl(), owner)) {
            subscribeAsMember(own, team);

            // When bob connects and subscribes on the other edge
            final EdgeClient b = EdgeClient.connectAs(url2, bob);
            subscribeAsMember(b, team);

            // Then the owner sees bob online, and so does the query (for a public channel: every team member)
            await().atMost(Duration.ofSeconds(10)).until(() -> presenceOf(own, team, bob).contains("online"));
            assertThat(queried(owner, team, "pub", bob)).isEqualTo("online");
            assertThat(queried(owner, team, "priv", bob)).as("not a member of priv").isEqualTo("absent");
            assertThat(http(outsider, "GET", "/api/v1/teams/" + team + "/channels/pub/presence", null).statusCode())
                    .isEqualTo(404);
            assertThat(http(bob, "GET", "/api/v1/teams/" + team + "/channels/priv/presence", null).statusCode())
                    .as("bob may not see priv").isEqualTo(404);

            // When bob goes away, pings (heartbeats do not broadcast), then closes his socket
            b.send("{\"op\":\"presence\",\"state\":\"away\"}");
            await().atMost(Duration.ofSeconds(10)).until(() -> presenceOf(own, team, bob).contains("away"));
            assertThat(queried(owner, team, "pub", bob)).isEqualTo("away");
            for (int i = 0; i < 5; i++) {
                b.send("{\"op\":\"ping\"}");
            }
            b.close();

            // Then the owner sees offline, and exactly the three changes
            await().atMost(Duration.ofSeconds(10)).until(() -> presenceOf(own, team, bob).contains("offline"));
            assertThat(presenceOf(own, team, bob)).containsExactly("online", "away", "offline");
            assertThat(queried(owner, team, "pub", bob)).isEqualTo("offline");
        } finally {
            stack.stopEdge(edge2);
        }
    }

    @Test
    void givenAUserOnAnEdgeKilledWithSigkill_whenTheTtlLapses_thenTheOthersSeeThemOffline_unlessConnectedElsewhere()
            throws Exception {
        // Given bob connected twice: to an edge child JVM (TTL 3 s) and, in team B only, to the stack's edge
        final String s = suffix();
        final String teamA = "crashA" + s;
        final String teamB = "crashB" + s;
        final String owner = "own" + s;
        final String bob = "bob" + s;
        team(teamA, owner, List.of(bob), List.of());
        team(teamB, owner, List.of(bob), List.of());
        final int port = EdgeKillIT.freePort();
        final Process doomed = EdgeKillIT.startEdgeProcess(stack, port, Map.of(
                "redis.uri", stack.redis().uri(),
                "chat.edge.presence.ttl", "3s",
                "chat.edge.presence.refresh-interval", "1s"));
        try (EdgeClient own = EdgeClient.connectAs(stack.wsUrl(), owner)) {
            await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(200)).ignoreExceptions()
                    .until(() -> {
                        try (Socket sock = new Socket("127.0.0.1", port)) {
                            return sock.isConnected();
                        }
                    });
            subscribeAsMember(own, teamA);
            subscribeAsMember(own, teamB);
            final EdgeClient doomedBob = EdgeClient.connectAs("ws://127.0.0.1:" + port + "/ws", bob);
            subscribeAsMember(doomedBob, teamA);
            subscribeAsMember(doomedBob, teamB);
            final EdgeClient survivingBob = EdgeClient.connectAs(stack.wsUrl(), bob);
            subscribeAsMember(survivingBob, teamB);
            await().atMost(Duration.ofSeconds(10)).until(() -> presenceOf(own, teamA, bob).contains("online")
                    && presenceOf(own, teamB, bob).contains("online"));
            // the child edge keeps bob alive past its TTL while it runs
            Thread.sleep(4000);
            assertThat(queried(owner, teamA, "pub", bob)).isEqualTo("online");

            // When the child edge is killed (no close frames, no clean-up)
            final long killedAt = System.nanoTime();
            doomed.destroyForcibly();
            assertThat(doomed.waitFor(10, TimeUnit.SECONDS)).isTrue();

            // Then bob goes offline in team A after the TTL, and stays online in team B
            await().atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(100))
                    .until(() -> presenceOf(own, teamA, bob).contains("offline"));
            final long tookMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - killedAt);
            assertThat(tookMs).as("offline only once the 3 s TTL lapsed (it was refreshed at most 1 s before)")
                    .isGreaterThanOrEqualTo(1500);
            assertThat(queried(owner, teamA, "pub", bob)).isEqualTo("offline");
            assertThat(queried(owner, teamB, "pub", bob)).isEqualTo("online");
            assertThat(presenceOf(own, teamB, bob)).doesNotContain("offline");
            survivingBob.close();
            doomedBob.close();
        } finally {
            doomed.destroyForcibly();
            doomed.waitFor(10, TimeUnit.SECONDS);
        }
    }

    @Test
    void givenMembersOnTwoEdges_whenTyping_thenChannelMembersElsewhereSeeIt_outsidersOfPrivateDoNot_rateLimited_neverLogged()
            throws Exception {
        // Given owner (edge 1), insider (priv member) and outsider (team member only) on edge 2
        final String s = suffix();
        final String team = "typ" + s;
        final String owner = "own" + s;
        final String insider = "ins" + s;
        final String outsider = "out" + s;
        team(team, owner, List.of(insider, outsider), List.of(insider));
        final EmbeddedServer edge2 = stack.startEdge(0, EdgeProps.access(stack));
        final String url2 = "ws://127.0.0.1:" + edge2.getPort() + "/ws";
        try (EdgeClient own = EdgeClient.connectAs(stack.wsUrl(), owner);
             EdgeClient ins = EdgeClient.connectAs(url2, insider);
             EdgeClient out = EdgeClient.connectAs(url2, outsider)) {
            subscribeAsMember(own, team);
            subscribeAsMember(ins, team);
            subscribeAsMember(out, team);
            final Map<TopicPartition, Long> before = logEnd();

            // When the owner types in priv twice at once, then in pub; the outsider tries priv
            own.send("{\"op\":\"typing\",\"teamId\":\"" + team + "\",\"channelId\":\"priv\",\"id\":\"t1\"}");
            own.send("{\"op\":\"typing\",\"teamId\":\"" + team + "\",\"channelId\":\"priv\",\"id\":\"t2\"}");
            own.send("{\"op\":\"typing\",\"teamId\":\"" + team + "\",\"channelId\":\"pub\",\"id\":\"t3\"}");
            out.send("{\"op\":\"typing\",\"teamId\":\"" + team + "\",\"channelId\":\"priv\",\"id\":\"x1\"}");

            // Then the insider on the other edge sees both, the outsider only pub; the second priv is refused
            await().atMost(Duration.ofSeconds(10)).until(() -> ins.ofType("typing").size() >= 2
                    && out.ofType("typing").size() >= 1 && errorOf(own, "t2") != null && errorOf(out, "x1") != null);
            Thread.sleep(500); // anything wrongly sent would have arrived by now
            assertThat(typings(ins)).containsExactly(team + "/priv/" + owner, team + "/pub/" + owner);
            assertThat(typings(out)).containsExactly(team + "/pub/" + owner);
            assertThat(typings(own)).as("the typist's own indicator is not echoed").isEmpty();
            assertThat(errorOf(own, "t2").path("code").asText()).isEqualTo("RATE_LIMITED");
            assertThat(errorOf(own, "t1")).isNull();
            assertThat(errorOf(own, "t3")).isNull();
            assertThat(errorOf(out, "x1").path("code").asText()).isEqualTo("NOT_CHANNEL_MEMBER");

            // And nothing of the team reached the log
            final List<ConsumerRecord<byte[], byte[]>> appended = records(before, logEnd());
            assertThat(appended.stream().filter(r -> r.key() != null
                    && team.equals(new String(r.key(), StandardCharsets.UTF_8))).toList()).isEmpty();
            assertThat(appended.stream().filter(r -> new String(r.value(), StandardCharsets.ISO_8859_1)
                    .toLowerCase().contains("typing")).toList()).isEmpty();
        } finally {
            stack.stopEdge(edge2);
        }
    }

    private static JsonNode errorOf(final EdgeClient c, final String id) {
        return c.ofType("error").stream().filter(e -> id.equals(e.path("id").asText())).findFirst().orElse(null);
    }

    private static List<String> typings(final EdgeClient c) {
        return c.ofType("typing").stream().map(f -> f.path("teamId").asText() + "/" + f.path("channelId").asText()
                + "/" + f.path("userId").asText()).toList();
    }

    private KafkaConsumer<byte[], byte[]> consumer() {
        final Properties p = new Properties();
        p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, stack.bootstrapServers());
        p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        return new KafkaConsumer<>(p, new ByteArrayDeserializer(), new ByteArrayDeserializer());
    }

    private Map<TopicPartition, Long> logEnd() {
        try (KafkaConsumer<byte[], byte[]> c = consumer()) {
            final List<TopicPartition> parts = new ArrayList<>();
            for (int i = 0; i < stack.options().partitions(); i++) {
                parts.add(new TopicPartition("chat.events", i));
            }
            return c.endOffsets(parts);
        }
    }

    private List<ConsumerRecord<byte[], byte[]>> records(final Map<TopicPartition, Long> from,
                                                        final Map<TopicPartition, Long> to) {
        final List<ConsumerRecord<byte[], byte[]>> out = new ArrayList<>();
        try (KafkaConsumer<byte[], byte[]> c = consumer()) {
            c.assign(from.keySet());
            from.forEach(c::seek);
            final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
            while (from.keySet().stream().anyMatch(tp -> c.position(tp) < to.get(tp)) && System.nanoTime() < deadline) {
                c.poll(Duration.ofMillis(200)).forEach(r -> {
                    if (r.offset() < to.get(new TopicPartition(r.topic(), r.partition()))) {
                        out.add(r);
                    }
                });
            }
        }
        return out;
    }
}
