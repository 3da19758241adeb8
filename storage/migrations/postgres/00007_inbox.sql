-- +goose Up
-- Every Slack envelope that may change anything is stored here before it
-- is acknowledged; workers take rows, not envelopes held in memory. owner
-- is the process (DESKBOT_INSTANCE) working on a row, lease_until when a
-- row it did not finish is free for any replica to take.
CREATE TABLE inbox (
    id          BIGSERIAL PRIMARY KEY,
    dedup_key   TEXT NOT NULL UNIQUE,
    kind        TEXT NOT NULL,
    payload     TEXT NOT NULL,
    owner       TEXT NOT NULL DEFAULT '',
    lease_until TIMESTAMPTZ NOT NULL,
    attempts    INTEGER NOT NULL DEFAULT 1,
    received_at TIMESTAMPTZ NOT NULL,
    done_at     TIMESTAMPTZ
);
CREATE INDEX inbox_due ON inbox (lease_until) WHERE done_at IS NULL;
CREATE INDEX inbox_owner ON inbox (owner) WHERE done_at IS NULL;
CREATE INDEX inbox_done ON inbox (done_at) WHERE done_at IS NOT NULL;

-- An outbox claim names its claimer, whose live process renews the lease
-- (next_attempt_at) and whose restart releases it. first_claimed_at bounds
-- the conversations.history window a retry searches for an earlier post.
ALTER TABLE outbox ADD COLUMN claimed_by TEXT NOT NULL DEFAULT '';
ALTER TABLE outbox ADD COLUMN first_claimed_at TIMESTAMPTZ;
CREATE INDEX outbox_claimed ON outbox (claimed_by) WHERE delivered_at IS NULL AND claimed_by <> '';

-- +goose Down
DROP INDEX outbox_claimed;
ALTER TABLE outbox DROP COLUMN first_claimed_at;
ALTER TABLE outbox DROP COLUMN claimed_by;
DROP TABLE inbox;
