package chat.dev.it.cache;

import chat.dev.it.Tokens;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;

/** A minimal client of one service instance's HTTP API (writes and reads as a given user). */
final class Http {
    static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient CLIENT = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    /** {@code raw} is the body exactly as received. */
    record Reply(int status, JsonNode body, String raw) {
        String code() {
            return body.path("error").path("code").asText(null);
        }
    }

    private final String base;

    Http(final String base) {
        this.base = base;
    }

    Reply get(final String path, final String user) {
        return send("GET", path, user, null);
    }

    Reply send(final String method, final String path, final String user, final String json) {
        final HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(base + path)).timeout(Duration.ofSeconds(30));
        if (user != null) {
            b.header("Authorization", Tokens.bearer(user));
        }
        if (json != null) {
            b.header("Content-Type", "application/json");
        }
        b.method(method, json == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(json, StandardCharsets.UTF_8));
        try {
            final HttpResponse<String> r = CLIENT.send(b.build(), HttpResponse.BodyHandlers.ofString());
            final JsonNode body = r.body() == null || r.body().isEmpty() ? JSON.nullNode() : JSON.readTree(r.body());
            return new Reply(r.statusCode(), body, r.body());
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** Posts and returns the message id (asserting 201). */
    String post(final String team, final String channel, final String user, final String json) {
        final Reply r = send("POST", "/api/v1/teams/" + team + "/channels/" + channel + "/messages", user, json);
        if (r.status() != 201) {
            throw new AssertionError("post failed: " + r.status() + " " + r.body());
        }
        return r.body().get("messageId").asText();
    }

    /** A write that must answer {@code status}. */
    Reply expect(final int status, final String method, final String path, final String user, final String json) {
        final Reply r = send(method, path, user, json);
        if (r.status() != status) {
            throw new AssertionError(method + " " + path + " answered " + r.status() + " " + r.body() + ", expected " + status);
        }
        return r;
    }

    /** The body of an anonymous GET as text (e.g. {@code /prometheus}). */
    String text(final String path) {
        try {
            return CLIENT.send(HttpRequest.newBuilder(URI.create(base + path)).timeout(Duration.ofSeconds(30)).build(),
                    HttpResponse.BodyHandlers.ofString()).body();
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    JsonNode stats() {
        return get("/api/v1/read-cache/stats", null).body();
    }
}
