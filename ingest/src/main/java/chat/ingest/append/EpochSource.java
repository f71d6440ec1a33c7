package chat.ingest.append;

import chat.common.kafka.LogMetadata;

import java.util.function.Supplier;

/**
 * Knows the epoch of {@code chat.events}, learning it from Kafka on first use and caching it; a
 * service can therefore start while Kafka is still down and answer 503 until it is up.
 */
public final class EpochSource {
    private final Supplier<LogMetadata> describe;
    private volatile LogMetadata known;

    public EpochSource(final Supplier<LogMetadata> describe) {
        this.describe = describe;
    }

    /** A source that always answers {@code epoch} (tests, tools). */
    public static EpochSource fixed(final String epoch, final int partitions) {
        final LogMetadata m = new LogMetadata("chat.events", epoch, partitions);
        final EpochSource s = new EpochSource(() -> m);
        s.known = m;
        return s;
    }

    /**
     * The epoch; describes the topic when not yet known.
     *
     * @throws AppendException (transient) when Kafka cannot be asked now
     */
    public String epoch() {
        LogMetadata m = known;
        if (m == null) {
            synchronized (this) {
                m = known;
                if (m == null) {
                    try {
                        m = describe.get();
                    } catch (IllegalStateException e) {
                        throw new AppendException("cannot learn the log's epoch: " + e.getMessage(), e, true, false);
                    }
                    known = m;
                }
            }
        }
        return m.epoch();
    }
}
