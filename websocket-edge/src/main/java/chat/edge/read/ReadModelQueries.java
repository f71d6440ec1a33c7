package chat.edge.read;

import chat.common.kafka.TeamPartitioner;
import chat.common.redis.CachedMessage;
import chat.common.redis.ChannelListKeys;
import chat.common.shard.ShardDataSources;
import chat.common.shard.ShardMap;
import com.fasterxml.jackson.core.JsonGenerator;

import java.io.IOException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.util.ArrayList;
import java.util.List;

/**
 * The read API's queries against the read model of a team's shard. Every query is scoped by
 * team and authorizes the caller in the same statement: a private channel is visible only to its
 * members, and nothing is visible to users outside the team. Results are streamed straight into
 * a JSON generator (no intermediate objects).
 */
public final class ReadModelQueries {
    /** Visible = the team has the caller as member, and the channel is public or has the caller as member. */
    private static final String VISIBLE = "EXISTS (SELECT 1 FROM team_members tm WHERE tm.team_id = ch.team_id AND tm.user_id = ?)"
            + " AND (NOT ch.private OR EXISTS (SELECT 1 FROM channel_members cm WHERE cm.team_id = ch.team_id"
            + " AND cm.channel_id = ch.channel_id AND cm.user_id = ?))";

    private final ShardDataSources shards;
    private final ShardMap shardMap;

    ReadModelQueries(final ShardDataSources shards, final ShardMap shardMap) {
        this.shards = shards;
        this.shardMap = shardMap;
    }

    int partitionOf(final String team) {
        return TeamPartitioner.partitionOf(team, shardMap.partitions());
    }

    Connection connect(final String team) throws SQLException {
        final Connection c = shards.forPartition(partitionOf(team)).getConnection();
        c.setReadOnly(true);
        return c;
    }

    /** The user is a member of the team. */
    public static boolean isTeamMember(final Connection c, final String team, final String user) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("SELECT 1 FROM team_members WHERE team_id = ? AND user_id = ?")) {
            ps.setString(1, team);
            ps.setString(2, user);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next();
            }
        }
    }

    /** The channel exists and the user may see it (public, or private and a member; team membership checked too). */
    public static boolean canSeeChannel(final Connection c, final String team, final String channel, final String user)
            throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("SELECT 1 FROM channels ch WHERE ch.team_id = ? AND ch.channel_id = ? AND "
                + VISIBLE)) {
            ps.setString(1, team);
            ps.setString(2, channel);
            ps.setString(3, user);
            ps.setString(4, user);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next();
            }
        }
    }

    /**
     * The caller's channels of a team: every public channel and the private ones they belong to,
     * with membership, last activity and, for members, the count of unread root messages by others.
     * Ordered by channel id in byte order ({@code COLLATE "C"}, whatever the database's collation), the
     * order the read cache's list keeps too.
     */
    static void channels(final Connection c, final String team, final String user, final JsonGenerator g)
            throws SQLException, IOException {
        final String sql = "SELECT ch.channel_id, ch.name, ch.private, ch.topic, ch.archived_at,"
                + " cm.user_id IS NOT NULL AS member,"
                + " (SELECT max(m.created_at) FROM messages m WHERE m.team_id = ch.team_id AND m.channel_id = ch.channel_id) AS last_activity,"
                + " (SELECT max(m.log_offset) FROM messages m WHERE m.team_id = ch.team_id AND m.channel_id = ch.channel_id) AS last_offset,"
                + " CASE WHEN cm.user_id IS NULL THEN NULL ELSE (SELECT count(*) FROM messages m WHERE m.team_id = ch.team_id"
                + "   AND m.channel_id = ch.channel_id AND m.thread_root_id IS NULL AND m.deleted_at IS NULL AND m.author_id <> ?"
                + "   AND m.log_offset > coalesce((SELECT rm.message_offset FROM read_markers rm WHERE rm.team_id = ch.team_id"
                + "     AND rm.channel_id = ch.channel_id AND rm.user_id = ?), -1)) END AS unread"
                + " FROM channels ch LEFT JOIN channel_members cm ON cm.team_id = ch.team_id AND cm.channel_id = ch.channel_id"
                + " AND cm.user_id = ? WHERE ch.team_id = ? AND (NOT ch.private OR cm.user_id IS NOT NULL)"
                + " ORDER BY ch.channel_id COLLATE \"C\"";
        try (PreparedStatement ps = c.prepareStatement(sql)) {
            ps.setString(1, user);
            ps.setString(2, user);
            ps.setString(3, user);
            ps.setString(4, team);
            try (ResultSet rs = ps.executeQuery()) {
                g.writeArrayFieldStart("channels");
                while (rs.next()) {
                    ChannelListKeys.writeHead(g, rs.getString(1), rs.getString(2), rs.getBoolean(3), rs.getString(4),
                            rs.getTimestamp(5) != null);
                    g.writeBooleanField("member", rs.getBoolean(6));
                    writeTime(g, "lastActivityAt", rs.getTimestamp(7));
                    final long lastOffset = rs.getLong(8);
                    if (rs.wasNull()) {
                        g.writeNullField("lastOffset");
                    } else {
                        g.writeNumberField("lastOffset", lastOffset);
                    }
                    final long unread = rs.getLong(9);
                    if (rs.wasNull()) {
                        g.writeNullField("unread");
                    } else {
                        g.writeNumberField("unread", unread);
                    }
                    g.writeEndObject();
                }
                g.writeEndArray();
            }
        }
    }

    /**
     * A channel's root messages, newest first, {@code limit} per page, before the {@code before}
     * offset cursor (exclusive; {@code Long.MAX_VALUE} for the newest page). Deleted messages are
     * gone from history; their text is never served.
     */
    static void history(final Connection c, final String team, final String channel, final long before, final int limit,
                        final JsonGenerator g) throws SQLException, IOException {
        try (PreparedStatement ps = c.prepareStatement("SELECT message_id, author_id, text, created_at, edited_at, log_partition,"
                + " log_offset, reply_count, last_reply_at FROM messages WHERE team_id = ? AND channel_id = ? AND log_offset < ?"
                + " AND thread_root_id IS NULL AND deleted_at IS NULL ORDER BY log_offset DESC LIMIT ?")) {
            ps.setString(1, team);
            ps.setString(2, channel);
            ps.setLong(3, before);
            ps.setInt(4, limit + 1);
            writeMessages(ps, limit, g);
        }
    }

    /** Replies of a thread, oldest first, after the {@code after} offset cursor (exclusive). */
    static void replies(final Connection c, final String team, final String channel, final String root, final long after,
                        final int limit, final JsonGenerator g) throws SQLException, IOException {
        try (PreparedStatement ps = c.prepareStatement("SELECT message_id, author_id, text, created_at, edited_at, log_partition,"
                + " log_offset, reply_count, last_reply_at FROM messages WHERE team_id = ? AND channel_id = ? AND thread_root_id = ?"
                + " AND log_offset > ? AND deleted_at IS NULL ORDER BY log_offset ASC LIMIT ?")) {
            ps.setString(1, team);
            ps.setString(2, channel);
            ps.setString(3, root);
            ps.setLong(4, after);
            ps.setInt(5, limit + 1);
            writeMessages(ps, limit, g);
        }
    }

    /** The message's offset when it exists in the channel and is not deleted, else -1. */
    static long messageOffset(final Connection c, final String team, final String channel, final String message)
            throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("SELECT log_offset FROM messages WHERE team_id = ? AND message_id = ?"
                + " AND channel_id = ? AND deleted_at IS NULL")) {
            ps.setString(1, team);
            ps.setString(2, message);
            ps.setString(3, channel);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? rs.getLong(1) : -1;
            }
        }
    }

    /** Reactions of a message grouped by emoji: count and users (sorted). */
    static void reactions(final Connection c, final String team, final String message, final JsonGenerator g)
            throws SQLException, IOException {
        try (PreparedStatement ps = c.prepareStatement("SELECT emoji, count(*), array_agg(user_id ORDER BY user_id)"
                + " FROM reactions WHERE team_id = ? AND message_id = ? GROUP BY emoji ORDER BY min(last_offset)")) {
            ps.setString(1, team);
            ps.setString(2, message);
            try (ResultSet rs = ps.executeQuery()) {
                g.writeArrayFieldStart("reactions");
                while (rs.next()) {
                    g.writeStartObject();
                    g.writeStringField("emoji", rs.getString(1));
                    g.writeNumberField("count", rs.getLong(2));
                    g.writeArrayFieldStart("users");
                    for (Object u : (Object[]) rs.getArray(3).getArray()) {
                        g.writeString((String) u);
                    }
                    g.writeEndArray();
                    g.writeEndObject();
                }
                g.writeEndArray();
            }
        }
    }

    /** Read receipts: the channel members whose read marker is at or after the message. */
    static void receipts(final Connection c, final String team, final String channel, final long messageOffset,
                         final JsonGenerator g) throws SQLException, IOException {
        try (PreparedStatement ps = c.prepareStatement("SELECT rm.user_id, rm.read_at FROM read_markers rm"
                + " JOIN channel_members cm ON cm.team_id = rm.team_id AND cm.channel_id = rm.channel_id AND cm.user_id = rm.user_id"
                + " WHERE rm.team_id = ? AND rm.channel_id = ? AND rm.message_offset >= ? ORDER BY rm.user_id")) {
            ps.setString(1, team);
            ps.setString(2, channel);
            ps.setLong(3, messageOffset);
            try (ResultSet rs = ps.executeQuery()) {
                g.writeArrayFieldStart("readBy");
                while (rs.next()) {
                    g.writeStartObject();
                    g.writeStringField("userId", rs.getString(1));
                    writeTime(g, "readAt", rs.getTimestamp(2));
                    g.writeEndObject();
                }
                g.writeEndArray();
            }
        }
    }

    private static void writeMessages(final PreparedStatement ps, final int limit, final JsonGenerator g)
            throws SQLException, IOException {
        try (ResultSet rs = ps.executeQuery()) {
            g.writeArrayFieldStart("messages");
            int n = 0;
            long lastOffset = -1;
            boolean more = false;
            while (rs.next()) {
                if (n == limit) {
                    more = true;
                    break;
                }
                g.writeStartObject();
                g.writeStringField("messageId", rs.getString(1));
                g.writeStringField("authorId", rs.getString(2));
                g.writeStringField("text", rs.getString(3));
                writeTime(g, "createdAt", rs.getTimestamp(4));
                writeTime(g, "editedAt", rs.getTimestamp(5));
                g.writeObjectFieldStart("position");
                g.writeNumberField("partition", rs.getInt(6));
                g.writeNumberField("offset", rs.getLong(7));
                g.writeEndObject();
                g.writeNumberField("replyCount", rs.getInt(8));
                writeTime(g, "lastReplyAt", rs.getTimestamp(9));
                g.writeEndObject();
                lastOffset = rs.getLong(7);
                n++;
            }
            g.writeEndArray();
            if (more) {
                g.writeStringField("nextCursor", Long.toString(lastOffset));
            } else {
                g.writeNullField("nextCursor");
            }
        }
    }

    private static void writeTime(final JsonGenerator g, final String field, final Timestamp t) throws IOException {
        if (t == null) {
            g.writeNullField(field);
        } else {
            g.writeStringField(field, t.toInstant().toString());
        }
    }

    /**
     * What the read cache holds of a team and channel, read in one REPEATABLE READ transaction
     * together with the partition's checkpoint (every event below it is in these rows).
     *
     * @param window the newest {@code n} root messages not deleted, newest first
     * @param full   true when the window is the channel's whole history
     */
    record Snapshot(String team, String channel, long checkpoint, List<String> teamMembers, boolean privateChannel,
                    List<String> channelMembers, boolean full, List<CachedMessage> window) {
        /** The snapshot argument of {@code ReadCacheKeys.INSTALL}. */
        String toJson() {
            final java.io.StringWriter out = new java.io.StringWriter(256 + window.size() * 200);
            try (JsonGenerator g = new com.fasterxml.jackson.core.JsonFactory().createGenerator(out)) {
                g.writeStartObject();
                g.writeStringField("t", team);
                g.writeStringField("c", channel);
                g.writeNumberField("priv", privateChannel ? 1 : 0);
                g.writeNumberField("full", full ? 1 : 0);
                g.writeArrayFieldStart("tm");
                for (String u : teamMembers) {
                    g.writeString(u);
                }
                g.writeEndArray();
                g.writeArrayFieldStart("cm");
                for (String u : channelMembers) {
                    g.writeString(u);
                }
                g.writeEndArray();
                g.writeArrayFieldStart("w");
                for (CachedMessage m : window) {
                    g.writeStartArray();
                    g.writeString(m.messageId());
                    g.writeNumber(m.offset());
                    g.writeString(m.encode());
                    g.writeEndArray();
                }
                g.writeEndArray();
                g.writeEndObject();
            } catch (IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
            return out.toString();
        }
    }

    /** The partition's projection checkpoint as this transaction sees it (0 before the first batch). */
    private static long checkpoint(final Connection c, final int partition) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("SELECT next_offset FROM projection_checkpoint WHERE partition = ?")) {
            ps.setInt(1, partition);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? rs.getLong(1) : 0;
            }
        }
    }

    /** The snapshot of a team and channel for the cache, or null when either does not exist. */
    static Snapshot snapshot(final Connection c, final int partition, final String team, final String channel, final int n)
            throws SQLException {
        final boolean autoCommit = c.getAutoCommit();
        c.setAutoCommit(false);
        c.setTransactionIsolation(Connection.TRANSACTION_REPEATABLE_READ);
        try {
            final long checkpoint = checkpoint(c, partition);
            final Boolean priv;
            try (PreparedStatement ps = c.prepareStatement("SELECT private FROM channels WHERE team_id = ? AND channel_id = ?"
                    + " AND EXISTS (SELECT 1 FROM teams WHERE team_id = ?)")) {
                ps.setString(1, team);
                ps.setString(2, channel);
                ps.setString(3, team);
                try (ResultSet rs = ps.executeQuery()) {
                    priv = rs.next() ? rs.getBoolean(1) : null;
                }
            }
            if (priv == null) {
                return null;
            }
            final List<String> teamMembers = strings(c, "SELECT user_id FROM team_members WHERE team_id = ?", team, null);
            final List<String> channelMembers = strings(c, "SELECT user_id FROM channel_members WHERE team_id = ? AND channel_id = ?",
                    team, channel);
            final List<CachedMessage> window = new ArrayList<>(Math.min(n, 1024));
            boolean full = true;
            try (PreparedStatement ps = c.prepareStatement("SELECT message_id, author_id, text, created_at, edited_at, log_partition,"
                    + " log_offset, reply_count, last_reply_at FROM messages WHERE team_id = ? AND channel_id = ?"
                    + " AND thread_root_id IS NULL AND deleted_at IS NULL ORDER BY log_offset DESC LIMIT ?")) {
                ps.setString(1, team);
                ps.setString(2, channel);
                ps.setInt(3, n + 1);
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        if (window.size() == n) {
                            full = false;
                            break;
                        }
                        window.add(new CachedMessage(rs.getString(1), rs.getString(2), rs.getString(3), time(rs.getTimestamp(4)),
                                time(rs.getTimestamp(5)), rs.getInt(6), rs.getLong(7), rs.getInt(8), time(rs.getTimestamp(9))));
                    }
                }
            }
            c.commit();
            return new Snapshot(team, channel, checkpoint, teamMembers, priv, channelMembers, full, window);
        } finally {
            c.rollback();
            c.setAutoCommit(autoCommit);
        }
    }

    /**
     * What the read cache holds of a team's channel list ({@link ChannelListKeys}), read in one
     * REPEATABLE READ transaction together with the partition's checkpoint. Bounded: per channel
     * at most {@code n} window entries, one count per author, one row per member and read marker.
     */
    record ListSnapshot(String team, long checkpoint, List<String> teamMembers, List<String[]> channels,
                        List<String[]> activity, List<String[]> totals, List<Window> windows, List<String[]> members,
                        List<String[]> markers) {
        /** The newest live roots of a channel (offset, author), newest first, and the floor below them (-1: none). */
        record Window(String channel, long floor, List<String[]> entries) {
        }

        /** The snapshot argument of {@code ChannelListKeys.LIST_INSTALL} (numbers as strings). */
        String toJson() {
            final java.io.StringWriter out = new java.io.StringWriter(1024 + windows.size() * 64);
            try (JsonGenerator g = new com.fasterxml.jackson.core.JsonFactory().createGenerator(out)) {
                g.writeStartObject();
                g.writeStringField("t", team);
                g.writeArrayFieldStart("tm");
                for (String u : teamMembers) {
                    g.writeString(u);
                }
                g.writeEndArray();
                rows(g, "ch", channels);
                rows(g, "act", activity);
                rows(g, "tot", totals);
                g.writeArrayFieldStart("w");
                for (Window w : windows) {
                    g.writeStartArray();
                    g.writeString(w.channel());
                    g.writeString(Long.toString(w.floor()));
                    g.writeStartArray();
                    for (String[] e : w.entries()) {
                        g.writeStartArray();
                        g.writeString(e[0]);
                        g.writeString(e[1]);
                        g.writeEndArray();
                    }
                    g.writeEndArray();
                    g.writeEndArray();
                }
                g.writeEndArray();
                rows(g, "cm", members);
                rows(g, "rm", markers);
                g.writeEndObject();
            } catch (IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
            return out.toString();
        }

        private static void rows(final JsonGenerator g, final String field, final List<String[]> rows) throws IOException {
            g.writeArrayFieldStart(field);
            for (String[] r : rows) {
                g.writeStartArray();
                for (String v : r) {
                    g.writeString(v);
                }
                g.writeEndArray();
            }
            g.writeEndArray();
        }
    }

    /** The snapshot of a team's channel list for the cache ({@code n} = unread window), or null when the team does not exist. */
    static ListSnapshot listSnapshot(final Connection c, final int partition, final String team, final int n) throws SQLException {
        final boolean autoCommit = c.getAutoCommit();
        c.setAutoCommit(false);
        c.setTransactionIsolation(Connection.TRANSACTION_REPEATABLE_READ);
        try {
            final long checkpoint = checkpoint(c, partition);
            if (strings(c, "SELECT team_id FROM teams WHERE team_id = ?", team, null).isEmpty()) {
                return null;
            }
            final List<String> teamMembers = strings(c, "SELECT user_id FROM team_members WHERE team_id = ?", team, null);
            final List<String[]> channels = new ArrayList<>();
            try (PreparedStatement ps = c.prepareStatement("SELECT channel_id, name, private, topic, archived_at IS NOT NULL"
                    + " FROM channels WHERE team_id = ?")) {
                ps.setString(1, team);
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        channels.add(new String[] {rs.getString(1),
                                ChannelListKeys.channelHead(rs.getString(1), rs.getString(2), rs.getBoolean(3), rs.getString(4),
                                        rs.getBoolean(5)), rs.getBoolean(3) ? "1" : "0"});
                    }
                }
            }
            final List<String[]> activity = new ArrayList<>();
            try (PreparedStatement ps = c.prepareStatement("SELECT channel_id, max(created_at), max(log_offset) FROM messages"
                    + " WHERE team_id = ? GROUP BY channel_id")) {
                ps.setString(1, team);
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        final java.time.Instant at = rs.getTimestamp(2).toInstant();
                        activity.add(new String[] {rs.getString(1), Long.toString(ChannelListKeys.micros(at)),
                                CachedMessage.jsonString(at.toString()), Long.toString(rs.getLong(3))});
                    }
                }
            }
            final List<String[]> totals = new ArrayList<>();
            try (PreparedStatement ps = c.prepareStatement("SELECT channel_id, author_id, count(*) FROM messages WHERE team_id = ?"
                    + " AND thread_root_id IS NULL AND deleted_at IS NULL GROUP BY channel_id, author_id")) {
                ps.setString(1, team);
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        totals.add(new String[] {rs.getString(1), rs.getString(2), Long.toString(rs.getLong(3))});
                    }
                }
            }
            // the newest n + 1 live roots per channel (index messages_by_channel): n in the window, the next one is the floor
            final java.util.Map<String, ListSnapshot.Window> windows = new java.util.LinkedHashMap<>();
            try (PreparedStatement ps = c.prepareStatement("SELECT ch.channel_id, m.log_offset, m.author_id FROM channels ch"
                    + " CROSS JOIN LATERAL (SELECT log_offset, author_id FROM messages m WHERE m.team_id = ch.team_id"
                    + " AND m.channel_id = ch.channel_id AND m.thread_root_id IS NULL AND m.deleted_at IS NULL"
                    + " ORDER BY m.log_offset DESC LIMIT ?) m WHERE ch.team_id = ? ORDER BY ch.channel_id, m.log_offset DESC")) {
                ps.setInt(1, n + 1);
                ps.setString(2, team);
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        final String ch = rs.getString(1);
                        final ListSnapshot.Window w = windows.computeIfAbsent(ch, k -> new ListSnapshot.Window(k, -1, new ArrayList<>()));
                        if (w.entries().size() == n) {
                            windows.put(ch, new ListSnapshot.Window(ch, rs.getLong(2), w.entries()));
                        } else {
                            w.entries().add(new String[] {Long.toString(rs.getLong(2)), rs.getString(3)});
                        }
                    }
                }
            }
            final List<String[]> members = pairs(c, "SELECT channel_id, user_id FROM channel_members WHERE team_id = ?", team, 2);
            final List<String[]> markers = pairs(c, "SELECT channel_id, user_id, message_offset FROM read_markers WHERE team_id = ?",
                    team, 3);
            c.commit();
            return new ListSnapshot(team, checkpoint, teamMembers, channels, activity, totals, new ArrayList<>(windows.values()),
                    members, markers);
        } finally {
            c.rollback();
            c.setAutoCommit(autoCommit);
        }
    }

    private static List<String[]> pairs(final Connection c, final String sql, final String team, final int columns)
            throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(sql)) {
            ps.setString(1, team);
            try (ResultSet rs = ps.executeQuery()) {
                final List<String[]> out = new ArrayList<>();
                while (rs.next()) {
                    final String[] row = new String[columns];
                    for (int i = 0; i < columns; i++) {
                        row[i] = rs.getString(i + 1);
                    }
                    out.add(row);
                }
                return out;
            }
        }
    }

    private static List<String> strings(final Connection c, final String sql, final String a, final String b) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(sql)) {
            ps.setString(1, a);
            if (b != null) {
                ps.setString(2, b);
            }
            try (ResultSet rs = ps.executeQuery()) {
                final List<String> out = new ArrayList<>();
                while (rs.next()) {
                    out.add(rs.getString(1));
                }
                return out;
            }
        }
    }

    private static String time(final Timestamp t) {
        return t == null ? null : t.toInstant().toString();
    }
}
