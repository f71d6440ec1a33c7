package chat.edge;

import io.micronaut.context.annotation.ConfigurationProperties;
import io.micronaut.core.bind.annotation.Bindable;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * Connection limits and liveness ({@code chat.edge.limits.*}).
 *
 * @param maxConnectionsPerUser open connections one user may hold on this edge; the next is closed
 *                              with {@link CloseCodes#TOO_MANY_CONNECTIONS}; zero means no limit
 * @param maxConnectionsPerIp   the same per client IP address; zero (default) means no limit
 * @param pingInterval          how often the edge pings every connection (and checks idleness); zero
 *                              disables pings and reaping
 * @param idleTimeout           a connection that sent no frame and answered no ping for this long is
 *                              closed with {@link CloseCodes#IDLE_TIMEOUT}; zero never reaps; must exceed
 *                              {@code ping-interval} when both are set
 */
@ConfigurationProperties("chat.edge.limits")
public record LimitSettings(
        @Bindable(defaultValue = "100") int maxConnectionsPerUser,
        @Bindable(defaultValue = "0") int maxConnectionsPerIp,
        @Bindable(defaultValue = "20s") Duration pingInterval,
        @Bindable(defaultValue = "60s") Duration idleTimeout) {

    public LimitSettings {
        final List<String> problems = new ArrayList<>();
        if (maxConnectionsPerUser < 0) {
            problems.add("chat.edge.limits.max-connections-per-user must be >= 0, got " + maxConnectionsPerUser);
        }
        if (maxConnectionsPerIp < 0) {
            problems.add("chat.edge.limits.max-connections-per-ip must be >= 0, got " + maxConnectionsPerIp);
        }
        if (pingInterval == null || pingInterval.isNegative()) {
            problems.add("chat.edge.limits.ping-interval must be >= 0, got " + pingInterval);
        }
        if (idleTimeout == null || idleTimeout.isNegative()) {
            problems.add("chat.edge.limits.idle-timeout must be >= 0, got " + idleTimeout);
        } else if (pingInterval != null && !idleTimeout.isZero() && !pingInterval.isZero()
                && idleTimeout.compareTo(pingInterval) <= 0) {
            problems.add("chat.edge.limits.idle-timeout (" + idleTimeout + ") must exceed ping-interval ("
                    + pingInterval + ")");
        }
        if (!problems.isEmpty()) {
            throw new IllegalArgumentException("invalid websocket-edge configuration:\n  - "
                    + String.join("\n  - ", problems));
        }
    }
}
