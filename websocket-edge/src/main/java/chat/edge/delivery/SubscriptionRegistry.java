package chat.edge.delivery;

import chat.edge.CloseCodes;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.locks.LockSupport;

/**
 * Which open connections want which team's events. Read by the consumer thread on every event,
 * written by socket threads on (un)subscribe and close; all operations are thread-safe and never
 * block on I/O.
 *
 * <pre>{@code
 * registry.open(connection);
 * registry.subscribe(connection, "t1");
 * for (Connection c : registry.subscribers("t1")) { c.offer(frame); }
 * }</pre>
 */
public final class SubscriptionRegistry {
    /** How long shutdown waits for the sockets it closed to finish closing. */
    private static final Duration SHUTDOWN_WAIT = Duration.ofSeconds(5);
    /**
     * Told about subscription changes (presence). Called on the thread that made the change (a
     * socket thread, a command thread, the consumer thread): must not block.
     */
    public interface Listener {
        /** {@code connection} now receives {@code team}'s events. */
        void subscribed(Connection connection, String team);

        /** {@code connection} no longer receives {@code team}'s events (also just before {@link #closed}). */
        void unsubscribed(Connection connection, String team);

        /** {@code connection} is gone. */
        void closed(Connection connection);
    }

    private static final Listener NONE = new Listener() {
        @Override
        public void subscribed(final Connection connection, final String team) {
        }

        @Override
        public void unsubscribed(final Connection connection, final String team) {
        }

        @Override
        public void closed(final Connection connection) {
        }
    };

    private volatile Listener listener = NONE;

    /** Sets the one listener of subscription changes (presence); {@code null} removes it. */
    public void listen(final Listener l) {
        this.listener = l == null ? NONE : l;
    }

    /** Outcome of {@link #subscribe}. */
    public enum Result { ADDED, ALREADY_SUBSCRIBED, LIMIT_REACHED, CLOSED }

    /** team -> its subscribers' streams: the consumer thread delivers through these without a per-connection lookup. */
    private final ConcurrentMap<String, ConcurrentMap<Connection, TeamStream>> byTeam = new ConcurrentHashMap<>();
    private final Set<Connection> open = ConcurrentHashMap.newKeySet();
    private final EdgeStats stats;
    private final int maxSubscriptions;
    private volatile boolean draining;

    /**
     * @param maxSubscriptions teams one connection may subscribe to
     */
    public SubscriptionRegistry(final EdgeStats stats, final int maxSubscriptions) {
        this.stats = stats;
        this.maxSubscriptions = maxSubscriptions;
    }

    /** Registers a new connection; while draining, closes it at once with {@link CloseCodes#SHUTDOWN}. */
    public void open(final Connection connection) {
        if (draining) {
            connection.close(CloseCodes.SHUTDOWN, "edge is shutting down");
            return;
        }
        if (open.add(connection)) {
            stats.connectionOpened();
        }
        if (draining || connection.isTerminated()) {
            // drain() or a close raced with us: make sure the connection does not linger.
            connection.close(CloseCodes.SHUTDOWN, "edge is shutting down");
            closed(connection);
        }
    }

    /** Removes a connection and all its subscriptions; idempotent. Use as {@link Connection.Listener}. */
    public void closed(final Connection connection) {
        for (String team : List.copyOf(connection.teams())) {
            unsubscribe(connection, team);
        }
        if (open.remove(connection)) {
            stats.connectionClosed();
            listener.closed(connection);
        }
    }

    /** Would {@link #subscribe} refuse for the limit? (Checked before acknowledging.) */
    public boolean wouldExceedLimit(final Connection connection, final String team) {
        return !connection.teams().contains(team) && connection.teams().size() >= maxSubscriptions;
    }

    /** Subscribes {@code connection} to {@code team}'s events (every offset, no catch-up). */
    public Result subscribe(final Connection connection, final String team) {
        return subscribe(connection, TeamStream.live(connection, team, -1));
    }

    /** Subscribes {@code stream}'s connection to its team's events through {@code stream}. */
    public Result subscribe(final Connection connection, final TeamStream stream) {
        final String team = stream.team();
        if (connection.isTerminated()) {
            return Result.CLOSED;
        }
        if (connection.teams().contains(team)) {
            return Result.ALREADY_SUBSCRIBED;
        }
        if (connection.teams().size() >= maxSubscriptions) {
            return Result.LIMIT_REACHED;
        }
        if (!connection.addTeam(team, stream)) {
            return Result.ALREADY_SUBSCRIBED;
        }
        byTeam.compute(team, (k, streams) -> {
            final ConcurrentMap<Connection, TeamStream> m = streams == null ? new ConcurrentHashMap<>() : streams;
            m.put(connection, stream);
            return m;
        });
        stats.subscriptionsChanged(1);
        if (connection.isTerminated()) {
            // Closed concurrently (e.g. slow consumer on the consumer thread): undo so nothing leaks.
            unsubscribe(connection, team);
            return Result.CLOSED;
        }
        listener.subscribed(connection, team);
        return Result.ADDED;
    }

    /** Unsubscribes; returns false when it was not subscribed. */
    public boolean unsubscribe(final Connection connection, final String team) {
        if (!connection.removeTeam(team)) {
            return false;
        }
        byTeam.computeIfPresent(team, (k, streams) -> {
            streams.remove(connection);
            return streams.isEmpty() ? null : streams;
        });
        stats.subscriptionsChanged(-1);
        listener.unsubscribed(connection, team);
        return true;
    }

    /** The connections subscribed to {@code team} (live view; empty when none). */
    public Set<Connection> subscribers(final String team) {
        final ConcurrentMap<Connection, TeamStream> m = byTeam.get(team);
        return m == null ? Set.of() : m.keySet();
    }

    /** The subscriptions to {@code team}, one per subscribed connection (live view; empty when none). */
    public Collection<TeamStream> streams(final String team) {
        final ConcurrentMap<Connection, TeamStream> m = byTeam.get(team);
        return m == null ? List.of() : m.values();
    }

    /** True when some connection is subscribed to {@code team}. */
    public boolean hasSubscribers(final String team) {
        return byTeam.containsKey(team);
    }

    /** Teams one connection may subscribe to. */
    public int maxSubscriptions() {
        return maxSubscriptions;
    }

    /** Teams with at least one subscriber. */
    public int teamCount() {
        return byTeam.size();
    }

    /** The open connections (a live view). */
    public Set<Connection> connections() {
        return java.util.Collections.unmodifiableSet(open);
    }

    /** Open connections. */
    public int connectionCount() {
        return open.size();
    }

    /** {@link #drain} with {@link CloseCodes#SHUTDOWN}: the edge is going away, clients reconnect elsewhere. */
    public int shutdown() {
        return drain(CloseCodes.SHUTDOWN, "edge is shutting down");
    }

    /**
     * {@link #shutdown(Duration)} waiting at most 5 s: what stopping the edge runs (the consumer
     * service first, then closing the context again for an edge without the Kafka consumer), so the
     * close frames go out before the server stops its event loops.
     */
    public int shutdownAndWait() {
        return shutdown(SHUTDOWN_WAIT);
    }

    /**
     * Closes every open connection with {@link CloseCodes#SHUTDOWN} and waits, at most {@code wait},
     * until their sockets closed: the close frames are written on the sockets' event loops, and a
     * server that stopped its loops first would cut the clients without the reconnect code.
     *
     * @return how many connections this call closed
     */
    public int shutdown(final Duration wait) {
        final List<Connection> closing = new ArrayList<>(open);
        final int closed = shutdown();
        final long deadline = System.nanoTime() + wait.toNanos();
        while (closing.stream().anyMatch(Connection::socketOpen) && System.nanoTime() < deadline) {
            LockSupport.parkNanos(10_000_000L);
        }
        return closed;
    }

    /**
     * Stops accepting connections and closes every open one with {@code code}; idempotent.
     *
     * @return how many connections this call closed
     */
    public int drain(final int code, final String reason) {
        draining = true;
        int closedNow = 0;
        for (Connection c : new ArrayList<>(open)) {
            if (c.close(code, reason)) {
                closedNow++;
            }
            closed(c);
        }
        return closedNow;
    }
}
