package chat.edge;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

/** A java.net.http WebSocket client that records every text message and the close code. */
public final class TestClient implements WebSocket.Listener {
    private final List<String> messages = new CopyOnWriteArrayList<>();
    private final StringBuilder partial = new StringBuilder();
    private final CompletableFuture<Integer> closed = new CompletableFuture<>();
    private WebSocket socket;

    /** Connects as user {@code tester} (a token in the {@code access_token} query parameter unless the URI has a query). */
    public static TestClient connect(final HttpClient http, final URI uri) throws Exception {
        return connectRaw(http, uri.getQuery() == null ? URI.create(uri + "?access_token=" + TestAuth.token("tester")) : uri);
    }

    /** Connects with exactly {@code uri} (e.g. without a user). */
    public static TestClient connectRaw(final HttpClient http, final URI uri) throws Exception {
        final TestClient c = new TestClient();
        c.socket = http.newWebSocketBuilder().connectTimeout(Duration.ofSeconds(5)).buildAsync(uri, c)
                .get(10, TimeUnit.SECONDS);
        return c;
    }

    public void send(final String text) throws Exception {
        socket.sendText(text, true).get(5, TimeUnit.SECONDS);
    }

    public List<String> messages() {
        return messages;
    }

    public CompletableFuture<Integer> closed() {
        return closed;
    }

    public void abort() {
        socket.abort();
    }

    public void close() {
        if (!socket.isOutputClosed()) {
            socket.sendClose(WebSocket.NORMAL_CLOSURE, "bye");
        }
    }

    @Override
    public CompletionStage<?> onText(final WebSocket webSocket, final CharSequence data, final boolean last) {
        synchronized (partial) {
            partial.append(data);
            if (last) {
                messages.add(partial.toString());
                partial.setLength(0);
            }
        }
        webSocket.request(1);
        return null;
    }

    @Override
    public CompletionStage<?> onClose(final WebSocket webSocket, final int statusCode, final String reason) {
        closed.complete(statusCode);
        return null;
    }

    @Override
    public void onError(final WebSocket webSocket, final Throwable error) {
        closed.complete(-1);
    }
}
