-- interview-coach: initial schema.
--
-- Conventions (see src/store/mod.rs for the full story):
-- * Discord snowflakes (guild, channel/thread, user, message ids) are u64 in Rust and are
--   stored bit-for-bit in INTEGER columns (SQLite integers are i64). Real snowflakes stay
--   below 2^63 for decades, so they also sort correctly; nothing here orders by them.
-- * Timestamps are unix seconds supplied by the caller.
-- * JSON columns are TEXT checked with json_valid(), so a bug that writes non-JSON fails
--   loudly at write time instead of at the next restart.
-- * Tables are STRICT: a value of the wrong type is an error, not a silent conversion.
-- * `status` is deliberately not constrained to a list in SQL: adding a status later would
--   need a full table rebuild in SQLite. The Rust enum is the source of truth and an unknown
--   value read back is reported as a corrupt row.

CREATE TABLE interviews (
    id               INTEGER PRIMARY KEY,
    guild_id         INTEGER NOT NULL,
    thread_id        INTEGER NOT NULL,
    user_id          INTEGER NOT NULL,
    role_id          TEXT    NOT NULL,
    role_name        TEXT    NOT NULL,
    -- The interview engine's own serialized state; opaque to the store.
    state_json       TEXT    NOT NULL CHECK (json_valid(state_json)),
    -- Version of the engine's state format, so a newer engine can upgrade old states.
    format_version   INTEGER NOT NULL CHECK (format_version >= 0),
    -- Bumped by every accepted answer; guards against two answers racing on one state.
    revision         INTEGER NOT NULL DEFAULT 0,
    status           TEXT    NOT NULL DEFAULT 'open',
    created_at       INTEGER NOT NULL,
    last_activity_at INTEGER NOT NULL,
    -- When the interview stopped being open (finished or closed), NULL while open.
    finished_at      INTEGER,
    CHECK ((status = 'open') = (finished_at IS NULL))
) STRICT;

-- At most one open interview per member per guild (the rule behind /mock's "already open").
CREATE UNIQUE INDEX interviews_one_open_per_member
    ON interviews (guild_id, user_id) WHERE status = 'open';
-- At most one open interview per thread, so a message in a thread maps to one interview.
CREATE UNIQUE INDEX interviews_one_open_per_thread
    ON interviews (thread_id) WHERE status = 'open';
CREATE INDEX interviews_by_thread ON interviews (thread_id);
CREATE INDEX interviews_by_user ON interviews (user_id, created_at);
-- The idle sweep scans open interviews by last activity.
CREATE INDEX interviews_open_by_activity
    ON interviews (last_activity_at) WHERE status = 'open';
-- The retention sweep scans ended interviews by end time.
CREATE INDEX interviews_ended_by_time
    ON interviews (finished_at) WHERE status <> 'open';

CREATE TABLE answers (
    id                INTEGER PRIMARY KEY,
    interview_id      INTEGER NOT NULL REFERENCES interviews (id) ON DELETE CASCADE,
    -- The Discord message the answer came from. Snowflakes are globally unique, so this
    -- is the dedupe key when Discord redelivers an event or the bot replays after a restart.
    message_id        INTEGER NOT NULL UNIQUE,
    answer_text       TEXT    NOT NULL,
    prompt            TEXT    NOT NULL,
    feedback_json     TEXT    CHECK (feedback_json IS NULL OR json_valid(feedback_json)),
    feedback_headline TEXT,
    created_at        INTEGER NOT NULL
) STRICT;

CREATE INDEX answers_by_interview ON answers (interview_id, id);

-- Messages the bot has decided to post, written in the same transaction as the state
-- change that produced them ("write before you speak").
CREATE TABLE outbox (
    id                INTEGER PRIMARY KEY,
    interview_id      INTEGER NOT NULL REFERENCES interviews (id) ON DELETE CASCADE,
    channel_id        INTEGER NOT NULL,
    payload_json      TEXT    NOT NULL CHECK (json_valid(payload_json)),
    created_at        INTEGER NOT NULL,
    posted_at         INTEGER,
    posted_message_id INTEGER,
    CHECK ((posted_at IS NULL) = (posted_message_id IS NULL))
) STRICT;

CREATE INDEX outbox_pending ON outbox (id) WHERE posted_at IS NULL;
CREATE INDEX outbox_by_interview ON outbox (interview_id);
