-- +goose Up
-- A merge of a duplicate (source) into the ticket that goes on (target).
-- moved is JSON naming every row that moved (domain.MergeMoved), so an
-- undo puts back exactly those and leaves what came later; undone_at is
-- set by the undo, and a source has at most one merge in force.
CREATE TABLE ticket_merges (
    id         BIGSERIAL PRIMARY KEY,
    source_id  BIGINT NOT NULL REFERENCES tickets (id) ON DELETE CASCADE,
    target_id  BIGINT NOT NULL REFERENCES tickets (id) ON DELETE CASCADE,
    merged_by  TEXT NOT NULL,
    merged_at  TIMESTAMPTZ NOT NULL,
    moved      TEXT NOT NULL,
    undone_at  TIMESTAMPTZ,
    undone_by  TEXT NOT NULL DEFAULT '',
    CHECK (source_id <> target_id)
);
CREATE UNIQUE INDEX ticket_merges_live_source ON ticket_merges (source_id) WHERE undone_at IS NULL;
CREATE INDEX ticket_merges_target ON ticket_merges (target_id);

-- A comment that came with a merge keeps the ticket it was written on:
-- the target's SLA clock does not count it (the source's conversation is
-- not the target's), and an undo finds it.
ALTER TABLE comments ADD COLUMN merged_from BIGINT;

-- +goose Down
ALTER TABLE comments DROP COLUMN merged_from;
DROP TABLE ticket_merges;
