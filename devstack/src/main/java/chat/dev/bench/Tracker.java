package chat.dev.bench;

import java.util.Arrays;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Correlates WebSocket frames with the POSTs that caused them, by messageId. A frame may arrive
 * before its POST's 201 (the edge can push faster than the HTTP answer travels back): such frames
 * are parked on the message's entry and recorded when the 201 arrives; their accept->frame
 * latency is then negative, recorded as 0 and counted. An entry leaves the map once every
 * expected frame arrived, so the map holds only incomplete messages.
 */
final class Tracker {
    private static final class Entry {
        long sendNanos;
        long acceptNanos; // 0 until the 201 arrived
        Phase phase;
        int expected;
        int delivered;
        boolean complete;
        long[] early;
        int earlyCount;
    }

    private final ConcurrentHashMap<String, Entry> entries = new ConcurrentHashMap<>();
    final AtomicLong framesReceived = new AtomicLong();
    final AtomicLong duplicateFrames = new AtomicLong();

    /** A frame of {@code messageId} arrived at {@code nowNanos}. */
    void frame(final String messageId, final long nowNanos) {
        framesReceived.incrementAndGet();
        final Entry e = entries.computeIfAbsent(messageId, k -> new Entry());
        synchronized (e) {
            if (e.complete) {
                duplicateFrames.incrementAndGet();
                return;
            }
            if (e.acceptNanos == 0) {
                if (e.early == null) {
                    e.early = new long[4];
                } else if (e.earlyCount == e.early.length) {
                    e.early = Arrays.copyOf(e.early, e.early.length * 2);
                }
                e.early[e.earlyCount++] = nowNanos;
                return;
            }
            record(e, nowNanos);
            completeIfDone(messageId, e);
        }
    }

    /** The POST of {@code messageId}, sent at {@code sendNanos}, got its 201 at {@code acceptNanos}. */
    void accepted(final String messageId, final Phase phase, final long sendNanos, final long acceptNanos,
                  final int expectedFrames) {
        phase.expectedFrames.addAndGet(expectedFrames);
        final Entry e = entries.computeIfAbsent(messageId, k -> new Entry());
        synchronized (e) {
            if (e.acceptNanos != 0 || e.complete) {
                return; // the same messageId twice: cannot happen without clientMessageId
            }
            e.phase = phase;
            e.sendNanos = sendNanos;
            e.acceptNanos = Math.max(1, acceptNanos);
            e.expected = expectedFrames;
            for (int i = 0; i < e.earlyCount; i++) {
                record(e, e.early[i]);
            }
            e.early = null;
            e.earlyCount = 0;
            completeIfDone(messageId, e);
        }
    }

    private void record(final Entry e, final long frameNanos) {
        final Phase p = e.phase;
        final long acceptToFrame = frameNanos - e.acceptNanos;
        if (acceptToFrame < 0) {
            p.clampedNegative.incrementAndGet();
        }
        if (p.measured) {
            p.acceptToFrame.recordNanos(acceptToFrame);
            p.sendToFrame.recordNanos(frameNanos - e.sendNanos);
        }
        p.deliveredFrames.incrementAndGet();
        e.delivered++;
        if (e.delivered > e.expected) {
            duplicateFrames.incrementAndGet();
        }
    }

    private void completeIfDone(final String messageId, final Entry e) {
        if (e.delivered >= e.expected) {
            e.complete = true;
            entries.remove(messageId, e);
        }
    }

    /** Frames whose POST never got a 201 (or duplicates of completed messages), at the end of the run. */
    long unmatchedFrames() {
        long n = 0;
        for (Entry e : entries.values()) {
            synchronized (e) {
                if (e.acceptNanos == 0) {
                    n += e.earlyCount;
                }
            }
        }
        return n;
    }

    int pending() {
        return entries.size();
    }
}
