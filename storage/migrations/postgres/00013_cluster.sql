-- +goose Up
-- Each serve process (DESKBOT_INSTANCE) writes its heartbeat here, and
-- each scheduler job the time and place of its last run, for
-- `deskbot status`: the cluster's view, from any machine with the database.
CREATE TABLE replicas (
    instance   TEXT PRIMARY KEY,
    host       TEXT NOT NULL DEFAULT '',
    pid        INTEGER NOT NULL DEFAULT 0,
    started_at TIMESTAMPTZ NOT NULL,
    seen_at    TIMESTAMPTZ NOT NULL
);

CREATE TABLE job_runs (
    job         TEXT PRIMARY KEY,
    instance    TEXT NOT NULL,
    ran_at      TIMESTAMPTZ NOT NULL,
    duration_ms BIGINT NOT NULL DEFAULT 0,
    error       TEXT NOT NULL DEFAULT ''
);

-- +goose Down
DROP TABLE job_runs;
DROP TABLE replicas;
