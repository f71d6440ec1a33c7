package chat.dev.it.edge;

import chat.dev.it.Tokens;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A WebSocket client that behaves like a well-written app: it remembers the last position it saw
 * per team (from events, or from the {@code subscribed} reply), and after a "reconnect" close or a
 * dropped socket it connects to the next edge of its list and resumes every team from there.
 * {@link #pauseReading()} makes it stop reading (a slow client).
 */
final class EdgeClient implements AutoCloseable {
    static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient HTTP = HttpClient.newHttpClient();

    final List<JsonNode> frames = new CopyOnWriteArrayList<>();
    final List<Integer> closeCodes = new CopyOnWriteArrayList<>();
    final AtomicInteger connects = new AtomicInteger();
    private final List<String> urls;
    private final Map<String, JsonNode> lastPosition = new ConcurrentHashMap<>();
    private final Map<String, Boolean> teams = new ConcurrentHashMap<>();
    private final boolean reconnect;
    private volatile WebSocket socket;
    private volatile int urlIndex;
    private volatile boolean closed;
    private volatile boolean paused;
    private volatile WebSocket pausedSocket;

    private final String user;

    private EdgeClient(final List<String> urls, final int first, final boolean reconnect, final String user) {
        this.user = user;
        this.urls = List.copyOf(urls);
        this.urlIndex = first;
        this.reconnect = reconnect;
    }

    /** Connects to {@code urls[first]}; reconnects to the next URL when the socket goes. */
    static EdgeClient connect(final List<String> urls, final int first, final boolean reconnect) throws Exception {
        return connect(urls, first, reconnect, Posts.USER);
    }

    /** As {@code user} (the {@code user} query parameter of the upgrade; {@code null}: anonymous). */
    static EdgeClient connect(final List<String> urls, final int first, final boolean reconnect, final String user)
            throws Exception {
        final EdgeClient c = new EdgeClient(urls, first, reconnect, user);
        c.open().get(10, TimeUnit.SECONDS);
        return c;
    }

    static EdgeClient connect(final String url) throws Exception {
        return connect(List.of(url), 0, false);
    }

    static EdgeClient connectAs(final String url, final String user) throws Exception {
        return connect(List.of(url), 0, false, user);
    }

    private CompletableFuture<WebSocket> open() {
        connects.incrementAndGet();
        return HTTP.newWebSocketBuilder().connectTimeout(Duration.ofSeconds(5))
                .buildAsync(URI.create(urls.get(urlIndex) + (user == null ? "" : "?access_token=" + Tokens.token(user))), new Listener())
                .thenApply(ws -> {
                    socket = ws;
                    return ws;
                });
    }

    private final class Listener implements WebSocket.Listener {
        private final StringBuilder partial = new StringBuilder();

        @Override
        public CompletionStage<?> onText(final WebSocket ws, final CharSequence data, final boolean last) {
            partial.append(data);
            if (last) {
                final JsonNode f;
                try {
                    f = JSON.readTree(partial.toString());
                } catch (Exception e) {
                    throw new IllegalStateException("server sent invalid JSON: " + partial, e);
                }
                partial.setLength(0);
                if (f instanceof com.fasterxml.jackson.databind.node.ObjectNode o) {
                    o.put("_receivedAt", System.currentTimeMillis()); // for latency checks
                }
                frames.add(f);
                final String type = f.path("type").asText();
                if ("event".equals(type)) {
                    lastPosition.put(f.at("/event/teamId").asText(), f.get("position"));
                } else if ("subscribed".equals(type) && f.has("position")
                        && !lastPosition.containsKey(f.get("teamId").asText())) {
                    lastPosition.put(f.get("teamId").asText(), f.get("position"));
                }
            }
            if (paused) {
                pausedSocket = ws;
            } else {
                ws.request(1);
            }
            return null;
        }

        @Override
        public CompletionStage<?> onClose(final WebSocket ws, final int statusCode, final String reason) {
            closeCodes.add(statusCode);
            reconnectLater();
            return null;
        }

        @Override
        public void onError(final WebSocket ws, final Throwable error) {
            closeCodes.add(1006);
            reconnectLater();
        }
    }

    private void reconnectLater() {
        if (closed || !reconnect) {
            return;
        }
        CompletableFuture.runAsync(() -> {
            for (int attempt = 0; attempt < 50 && !closed; attempt++) {
                urlIndex = (urlIndex + 1) % urls.size();
                try {
                    open().get(5, TimeUnit.SECONDS);
                    for (String team : teams.keySet()) {
                        resume(team);
                    }
                    return;
                } catch (Exception e) {
                    sleepQuietly(100L * Math.min(10, attempt + 1)); // back-off between reconnect attempts
                }
            }
        });
    }

    void send(final String json) {
        socket.sendText(json, true).join();
    }

    /** Subscribes (from its last position when it has one). */
    EdgeClient subscribe(final String team) {
        teams.put(team, true);
        resume(team);
        return this;
    }

    private void resume(final String team) {
        final JsonNode p = lastPosition.get(team);
        if (p == null) {
            send("{\"op\":\"subscribe\",\"teamId\":\"" + team + "\"}");
        } else {
            send("{\"op\":\"subscribe\",\"teamId\":\"" + team + "\",\"since\":" + p + "}");
        }
    }

    /** Subscribes and waits for the reply. */
    EdgeClient subscribeAndWait(final String team) {
        final int before = ofType("subscribed").size();
        subscribe(team);
        org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> ofType("subscribed").size() > before);
        return this;
    }

    JsonNode lastPosition(final String team) {
        return lastPosition.get(team);
    }

    List<JsonNode> events() {
        return ofType("event");
    }

    /** The MessagePosted events (team and channel set-up events excluded). */
    List<JsonNode> messages() {
        return events().stream().filter(e -> "MessagePosted".equals(e.at("/event/type").asText())).toList();
    }

    List<JsonNode> ofType(final String type) {
        return frames.stream().filter(f -> type.equals(f.path("type").asText())).toList();
    }

    /** Stops requesting frames: the server's writes back up. */
    void pauseReading() {
        paused = true;
    }

    /** Drops the TCP connection without a close handshake (like a killed app). */
    void abort() {
        socket.abort();
    }

    /** Drops the connection without a close handshake, then reconnects to the next edge and resumes. */
    void dropAndReconnect() {
        socket.abort();
        reconnectLater();
    }

    @Override
    public void close() {
        closed = true;
        final WebSocket ws = socket;
        if (ws != null) {
            if (!ws.isOutputClosed()) {
                ws.sendClose(WebSocket.NORMAL_CLOSURE, "bye");
            }
            ws.abort();
        }
    }

    private static void sleepQuietly(final long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
