-- +goose Up
-- Billing rules per customer contract, in minutes: each entry is rounded
-- up to billing_round_minutes, and each ticket bills at least
-- billing_min_minutes per billing period. Zero turns either rule off.
ALTER TABLE projects ADD COLUMN billing_round_minutes INTEGER NOT NULL DEFAULT 0;
ALTER TABLE projects ADD COLUMN billing_min_minutes INTEGER NOT NULL DEFAULT 0;

-- Deleted entries stay for the audit trail; everything else ignores them.
ALTER TABLE time_entries ADD COLUMN deleted_at TIMESTAMP;
ALTER TABLE time_entries ADD COLUMN deleted_by TEXT NOT NULL DEFAULT '';
-- Forgotten-timer reminders: reminded_at is when the last one went out;
-- remind_at, when set, is when the next is due ("Keep running").
ALTER TABLE time_entries ADD COLUMN reminded_at TIMESTAMP;
ALTER TABLE time_entries ADD COLUMN remind_at TIMESTAMP;
CREATE INDEX time_entries_running_since ON time_entries (started_at) WHERE ended_at IS NULL;

-- A locked (invoiced) period: time that started in [period_start,
-- period_end) on the project can no longer be logged, edited or deleted.
CREATE TABLE billing_locks (
    id           INTEGER PRIMARY KEY AUTOINCREMENT,
    project_id   BIGINT NOT NULL REFERENCES projects (id) ON DELETE CASCADE,
    period       TEXT NOT NULL,
    period_start TIMESTAMP NOT NULL,
    period_end   TIMESTAMP NOT NULL,
    -- What the period came to when it was locked (invoiced), so a later
    -- change of rates shows against the invoice instead of rewriting it.
    entries        INTEGER NOT NULL DEFAULT 0,
    seconds        BIGINT NOT NULL DEFAULT 0,
    billed_seconds BIGINT NOT NULL DEFAULT 0,
    amount         BIGINT NOT NULL DEFAULT 0,
    locked_by    TEXT NOT NULL,
    locked_at    TIMESTAMP NOT NULL,
    UNIQUE (project_id, period_start),
    CHECK (period_end > period_start)
);

-- +goose Down
DROP TABLE billing_locks;
DROP INDEX time_entries_running_since;
ALTER TABLE time_entries DROP COLUMN remind_at;
ALTER TABLE time_entries DROP COLUMN reminded_at;
ALTER TABLE time_entries DROP COLUMN deleted_by;
ALTER TABLE time_entries DROP COLUMN deleted_at;
ALTER TABLE projects DROP COLUMN billing_min_minutes;
ALTER TABLE projects DROP COLUMN billing_round_minutes;
