package chat.edge.presence;

import java.util.List;

/**
 * Where presence lives and how typing travels between edges (the port; {@link RedisPresenceStore}
 * is the real one, tests use an in-memory one). Every method throws {@link Unavailable} when the
 * store cannot be reached; none queues.
 */
interface PresenceStore {
    /** The store cannot be reached (no Redis configured, Redis away). */
    final class Unavailable extends RuntimeException {
        Unavailable(final String message, final Throwable cause) {
            super(message, cause);
        }
    }

    /** {@code conn} of {@code user} counts in {@code team} with {@code state}, expiring after {@code ttlMs}. */
    void join(String conn, String user, String team, String state, long ttlMs);

    void leave(String conn, String team);

    void drop(String conn);

    /** Sets the connection's state in all its teams. */
    void setState(String conn, String state);

    /** Extends the expiry of {@code conns}; returns those the store does not know. */
    List<String> refresh(List<String> conns, long ttlMs);

    /** Removes up to {@code limit} expired connections; returns how many. */
    long sweep(int limit);

    /** The state of each of {@code users} in {@code team}, in order. */
    List<String> query(String team, List<String> users);

    /** Publishes a typing indicator to every edge. */
    void typing(String team, String channel, String user);
}
