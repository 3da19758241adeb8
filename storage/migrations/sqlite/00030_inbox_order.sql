-- +goose Up
-- SQLite keeps the inbox in a file of its own, which storage/inbox.go
-- creates and extends (the order key: person, topic) as it opens it; this
-- file keeps the numbering in step with PostgreSQL's 00021.
SELECT 1;

-- +goose Down
SELECT 1;
