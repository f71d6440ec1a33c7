package chat.dev.bench;

import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.concurrent.atomic.LongAccumulator;

/**
 * A fixed-size, lock-free, log-linear histogram of non-negative latencies in microseconds
 * (a small stand-in for HdrHistogram). Values below 256 us are exact; above, each power of two
 * is split into 128 buckets, so a reported percentile is the upper bound of its bucket and at
 * most 0.8 % above the true value. The maximum is exact. Values above ~2^40 us are clamped.
 *
 * <pre>{@code
 * LatencyHistogram h = new LatencyHistogram();
 * h.recordNanos(System.nanoTime() - start);
 * long p99us = h.percentile(99.0);
 * }</pre>
 */
final class LatencyHistogram {
    private static final int EXACT = 256;
    private static final int SUB_BITS = 7;
    private static final int SUB = 1 << SUB_BITS; // 128
    private static final int MAX_SHIFT = 33;
    private static final int SIZE = EXACT + MAX_SHIFT * SUB;

    private final AtomicLongArray counts = new AtomicLongArray(SIZE);
    private final AtomicLong count = new AtomicLong();
    private final AtomicLong sum = new AtomicLong();
    private final LongAccumulator max = new LongAccumulator(Long::max, 0);

    /** Records a duration given in nanoseconds (negative values are recorded as 0). */
    void recordNanos(final long nanos) {
        recordMicros(Math.max(0, nanos) / 1_000);
    }

    void recordMicros(final long micros) {
        final long v = Math.max(0, micros);
        counts.incrementAndGet(index(v));
        count.incrementAndGet();
        sum.addAndGet(v);
        max.accumulate(v);
    }

    long count() {
        return count.get();
    }

    long maxMicros() {
        return max.get();
    }

    double meanMicros() {
        final long c = count.get();
        return c == 0 ? 0 : (double) sum.get() / c;
    }

    /** The value (us) at or below which {@code p} percent of the recorded values lie; 0 when empty. */
    long percentile(final double p) {
        final long total = count.get();
        if (total == 0) {
            return 0;
        }
        final long rank = Math.max(1, (long) Math.ceil(p / 100.0 * total));
        long seen = 0;
        for (int i = 0; i < SIZE; i++) {
            seen += counts.get(i);
            if (seen >= rank) {
                return Math.min(upperBound(i), max.get());
            }
        }
        return max.get();
    }

    static int index(final long v) {
        if (v < EXACT) {
            return (int) v;
        }
        final int msb = 63 - Long.numberOfLeadingZeros(v); // >= 8
        final int shift = msb - SUB_BITS;                   // >= 1
        if (shift > MAX_SHIFT) {
            return SIZE - 1;
        }
        final int sub = (int) (v >>> shift);                // 128..255
        return EXACT + (shift - 1) * SUB + (sub - SUB);
    }

    static long upperBound(final int index) {
        if (index < EXACT) {
            return index;
        }
        final int shift = (index - EXACT) / SUB + 1;
        final long sub = (index - EXACT) % SUB + SUB;
        return ((sub + 1) << shift) - 1;
    }
}
