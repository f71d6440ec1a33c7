package chat.edge;

import chat.edge.delivery.QueueLimits;
import io.micronaut.context.annotation.ConfigurationProperties;
import io.micronaut.core.bind.annotation.Bindable;
import org.apache.kafka.clients.consumer.ConsumerConfig;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Settings of the WebSocket edge ({@code chat.edge.*}). The constructor checks every field and
 * fails listing all problems at once.
 *
 * <pre>{@code
 * chat.edge.max-queued-frames=1000
 * chat.edge.max-queued-bytes=4194304
 * }</pre>
 *
 * @param enabled               false leaves the edge out of the application entirely (no socket, no consumer)
 * @param consumerEnabled       false runs the sockets without the Kafka consumer (socket-layer tests and
 *                              benchmarks); the edge then delivers only what is handed to it in-process
 * @param maxQueuedFrames       frames handed to a socket and not yet written before the connection is closed
 *                              with {@link CloseCodes#SLOW_CONSUMER}; >= 1 (zero is not allowed: every frame
 *                              is queued for a moment), at most {@link QueueLimits#MAX_FRAMES}
 * @param maxQueuedBytes        the same bound in bytes of frame payload; 1..{@link QueueLimits#MAX_BYTES}
 * @param maxSubscriptions      teams one connection may subscribe to; >= 1
 * @param maxInboundFrameBytes  largest client frame accepted (UTF-8 bytes); larger ones get
 *                              {@code FRAME_TOO_LARGE} and close {@link CloseCodes#MESSAGE_TOO_BIG};
 *                              1..65536 (65536 is the transport's hard limit)
 * @param maxProtocolErrors     invalid frames tolerated per connection; the next one closes it with
 *                              {@link CloseCodes#PROTOCOL_ERROR}; zero closes on the first
 * @param closeGrace            how long a closing socket may take to flush its close frame before it
 *                              is cut; zero cuts at once
 * @param pollTimeout           longest a Kafka poll blocks; > 0
 * @param startupTimeout        how long start-up waits for Kafka (topic description, log end); > 0
 * @param fetchMaxWait          how long the broker may hold the consumer's fetch to gather records (up to 64 KiB)
 *                              before answering; 0..1 s. 0 (the default) answers a fetch as soon as one record is
 *                              there. At 5 ms a saturated 2-core machine spent 6-12 points of a core less and the
 *                              posts' p99 halved, but below saturation delivery p99 doubled (10-12 -> 20-21 ms at
 *                              20,000 deliveries/s) for no CPU saved (BENCHMARKS.md, session 11)
 */
@ConfigurationProperties("chat.edge")
public record EdgeSettings(
        @Bindable(defaultValue = "true") boolean enabled,
        @Bindable(defaultValue = "true") boolean consumerEnabled,
        @Bindable(defaultValue = "1000") int maxQueuedFrames,
        @Bindable(defaultValue = "4194304") long maxQueuedBytes,
        @Bindable(defaultValue = "100") int maxSubscriptions,
        @Bindable(defaultValue = "4096") int maxInboundFrameBytes,
        @Bindable(defaultValue = "10") int maxProtocolErrors,
        @Bindable(defaultValue = "5s") Duration closeGrace,
        @Bindable(defaultValue = "200ms") Duration pollTimeout,
        @Bindable(defaultValue = "30s") Duration startupTimeout,
        @Bindable(defaultValue = "0ms") Duration fetchMaxWait) {

    /** The transport's hard limit for one client frame (Netty closes with 1009 above it). */
    public static final int TRANSPORT_MAX_FRAME_BYTES = 65536;

    public EdgeSettings {
        final List<String> problems = new ArrayList<>();
        if (maxQueuedFrames < 1 || maxQueuedFrames > QueueLimits.MAX_FRAMES) {
            problems.add("chat.edge.max-queued-frames must be 1.." + QueueLimits.MAX_FRAMES + ", got " + maxQueuedFrames);
        }
        if (maxQueuedBytes < 1 || maxQueuedBytes > QueueLimits.MAX_BYTES) {
            problems.add("chat.edge.max-queued-bytes must be 1.." + QueueLimits.MAX_BYTES + ", got " + maxQueuedBytes);
        }
        if (maxSubscriptions < 1) {
            problems.add("chat.edge.max-subscriptions must be >= 1, got " + maxSubscriptions);
        }
        if (maxInboundFrameBytes < 1 || maxInboundFrameBytes > TRANSPORT_MAX_FRAME_BYTES) {
            problems.add("chat.edge.max-inbound-frame-bytes must be 1.." + TRANSPORT_MAX_FRAME_BYTES + ", got "
                    + maxInboundFrameBytes);
        }
        if (maxProtocolErrors < 0) {
            problems.add("chat.edge.max-protocol-errors must be >= 0, got " + maxProtocolErrors);
        }
        if (closeGrace == null || closeGrace.isNegative()) {
            problems.add("chat.edge.close-grace must be >= 0, got " + closeGrace);
        }
        if (pollTimeout == null || pollTimeout.isZero() || pollTimeout.isNegative()) {
            problems.add("chat.edge.poll-timeout must be > 0, got " + pollTimeout);
        }
        if (startupTimeout == null || startupTimeout.isZero() || startupTimeout.isNegative()) {
            problems.add("chat.edge.startup-timeout must be > 0, got " + startupTimeout);
        }
        if (fetchMaxWait == null || fetchMaxWait.isNegative() || fetchMaxWait.compareTo(Duration.ofSeconds(1)) > 0) {
            problems.add("chat.edge.fetch-max-wait must be 0..1s, got " + fetchMaxWait);
        }
        if (!problems.isEmpty()) {
            throw new IllegalArgumentException("invalid websocket-edge configuration:\n  - "
                    + String.join("\n  - ", problems));
        }
    }

    /** What a held fetch gathers at most before the broker answers it early. */
    public static final int FETCH_MIN_BYTES = 64 * 1024;

    /**
     * The consumer properties of {@link #fetchMaxWait}: the broker may hold a fetch that long to gather up to
     * {@link #FETCH_MIN_BYTES}. With zero it answers at the first record, and holds a fetch while nothing comes
     * for Kafka's default 500 ms (a zero {@code fetch.max.wait.ms} would make an idle consumer spin). The
     * benchmark's log floor consumes with these too.
     */
    public Map<String, Object> fetchBatching() {
        return fetchMaxWait.isZero()
                ? Map.of(ConsumerConfig.FETCH_MAX_WAIT_MS_CONFIG, 500, ConsumerConfig.FETCH_MIN_BYTES_CONFIG, 1)
                : Map.of(ConsumerConfig.FETCH_MAX_WAIT_MS_CONFIG, (int) fetchMaxWait.toMillis(),
                        ConsumerConfig.FETCH_MIN_BYTES_CONFIG, FETCH_MIN_BYTES);
    }

    /** The defaults, for tests and tools that run the edge without configuration. */
    public static EdgeSettings defaults() {
        return new EdgeSettings(true, true, 1000, 4L << 20, 100, 4096, 10, Duration.ofSeconds(5),
                Duration.ofMillis(200), Duration.ofSeconds(30), Duration.ZERO);
    }
}
