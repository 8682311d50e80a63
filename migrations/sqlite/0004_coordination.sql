-- What the bot's processes agree on through the database (issue 18). With SQLite there is
-- one process, so these tables only keep the same contract as PostgreSQL's.

-- The guides in service: bumped by a reload a moderator made in any process; every
-- process that sees a newer revision loads its guide folder again. `digest` fingerprints
-- the folder the reload accepted, so a process whose copy differs can say so.
CREATE TABLE guide_revision (
    id           INTEGER PRIMARY KEY CHECK (id = 1),
    revision     INTEGER NOT NULL,
    digest       TEXT    NOT NULL,
    published_at INTEGER NOT NULL
) STRICT;

-- Discord lets a bot start (IDENTIFY) a limited number of gateway sessions per 5 seconds.
-- A process reserves the time its shards may identify in, after every earlier reservation:
-- `next_at_ms` is when the latest one ends (unix milliseconds).
CREATE TABLE gateway_identify (
    id         INTEGER PRIMARY KEY CHECK (id = 1),
    next_at_ms INTEGER NOT NULL
) STRICT;
