package chat.dev.bench;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.time.Duration;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/**
 * Posts messages open-loop: message i of a paced window is due at {@code start + i / rate}; the
 * pacing thread sends whatever is due and never waits for answers. At most {@code maxInFlight}
 * posts are outstanding; a due message that finds the limit reached is not sent and counted as
 * an error ({@code droppedInflight}), so the schedule never slows down (no coordinated omission).
 */
final class Poster implements AutoCloseable {
    private final HttpClient http;
    private final String baseUrl;
    private final String[] teams;
    private final String channel;
    private final String textPadding;
    private final Tracker tracker;
    private final WsFleet fleet;
    private final Semaphore inFlight;
    private final int maxInFlight;
    private final Duration requestTimeout;
    private long seq;

    Poster(final String baseUrl, final String[] teams, final String channel, final int textLength, final Tracker tracker,
           final WsFleet fleet, final int maxInFlight, final Duration requestTimeout, final ExecutorService executor) {
        this.http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(Duration.ofSeconds(5)).executor(executor).build();
        this.baseUrl = baseUrl;
        this.teams = teams;
        this.channel = channel;
        this.textPadding = "x".repeat(Math.max(0, textLength));
        this.tracker = tracker;
        this.fleet = fleet;
        this.maxInFlight = maxInFlight;
        this.inFlight = new Semaphore(maxInFlight);
        this.requestTimeout = requestTimeout;
    }

    /**
     * Makes every team exist with the bench user as a member of its channel (the write API only
     * lets channel members post): creates the team and the channel, accepting "already exists".
     *
     * @throws IllegalStateException when a team or channel cannot be set up
     */
    void provision() throws InterruptedException {
        for (String team : teams) {
            create("/api/v1/teams", "{\"teamId\":\"" + team + "\"}", "TEAM_EXISTS");
            create("/api/v1/teams/" + team + "/channels", "{\"channelId\":\"" + channel + "\"}", "CHANNEL_EXISTS");
        }
    }

    /**
     * Adds each user to a team as a member, {@code members[i]} joining team index {@code teamOf[i]}
     * ({@code PUT /teams/{t}/members/{u}} as the bench user, the teams' admin), at most 64 requests
     * at once; "already a member" (200 unchanged) is fine.
     *
     * @throws IllegalStateException when a membership cannot be written within {@code timeout}
     */
    void addMembers(final String[] members, final int[] teamOf, final Duration timeout) throws InterruptedException {
        final long deadline = System.nanoTime() + timeout.toNanos();
        final Semaphore slots = new Semaphore(64);
        final java.util.concurrent.atomic.AtomicReference<String> failure = new java.util.concurrent.atomic.AtomicReference<>();
        final String bearer = BenchTokens.bearer(baseUrl, "bench");
        for (int i = 0; i < members.length && failure.get() == null; i++) {
            if (!slots.tryAcquire(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS)) {
                throw new IllegalStateException("bench setup: adding " + members.length + " members took longer than " + timeout);
            }
            final String path = "/api/v1/teams/" + teams[teamOf[i]] + "/members/" + members[i];
            final HttpRequest request = HttpRequest.newBuilder(URI.create(baseUrl + path))
                    .timeout(requestTimeout)
                    .header("Content-Type", "application/json")
                    .header("Authorization", bearer)
                    .PUT(HttpRequest.BodyPublishers.ofString("{\"role\":\"member\"}")).build();
            putMember(request, path, slots, failure, 0);
        }
        if (!slots.tryAcquire(64, Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS)) {
            throw new IllegalStateException("bench setup: adding " + members.length + " members took longer than " + timeout);
        }
        slots.release(64);
        if (failure.get() != null) {
            throw new IllegalStateException("bench setup " + failure.get());
        }
    }

    /** One membership write; a 503 (e.g. READ_MODEL_BEHIND: the projector is catching up) is retried up to 10 times. */
    private void putMember(final HttpRequest request, final String path, final Semaphore slots,
                           final java.util.concurrent.atomic.AtomicReference<String> failure, final int attempt) {
        http.sendAsync(request, HttpResponse.BodyHandlers.ofString()).whenComplete((r, e) -> {
            if (e == null && r.statusCode() == 503 && attempt < 10) {
                java.util.concurrent.CompletableFuture.delayedExecutor(500L * (attempt + 1), TimeUnit.MILLISECONDS)
                        .execute(() -> putMember(request, path, slots, failure, attempt + 1));
                return;
            }
            slots.release();
            if (e != null) {
                failure.compareAndSet(null, path + " failed: " + e);
            } else if (r.statusCode() != 200 && r.statusCode() != 201) {
                failure.compareAndSet(null, path + " answered " + r.statusCode() + ": " + r.body());
            }
        });
    }

    private void create(final String path, final String body, final String existsCode) throws InterruptedException {
        final HttpRequest request = HttpRequest.newBuilder(URI.create(baseUrl + path))
                .timeout(requestTimeout)
                .header("Content-Type", "application/json")
                .header("Authorization", BenchTokens.bearer(baseUrl, "bench"))
                .POST(HttpRequest.BodyPublishers.ofString(body)).build();
        try {
            final HttpResponse<String> r = http.send(request, HttpResponse.BodyHandlers.ofString());
            if (r.statusCode() != 201 && !(r.statusCode() == 409 && r.body().contains(existsCode))) {
                throw new IllegalStateException("bench setup " + path + " answered " + r.statusCode() + ": " + r.body());
            }
        } catch (java.io.IOException e) {
            throw new IllegalStateException("bench setup " + path + " failed: " + e, e);
        }
    }

    /** The message text of sequence number {@code n}: exactly {@code textLength} ASCII characters. */
    static String text(final long n, final String padding) {
        final String head = "bench " + n + " ";
        return head.length() >= padding.length() ? head.substring(0, Math.max(1, padding.length()))
                : head + padding.substring(head.length());
    }

    /**
     * Posts at {@code rate}/s for {@code seconds} into {@code phase}; returns when the window is over
     * (answers may still be outstanding).
     */
    void pace(final Phase phase, final double rate, final double seconds) {
        final long start = System.nanoTime();
        final long windowNanos = (long) (seconds * 1e9);
        final long end = start + windowNanos;
        final double intervalNanos = 1e9 / rate;
        phase.startNanos = start;
        phase.framesReceivedAtStart = tracker.framesReceived.get();
        for (long i = 0; ; i++) {
            final long due = start + (long) (i * intervalNanos);
            if (due >= end) {
                break;
            }
            long now = System.nanoTime();
            if (due > now) {
                LockSupport.parkNanos(due - now);
                now = System.nanoTime();
            }
            final long lag = now - due;
            if (lag > 5_000_000L) {
                phase.lateSends.incrementAndGet();
            }
            phase.maxScheduleLagMicros.accumulate(Math.max(0, lag) / 1_000);
            phase.scheduled.incrementAndGet();
            post(phase);
        }
        phase.endNanos = System.nanoTime();
        phase.framesReceivedAtEnd = tracker.framesReceived.get();
    }

    private void post(final Phase phase) {
        if (!inFlight.tryAcquire()) {
            phase.droppedInflight.incrementAndGet();
            return;
        }
        final long n = seq++;
        final int team = (int) (n % teams.length);
        final String body = "{\"text\":\"" + text(n, textPadding) + "\"}";
        final HttpRequest request = HttpRequest.newBuilder(
                        URI.create(baseUrl + "/api/v1/teams/" + teams[team] + "/channels/" + channel + "/messages"))
                .timeout(requestTimeout)
                .header("Content-Type", "application/json")
                .header("Authorization", BenchTokens.bearer(baseUrl, "bench"))
                .POST(HttpRequest.BodyPublishers.ofString(body))
                .build();
        final long sendNanos = System.nanoTime();
        phase.sent.incrementAndGet();
        try {
            http.sendAsync(request, HttpResponse.BodyHandlers.ofString()).whenComplete((response, error) -> {
                final long now = System.nanoTime();
                try {
                    answered(phase, team, sendNanos, now, response, error);
                } finally {
                    // only now: awaitAnswers() must not see this post answered before it is counted
                    inFlight.release();
                }
            });
        } catch (RuntimeException e) {
            inFlight.release();
            phase.ioErrors.incrementAndGet();
        }
    }

    private void answered(final Phase phase, final int team, final long sendNanos, final long now,
                          final HttpResponse<String> response, final Throwable error) {
        if (error != null) {
            final Throwable cause = error.getCause() != null ? error.getCause() : error;
            if (cause instanceof HttpTimeoutException) {
                phase.timeouts.incrementAndGet();
            } else {
                phase.ioErrors.incrementAndGet();
            }
            return;
        }
        phase.countStatus(response.statusCode());
        if (response.statusCode() != 201) {
            phase.non201.incrementAndGet();
            return;
        }
        final String messageId = WsFleet.stringField(response.body(), "\"messageId\":\"", 0);
        if (messageId == null) {
            phase.badResponses.incrementAndGet();
            return;
        }
        phase.accepted.incrementAndGet();
        if (phase.measured) {
            phase.post.recordNanos(now - sendNanos);
        }
        tracker.accepted(messageId, phase, sendNanos, now, fleet.fanout(team));
    }

    /** Waits up to {@code timeout} until no post is outstanding; returns how many still are. */
    int awaitAnswers(final Duration timeout) throws InterruptedException {
        if (inFlight.tryAcquire(maxInFlight, timeout.toMillis(), TimeUnit.MILLISECONDS)) {
            inFlight.release(maxInFlight);
            return 0;
        }
        return maxInFlight - inFlight.availablePermits();
    }

    @Override
    public void close() {
        http.shutdownNow();
        try {
            http.awaitTermination(Duration.ofSeconds(5));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
