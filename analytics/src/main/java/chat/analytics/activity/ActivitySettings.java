package chat.analytics.activity;

import java.time.Duration;
import java.util.Objects;

/**
 * Settings of the channel-activity job.
 *
 * <pre>{@code
 * new ActivitySettings(Duration.ofMinutes(10), true)
 * }</pre>
 *
 * @param grace               how long after an hour ends (in event time, i.e. {@code occurredAt} seen on the
 *                            same partition) a late message is still counted; zero = a window closes as soon as a
 *                            message of the next hour is seen. Later messages are dropped by Kafka Streams and
 *                            counted in its {@code dropped-records-total} task metric.
 * @param failOnUnknownSchema {@code true} (the default of the job): a value whose writer-schema fingerprint this
 *                            build does not know stops the job, because it means the writers were upgraded before
 *                            this job and skipping would under-count for good; {@code false}: such records are
 *                            skipped and counted like corrupt ones.
 */
public record ActivitySettings(Duration grace, boolean failOnUnknownSchema) {
    /** The size of a window: one hour, aligned to UTC hours (Kafka windows are aligned to the epoch). */
    public static final Duration WINDOW = Duration.ofHours(1);

    public ActivitySettings {
        Objects.requireNonNull(grace, "grace");
        if (grace.isNegative()) {
            throw new IllegalArgumentException("grace must be >= 0, got " + grace);
        }
    }

    /** Grace 10 minutes, fail on an unknown schema. */
    public static ActivitySettings defaults() {
        return new ActivitySettings(Duration.ofMinutes(10), true);
    }
}
