-- +goose Up
-- Every mail of a ticket's thread by Message-ID (without <>), in and out:
-- In-Reply-To and References of later mail find their ticket here, and
-- mail deskbot sent is recognised if it comes back.
CREATE TABLE ticket_messages (
    id         INTEGER PRIMARY KEY AUTOINCREMENT,
    message_id TEXT NOT NULL UNIQUE,
    ticket_id  BIGINT NOT NULL REFERENCES tickets (id) ON DELETE CASCADE,
    direction  TEXT NOT NULL,
    kind       TEXT NOT NULL DEFAULT '',
    address    TEXT NOT NULL DEFAULT '',
    created_at TIMESTAMP NOT NULL
);
CREATE INDEX ticket_messages_ticket ON ticket_messages (ticket_id, id);
-- Acknowledgements sent to one address lately: a loop brake.
CREATE INDEX ticket_messages_out ON ticket_messages (address, kind, created_at) WHERE direction = 'out';

-- The addresses on a ticket: the requester and whom they copied. They get
-- deskbot's mail, and only they may write into the ticket by its key.
CREATE TABLE ticket_participants (
    ticket_id  BIGINT NOT NULL REFERENCES tickets (id) ON DELETE CASCADE,
    email      TEXT NOT NULL,
    name       TEXT NOT NULL DEFAULT '',
    role       TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL,
    PRIMARY KEY (ticket_id, email)
);

-- Files that came by mail. Over the size limit only the name and size are
-- kept (stored false, data NULL).
CREATE TABLE attachments (
    id           INTEGER PRIMARY KEY AUTOINCREMENT,
    ticket_id    BIGINT NOT NULL REFERENCES tickets (id) ON DELETE CASCADE,
    comment_id   BIGINT REFERENCES comments (id) ON DELETE SET NULL,
    message_id   TEXT NOT NULL DEFAULT '',
    filename     TEXT NOT NULL,
    content_type TEXT NOT NULL DEFAULT '',
    size         BIGINT NOT NULL,
    stored       BOOLEAN NOT NULL,
    data         BLOB,
    created_at   TIMESTAMP NOT NULL
);
CREATE INDEX attachments_ticket ON attachments (ticket_id, id);

-- +goose Down
DROP TABLE attachments;
DROP TABLE ticket_participants;
DROP TABLE ticket_messages;
