package chat.edge.delivery;

import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Counts open connections per user and per client IP and refuses one over a limit (zero: no
 * limit). {@link #acquire} and {@link #release} pair up per connection; thread-safe.
 *
 * <pre>{@code
 * if (limits.acquire(ip, user) != ConnectionLimits.Verdict.OK) { close(4429); }
 * ... on close: limits.release(ip, user);
 * }</pre>
 */
public final class ConnectionLimits {
    /** Outcome of {@link #acquire}. */
    public enum Verdict { OK, TOO_MANY_FOR_USER, TOO_MANY_FOR_IP }

    private final int maxPerUser;
    private final int maxPerIp;
    private final ConcurrentMap<String, AtomicInteger> byUser = new ConcurrentHashMap<>();
    private final ConcurrentMap<String, AtomicInteger> byIp = new ConcurrentHashMap<>();

    public ConnectionLimits(final int maxPerUser, final int maxPerIp) {
        this.maxPerUser = maxPerUser;
        this.maxPerIp = maxPerIp;
    }

    /** Counts one more connection of {@code user} from {@code ip} unless that exceeds a limit (then counts nothing). */
    public Verdict acquire(final String ip, final String user) {
        if (!take(byUser, user, maxPerUser)) {
            return Verdict.TOO_MANY_FOR_USER;
        }
        if (!take(byIp, ip, maxPerIp)) {
            give(byUser, user);
            return Verdict.TOO_MANY_FOR_IP;
        }
        return Verdict.OK;
    }

    /** Forgets one connection counted by a successful {@link #acquire}. */
    public void release(final String ip, final String user) {
        give(byUser, user);
        give(byIp, ip);
    }

    /** Open connections of {@code user} (for tests and stats). */
    public int ofUser(final String user) {
        final AtomicInteger n = byUser.get(user);
        return n == null ? 0 : n.get();
    }

    private static boolean take(final ConcurrentMap<String, AtomicInteger> counts, final String key, final int max) {
        if (key == null) {
            return true;
        }
        final boolean[] ok = {true};
        counts.compute(key, (k, n) -> {
            final AtomicInteger c = n == null ? new AtomicInteger() : n;
            if (max > 0 && c.get() >= max) {
                ok[0] = false;
            } else {
                c.incrementAndGet();
            }
            return c.get() == 0 ? null : c;
        });
        return ok[0];
    }

    private static void give(final ConcurrentMap<String, AtomicInteger> counts, final String key) {
        if (key == null) {
            return;
        }
        counts.computeIfPresent(key, (k, n) -> n.decrementAndGet() <= 0 ? null : n);
    }
}
