-- +goose Up
-- SQLite keeps the inbox (the envelopes stored before their ack) in a
-- file of its own, so an ack never waits for the workers' writes on this
-- one: storage/inbox.go creates it.

-- An outbox claim names its claimer, whose live process renews the lease
-- (next_attempt_at) and whose restart releases it. first_claimed_at bounds
-- the conversations.history window a retry searches for an earlier post.
ALTER TABLE outbox ADD COLUMN claimed_by TEXT NOT NULL DEFAULT '';
ALTER TABLE outbox ADD COLUMN first_claimed_at TIMESTAMP;
CREATE INDEX outbox_claimed ON outbox (claimed_by) WHERE delivered_at IS NULL AND claimed_by <> '';

-- +goose Down
DROP INDEX outbox_claimed;
ALTER TABLE outbox DROP COLUMN first_claimed_at;
ALTER TABLE outbox DROP COLUMN claimed_by;
