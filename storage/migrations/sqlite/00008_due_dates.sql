-- +goose Up
-- A ticket's due date (set by an agent, a command or an automation),
-- whether the customer sees it, and the next SLA deadline (never a
-- warning time: sla_due_at is the scheduler's next look, which may be a
-- warning). due: and sort:due read the due date, else the deadline.
ALTER TABLE tickets ADD COLUMN due_at TIMESTAMP;
ALTER TABLE tickets ADD COLUMN due_public BOOLEAN NOT NULL DEFAULT FALSE;
ALTER TABLE tickets ADD COLUMN sla_deadline_at TIMESTAMP;
CREATE INDEX tickets_due ON tickets (COALESCE(due_at, sla_deadline_at));

-- +goose Down
DROP INDEX tickets_due;
ALTER TABLE tickets DROP COLUMN sla_deadline_at;
ALTER TABLE tickets DROP COLUMN due_public;
ALTER TABLE tickets DROP COLUMN due_at;
