-- +goose Up
-- One row per alerted SLA threshold. The unique key makes "exactly once"
-- a database fact: schedulers on several replicas, or one restarted in the
-- middle of a pass, cannot queue the same alert twice, because the row and
-- its notifications commit in one transaction.
CREATE TABLE sla_alerts (
    id           INTEGER PRIMARY KEY AUTOINCREMENT,
    ticket_id    INTEGER NOT NULL REFERENCES tickets (id) ON DELETE CASCADE,
    target       TEXT NOT NULL,
    threshold    TEXT NOT NULL,
    cycle_start  TIMESTAMP NOT NULL,
    threshold_at TIMESTAMP NOT NULL,
    alerted_at   TIMESTAMP NOT NULL,
    UNIQUE (ticket_id, target, threshold, cycle_start)
);

-- SLA reports read the tickets a customer opened in a period.
CREATE INDEX tickets_project_created ON tickets (project_id, created_at);
CREATE INDEX tickets_created ON tickets (created_at);

-- +goose Down
DROP INDEX tickets_created;
DROP INDEX tickets_project_created;
DROP TABLE sla_alerts;
