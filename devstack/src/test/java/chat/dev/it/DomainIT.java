package chat.dev.it;

import chat.dev.DevStack;
import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpRequest;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The chat domain end to end: teams, channels (public and private), membership, threads, edits,
 * deletes, reactions and read markers, written through the write API, read back through the read
 * API, with the authorization rules enforced on both sides.
 */
class DomainIT {
    private static final String TEAM = "domain-acme";

    private static Api.Reply get(final Api api, final String path, final String user) {
        final HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(api.url(path))).timeout(Duration.ofSeconds(10)).GET();
        if (user != null) {
            b.header("Authorization", Tokens.bearer(user));
        }
        return api.send(b.build());
    }

    private static Api.Reply ok(final Api.Reply r, final int status) {
        assertThat(r.status()).as(r.body().toString()).isEqualTo(status);
        return r;
    }

    private static String post(final Api api, final String user, final String channel, final String json) {
        return ok(api.write("POST", "/api/v1/teams/" + TEAM + "/channels/" + channel + "/messages", user, json), 201)
                .body().get("messageId").asText();
    }

    @Test
    void givenATeam_whenMembersChatInPublicAndPrivateChannels_thenWritesAndReadsFollowTheRules() {
        final DevStack stack = TestStack.get();
        final Api api = new Api(stack.httpUrl());
        final String base = "/api/v1/teams/" + TEAM;

        // Given alice's team with bob and carol, a public #general and a private #board (alice, bob)
        ok(api.write("POST", "/api/v1/teams", "alice", "{\"teamId\":\"" + TEAM + "\",\"name\":\"Acme\"}"), 201);
        assertThat(api.write("POST", "/api/v1/teams", "mallory", "{\"teamId\":\"" + TEAM + "\"}").code()).isEqualTo("TEAM_EXISTS");
        ok(api.write("PUT", base + "/members/bob", "alice", null), 200);
        ok(api.write("PUT", base + "/members/carol", "alice", null), 200);
        assertThat(api.write("PUT", base + "/members/dave", "bob", null).code()).isEqualTo("NOT_TEAM_ADMIN");
        ok(api.write("POST", base + "/channels", "alice", "{\"channelId\":\"general\",\"name\":\"General\"}"), 201);
        ok(api.write("POST", base + "/channels", "alice", "{\"channelId\":\"board\",\"private\":true,\"topic\":\"secret plans\"}"), 201);
        ok(api.write("PUT", base + "/channels/board/members/bob", "alice", null), 200);
        ok(api.write("PUT", base + "/channels/general/members/bob", "bob", null), 200);
        ok(api.write("PUT", base + "/channels/general/members/carol", "carol", null), 200);
        final JsonNode again = ok(api.write("PUT", base + "/channels/general/members/carol", "carol", null), 200).body();
        assertThat(again.get("unchanged").asBoolean()).as("joining twice changes nothing").isTrue();

        // When they post, reply, react, edit, delete and read
        final String hello = post(api, "alice", "general", "{\"text\":\"hello all\"}");
        final String reply1 = post(api, "bob", "general", "{\"text\":\"hi alice\",\"threadRootId\":\"" + hello + "\"}");
        final String reply2 = post(api, "carol", "general", "{\"text\":\"hey\",\"threadRootId\":\"" + reply1 + "\"}");
        final String plan = post(api, "alice", "board", "{\"text\":\"the secret plan\"}");
        final String typo = post(api, "bob", "general", "{\"text\":\"teh typo\"}");
        final String oops = post(api, "carol", "general", "{\"text\":\"oops, wrong channel\"}");
        final String cmid = "{\"text\":\"once\",\"clientMessageId\":\"c-42\"}";
        final Api.Reply first = ok(api.write("POST", base + "/channels/general/messages", "bob", cmid), 201);
        final Api.Reply retry = ok(api.write("POST", base + "/channels/general/messages", "bob", cmid), 200);
        assertThat(retry.body().get("messageId").asText()).isEqualTo(first.body().get("messageId").asText());
        assertThat(retry.body().get("duplicate").asBoolean()).isTrue();
        assertThat(retry.body().get("position")).isEqualTo(first.body().get("position"));

        assertThat(api.write("POST", base + "/channels/board/messages", "carol", "{\"text\":\"let me in\"}").code())
                .as("outsider posting to a private channel").isEqualTo("CHANNEL_NOT_FOUND");
        assertThat(api.write("PATCH", base + "/channels/general/messages/" + typo, "carol", "{\"text\":\"x\"}").code())
                .isEqualTo("NOT_AUTHOR");
        ok(api.write("PATCH", base + "/channels/general/messages/" + typo, "bob", "{\"text\":\"the typo\"}"), 200);
        assertThat(api.write("DELETE", base + "/channels/general/messages/" + typo, "carol", null).code()).isEqualTo("NOT_AUTHOR");
        ok(api.write("DELETE", base + "/channels/general/messages/" + oops, "carol", null), 200);
        assertThat(api.write("PATCH", base + "/channels/general/messages/" + oops, "carol", "{\"text\":\"back\"}").code())
                .as("edit of a deleted message").isEqualTo("MESSAGE_DELETED");
        ok(api.write("PUT", base + "/channels/general/messages/" + hello + "/reactions/" + enc("👍"), "bob", null), 200);
        ok(api.write("PUT", base + "/channels/general/messages/" + hello + "/reactions/" + enc("👍"), "carol", null), 200);
        ok(api.write("PUT", base + "/channels/general/messages/" + hello + "/reactions/tada", "carol", null), 200);
        ok(api.write("DELETE", base + "/channels/general/messages/" + hello + "/reactions/tada", "carol", null), 200);
        assertThat(api.write("PUT", base + "/channels/general/messages/" + hello + "/reactions/" + enc("<b>"), "bob", null).code())
                .isEqualTo("INVALID_EMOJI");
        assertThat(ok(api.write("POST", base + "/channels/general/messages/" + hello + "/read", "bob", null), 200)
                .body().get("unchanged").asBoolean()).as("bob's first marker is a change").isFalse();
        assertThat(api.write("POST", base + "/channels/general/archive", "bob", null).code())
                .as("only an admin or the creator archives").isEqualTo("NOT_TEAM_ADMIN");

        // Then the read API shows it (once the projector has applied everything)
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
            final JsonNode history = ok(get(api, base + "/channels/general/messages", "bob"), 200).body();
            final List<String> ids = new ArrayList<>();
            history.get("messages").forEach(m -> ids.add(m.get("messageId").asText()));
            assertThat(ids).as("roots, newest first, deleted gone, replies in threads")
                    .containsExactly(first.body().get("messageId").asText(), typo, hello);
            final JsonNode root = history.get("messages").get(2);
            assertThat(root.get("replyCount").asInt()).isEqualTo(2);
            assertThat(history.get("messages").get(1).get("text").asText()).isEqualTo("the typo");
            assertThat(history.get("messages").get(1).get("editedAt").isNull()).isFalse();
        });
        final JsonNode replies = ok(get(api, base + "/channels/general/messages/" + hello + "/replies", "carol"), 200).body();
        assertThat(replies.get("messages")).extracting(m -> m.get("messageId").asText()).containsExactly(reply1, reply2);
        final JsonNode reactions = ok(get(api, base + "/channels/general/messages/" + hello + "/reactions", "alice"), 200).body();
        assertThat(reactions.get("reactions")).hasSize(1);
        assertThat(reactions.get("reactions").get(0).get("emoji").asText()).isEqualTo("👍");
        assertThat(reactions.get("reactions").get(0).get("count").asInt()).isEqualTo(2);
        final JsonNode receipts = ok(get(api, base + "/channels/general/messages/" + hello + "/receipts", "alice"), 200).body();
        assertThat(receipts.get("readBy")).extracting(r -> r.get("userId").asText()).containsExactly("bob");
        assertThat(ok(api.write("POST", base + "/channels/general/messages/" + hello + "/read", "bob", null), 200)
                .body().get("unchanged").asBoolean()).as("marking read again where the marker is: no new event").isTrue();

        // unread counts: bob read up to "hello"; after it came typo and c-42 (his own) -> 0 from others... and
        // carol's reply is in a thread (not counted); alice's plan is in #board.
        final JsonNode bobs = ok(get(api, base + "/channels", "bob"), 200).body().get("channels");
        assertThat(bobs).extracting(c -> c.get("channelId").asText()).containsExactly("board", "general");
        final JsonNode carols = ok(get(api, base + "/channels", "carol"), 200).body().get("channels");
        assertThat(carols).extracting(c -> c.get("channelId").asText()).as("private #board invisible to carol")
                .containsExactly("general");
        assertThat(carols.get(0).get("unread").asInt()).as("alice's hello, bob's typo and bob's c-42").isEqualTo(3);

        // The authorization matrix of reads: a private channel's content never reaches an outsider
        assertThat(get(api, base + "/channels/board/messages", "carol").code()).isEqualTo("CHANNEL_NOT_FOUND");
        assertThat(get(api, base + "/channels/board/messages/" + plan + "/replies", "carol").code()).isEqualTo("CHANNEL_NOT_FOUND");
        assertThat(get(api, base + "/channels/board/messages/" + plan + "/reactions", "carol").code()).isEqualTo("CHANNEL_NOT_FOUND");
        assertThat(get(api, base + "/channels/general/messages", "mallory").code()).as("not in the team").isEqualTo("TEAM_NOT_FOUND");
        assertThat(get(api, base + "/channels/general/messages", null).status()).isEqualTo(401);
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> assertThat(
                ok(get(api, base + "/channels/board/messages", "bob"), 200).body().get("messages"))
                .extracting(m -> m.get("text").asText()).containsExactly("the secret plan"));
        assertThat(get(api, base + "/channels/general/messages?limit=0", "bob").code()).isEqualTo("INVALID_LIMIT");
        assertThat(get(api, base + "/channels/general/messages?before=x", "bob").code()).isEqualTo("INVALID_CURSOR");

        // Cursor pagination walks the whole history without overlap
        final JsonNode page1 = ok(get(api, base + "/channels/general/messages?limit=2", "bob"), 200).body();
        assertThat(page1.get("messages")).hasSize(2);
        final JsonNode page2 = ok(get(api, base + "/channels/general/messages?limit=2&before="
                + page1.get("nextCursor").asText(), "bob"), 200).body();
        assertThat(page2.get("messages")).extracting(m -> m.get("messageId").asText()).containsExactly(hello);
        assertThat(page2.get("nextCursor").isNull()).isTrue();

        // And the deleted message's text is nowhere in the read model
        try {
            assertThat(Shards.messages(stack, stack.shardJdbcUrls(), TEAM)).filteredOn(r -> r.messageId().equals(oops))
                    .singleElement().satisfies(r -> assertThat(r.text()).isNull());
        } catch (java.sql.SQLException e) {
            throw new AssertionError(e);
        }
    }

    @org.junit.jupiter.api.Test
    void givenAChannelJustArchivedByThisInstance_whenPostedToAtOnce_thenRefusedArchived_evenBeforeTheProjectorCommits() {
        final Api api = new Api(TestStack.get().httpUrl());
        for (int i = 0; i < 5; i++) {
            final String channel = "arch-" + i + "-" + Long.toString(System.nanoTime(), 36);
            api.provision("domain-archive", channel);
            // warm: posts are accepted while the channel is open
            ok(api.write("POST", "/api/v1/teams/domain-archive/channels/" + channel + "/messages", Api.USER,
                    "{\"text\":\"before\"}"), 201);
            ok(api.write("POST", "/api/v1/teams/domain-archive/channels/" + channel + "/archive", Api.USER, null), 200);
            final Api.Reply after = api.write("POST", "/api/v1/teams/domain-archive/channels/" + channel + "/messages", Api.USER,
                    "{\"text\":\"after\"}");
            assertThat(after.status()).as("post right after the archive, round " + i + ": " + after.body()).isEqualTo(409);
            assertThat(after.code()).isEqualTo("CHANNEL_ARCHIVED");
        }
    }

    private static String enc(final String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8).replace("+", "%20");
    }
}
