-- +goose Up
-- Tokens of the REST API (/api/v1). Only a SHA-256 of the secret is kept;
-- prefix (the token's first characters, not secret) finds the row, and the
-- hash is compared in constant time. A revoked token stays as the record
-- of who could do what; a new token may take its name.
CREATE TABLE api_tokens (
    id         BIGSERIAL PRIMARY KEY,
    name       TEXT NOT NULL,
    prefix     TEXT NOT NULL,
    hash       BYTEA NOT NULL,
    access     TEXT NOT NULL CHECK (access IN ('read', 'write')),
    customer_id BIGINT REFERENCES customers (id) ON DELETE CASCADE,
    created_by TEXT NOT NULL,
    created_at TIMESTAMPTZ NOT NULL,
    revoked_at TIMESTAMPTZ
);

CREATE UNIQUE INDEX api_tokens_live_name ON api_tokens (name) WHERE revoked_at IS NULL;
CREATE UNIQUE INDEX api_tokens_prefix ON api_tokens (prefix);

-- +goose Down
DROP TABLE api_tokens;
