package chat.edge.delivery;

import chat.edge.CloseCodes;
import chat.edge.protocol.Frame;

import java.util.Collections;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

/**
 * One client socket as the fan-out sees it: its subscriptions and its bounded outbound queue.
 *
 * <p>The queue is the transport's own write queue; this class only counts what was handed to
 * {@link Outbound#send} and is not yet written. {@link #offer} never blocks and never buffers:
 * when one more frame would exceed {@link QueueLimits}, the connection is closed with
 * {@link CloseCodes#SLOW_CONSUMER} (the client reconnects and resumes) and the frame is dropped.
 * Frames offered by one thread reach the socket in the order offered, so the consumer thread's
 * log order is each connection's order.
 *
 * <pre>{@code
 * Connection c = new Connection("s1", outbound, new QueueLimits(1000, 4 << 20), stats, registry::closed);
 * c.offer(frame);
 * }</pre>
 */
public final class Connection {
    /** Called once when the connection stops receiving frames, whoever closed it. */
    public interface Listener {
        void terminated(Connection connection);
    }

    /** {@link #queued}: frames above this bit, bytes below. */
    private static final int FRAMES_SHIFT = 40;
    private static final long BYTES_MASK = (1L << FRAMES_SHIFT) - 1;

    private final String id;
    private final Outbound outbound;
    private final QueueLimits limits;
    private final EdgeStats stats;
    private final Listener listener;
    /**
     * Frames (bits 40-63) and bytes (bits 0-39) handed to the socket and not yet written, in one word:
     * one atomic add per frame each way instead of two. {@link QueueLimits} keeps both fields in range.
     */
    private final AtomicLong queued = new AtomicLong();
    /** Called by the transport once per frame handed over; one instance per connection, not per frame. */
    private final Outbound.Written completion = this::written;
    private final AtomicBoolean terminated = new AtomicBoolean();
    private final Map<String, TeamStream> streams = new ConcurrentHashMap<>();
    private volatile int closeCode;
    private final String user;
    private final String remoteAddress;
    private volatile long lastSeenNanos = System.nanoTime();

    public Connection(final String id, final Outbound outbound, final QueueLimits limits, final EdgeStats stats,
                      final Listener listener) {
        this(id, null, null, outbound, limits, stats, listener);
    }

    /**
     * @param user          who the client is ({@code chat.common.auth.Identity}); {@code null} only in
     *                      tests of the plain delivery (such a connection passes no membership filter)
     * @param remoteAddress the client's IP address for limits and logs, or {@code null}
     */
    public Connection(final String id, final String user, final String remoteAddress, final Outbound outbound,
                      final QueueLimits limits, final EdgeStats stats, final Listener listener) {
        this.user = user;
        this.remoteAddress = remoteAddress;
        this.id = id;
        this.outbound = outbound;
        this.limits = limits;
        this.stats = stats;
        this.listener = listener;
    }

    /** The connection's user, or {@code null} (tests of the plain delivery). */
    public String user() {
        return user;
    }

    /** Notes that the client showed life (a frame, a pong) now. */
    public void touch() {
        lastSeenNanos = System.nanoTime();
    }

    /** {@link System#nanoTime()} of the client's last sign of life (creation counts). */
    public long lastSeenNanos() {
        return lastSeenNanos;
    }

    /** The client's IP address, or {@code null}. */
    public String remoteAddress() {
        return remoteAddress;
    }

    /** The session id, for logs. */
    public String id() {
        return id;
    }

    /**
     * Hands {@code frame} to the socket unless that would exceed the queue bounds, in which case
     * the connection is closed with {@link CloseCodes#SLOW_CONSUMER}.
     *
     * @return true when the frame was handed over
     */
    public boolean offer(final Frame frame) {
        if (terminated.get()) {
            return false;
        }
        final int size = frame.size();
        final long q = queued.addAndGet((1L << FRAMES_SHIFT) + size);
        if ((q >>> FRAMES_SHIFT) > limits.maxFrames() || (q & BYTES_MASK) > limits.maxBytes()) {
            release(size);
            if (close(CloseCodes.SLOW_CONSUMER, "slow consumer: outbound queue full")) {
                stats.queueOverflow();
            }
            return false;
        }
        try {
            outbound.send(frame, completion);
        } catch (RuntimeException e) {
            // The socket closed under us; its close callback will (or did) terminate the connection too.
            release(size);
            stats.sendFailed();
            terminate();
            return false;
        }
        return true;
    }

    /** The transport wrote {@code frame} (or failed to). */
    private void written(final Frame frame, final Throwable failure) {
        final int size = frame.size();
        release(size);
        if (failure == null) {
            stats.frameSent(size);
            if (frame.appendedAt() > 0) {
                stats.delivered(System.currentTimeMillis() - frame.appendedAt());
            }
        } else {
            stats.sendFailed();
            terminate();
        }
    }

    /**
     * Closes the socket with {@code code} and stops delivery; later calls do nothing.
     *
     * @return true when this call closed it
     */
    public boolean close(final int code, final String reason) {
        if (!terminated.compareAndSet(false, true)) {
            return false;
        }
        closeCode = code;
        listener.terminated(this);
        outbound.close(code, reason);
        return true;
    }

    /** Sends a WebSocket ping unless closed (heartbeat). */
    public void ping() {
        if (!terminated.get()) {
            try {
                outbound.ping();
            } catch (RuntimeException e) {
                terminate();
            }
        }
    }

    /** Stops delivery because the socket is already gone (the client closed it); idempotent. */
    public void terminate() {
        if (terminated.compareAndSet(false, true)) {
            listener.terminated(this);
        }
    }

    /** True while the socket itself is open: after {@link #close} until its close frame went out and it closed. */
    public boolean socketOpen() {
        return outbound.isOpen();
    }

    /** True once closed or terminated. */
    public boolean isTerminated() {
        return terminated.get();
    }

    /** The code this edge closed the connection with, 0 when it did not. */
    public int closeCode() {
        return closeCode;
    }

    /** Frames handed to the socket and not yet written. */
    public int queuedFrames() {
        return (int) (queued.get() >>> FRAMES_SHIFT);
    }

    /** Bytes handed to the socket and not yet written. */
    public long queuedBytes() {
        return queued.get() & BYTES_MASK;
    }

    /** The teams this connection is subscribed to (a read-only view). */
    public Set<String> teams() {
        return Collections.unmodifiableSet(streams.keySet());
    }

    /** The subscription to {@code team}, or {@code null}. */
    public TeamStream stream(final String team) {
        return streams.get(team);
    }

    boolean addTeam(final String team, final TeamStream stream) {
        return streams.putIfAbsent(team, stream) == null;
    }

    boolean removeTeam(final String team) {
        final TeamStream s = streams.remove(team);
        if (s != null) {
            s.cancel();
        }
        return s != null;
    }

    private void release(final int size) {
        queued.addAndGet(-((1L << FRAMES_SHIFT) + size));
    }

    @Override
    public String toString() {
        return "Connection[" + id + ", user=" + user + ", teams=" + streams.size() + ", queued=" + queuedFrames() + " frames/"
                + queuedBytes() + " bytes]";
    }
}
