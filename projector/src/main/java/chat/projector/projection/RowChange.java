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

    /** Identifies the row this change touches, across tables (table name first). */
    String rowKey();

    /** Statement kinds, in a fixed order used when several kinds are written at one level. */
    enum Kind {
        TEAM_INSERT, TEAM_MEMBER_UPSERT, TEAM_MEMBER_DELETE,
        CHANNEL_INSERT, CHANNEL_TOPIC_UPDATE, CHANNEL_ARCHIVE,
        CHANNEL_MEMBER_UPSERT, CHANNEL_MEMBER_DELETE,
        MESSAGE_INSERT, MESSAGE_EDIT, MESSAGE_DELETE
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
}
