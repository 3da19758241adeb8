-- +goose Up
-- Saved replies (macros): owner_id '' is a shared reply. Names are unique
-- among the replies one person sees: their own, and the shared ones.
CREATE TABLE saved_replies (
    id           INTEGER PRIMARY KEY AUTOINCREMENT,
    name         TEXT NOT NULL,
    body         TEXT NOT NULL,
    owner_id     TEXT NOT NULL DEFAULT '',
    set_status   TEXT NOT NULL DEFAULT '',
    set_priority TEXT NOT NULL DEFAULT '',
    add_tags     TEXT NOT NULL DEFAULT '',
    set_assignee TEXT NOT NULL DEFAULT '',
    uses         BIGINT NOT NULL DEFAULT 0,
    created_by   TEXT NOT NULL,
    created_at   TIMESTAMP NOT NULL,
    updated_at   TIMESTAMP NOT NULL
);

CREATE UNIQUE INDEX saved_replies_name ON saved_replies (owner_id, lower(name));

-- +goose Down
DROP TABLE saved_replies;
