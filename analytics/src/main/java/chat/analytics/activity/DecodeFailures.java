package chat.analytics.activity;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.concurrent.atomic.LongAdder;

/**
 * Counts (and logs) the records of {@code chat.events} the job skipped because they could not be
 * decoded. Skipping is an explicit decision, not a silent one: every skip is logged at WARN with its
 * position (so it can be found with kcat) and counted here; the job logs the total when it stops.
 * The platform's projector already sends such records to {@code chat.events.dlq}, so a second DLQ
 * would only duplicate it.
 *
 * <pre>{@code
 * DecodeFailures failures = new DecodeFailures();
 * Topology t = ChannelActivityTopology.build(topics, settings, failures);
 * ... failures.count();
 * }</pre>
 */
public final class DecodeFailures {
    private static final Logger LOG = LoggerFactory.getLogger(DecodeFailures.class);
    private final LongAdder count = new LongAdder();

    /** Records skipped so far, over every stream thread. */
    public long count() {
        return count.sum();
    }

    void skipped(final String topic, final int partition, final long offset, final String reason) {
        count.increment();
        LOG.warn("skipping undecodable record {}-{}@{} ({} skipped so far): {}", topic, partition, offset, count.sum(), reason);
    }
}
