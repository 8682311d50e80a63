-- interview-coach: peer mock interviews (issue 16): each server's pair settings, the
-- matching queue, pairs, their rounds, the candidates' answers and the scorecards.
--
-- The conventions of 0001 hold: Discord snowflakes bit for bit in INTEGER columns, unix
-- seconds chosen by the caller, STRICT tables, and statuses checked by the Rust enums
-- rather than by a list in SQL. A member id that is NULL in `pairs` or `pair_rounds`
-- belonged to a member who asked to be forgotten (src/store/pairs/forget.rs).
--
-- Personal data: `pair_answers.answer_text`, `pair_scorecards.strength` and `.improve`,
-- and who was paired with whom. /forget-me and the retention sweep delete them.

-- Set by moderators with `/pair setup`; a server without a row uses the defaults.
CREATE TABLE pair_settings (
    guild_id      INTEGER PRIMARY KEY,
    -- Where new pairs are announced; NULL: the channel where the second member joined.
    channel_id    INTEGER,
    -- A queue reply is edited through its interaction token, which Discord honours for 15
    -- minutes: the wait must end before that.
    queue_minutes INTEGER NOT NULL CHECK (queue_minutes BETWEEN 1 AND 14),
    voice         INTEGER NOT NULL CHECK (voice IN (0, 1)),
    updated_at    INTEGER NOT NULL
) STRICT;

-- Members waiting for a partner: one entry per member per server.
CREATE TABLE pair_queue (
    guild_id          INTEGER NOT NULL,
    user_id           INTEGER NOT NULL,
    -- The guide role wanted; NULL: any role.
    role_id           TEXT,
    -- A level id (junior, mid, senior, staff); NULL: any level.
    level             TEXT,
    -- Where the member joined: the announcement channel when the server has none set.
    channel_id        INTEGER NOT NULL,
    -- The place in the line: kept when a waiting member joins again.
    joined_at         INTEGER NOT NULL,
    expires_at        INTEGER NOT NULL,
    -- The interaction that queued the member, to edit its ephemeral reply later (matched,
    -- expired, left). The token is a credential for that one reply: never logged.
    application_id    INTEGER NOT NULL,
    interaction_token TEXT    NOT NULL,
    PRIMARY KEY (guild_id, user_id)
) STRICT;

-- Matching reads one server's line in order of waiting time.
CREATE INDEX pair_queue_by_wait ON pair_queue (guild_id, joined_at);
CREATE INDEX pair_queue_by_expiry ON pair_queue (expires_at);
-- /forget-me, across servers.
CREATE INDEX pair_queue_by_user ON pair_queue (user_id);

CREATE TABLE pairs (
    id                INTEGER PRIMARY KEY,
    guild_id          INTEGER NOT NULL,
    -- The pair's room, known once the front end has opened it.
    thread_id         INTEGER,
    voice_channel_id  INTEGER,
    -- The member who waited longer interviews first.
    first_interviewer INTEGER,
    first_candidate   INTEGER,
    -- NULL: both members joined for any role (each round still has its question's role).
    role_id           TEXT,
    level             TEXT,
    status            TEXT    NOT NULL DEFAULT 'open',
    created_at        INTEGER NOT NULL,
    last_activity_at  INTEGER NOT NULL,
    ended_at          INTEGER,
    CHECK ((status = 'open') = (ended_at IS NULL)),
    -- Only an ended pair can have lost a member to /forget-me.
    CHECK (status <> 'open' OR (first_interviewer IS NOT NULL AND first_candidate IS NOT NULL))
) STRICT;

-- One active pair per member per server is checked in the matching transaction; these
-- catch a bug that puts a member in two open pairs in the same seat.
CREATE UNIQUE INDEX pairs_open_interviewer
    ON pairs (guild_id, first_interviewer) WHERE status = 'open';
CREATE UNIQUE INDEX pairs_open_candidate
    ON pairs (guild_id, first_candidate) WHERE status = 'open';
-- A message in a thread maps to at most one open pair.
CREATE UNIQUE INDEX pairs_open_thread ON pairs (thread_id) WHERE status = 'open';
CREATE INDEX pairs_by_interviewer ON pairs (first_interviewer);
CREATE INDEX pairs_by_candidate ON pairs (first_candidate);
CREATE INDEX pairs_open_by_activity ON pairs (last_activity_at) WHERE status = 'open';
CREATE INDEX pairs_ended_by_time ON pairs (ended_at) WHERE status <> 'open';

-- One question asked by one member of the other; a swap ends a round and starts the next.
CREATE TABLE pair_rounds (
    id             INTEGER PRIMARY KEY,
    pair_id        INTEGER NOT NULL REFERENCES pairs (id) ON DELETE CASCADE,
    number         INTEGER NOT NULL CHECK (number >= 1),
    interviewer_id INTEGER,
    candidate_id   INTEGER,
    role_id        TEXT    NOT NULL,
    question_id    TEXT    NOT NULL,
    -- The keys of the question's framework steps when the round started (a JSON array):
    -- what the scorecard rates, fixed even if the guides are reloaded meanwhile.
    step_keys      TEXT    NOT NULL
                   CHECK (json_valid(step_keys) AND json_type(step_keys) = 'array'),
    started_at     INTEGER NOT NULL,
    ended_at       INTEGER,
    UNIQUE (pair_id, number)
) STRICT;

CREATE UNIQUE INDEX pair_rounds_one_open ON pair_rounds (pair_id) WHERE ended_at IS NULL;

-- What the candidate of a round answered (typed in the thread or in the answer form).
CREATE TABLE pair_answers (
    id          INTEGER PRIMARY KEY,
    round_id    INTEGER NOT NULL REFERENCES pair_rounds (id) ON DELETE CASCADE,
    -- The message or form submission: the dedupe key when Discord redelivers an event.
    source_id   INTEGER NOT NULL UNIQUE,
    answer_text TEXT    NOT NULL,
    created_at  INTEGER NOT NULL
) STRICT;

CREATE INDEX pair_answers_by_round ON pair_answers (round_id, id);

-- The interviewer's scorecard of a round (the scorer is the round's interviewer).
CREATE TABLE pair_scorecards (
    round_id   INTEGER PRIMARY KEY REFERENCES pair_rounds (id) ON DELETE CASCADE,
    strength   TEXT    NOT NULL,
    improve    TEXT    NOT NULL,
    created_at INTEGER NOT NULL
) STRICT;

-- A scorecard's 1-4 rating of one framework step.
CREATE TABLE pair_ratings (
    round_id INTEGER NOT NULL REFERENCES pair_scorecards (round_id) ON DELETE CASCADE,
    step_key TEXT    NOT NULL,
    rating   INTEGER NOT NULL CHECK (rating BETWEEN 1 AND 4),
    PRIMARY KEY (round_id, step_key)
) STRICT;
