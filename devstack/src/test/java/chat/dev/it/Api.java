package chat.dev.it;

import com.fasterxml.jackson.databind.JsonNode;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;

/** The HTTP API as a client sees it. */
final class Api {
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    record Reply(int status, JsonNode body, HttpResponse<String> raw) {
        String code() {
            return body.path("error").path("code").asText(null);
        }
    }

    /** The user every helper write is made as; it creates (and so is a member of) the teams and channels it posts to. */
    static final String USER = "tester";
    /** (base URL, team, channel) already set up by {@link #provision}. */
    private static final java.util.Set<String> PROVISIONED = java.util.concurrent.ConcurrentHashMap.newKeySet();

    private final String baseUrl;

    Api(final String baseUrl) {
        this.baseUrl = baseUrl;
    }

    /**
     * Posts as {@link #USER} to a channel, creating the team and the (public) channel first when
     * this JVM has not done so yet: the write API only accepts posts from channel members.
     */
    CompletableFuture<Reply> postAsync(final String team, final String channel, final String jsonBody) {
        provision(team, channel);
        return sendAsync(HttpRequest.newBuilder(URI.create(baseUrl + "/api/v1/teams/" + team + "/channels/" + channel + "/messages"))
                .timeout(Duration.ofSeconds(30))
                .header("Content-Type", "application/json")
                .header("Authorization", Tokens.bearer(USER))
                .POST(HttpRequest.BodyPublishers.ofString(jsonBody, StandardCharsets.UTF_8)).build());
    }

    /** Creates team and public channel as {@link #USER} (idempotent per JVM; "exists" answers are fine). */
    void provision(final String team, final String channel) {
        if (PROVISIONED.contains(baseUrl + "|" + team + "|" + channel)) {
            return;
        }
        final Reply t = write("POST", "/api/v1/teams", USER, "{\"teamId\":\"" + team + "\"}");
        if (t.status() != 201 && !(t.status() == 409 && "TEAM_EXISTS".equals(t.code()))) {
            throw new IllegalStateException("cannot create team " + team + ": " + t.status() + " " + t.body());
        }
        final Reply c = write("POST", "/api/v1/teams/" + team + "/channels", USER, "{\"channelId\":\"" + channel + "\"}");
        if (c.status() != 201 && !(c.status() == 409 && "CHANNEL_EXISTS".equals(c.code()))) {
            throw new IllegalStateException("cannot create channel " + team + "/" + channel + ": " + c.status() + " " + c.body());
        }
        PROVISIONED.add(baseUrl + "|" + team + "|" + channel);
    }

    /** Any write as {@code user}; {@code jsonBody} may be null. */
    Reply write(final String method, final String path, final String user, final String jsonBody) {
        final HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(baseUrl + path)).timeout(Duration.ofSeconds(30));
        if (user != null) {
            b.header("Authorization", Tokens.bearer(user));
        }
        if (jsonBody != null) {
            b.header("Content-Type", "application/json");
        }
        b.method(method, jsonBody == null ? HttpRequest.BodyPublishers.noBody()
                : HttpRequest.BodyPublishers.ofString(jsonBody, StandardCharsets.UTF_8));
        return send(b.build());
    }

    Reply post(final String team, final String channel, final String jsonBody) {
        return postAsync(team, channel, jsonBody).join();
    }

    Reply send(final HttpRequest request) {
        return sendAsync(request).join();
    }

    CompletableFuture<Reply> sendAsync(final HttpRequest request) {
        return HTTP.sendAsync(request, HttpResponse.BodyHandlers.ofString()).thenApply(r -> {
            JsonNode body;
            try {
                body = r.body() == null || r.body().isEmpty() ? WsClient.JSON.nullNode() : WsClient.JSON.readTree(r.body());
            } catch (Exception e) {
                body = WsClient.JSON.getNodeFactory().textNode(r.body());
            }
            return new Reply(r.statusCode(), body, r);
        });
    }

    String url(final String path) {
        return baseUrl + path;
    }
}
