package chat.projector.cache;

import javax.sql.DataSource;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.util.HashMap;
import java.util.Map;

/**
 * What the shard decided for a committed batch that the events alone do not say (see
 * {@link CacheOps}): the stored position of posts that may be retries, and thread summaries.
 * Read after the batch's commit; a later batch may already be visible, which only makes the
 * summary newer (absolute values, applied again by that batch).
 */
final class ShardFacts {
    static final ShardFacts NONE = new ShardFacts(Map.of(), Map.of(), Map.of(), Map.of());

    record Key(String teamId, String messageId) {
    }

    record Root(String channelId, String messageId, int replyCount, String lastReplyAt) {
    }

    /** A message's row as the shard holds it after the batch (columns that matter to the channel lists). */
    record Row(String channelId, String authorId, boolean root, long logOffset, long lastOffset, boolean deleted) {
    }

    private final Map<Key, Long> posted;
    private final Map<Key, Root> roots;
    private final Map<Key, Root> rootsOfReplies;
    private final Map<Key, Row> rows;

    ShardFacts(final Map<Key, Long> posted, final Map<Key, Root> roots, final Map<Key, Root> rootsOfReplies,
               final Map<Key, Row> rows) {
        this.posted = posted;
        this.roots = roots;
        this.rootsOfReplies = rootsOfReplies;
        this.rows = rows;
    }

    /** The message's row, or null when the shard has none. */
    Row row(final Key k) {
        return rows.get(k);
    }

    /** The log offset the shard stored for the message, or -1 when it has none. */
    long postedAt(final Key k) {
        return posted.getOrDefault(k, -1L);
    }

    Root root(final Key k) {
        return roots.get(k);
    }

    Root rootOfReply(final Key k) {
        return rootsOfReplies.get(k);
    }

    static ShardFacts lookup(final DataSource shard, final CacheOps.Questions q) throws SQLException {
        if (q.none()) {
            return NONE;
        }
        final Map<Key, Long> posted = new HashMap<>();
        final Map<Key, Root> roots = new HashMap<>();
        final Map<Key, Root> ofReplies = new HashMap<>();
        final Map<Key, Row> rows = new HashMap<>();
        try (Connection c = shard.getConnection()) {
            c.setReadOnly(true);
            try (PreparedStatement ps = c.prepareStatement("SELECT log_offset FROM messages WHERE team_id = ? AND message_id = ?")) {
                for (Key k : q.posts()) {
                    ps.setString(1, k.teamId());
                    ps.setString(2, k.messageId());
                    try (ResultSet rs = ps.executeQuery()) {
                        if (rs.next()) {
                            posted.put(k, rs.getLong(1));
                        }
                    }
                }
            }
            try (PreparedStatement ps = c.prepareStatement("SELECT channel_id, message_id, reply_count, last_reply_at FROM messages"
                    + " WHERE team_id = ? AND message_id = ? AND deleted_at IS NULL AND thread_root_id IS NULL")) {
                for (Key k : q.roots()) {
                    root(ps, k).ifPresent(r -> roots.put(k, r));
                }
            }
            try (PreparedStatement ps = c.prepareStatement("SELECT r.channel_id, r.message_id, r.reply_count, r.last_reply_at"
                    + " FROM messages m JOIN messages r ON r.team_id = m.team_id AND r.message_id = m.thread_root_id"
                    + " WHERE m.team_id = ? AND m.message_id = ? AND r.deleted_at IS NULL AND r.thread_root_id IS NULL")) {
                for (Key k : q.repliesDeleted()) {
                    root(ps, k).ifPresent(r -> ofReplies.put(k, r));
                }
            }
            try (PreparedStatement ps = c.prepareStatement("SELECT channel_id, author_id, thread_root_id IS NULL, log_offset,"
                    + " last_offset, deleted_at IS NOT NULL FROM messages WHERE team_id = ? AND message_id = ?")) {
                for (Key k : q.rows()) {
                    ps.setString(1, k.teamId());
                    ps.setString(2, k.messageId());
                    try (ResultSet rs = ps.executeQuery()) {
                        if (rs.next()) {
                            rows.put(k, new Row(rs.getString(1), rs.getString(2), rs.getBoolean(3), rs.getLong(4), rs.getLong(5),
                                    rs.getBoolean(6)));
                        }
                    }
                }
            }
        }
        return new ShardFacts(posted, roots, ofReplies, rows);
    }

    private static java.util.Optional<Root> root(final PreparedStatement ps, final Key k) throws SQLException {
        ps.setString(1, k.teamId());
        ps.setString(2, k.messageId());
        try (ResultSet rs = ps.executeQuery()) {
            if (!rs.next()) {
                return java.util.Optional.empty();
            }
            final Timestamp last = rs.getTimestamp(4);
            return java.util.Optional.of(new Root(rs.getString(1), rs.getString(2), rs.getInt(3),
                    last == null ? null : last.toInstant().toString()));
        }
    }
}
