package chat.dev.it.search;

import chat.common.kafka.TeamPartitioner;
import chat.dev.DevStack;
import chat.dev.it.TestStack;
import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.Test;

import java.io.PrintWriter;
import java.io.StringWriter;

import java.time.Duration;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** A partition's index wiped and replayed from offset 0 equals the live one, document for document. */
class SearchRebuildIT {

    @Test
    void givenLiveIndex_whenRebuiltFromTheLog_thenSameDocumentsAndChecksum_andSearchAnswersAgain() {
        final DevStack stack = TestStack.get();
        final SearchHttp http = new SearchHttp(stack.httpUrl());
        final String team = "sr" + UUID.randomUUID().toString().substring(0, 8);
        final int partition = TeamPartitioner.partitionOf(team, stack.options().partitions());
        http.team(team, "alice");
        http.write("PUT", "/api/v1/teams/" + team + "/members/bob", "alice", null);
        http.write("PUT", "/api/v1/teams/" + team + "/channels/general/members/bob", "bob", null);
        http.write("POST", "/api/v1/teams/" + team + "/channels", "alice", "{\"channelId\":\"secret\",\"private\":true}");
        final String word = "rb" + UUID.randomUUID().toString().substring(0, 8);
        final String root = http.post(team, "general", "alice", word + " root", null);
        http.post(team, "general", "bob", word + " reply", root);
        final String edited = http.post(team, "secret", "alice", word + " private", null);
        http.write("PATCH", "/api/v1/teams/" + team + "/channels/secret/messages/" + edited, "alice", "{\"text\":\"" + word + " private edited\"}");
        final String deleted = http.post(team, "general", "alice", word + " gone", null);
        http.write("DELETE", "/api/v1/teams/" + team + "/channels/general/messages/" + deleted, "alice", null);

        // live checksum, at the log end of the moment (other tests of this JVM may write the partition too: retry until stable)
        JsonNode live;
        JsonNode rebuilt;
        int attempts = 0;
        do {
            live = http.admin("GET", "/api/v1/search/partitions/" + partition + "/checksum").body();
            assertThat(live.path("messages").asLong()).as(live.toString()).isPositive();
            final SearchHttp.Reply started = http.admin("POST", "/api/v1/search/partitions/" + partition + "/rebuild");
            assertThat(started.status()).as(started.body().toString()).isEqualTo(202);
            // the rebuild replays from offset 0: the checksum endpoint waits until it reached the log end again
            rebuilt = http.admin("GET", "/api/v1/search/partitions/" + partition + "/checksum?waitMs=60000").body();
            attempts++;
        } while (live.path("offset").asLong() != rebuilt.path("offset").asLong() && attempts < 5);

        assertThat(rebuilt.path("offset").asLong()).isEqualTo(live.path("offset").asLong());
        assertThat(rebuilt.path("messages").asLong()).isEqualTo(live.path("messages").asLong());
        assertThat(rebuilt.path("facts").asLong()).isEqualTo(live.path("facts").asLong());
        assertThat(rebuilt.path("checksum").asText()).isEqualTo(live.path("checksum").asText());
        assertThat(http.partitionStatus(partition).path("rebuilds").asLong()).isPositive();

        await().atMost(Duration.ofSeconds(30)).untilAsserted(() ->
                assertThat(http.search(team, "bob", word).ids()).hasSize(2));
        assertThat(http.search(team, "alice", word + " edited").ids()).containsExactly(edited);
        assertThat(http.search(team, "alice", "gone " + word).ids()).isEmpty();
    }

    @Test
    void givenChatctl_whenSearchRebuildWithWait_thenPartitionRebuiltAndCaughtUp() {
        final DevStack stack = TestStack.get();
        final SearchHttp http = new SearchHttp(stack.httpUrl());
        final String team = "sc" + UUID.randomUUID().toString().substring(0, 8);
        http.team(team, "alice");
        final String word = "cc" + UUID.randomUUID().toString().substring(0, 8);
        final String id = http.post(team, "general", "alice", word, null);
        final int partition = TeamPartitioner.partitionOf(team, stack.options().partitions());
        final long before = http.partitionStatus(partition).path("rebuilds").asLong();

        final StringWriter out = new StringWriter();
        final StringWriter err = new StringWriter();
        final int code = chat.ctl.ChatCtl.run(new String[] {"search", "rebuild", "--team", team, "--partitions",
                Integer.toString(stack.options().partitions()), "--search-url", stack.httpUrl(), "--wait"},
                new PrintWriter(out), new PrintWriter(err));

        assertThat(code).as(out + "\n" + err).isZero();
        assertThat(out.toString()).contains("\"partition\":" + partition).contains("caught up");
        assertThat(http.partitionStatus(partition).path("rebuilds").asLong()).isEqualTo(before + 1);
        assertThat(http.search(team, "alice", word).ids()).containsExactly(id);

        final StringWriter err2 = new StringWriter();
        assertThat(chat.ctl.ChatCtl.run(new String[] {"search", "status", "--search-url", stack.httpUrl(), "--admin-token", "wrong-token"},
                new PrintWriter(new StringWriter()), new PrintWriter(err2))).isEqualTo(2);
        assertThat(err2.toString()).contains("ADMIN_TOKEN_INVALID");
    }
}
