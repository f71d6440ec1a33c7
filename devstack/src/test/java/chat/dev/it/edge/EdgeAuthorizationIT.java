package chat.dev.it.edge;

import chat.dev.it.Tokens;
import chat.dev.DevStack;
import chat.dev.it.TestStack;
import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The authorization matrix of the edge: who receives a private channel's events on a live
 * socket, as membership changes, and on resume.
 */
class EdgeAuthorizationIT {
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    private final DevStack stack = TestStack.get();

    private int call(final String user, final String method, final String path, final String body) throws Exception {
        for (int attempt = 0; ; attempt++) {
            final HttpResponse<String> r = HTTP.send(HttpRequest.newBuilder(URI.create(stack.httpUrl() + path))
                    .timeout(Duration.ofSeconds(30)).header("Content-Type", "application/json")
                    .header("Authorization", Tokens.bearer(user))
                    .method(method, body == null ? HttpRequest.BodyPublishers.noBody()
                            : HttpRequest.BodyPublishers.ofString(body, StandardCharsets.UTF_8)).build(),
                    HttpResponse.BodyHandlers.ofString());
            if (r.statusCode() != 429 || attempt > 100) {
                assertThat(r.statusCode()).as(method + " " + path + " as " + user + ": " + r.body()).isBetween(200, 299);
                return r.statusCode();
            }
            Thread.sleep(100);
        }
    }

    private void post(final String owner, final String team, final String channel, final String text) throws Exception {
        call(owner, "POST", "/api/v1/teams/" + team + "/channels/" + channel + "/messages", "{\"text\":\"" + text + "\"}");
    }

    /** Subscribes, retrying while the edge has not yet seen the user join the team (writes are acked before the edge reads them). */
    private static void subscribeAsMember(final EdgeClient c, final String team) {
        await().atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(200)).until(() -> {
            final int before = c.frames.size();
            c.send("{\"op\":\"subscribe\",\"teamId\":\"" + team + "\"}");
            await().atMost(Duration.ofSeconds(10)).until(() -> c.frames.size() > before);
            return "subscribed".equals(c.frames.get(c.frames.size() - 1).path("type").asText());
        });
    }

    private static List<String> texts(final EdgeClient c) {
        return c.messages().stream().map(m -> m.at("/event/text").asText()).toList();
    }

    private static List<String> membership(final EdgeClient c, final String user) {
        return c.events().stream().filter(e -> user.equals(e.at("/event/userId").asText()))
                .map(e -> e.at("/event/type").asText()).toList();
    }

    @Test
    void givenPrivateChannel_thenItsEventsReachMembersOnly_fromTheInviteOn_untilTheLeave_liveAndOnResume()
            throws Exception {
        // Given a team with an owner and two more members; "priv" is private with owner and insider, "pub" is public
        final String s = UUID.randomUUID().toString().substring(0, 8);
        final String team = "authz-" + s;
        final String owner = "own" + s;
        final String insider = "ins" + s;
        final String invitee = "inv" + s;
        final String outsider = "out" + s;
        call(owner, "POST", "/api/v1/teams", "{\"teamId\":\"" + team + "\"}");
        call(owner, "PUT", "/api/v1/teams/" + team + "/members/" + insider, "{}");
        call(owner, "PUT", "/api/v1/teams/" + team + "/members/" + invitee, "{}");
        call(owner, "POST", "/api/v1/teams/" + team + "/channels", "{\"channelId\":\"priv\",\"private\":true}");
        call(owner, "POST", "/api/v1/teams/" + team + "/channels", "{\"channelId\":\"pub\",\"private\":false}");
        call(owner, "PUT", "/api/v1/teams/" + team + "/channels/priv/members/" + insider, "{}");
        final String url = stack.wsUrl();
        try (EdgeClient own = EdgeClient.connectAs(url, owner);
             EdgeClient ins = EdgeClient.connectAs(url, insider);
             EdgeClient inv = EdgeClient.connectAs(url, invitee);
             EdgeClient out = EdgeClient.connectAs(url, outsider);
             EdgeClient anonymous = EdgeClient.connectAs(url, null)) {
            subscribeAsMember(own, team);
            subscribeAsMember(ins, team);
            subscribeAsMember(inv, team);
            final JsonNode invStart = inv.lastPosition(team);
            out.send("{\"op\":\"subscribe\",\"teamId\":\"" + team + "\",\"id\":\"o1\"}");

            // When: a private post, a public post, an invite, a private post, the invitee leaves, a private post
            post(owner, team, "priv", "p1");
            post(owner, team, "pub", "g1");
            call(owner, "PUT", "/api/v1/teams/" + team + "/channels/priv/members/" + invitee, "{}");
            post(owner, team, "priv", "p2");
            call(invitee, "DELETE", "/api/v1/teams/" + team + "/channels/priv/members/" + invitee, null);
            post(owner, team, "priv", "p3");
            post(owner, team, "pub", "g2");

            // Then members get everything, the invitee only between invite and leave, the outsider nothing
            await().atMost(Duration.ofSeconds(20)).until(() -> texts(own).contains("g2") && texts(ins).contains("g2")
                    && texts(inv).contains("g2"));
            assertThat(texts(own)).containsExactly("p1", "g1", "p2", "p3", "g2");
            assertThat(texts(ins)).containsExactly("p1", "g1", "p2", "p3", "g2");
            assertThat(texts(inv)).containsExactly("g1", "p2", "g2");
            assertThat(membership(inv, invitee)).containsExactly("MemberJoined", "MemberLeft");
            await().atMost(Duration.ofSeconds(10)).until(() -> !out.ofType("error").isEmpty());
            assertThat(out.ofType("error").get(0).path("code").asText()).isEqualTo("NOT_TEAM_MEMBER");
            assertThat(out.ofType("subscribed")).isEmpty();
            assertThat(out.events()).isEmpty();
            await().atMost(Duration.ofSeconds(10)).until(() -> !anonymous.closeCodes.isEmpty());
            assertThat(anonymous.closeCodes).containsExactly(4401);

            // And on resume from before p1, the filter is the membership now: the former invitee gets no private post
            try (EdgeClient invAgain = EdgeClient.connectAs(url, invitee);
                 EdgeClient insAgain = EdgeClient.connectAs(url, insider)) {
                for (EdgeClient c : List.of(invAgain, insAgain)) {
                    c.send("{\"op\":\"subscribe\",\"teamId\":\"" + team + "\",\"since\":" + invStart + "}");
                }
                await().atMost(Duration.ofSeconds(20)).until(() -> texts(invAgain).contains("g2")
                        && texts(insAgain).contains("g2"));
                assertThat(texts(invAgain)).containsExactly("g1", "g2");
                assertThat(texts(insAgain)).containsExactly("p1", "g1", "p2", "p3", "g2");
            }
        }
    }
}
