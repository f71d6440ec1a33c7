package chat.edge.presence;

import chat.common.redis.PresenceKeys;
import chat.edge.delivery.Connection;
import chat.edge.delivery.SubscriptionRegistry;
import chat.edge.protocol.ErrorCode;
import chat.edge.protocol.ServerFrames;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicLong;

/**
 * This edge's side of presence: tells the {@link PresenceStore} which of its connections count in
 * which team (a connection counts in the teams it is subscribed to), with which state, and keeps
 * them alive with one batched refresh per {@code refresh-interval} ({@link #heartbeat}: O(1) Redis
 * work per connection, whatever its number of teams; no broadcast). State changes are published
 * by the store itself, only when a user's state in a team changes.
 *
 * <p>Writes run in order on one executor (never on the socket's or the consumer's thread). A write
 * that fails because Redis is away is not retried: the next {@link #heartbeat} finds the
 * connections Redis does not know and registers them again (this also repairs a Redis restart and
 * a sweep of a stalled edge's connections).
 *
 * <pre>{@code
 * registry.listen(presence);       // joins and leaves follow subscriptions
 * presence.heartbeat();            // from a timer
 * }</pre>
 */
public final class Presence implements SubscriptionRegistry.Listener {
    private static final Logger LOG = LoggerFactory.getLogger(Presence.class);
    static final int BATCH = 500;

    private record Tracked(Connection connection, String key) {
    }

    private final PresenceStore store;
    private final Executor writes;
    private final String edgeId;
    private final long ttlMs;
    private final Map<Connection, Tracked> tracked = new ConcurrentHashMap<>();
    private final Map<Connection, String> states = new ConcurrentHashMap<>();
    private final AtomicLong failures = new AtomicLong();
    private final AtomicLong dropped = new AtomicLong();

    /**
     * @param store  {@code null}: presence and typing are unavailable on this edge (no Redis)
     * @param writes runs the store calls in submission order (one thread)
     * @param edgeId unique per edge process; prefixes connection ids in the store
     */
    Presence(final PresenceStore store, final Executor writes, final String edgeId, final long ttlMs) {
        this.store = store;
        this.writes = writes;
        this.edgeId = edgeId;
        this.ttlMs = ttlMs;
    }

    /** A presence without a store: every typing or presence op is answered {@code PRESENCE_UNAVAILABLE}. */
    public static Presence unavailable() {
        return new Presence(null, Runnable::run, "none", 1);
    }

    /** True when this edge has a store (Redis configured); it may still be unreachable for a moment. */
    public boolean available() {
        return store != null;
    }

    String keyOf(final Connection c) {
        return edgeId + ":" + c.id();
    }

    @Override
    public void subscribed(final Connection c, final String team) {
        if (store == null || c.user() == null) {
            return;
        }
        final Tracked t = tracked.computeIfAbsent(c, k -> new Tracked(k, keyOf(k)));
        submit(() -> {
            if (!c.isTerminated() && c.teams().contains(team)) {
                store.join(t.key(), c.user(), team, stateOf(c), ttlMs);
            }
        });
    }

    @Override
    public void unsubscribed(final Connection c, final String team) {
        if (store == null || c.isTerminated() || !tracked.containsKey(c)) {
            return; // a closing connection is dropped as a whole by closed()
        }
        final String key = keyOf(c);
        submit(() -> store.leave(key, team));
    }

    @Override
    public void closed(final Connection c) {
        states.remove(c);
        final Tracked t = tracked.remove(c);
        if (store != null && t != null) {
            submit(() -> store.drop(t.key()));
        }
    }

    /** The client's presence op: its state in all its teams, now and for later subscriptions. */
    public void setState(final Connection c, final String state, final String requestId) {
        if (store == null) {
            unavailable(c, requestId);
            return;
        }
        states.put(c, state);
        if (!tracked.containsKey(c)) {
            return; // not in any team yet: applies when it subscribes
        }
        final String key = keyOf(c);
        submitOrReport(c, requestId, () -> store.setState(key, state));
    }

    /** Publishes a typing indicator (the caller checked membership and the rate). */
    public void typing(final Connection c, final String team, final String channel, final String requestId) {
        if (store == null) {
            unavailable(c, requestId);
            return;
        }
        submitOrReport(c, requestId, () -> store.typing(team, channel, c.user()));
    }

    /**
     * Extends the expiry of every tracked connection (batched); registers again those the store
     * lost. Call from a timer every {@code refresh-interval}.
     */
    public void heartbeat() {
        if (store == null) {
            return;
        }
        final List<Tracked> all = new ArrayList<>(tracked.values());
        for (int i = 0; i < all.size(); i += BATCH) {
            final List<Tracked> batch = all.subList(i, Math.min(all.size(), i + BATCH));
            final List<String> missing;
            try {
                missing = store.refresh(batch.stream().map(Tracked::key).toList(), ttlMs);
            } catch (PresenceStore.Unavailable e) {
                failed(e);
                return;
            }
            if (missing.isEmpty()) {
                continue;
            }
            final java.util.Set<String> lost = java.util.Set.copyOf(missing);
            for (Tracked t : batch) {
                if (lost.contains(t.key())) {
                    final Connection c = t.connection();
                    submit(() -> {
                        if (!c.isTerminated() && tracked.containsKey(c)) {
                            for (String team : List.copyOf(c.teams())) {
                                store.join(t.key(), c.user(), team, stateOf(c), ttlMs);
                            }
                        }
                    });
                }
            }
        }
    }

    /** Removes expired connections of any edge (e.g. one killed with SIGKILL). Call from a timer. */
    public long sweep() {
        if (store == null) {
            return 0;
        }
        try {
            return store.sweep(1000);
        } catch (PresenceStore.Unavailable e) {
            failed(e);
            return 0;
        }
    }

    /** Removes every connection of this edge from the store (graceful shutdown: offline at once, not after the TTL). */
    void dropAll() {
        for (Connection c : List.copyOf(tracked.keySet())) {
            closed(c);
        }
    }

    /** Connections this edge has registered for presence. */
    public int trackedConnections() {
        return tracked.size();
    }

    /** Store calls that failed (Redis away). */
    public long failures() {
        return failures.get();
    }

    private String stateOf(final Connection c) {
        return states.getOrDefault(c, PresenceKeys.ONLINE);
    }

    private void submit(final Runnable r) {
        try {
            writes.execute(() -> {
                try {
                    r.run();
                } catch (PresenceStore.Unavailable e) {
                    failed(e);
                } catch (RuntimeException e) {
                    LOG.warn("presence write failed: {}", e.toString());
                }
            });
        } catch (RejectedExecutionException e) {
            if (dropped.incrementAndGet() % 1000 == 1) {
                LOG.warn("presence writes queue full; dropped {} so far (the next refresh repairs joins)", dropped.get());
            }
        }
    }

    private void submitOrReport(final Connection c, final String requestId, final Runnable r) {
        try {
            writes.execute(() -> {
                try {
                    r.run();
                } catch (PresenceStore.Unavailable e) {
                    failed(e);
                    unavailable(c, requestId);
                } catch (RuntimeException e) {
                    LOG.warn("presence write failed: {}", e.toString());
                    unavailable(c, requestId);
                }
            });
        } catch (RejectedExecutionException e) {
            unavailable(c, requestId);
        }
    }

    private static void unavailable(final Connection c, final String requestId) {
        c.offer(ServerFrames.error(ErrorCode.PRESENCE_UNAVAILABLE,
                "presence and typing need Redis, which is not available now; retry later", requestId));
    }

    private void failed(final PresenceStore.Unavailable e) {
        final long n = failures.incrementAndGet();
        if (n <= 10 || n % 1000 == 0) {
            LOG.warn("presence store unavailable ({} failures so far): {}", n, e.getMessage());
        }
    }
}
