-- interview-coach: the question of the day (issue 17): each server's schedule, the posts
-- made (which also drive the rotation), the members' answers, their streak records, who
-- opted in to the weekly board, and the boards posted.
--
-- The conventions of 0001 hold: Discord snowflakes bit for bit in INTEGER columns, unix
-- seconds chosen by the caller, STRICT tables, and statuses checked by the Rust enums
-- rather than by a list in SQL. Local dates are TEXT `YYYY-MM-DD` in the schedule's zone.
--
-- Personal data: `daily_answers.answer_text` and `.feedback_json` (deleted by /forget-me
-- and the retention sweep), streak records and board membership (deleted by /forget-me;
-- a streak record holds no answer, so it outlives the answers retention deletes).

-- Set by `/daily setup`, deleted by `/daily off`. A server without a row has no daily
-- question; its posts, answers and streaks stay.
CREATE TABLE daily_schedules (
    guild_id       INTEGER PRIMARY KEY,
    channel_id     INTEGER NOT NULL,
    -- `HH:MM`, local to `timezone`.
    post_time      TEXT    NOT NULL,
    -- An IANA zone name, e.g. Europe/Berlin.
    timezone       TEXT    NOT NULL,
    -- The guide roles to rotate through, in order; an empty list: every role.
    roles_json     TEXT    NOT NULL CHECK (json_valid(roles_json)),
    level          TEXT,
    -- An English weekday name, e.g. monday.
    board_day      TEXT    NOT NULL,
    -- The last local date that had its post (or was set up after its post time, so
    -- needs none): a date is posted at most once.
    last_day       TEXT,
    -- The local date of the last weekly board.
    last_board_day TEXT,
    updated_at     INTEGER NOT NULL
) STRICT;

-- One post per server per local date. Rows stay after `/daily off`: they are the
-- rotation's memory. `status`: pending (decided, not yet fully posted), posted, missed
-- (its day ended before it could be posted).
CREATE TABLE daily_posts (
    id          INTEGER PRIMARY KEY,
    guild_id    INTEGER NOT NULL,
    day         TEXT    NOT NULL,
    channel_id  INTEGER NOT NULL,
    role_id     TEXT    NOT NULL,
    question_id TEXT    NOT NULL,
    -- The post, once Discord accepted it, and the thread opened on it.
    message_id  INTEGER,
    thread_id   INTEGER,
    status      TEXT    NOT NULL DEFAULT 'pending',
    created_at  INTEGER NOT NULL,
    posted_at   INTEGER,
    UNIQUE (guild_id, day)
) STRICT;

CREATE INDEX daily_posts_by_role ON daily_posts (guild_id, role_id, id);
CREATE INDEX daily_posts_pending ON daily_posts (id) WHERE status = 'pending';
CREATE INDEX daily_posts_by_thread ON daily_posts (thread_id) WHERE thread_id IS NOT NULL;

-- A member's answer to a day's question: one per member per post (a later answer the
-- same day replaces it, keeping the first time).
CREATE TABLE daily_answers (
    id            INTEGER PRIMARY KEY,
    post_id       INTEGER NOT NULL REFERENCES daily_posts (id) ON DELETE CASCADE,
    guild_id      INTEGER NOT NULL,
    user_id       INTEGER NOT NULL,
    -- The message (or modal submit) it came from, the dedupe key for redeliveries.
    source_id     INTEGER NOT NULL UNIQUE,
    answer_text   TEXT    NOT NULL,
    feedback_json TEXT    CHECK (feedback_json IS NULL OR json_valid(feedback_json)),
    created_at    INTEGER NOT NULL,
    updated_at    INTEGER NOT NULL,
    UNIQUE (post_id, user_id)
) STRICT;

CREATE INDEX daily_answers_by_user ON daily_answers (user_id, created_at);
CREATE INDEX daily_answers_by_time ON daily_answers (updated_at);

-- A member's streak in a server, kept up to date with each answer.
CREATE TABLE daily_streaks (
    guild_id  INTEGER NOT NULL,
    user_id   INTEGER NOT NULL,
    -- The latest local date with an answer.
    last_day  TEXT    NOT NULL,
    -- Consecutive days ending on `last_day`.
    run       INTEGER NOT NULL CHECK (run >= 1),
    longest   INTEGER NOT NULL CHECK (longest >= run),
    PRIMARY KEY (guild_id, user_id)
) STRICT;

CREATE INDEX daily_streaks_by_user ON daily_streaks (user_id);

-- Members who opted in to the weekly board (`/daily board join`).
CREATE TABLE daily_board_members (
    guild_id  INTEGER NOT NULL,
    user_id   INTEGER NOT NULL,
    joined_at INTEGER NOT NULL,
    PRIMARY KEY (guild_id, user_id)
) STRICT;

CREATE INDEX daily_board_members_by_user ON daily_board_members (user_id);

-- Weekly boards: claimed for a local date, then posted once (its text is made from the
-- board's members when it is posted, so it never names a member who left or was
-- forgotten in between). `message_id` stays NULL for a board dropped unposted.
CREATE TABLE daily_boards (
    id         INTEGER PRIMARY KEY,
    guild_id   INTEGER NOT NULL,
    day        TEXT    NOT NULL,
    channel_id INTEGER NOT NULL,
    message_id INTEGER,
    created_at INTEGER NOT NULL,
    posted_at  INTEGER,
    UNIQUE (guild_id, day)
) STRICT;

CREATE INDEX daily_boards_pending ON daily_boards (id) WHERE posted_at IS NULL;
