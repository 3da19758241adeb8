-- +goose Up
-- An input's order key: who sent it and what it changes (a ticket, the
-- person's timer, a thread). A person's later input on a topic waits for
-- their earlier unfinished ones on it (bot/order.go); inputs with no topic
-- (a new ticket, a time log) wait for nothing.
ALTER TABLE inbox ADD COLUMN person TEXT NOT NULL DEFAULT '';
ALTER TABLE inbox ADD COLUMN topic TEXT NOT NULL DEFAULT '';
CREATE INDEX inbox_order ON inbox (person, topic, id) WHERE done_at IS NULL AND topic <> '';

-- +goose Down
DROP INDEX inbox_order;
ALTER TABLE inbox DROP COLUMN topic;
ALTER TABLE inbox DROP COLUMN person;
