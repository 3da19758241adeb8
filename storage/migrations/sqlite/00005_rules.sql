-- +goose Up
-- Versions of the vendor's software that shipped, besides those the
-- config lists: `/desk release 4.2.1` adds one.
CREATE TABLE releases (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    version     TEXT NOT NULL UNIQUE,
    released_at TIMESTAMP NOT NULL,
    recorded_by TEXT NOT NULL
);

-- Tags that automations (and people) put on tickets.
CREATE TABLE ticket_tags (
    ticket_id  BIGINT NOT NULL REFERENCES tickets (id) ON DELETE CASCADE,
    tag        TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL,
    PRIMARY KEY (ticket_id, tag)
);
CREATE INDEX ticket_tags_tag ON ticket_tags (tag);

-- One row per time-based rule (or stale-ticket step) fired on a ticket
-- for one anchor, the instant it counted from: the unique key makes
-- "once" a database fact across replicas and restarts.
CREATE TABLE automation_runs (
    ticket_id BIGINT NOT NULL REFERENCES tickets (id) ON DELETE CASCADE,
    rule      TEXT NOT NULL,
    anchor    TEXT NOT NULL,
    ran_at    TIMESTAMP NOT NULL,
    PRIMARY KEY (ticket_id, rule, anchor)
);

-- Named counters: round-robin assignment takes turns through one.
CREATE TABLE automation_counters (
    name  TEXT PRIMARY KEY,
    value BIGINT NOT NULL
);

-- Satisfaction answers, one per ticket and respondent (the last one counts).
CREATE TABLE survey_answers (
    ticket_id   BIGINT NOT NULL REFERENCES tickets (id) ON DELETE CASCADE,
    project_id  BIGINT NOT NULL REFERENCES projects (id) ON DELETE CASCADE,
    respondent  TEXT NOT NULL,
    rating      INTEGER NOT NULL CHECK (rating BETWEEN 1 AND 5),
    answered_at TIMESTAMP NOT NULL,
    PRIMARY KEY (ticket_id, respondent)
);
CREATE INDEX survey_answers_project ON survey_answers (project_id, answered_at);

-- +goose Down
DROP TABLE survey_answers;
DROP TABLE automation_counters;
DROP TABLE automation_runs;
DROP TABLE ticket_tags;
DROP TABLE releases;
