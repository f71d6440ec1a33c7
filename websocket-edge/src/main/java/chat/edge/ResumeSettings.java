package chat.edge;

import io.micronaut.context.annotation.ConfigurationProperties;
import io.micronaut.core.bind.annotation.Bindable;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * Resume settings of the WebSocket edge ({@code chat.edge.resume.*}). The constructor checks every
 * field and fails listing all problems at once.
 *
 * <pre>{@code
 * chat.edge.resume.buffer-events=2000
 * chat.edge.resume.max-events=5000
 * }</pre>
 *
 * @param bufferEvents       records of each partition the edge keeps in memory (the newest) to serve
 *                           short gaps without reading the log; 0 serves every resume from the log
 * @param bufferBytes        the same bound in bytes per partition (record values plus rendered frames); >= 0
 * @param maxBufferReplay    most events one resume replays from the buffer while holding the partition
 *                           (more go through the log path with flow control); >= 0
 * @param maxEvents          most missed events one resume replays; more get {@code resync TOO_FAR_BEHIND}; >= 1
 * @param maxScan            most log records one resume may scan to find its team's events; >= 1
 * @param maxPending         live events held per catching-up subscription; more close the connection with
 *                           4008 (it resumes again); >= 1
 * @param concurrency        resumes reading the log at once (each holds one Kafka consumer); >= 1
 * @param timeout            longest one log resume may take (queueing, reading, handing over); > 0
 */
@ConfigurationProperties("chat.edge.resume")
public record ResumeSettings(
        @Bindable(defaultValue = "2000") int bufferEvents,
        @Bindable(defaultValue = "2097152") long bufferBytes,
        @Bindable(defaultValue = "400") int maxBufferReplay,
        @Bindable(defaultValue = "5000") int maxEvents,
        @Bindable(defaultValue = "1000000") long maxScan,
        @Bindable(defaultValue = "10000") int maxPending,
        @Bindable(defaultValue = "4") int concurrency,
        @Bindable(defaultValue = "30s") Duration timeout) {

    public ResumeSettings {
        final List<String> problems = new ArrayList<>();
        if (bufferEvents < 0) {
            problems.add("chat.edge.resume.buffer-events must be >= 0, got " + bufferEvents);
        }
        if (bufferBytes < 0) {
            problems.add("chat.edge.resume.buffer-bytes must be >= 0, got " + bufferBytes);
        }
        if (maxBufferReplay < 0) {
            problems.add("chat.edge.resume.max-buffer-replay must be >= 0, got " + maxBufferReplay);
        }
        if (maxEvents < 1) {
            problems.add("chat.edge.resume.max-events must be >= 1, got " + maxEvents);
        }
        if (maxScan < 1) {
            problems.add("chat.edge.resume.max-scan must be >= 1, got " + maxScan);
        }
        if (maxPending < 1) {
            problems.add("chat.edge.resume.max-pending must be >= 1, got " + maxPending);
        }
        if (concurrency < 1) {
            problems.add("chat.edge.resume.concurrency must be >= 1, got " + concurrency);
        }
        if (timeout == null || timeout.isZero() || timeout.isNegative()) {
            problems.add("chat.edge.resume.timeout must be > 0, got " + timeout);
        }
        if (!problems.isEmpty()) {
            throw new IllegalArgumentException("invalid websocket-edge resume configuration:\n  - "
                    + String.join("\n  - ", problems));
        }
    }

    /** The defaults, for tests and tools. */
    public static ResumeSettings defaults() {
        return new ResumeSettings(2000, 2L << 20, 400, 5000, 1_000_000, 10_000, 4, Duration.ofSeconds(30));
    }
}
