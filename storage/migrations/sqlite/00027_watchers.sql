-- +goose Up
-- Agents following tickets, and the changes each is yet to be told of
-- (one DM per watcher and minute: commands/watch.go).
CREATE TABLE ticket_watchers (
    ticket_id  BIGINT NOT NULL REFERENCES tickets (id) ON DELETE CASCADE,
    user_id    TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL,
    PRIMARY KEY (ticket_id, user_id)
);

CREATE TABLE watch_notes (
    user_id  TEXT NOT NULL,
    event_id BIGINT NOT NULL REFERENCES events (id) ON DELETE CASCADE,
    at       TIMESTAMP NOT NULL,
    PRIMARY KEY (user_id, event_id)
);

CREATE INDEX watch_notes_user_at ON watch_notes (user_id, at);

-- +goose Down
DROP TABLE watch_notes;
DROP TABLE ticket_watchers;
