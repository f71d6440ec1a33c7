package chat.edge.delivery;

import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;

/**
 * The edge's counters, cheap to update from any thread. Gauges (connections, subscriptions)
 * go up and down; the rest only grow. Read them with {@link #snapshot()}.
 *
 * <pre>{@code
 * EdgeStats.Snapshot s = stats.snapshot();
 * long sent = s.framesSent();
 * }</pre>
 */
public final class EdgeStats {
    private final AtomicInteger connections = new AtomicInteger();
    private final AtomicLong subscriptions = new AtomicLong();
    private final LongAdder recordsConsumed = new LongAdder();
    private final LongAdder eventsRendered = new LongAdder();
    private final LongAdder framesSent = new LongAdder();
    private final LongAdder bytesSent = new LongAdder();
    private final LongAdder sendFailures = new LongAdder();
    private final LongAdder queueOverflows = new LongAdder();
    private final LongAdder undecodableRecords = new LongAdder();
    private final LongAdder protocolErrors = new LongAdder();
    private final LongAdder consumerErrors = new LongAdder();
    private final LongAdder resumesBuffer = new LongAdder();
    private final LongAdder resumesLog = new LongAdder();
    private final LongAdder resumesNone = new LongAdder();
    private final LongAdder resyncs = new LongAdder();
    private final LongAdder recoveredEvents = new LongAdder();
    private final LongAdder refusedUnauthorized = new LongAdder();
    private final LongAdder refusedLimit = new LongAdder();
    /** Upper bounds (ms) of the delivery latency histogram's buckets; the last bucket is +Inf. */
    public static final long[] LATENCY_BUCKETS_MS = {1, 2, 5, 10, 25, 50, 100, 250, 500, 1000, 2500, 5000, 10000};
    private final LongAdder[] latency = new LongAdder[LATENCY_BUCKETS_MS.length + 1];
    private final LongAdder latencySumMs = new LongAdder();

    public EdgeStats() {
        for (int i = 0; i < latency.length; i++) {
            latency[i] = new LongAdder();
        }
    }

    /**
     * The delivery latency histogram: per bucket of {@link #LATENCY_BUCKETS_MS} (then +Inf) the count of
     * event frames written whose latency fell in it (not cumulative), and the sum in ms.
     */
    public record Latency(long[] counts, long sumMs) {
        public long total() {
            long t = 0;
            for (long c : counts) {
                t += c;
            }
            return t;
        }
    }

    /** One event frame written {@code ms} after its append to the log. */
    public void delivered(final long ms) {
        final long v = Math.max(0, ms);
        int i = 0;
        while (i < LATENCY_BUCKETS_MS.length && v > LATENCY_BUCKETS_MS[i]) {
            i++;
        }
        latency[i].increment();
        latencySumMs.add(v);
    }

    public Latency latency() {
        final long[] counts = new long[latency.length];
        for (int i = 0; i < counts.length; i++) {
            counts[i] = latency[i].sum();
        }
        return new Latency(counts, latencySumMs.sum());
    }

    /** A connection refused at open: {@code unauthorized} or {@code limit}. */
    public void refusedConnection(final String reason) {
        if ("limit".equals(reason)) {
            refusedLimit.increment();
        } else {
            refusedUnauthorized.increment();
        }
    }

    /** Connections refused for want of a user (4401). */
    public long refusedUnauthorized() {
        return refusedUnauthorized.sum();
    }

    /** Connections refused over a limit (4429). */
    public long refusedLimit() {
        return refusedLimit.sum();
    }

    /**
     * A point-in-time copy.
     *
     * @param connections        open connections
     * @param subscriptions      (connection, team) pairs
     * @param recordsConsumed    records read from {@code chat.events}
     * @param eventsRendered     events rendered (once each, for teams with at least one subscriber)
     * @param framesSent         frames written to sockets (events and control frames)
     * @param bytesSent          payload bytes of those frames
     * @param sendFailures       frames the transport failed to write
     * @param queueOverflows     connections closed as slow consumers
     * @param undecodableRecords records not delivered because they could not be decoded or were misrouted
     * @param protocolErrors     client frames refused with an error frame
     * @param consumerErrors     Kafka poll failures (retried)
     * @param resumesBuffer      resumes served from the in-memory buffer
     * @param resumesLog         resumes served by reading the log
     * @param resumesNone        resumes with nothing to recover (the client was at or ahead of this edge)
     * @param resyncs            resumes answered with {@code resync}
     * @param recoveredEvents    events replayed by resumes
     */
    public record Snapshot(int connections, long subscriptions, long recordsConsumed, long eventsRendered,
                           long framesSent, long bytesSent, long sendFailures, long queueOverflows,
                           long undecodableRecords, long protocolErrors, long consumerErrors,
                           long resumesBuffer, long resumesLog, long resumesNone, long resyncs,
                           long recoveredEvents) {
    }

    public Snapshot snapshot() {
        return new Snapshot(connections.get(), subscriptions.get(), recordsConsumed.sum(), eventsRendered.sum(),
                framesSent.sum(), bytesSent.sum(), sendFailures.sum(), queueOverflows.sum(),
                undecodableRecords.sum(), protocolErrors.sum(), consumerErrors.sum(), resumesBuffer.sum(),
                resumesLog.sum(), resumesNone.sum(), resyncs.sum(), recoveredEvents.sum());
    }

    /** One resume finished; {@code kind} is {@code buffer}, {@code log} or {@code none}. */
    public void resumed(final String kind, final int events) {
        switch (kind) {
            case "buffer" -> resumesBuffer.increment();
            case "log" -> resumesLog.increment();
            default -> resumesNone.increment();
        }
        recoveredEvents.add(events);
    }

    /** One resume answered with resync. */
    public void resync() {
        resyncs.increment();
    }

    void connectionOpened() {
        connections.incrementAndGet();
    }

    void connectionClosed() {
        connections.decrementAndGet();
    }

    void subscriptionsChanged(final int delta) {
        subscriptions.addAndGet(delta);
    }

    void frameSent(final int bytes) {
        framesSent.increment();
        bytesSent.add(bytes);
    }

    void sendFailed() {
        sendFailures.increment();
    }

    void queueOverflow() {
        queueOverflows.increment();
    }

    /** One record read from the log. */
    public void recordConsumed() {
        recordsConsumed.increment();
    }

    /** One event rendered for fan-out. */
    public void eventRendered() {
        eventsRendered.increment();
    }

    /** One record that could not be delivered; returns the new total (for log throttling). */
    public long undecodableRecord() {
        undecodableRecords.increment();
        return undecodableRecords.sum();
    }

    /** One client frame refused. */
    public void protocolError() {
        protocolErrors.increment();
    }

    /** One failed poll. */
    public void consumerError() {
        consumerErrors.increment();
    }
}
