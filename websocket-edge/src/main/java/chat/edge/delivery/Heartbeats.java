package chat.edge.delivery;

import chat.edge.CloseCodes;

import java.util.List;
import java.util.function.LongSupplier;

/**
 * Reaps dead connections: every {@code ping-interval} the edge pings each open connection and
 * closes, with {@link CloseCodes#IDLE_TIMEOUT}, those that sent no frame and answered no ping for
 * {@code idle-timeout} (a phone that lost its network without a TCP reset would otherwise hold a
 * socket and its queue for hours).
 *
 * <pre>{@code
 * heartbeats.sweep(); // from a timer
 * }</pre>
 */
public final class Heartbeats {
    private final SubscriptionRegistry registry;
    private final long idleTimeoutNanos;
    private final LongSupplier nanoTime;

    /**
     * @param idleTimeoutNanos zero never reaps (pings only)
     * @param nanoTime         the clock ({@code System::nanoTime}; a fake in tests)
     */
    public Heartbeats(final SubscriptionRegistry registry, final long idleTimeoutNanos, final LongSupplier nanoTime) {
        this.registry = registry;
        this.idleTimeoutNanos = idleTimeoutNanos;
        this.nanoTime = nanoTime;
    }

    /** Pings the live connections, closes the idle ones; returns how many were closed. */
    public int sweep() {
        final long now = nanoTime.getAsLong();
        int reaped = 0;
        for (Connection c : List.copyOf(registry.connections())) {
            if (idleTimeoutNanos > 0 && now - c.lastSeenNanos() > idleTimeoutNanos) {
                if (c.close(CloseCodes.IDLE_TIMEOUT, "idle: no frame or pong")) {
                    reaped++;
                }
            } else {
                c.ping();
            }
        }
        return reaped;
    }
}
