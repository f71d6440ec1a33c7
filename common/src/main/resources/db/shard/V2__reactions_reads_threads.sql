-- Reactions, read markers and thread summaries. Every row keeps last_offset (idempotent replays).

-- One row per (message, user, emoji) currently present; a removal deletes it. Counts are
-- computed from rows (never incremented on delivery).
CREATE TABLE reactions (
    team_id     text        NOT NULL,
    message_id  text        NOT NULL,
    user_id     text        NOT NULL,
    emoji       text        NOT NULL,
    channel_id  text        NOT NULL,
    reacted_at  timestamptz NOT NULL,
    last_offset bigint      NOT NULL,
    PRIMARY KEY (team_id, message_id, emoji, user_id)
);

-- A user's read position in a channel: the newest message they have read (by log position).
-- A marker never moves backwards: a ReadMarked for an older message than the stored one is ignored.
CREATE TABLE read_markers (
    team_id        text        NOT NULL,
    channel_id     text        NOT NULL,
    user_id        text        NOT NULL,
    message_id     text        NOT NULL,
    message_offset bigint      NOT NULL, -- log_offset of message_id: unread = messages after it
    read_at        timestamptz NOT NULL,
    last_offset    bigint      NOT NULL,
    PRIMARY KEY (team_id, channel_id, user_id)
);
-- Read receipts: who has read a channel up to at least a given position.
CREATE INDEX read_markers_by_position ON read_markers (team_id, channel_id, message_offset);

-- Thread summary on the root message, recomputed from the replies (not incremented).
ALTER TABLE messages ADD COLUMN reply_count   integer     NOT NULL DEFAULT 0;
ALTER TABLE messages ADD COLUMN last_reply_at timestamptz;
