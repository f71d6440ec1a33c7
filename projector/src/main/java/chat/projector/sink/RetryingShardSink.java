package chat.projector.sink;

import chat.projector.projection.ProjectionBatch;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.Objects;
import java.util.function.IntFunction;
import java.util.function.Supplier;

/**
 * Retries {@link TransientShardException}s of a delegate sink with bounded exponential backoff,
 * logging {@code retry n of m ... (shard=, partition=, batch=)}; permanent failures pass through at
 * once. When the retries are exhausted it throws a {@link TransientShardException} naming the
 * batch.
 *
 * <p>With a {@link ShardAvailability}, a shard that cannot be used at all (unreachable, or retired
 * by a cut-over: {@link TransientShardException#unusable()}) is not retried here: it is marked
 * unavailable at once, and so is a shard whose transient failures outlast the retries. While
 * marked, calls for its partitions fail at once without touching the database, so no stream
 * thread blocks on a shard that is gone; the availability's probe lifts the mark.
 *
 * <p>Why give up instead of retrying forever: the write runs on a Kafka Streams thread, inside
 * {@code process()} or the task's commit. Blocking longer than {@code max.poll.interval.ms} would
 * get the thread thrown out of the group anyway, and a thread stuck in a loop cannot be closed
 * cleanly. So after a bounded budget we throw; the stream thread dies, the application's
 * uncaught-exception handler answers {@code REPLACE_THREAD}, the task's unwritten buffer is
 * discarded, and because Kafka Streams commits input offsets only after the buffer is written
 * (see {@code ProjectionBufferStore}) the new thread re-reads those events from the last committed
 * offset and skips what the shard's checkpoint says is already applied: nothing is lost and
 * nothing is applied twice.
 *
 * <pre>{@code
 * ShardSink sink = new RetryingShardSink(new JdbcShardSink(map, shards::shard), 5, settings::backoff, Sleeper.SYSTEM);
 * }</pre>
 */
public final class RetryingShardSink implements ShardSink {
    private static final Logger LOG = LoggerFactory.getLogger(RetryingShardSink.class);

    private final ShardSink delegate;
    private final int maxRetries;
    private final IntFunction<Duration> backoff;
    private final Sleeper sleeper;
    private final ShardAvailability availability;

    /** Without availability tracking: every call tries the database (replays, tests). */
    public RetryingShardSink(final ShardSink delegate, final int maxRetries, final IntFunction<Duration> backoff,
                             final Sleeper sleeper) {
        this(delegate, maxRetries, backoff, sleeper, null);
    }

    /**
     * @param maxRetries   retries after the first attempt; 0 = fail on the first transient error
     * @param backoff      delay before retry n (1-based)
     * @param availability marks of unusable shards, or null to always try
     */
    public RetryingShardSink(final ShardSink delegate, final int maxRetries, final IntFunction<Duration> backoff,
                             final Sleeper sleeper, final ShardAvailability availability) {
        if (maxRetries < 0) {
            throw new IllegalArgumentException("maxRetries must be >= 0, got " + maxRetries);
        }
        this.delegate = Objects.requireNonNull(delegate, "delegate");
        this.maxRetries = maxRetries;
        this.backoff = Objects.requireNonNull(backoff, "backoff");
        this.sleeper = Objects.requireNonNull(sleeper, "sleeper");
        this.availability = availability;
    }

    @Override
    public long checkpoint(final int partition) {
        return withRetries("checkpoint read", partition, "-", () -> delegate.checkpoint(partition));
    }

    @Override
    public void write(final ProjectionBatch batch) {
        withRetries("batch write", batch.partition(), batch.describe(), () -> {
            delegate.write(batch);
            return null;
        });
    }

    @Override
    public String unavailable(final int partition) {
        return availability == null ? null : availability.reason(partition);
    }

    private <T> T withRetries(final String what, final int partition, final String batch, final Supplier<T> action) {
        final String reason = unavailable(partition);
        if (reason != null) {
            throw new TransientShardException(what + " not tried (partition=" + partition + ", batch=" + batch + "): "
                    + reason, -1, partition, null, true);
        }
        for (int attempt = 0; ; attempt++) {
            try {
                return action.get();
            } catch (TransientShardException e) {
                if (availability != null && e.unusable()) {
                    availability.markDown(partition, e);
                    throw e;
                }
                if (attempt >= maxRetries) {
                    final TransientShardException exhausted = new TransientShardException(what + " failed after "
                            + maxRetries + " retries (shard=" + e.shard() + ", partition=" + partition + ", batch="
                            + batch + "): " + e.getMessage(), e.shard(), partition, e, e.unusable());
                    if (availability != null) {
                        availability.markDown(partition, exhausted);
                    }
                    throw exhausted;
                }
                final int n = attempt + 1;
                final Duration delay = backoff.apply(n);
                LOG.warn("retry {} of {} in {} ms: {} failed: {} (shard={}, partition={}, batch={})", n, maxRetries,
                        delay.toMillis(), what, e.getMessage(), e.shard(), partition, batch);
                try {
                    sleeper.sleep(delay);
                } catch (InterruptedException ie) {
                    Thread.currentThread().interrupt();
                    throw new TransientShardException(what + " interrupted during retry " + n + " of " + maxRetries
                            + " (shard=" + e.shard() + ", partition=" + partition + ", batch=" + batch + ")",
                            e.shard(), partition, e);
                }
            }
        }
    }
}
