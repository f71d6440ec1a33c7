package chat.dev.bench;

import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAccumulator;

/**
 * Counters and histograms of one measured window (warm-up, the run, or one find-max step).
 * Every message belongs to the phase in which it was scheduled; its frames are recorded into that
 * phase whenever they arrive (also during the drain that follows).
 */
final class Phase {
    final String name;
    final double targetRate;
    final boolean measured;

    final LatencyHistogram post = new LatencyHistogram();
    final LatencyHistogram acceptToFrame = new LatencyHistogram();
    final LatencyHistogram sendToFrame = new LatencyHistogram();

    final AtomicLong scheduled = new AtomicLong();
    final AtomicLong sent = new AtomicLong();
    final AtomicLong accepted = new AtomicLong();
    final AtomicLong non201 = new AtomicLong();
    final AtomicLong timeouts = new AtomicLong();
    final AtomicLong ioErrors = new AtomicLong();
    final AtomicLong droppedInflight = new AtomicLong();
    final AtomicLong badResponses = new AtomicLong();
    final AtomicLong expectedFrames = new AtomicLong();
    final AtomicLong deliveredFrames = new AtomicLong();
    final AtomicLong clampedNegative = new AtomicLong();
    final AtomicLong lateSends = new AtomicLong();
    final LongAccumulator maxScheduleLagMicros = new LongAccumulator(Long::max, 0);
    final java.util.concurrent.ConcurrentHashMap<Integer, AtomicLong> statusCounts = new java.util.concurrent.ConcurrentHashMap<>();

    // filled in by the driver
    volatile long startNanos;
    volatile long endNanos;
    volatile long framesReceivedAtStart;
    volatile long framesReceivedAtEnd;
    volatile long lossAfterDrain = -1;

    Phase(final String name, final double targetRate, final boolean measured) {
        this.name = name;
        this.targetRate = targetRate;
        this.measured = measured;
    }

    double seconds() {
        return Math.max(1e-9, (endNanos - startNanos) / 1e9);
    }

    long postErrors() {
        return non201.get() + timeouts.get() + ioErrors.get() + droppedInflight.get() + badResponses.get();
    }

    long outstandingFrames() {
        return expectedFrames.get() - deliveredFrames.get();
    }

    void countStatus(final int status) {
        statusCounts.computeIfAbsent(status, s -> new AtomicLong()).incrementAndGet();
    }
}
