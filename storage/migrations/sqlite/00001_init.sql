-- +goose Up
CREATE TABLE projects (
    id              INTEGER PRIMARY KEY AUTOINCREMENT,
    key             TEXT NOT NULL UNIQUE,
    name            TEXT NOT NULL,
    channel_id      TEXT NOT NULL DEFAULT '',
    auto_tickets    BOOLEAN NOT NULL DEFAULT FALSE,
    email_domains   TEXT NOT NULL DEFAULT '',
    time_zone       TEXT NOT NULL DEFAULT 'UTC',
    tier            TEXT NOT NULL DEFAULT '',
    sla_policy      TEXT NOT NULL DEFAULT '',
    hourly_rate     BIGINT NOT NULL DEFAULT 0,
    current_version TEXT NOT NULL DEFAULT '',
    ticket_seq      BIGINT NOT NULL DEFAULT 0,
    created_at      TIMESTAMP NOT NULL,
    updated_at      TIMESTAMP NOT NULL
);
CREATE INDEX projects_channel ON projects (channel_id) WHERE channel_id <> '';

CREATE TABLE project_versions (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    project_id  BIGINT NOT NULL REFERENCES projects (id) ON DELETE CASCADE,
    version     TEXT NOT NULL,
    since       TIMESTAMP NOT NULL,
    recorded_by TEXT NOT NULL,
    created_at  TIMESTAMP NOT NULL
);
CREATE INDEX project_versions_project ON project_versions (project_id, since);

CREATE TABLE tickets (
    id                INTEGER PRIMARY KEY AUTOINCREMENT,
    project_id        BIGINT NOT NULL REFERENCES projects (id),
    number            BIGINT NOT NULL,
    title             TEXT NOT NULL,
    description       TEXT NOT NULL DEFAULT '',
    type              TEXT NOT NULL,
    status            TEXT NOT NULL,
    priority          TEXT NOT NULL,
    severity          TEXT NOT NULL DEFAULT '',
    requester_id      TEXT NOT NULL DEFAULT '',
    requester_email   TEXT NOT NULL DEFAULT '',
    requester_name    TEXT NOT NULL DEFAULT '',
    assignee_id       TEXT NOT NULL DEFAULT '',
    version           TEXT NOT NULL DEFAULT '',
    fields            TEXT NOT NULL DEFAULT '{}',
    source            TEXT NOT NULL,
    source_ref        TEXT NOT NULL DEFAULT '',
    slack_channel     TEXT NOT NULL DEFAULT '',
    slack_ts          TEXT NOT NULL DEFAULT '',
    slack_thread_ts   TEXT NOT NULL DEFAULT '',
    email_thread      TEXT NOT NULL DEFAULT '',
    sla_policy        TEXT NOT NULL DEFAULT '',
    sla_due_at        TIMESTAMP,
    created_by        TEXT NOT NULL,
    created_at        TIMESTAMP NOT NULL,
    updated_at        TIMESTAMP NOT NULL,
    first_response_at TIMESTAMP,
    resolved_at       TIMESTAMP,
    closed_at         TIMESTAMP,
    UNIQUE (project_id, number)
);
CREATE INDEX tickets_project_status ON tickets (project_id, status);
CREATE INDEX tickets_assignee_status ON tickets (assignee_id, status);
CREATE INDEX tickets_requester ON tickets (requester_id) WHERE requester_id <> '';
CREATE INDEX tickets_sla_due ON tickets (sla_due_at) WHERE sla_due_at IS NOT NULL;
CREATE INDEX tickets_card ON tickets (slack_channel, slack_ts) WHERE slack_ts <> '';
CREATE INDEX tickets_thread ON tickets (slack_channel, slack_thread_ts) WHERE slack_thread_ts <> '';

CREATE TABLE ticket_links (
    from_id    BIGINT NOT NULL REFERENCES tickets (id) ON DELETE CASCADE,
    to_id      BIGINT NOT NULL REFERENCES tickets (id) ON DELETE CASCADE,
    kind       TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL,
    PRIMARY KEY (from_id, to_id, kind),
    CHECK (from_id <> to_id)
);
CREATE INDEX ticket_links_to ON ticket_links (to_id);

CREATE TABLE comments (
    id           INTEGER PRIMARY KEY AUTOINCREMENT,
    ticket_id    BIGINT NOT NULL REFERENCES tickets (id) ON DELETE CASCADE,
    author_id    TEXT NOT NULL DEFAULT '',
    author_email TEXT NOT NULL DEFAULT '',
    author_name  TEXT NOT NULL DEFAULT '',
    author_role  TEXT NOT NULL,
    body         TEXT NOT NULL,
    public       BOOLEAN NOT NULL,
    channel      TEXT NOT NULL,
    source_ref   TEXT NOT NULL DEFAULT '',
    created_at   TIMESTAMP NOT NULL,
    updated_at   TIMESTAMP NOT NULL,
    deleted_at   TIMESTAMP
);
CREATE INDEX comments_ticket ON comments (ticket_id, created_at);
CREATE UNIQUE INDEX comments_source ON comments (ticket_id, source_ref) WHERE source_ref <> '';

CREATE TABLE events (
    id        INTEGER PRIMARY KEY AUTOINCREMENT,
    ticket_id BIGINT NOT NULL REFERENCES tickets (id) ON DELETE CASCADE,
    actor     TEXT NOT NULL,
    channel   TEXT NOT NULL,
    kind      TEXT NOT NULL,
    field     TEXT NOT NULL DEFAULT '',
    old_value TEXT NOT NULL DEFAULT '',
    new_value TEXT NOT NULL DEFAULT '',
    at        TIMESTAMP NOT NULL
);
CREATE INDEX events_ticket ON events (ticket_id, id);

CREATE TABLE time_entries (
    id         INTEGER PRIMARY KEY AUTOINCREMENT,
    ticket_id  BIGINT NOT NULL REFERENCES tickets (id),
    project_id BIGINT NOT NULL REFERENCES projects (id),
    user_id    TEXT NOT NULL,
    started_at TIMESTAMP NOT NULL,
    ended_at   TIMESTAMP,
    seconds    BIGINT NOT NULL DEFAULT 0,
    billable   BOOLEAN NOT NULL,
    note       TEXT NOT NULL DEFAULT '',
    source     TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL,
    CHECK (seconds >= 0)
);
-- At most one running timer per person, whatever the number of replicas.
CREATE UNIQUE INDEX time_entries_running ON time_entries (user_id) WHERE ended_at IS NULL;
CREATE INDEX time_entries_project_period ON time_entries (project_id, started_at);
CREATE INDEX time_entries_user_period ON time_entries (user_id, started_at);
CREATE INDEX time_entries_ticket ON time_entries (ticket_id);

CREATE TABLE outbox (
    id              INTEGER PRIMARY KEY AUTOINCREMENT,
    kind            TEXT NOT NULL,
    payload         TEXT NOT NULL,
    dedup_key       TEXT,
    attempts        INTEGER NOT NULL DEFAULT 0,
    next_attempt_at TIMESTAMP NOT NULL,
    last_error      TEXT NOT NULL DEFAULT '',
    created_at      TIMESTAMP NOT NULL,
    delivered_at    TIMESTAMP
);
CREATE INDEX outbox_due ON outbox (next_attempt_at) WHERE delivered_at IS NULL;
-- Coalesces pending work such as card refreshes for one ticket.
CREATE UNIQUE INDEX outbox_pending_dedup ON outbox (dedup_key) WHERE delivered_at IS NULL;

CREATE TABLE processed_inputs (
    source       TEXT NOT NULL,
    id           TEXT NOT NULL,
    result       TEXT NOT NULL DEFAULT '',
    processed_at TIMESTAMP NOT NULL,
    PRIMARY KEY (source, id)
);

-- +goose Down
DROP TABLE processed_inputs;
DROP TABLE outbox;
DROP TABLE time_entries;
DROP TABLE events;
DROP TABLE comments;
DROP TABLE ticket_links;
DROP TABLE tickets;
DROP TABLE project_versions;
DROP TABLE projects;
