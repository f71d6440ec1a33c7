package chat.edge.presence;

import chat.common.kafka.TeamPartitioner;
import chat.common.shard.ShardDataSources;
import chat.common.shard.ShardMap;
import chat.edge.read.ReadModelQueries;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;

/**
 * Who may ask for a channel's presence, and who its members are, from the team's shard. The 404
 * rules are the read API's own queries ({@code chat.edge.read.ReadModelQueries.isTeamMember} and
 * {@code canSeeChannel}): one definition of "may see".
 */
final class ChannelAccess {
    /** What the caller may know of the channel. */
    enum Verdict { NO_TEAM, NO_CHANNEL, VISIBLE }

    /** Members of a channel who are members of its team: every team member for a public channel. */
    private static final String MEMBERS = "SELECT tm.user_id FROM team_members tm JOIN channels ch ON ch.team_id = tm.team_id"
            + " AND ch.channel_id = ? WHERE tm.team_id = ? AND (NOT ch.private OR EXISTS (SELECT 1 FROM channel_members cm"
            + " WHERE cm.team_id = tm.team_id AND cm.channel_id = ch.channel_id AND cm.user_id = tm.user_id))"
            + " ORDER BY tm.user_id";

    private final ShardDataSources shards;
    private final ShardMap shardMap;

    ChannelAccess(final ShardDataSources shards, final ShardMap shardMap) {
        this.shards = shards;
        this.shardMap = shardMap;
    }

    /** The read model's verdict and, when visible, the channel's members (else an empty list). */
    record Members(Verdict verdict, List<String> users) {
    }

    Members members(final String team, final String channel, final String caller) throws SQLException {
        final int partition = TeamPartitioner.partitionOf(team, shardMap.partitions());
        try (Connection c = shards.forPartition(partition).getConnection()) {
            c.setReadOnly(true);
            if (!ReadModelQueries.isTeamMember(c, team, caller)) {
                return new Members(Verdict.NO_TEAM, List.of());
            }
            if (!ReadModelQueries.canSeeChannel(c, team, channel, caller)) {
                return new Members(Verdict.NO_CHANNEL, List.of());
            }
            final List<String> users = new ArrayList<>();
            try (PreparedStatement ps = c.prepareStatement(MEMBERS)) {
                ps.setString(1, channel);
                ps.setString(2, team);
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        users.add(rs.getString(1));
                    }
                }
            }
            return new Members(Verdict.VISIBLE, users);
        }
    }
}
