package chat.edge.access;

import chat.common.kafka.TeamPartitioner;
import chat.common.shard.ShardDataSources;
import chat.common.shard.ShardMap;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;

/**
 * Reads a team's membership from its shard in one read-only REPEATABLE READ transaction, together
 * with the partition's {@code projection_checkpoint}: the projector writes the checkpoint in the
 * same transaction as the rows, so the snapshot is exactly "every event below {@code next_offset}".
 */
public final class ShardMembershipSource implements MembershipSource {
    private final ShardDataSources shards;
    private final ShardMap shardMap;

    public ShardMembershipSource(final ShardDataSources shards, final ShardMap shardMap) {
        this.shards = shards;
        this.shardMap = shardMap;
    }

    @Override
    public MembershipSnapshot load(final String team, final int partition) throws SQLException {
        if (partition != TeamPartitioner.partitionOf(team, shardMap.partitions())) {
            throw new IllegalArgumentException("team " + team + " is not in partition " + partition);
        }
        try (Connection c = shards.forPartition(partition).getConnection()) {
            c.setAutoCommit(false);
            c.setReadOnly(true);
            c.setTransactionIsolation(Connection.TRANSACTION_REPEATABLE_READ);
            try {
                final MembershipSnapshot s = read(c, team, partition);
                c.commit();
                return s;
            } catch (SQLException | RuntimeException e) {
                c.rollback();
                throw e;
            }
        }
    }

    private static MembershipSnapshot read(final Connection c, final String team, final int partition)
            throws SQLException {
        long next = 0;
        try (PreparedStatement ps = c.prepareStatement("SELECT next_offset FROM projection_checkpoint WHERE partition = ?")) {
            ps.setInt(1, partition);
            try (ResultSet rs = ps.executeQuery()) {
                if (rs.next()) {
                    next = rs.getLong(1);
                }
            }
        }
        final Set<String> members = new HashSet<>();
        try (PreparedStatement ps = c.prepareStatement("SELECT user_id FROM team_members WHERE team_id = ?")) {
            ps.setString(1, team);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    members.add(rs.getString(1));
                }
            }
        }
        final Set<String> publicChannels = new HashSet<>();
        final Map<String, Set<String>> privateChannels = new HashMap<>();
        try (PreparedStatement ps = c.prepareStatement("SELECT channel_id, private FROM channels WHERE team_id = ?")) {
            ps.setString(1, team);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    if (rs.getBoolean(2)) {
                        privateChannels.put(rs.getString(1), new HashSet<>());
                    } else {
                        publicChannels.add(rs.getString(1));
                    }
                }
            }
        }
        try (PreparedStatement ps = c.prepareStatement("SELECT cm.channel_id, cm.user_id FROM channel_members cm"
                + " JOIN channels ch ON ch.team_id = cm.team_id AND ch.channel_id = cm.channel_id"
                + " WHERE cm.team_id = ? AND ch.private")) {
            ps.setString(1, team);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    privateChannels.computeIfAbsent(rs.getString(1), k -> new HashSet<>()).add(rs.getString(2));
                }
            }
        }
        return new MembershipSnapshot(next, members, publicChannels, privateChannels);
    }
}
