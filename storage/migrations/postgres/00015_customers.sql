-- +goose Up
-- A customer was called a project in the first schema; every person calls
-- it a customer, so the tables, columns and indexes now say so too.
ALTER TABLE projects RENAME TO customers;
ALTER SEQUENCE projects_id_seq RENAME TO customers_id_seq;
ALTER INDEX projects_pkey RENAME TO customers_pkey;
ALTER INDEX projects_key_key RENAME TO customers_key_key;
ALTER INDEX projects_channel RENAME TO customers_channel;

ALTER TABLE project_versions RENAME TO customer_versions;
ALTER SEQUENCE project_versions_id_seq RENAME TO customer_versions_id_seq;
ALTER INDEX project_versions_pkey RENAME TO customer_versions_pkey;
ALTER INDEX project_versions_project RENAME TO customer_versions_customer;

ALTER TABLE customer_versions RENAME COLUMN project_id TO customer_id;
ALTER TABLE tickets RENAME COLUMN project_id TO customer_id;
ALTER TABLE time_entries RENAME COLUMN project_id TO customer_id;
ALTER TABLE billing_locks RENAME COLUMN project_id TO customer_id;
ALTER TABLE survey_answers RENAME COLUMN project_id TO customer_id;
ALTER TABLE slack_teams RENAME COLUMN project_id TO customer_id;

ALTER INDEX tickets_project_status RENAME TO tickets_customer_status;
ALTER INDEX tickets_project_created RENAME TO tickets_customer_created;
ALTER INDEX tickets_project_status_assignee RENAME TO tickets_customer_status_assignee;
ALTER INDEX time_entries_project_period RENAME TO time_entries_customer_period;
ALTER INDEX survey_answers_project RENAME TO survey_answers_customer;
ALTER INDEX slack_teams_project RENAME TO slack_teams_customer;

ALTER TABLE customer_versions RENAME CONSTRAINT project_versions_project_id_fkey TO customer_versions_customer_id_fkey;
ALTER TABLE tickets RENAME CONSTRAINT tickets_project_id_number_key TO tickets_customer_id_number_key;
ALTER TABLE tickets RENAME CONSTRAINT tickets_project_id_fkey TO tickets_customer_id_fkey;
ALTER TABLE time_entries RENAME CONSTRAINT time_entries_project_id_fkey TO time_entries_customer_id_fkey;
ALTER TABLE billing_locks RENAME CONSTRAINT billing_locks_project_id_period_start_key TO billing_locks_customer_id_period_start_key;
ALTER TABLE billing_locks RENAME CONSTRAINT billing_locks_project_id_fkey TO billing_locks_customer_id_fkey;
ALTER TABLE survey_answers RENAME CONSTRAINT survey_answers_project_id_fkey TO survey_answers_customer_id_fkey;
ALTER TABLE slack_teams RENAME CONSTRAINT slack_teams_project_id_fkey TO slack_teams_customer_id_fkey;

-- +goose Down
ALTER TABLE slack_teams RENAME CONSTRAINT slack_teams_customer_id_fkey TO slack_teams_project_id_fkey;
ALTER TABLE survey_answers RENAME CONSTRAINT survey_answers_customer_id_fkey TO survey_answers_project_id_fkey;
ALTER TABLE billing_locks RENAME CONSTRAINT billing_locks_customer_id_fkey TO billing_locks_project_id_fkey;
ALTER TABLE billing_locks RENAME CONSTRAINT billing_locks_customer_id_period_start_key TO billing_locks_project_id_period_start_key;
ALTER TABLE time_entries RENAME CONSTRAINT time_entries_customer_id_fkey TO time_entries_project_id_fkey;
ALTER TABLE tickets RENAME CONSTRAINT tickets_customer_id_fkey TO tickets_project_id_fkey;
ALTER TABLE tickets RENAME CONSTRAINT tickets_customer_id_number_key TO tickets_project_id_number_key;
ALTER TABLE customer_versions RENAME CONSTRAINT customer_versions_customer_id_fkey TO project_versions_project_id_fkey;

ALTER INDEX slack_teams_customer RENAME TO slack_teams_project;
ALTER INDEX survey_answers_customer RENAME TO survey_answers_project;
ALTER INDEX time_entries_customer_period RENAME TO time_entries_project_period;
ALTER INDEX tickets_customer_status_assignee RENAME TO tickets_project_status_assignee;
ALTER INDEX tickets_customer_created RENAME TO tickets_project_created;
ALTER INDEX tickets_customer_status RENAME TO tickets_project_status;

ALTER TABLE slack_teams RENAME COLUMN customer_id TO project_id;
ALTER TABLE survey_answers RENAME COLUMN customer_id TO project_id;
ALTER TABLE billing_locks RENAME COLUMN customer_id TO project_id;
ALTER TABLE time_entries RENAME COLUMN customer_id TO project_id;
ALTER TABLE tickets RENAME COLUMN customer_id TO project_id;
ALTER TABLE customer_versions RENAME COLUMN customer_id TO project_id;

ALTER INDEX customer_versions_customer RENAME TO project_versions_project;
ALTER INDEX customer_versions_pkey RENAME TO project_versions_pkey;
ALTER SEQUENCE customer_versions_id_seq RENAME TO project_versions_id_seq;
ALTER TABLE customer_versions RENAME TO project_versions;

ALTER INDEX customers_channel RENAME TO projects_channel;
ALTER INDEX customers_key_key RENAME TO projects_key_key;
ALTER INDEX customers_pkey RENAME TO projects_pkey;
ALTER SEQUENCE customers_id_seq RENAME TO projects_id_seq;
ALTER TABLE customers RENAME TO projects;
