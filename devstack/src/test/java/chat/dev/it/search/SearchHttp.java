package chat.dev.it.search;

import chat.dev.DevStack;
import chat.dev.it.Tokens;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.micronaut.context.ApplicationContext;
import io.micronaut.runtime.server.EmbeddedServer;

import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/** Client of the search API and the write API as given users (bearer tokens as in {@code Api}), plus extra search instances. */
final class SearchHttp {
    static final ObjectMapper JSON = new ObjectMapper();
    static final String ADMIN_TOKEN = "dev-search-admin";
    private static final HttpClient CLIENT = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    record Reply(int status, JsonNode body, HttpResponse<String> raw) {
        String code() {
            return body.path("error").path("code").asText(null);
        }

        List<String> ids() {
            final List<String> out = new ArrayList<>();
            body.path("results").forEach(r -> out.add(r.path("messageId").asText()));
            return out;
        }
    }

    private final String base;

    SearchHttp(final String base) {
        this.base = base;
    }

    String base() {
        return base;
    }

    /** {@code GET /api/v1/teams/{team}/search?q=...}, with {@code extra} query parameters already encoded (e.g. {@code &limit=2}). */
    Reply search(final String team, final String user, final String q, final String extra) {
        final String qs = q == null ? "" : "q=" + URLEncoder.encode(q, StandardCharsets.UTF_8);
        return send("GET", "/api/v1/teams/" + team + "/search?" + qs + (extra == null ? "" : extra), user, null, null);
    }

    Reply search(final String team, final String user, final String q) {
        return search(team, user, q, null);
    }

    Reply admin(final String method, final String path) {
        return send(method, path, null, null, ADMIN_TOKEN);
    }

    /** A write that must answer 2xx; a 503 with Retry-After (e.g. READ_MODEL_BEHIND on a busy machine) is retried for up to 30 s. */
    Reply write(final String method, final String path, final String user, final String json) {
        Reply r = send(method, path, user, json, null);
        final long deadline = System.nanoTime() + 30_000_000_000L;
        while (r.status() == 503 && r.raw().headers().firstValue("Retry-After").isPresent() && System.nanoTime() < deadline) {
            try {
                Thread.sleep(500);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
            r = send(method, path, user, json, null);
        }
        if (r.status() / 100 != 2) {
            throw new AssertionError(method + " " + path + " as " + user + " answered " + r.status() + " " + r.body());
        }
        return r;
    }

    /** Posts and returns the message id. */
    String post(final String team, final String channel, final String user, final String text, final String root) {
        final String body = "{\"text\":" + JSON.valueToTree(text) + (root == null ? "" : ",\"threadRootId\":\"" + root + "\"") + "}";
        return write("POST", "/api/v1/teams/" + team + "/channels/" + channel + "/messages", user, body).body().get("messageId").asText();
    }

    Reply send(final String method, final String path, final String user, final String json, final String adminToken) {
        final HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(base + path)).timeout(Duration.ofSeconds(30));
        if (user != null) {
            b.header("Authorization", Tokens.bearer(user));
        }
        if (adminToken != null) {
            b.header("X-Chat-Admin-Token", adminToken);
        }
        if (json != null) {
            b.header("Content-Type", "application/json");
        }
        b.method(method, json == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(json, StandardCharsets.UTF_8));
        try {
            final HttpResponse<String> r = CLIENT.send(b.build(), HttpResponse.BodyHandlers.ofString());
            JsonNode body;
            try {
                body = r.body() == null || r.body().isEmpty() ? JSON.nullNode() : JSON.readTree(r.body());
            } catch (Exception e) {
                body = JSON.getNodeFactory().textNode(r.body());
            }
            return new Reply(r.statusCode(), body, r);
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** A team with {@code owner} as admin and a public channel {@code general} (owner is a member). */
    void team(final String team, final String owner) {
        write("POST", "/api/v1/teams", owner, "{\"teamId\":\"" + team + "\"}");
        write("POST", "/api/v1/teams/" + team + "/channels", owner, "{\"channelId\":\"general\"}");
    }

    /** The properties a search instance needs to run against {@code stack} (no projector, no edge). */
    static Map<String, Object> instanceProperties(final DevStack stack, final Path indexDir, final String partitions, final String routes) {
        final Map<String, Object> props = new HashMap<>();
        props.put("micronaut.application.name", "chat-dev-search");
        props.put("micronaut.server.port", -1);
        props.put("micronaut.server.host", "127.0.0.1");
        props.put("chat.region", "dev");
        props.put("chat.kafka.bootstrap-servers", stack.bootstrapServers());
        props.put("chat.kafka.partitions", stack.options().partitions());
        props.put("chat.shards.jdbc-urls", String.join(",", stack.shardJdbcUrls()));
        props.put("chat.shards.user", stack.postgres().user());
        props.put("chat.shards.password", stack.postgres().password());
        props.put("chat.projector.enabled", "false");
        props.put("chat.edge.enabled", "false");
        props.put("chat.search.index-dir", indexDir.toString());
        props.put("chat.search.partitions", partitions);
        props.put("chat.search.routes", routes);
        props.put("chat.search.commit-ms", 200);
        props.put("chat.search.admin-token", ADMIN_TOKEN);
        props.putAll(stack.authProperties());
        return props;
    }

    /** Starts one more search instance in this JVM (its own Micronaut context). */
    static EmbeddedServer startInstance(final Map<String, Object> props) {
        final ApplicationContext context = ApplicationContext.builder().properties(props).environments("dev")
                .deduceEnvironment(false).start();
        try {
            return context.getBean(EmbeddedServer.class).start();
        } catch (RuntimeException e) {
            context.close();
            throw e;
        }
    }

    /** The status entry of {@code partition} from {@code GET /api/v1/search/status}. */
    JsonNode partitionStatus(final int partition) {
        final Reply r = admin("GET", "/api/v1/search/status");
        if (r.status() != 200) {
            throw new AssertionError("status answered " + r.status() + " " + r.body());
        }
        for (JsonNode p : r.body().path("partitions")) {
            if (p.path("partition").asInt() == partition) {
                return p;
            }
        }
        throw new AssertionError("partition " + partition + " not in " + r.body());
    }
}
