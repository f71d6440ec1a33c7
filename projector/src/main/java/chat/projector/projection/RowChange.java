package chat.projector.projection;

import java.time.Instant;
import java.util.Objects;

/**
 * One change to one row of a shard's read model, derived from one event of {@code chat.events}.
 * Every change carries the offset of its event: the row keeps it as {@code last_offset}, so
 * applying a change twice is a no-op. Sinks must apply changes with exactly the semantics
 * documented on each record (the JDBC and in-memory sinks are checked by one contract suite).
 *
 * <pre>{@code
 * RowChange c = new RowChange.MessageEdit("t1", "c1", "m1", "fixed typo", Instant.now(), 42);
 * }</pre>
 */
public sealed interface RowChange {

    /** Offset in {@code chat.events} of the event this change comes from. */
    long offset();

    /** The statement kind; changes of one kind can be sent in one JDBC batch. */
    Kind kind();

    /**
     * The ordering unit of this change, across tables (table name first): changes with equal keys
     * are applied in offset order, changes with different keys commute. Usually the row the change
     * writes; a change whose effect depends on another row names that row instead, so that all
     * changes it must be ordered with share the key (every reaction change names its message:
     * it reads the message, and a message delete removes its reactions). Changes that only read
     * rows which are immutable once inserted, or whose result is recomputed from scratch, run
     * after all other kinds of their batch instead ({@code StatementPlan}).
     */
    String rowKey();

    /** Statement kinds, in a fixed order used when several kinds are written at one level. */
    enum Kind {
        TEAM_INSERT, TEAM_MEMBER_UPSERT, TEAM_MEMBER_DELETE,
        CHANNEL_INSERT, CHANNEL_TOPIC_UPDATE, CHANNEL_ARCHIVE,
        CHANNEL_MEMBER_UPSERT, CHANNEL_MEMBER_DELETE,
        MESSAGE_INSERT, MESSAGE_EDIT, MESSAGE_DELETE,
        REACTION_ADD, REACTION_REMOVE, REACTION_PURGE,
        // run after every other kind of their batch (StatementPlan)
        READ_MARKER_UPSERT, THREAD_RECOUNT, THREAD_RECOUNT_OF_REPLY
    }

    /** TeamCreated: insert the team; an existing row wins (INSERT ... ON CONFLICT DO NOTHING). */
    record TeamInsert(String teamId, String name, String createdBy, Instant createdAt, long offset) implements RowChange {
        public TeamInsert {
            Objects.requireNonNull(teamId, "teamId");
        }

        @Override
        public Kind kind() {
            return Kind.TEAM_INSERT;
        }

        @Override
        public String rowKey() {
            return "teams/" + teamId;
        }
    }

    /** TeamMemberJoined: insert, or update role/joined_at when the row's last_offset is older. */
    record TeamMemberUpsert(String teamId, String userId, String role, Instant joinedAt, long offset) implements RowChange {
        @Override
        public Kind kind() {
            return Kind.TEAM_MEMBER_UPSERT;
        }

        @Override
        public String rowKey() {
            return "team_members/" + teamId + "/" + userId;
        }
    }

    /** TeamMemberLeft: delete the membership when its last_offset is older than this event. */
    record TeamMemberDelete(String teamId, String userId, long offset) implements RowChange {
        @Override
        public Kind kind() {
            return Kind.TEAM_MEMBER_DELETE;
        }

        @Override
        public String rowKey() {
            return "team_members/" + teamId + "/" + userId;
        }
    }

    /** ChannelCreated: insert the channel; an existing row wins. */
    record ChannelInsert(String teamId, String channelId, String name, boolean privateChannel, String topic,
                         String createdBy, Instant createdAt, long offset) implements RowChange {
        @Override
        public Kind kind() {
            return Kind.CHANNEL_INSERT;
        }

        @Override
        public String rowKey() {
            return "channels/" + teamId + "/" + channelId;
        }
    }

    /** ChannelTopicChanged: set the topic (null clears it) when the row's last_offset is older. */
    record ChannelTopicUpdate(String teamId, String channelId, String topic, long offset) implements RowChange {
        @Override
        public Kind kind() {
            return Kind.CHANNEL_TOPIC_UPDATE;
        }

        @Override
        public String rowKey() {
            return "channels/" + teamId + "/" + channelId;
        }
    }

    /** ChannelArchived: set archived_at (the first archive wins) when the row's last_offset is older. */
    record ChannelArchive(String teamId, String channelId, Instant archivedAt, long offset) implements RowChange {
        @Override
        public Kind kind() {
            return Kind.CHANNEL_ARCHIVE;
        }

        @Override
        public String rowKey() {
            return "channels/" + teamId + "/" + channelId;
        }
    }

    /** MemberJoined: insert, or update invited_by/joined_at when the row's last_offset is older. */
    record ChannelMemberUpsert(String teamId, String channelId, String userId, String invitedBy, Instant joinedAt,
                               long offset) implements RowChange {
        @Override
        public Kind kind() {
            return Kind.CHANNEL_MEMBER_UPSERT;
        }

        @Override
        public String rowKey() {
            return "channel_members/" + teamId + "/" + channelId + "/" + userId;
        }
    }

    /** MemberLeft: delete the membership when its last_offset is older than this event. */
    record ChannelMemberDelete(String teamId, String channelId, String userId, long offset) implements RowChange {
        @Override
        public Kind kind() {
            return Kind.CHANNEL_MEMBER_DELETE;
        }

        @Override
        public String rowKey() {
            return "channel_members/" + teamId + "/" + channelId + "/" + userId;
        }
    }

    /** MessagePosted: insert the message at its position; an existing row wins (also a deleted one). */
    record MessageInsert(String teamId, String channelId, String messageId, String authorId, String text,
                         String threadRootId, String clientMessageId, Instant createdAt, int logPartition,
                         long offset) implements RowChange {
        @Override
        public Kind kind() {
            return Kind.MESSAGE_INSERT;
        }

        @Override
        public String rowKey() {
            return "messages/" + teamId + "/" + messageId;
        }
    }

    /**
     * MessageEdited: set text and edited_at when the row is in that channel, not deleted, and its
     * last_offset is older. An edit of a deleted (or unknown) message changes nothing.
     */
    record MessageEdit(String teamId, String channelId, String messageId, String text, Instant editedAt, long offset)
            implements RowChange {
        @Override
        public Kind kind() {
            return Kind.MESSAGE_EDIT;
        }

        @Override
        public String rowKey() {
            return "messages/" + teamId + "/" + messageId;
        }
    }

    /**
     * MessageDeleted: null the text and set deleted_at when the row is in that channel, not yet
     * deleted, and its last_offset is older (the row stays as a tombstone).
     */
    record MessageDelete(String teamId, String channelId, String messageId, Instant deletedAt, long offset)
            implements RowChange {
        @Override
        public Kind kind() {
            return Kind.MESSAGE_DELETE;
        }

        @Override
        public String rowKey() {
            return "messages/" + teamId + "/" + messageId;
        }
    }

    /**
     * ReactionAdded: insert the reaction of {@code userId} (the actor) when the message exists in
     * that channel, is not deleted and was posted before this event (log_offset below this
     * offset, so a replay finds exactly what the first run found); an existing row wins
     * (INSERT ... SELECT ... ON CONFLICT DO NOTHING). Keyed by the message.
     */
    record ReactionAdd(String teamId, String channelId, String messageId, String userId, String emoji,
                       Instant reactedAt, long offset) implements RowChange {
        @Override
        public Kind kind() {
            return Kind.REACTION_ADD;
        }

        @Override
        public String rowKey() {
            return "messages/" + teamId + "/" + messageId;
        }
    }

    /** ReactionRemoved: delete that reaction when its last_offset is older. Keyed by the message. */
    record ReactionRemove(String teamId, String channelId, String messageId, String userId, String emoji, long offset)
            implements RowChange {
        @Override
        public Kind kind() {
            return Kind.REACTION_REMOVE;
        }

        @Override
        public String rowKey() {
            return "messages/" + teamId + "/" + messageId;
        }
    }

    /**
     * MessageDeleted (after {@link MessageDelete}): delete every reaction of the message whose
     * last_offset is older, when the message in that channel is deleted (also when it was deleted
     * before: reactions of a deleted message are never served). Keyed by the message.
     */
    record ReactionPurge(String teamId, String channelId, String messageId, long offset) implements RowChange {
        @Override
        public Kind kind() {
            return Kind.REACTION_PURGE;
        }

        @Override
        public String rowKey() {
            return "messages/" + teamId + "/" + messageId;
        }
    }

    /**
     * ReadMarked: set the actor's marker in the channel to the message and its log_offset
     * (message_offset) when the message exists in that channel (deleted or not: the tombstone
     * keeps its position) and was posted before this event; insert the marker, or update it only
     * when the new message_offset is greater and the row's last_offset is older (a marker never
     * moves backwards). An unknown message changes nothing. Reads only message columns that never
     * change after the insert, so it runs after the other kinds of its batch.
     */
    record ReadMarkerUpsert(String teamId, String channelId, String userId, String messageId, Instant readAt,
                            long offset) implements RowChange {
        @Override
        public Kind kind() {
            return Kind.READ_MARKER_UPSERT;
        }

        @Override
        public String rowKey() {
            return "read_markers/" + teamId + "/" + channelId + "/" + userId;
        }
    }

    /**
     * MessagePosted with a thread root (after the reply's {@link MessageInsert}): recompute the
     * root's reply_count and last_reply_at from its replies, i.e. count(*) and max(created_at) of
     * the messages with that thread_root_id, not deleted, posted after the root. Absolute (never
     * {@code count + 1}) and does not move the root's last_offset, so it commutes with every other
     * change and runs once per root after the other kinds of its batch. Unknown root: nothing.
     */
    record ThreadRecount(String teamId, String rootId, long offset) implements RowChange {
        @Override
        public Kind kind() {
            return Kind.THREAD_RECOUNT;
        }

        @Override
        public String rowKey() {
            return "threads/" + teamId + "/" + rootId;
        }
    }

    /**
     * MessageDeleted (after {@link MessageDelete}): when the message is a reply, recompute its
     * root like {@link ThreadRecount} (the event does not name the root: it is read from the
     * reply's row). Not a reply, or unknown: nothing.
     */
    record ThreadRecountOfReply(String teamId, String messageId, long offset) implements RowChange {
        @Override
        public Kind kind() {
            return Kind.THREAD_RECOUNT_OF_REPLY;
        }

        @Override
        public String rowKey() {
            return "threads-of/" + teamId + "/" + messageId;
        }
    }
}
