-- What the bot's processes agree on through the shared database (issue 18).

-- The guides in service: bumped by a reload a moderator made in any process; every
-- process that sees a newer revision loads its guide folder again. `digest` fingerprints
-- the folder the reload accepted, so a process whose copy differs can say so.
CREATE TABLE guide_revision (
    id           INTEGER PRIMARY KEY CHECK (id = 1),
    revision     BIGINT  NOT NULL,
    digest       TEXT    NOT NULL,
    published_at BIGINT  NOT NULL
);

-- Discord lets a bot start (IDENTIFY) a limited number of gateway sessions per 5 seconds,
-- counted over all its processes. A process reserves the time its shards may identify in,
-- after every earlier reservation: `next_at_ms` is when the latest one ends (unix ms).
CREATE TABLE gateway_identify (
    id         INTEGER PRIMARY KEY CHECK (id = 1),
    next_at_ms BIGINT  NOT NULL
);
