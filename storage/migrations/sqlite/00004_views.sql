-- +goose Up
-- Saved views: named queries, personal or shared, pinned on their owner's
-- App Home, optionally posted as a digest on a schedule.
CREATE TABLE saved_views (
    id             INTEGER PRIMARY KEY AUTOINCREMENT,
    name           TEXT NOT NULL,
    owner          TEXT NOT NULL,
    shared         BOOLEAN NOT NULL DEFAULT FALSE,
    query          TEXT NOT NULL,
    pinned         BOOLEAN NOT NULL DEFAULT FALSE,
    digest         TEXT NOT NULL DEFAULT '',
    digest_channel TEXT NOT NULL DEFAULT '',
    digest_since   TIMESTAMP,
    created_at     TIMESTAMP NOT NULL,
    updated_at     TIMESTAMP NOT NULL
);
CREATE UNIQUE INDEX saved_views_owner_name ON saved_views (owner, lower(name));
CREATE INDEX saved_views_shared ON saved_views (shared) WHERE shared;
CREATE INDEX saved_views_digest ON saved_views (id) WHERE digest <> '';

-- One row per digest slot sent: the primary key makes "once per slot" a
-- database fact however many replicas look at the schedule together.
CREATE TABLE view_digests (
    view_id BIGINT NOT NULL REFERENCES saved_views (id) ON DELETE CASCADE,
    slot    TIMESTAMP NOT NULL,
    sent_at TIMESTAMP NOT NULL,
    PRIMARY KEY (view_id, slot)
);

-- The version's sort key (query.VersionKey): version comparisons become
-- byte comparisons of keys, in SQL and through an index. NULL means not
-- computed yet: rows written before this migration, filled at start-up.
ALTER TABLE tickets ADD COLUMN version_key TEXT;
CREATE INDEX tickets_version_key ON tickets (version_key);
CREATE INDEX tickets_version_key_missing ON tickets (id) WHERE version_key IS NULL;

-- The views' typical queries: a customer's open tickets grouped by
-- assignee (covered: counts read the index only), everyone's by status
-- and age.
CREATE INDEX tickets_project_status_assignee ON tickets (project_id, status, assignee_id);
CREATE INDEX tickets_status_created ON tickets (status, created_at);

-- +goose Down
DROP INDEX tickets_status_created;
DROP INDEX tickets_project_status_assignee;
DROP INDEX tickets_version_key_missing;
DROP INDEX tickets_version_key;
ALTER TABLE tickets DROP COLUMN version_key;
DROP TABLE view_digests;
DROP TABLE saved_views;
