package chat.edge.access;

import chat.events.ChannelCreated;
import chat.events.EventEnvelope;
import chat.events.MemberJoined;
import chat.events.MemberLeft;
import chat.events.TeamCreated;
import chat.events.TeamMemberJoined;
import chat.events.TeamMemberLeft;

import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * One team's membership as this edge knows it, at a position: who is in the team, which channels
 * are public, which are private and who is in each. Built from a {@link MembershipSnapshot} and
 * evolved by the team's events in log order ({@link #apply}), so it always equals the read model
 * at {@link #next()} - the same rules as the projector (team membership gates everything; a
 * private channel's events reach its members only).
 *
 * <p>Who receives an event: a channel's event reaches the team members who may see the channel
 * (public: every team member; private: its members); a team-level event reaches every team
 * member. A membership change also reaches its subject when they could see it before or after the
 * change (the invited user sees their invitation, the leaving user their leave); a
 * {@code ChannelCreated}/{@code TeamCreated} reaches its creator. An unknown channel is visible to
 * nobody (fail closed).
 *
 * <p>Threads: {@link #apply} runs on one thread at a time (the consumer thread, under the
 * partition's lock); readers ({@link #maySee}, {@link #isTeamMember}) may run on any thread and see
 * a recent state.
 *
 * <pre>{@code
 * TeamView v = TeamView.of("t1", snapshot);
 * TeamView.Audience a = v.apply(offset, envelope);
 * if (a.includes("bob")) { stream.live(offset, frame); }
 * }</pre>
 */
public final class TeamView {
    /** What an event is about, for filtering: its channel (null: team-level) and the user it changes. */
    public record Scope(String channel, String subject, boolean creation) {
        /** Team-level, about nobody in particular. */
        public static final Scope TEAM = new Scope(null, null, false);

        public static Scope of(final EventEnvelope e) {
            return switch (e.getPayload()) {
                case TeamCreated ignored -> new Scope(null, e.getActorId(), true);
                case TeamMemberJoined p -> new Scope(null, p.getUserId(), false);
                case TeamMemberLeft p -> new Scope(null, p.getUserId(), false);
                case ChannelCreated p -> new Scope(p.getChannelId(), e.getActorId(), true);
                case MemberJoined p -> new Scope(p.getChannelId(), p.getUserId(), false);
                case MemberLeft p -> new Scope(p.getChannelId(), p.getUserId(), false);
                case null -> TEAM;
                default -> new Scope(channelOf(e.getPayload()), null, false);
            };
        }

        private static String channelOf(final Object payload) {
            if (payload instanceof org.apache.avro.specific.SpecificRecord r) {
                final org.apache.avro.Schema.Field f = r.getSchema().getField("channelId");
                if (f != null) {
                    final Object v = r.get(f.pos());
                    return v == null ? null : v.toString();
                }
            }
            return null;
        }
    }

    /**
     * The recipients of one event, decided right after it was applied. Evaluate it before the next
     * {@link #apply} (it reads the view's current state).
     */
    public static final class Audience {
        private final TeamView view;
        private final Scope scope;
        private final boolean subjectToo;
        private final String leftTeam;
        /** Every team member sees the event's channel (team-level or public). */
        private final boolean wholeTeam;
        /** The private channel's members, or {@code null} (public, team-level or unknown channel). */
        private final Set<String> channelMembers;

        Audience(final TeamView view, final Scope scope, final boolean subjectToo, final String leftTeam) {
            this.view = view;
            this.scope = scope;
            this.subjectToo = subjectToo;
            this.leftTeam = leftTeam;
            // The channel's visibility is the same for every subscriber: decided once per event, not per connection.
            final String channel = scope.channel();
            this.wholeTeam = channel == null || view.publicChannels.contains(channel);
            this.channelMembers = wholeTeam ? null : view.privateChannels.get(channel);
        }

        /** True when {@code user} may receive the event ({@link TeamView#maySee} at this event, plus its subject). */
        public boolean includes(final String user) {
            return user != null && includes(user, view.teamMembers.contains(user));
        }

        /**
         * {@link #includes(String)} for a subscriber that remembers its team membership between events:
         * the team's member set is looked up only when it changed since {@code memo} last looked. A
         * fan-out to 1,000 sockets otherwise pays 1,000 hash lookups per event for an answer that
         * changes only when someone joins or leaves the team. Call from one thread per memo.
         */
        public boolean includes(final String user, final MembershipMemo memo) {
            if (user == null) {
                return false;
            }
            // The stamp is read before the set: a change racing with this look-up bumps the stamp
            // after it, so the next event looks again.
            final long stamp = view.membersStamp;
            final boolean member;
            if (memo.membersStamp() == stamp) {
                member = memo.teamMember();
            } else {
                member = view.teamMembers.contains(user);
                memo.remember(stamp, member);
            }
            return includes(user, member);
        }

        private boolean includes(final String user, final boolean teamMember) {
            final boolean sees = teamMember && (wholeTeam || channelMembers != null && channelMembers.contains(user));
            return sees || subjectToo && user.equals(scope.subject());
        }

        /** The user this event removed from the team ({@code TeamMemberLeft}), else {@code null}. */
        public String leftTeam() {
            return leftTeam;
        }
    }

    /** Source of {@link #membersStamp} values: unique across views, so a memo never mistakes one view for another. */
    private static final AtomicLong STAMPS = new AtomicLong();

    private final String team;
    private final Set<String> teamMembers = ConcurrentHashMap.newKeySet();
    /** Changes (to a value never used before) after every change of {@link #teamMembers}. */
    private volatile long membersStamp = STAMPS.incrementAndGet();
    private final Set<String> publicChannels = ConcurrentHashMap.newKeySet();
    private final ConcurrentMap<String, Set<String>> privateChannels = new ConcurrentHashMap<>();
    private volatile long next;

    private TeamView(final String team, final long next) {
        this.team = team;
        this.next = next;
    }

    /** The view at {@code snapshot.nextOffset()}. */
    public static TeamView of(final String team, final MembershipSnapshot snapshot) {
        final TeamView v = new TeamView(team, snapshot.nextOffset());
        v.teamMembers.addAll(snapshot.teamMembers());
        v.publicChannels.addAll(snapshot.publicChannels());
        for (Map.Entry<String, Set<String>> e : snapshot.privateChannels().entrySet()) {
            final Set<String> members = ConcurrentHashMap.newKeySet();
            members.addAll(e.getValue());
            v.privateChannels.put(e.getKey(), members);
        }
        return v;
    }

    public String team() {
        return team;
    }

    /** Every event of the team below this offset is reflected. */
    public long next() {
        return next;
    }

    /** How many users are in the team. */
    public int memberCount() {
        return teamMembers.size();
    }

    public boolean isTeamMember(final String user) {
        return user != null && teamMembers.contains(user);
    }

    /** May {@code user} see events of {@code channel} ({@code null}: team-level events)? */
    public boolean maySee(final String user, final String channel) {
        if (user == null || !teamMembers.contains(user)) {
            return false;
        }
        if (channel == null || publicChannels.contains(channel)) {
            return true;
        }
        final Set<String> members = privateChannels.get(channel);
        return members != null && members.contains(user);
    }

    /**
     * May {@code user} receive a replayed (historical) event of {@code scope}? Judged by the
     * membership now, the rule of the HTTP history read: a member of a private channel may read its
     * past, a former member may not; a membership change is always shown to its subject.
     */
    public boolean mayReplay(final String user, final Scope scope) {
        return maySee(user, scope.channel()) || user != null && user.equals(scope.subject());
    }

    /** True when {@code channel} is a private channel of the team. */
    public boolean isPrivate(final String channel) {
        return privateChannels.containsKey(channel);
    }

    /**
     * Applies the event at {@code offset} (an event below {@link #next()} is already reflected and
     * changes nothing) and returns who receives it.
     */
    public Audience apply(final long offset, final EventEnvelope e) {
        final Scope scope = Scope.of(e);
        if (offset < next) {
            return new Audience(this, scope, false, null);
        }
        final boolean subjectBefore = scope.subject() != null
                && (scope.creation() || maySee(scope.subject(), scope.channel()));
        String leftTeam = null;
        switch (e.getPayload()) {
            case TeamMemberJoined p -> {
                teamMembers.add(p.getUserId());
                membersStamp = STAMPS.incrementAndGet();
            }
            case TeamMemberLeft p -> {
                teamMembers.remove(p.getUserId());
                membersStamp = STAMPS.incrementAndGet();
                leftTeam = p.getUserId();
            }
            case ChannelCreated p -> {
                if (p.getPrivate$()) {
                    privateChannels.putIfAbsent(p.getChannelId(), ConcurrentHashMap.newKeySet());
                } else {
                    publicChannels.add(p.getChannelId());
                }
            }
            case MemberJoined p -> {
                final Set<String> members = privateChannels.get(p.getChannelId());
                if (members != null) {
                    members.add(p.getUserId());
                }
            }
            case MemberLeft p -> {
                final Set<String> members = privateChannels.get(p.getChannelId());
                if (members != null) {
                    members.remove(p.getUserId());
                }
            }
            default -> {
            }
        }
        next = offset + 1;
        return new Audience(this, scope, subjectBefore, leftTeam);
    }

    @Override
    public String toString() {
        return "TeamView[" + team + "@" + next + ", members=" + teamMembers.size() + ", private="
                + privateChannels.keySet() + "]";
    }
}
