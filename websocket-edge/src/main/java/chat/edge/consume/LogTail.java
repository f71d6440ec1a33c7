package chat.edge.consume;

import chat.edge.protocol.Frame;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;

/**
 * The newest records of one partition as this edge consumed them, bounded in count and bytes, and
 * the consumer's progress in it. Guarded by its own monitor: the consumer thread holds it while
 * it appends and delivers a record of this partition, a subscribe holds it while it reads the
 * buffer and registers, so a subscription starts exactly between two records.
 *
 * <p>{@link #coverFrom()}: every record the consumer routed at or above this offset (and below
 * {@link #next()}) is in the buffer. Evicting a record moves it past that record.
 */
final class LogTail {
    /** One buffered record; {@code frame} is rendered at most once, lazily, under the tail's monitor. */
    static final class Entry {
        final long offset;
        final String team;
        final long timestamp;
        final byte[] value;
        Frame frame;
        /** What the event is about (set when it is decoded), for the access filter of replays. */
        chat.edge.access.TeamView.Scope scope;
        boolean undeliverable;
        boolean buffered;

        Entry(final long offset, final String team, final long timestamp, final byte[] value) {
            this.offset = offset;
            this.team = team;
            this.timestamp = timestamp;
            this.value = value;
        }

        long bytes() {
            return 64L + (value == null ? 0 : value.length) + (frame == null ? 0 : frame.size());
        }
    }

    private final int partition;
    private final int maxEvents;
    private final long maxBytes;
    private final ArrayDeque<Entry> ring = new ArrayDeque<>();
    private long bytes;
    private long coverFrom;
    private long next;

    LogTail(final int partition, final long startOffset, final int maxEvents, final long maxBytes) {
        this.partition = partition;
        this.maxEvents = maxEvents;
        this.maxBytes = maxBytes;
        this.coverFrom = startOffset;
        this.next = startOffset;
    }

    /** Starts over at {@code startOffset} (before the consumer runs). */
    synchronized void reset(final long startOffset) {
        ring.clear();
        bytes = 0;
        coverFrom = startOffset;
        next = startOffset;
    }

    int partition() {
        return partition;
    }

    /** The offset after the last record routed: every record below it has been delivered. */
    synchronized long next() {
        return next;
    }

    /** Every routed record in {@code [coverFrom, next)} is buffered. */
    synchronized long coverFrom() {
        return coverFrom;
    }

    /** Appends a routed record; the caller holds the monitor. Evicts the oldest beyond the bounds. */
    Entry append(final long offset, final String team, final long timestamp, final byte[] value) {
        final Entry e = new Entry(offset, team, timestamp, value);
        if (maxEvents > 0 && maxBytes > 0) {
            ring.addLast(e);
            e.buffered = true;
            bytes += e.bytes();
            evict();
        } else {
            coverFrom = offset + 1;
        }
        next = Math.max(next, offset + 1);
        return e;
    }

    /** Keeps the frame rendered for {@code e} (counted in the byte bound); the caller holds the monitor. */
    void rendered(final Entry e, final Frame frame) {
        if (e.frame == null) {
            e.frame = frame;
            if (e.buffered) {
                bytes += frame.size();
                evict();
            }
        }
    }

    /** The buffered records of {@code team} above {@code after}, oldest first; the caller holds the monitor. */
    List<Entry> entriesOf(final String team, final long after) {
        final List<Entry> out = new ArrayList<>();
        final Iterator<Entry> it = ring.descendingIterator();
        while (it.hasNext()) {
            final Entry e = it.next();
            if (e.offset <= after) {
                break;
            }
            if (team.equals(e.team) && !e.undeliverable) {
                out.add(e);
            }
        }
        return out.reversed();
    }

    /** Buffered records (for stats). */
    synchronized int size() {
        return ring.size();
    }

    private void evict() {
        while (ring.size() > maxEvents || (bytes > maxBytes && ring.size() > 1)) {
            final Entry old = ring.pollFirst();
            old.buffered = false;
            bytes -= old.bytes();
            coverFrom = old.offset + 1;
        }
    }
}
