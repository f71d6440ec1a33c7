package chat.dev.it;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

import static org.awaitility.Awaitility.await;

/** A real WebSocket client for tests: collects every JSON frame it receives. */
final class WsClient implements AutoCloseable {
    static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient HTTP = HttpClient.newHttpClient();

    final List<JsonNode> frames = new CopyOnWriteArrayList<>();
    final CompletableFuture<Integer> closed = new CompletableFuture<>();
    private final WebSocket socket;

    private WsClient(final String url) throws Exception {
        socket = HTTP.newWebSocketBuilder().connectTimeout(Duration.ofSeconds(5))
                .buildAsync(URI.create(url), new WebSocket.Listener() {
                    private final StringBuilder partial = new StringBuilder();

                    @Override
                    public CompletionStage<?> onText(final WebSocket ws, final CharSequence data, final boolean last) {
                        partial.append(data);
                        if (last) {
                            try {
                                frames.add(JSON.readTree(partial.toString()));
                            } catch (Exception e) {
                                throw new IllegalStateException("server sent invalid JSON: " + partial, e);
                            }
                            partial.setLength(0);
                        }
                        ws.request(1);
                        return null;
                    }

                    @Override
                    public CompletionStage<?> onClose(final WebSocket ws, final int statusCode, final String reason) {
                        closed.complete(statusCode);
                        return null;
                    }

                    @Override
                    public void onError(final WebSocket ws, final Throwable error) {
                        closed.completeExceptionally(error);
                    }
                }).get(10, TimeUnit.SECONDS);
    }

    /** Connects as {@link Api#USER} (the user the test helpers create teams and channels as). */
    static WsClient connect(final String url) throws Exception {
        return connect(url, Api.USER);
    }

    /** Connects with exactly {@code url} (e.g. a test's own token in it, or none). */
    static WsClient connectRaw(final String url) throws Exception {
        return new WsClient(url);
    }

    /** Connects as {@code user} (the token on the upgrade request's query, as browsers must). */
    static WsClient connect(final String url, final String user) throws Exception {
        return new WsClient(url + (url.contains("?") ? "&" : "?") + "access_token=" + Tokens.token(user));
    }

    void send(final String json) {
        socket.sendText(json, true).join();
    }

    /** Subscribes to a team and waits for the server's acknowledgement. */
    WsClient subscribe(final String teamId) {
        send("{\"op\":\"subscribe\",\"teamId\":\"" + teamId + "\"}");
        await().atMost(Duration.ofSeconds(10)).until(() -> frames.stream()
                .anyMatch(f -> "subscribed".equals(f.path("type").asText()) && teamId.equals(f.path("teamId").asText())));
        return this;
    }

    List<JsonNode> events() {
        return frames.stream().filter(f -> "event".equals(f.path("type").asText())).toList();
    }

    List<JsonNode> ofType(final String type) {
        return frames.stream().filter(f -> type.equals(f.path("type").asText())).toList();
    }

    @Override
    public void close() {
        if (!socket.isOutputClosed()) {
            socket.sendClose(WebSocket.NORMAL_CLOSURE, "bye");
        }
        socket.abort();
    }
}
