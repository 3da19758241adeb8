-- +goose Up
-- A Slack Connect organisation (an external person's team_id) belongs to
-- one customer: its people are that customer's wherever they write.
CREATE TABLE slack_teams (
    team_id    TEXT PRIMARY KEY,
    project_id BIGINT NOT NULL REFERENCES projects (id) ON DELETE CASCADE,
    name       TEXT NOT NULL DEFAULT '',
    created_at TIMESTAMPTZ NOT NULL
);
CREATE INDEX slack_teams_project ON slack_teams (project_id);

-- A ticket moved to another customer keeps the key people know it by:
-- key_prefix and key_number hold it while project_id and number are the
-- new customer's (number stays unique per customer).
ALTER TABLE tickets ADD COLUMN key_prefix TEXT NOT NULL DEFAULT '';
ALTER TABLE tickets ADD COLUMN key_number BIGINT NOT NULL DEFAULT 0;
CREATE UNIQUE INDEX tickets_kept_key ON tickets (key_prefix, key_number) WHERE key_prefix <> '';

-- +goose Down
DROP INDEX tickets_kept_key;
ALTER TABLE tickets DROP COLUMN key_number;
ALTER TABLE tickets DROP COLUMN key_prefix;
DROP TABLE slack_teams;
