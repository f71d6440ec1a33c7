package chat.ingest.state;

import chat.common.kafka.TeamPartitioner;
import chat.common.shard.ShardDataSources;
import chat.common.shard.ShardMap;
import chat.ingest.domain.Command;
import chat.ingest.domain.Role;
import chat.ingest.domain.TeamView;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;

/**
 * Reads the {@link TeamView} a command needs from the read model of the team's shard: a handful
 * of primary-key lookups on one connection. The read model may trail the log by up to the
 * projector's commit interval; {@link AppliedOffsets} lets the caller first wait until the shard
 * has applied this instance's own earlier writes (read-your-writes).
 *
 * <pre>{@code
 * TeamView view = reader.load(command);
 * }</pre>
 */
public final class ShardStateReader {
    private final ShardDataSources shards;
    private final ShardMap shardMap;

    public ShardStateReader(final ShardDataSources shards, final ShardMap shardMap) {
        this.shards = shards;
        this.shardMap = shardMap;
    }

    /** The partition of {@code teamId}. */
    public int partitionOf(final String teamId) {
        return TeamPartitioner.partitionOf(teamId, shardMap.partitions());
    }

    /** The shard's checkpoint (next offset to apply) for {@code partition}; 0 when nothing applied yet. */
    public long checkpoint(final int partition) throws SQLException {
        try (Connection c = shards.forPartition(partition).getConnection();
             PreparedStatement ps = c.prepareStatement("SELECT next_offset FROM projection_checkpoint WHERE partition = ?")) {
            ps.setInt(1, partition);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? rs.getLong(1) : 0L;
            }
        }
    }

    /** Loads what {@code command} needs to be decided. */
    public TeamView load(final Command command) throws SQLException {
        final String team = command.teamId();
        final Address a = Address.of(command);
        try (Connection c = shards.forPartition(partitionOf(team)).getConnection()) {
            c.setReadOnly(true);
            TeamView v = base(c, team, command.actorId(), command.targetId(), a.channelId());
            if (a.messageId() != null) {
                v = v.withMessage(message(c, team, a.messageId()));
            }
            if (a.threadRootId() != null) {
                v = v.withThreadRoot(message(c, team, a.threadRootId()));
            }
            if (command instanceof Command.MarkRead m && v.message() != null) {
                v = v.withReadMarker(readMarker(c, team, m.channelId(), m.actorId()));
            }
            if (a.emoji() != null && a.messageId() != null) {
                v = v.withReaction(exists(c, "SELECT 1 FROM reactions WHERE team_id = ? AND message_id = ? AND emoji = ?"
                        + " AND user_id = ?", team, a.messageId(), a.emoji(), command.actorId()));
            }
            return v;
        }
    }

    /** What a command addresses besides team and users. */
    private record Address(String channelId, String messageId, String threadRootId, String emoji) {
        static Address of(final Command command) {
            return switch (command) {
                case Command.CreateTeam c -> new Address(null, null, null, null);
                case Command.AddTeamMember c -> new Address(null, null, null, null);
                case Command.RemoveTeamMember c -> new Address(null, null, null, null);
                case Command.CreateChannel c -> new Address(c.channelId(), null, null, null);
                case Command.ChangeChannelTopic c -> new Address(c.channelId(), null, null, null);
                case Command.ArchiveChannel c -> new Address(c.channelId(), null, null, null);
                case Command.JoinChannel c -> new Address(c.channelId(), null, null, null);
                case Command.InviteToChannel c -> new Address(c.channelId(), null, null, null);
                case Command.LeaveChannel c -> new Address(c.channelId(), null, null, null);
                // A post's id is new unless it comes from a clientMessageId (then a retry may exist).
                case Command.PostMessage c -> new Address(c.channelId(), c.clientMessageId() == null ? null : c.messageId(),
                        c.threadRootId(), null);
                case Command.EditMessage c -> new Address(c.channelId(), c.messageId(), null, null);
                case Command.DeleteMessage c -> new Address(c.channelId(), c.messageId(), null, null);
                case Command.AddReaction c -> new Address(c.channelId(), c.messageId(), null, c.emoji());
                case Command.RemoveReaction c -> new Address(c.channelId(), c.messageId(), null, c.emoji());
                case Command.MarkRead c -> new Address(c.channelId(), c.messageId(), null, null);
            };
        }
    }

    /**
     * Team, the actor's and target's roles, and the channel with both memberships, in one round
     * trip (the hot path of every post).
     */
    private static TeamView base(final Connection c, final String team, final String actor, final String target,
                                 final String channel) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("SELECT"
                + " EXISTS (SELECT 1 FROM teams WHERE team_id = ?),"
                + " (SELECT role FROM team_members WHERE team_id = ? AND user_id = ?),"
                + " (SELECT role FROM team_members WHERE team_id = ? AND user_id = ?),"
                + " ch.channel_id, ch.private, ch.archived_at IS NOT NULL, ch.created_by,"
                + " EXISTS (SELECT 1 FROM channel_members m WHERE m.team_id = ? AND m.channel_id = ? AND m.user_id = ?),"
                + " EXISTS (SELECT 1 FROM channel_members m WHERE m.team_id = ? AND m.channel_id = ? AND m.user_id = ?)"
                + " FROM (SELECT 1) AS one LEFT JOIN channels ch ON ch.team_id = ? AND ch.channel_id = ?")) {
            final String t = target == null ? "" : target;
            final String ch = channel == null ? "" : channel;
            int i = 1;
            ps.setString(i++, team);
            ps.setString(i++, team);
            ps.setString(i++, actor);
            ps.setString(i++, team);
            ps.setString(i++, t);
            ps.setString(i++, team);
            ps.setString(i++, ch);
            ps.setString(i++, actor);
            ps.setString(i++, team);
            ps.setString(i++, ch);
            ps.setString(i++, t);
            ps.setString(i++, team);
            ps.setString(i, ch);
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                final String actorRole = rs.getString(2);
                final String targetRole = rs.getString(3);
                TeamView v = TeamView.empty(actor, target)
                        .withTeam(rs.getBoolean(1), actorRole == null ? null : Role.fromWire(actorRole))
                        .withTargetRole(target == null || targetRole == null ? null : Role.fromWire(targetRole));
                if (channel != null && rs.getString(4) != null) {
                    v = v.withChannel(new TeamView.Channel(channel, rs.getBoolean(5), rs.getBoolean(6), rs.getString(7),
                            rs.getBoolean(8), target != null && rs.getBoolean(9)));
                }
                return v;
            }
        }
    }

    private static TeamView.Message message(final Connection c, final String team, final String messageId) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("SELECT channel_id, author_id, deleted_at IS NOT NULL, thread_root_id,"
                + " log_partition, log_offset FROM messages WHERE team_id = ? AND message_id = ?")) {
            ps.setString(1, team);
            ps.setString(2, messageId);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? new TeamView.Message(messageId, rs.getString(1), rs.getString(2), rs.getBoolean(3),
                        rs.getString(4), rs.getInt(5), rs.getLong(6)) : null;
            }
        }
    }

    /** The log offset of the message {@code user}'s marker in the channel points at, or {@link TeamView#NO_READ_MARKER}. */
    private static long readMarker(final Connection c, final String team, final String channel, final String user)
            throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("SELECT message_offset FROM read_markers WHERE team_id = ?"
                + " AND channel_id = ? AND user_id = ?")) {
            ps.setString(1, team);
            ps.setString(2, channel);
            ps.setString(3, user);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? rs.getLong(1) : TeamView.NO_READ_MARKER;
            }
        }
    }

    private static boolean exists(final Connection c, final String sql, final String... args) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(sql)) {
            for (int i = 0; i < args.length; i++) {
                ps.setString(i + 1, args[i]);
            }
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next();
            }
        }
    }
}
