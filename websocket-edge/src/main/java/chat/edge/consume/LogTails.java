package chat.edge.consume;

import java.util.Map;

/** The {@link LogTail} of every partition, created once the consumer's start offsets are known. */
final class LogTails {
    private final LogTail[] tails;

    /**
     * @param start     the consumer's first offset per partition (absent: 0)
     * @param maxEvents records buffered per partition (0: none)
     * @param maxBytes  bytes buffered per partition (0: none)
     */
    LogTails(final int partitions, final Map<Integer, Long> start, final int maxEvents, final long maxBytes) {
        tails = new LogTail[partitions];
        for (int p = 0; p < partitions; p++) {
            tails[p] = new LogTail(p, start.getOrDefault(p, 0L), maxEvents, maxBytes);
        }
    }

    /** Sets every partition's start (the consumer's first offset) before the consumer runs. */
    void reset(final Map<Integer, Long> start) {
        for (LogTail t : tails) {
            t.reset(start.getOrDefault(t.partition(), 0L));
        }
    }

    LogTail get(final int partition) {
        return tails[partition];
    }

    int partitions() {
        return tails.length;
    }

    /** Records buffered over all partitions. */
    long buffered() {
        long n = 0;
        for (LogTail t : tails) {
            n += t.size();
        }
        return n;
    }
}
