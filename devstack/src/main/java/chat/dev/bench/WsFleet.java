package chat.dev.bench;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicLongArray;

/**
 * N WebSocket clients of {@code /ws}, client i subscribed to team {@code i % T}, spread over
 * several {@link HttpClient}s (one per {@value #SOCKETS_PER_CLIENT} sockets, each with its own
 * selector thread). Frames are handed to the {@link Tracker} by messageId.
 */
final class WsFleet implements AutoCloseable {
    static final int SOCKETS_PER_CLIENT = 250;
    private static final String EVENT_PREFIX = "\"type\":\"";
    private static final String MESSAGE_ID = "\"messageId\":\"";

    private final String wsBase;
    private final String httpBase;
    private final String[] users;
    private final String[] teams;
    private final java.util.concurrent.ScheduledExecutorService retries =
            java.util.concurrent.Executors.newSingleThreadScheduledExecutor(r -> {
                final Thread t = new Thread(r, "bench-subscribe-retry");
                t.setDaemon(true);
                return t;
            });
    private final Tracker tracker;
    private final ExecutorService executor;
    private final List<HttpClient> httpClients = new ArrayList<>();
    private final List<Client> clients = new ArrayList<>();
    private final AtomicLongArray subscribedPerTeam;
    private volatile boolean closing;

    final AtomicLong connectFailures = new AtomicLong();
    final AtomicLong subscribeFailures = new AtomicLong();
    final AtomicLong unexpectedCloses = new AtomicLong();
    final AtomicLong socketErrors = new AtomicLong();
    final AtomicLong errorFrames = new AtomicLong();
    final AtomicLong otherFrames = new AtomicLong();
    final AtomicLong unparsedFrames = new AtomicLong();
    final ConcurrentHashMap<Integer, AtomicLong> closeCodes = new ConcurrentHashMap<>();
    final ConcurrentHashMap<String, AtomicLong> errorCodes = new ConcurrentHashMap<>();

    final AtomicLong subscribeRetries = new AtomicLong();

    /**
     * @param wsBase   {@code ws://host:port}
     * @param httpBase the stack's HTTP base URL (tokens: {@link BenchTokens})
     * @param users    the user of client i is {@code users[i % users.length]} (one entry: every socket as that user)
     */
    WsFleet(final String wsBase, final String httpBase, final String[] users, final String[] teams, final Tracker tracker,
            final ExecutorService executor) {
        this.wsBase = wsBase;
        this.httpBase = httpBase;
        this.users = users;
        this.teams = teams;
        this.tracker = tracker;
        this.executor = executor;
        this.subscribedPerTeam = new AtomicLongArray(teams.length);
    }

    /** Opens and subscribes {@code n} clients; returns how many are subscribed within {@code timeout}. */
    int open(final int n, final Duration timeout) throws InterruptedException {
        final long deadline = System.nanoTime() + timeout.toNanos();
        final int clientCount = (n + SOCKETS_PER_CLIENT - 1) / SOCKETS_PER_CLIENT;
        for (int i = 0; i < clientCount; i++) {
            httpClients.add(HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
                    .connectTimeout(Duration.ofSeconds(10)).executor(executor).build());
        }
        final CountDownLatch subscribed = new CountDownLatch(n);
        final Semaphore handshakes = new Semaphore(64); // bounded concurrent handshakes
        final AtomicInteger ok = new AtomicInteger();
        for (int i = 0; i < n; i++) {
            final Client c = new Client(i % teams.length, subscribed, ok);
            final URI uri = URI.create(wsBase + "/ws?access_token=" + BenchTokens.token(httpBase, users[i % users.length]));
            clients.add(c);
            final long left = deadline - System.nanoTime();
            if (left <= 0 || !handshakes.tryAcquire(left, TimeUnit.NANOSECONDS)) {
                connectFailures.incrementAndGet();
                subscribed.countDown();
                continue;
            }
            httpClients.get(i / SOCKETS_PER_CLIENT).newWebSocketBuilder()
                    .connectTimeout(Duration.ofSeconds(10))
                    .buildAsync(uri, c)
                    .whenComplete((ws, err) -> {
                        handshakes.release();
                        if (err != null) {
                            connectFailures.incrementAndGet();
                            subscribed.countDown();
                            return;
                        }
                        c.ws = ws;
                        c.subscribe();
                    });
        }
        subscribed.await(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
        return ok.get();
    }

    /** Sockets currently subscribed to team index {@code team}: the fan-out of one of its messages. */
    int fanout(final int team) {
        return (int) subscribedPerTeam.get(team);
    }

    int openSockets() {
        int n = 0;
        for (Client c : clients) {
            if (c.subscribedNow) {
                n++;
            }
        }
        return n;
    }

    long unexpectedEvents() {
        return unexpectedCloses.get() + socketErrors.get() + errorFrames.get();
    }

    @Override
    public void close() {
        closing = true;
        retries.shutdownNow();
        final List<CompletableFuture<WebSocket>> closes = new ArrayList<>();
        for (Client c : clients) {
            final WebSocket ws = c.ws;
            if (ws != null && !ws.isOutputClosed()) {
                closes.add(ws.sendClose(WebSocket.NORMAL_CLOSURE, "bench done")
                        .toCompletableFuture().exceptionally(e -> null));
            }
        }
        try {
            CompletableFuture.allOf(closes.toArray(CompletableFuture[]::new)).get(5, TimeUnit.SECONDS);
        } catch (Exception ignored) {
            // whatever did not close in time is aborted below
        }
        for (Client c : clients) {
            if (c.ws != null) {
                c.ws.abort();
            }
        }
        for (HttpClient h : httpClients) {
            h.shutdownNow();
        }
        for (HttpClient h : httpClients) {
            try {
                h.awaitTermination(Duration.ofSeconds(5));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    private final class Client implements WebSocket.Listener {
        final int team;
        final CountDownLatch subscribed;
        final AtomicInteger ok;
        volatile WebSocket ws;
        volatile boolean subscribedNow;
        private boolean counted;
        private final StringBuilder partial = new StringBuilder();

        Client(final int team, final CountDownLatch subscribed, final AtomicInteger ok) {
            this.team = team;
            this.subscribed = subscribed;
            this.ok = ok;
        }

        private int attempts;

        void subscribe() {
            ws.sendText("{\"op\":\"subscribe\",\"teamId\":\"" + teams[team] + "\"}", true)
                    .exceptionally(e -> {
                        subscribeFailures.incrementAndGet();
                        countDownOnce();
                        return null;
                    });
        }

        synchronized void countDownOnce() {
            if (!counted) {
                counted = true;
                subscribed.countDown();
            }
        }

        @Override
        public void onOpen(final WebSocket webSocket) {
            webSocket.request(1);
        }

        @Override
        public CompletionStage<?> onText(final WebSocket webSocket, final CharSequence data, final boolean last) {
            if (!last) {
                partial.append(data);
                webSocket.request(1);
                return null;
            }
            final long now = System.nanoTime();
            final String frame;
            if (partial.isEmpty()) {
                frame = data.toString();
            } else {
                frame = partial.append(data).toString();
                partial.setLength(0);
            }
            handle(frame, now);
            webSocket.request(1);
            return null;
        }

        private void handle(final String frame, final long now) {
            final String type = stringField(frame, EVENT_PREFIX, 0);
            if (type == null) {
                unparsedFrames.incrementAndGet();
                return;
            }
            switch (type) {
                case "event" -> {
                    final String messageId = stringField(frame, MESSAGE_ID, 0);
                    if (messageId == null) {
                        otherFrames.incrementAndGet(); // an event that is not a message: not ours
                    } else {
                        tracker.frame(messageId, now);
                    }
                }
                case "subscribed" -> {
                    if (!subscribedNow) {
                        subscribedNow = true;
                        subscribedPerTeam.incrementAndGet(team);
                        ok.incrementAndGet();
                        countDownOnce();
                    }
                }
                case "error" -> {
                    final String code = stringField(frame, "\"code\":\"", 0);
                    if (!subscribedNow && !closing && attempts < 50
                            && ("NOT_TEAM_MEMBER".equals(code) || "MEMBERSHIP_UNAVAILABLE".equals(code))) {
                        // the membership written in setup may not be projected yet: try again shortly
                        attempts++;
                        subscribeRetries.incrementAndGet();
                        retries.schedule(this::subscribe, 200, TimeUnit.MILLISECONDS);
                        return;
                    }
                    errorFrames.incrementAndGet();
                    errorCodes.computeIfAbsent(String.valueOf(code), k -> new AtomicLong()).incrementAndGet();
                    if (!subscribedNow) {
                        subscribeFailures.incrementAndGet();
                        countDownOnce();
                    }
                }
                default -> otherFrames.incrementAndGet();
            }
        }

        @Override
        public CompletionStage<?> onClose(final WebSocket webSocket, final int statusCode, final String reason) {
            gone();
            if (!closing) {
                unexpectedCloses.incrementAndGet();
                closeCodes.computeIfAbsent(statusCode, k -> new AtomicLong()).incrementAndGet();
            }
            return null;
        }

        @Override
        public void onError(final WebSocket webSocket, final Throwable error) {
            gone();
            if (!closing) {
                socketErrors.incrementAndGet();
            }
        }

        private void gone() {
            if (subscribedNow) {
                subscribedNow = false;
                subscribedPerTeam.decrementAndGet(team);
            }
            countDownOnce();
        }
    }

    /** The JSON string value following {@code key} (which ends with the opening quote), or null. */
    static String stringField(final String json, final String key, final int from) {
        final int i = json.indexOf(key, from);
        if (i < 0) {
            return null;
        }
        final int start = i + key.length();
        final int end = json.indexOf('"', start);
        return end < 0 ? null : json.substring(start, end);
    }
}
