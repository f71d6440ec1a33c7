package chat.projector.cache;

import chat.common.redis.CachedMessage;
import chat.common.redis.ChannelListKeys;
import chat.common.redis.ReadCacheKeys;
import chat.projector.projection.ProjectionBatch;
import chat.projector.projection.RowChange;
import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;

import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.time.Instant;
import java.util.LinkedHashSet;
import java.util.Set;

/**
 * The pure mapping of a committed batch to the read cache's operations (the ops argument of
 * {@link ReadCacheKeys#APPLY}), in the batch's order. The cache holds what history reads need:
 * team and channel membership (authorization), and the newest root messages per channel with
 * their edits, deletes (the entry and its text are removed) and thread summaries. Everything else
 * (reactions, read receipts) is read from the shard. The channel lists ({@link ChannelListKeys}) take
 * channel creations, topics, archives, memberships, every stored message (activity), deletes of
 * live roots and read markers. Messages are stored as the read API
 * renders them ({@link CachedMessage#encode()}); edits and thread summaries carry the new values
 * already rendered as JSON, which the script splices into the stored object.
 *
 * <p>Two values are decided by the shard, not by the event, and come as {@link ShardFacts}:
 * whether a post with a {@code clientMessageId} was the one stored (a retried post names an
 * existing message; the shard keeps the first), and the thread summary of a root after a reply
 * or a reply's delete (recomputed from scratch in SQL).
 *
 * <pre>{@code
 * ShardFacts facts = ShardFacts.lookup(dataSource, CacheOps.questions(batch));
 * String ops = CacheOps.ops(batch, facts);
 * }</pre>
 */
final class CacheOps {
    private static final JsonFactory JSON = new JsonFactory();

    private CacheOps() {
    }

    /**
     * What the shard must answer before {@link #ops} can run: posts to verify, roots and replies to
     * summarize, and the rows of deleted or read-marked messages (for the channel lists).
     */
    record Questions(Set<ShardFacts.Key> posts, Set<ShardFacts.Key> roots, Set<ShardFacts.Key> repliesDeleted,
                     Set<ShardFacts.Key> rows) {
        boolean none() {
            return posts.isEmpty() && roots.isEmpty() && repliesDeleted.isEmpty() && rows.isEmpty();
        }
    }

    static Questions questions(final ProjectionBatch batch) {
        final Set<ShardFacts.Key> posts = new LinkedHashSet<>();
        final Set<ShardFacts.Key> roots = new LinkedHashSet<>();
        final Set<ShardFacts.Key> replies = new LinkedHashSet<>();
        final Set<ShardFacts.Key> rows = new LinkedHashSet<>();
        for (RowChange c : batch.changes()) {
            switch (c) {
                // replies too: a retried reply must not count as the channel's activity either
                case RowChange.MessageInsert m when m.clientMessageId() != null ->
                        posts.add(new ShardFacts.Key(m.teamId(), m.messageId()));
                case RowChange.ThreadRecount r -> roots.add(new ShardFacts.Key(r.teamId(), r.rootId()));
                case RowChange.ThreadRecountOfReply r -> replies.add(new ShardFacts.Key(r.teamId(), r.messageId()));
                case RowChange.MessageDelete d -> rows.add(new ShardFacts.Key(d.teamId(), d.messageId()));
                case RowChange.ReadMarkerUpsert r -> rows.add(new ShardFacts.Key(r.teamId(), r.messageId()));
                default -> {
                }
            }
        }
        return new Questions(posts, roots, replies, rows);
    }

    /** The JSON array of ops for {@link ReadCacheKeys#APPLY}. */
    static String ops(final ProjectionBatch batch, final ShardFacts facts) {
        final StringWriter out = new StringWriter(64 + batch.changes().size() * 96);
        try (JsonGenerator g = JSON.createGenerator(out)) {
            g.writeStartArray();
            for (RowChange c : batch.changes()) {
                write(g, c, batch.partition(), facts);
            }
            g.writeEndArray();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toString();
    }

    private static void write(final JsonGenerator g, final RowChange change, final int partition, final ShardFacts facts)
            throws IOException {
        switch (change) {
            case RowChange.TeamMemberUpsert c -> op(g, "tm+", c.offset(), c.teamId(), c.userId());
            case RowChange.TeamMemberDelete c -> op(g, "tm-", c.offset(), c.teamId(), c.userId());
            case RowChange.ChannelMemberUpsert c -> op(g, "cm+", c.offset(), c.teamId(), c.channelId(), c.userId());
            case RowChange.ChannelMemberDelete c -> op(g, "cm-", c.offset(), c.teamId(), c.channelId(), c.userId());
            case RowChange.MessageInsert c -> {
                if (c.clientMessageId() != null
                        && facts.postedAt(new ShardFacts.Key(c.teamId(), c.messageId())) != c.offset()) {
                    return; // a retried post of a message the shard already holds: the first one wins
                }
                final boolean root = c.threadRootId() == null;
                if (root) {
                    op(g, "m+", c.offset(), c.teamId(), c.channelId(), c.messageId(),
                            new CachedMessage(c.messageId(), c.authorId(), c.text(), time(c.createdAt()), null, partition,
                                    c.offset(), 0, null).encode());
                }
                op(g, "Lm", c.offset(), c.teamId(), c.channelId(), c.authorId(), root ? "1" : "0",
                        Long.toString(ChannelListKeys.micros(c.createdAt())), CachedMessage.jsonString(time(c.createdAt())));
            }
            case RowChange.MessageEdit c -> op(g, "me", c.offset(), c.teamId(), c.channelId(), c.messageId(),
                    CachedMessage.jsonString(c.text()), CachedMessage.jsonString(time(c.editedAt())));
            case RowChange.MessageDelete c -> {
                op(g, "md", c.offset(), c.teamId(), c.channelId(), c.messageId());
                final ShardFacts.Row row = facts.row(new ShardFacts.Key(c.teamId(), c.messageId()));
                // the shard's delete took effect exactly when the row is deleted with this event's offset as its last
                if (row != null && row.root() && row.deleted() && row.lastOffset() == c.offset()
                        && row.channelId().equals(c.channelId())) {
                    op(g, "Ld", c.offset(), c.teamId(), c.channelId(), row.authorId(), Long.toString(row.logOffset()));
                }
            }
            case RowChange.ChannelInsert c -> op(g, "Lc", c.offset(), c.teamId(), c.channelId(),
                    ChannelListKeys.channelHead(c.channelId(), c.name(), c.privateChannel(), c.topic(), false),
                    c.privateChannel() ? "1" : "0");
            case RowChange.ChannelTopicUpdate c -> op(g, "Lt", c.offset(), c.teamId(), c.channelId(),
                    CachedMessage.jsonString(c.topic()));
            case RowChange.ChannelArchive c -> op(g, "La", c.offset(), c.teamId(), c.channelId());
            case RowChange.ReadMarkerUpsert c -> {
                final ShardFacts.Row row = facts.row(new ShardFacts.Key(c.teamId(), c.messageId()));
                // as the shard: the message exists in that channel (deleted or not) and was posted before the marker
                if (row != null && row.channelId().equals(c.channelId()) && row.logOffset() < c.offset()) {
                    op(g, "Lr", c.offset(), c.teamId(), c.channelId(), c.userId(), Long.toString(row.logOffset()));
                }
            }
            case RowChange.ThreadRecount c -> summary(g, c.offset(), c.teamId(), facts.root(new ShardFacts.Key(c.teamId(), c.rootId())));
            case RowChange.ThreadRecountOfReply c ->
                    summary(g, c.offset(), c.teamId(), facts.rootOfReply(new ShardFacts.Key(c.teamId(), c.messageId())));
            default -> {
                // teams and reactions: not cached
            }
        }
    }

    private static void summary(final JsonGenerator g, final long offset, final String team, final ShardFacts.Root root)
            throws IOException {
        if (root == null) {
            return;
        }
        g.writeStartArray();
        g.writeString("rs");
        g.writeNumber(offset);
        g.writeString(team);
        g.writeString(root.channelId());
        g.writeString(root.messageId());
        g.writeString(CachedMessage.jsonNumber(root.replyCount()));
        g.writeString(CachedMessage.jsonString(root.lastReplyAt()));
        g.writeEndArray();
    }

    private static void op(final JsonGenerator g, final String kind, final long offset, final String... fields) throws IOException {
        g.writeStartArray();
        g.writeString(kind);
        g.writeNumber(offset);
        for (String f : fields) {
            g.writeString(f);
        }
        g.writeEndArray();
    }

    private static String time(final Instant t) {
        return t == null ? null : t.toString();
    }
}
