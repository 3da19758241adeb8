-- +goose Up
-- Full-text search over what a ticket says: its title and description
-- (the first mail's body) and its comments (later mail, replies, notes).
-- The text search configuration is deskbot's search.language, kept here
-- so that every replica's triggers and queries use the one the index was
-- built with (storage.SetSearchLanguage changes it and rebuilds).
CREATE TABLE search_settings (
    id   INTEGER PRIMARY KEY CHECK (id = 1),
    lang TEXT NOT NULL
);
INSERT INTO search_settings (id, lang) VALUES (1, 'simple');

ALTER TABLE tickets ADD COLUMN search tsvector;
ALTER TABLE comments ADD COLUMN search tsvector;

-- +goose StatementBegin
CREATE FUNCTION deskbot_ticket_search() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE cfg regconfig;
BEGIN
    SELECT lang::regconfig INTO cfg FROM search_settings WHERE id = 1;
    NEW.search := setweight(to_tsvector(cfg, NEW.title), 'A') || setweight(to_tsvector(cfg, NEW.description), 'B');
    RETURN NEW;
END $$;
-- +goose StatementEnd

-- +goose StatementBegin
CREATE FUNCTION deskbot_comment_search() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE cfg regconfig;
BEGIN
    SELECT lang::regconfig INTO cfg FROM search_settings WHERE id = 1;
    NEW.search := to_tsvector(cfg, NEW.body);
    RETURN NEW;
END $$;
-- +goose StatementEnd

CREATE TRIGGER tickets_search BEFORE INSERT OR UPDATE OF title, description ON tickets
    FOR EACH ROW EXECUTE FUNCTION deskbot_ticket_search();
CREATE TRIGGER comments_search BEFORE INSERT OR UPDATE OF body ON comments
    FOR EACH ROW EXECUTE FUNCTION deskbot_comment_search();

-- Backfill: the triggers compute the documents of the rows already here.
UPDATE tickets SET title = title;
UPDATE comments SET body = body;

CREATE INDEX tickets_search ON tickets USING GIN (search);
CREATE INDEX comments_search ON comments USING GIN (search);

-- +goose Down
DROP INDEX comments_search;
DROP INDEX tickets_search;
DROP TRIGGER comments_search ON comments;
DROP TRIGGER tickets_search ON tickets;
DROP FUNCTION deskbot_comment_search();
DROP FUNCTION deskbot_ticket_search();
ALTER TABLE comments DROP COLUMN search;
ALTER TABLE tickets DROP COLUMN search;
DROP TABLE search_settings;
