package chat.dev.it.search;

import chat.common.kafka.TeamPartitioner;
import chat.dev.DevStack;
import chat.dev.it.TestStack;
import com.fasterxml.jackson.databind.JsonNode;
import io.micronaut.runtime.server.EmbeddedServer;
import org.junit.jupiter.api.Test;

import java.io.File;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.stream.Collectors;
import java.util.stream.IntStream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Search instances beside the stack's own: one owning some partitions that forwards the rest to
 * the stack, one restarted cleanly, one killed with SIGKILL. Each resumes from its own committed
 * offsets, never from 0 and never from a consumer group.
 */
class SearchInstancesIT {

    private static String unique(final String prefix) {
        return prefix + UUID.randomUUID().toString().replace("-", "").substring(0, 10);
    }

    private static Path dir(final String name) throws Exception {
        final Path d = Path.of("target", "search-it", name + "-" + UUID.randomUUID().toString().substring(0, 6)).toAbsolutePath();
        Files.createDirectories(d);
        return d;
    }

    @Test
    void givenInstanceNotOwningTheTeamsPartition_whenSearched_thenForwardedToTheOwner() throws Exception {
        final DevStack stack = TestStack.get();
        final SearchHttp main = new SearchHttp(stack.httpUrl());
        final String team = unique("sx");
        main.team(team, "alice");
        final String word = unique("fw");
        final String id = main.post(team, "general", "alice", word, null);
        final int partition = TeamPartitioner.partitionOf(team, stack.options().partitions());
        final int other = (partition + 1) % stack.options().partitions();
        final String others = IntStream.range(0, stack.options().partitions()).filter(p -> p != other)
                .mapToObj(Integer::toString).collect(Collectors.joining(","));

        final EmbeddedServer b = SearchHttp.startInstance(SearchHttp.instanceProperties(stack, dir("route"),
                Integer.toString(other), others + "=" + stack.httpUrl()));
        try {
            final SearchHttp viaB = new SearchHttp("http://127.0.0.1:" + b.getPort());
            final SearchHttp.Reply r = viaB.search(team, "alice", word);
            assertThat(r.status()).as(r.body().toString()).isEqualTo(200);
            assertThat(r.ids()).containsExactly(id);
            assertThat(r.raw().headers().firstValue("X-Chat-Search-Served-By")).hasValue(stack.httpUrl());
            // bad input is refused before any hop
            assertThat(viaB.search(team, "alice", "\"open").code()).isEqualTo("INVALID_QUERY");
            // the owner authorizes: an outsider gets the owner's 404
            assertThat(viaB.search(team, "mallory", word).code()).isEqualTo("TEAM_NOT_FOUND");
        } finally {
            b.getApplicationContext().close();
        }

        final EmbeddedServer lonely = SearchHttp.startInstance(SearchHttp.instanceProperties(stack, dir("lonely"),
                Integer.toString(other), ""));
        try {
            final SearchHttp.Reply r = new SearchHttp("http://127.0.0.1:" + lonely.getPort()).search(team, "alice", word);
            assertThat(r.status()).isEqualTo(503);
            assertThat(r.code()).isEqualTo("SEARCH_PARTITION_UNAVAILABLE");
            assertThat(r.raw().headers().firstValue("Retry-After")).isPresent();
        } finally {
            lonely.getApplicationContext().close();
        }
    }

    @Test
    void givenCleanRestart_whenStartedAgain_thenResumesFromItsCommitAndServesTheSameResults() throws Exception {
        final DevStack stack = TestStack.get();
        final SearchHttp main = new SearchHttp(stack.httpUrl());
        final String team = unique("sr");
        main.team(team, "alice");
        final String word = unique("rs");
        final List<String> ids = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            ids.add(main.post(team, "general", "alice", word + " " + i, null));
        }
        final int partition = TeamPartitioner.partitionOf(team, stack.options().partitions());
        final Path index = dir("restart");
        final Map<String, Object> props = SearchHttp.instanceProperties(stack, index, Integer.toString(partition), "");

        EmbeddedServer s = SearchHttp.startInstance(props);
        final long committed;
        try {
            final SearchHttp one = new SearchHttp("http://127.0.0.1:" + s.getPort());
            assertThat(one.partitionStatus(partition).path("resumedFrom").asLong()).isZero();
            assertThat(one.search(team, "alice", word).ids()).containsExactlyInAnyOrderElementsOf(ids);
        } finally {
            s.getApplicationContext().close(); // commits on close
        }
        ids.add(main.post(team, "general", "alice", word + " while down", null));

        s = SearchHttp.startInstance(props);
        try {
            final SearchHttp two = new SearchHttp("http://127.0.0.1:" + s.getPort());
            committed = two.partitionStatus(partition).path("resumedFrom").asLong();
            assertThat(committed).as("resumed from its own commit, not from 0").isPositive();
            assertThat(two.search(team, "alice", word).ids()).containsExactlyInAnyOrderElementsOf(ids);
        } finally {
            s.getApplicationContext().close();
        }
    }

    @Test
    void givenKill9_whenRestarted_thenResumesFromTheLastCommitWithoutLossOrDuplicates() throws Exception {
        final DevStack stack = TestStack.get();
        final SearchHttp main = new SearchHttp(stack.httpUrl());
        final String team = unique("sk");
        main.team(team, "alice");
        final int partition = TeamPartitioner.partitionOf(team, stack.options().partitions());
        final Path index = dir("kill");
        final int port = freePort();
        final SearchHttp child = new SearchHttp("http://127.0.0.1:" + port);
        final String word = unique("kl");
        final List<String> ids = new ArrayList<>();
        for (int i = 0; i < 10; i++) {
            ids.add(main.post(team, "general", "alice", word + " first " + i, null));
        }

        Process p = startChild(stack, index, partition, port);
        try {
            awaitUp(child, p);
            assertThat(child.search(team, "alice", word).ids()).hasSize(10);
            // a commit covers those 10; then more posts, and SIGKILL while they are being indexed
            await().atMost(Duration.ofSeconds(20)).until(() -> {
                final JsonNode st = child.partitionStatus(partition);
                return st.path("committedNext").asLong() == st.path("logEnd").asLong();
            });
            for (int i = 0; i < 10; i++) {
                ids.add(main.post(team, "general", "alice", word + " second " + i, null));
            }
            p.destroyForcibly().waitFor();
        } finally {
            p.destroyForcibly();
        }

        p = startChild(stack, index, partition, port);
        try {
            awaitUp(child, p);
            final JsonNode st = child.partitionStatus(partition);
            assertThat(st.path("resumedFrom").asLong()).as("resumed from the last commit, not from 0").isPositive();
            final SearchHttp.Reply all = child.search(team, "alice", word, "&limit=100");
            assertThat(all.ids()).as("every message once").containsExactlyInAnyOrderElementsOf(ids);
            assertThat(all.body().path("total").asLong()).isEqualTo(20);
        } finally {
            p.destroy();
            p.waitFor();
        }
    }

    private static Process startChild(final DevStack stack, final Path index, final int partition, final int port) throws Exception {
        final List<String> cmd = new ArrayList<>();
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        cmd.add("-Xmx384m");
        cmd.add("--enable-native-access=ALL-UNNAMED");
        cmd.add("-cp");
        cmd.add(System.getProperty("java.class.path"));
        final Map<String, Object> props = SearchHttp.instanceProperties(stack, index, Integer.toString(partition), "");
        props.put("micronaut.server.port", port);
        props.put("micronaut.banner.enabled", "false");
        props.forEach((k, v) -> cmd.add("-D" + k + "=" + v));
        cmd.add("chat.search.SearchMain");
        final File log = Path.of("target", "search-kill-child.log").toFile();
        return new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.appendTo(log)).start();
    }

    private static void awaitUp(final SearchHttp child, final Process p) {
        await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(200)).until(() -> {
            if (!p.isAlive()) {
                throw new AssertionError("search child exited with " + p.exitValue() + "; see target/search-kill-child.log");
            }
            try {
                return child.admin("GET", "/api/v1/search/status").status() == 200;
            } catch (RuntimeException e) {
                return false;
            }
        });
    }

    private static int freePort() throws Exception {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }
}
