package chat.search.index;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Who may read what in the teams of one partition, as of the offset the indexer has applied: the
 * same rule as the read API (websocket-edge {@code ReadModelQueries}) and the write rules
 * ({@code ingest ... Decider}): a caller reads a team's channel when they are a member of the team
 * and the channel is public or they are a member of the (private) channel. Archived channels stay
 * readable. Leaving a team keeps channel memberships (as in the read model) but team membership
 * gates everything, so nothing of the team is readable until they rejoin.
 *
 * <p>One writer (the indexer thread) and any number of readers; readers see a recent state, and
 * the search barrier makes "recent" at least "every event acknowledged before the query".
 *
 * <pre>{@code
 * acl.joinTeam("acme", "bob");
 * acl.createChannel("acme", "general", false);
 * Set<String> readable = acl.readableChannels("acme", "bob");
 * }</pre>
 */
public final class PartitionAcl {
    private final Map<String, TeamAcl> teams = new ConcurrentHashMap<>();

    private static final class TeamAcl {
        final Set<String> members = ConcurrentHashMap.newKeySet();
        final Set<String> publicChannels = ConcurrentHashMap.newKeySet();
        final Set<String> privateChannels = ConcurrentHashMap.newKeySet();
        /** Channel -> members, of public and private channels. */
        final Map<String, Set<String>> channelMembers = new ConcurrentHashMap<>();
    }

    private TeamAcl team(final String team) {
        return teams.computeIfAbsent(team, t -> new TeamAcl());
    }

    public void joinTeam(final String team, final String user) {
        team(team).members.add(user);
    }

    public void leaveTeam(final String team, final String user) {
        final TeamAcl t = teams.get(team);
        if (t != null) {
            t.members.remove(user);
        }
    }

    public void createChannel(final String team, final String channel, final boolean privateChannel) {
        final TeamAcl t = team(team);
        if (privateChannel) {
            t.publicChannels.remove(channel);
            t.privateChannels.add(channel);
        } else {
            t.privateChannels.remove(channel);
            t.publicChannels.add(channel);
        }
    }

    public void joinChannel(final String team, final String channel, final String user) {
        final TeamAcl t = team(team);
        t.channelMembers.computeIfAbsent(channel, c -> ConcurrentHashMap.newKeySet()).add(user);
    }

    public void leaveChannel(final String team, final String channel, final String user) {
        final TeamAcl t = teams.get(team);
        if (t != null) {
            final Set<String> s = t.channelMembers.get(channel);
            if (s != null) {
                s.remove(user);
            }
        }
    }

    public boolean isTeamMember(final String team, final String user) {
        final TeamAcl t = teams.get(team);
        return t != null && t.members.contains(user);
    }

    /** True when the channel is known and private. */
    public boolean isPrivate(final String team, final String channel) {
        final TeamAcl t = teams.get(team);
        return t != null && t.privateChannels.contains(channel);
    }

    /** May {@code user} read {@code channel} of {@code team} now? Unknown channels: no (fail closed). */
    public boolean mayRead(final String team, final String channel, final String user) {
        final TeamAcl t = teams.get(team);
        if (t == null || !t.members.contains(user)) {
            return false;
        }
        if (t.publicChannels.contains(channel)) {
            return true;
        }
        return t.privateChannels.contains(channel) && isChannelMember(t, channel, user);
    }

    /** Every channel of {@code team} that {@code user} may read now; empty for a non-member. */
    public List<String> readableChannels(final String team, final String user) {
        final TeamAcl t = teams.get(team);
        if (t == null || !t.members.contains(user)) {
            return List.of();
        }
        final List<String> out = new ArrayList<>(t.publicChannels);
        for (String channel : t.privateChannels) {
            if (isChannelMember(t, channel, user)) {
                out.add(channel);
            }
        }
        return out;
    }

    private static boolean isChannelMember(final TeamAcl t, final String channel, final String user) {
        final Set<String> members = t.channelMembers.get(channel);
        return members != null && members.contains(user);
    }

    /** Forgets everything (before a rebuild). */
    public void clear() {
        teams.clear();
    }

    /** Number of teams known. */
    public int teams() {
        return teams.size();
    }
}
