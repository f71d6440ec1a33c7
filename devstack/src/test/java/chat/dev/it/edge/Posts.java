package chat.dev.it.edge;

import chat.dev.it.Tokens;
import com.fasterxml.jackson.databind.JsonNode;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;

/** Posts messages through the stack's HTTP API; completes with the reply (status, position). */
final class Posts {
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    record Reply(int status, JsonNode body) {
    }

    private final String baseUrl;

    Posts(final String baseUrl) {
        this.baseUrl = baseUrl;
    }

    /** The user every post is made as; it creates (and so is a member of) the teams and channels. */
    static final String USER = "edgetester";
    private static final java.util.Set<String> PROVISIONED = java.util.concurrent.ConcurrentHashMap.newKeySet();

    /** Creates the team and its public channel as {@link #USER} (idempotent; call before subscribing). */
    Posts provision(final String team, final String channel) {
        if (PROVISIONED.add(baseUrl + "|" + team + "|" + channel)) {
            final Reply t = send("POST", "/api/v1/teams", "{\"teamId\":\"" + team + "\"}").join();
            if (t.status() != 201 && t.status() != 409) {
                throw new IllegalStateException("cannot create team " + team + ": " + t.status() + " " + t.body());
            }
            final Reply c = send("POST", "/api/v1/teams/" + team + "/channels", "{\"channelId\":\"" + channel + "\"}")
                    .join();
            if (c.status() != 201 && c.status() != 409) {
                throw new IllegalStateException("cannot create channel " + channel + ": " + c.status() + " " + c.body());
            }
        }
        return this;
    }

    /**
     * Posts as {@link #USER}; a {@code 429} (write rate limit per user) is retried after its
     * {@code Retry-After}, like a well-behaved client, so the reply is the post's real outcome.
     */
    CompletableFuture<Reply> post(final String team, final String channel, final String text) {
        provision(team, channel);
        return postWithRetry("/api/v1/teams/" + team + "/channels/" + channel + "/messages",
                "{\"text\":\"" + text + "\"}", 0);
    }

    private CompletableFuture<Reply> postWithRetry(final String path, final String body, final int attempt) {
        return send("POST", path, body).thenCompose(r -> {
            if (r.status() != 429 || attempt >= 200) {
                return CompletableFuture.completedFuture(r);
            }
            final long delayMs = 50 + java.util.concurrent.ThreadLocalRandom.current().nextLong(100);
            return CompletableFuture.supplyAsync(() -> null,
                            CompletableFuture.delayedExecutor(delayMs, java.util.concurrent.TimeUnit.MILLISECONDS))
                    .thenCompose(ignored -> postWithRetry(path, body, attempt + 1));
        });
    }

    private CompletableFuture<Reply> send(final String method, final String path, final String body) {
        return HTTP.sendAsync(HttpRequest.newBuilder(URI.create(baseUrl + path))
                        .timeout(Duration.ofSeconds(30))
                        .header("Content-Type", "application/json")
                        .header("Authorization", Tokens.bearer(USER))
                        .method(method, HttpRequest.BodyPublishers.ofString(body, StandardCharsets.UTF_8)).build(),
                HttpResponse.BodyHandlers.ofString())
                .thenApply(r -> {
                    try {
                        return new Reply(r.statusCode(), EdgeClient.JSON.readTree(r.body()));
                    } catch (Exception e) {
                        return new Reply(r.statusCode(), EdgeClient.JSON.nullNode());
                    }
                });
    }
}
