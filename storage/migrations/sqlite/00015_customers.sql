-- +goose Up
-- A customer was called a project in the first schema; every person calls
-- it a customer, so the tables, columns and indexes now say so too. SQLite
-- rewrites the foreign keys that point at a renamed table; it cannot rename
-- an index, so those are made again under their new names.
ALTER TABLE projects RENAME TO customers;
ALTER TABLE project_versions RENAME TO customer_versions;

ALTER TABLE customer_versions RENAME COLUMN project_id TO customer_id;
ALTER TABLE tickets RENAME COLUMN project_id TO customer_id;
ALTER TABLE time_entries RENAME COLUMN project_id TO customer_id;
ALTER TABLE billing_locks RENAME COLUMN project_id TO customer_id;
ALTER TABLE survey_answers RENAME COLUMN project_id TO customer_id;
ALTER TABLE slack_teams RENAME COLUMN project_id TO customer_id;

DROP INDEX projects_channel;
CREATE INDEX customers_channel ON customers (channel_id) WHERE channel_id <> '';
DROP INDEX project_versions_project;
CREATE INDEX customer_versions_customer ON customer_versions (customer_id, since);
DROP INDEX tickets_project_status;
CREATE INDEX tickets_customer_status ON tickets (customer_id, status);
DROP INDEX tickets_project_created;
CREATE INDEX tickets_customer_created ON tickets (customer_id, created_at);
DROP INDEX tickets_project_status_assignee;
CREATE INDEX tickets_customer_status_assignee ON tickets (customer_id, status, assignee_id);
DROP INDEX time_entries_project_period;
CREATE INDEX time_entries_customer_period ON time_entries (customer_id, started_at);
DROP INDEX survey_answers_project;
CREATE INDEX survey_answers_customer ON survey_answers (customer_id, answered_at);
DROP INDEX slack_teams_project;
CREATE INDEX slack_teams_customer ON slack_teams (customer_id);

-- +goose Down
DROP INDEX slack_teams_customer;
DROP INDEX survey_answers_customer;
DROP INDEX time_entries_customer_period;
DROP INDEX tickets_customer_status_assignee;
DROP INDEX tickets_customer_created;
DROP INDEX tickets_customer_status;
DROP INDEX customer_versions_customer;
DROP INDEX customers_channel;

ALTER TABLE slack_teams RENAME COLUMN customer_id TO project_id;
ALTER TABLE survey_answers RENAME COLUMN customer_id TO project_id;
ALTER TABLE billing_locks RENAME COLUMN customer_id TO project_id;
ALTER TABLE time_entries RENAME COLUMN customer_id TO project_id;
ALTER TABLE tickets RENAME COLUMN customer_id TO project_id;
ALTER TABLE customer_versions RENAME COLUMN customer_id TO project_id;
ALTER TABLE customer_versions RENAME TO project_versions;
ALTER TABLE customers RENAME TO projects;

CREATE INDEX projects_channel ON projects (channel_id) WHERE channel_id <> '';
CREATE INDEX project_versions_project ON project_versions (project_id, since);
CREATE INDEX tickets_project_status ON tickets (project_id, status);
CREATE INDEX tickets_project_created ON tickets (project_id, created_at);
CREATE INDEX tickets_project_status_assignee ON tickets (project_id, status, assignee_id);
CREATE INDEX time_entries_project_period ON time_entries (project_id, started_at);
CREATE INDEX survey_answers_project ON survey_answers (project_id, answered_at);
CREATE INDEX slack_teams_project ON slack_teams (project_id);
