-- +goose Up
-- Outgoing webhooks (/desk webhook add). The secret is kept as it is: the
-- sender needs it to sign. A removed webhook stays as the record of where
-- events went.
CREATE TABLE webhooks (
    id              INTEGER PRIMARY KEY AUTOINCREMENT,
    url             TEXT NOT NULL,
    events          TEXT NOT NULL,
    secret          TEXT NOT NULL,
    created_by      TEXT NOT NULL,
    created_at      TIMESTAMP NOT NULL,
    failing_since   TIMESTAMP,
    disabled_at     TIMESTAMP,
    disabled_reason TEXT NOT NULL DEFAULT '',
    removed_at      TIMESTAMP
);

-- One row per event per webhook, written with the event; the outbox
-- carries it to the receiver. body is fixed at the event, so every attempt
-- sends the same bytes under the same delivery_id.
CREATE TABLE webhook_deliveries (
    id              INTEGER PRIMARY KEY AUTOINCREMENT,
    webhook_id      BIGINT NOT NULL REFERENCES webhooks (id),
    ticket_id       BIGINT NOT NULL,
    delivery_id     TEXT NOT NULL,
    type            TEXT NOT NULL,
    body            TEXT NOT NULL,
    created_at      TIMESTAMP NOT NULL,
    attempts        INTEGER NOT NULL DEFAULT 0,
    last_status     INTEGER NOT NULL DEFAULT 0,
    last_result     TEXT NOT NULL DEFAULT '',
    last_attempt_at TIMESTAMP,
    next_attempt_at TIMESTAMP,
    delivered_at    TIMESTAMP,
    dropped_at      TIMESTAMP
);

CREATE UNIQUE INDEX webhook_deliveries_delivery_id ON webhook_deliveries (delivery_id);
-- The log (newest first) and the order per ticket (earlier pending ones).
CREATE INDEX webhook_deliveries_hook ON webhook_deliveries (webhook_id, id);
CREATE INDEX webhook_deliveries_pending ON webhook_deliveries (webhook_id, ticket_id, id)
    WHERE delivered_at IS NULL AND dropped_at IS NULL;

-- +goose Down
DROP TABLE webhook_deliveries;
DROP TABLE webhooks;
