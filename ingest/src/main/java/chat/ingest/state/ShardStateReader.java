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
            TeamView v = base(c, team, command.actorId(), command.targetId(), a.channelId(), -1).view();
            if (command instanceof Command.MarkRead m) {
                v = withMarkedMessage(c, v, team, m.messageId(), m.actorId());
            } else if (a.messageId() != null) {
                v = v.withMessage(message(c, team, a.messageId()));
            }
            if (a.threadRootId() != null) {
                v = v.withThreadRoot(message(c, team, a.threadRootId()));
            }
            if (a.emoji() != null && a.messageId() != null) {
                v = v.withReaction(exists(c, "SELECT 1 FROM reactions WHERE team_id = ? AND message_id = ? AND emoji = ?"
                        + " AND user_id = ?", team, a.messageId(), a.emoji(), command.actorId()));
            }
            return v;
        }
    }

    /**
     * A view and the shard's checkpoint of the team's partition (next offset to apply) in the same
     * snapshot: the view shows exactly the partition's events before {@code checkpoint}.
     */
    public record CheckedView(TeamView view, long checkpoint) {
    }

    /**
     * What a plain post (no thread reply, no clientMessageId) needs, with the checkpoint it was read
     * at, in one round trip (see {@link PostViews}).
     */
    public CheckedView loadPost(final Command.PostMessage post) throws SQLException {
        final int partition = partitionOf(post.teamId());
        try (Connection c = shards.forPartition(partition).getConnection()) {
            c.setReadOnly(true);
            return base(c, post.teamId(), post.actorId(), null, post.channelId(), partition);
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
     * trip (the hot path of every post). With {@code partition >= 0} also that partition's checkpoint,
     * from the same snapshot (one statement; 0 when none yet), else -1.
     */
    private static CheckedView base(final Connection c, final String team, final String actor, final String target,
                                    final String channel, final int partition) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("SELECT"
                + " EXISTS (SELECT 1 FROM teams WHERE team_id = ?),"
                + " (SELECT role FROM team_members WHERE team_id = ? AND user_id = ?),"
                + " (SELECT role FROM team_members WHERE team_id = ? AND user_id = ?),"
                + " ch.channel_id, ch.private, ch.archived_at IS NOT NULL, ch.created_by,"
                + " EXISTS (SELECT 1 FROM channel_members m WHERE m.team_id = ? AND m.channel_id = ? AND m.user_id = ?),"
                + " EXISTS (SELECT 1 FROM channel_members m WHERE m.team_id = ? AND m.channel_id = ? AND m.user_id = ?)"
                + (partition >= 0 ? ", (SELECT next_offset FROM projection_checkpoint WHERE partition = ?)" : "")
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
            if (partition >= 0) {
                ps.setInt(i++, partition);
            }
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
                // NULL checkpoint (nothing applied yet) reads as 0
                return new CheckedView(v, partition >= 0 ? rs.getLong(10) : -1);
            }
        }
    }

    private static final String MESSAGE_COLUMNS = "SELECT m.channel_id, m.author_id, m.deleted_at IS NOT NULL, m.thread_root_id,"
            + " m.log_partition, m.log_offset";

    private static TeamView.Message message(final Connection c, final String team, final String messageId) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(MESSAGE_COLUMNS + " FROM messages m WHERE m.team_id = ? AND m.message_id = ?")) {
            ps.setString(1, team);
            ps.setString(2, messageId);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? message(rs, messageId) : null;
            }
        }
    }

    /**
     * A mark-read's message and, in the same round trip, the offset of the message {@code user}'s
     * marker in that message's channel points at (the decision only uses it when that channel is the
     * addressed one).
     */
    private static TeamView withMarkedMessage(final Connection c, final TeamView v, final String team, final String messageId,
                                              final String user) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(MESSAGE_COLUMNS + ", (SELECT rm.message_offset FROM read_markers rm"
                + " WHERE rm.team_id = m.team_id AND rm.channel_id = m.channel_id AND rm.user_id = ?)"
                + " FROM messages m WHERE m.team_id = ? AND m.message_id = ?")) {
            ps.setString(1, user);
            ps.setString(2, team);
            ps.setString(3, messageId);
            try (ResultSet rs = ps.executeQuery()) {
                if (!rs.next()) {
                    return v.withMessage(null);
                }
                final long marker = rs.getLong(7);
                return v.withMessage(message(rs, messageId)).withReadMarker(rs.wasNull() ? TeamView.NO_READ_MARKER : marker);
            }
        }
    }

    private static TeamView.Message message(final ResultSet rs, final String messageId) throws SQLException {
        return new TeamView.Message(messageId, rs.getString(1), rs.getString(2), rs.getBoolean(3), rs.getString(4), rs.getInt(5),
                rs.getLong(6));
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
