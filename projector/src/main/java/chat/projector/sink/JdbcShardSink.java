package chat.projector.sink;

import chat.common.shard.ShardMap;
import chat.common.shard.ShardRedirects;
import chat.common.shard.ShardRouter;
import chat.projector.projection.ProjectionBatch;
import chat.projector.projection.RowChange;

import javax.sql.DataSource;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.SQLRecoverableException;
import java.sql.SQLTransientConnectionException;
import java.sql.SQLTransientException;
import java.sql.Types;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.IntFunction;
import java.util.function.Predicate;

/**
 * Writes projection batches to the PostgreSQL shard of their partition: in ONE transaction it
 * locks the partition's {@code projection_checkpoint} row, skips changes below the stored
 * checkpoint (already applied, e.g. by a zombie writer before a rebalance), applies the rest as
 * JDBC batches planned by {@link StatementPlan} (identical to one-by-one application), and sets
 * the checkpoint to {@code GREATEST(stored, nextOffset)}. Every statement is idempotent on its own
 * too ({@code ON CONFLICT DO NOTHING} / {@code WHERE last_offset < ?}, lookups of other rows
 * limited to what preceded the event in the log, thread summaries recomputed from the replies),
 * so losing the checkpoint and replaying from the start of the log yields the same rows.
 *
 * <p>Failures are classified, never retried here: connection and resource errors (SQLState
 * classes 08, 40, 53, 57P, 58, {@link SQLTransientException}, {@link SQLRecoverableException})
 * become {@link TransientShardException}; anything else {@link PermanentShardException}. Wrap it
 * in a {@link RetryingShardSink} for the retry policy.
 *
 * <pre>{@code
 * ShardSink sink = new JdbcShardSink(shardDataSources); // follows live map switches
 * }</pre>
 */
public final class JdbcShardSink implements ShardSink {
    /**
     * A root's thread summary from its replies (index messages_by_thread): recomputed, never
     * incremented. Only replies posted after the root count, so a replay finds what the first run
     * found even if a log held a reply before its root.
     */
    private static final String THREAD_SUMMARY = "SELECT count(*)::integer, max(r.created_at) FROM messages r"
            + " WHERE r.team_id = root.team_id AND r.thread_root_id = root.message_id AND r.deleted_at IS NULL"
            + " AND r.log_offset > root.log_offset";
    private static final Map<RowChange.Kind, String> SQL = new EnumMap<>(Map.ofEntries(
            Map.entry(RowChange.Kind.TEAM_INSERT,
                    "INSERT INTO teams (team_id, name, created_by, created_at, last_offset) VALUES (?, ?, ?, ?, ?)"
                            + " ON CONFLICT (team_id) DO NOTHING"),
            Map.entry(RowChange.Kind.TEAM_MEMBER_UPSERT,
                    "INSERT INTO team_members (team_id, user_id, role, joined_at, last_offset) VALUES (?, ?, ?, ?, ?)"
                            + " ON CONFLICT (team_id, user_id) DO UPDATE SET role = EXCLUDED.role,"
                            + " last_offset = EXCLUDED.last_offset WHERE team_members.last_offset < EXCLUDED.last_offset"),
            Map.entry(RowChange.Kind.TEAM_MEMBER_DELETE,
                    "DELETE FROM team_members WHERE team_id = ? AND user_id = ? AND last_offset < ?"),
            Map.entry(RowChange.Kind.CHANNEL_INSERT,
                    "INSERT INTO channels (team_id, channel_id, name, private, topic, created_by, created_at, last_offset)"
                            + " VALUES (?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (team_id, channel_id) DO NOTHING"),
            Map.entry(RowChange.Kind.CHANNEL_TOPIC_UPDATE,
                    "UPDATE channels SET topic = ?, last_offset = ? WHERE team_id = ? AND channel_id = ? AND last_offset < ?"),
            Map.entry(RowChange.Kind.CHANNEL_ARCHIVE,
                    "UPDATE channels SET archived_at = COALESCE(archived_at, ?), last_offset = ?"
                            + " WHERE team_id = ? AND channel_id = ? AND last_offset < ?"),
            Map.entry(RowChange.Kind.CHANNEL_MEMBER_UPSERT,
                    "INSERT INTO channel_members (team_id, channel_id, user_id, invited_by, joined_at, last_offset)"
                            + " VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (team_id, channel_id, user_id) DO UPDATE"
                            + " SET last_offset = EXCLUDED.last_offset"
                            + " WHERE channel_members.last_offset < EXCLUDED.last_offset"),
            Map.entry(RowChange.Kind.CHANNEL_MEMBER_DELETE,
                    "DELETE FROM channel_members WHERE team_id = ? AND channel_id = ? AND user_id = ? AND last_offset < ?"),
            Map.entry(RowChange.Kind.MESSAGE_INSERT,
                    "INSERT INTO messages (team_id, channel_id, message_id, author_id, text, thread_root_id,"
                            + " client_message_id, created_at, log_partition, log_offset, last_offset)"
                            + " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (team_id, message_id) DO NOTHING"),
            Map.entry(RowChange.Kind.MESSAGE_EDIT,
                    "UPDATE messages SET text = ?, edited_at = ?, last_offset = ? WHERE team_id = ? AND message_id = ?"
                            + " AND channel_id = ? AND deleted_at IS NULL AND last_offset < ?"),
            Map.entry(RowChange.Kind.MESSAGE_DELETE,
                    "UPDATE messages SET text = NULL, deleted_at = ?, last_offset = ? WHERE team_id = ? AND message_id = ?"
                            + " AND channel_id = ? AND deleted_at IS NULL AND last_offset < ?"),
            Map.entry(RowChange.Kind.REACTION_ADD,
                    "INSERT INTO reactions (team_id, message_id, user_id, emoji, channel_id, reacted_at, last_offset)"
                            + " SELECT m.team_id, m.message_id, ?, ?, m.channel_id, ?, ? FROM messages m"
                            + " WHERE m.team_id = ? AND m.message_id = ? AND m.channel_id = ? AND m.deleted_at IS NULL"
                            + " AND m.log_offset < ? ON CONFLICT (team_id, message_id, emoji, user_id) DO NOTHING"),
            Map.entry(RowChange.Kind.REACTION_REMOVE,
                    "DELETE FROM reactions WHERE team_id = ? AND message_id = ? AND emoji = ? AND user_id = ?"
                            + " AND last_offset < ?"),
            Map.entry(RowChange.Kind.REACTION_PURGE,
                    "DELETE FROM reactions r WHERE r.team_id = ? AND r.message_id = ? AND r.last_offset < ?"
                            + " AND EXISTS (SELECT 1 FROM messages m WHERE m.team_id = r.team_id"
                            + " AND m.message_id = r.message_id AND m.channel_id = ? AND m.deleted_at IS NOT NULL)"),
            Map.entry(RowChange.Kind.READ_MARKER_UPSERT,
                    "INSERT INTO read_markers (team_id, channel_id, user_id, message_id, message_offset, read_at,"
                            + " last_offset) SELECT m.team_id, m.channel_id, ?, m.message_id, m.log_offset, ?, ?"
                            + " FROM messages m WHERE m.team_id = ? AND m.message_id = ? AND m.channel_id = ?"
                            + " AND m.log_offset < ? ON CONFLICT (team_id, channel_id, user_id) DO UPDATE"
                            + " SET message_id = EXCLUDED.message_id, message_offset = EXCLUDED.message_offset,"
                            + " read_at = EXCLUDED.read_at, last_offset = EXCLUDED.last_offset"
                            + " WHERE read_markers.message_offset < EXCLUDED.message_offset"
                            + " AND read_markers.last_offset < EXCLUDED.last_offset"),
            Map.entry(RowChange.Kind.THREAD_RECOUNT,
                    "UPDATE messages root SET (reply_count, last_reply_at) = (" + THREAD_SUMMARY + ")"
                            + " WHERE root.team_id = ? AND root.message_id = ?"),
            Map.entry(RowChange.Kind.THREAD_RECOUNT_OF_REPLY,
                    "UPDATE messages root SET (reply_count, last_reply_at) = (" + THREAD_SUMMARY + ")"
                            + " WHERE root.team_id = ? AND root.message_id ="
                            + " (SELECT r.thread_root_id FROM messages r WHERE r.team_id = ? AND r.message_id = ?)")));

    private final ShardRouter router;
    /** Replay writer only: message inserts go through COPY instead of INSERT batches; null = statements only. */
    private final MessageCopy copy;

    /**
     * A sink over a fixed map.
     *
     * @param map    partition -> shard
     * @param shards the data source of a shard number, e.g. {@code pools::shard}
     */
    public JdbcShardSink(final ShardMap map, final IntFunction<DataSource> shards) {
        this(map, shards, null);
    }

    private JdbcShardSink(final ShardMap map, final IntFunction<DataSource> shards, final MessageCopy copy) {
        Objects.requireNonNull(map, "map");
        Objects.requireNonNull(shards, "shards");
        this.router = partition -> {
            final int shard = map.shardOf(partition);
            return new ShardRouter.Route(shard, shards.apply(shard));
        };
        this.copy = copy;
    }

    /**
     * The same sink for bulk replays (chatctl: rebuild, reshard, region bootstrap, verify): identical
     * rows, but each group of message inserts is loaded with one {@code COPY} inside the batch's
     * transaction (see {@link MessageCopy}: a savepoint guards it and any refusal, e.g. a message id
     * already present, falls back to the {@code INSERT ... ON CONFLICT DO NOTHING} batch). The live
     * projector does not use it: its batches are small and the statements are what it is tuned for.
     *
     * <pre>{@code
     * ShardSink green = JdbcShardSink.forReplay(map, pools::shard);
     * }</pre>
     */
    public static JdbcShardSink forReplay(final ShardMap map, final IntFunction<DataSource> shards) {
        return new JdbcShardSink(map, shards, new MessageCopy());
    }

    /** Replay writer: message rows loaded by COPY so far (0 for the live sink). */
    public long copiedMessages() {
        return copy == null ? 0 : copy.copiedRows();
    }

    /** Replay writer: groups of message inserts whose COPY was refused and which the statements wrote instead. */
    public long copyFallbacks() {
        return copy == null ? 0 : copy.fallbacks();
    }

    /**
     * A sink that resolves each partition's shard per call, e.g. from the service's
     * {@code ShardDataSources}: after a live reshard switches the map, the next write (or the retry of
     * a write the old shard's fence refused) goes to the new database and starts from ITS checkpoint.
     */
    public JdbcShardSink(final ShardRouter router) {
        this.router = Objects.requireNonNull(router, "router");
        this.copy = null;
    }

    @Override
    public long checkpoint(final int partition) {
        final ShardRouter.Route route = router.route(partition);
        try (Connection c = route.dataSource().getConnection();
             PreparedStatement ps = c.prepareStatement(
                     "SELECT next_offset FROM projection_checkpoint WHERE partition = ?")) {
            ps.setInt(1, partition);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? rs.getLong(1) : 0L;
            }
        } catch (SQLException e) {
            throw classify("cannot read checkpoint", route.shard(), partition, "-", e);
        }
    }

    @Override
    public void write(final ProjectionBatch batch) {
        // One route per transaction: the whole batch goes to one database of one map generation.
        final ShardRouter.Route route = router.route(batch.partition());
        final int shard = route.shard();
        try (Connection c = route.dataSource().getConnection()) {
            c.setAutoCommit(false);
            try {
                final long stored = lockCheckpoint(c, batch.partition());
                final List<RowChange> todo = batch.changes().stream().filter(ch -> ch.offset() >= stored).toList();
                applyChanges(c, todo, copy);
                try (PreparedStatement ps = c.prepareStatement("UPDATE projection_checkpoint"
                        + " SET next_offset = GREATEST(next_offset, ?), updated_at = now() WHERE partition = ?")) {
                    ps.setLong(1, batch.nextOffset());
                    ps.setInt(2, batch.partition());
                    ps.executeUpdate();
                }
                c.commit();
            } catch (SQLException | RuntimeException e) {
                rollbackQuietly(c, e);
                throw e;
            }
        } catch (SQLException e) {
            throw classify("cannot write batch", shard, batch.partition(), batch.describe(), e);
        }
    }

    /** Ensures the checkpoint row exists and locks it: concurrent writers of a partition serialize here. */
    private static long lockCheckpoint(final Connection c, final int partition) throws SQLException {
        try (PreparedStatement ins = c.prepareStatement("INSERT INTO projection_checkpoint (partition, next_offset)"
                + " VALUES (?, 0) ON CONFLICT (partition) DO NOTHING")) {
            ins.setInt(1, partition);
            ins.executeUpdate();
        }
        try (PreparedStatement sel = c.prepareStatement(
                "SELECT next_offset FROM projection_checkpoint WHERE partition = ? FOR UPDATE")) {
            sel.setInt(1, partition);
            try (ResultSet rs = sel.executeQuery()) {
                rs.next();
                return rs.getLong(1);
            }
        }
    }

    private static void applyChanges(final Connection c, final List<RowChange> changes, final MessageCopy copy)
            throws SQLException {
        if (changes.isEmpty()) {
            return;
        }
        final Map<RowChange.Kind, PreparedStatement> statements = new EnumMap<>(RowChange.Kind.class);
        try {
            for (List<RowChange> group : StatementPlan.plan(changes)) {
                final RowChange.Kind kind = group.get(0).kind();
                if (copy != null && kind == RowChange.Kind.MESSAGE_INSERT && copy.tryCopy(c, group)) {
                    continue; // loaded with COPY; else (refused, rolled back to its savepoint) the statements below
                }
                PreparedStatement ps = statements.get(kind);
                if (ps == null) {
                    ps = c.prepareStatement(SQL.get(kind));
                    statements.put(kind, ps);
                }
                for (RowChange change : group) {
                    bind(ps, change);
                    ps.addBatch();
                }
                ps.executeBatch();
            }
        } finally {
            for (PreparedStatement ps : statements.values()) {
                ps.close();
            }
        }
    }

    private static void bind(final PreparedStatement ps, final RowChange change) throws SQLException {
        switch (change) {
            case RowChange.TeamInsert c -> {
                ps.setString(1, c.teamId());
                ps.setString(2, c.name());
                ps.setString(3, c.createdBy());
                setTime(ps, 4, c.createdAt());
                ps.setLong(5, c.offset());
            }
            case RowChange.TeamMemberUpsert c -> {
                ps.setString(1, c.teamId());
                ps.setString(2, c.userId());
                ps.setString(3, c.role());
                setTime(ps, 4, c.joinedAt());
                ps.setLong(5, c.offset());
            }
            case RowChange.TeamMemberDelete c -> {
                ps.setString(1, c.teamId());
                ps.setString(2, c.userId());
                ps.setLong(3, c.offset());
            }
            case RowChange.ChannelInsert c -> {
                ps.setString(1, c.teamId());
                ps.setString(2, c.channelId());
                ps.setString(3, c.name());
                ps.setBoolean(4, c.privateChannel());
                ps.setString(5, c.topic());
                ps.setString(6, c.createdBy());
                setTime(ps, 7, c.createdAt());
                ps.setLong(8, c.offset());
            }
            case RowChange.ChannelTopicUpdate c -> {
                ps.setString(1, c.topic());
                ps.setLong(2, c.offset());
                ps.setString(3, c.teamId());
                ps.setString(4, c.channelId());
                ps.setLong(5, c.offset());
            }
            case RowChange.ChannelArchive c -> {
                setTime(ps, 1, c.archivedAt());
                ps.setLong(2, c.offset());
                ps.setString(3, c.teamId());
                ps.setString(4, c.channelId());
                ps.setLong(5, c.offset());
            }
            case RowChange.ChannelMemberUpsert c -> {
                ps.setString(1, c.teamId());
                ps.setString(2, c.channelId());
                ps.setString(3, c.userId());
                ps.setString(4, c.invitedBy());
                setTime(ps, 5, c.joinedAt());
                ps.setLong(6, c.offset());
            }
            case RowChange.ChannelMemberDelete c -> {
                ps.setString(1, c.teamId());
                ps.setString(2, c.channelId());
                ps.setString(3, c.userId());
                ps.setLong(4, c.offset());
            }
            case RowChange.MessageInsert c -> {
                ps.setString(1, c.teamId());
                ps.setString(2, c.channelId());
                ps.setString(3, c.messageId());
                ps.setString(4, c.authorId());
                ps.setString(5, c.text());
                ps.setString(6, c.threadRootId());
                ps.setString(7, c.clientMessageId());
                setTime(ps, 8, c.createdAt());
                ps.setInt(9, c.logPartition());
                ps.setLong(10, c.offset());
                ps.setLong(11, c.offset());
            }
            case RowChange.MessageEdit c -> {
                ps.setString(1, c.text());
                setTime(ps, 2, c.editedAt());
                ps.setLong(3, c.offset());
                ps.setString(4, c.teamId());
                ps.setString(5, c.messageId());
                ps.setString(6, c.channelId());
                ps.setLong(7, c.offset());
            }
            case RowChange.MessageDelete c -> {
                setTime(ps, 1, c.deletedAt());
                ps.setLong(2, c.offset());
                ps.setString(3, c.teamId());
                ps.setString(4, c.messageId());
                ps.setString(5, c.channelId());
                ps.setLong(6, c.offset());
            }
            case RowChange.ReactionAdd c -> {
                ps.setString(1, c.userId());
                ps.setString(2, c.emoji());
                setTime(ps, 3, c.reactedAt());
                ps.setLong(4, c.offset());
                ps.setString(5, c.teamId());
                ps.setString(6, c.messageId());
                ps.setString(7, c.channelId());
                ps.setLong(8, c.offset());
            }
            case RowChange.ReactionRemove c -> {
                ps.setString(1, c.teamId());
                ps.setString(2, c.messageId());
                ps.setString(3, c.emoji());
                ps.setString(4, c.userId());
                ps.setLong(5, c.offset());
            }
            case RowChange.ReactionPurge c -> {
                ps.setString(1, c.teamId());
                ps.setString(2, c.messageId());
                ps.setLong(3, c.offset());
                ps.setString(4, c.channelId());
            }
            case RowChange.ReadMarkerUpsert c -> {
                ps.setString(1, c.userId());
                setTime(ps, 2, c.readAt());
                ps.setLong(3, c.offset());
                ps.setString(4, c.teamId());
                ps.setString(5, c.messageId());
                ps.setString(6, c.channelId());
                ps.setLong(7, c.offset());
            }
            case RowChange.ThreadRecount c -> {
                ps.setString(1, c.teamId());
                ps.setString(2, c.rootId());
            }
            case RowChange.ThreadRecountOfReply c -> {
                ps.setString(1, c.teamId());
                ps.setString(2, c.teamId());
                ps.setString(3, c.messageId());
            }
        }
    }

    private static void setTime(final PreparedStatement ps, final int index, final Instant instant) throws SQLException {
        if (instant == null) {
            ps.setNull(index, Types.TIMESTAMP_WITH_TIMEZONE);
        } else {
            ps.setObject(index, OffsetDateTime.ofInstant(instant, ZoneOffset.UTC));
        }
    }

    private static void rollbackQuietly(final Connection c, final Exception cause) {
        try {
            c.rollback();
        } catch (SQLException e) {
            cause.addSuppressed(e);
        }
    }

    /** True for failures that may go away: lost connections, resource shortage, serialization conflicts. */
    static boolean isTransient(final SQLException e) {
        return anyInChain(e, t -> t instanceof SQLTransientException || t instanceof SQLRecoverableException,
                state -> state.startsWith("08") || state.startsWith("40") || state.startsWith("53")
                        || state.startsWith("57P") || state.startsWith("58"));
    }

    private static RuntimeException classify(final String what, final int shard, final int partition,
                                             final String batch, final SQLException e) {
        final String message = what + " (shard=" + shard + ", partition=" + partition + ", batch=" + batch
                + ", sqlState=" + e.getSQLState() + "): " + e.getMessage();
        return isTransient(e)
                ? new TransientShardException(message, shard, partition, e, isUnusable(e))
                : new PermanentShardException(message, shard, partition, e);
    }

    /**
     * True when the database cannot be used for now: connections lost, refused or not handed out
     * (SQLState 08, 57P, a pool's connection timeout), or projection writes fenced off by a
     * cut-over ({@link ShardRedirects#fence}).
     */
    static boolean isUnusable(final SQLException e) {
        return anyInChain(e, t -> t instanceof SQLTransientConnectionException || t instanceof SQLRecoverableException
                        || (t instanceof SQLException sql && ShardRedirects.FENCE_SQLSTATE.equals(sql.getSQLState())
                        && String.valueOf(sql.getMessage()).contains(ShardRedirects.FENCE_MESSAGE)),
                state -> state.startsWith("08") || state.startsWith("57P"));
    }

    /** True when an exception in {@code e}'s cause chain matches {@code type}, or its SQLState matches {@code state}. */
    private static boolean anyInChain(final SQLException e, final Predicate<Throwable> type, final Predicate<String> state) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (type.test(t) || (t instanceof SQLException sql && sql.getSQLState() != null && state.test(sql.getSQLState()))) {
                return true;
            }
        }
        return false;
    }
}
