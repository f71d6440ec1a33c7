package chat.edge.presence;

import chat.edge.access.TeamView;
import chat.edge.delivery.Connection;
import chat.edge.delivery.SubscriptionRegistry;
import chat.edge.protocol.Frame;
import chat.edge.protocol.ServerFrames;

import java.util.Set;

/**
 * Delivers presence changes and typing indicators received from Redis pub/sub to this edge's
 * subscribers of the team, rendered once per message. The membership view decides who may see
 * them, as for events: presence reaches team members; typing reaches those who may see the
 * channel (a private channel's members only), never the typist's own connections. With
 * membership filtering on and no view of the team (nobody here subscribed), nothing is delivered.
 *
 * <pre>{@code
 * fanout.onPresence("t1 bob away"); // as published by PresenceKeys scripts
 * fanout.onTyping("t1 general bob");
 * }</pre>
 */
final class PresenceFanout {
    private final SubscriptionRegistry registry;
    /** Who may see what: the edge's membership views. */
    interface Views {
        /** False when the edge runs without membership checks (everyone subscribed sees everything). */
        boolean filtering();

        /** The team's view, {@code null} when not loaded. */
        TeamView view(String team);
    }

    /** No filtering (edges without membership checks). */
    static final Views ALL = new Views() {
        @Override
        public boolean filtering() {
            return false;
        }

        @Override
        public TeamView view(final String team) {
            return null;
        }
    };

    private final Views views;
    private final int maxBroadcastMembers;
    private final java.util.concurrent.atomic.AtomicLong suppressed = new java.util.concurrent.atomic.AtomicLong();

    PresenceFanout(final SubscriptionRegistry registry, final Views views) {
        this(registry, views, 0);
    }

    /** {@code maxBroadcastMembers}: presence of larger teams is not pushed (0: no limit); see PresenceSettings. */
    PresenceFanout(final SubscriptionRegistry registry, final Views views, final int maxBroadcastMembers) {
        this.registry = registry;
        this.views = views;
        this.maxBroadcastMembers = maxBroadcastMembers;
    }

    /** Presence changes not pushed because their team is above the broadcast limit. */
    long suppressed() {
        return suppressed.get();
    }

    /** {@code "TEAM USER STATE"}; returns how many connections it was offered to. */
    int onPresence(final String message) {
        final String[] f = message.split(" ");
        if (f.length != 3) {
            return 0;
        }
        if (maxBroadcastMembers > 0 && tooLarge(f[0])) {
            suppressed.incrementAndGet();
            return 0;
        }
        return fanOut(f[0], () -> ServerFrames.presence(f[0], f[1], f[2]), (view, user) -> view == null || view.isTeamMember(user));
    }

    private boolean tooLarge(final String team) {
        final TeamView view = views.filtering() ? views.view(team) : null;
        final int size = view != null ? view.memberCount() : registry.subscribers(team).size();
        return size > maxBroadcastMembers;
    }

    /** {@code "TEAM CHANNEL USER"}; returns how many connections it was offered to. */
    int onTyping(final String message) {
        final String[] f = message.split(" ");
        if (f.length != 3) {
            return 0;
        }
        return fanOut(f[0], () -> ServerFrames.typing(f[0], f[1], f[2]),
                (view, user) -> !f[2].equals(user) && (view == null || view.maySee(user, f[1])));
    }

    /**
     * Offers one frame, rendered once and only when someone may get it, to the team's subscribers
     * that {@code mayGet} admits ({@code view} is null when the edge does not filter by membership;
     * with filtering on and no view loaded, nobody gets it).
     */
    private int fanOut(final String team, final java.util.function.Supplier<Frame> render,
                       final java.util.function.BiPredicate<TeamView, String> mayGet) {
        final Set<Connection> subscribers = registry.subscribers(team);
        if (subscribers.isEmpty()) {
            return 0;
        }
        final boolean filtering = views.filtering();
        final TeamView view = filtering ? views.view(team) : null;
        if (filtering && view == null) {
            return 0;
        }
        final Frame frame = render.get();
        int offered = 0;
        for (Connection c : subscribers) {
            if (mayGet.test(view, c.user()) && c.offer(frame)) {
                offered++;
            }
        }
        return offered;
    }
}
