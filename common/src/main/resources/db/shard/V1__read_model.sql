-- Read model of one shard. Every row keeps the offset of the last event applied to it
-- (last_offset), so applying an event twice is a no-op; projection_checkpoint is written in the
-- same transaction as the rows it covers.

CREATE TABLE projection_checkpoint (
    partition   integer PRIMARY KEY,
    next_offset bigint      NOT NULL,
    updated_at  timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE teams (
    team_id     text PRIMARY KEY,
    name        text        NOT NULL,
    created_by  text        NOT NULL,
    created_at  timestamptz NOT NULL,
    last_offset bigint      NOT NULL
);

CREATE TABLE team_members (
    team_id     text        NOT NULL,
    user_id     text        NOT NULL,
    role        text        NOT NULL,
    joined_at   timestamptz NOT NULL,
    last_offset bigint      NOT NULL,
    PRIMARY KEY (team_id, user_id)
);

CREATE TABLE channels (
    team_id     text        NOT NULL,
    channel_id  text        NOT NULL,
    name        text        NOT NULL,
    private     boolean     NOT NULL,
    topic       text,
    created_by  text        NOT NULL,
    created_at  timestamptz NOT NULL,
    archived_at timestamptz,
    last_offset bigint      NOT NULL,
    PRIMARY KEY (team_id, channel_id)
);

CREATE TABLE channel_members (
    team_id     text        NOT NULL,
    channel_id  text        NOT NULL,
    user_id     text        NOT NULL,
    invited_by  text,
    joined_at   timestamptz NOT NULL,
    last_offset bigint      NOT NULL,
    PRIMARY KEY (team_id, channel_id, user_id)
);
CREATE INDEX channel_members_by_user ON channel_members (team_id, user_id);

CREATE TABLE messages (
    team_id           text        NOT NULL,
    channel_id        text        NOT NULL,
    message_id        text        NOT NULL,
    author_id         text        NOT NULL,
    text              text,                -- NULL once deleted (tombstone)
    thread_root_id    text,
    client_message_id text,
    created_at        timestamptz NOT NULL,
    edited_at         timestamptz,
    deleted_at        timestamptz,
    log_partition     integer     NOT NULL, -- position of the MessagePosted event
    log_offset        bigint      NOT NULL,
    last_offset       bigint      NOT NULL, -- offset of the last event applied to this row
    PRIMARY KEY (team_id, message_id)
);
-- History of a channel, newest first, paged by position.
CREATE INDEX messages_by_channel ON messages (team_id, channel_id, log_offset DESC);
-- Replies of a thread in order.
CREATE INDEX messages_by_thread ON messages (team_id, thread_root_id, log_offset) WHERE thread_root_id IS NOT NULL;
