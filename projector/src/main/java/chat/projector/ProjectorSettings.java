package chat.projector;

import io.micronaut.context.annotation.ConfigurationProperties;
import io.micronaut.core.bind.annotation.Bindable;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * Settings of the projector, bound from {@code chat.projector.*}. The constructor checks every
 * field and fails listing all problems at once.
 *
 * <pre>{@code
 * ProjectorSettings s = ProjectorSettings.defaults().withBatchSize(100);
 * }</pre>
 *
 * @param enabled          false: the service bean does not start Kafka Streams (other beans still load)
 * @param applicationId    Kafka Streams application.id (consumer group and internal-topic prefix); not empty
 * @param stateDir         Kafka Streams state.dir; empty means a fresh temporary directory
 * @param commitIntervalMs commit.interval.ms: how often the buffered batch is written and offsets
 *                         committed; >= 1 (zero would commit after every poll loop, never wanted here)
 * @param threads          num.stream.threads, >= 1
 * @param batchSize        events buffered per partition before an early write; >= 1 (1 = write every event)
 * @param maxRetries       retries of a failed shard write before the stream thread fails; 0 = no retry
 * @param initialBackoffMs first retry delay; doubles each retry up to {@code maxBackoffMs}; >= 1
 * @param maxBackoffMs     cap of one retry delay, >= initialBackoffMs
 * @param closeTimeoutMs   how long shutdown waits for Kafka Streams to close; >= 0 (0 = do not wait)
 * @param instanceId       static group membership id of this projector instance (e.g. the pod name of a
 *                         StatefulSet); a restarted instance with the same id takes its partitions back at
 *                         once instead of waiting for the session timeout. Empty = dynamic membership
 * @param sessionTimeoutMs how long the group waits for a silent (crashed) member before moving its partitions;
 *                         6000..300000 (the broker's default bounds)
 */
@ConfigurationProperties("chat.projector")
public record ProjectorSettings(
        @Bindable(defaultValue = "true") boolean enabled,
        @Bindable(defaultValue = "chat-projector") String applicationId,
        @Bindable(defaultValue = "") String stateDir,
        @Bindable(defaultValue = "200") long commitIntervalMs,
        @Bindable(defaultValue = "2") int threads,
        @Bindable(defaultValue = "500") int batchSize,
        @Bindable(defaultValue = "5") int maxRetries,
        @Bindable(defaultValue = "100") long initialBackoffMs,
        @Bindable(defaultValue = "5000") long maxBackoffMs,
        @Bindable(defaultValue = "30000") long closeTimeoutMs,
        @Bindable(defaultValue = "") String instanceId,
        @Bindable(defaultValue = "10000") int sessionTimeoutMs) {

    /**
     * Kafka's default max.poll.interval.ms: a stream thread that blocks longer than this in retries
     * is thrown out of the group, so the whole retry budget must fit well inside it.
     */
    static final long MAX_POLL_INTERVAL_MS = 300_000;

    public ProjectorSettings {
        stateDir = stateDir == null ? "" : stateDir.trim();
        instanceId = instanceId == null ? "" : instanceId.trim();
        final List<String> problems = new ArrayList<>();
        if (applicationId == null || applicationId.isBlank()) {
            problems.add("chat.projector.application-id must not be empty");
        }
        if (commitIntervalMs < 1) {
            problems.add("chat.projector.commit-interval-ms must be >= 1, got " + commitIntervalMs);
        }
        if (threads < 1) {
            problems.add("chat.projector.threads must be >= 1, got " + threads);
        }
        if (batchSize < 1) {
            problems.add("chat.projector.batch-size must be >= 1, got " + batchSize);
        }
        if (maxRetries < 0) {
            problems.add("chat.projector.max-retries must be >= 0, got " + maxRetries);
        }
        if (initialBackoffMs < 1) {
            problems.add("chat.projector.initial-backoff-ms must be >= 1, got " + initialBackoffMs);
        }
        if (maxBackoffMs < initialBackoffMs) {
            problems.add("chat.projector.max-backoff-ms (" + maxBackoffMs + ") must be >= initial-backoff-ms ("
                    + initialBackoffMs + ")");
        }
        if (closeTimeoutMs < 0) {
            problems.add("chat.projector.close-timeout-ms must be >= 0, got " + closeTimeoutMs);
        }
        if (!instanceId.isEmpty() && !instanceId.matches("[A-Za-z0-9._-]{1,200}")) {
            problems.add("chat.projector.instance-id must match [A-Za-z0-9._-]{1,200}, got '" + instanceId + "'");
        }
        if (sessionTimeoutMs < 6_000 || sessionTimeoutMs > 300_000) {
            problems.add("chat.projector.session-timeout-ms must be 6000..300000, got " + sessionTimeoutMs);
        }
        if ((long) maxRetries * maxBackoffMs >= MAX_POLL_INTERVAL_MS / 2) {
            problems.add("chat.projector.max-retries x max-backoff-ms (" + (long) maxRetries * maxBackoffMs
                    + " ms) must stay below half of max.poll.interval.ms (" + MAX_POLL_INTERVAL_MS + " ms)");
        }
        if (!problems.isEmpty()) {
            throw new IllegalArgumentException("invalid projector configuration:\n  - " + String.join("\n  - ", problems));
        }
    }

    /** The documented defaults. */
    public static ProjectorSettings defaults() {
        return new ProjectorSettings(true, "chat-projector", "", 200, 2, 500, 5, 100, 5000, 30_000, "", 10_000);
    }

    /** A copy with another batch size. */
    public ProjectorSettings withBatchSize(final int size) {
        return new ProjectorSettings(enabled, applicationId, stateDir, commitIntervalMs, threads, size, maxRetries,
                initialBackoffMs, maxBackoffMs, closeTimeoutMs, instanceId, sessionTimeoutMs);
    }

    /** A copy with another retry budget. */
    public ProjectorSettings withRetries(final int retries, final long initialMs, final long maxMs) {
        return new ProjectorSettings(enabled, applicationId, stateDir, commitIntervalMs, threads, batchSize, retries,
                initialMs, maxMs, closeTimeoutMs, instanceId, sessionTimeoutMs);
    }

    /** The state directory to use: the configured one, or {@code fallback} when empty. */
    public Path stateDirOr(final Path fallback) {
        return stateDir.isEmpty() ? fallback : Path.of(stateDir);
    }

    /** Delay before retry {@code n} (1-based): initial x 2^(n-1), capped. */
    public Duration backoff(final int n) {
        final long factor = 1L << Math.min(30, Math.max(0, n - 1));
        // initial x factor may overflow for silly settings: compare by division first.
        final long millis = initialBackoffMs > maxBackoffMs / factor ? maxBackoffMs : initialBackoffMs * factor;
        return Duration.ofMillis(Math.min(maxBackoffMs, millis));
    }
}
