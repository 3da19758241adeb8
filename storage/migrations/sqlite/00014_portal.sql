-- +goose Up
-- Keys that sign the customers' ticket links (PUBLIC_URL/t/<token>). The
-- newest unretired key signs; a retired one still verifies for a grace
-- period, so links already mailed keep working after a rotation.
CREATE TABLE portal_keys (
    id         INTEGER PRIMARY KEY AUTOINCREMENT,
    secret     BLOB NOT NULL,
    created_at TIMESTAMP NOT NULL,
    retired_at TIMESTAMP
);

-- A ticket's links issued at or before revoked_at are refused.
CREATE TABLE portal_revocations (
    ticket_id  BIGINT PRIMARY KEY REFERENCES tickets (id) ON DELETE CASCADE,
    revoked_at TIMESTAMP NOT NULL
);

-- The other tickets of a requester, for the page's list.
CREATE INDEX tickets_requester_email ON tickets (requester_email);

-- +goose Down
DROP INDEX tickets_requester_email;
DROP TABLE portal_revocations;
DROP TABLE portal_keys;
