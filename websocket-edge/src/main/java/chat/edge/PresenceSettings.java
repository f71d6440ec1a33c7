package chat.edge;

import io.micronaut.context.annotation.ConfigurationProperties;
import io.micronaut.core.bind.annotation.Bindable;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * Presence and typing ({@code chat.edge.presence.*}); both need Redis ({@code redis.uri}).
 *
 * <pre>{@code
 * chat.edge.presence.ttl=30s
 * chat.edge.presence.refresh-interval=10s
 * }</pre>
 *
 * @param enabled         false: no presence, no typing ({@code PRESENCE_UNAVAILABLE} error frames)
 * @param ttl             how long a connection counts as present without a refresh by its edge; after an
 *                        edge is killed its users go offline within {@code ttl + sweep-interval}; > 0
 * @param refreshInterval how often an edge extends the expiry of all its connections (one batched
 *                        Redis call per 500 connections); > 0 and < {@code ttl}
 * @param sweepInterval   how often an edge removes expired connections (any edge's), publishing the
 *                        resulting offline changes; > 0
 * @param typingInterval  at most one {@code typing} per connection and channel per this interval;
 *                        more get {@code RATE_LIMITED}; zero: no limit
 * @param maxPendingOps   presence writes queued for Redis per edge; beyond, new ones are dropped
 *                        (counted; the next refresh repairs what a dropped join missed); >= 1
 * @param maxBroadcastMembers presence changes of a team with more members than this are not pushed
 *                        (each change would cost one frame per subscriber: a team of N members coming
 *                        online costs N x N frames); its clients use the presence query. The rule uses
 *                        the team's membership (the same on every edge); an edge without membership
 *                        checks uses its own subscriber count. 0: no limit
 */
@ConfigurationProperties("chat.edge.presence")
public record PresenceSettings(
        @Bindable(defaultValue = "true") boolean enabled,
        @Bindable(defaultValue = "30s") Duration ttl,
        @Bindable(defaultValue = "10s") Duration refreshInterval,
        @Bindable(defaultValue = "2s") Duration sweepInterval,
        @Bindable(defaultValue = "2s") Duration typingInterval,
        @Bindable(defaultValue = "100000") int maxPendingOps,
        @Bindable(defaultValue = "1000") int maxBroadcastMembers) {

    public PresenceSettings {
        final List<String> problems = new ArrayList<>();
        if (ttl == null || ttl.isZero() || ttl.isNegative()) {
            problems.add("chat.edge.presence.ttl must be > 0, got " + ttl);
        }
        if (refreshInterval == null || refreshInterval.isZero() || refreshInterval.isNegative()
                || ttl != null && refreshInterval.compareTo(ttl) >= 0) {
            problems.add("chat.edge.presence.refresh-interval must be > 0 and < ttl, got " + refreshInterval);
        }
        if (sweepInterval == null || sweepInterval.isZero() || sweepInterval.isNegative()) {
            problems.add("chat.edge.presence.sweep-interval must be > 0, got " + sweepInterval);
        }
        if (typingInterval == null || typingInterval.isNegative()) {
            problems.add("chat.edge.presence.typing-interval must be >= 0, got " + typingInterval);
        }
        if (maxPendingOps < 1) {
            problems.add("chat.edge.presence.max-pending-ops must be >= 1, got " + maxPendingOps);
        }
        if (maxBroadcastMembers < 0) {
            problems.add("chat.edge.presence.max-broadcast-members must be >= 0, got " + maxBroadcastMembers);
        }
        if (!problems.isEmpty()) {
            throw new IllegalArgumentException("invalid websocket-edge configuration:\n  - "
                    + String.join("\n  - ", problems));
        }
    }

    /** The defaults, for tests. */
    public static PresenceSettings defaults() {
        return new PresenceSettings(true, Duration.ofSeconds(30), Duration.ofSeconds(10), Duration.ofSeconds(2),
                Duration.ofSeconds(2), 100_000, 1000);
    }
}
