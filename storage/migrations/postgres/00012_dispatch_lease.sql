-- +goose Up
-- Named leases held by one replica at a time: "outbox" is the replica
-- that dispatches the outbox, so Slack's workspace limits have one spender
-- and a channel's posts one sender, in order.
CREATE TABLE leases (
    name       TEXT PRIMARY KEY,
    holder     TEXT NOT NULL,
    expires_at TIMESTAMP NOT NULL
);

-- +goose Down
DROP TABLE leases;
