package chat.edge;

import io.micronaut.context.annotation.ConfigurationProperties;
import io.micronaut.core.bind.annotation.Bindable;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * Who may receive what ({@code chat.edge.access.*}).
 *
 * <pre>{@code
 * chat.edge.access.enabled=true
 * chat.edge.access.load-timeout=10s
 * }</pre>
 *
 * @param enabled     true (default): {@code subscribe} requires team membership and private channels'
 *                    events reach their members only, from the team's shard (needs
 *                    {@code chat.shards.jdbc-urls}; without it every subscribe is refused with
 *                    {@code MEMBERSHIP_UNAVAILABLE}). False: every user with an identity sees every
 *                    team (benchmarks of the bare fan-out only)
 * @param loadTimeout longest a subscribe waits for its team's membership view (shard read plus the
 *                    projector/edge meeting point); > 0
 * @param maxPending  live events of one team held while its view loads; beyond, the load fails; >= 1
 */
@ConfigurationProperties("chat.edge.access")
public record AccessSettings(
        @Bindable(defaultValue = "true") boolean enabled,
        @Bindable(defaultValue = "10s") Duration loadTimeout,
        @Bindable(defaultValue = "100000") int maxPending) {

    public AccessSettings {
        final List<String> problems = new ArrayList<>();
        if (loadTimeout == null || loadTimeout.isZero() || loadTimeout.isNegative()) {
            problems.add("chat.edge.access.load-timeout must be > 0, got " + loadTimeout);
        }
        if (maxPending < 1) {
            problems.add("chat.edge.access.max-pending must be >= 1, got " + maxPending);
        }
        if (!problems.isEmpty()) {
            throw new IllegalArgumentException("invalid websocket-edge configuration:\n  - "
                    + String.join("\n  - ", problems));
        }
    }
}
