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

    private final String baseUrl;

    Api(final String baseUrl) {
        this.baseUrl = baseUrl;
    }

    CompletableFuture<Reply> postAsync(final String team, final String channel, final String jsonBody) {
        return sendAsync(HttpRequest.newBuilder(URI.create(baseUrl + "/api/v1/teams/" + team + "/channels/" + channel + "/messages"))
                .timeout(Duration.ofSeconds(30))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(jsonBody, StandardCharsets.UTF_8)).build());
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
