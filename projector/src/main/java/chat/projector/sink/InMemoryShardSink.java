package chat.projector.sink;

import chat.common.shard.ShardMap;
import chat.projector.projection.ProjectionBatch;
import chat.projector.projection.RowChange;

import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The read model in memory, one copy per shard, with exactly the semantics of the SQL in
 * {@link JdbcShardSink} (the shared contract suite checks both). For {@code TopologyTestDriver}
 * tests and as the reference of what a batch must do. Thread-safe.
 *
 * <pre>{@code
 * InMemoryShardSink sink = new InMemoryShardSink(ShardMap.modulo(12, 2));
 * sink.write(batch);
 * ReadModel rows = sink.snapshot(0);
 * }</pre>
 */
public final class InMemoryShardSink implements ShardSink {
    private final ShardMap map;
    private final List<Shard> shards = new ArrayList<>();
    private final List<ProjectionBatch> written = new ArrayList<>();

    public InMemoryShardSink(final ShardMap map) {
        this.map = map;
        for (int s = 0; s < map.shards(); s++) {
            shards.add(new Shard());
        }
    }

    @Override
    public synchronized long checkpoint(final int partition) {
        return shards.get(map.shardOf(partition)).checkpoints.getOrDefault(partition, 0L);
    }

    @Override
    public synchronized void write(final ProjectionBatch batch) {
        final Shard shard = shards.get(map.shardOf(batch.partition()));
        final long current = shard.checkpoints.getOrDefault(batch.partition(), 0L);
        for (RowChange c : batch.changes()) {
            if (c.offset() >= current) {
                shard.apply(c);
            }
        }
        shard.checkpoints.merge(batch.partition(), batch.nextOffset(), Math::max);
        written.add(batch);
    }

    /** Every row of {@code shard}, sorted by key. */
    public synchronized ReadModel snapshot(final int shard) {
        final Shard s = shards.get(shard);
        return new ReadModel(List.copyOf(s.teams.values()), List.copyOf(s.teamMembers.values()),
                List.copyOf(s.channels.values()), List.copyOf(s.channelMembers.values()),
                List.copyOf(s.messages.values()), List.copyOf(s.reactions.values()),
                List.copyOf(s.readMarkers.values()), Map.copyOf(s.checkpoints));
    }

    /** The batches written so far, in order (a test seam: batch boundaries are observable). */
    public synchronized List<ProjectionBatch> writtenBatches() {
        return List.copyOf(written);
    }

    /** Deletes the stored checkpoint of {@code partition}, as if it were lost (tests of row-level idempotence). */
    public synchronized void forgetCheckpoint(final int partition) {
        shards.get(map.shardOf(partition)).checkpoints.remove(partition);
    }

    /** One shard's tables, keyed like their primary keys (TreeMap: sorted like ORDER BY key). */
    static final class Shard {
        final Map<String, ReadModel.Team> teams = new TreeMap<>();
        final Map<String, ReadModel.TeamMember> teamMembers = new TreeMap<>();
        final Map<String, ReadModel.Channel> channels = new TreeMap<>();
        final Map<String, ReadModel.ChannelMember> channelMembers = new TreeMap<>();
        final Map<String, ReadModel.Message> messages = new TreeMap<>();
        final Map<String, ReadModel.Reaction> reactions = new TreeMap<>();
        final Map<String, ReadModel.ReadMarker> readMarkers = new TreeMap<>();
        final Map<Integer, Long> checkpoints = new HashMap<>();

        private static String key(final String... parts) {
            return String.join("\u0000", parts);
        }

        /** Applies one change with the semantics of the SQL statement of its kind. */
        void apply(final RowChange change) {
            switch (change) {
                case RowChange.TeamInsert c -> teams.putIfAbsent(key(c.teamId()),
                        new ReadModel.Team(c.teamId(), c.name(), c.createdBy(), c.createdAt(), c.offset()));
                case RowChange.TeamMemberUpsert c -> teamMembers.compute(key(c.teamId(), c.userId()), (k, old) ->
                        old == null ? new ReadModel.TeamMember(c.teamId(), c.userId(), c.role(), c.joinedAt(), c.offset())
                                : old.lastOffset() < c.offset()
                                ? new ReadModel.TeamMember(old.teamId(), old.userId(), c.role(), old.joinedAt(), c.offset())
                                : old);
                case RowChange.TeamMemberDelete c -> teamMembers.computeIfPresent(key(c.teamId(), c.userId()),
                        (k, old) -> old.lastOffset() < c.offset() ? null : old);
                case RowChange.ChannelInsert c -> channels.putIfAbsent(key(c.teamId(), c.channelId()),
                        new ReadModel.Channel(c.teamId(), c.channelId(), c.name(), c.privateChannel(), c.topic(),
                                c.createdBy(), c.createdAt(), null, c.offset()));
                case RowChange.ChannelTopicUpdate c -> channels.computeIfPresent(key(c.teamId(), c.channelId()),
                        (k, old) -> old.lastOffset() < c.offset()
                                ? new ReadModel.Channel(old.teamId(), old.channelId(), old.name(), old.privateChannel(),
                                c.topic(), old.createdBy(), old.createdAt(), old.archivedAt(), c.offset())
                                : old);
                case RowChange.ChannelArchive c -> channels.computeIfPresent(key(c.teamId(), c.channelId()),
                        (k, old) -> old.lastOffset() < c.offset()
                                ? new ReadModel.Channel(old.teamId(), old.channelId(), old.name(), old.privateChannel(),
                                old.topic(), old.createdBy(), old.createdAt(),
                                old.archivedAt() != null ? old.archivedAt() : c.archivedAt(), c.offset())
                                : old);
                case RowChange.ChannelMemberUpsert c -> channelMembers.compute(
                        key(c.teamId(), c.channelId(), c.userId()), (k, old) -> old == null
                                ? new ReadModel.ChannelMember(c.teamId(), c.channelId(), c.userId(), c.invitedBy(),
                                c.joinedAt(), c.offset())
                                : old.lastOffset() < c.offset()
                                ? new ReadModel.ChannelMember(old.teamId(), old.channelId(), old.userId(),
                                old.invitedBy(), old.joinedAt(), c.offset())
                                : old);
                case RowChange.ChannelMemberDelete c -> channelMembers.computeIfPresent(
                        key(c.teamId(), c.channelId(), c.userId()),
                        (k, old) -> old.lastOffset() < c.offset() ? null : old);
                case RowChange.MessageInsert c -> messages.putIfAbsent(key(c.teamId(), c.messageId()),
                        new ReadModel.Message(c.teamId(), c.channelId(), c.messageId(), c.authorId(), c.text(),
                                c.threadRootId(), c.clientMessageId(), c.createdAt(), null, null, c.logPartition(),
                                c.offset(), c.offset(), 0, null));
                case RowChange.MessageEdit c -> messages.computeIfPresent(key(c.teamId(), c.messageId()),
                        (k, old) -> old.channelId().equals(c.channelId()) && old.deletedAt() == null
                                && old.lastOffset() < c.offset()
                                ? new ReadModel.Message(old.teamId(), old.channelId(), old.messageId(), old.authorId(),
                                c.text(), old.threadRootId(), old.clientMessageId(), old.createdAt(), c.editedAt(),
                                null, old.logPartition(), old.logOffset(), c.offset(), old.replyCount(),
                                old.lastReplyAt())
                                : old);
                case RowChange.MessageDelete c -> messages.computeIfPresent(key(c.teamId(), c.messageId()),
                        (k, old) -> old.channelId().equals(c.channelId()) && old.deletedAt() == null
                                && old.lastOffset() < c.offset()
                                ? new ReadModel.Message(old.teamId(), old.channelId(), old.messageId(), old.authorId(),
                                null, old.threadRootId(), old.clientMessageId(), old.createdAt(), old.editedAt(),
                                c.deletedAt(), old.logPartition(), old.logOffset(), c.offset(), old.replyCount(),
                                old.lastReplyAt())
                                : old);
                case RowChange.ReactionAdd c -> {
                    final ReadModel.Message m = messages.get(key(c.teamId(), c.messageId()));
                    if (m != null && m.channelId().equals(c.channelId()) && m.deletedAt() == null
                            && m.logOffset() < c.offset()) {
                        reactions.putIfAbsent(key(c.teamId(), c.messageId(), c.emoji(), c.userId()),
                                new ReadModel.Reaction(c.teamId(), c.messageId(), c.userId(), c.emoji(), c.channelId(),
                                        c.reactedAt(), c.offset()));
                    }
                }
                case RowChange.ReactionRemove c -> reactions.computeIfPresent(
                        key(c.teamId(), c.messageId(), c.emoji(), c.userId()),
                        (k, old) -> old.lastOffset() < c.offset() ? null : old);
                case RowChange.ReactionPurge c -> {
                    final ReadModel.Message m = messages.get(key(c.teamId(), c.messageId()));
                    if (m != null && m.channelId().equals(c.channelId()) && m.deletedAt() != null) {
                        reactions.values().removeIf(r -> r.teamId().equals(c.teamId())
                                && r.messageId().equals(c.messageId()) && r.lastOffset() < c.offset());
                    }
                }
                case RowChange.ReadMarkerUpsert c -> {
                    final ReadModel.Message m = messages.get(key(c.teamId(), c.messageId()));
                    if (m != null && m.channelId().equals(c.channelId()) && m.logOffset() < c.offset()) {
                        readMarkers.compute(key(c.teamId(), c.channelId(), c.userId()), (k, old) ->
                                old == null || old.messageOffset() < m.logOffset() && old.lastOffset() < c.offset()
                                        ? new ReadModel.ReadMarker(c.teamId(), c.channelId(), c.userId(), c.messageId(),
                                        m.logOffset(), c.readAt(), c.offset())
                                        : old);
                    }
                }
                case RowChange.ThreadRecount c -> recount(c.teamId(), c.rootId());
                case RowChange.ThreadRecountOfReply c -> {
                    final ReadModel.Message m = messages.get(key(c.teamId(), c.messageId()));
                    if (m != null && m.threadRootId() != null) {
                        recount(c.teamId(), m.threadRootId());
                    }
                }
            }
        }

        /** count(*) and max(created_at) of the root's replies: not deleted, posted after the root. */
        private void recount(final String teamId, final String rootId) {
            final ReadModel.Message root = messages.get(key(teamId, rootId));
            if (root == null) {
                return;
            }
            int count = 0;
            Instant last = null;
            for (ReadModel.Message r : messages.values()) {
                if (r.teamId().equals(teamId) && rootId.equals(r.threadRootId()) && r.deletedAt() == null
                        && r.logOffset() > root.logOffset()) {
                    count++;
                    last = last == null || r.createdAt().isAfter(last) ? r.createdAt() : last;
                }
            }
            // last_offset stays: a summary is derived from the replies' rows, not an event on the root
            messages.put(key(teamId, rootId), new ReadModel.Message(root.teamId(), root.channelId(), root.messageId(),
                    root.authorId(), root.text(), root.threadRootId(), root.clientMessageId(), root.createdAt(),
                    root.editedAt(), root.deletedAt(), root.logPartition(), root.logOffset(), root.lastOffset(), count,
                    last));
        }
    }
}
