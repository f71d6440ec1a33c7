package chat.dev.it.search;

import chat.common.kafka.TeamPartitioner;
import chat.dev.DevStack;
import chat.dev.it.TestStack;
import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Search end to end on the embedded stack. No test waits before searching: the search barrier
 * makes every acknowledged write (post, edit, delete, leave) visible to the next search.
 */
class SearchIT {

    private static String unique(final String prefix) {
        return prefix + UUID.randomUUID().toString().replace("-", "").substring(0, 10);
    }

    @Test
    void givenPost_whenSearchedRightAfterTheAck_thenFoundWithPositionAndHighlight() {
        final DevStack stack = TestStack.get();
        final SearchHttp http = new SearchHttp(stack.httpUrl());
        final String team = unique("st");
        http.team(team, "alice");
        final String word = unique("w");
        final String id = http.post(team, "general", "alice", "Rocket <launch> " + word + " today", null);

        final SearchHttp.Reply r = http.search(team, "alice", word);

        assertThat(r.status()).as(r.body().toString()).isEqualTo(200);
        assertThat(r.ids()).containsExactly(id);
        final JsonNode hit = r.body().path("results").get(0);
        assertThat(hit.path("channelId").asText()).isEqualTo("general");
        assertThat(hit.path("authorId").asText()).isEqualTo("alice");
        assertThat(hit.path("text").asText()).isEqualTo("Rocket <launch> " + word + " today");
        assertThat(hit.path("snippet").asText()).contains("<mark>" + word + "</mark>").contains("&lt;launch&gt;");
        assertThat(hit.path("position").path("partition").asInt()).isEqualTo(TeamPartitioner.partitionOf(team, stack.options().partitions()));
        assertThat(hit.path("position").path("epoch").asText()).isEqualTo("dev." + stack.topicId());
        assertThat(hit.path("position").path("offset").asLong()).isPositive();
        assertThat(hit.path("createdAt").asText()).endsWith("Z");
        assertThat(r.body().path("total").asLong()).isEqualTo(1);
        assertThat(r.raw().headers().firstValue("Server-Timing")).hasValueSatisfying(v -> assertThat(v).contains("barrier;dur="));
    }

    @Test
    void givenEditThenDelete_whenSearchedRightAfterEach_thenOnlyTheCurrentTextIsFound() {
        final SearchHttp http = new SearchHttp(TestStack.get().httpUrl());
        final String team = unique("se");
        http.team(team, "alice");
        final String before = unique("old");
        final String after = unique("new");
        final String id = http.post(team, "general", "alice", "draft " + before, null);
        assertThat(http.search(team, "alice", before).ids()).containsExactly(id);

        http.write("PATCH", "/api/v1/teams/" + team + "/channels/general/messages/" + id, "alice", "{\"text\":\"final " + after + "\"}");
        assertThat(http.search(team, "alice", before).ids()).isEmpty();
        final SearchHttp.Reply edited = http.search(team, "alice", after);
        assertThat(edited.ids()).containsExactly(id);
        assertThat(edited.body().path("results").get(0).path("editedAt").isNull()).isFalse();

        http.write("DELETE", "/api/v1/teams/" + team + "/channels/general/messages/" + id, "alice", null);
        assertThat(http.search(team, "alice", after).ids()).isEmpty();
        assertThat(http.search(team, "alice", "final").ids()).isEmpty();
    }

    @Test
    void givenPrivateChannel_whenMembershipChanges_thenResultsFollowAtOnce() {
        final SearchHttp http = new SearchHttp(TestStack.get().httpUrl());
        final String team = unique("sp");
        http.team(team, "alice");
        http.write("PUT", "/api/v1/teams/" + team + "/members/bob", "alice", "{\"role\":\"member\"}");
        http.write("POST", "/api/v1/teams/" + team + "/channels", "alice", "{\"channelId\":\"secret\",\"private\":true}");
        final String word = unique("p");
        final String secret = http.post(team, "secret", "alice", "private plan " + word, null);
        final String open = http.post(team, "general", "alice", "public plan " + word, null);

        assertThat(http.search(team, "alice", word).ids()).containsExactlyInAnyOrder(secret, open);
        assertThat(http.search(team, "bob", word).ids()).as("bob is not in the private channel").containsExactly(open);
        assertThat(http.search(team, "bob", word + " in:secret").ids()).isEmpty();

        http.write("PUT", "/api/v1/teams/" + team + "/channels/secret/members/bob", "alice", null);
        assertThat(http.search(team, "bob", word).ids()).as("invited").containsExactlyInAnyOrder(secret, open);

        http.write("DELETE", "/api/v1/teams/" + team + "/channels/secret/members/bob", "bob", null);
        assertThat(http.search(team, "bob", word).ids()).as("right after leaving").containsExactly(open);

        http.write("DELETE", "/api/v1/teams/" + team + "/members/bob", "alice", null);
        final SearchHttp.Reply removed = http.search(team, "bob", word);
        assertThat(removed.status()).isEqualTo(404);
        assertThat(removed.code()).isEqualTo("TEAM_NOT_FOUND");
    }

    @Test
    void givenFiltersAndThreads_whenSearched_thenEachFilterApplies() {
        final SearchHttp http = new SearchHttp(TestStack.get().httpUrl());
        final String team = unique("sf");
        http.team(team, "alice");
        http.write("PUT", "/api/v1/teams/" + team + "/members/bob", "alice", null);
        http.write("POST", "/api/v1/teams/" + team + "/channels", "alice", "{\"channelId\":\"ops\"}");
        http.write("PUT", "/api/v1/teams/" + team + "/channels/general/members/bob", "bob", null);
        final String tag = unique("t");
        final String root = http.post(team, "general", "alice", tag + " deployment started", null);
        final String reply = http.post(team, "general", "bob", tag + " deployment finished", root);
        final String other = http.post(team, "ops", "alice", tag + " deploying again", null);

        assertThat(http.search(team, "bob", tag + " deploy*").ids()).containsExactlyInAnyOrder(root, reply, other);
        assertThat(http.search(team, "bob", tag + " \"deployment finished\"").ids()).containsExactly(reply);
        assertThat(http.search(team, "bob", tag + " from:bob").ids()).containsExactly(reply);
        assertThat(http.search(team, "bob", tag + " in:ops").ids()).containsExactly(other);
        assertThat(http.search(team, "bob", tag + " has:thread").ids()).containsExactly(root);
        assertThat(http.search(team, "bob", tag + " -deploying").ids()).containsExactlyInAnyOrder(root, reply);
        assertThat(http.search(team, "bob", tag + " before:2000-01-01").ids()).isEmpty();
        assertThat(http.search(team, "bob", tag + " after:2000-01-01").ids()).hasSize(3);
        final JsonNode rootHit = http.search(team, "bob", tag + " has:thread").body().path("results").get(0);
        assertThat(rootHit.path("replyCount").asInt()).isEqualTo(1);
        final JsonNode replyHit = http.search(team, "bob", tag + " from:bob").body().path("results").get(0);
        assertThat(replyHit.path("threadRootId").asText()).isEqualTo(root);
    }

    @Test
    void givenManyHits_whenPaged_thenEveryHitOnceInRankOrder() {
        final SearchHttp http = new SearchHttp(TestStack.get().httpUrl());
        final String team = unique("sg");
        http.team(team, "alice");
        final String word = unique("g");
        final List<String> posted = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            posted.add(http.post(team, "general", "alice", word + " number " + i, null));
        }
        final List<String> seen = new ArrayList<>();
        String cursor = null;
        int pages = 0;
        do {
            final SearchHttp.Reply r = http.search(team, "alice", word, "&limit=2" + (cursor == null ? "" : "&cursor=" + cursor));
            assertThat(r.status()).as(r.body().toString()).isEqualTo(200);
            seen.addAll(r.ids());
            cursor = r.body().path("nextCursor").isNull() ? null : r.body().path("nextCursor").asText();
            pages++;
        } while (cursor != null && pages < 10);
        assertThat(pages).isEqualTo(3);
        // equal scores: newest first
        assertThat(seen).containsExactlyElementsOf(posted.reversed());
    }

    @Test
    void givenBadRequests_thenStableCodes() {
        final SearchHttp http = new SearchHttp(TestStack.get().httpUrl());
        final String team = unique("sb");
        http.team(team, "alice");
        record Case(String q, String extra, String user, int status, String code) {
        }
        for (Case c : List.of(
                new Case(null, null, "alice", 400, "QUERY_REQUIRED"),
                new Case("\"open", null, "alice", 400, "INVALID_QUERY"),
                new Case("after:2026-02-31", null, "alice", 400, "INVALID_QUERY"),
                new Case("x".repeat(600), null, "alice", 400, "QUERY_TOO_LONG"),
                new Case("hello", "&limit=0", "alice", 400, "INVALID_LIMIT"),
                new Case("hello", "&limit=abc", "alice", 400, "INVALID_LIMIT"),
                new Case("hello", "&cursor=garbage", "alice", 400, "INVALID_CURSOR"),
                new Case("hello", null, "mallory", 404, "TEAM_NOT_FOUND"))) {
            final SearchHttp.Reply r = http.search(team, c.user(), c.q(), c.extra());
            assertThat(r.status()).as(c + " -> " + r.body()).isEqualTo(c.status());
            assertThat(r.code()).as(c.toString()).isEqualTo(c.code());
        }
        final SearchHttp.Reply unknown = http.search("no-such-team-" + unique("x"), "alice", "hello");
        assertThat(unknown.status()).isEqualTo(404);
        assertThat(unknown.code()).isEqualTo("TEAM_NOT_FOUND");
        final SearchHttp.Reply anonymous = http.send("GET", "/api/v1/teams/" + team + "/search?q=hello", null, null, null);
        assertThat(anonymous.status()).isEqualTo(401);
        // a cursor of another query is refused
        final String word = unique("c");
        for (int i = 0; i < 3; i++) {
            http.post(team, "general", "alice", word + " " + i, null);
        }
        final String cursor = http.search(team, "alice", word, "&limit=1").body().path("nextCursor").asText();
        assertThat(http.search(team, "alice", word + " more", "&limit=1&cursor=" + cursor).code()).isEqualTo("INVALID_CURSOR");
    }

    @Test
    void givenAdminEndpoints_thenTokenRequired() {
        final SearchHttp http = new SearchHttp(TestStack.get().httpUrl());
        assertThat(http.send("GET", "/api/v1/search/status", null, null, null).code()).isEqualTo("ADMIN_TOKEN_REQUIRED");
        assertThat(http.send("GET", "/api/v1/search/status", null, null, "wrong-token").code()).isEqualTo("ADMIN_TOKEN_INVALID");
        final SearchHttp.Reply ok = http.admin("GET", "/api/v1/search/status");
        assertThat(ok.status()).isEqualTo(200);
        assertThat(ok.body().path("partitions")).hasSize(TestStack.get().options().partitions());
        assertThat(http.admin("POST", "/api/v1/search/partitions/x/rebuild").code()).isEqualTo("INVALID_PARTITION");
        assertThat(http.admin("POST", "/api/v1/search/partitions/999/rebuild").code()).isEqualTo("PARTITION_NOT_INDEXED_HERE");
        final SearchHttp.Reply health = http.send("GET", "/health", null, null, null);
        assertThat(health.body().path("details").path("search").path("status").asText()).as(health.body().toString()).isEqualTo("UP");
    }
}
