package chat.edge.presence;

import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.LongSupplier;

/**
 * One connection's typing rate: at most one indicator per channel per interval. Remembers at
 * most {@code maxChannels} channels (the oldest are forgotten once their interval passed; while
 * all are fresh, a new channel is refused too). Used by one thread at a time (the connection's).
 *
 * <pre>{@code
 * if (!limiter.tryAcquire("t1/general")) { error RATE_LIMITED }
 * }</pre>
 */
public final class TypingLimiter {
    private final long intervalNanos;
    private final int maxChannels;
    private final LongSupplier nanoTime;
    private final Map<String, Long> last = new LinkedHashMap<>();

    /** @param intervalNanos zero: no limit */
    public TypingLimiter(final long intervalNanos, final int maxChannels, final LongSupplier nanoTime) {
        this.intervalNanos = intervalNanos;
        this.maxChannels = maxChannels;
        this.nanoTime = nanoTime;
    }

    /** True when an indicator for {@code channel} may go now (and notes it). */
    public boolean tryAcquire(final String channel) {
        if (intervalNanos == 0) {
            return true;
        }
        final long now = nanoTime.getAsLong();
        final Long before = last.get(channel);
        if (before != null && now - before < intervalNanos) {
            return false;
        }
        if (before == null && last.size() >= maxChannels) {
            for (Iterator<Long> it = last.values().iterator(); it.hasNext(); ) {
                if (now - it.next() >= intervalNanos) {
                    it.remove();
                }
            }
            if (last.size() >= maxChannels) {
                return false;
            }
        }
        last.remove(channel);
        last.put(channel, now);
        return true;
    }
}
