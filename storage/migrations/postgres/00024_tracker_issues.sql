-- +goose Up
-- Issues in GitHub or GitLab that tickets were escalated to or linked
-- with, as last heard from the tracker (webhook or reconcile). One issue
-- serves many tickets: ticket_issues ties them. Webhook deliveries are
-- refused twice through processed_inputs, by their delivery id.
CREATE TABLE tracker_issues (
    id         BIGSERIAL PRIMARY KEY,
    tracker    TEXT NOT NULL,
    repo       TEXT NOT NULL,
    number     BIGINT NOT NULL,
    url        TEXT NOT NULL DEFAULT '',
    title      TEXT NOT NULL DEFAULT '',
    state      TEXT NOT NULL CHECK (state IN ('open', 'closed')),
    milestone  TEXT NOT NULL DEFAULT '',
    labels     TEXT NOT NULL DEFAULT '',
    created_at TIMESTAMPTZ NOT NULL,
    checked_at TIMESTAMPTZ NOT NULL
);

CREATE UNIQUE INDEX tracker_issues_ref ON tracker_issues (tracker, repo, number);
CREATE INDEX tracker_issues_checked ON tracker_issues (checked_at);

CREATE TABLE ticket_issues (
    ticket_id BIGINT NOT NULL REFERENCES tickets (id) ON DELETE CASCADE,
    issue_id  BIGINT NOT NULL REFERENCES tracker_issues (id) ON DELETE CASCADE,
    linked_by TEXT NOT NULL,
    linked_at TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (ticket_id, issue_id)
);

CREATE INDEX ticket_issues_issue ON ticket_issues (issue_id);

-- +goose Down
DROP TABLE ticket_issues;
DROP TABLE tracker_issues;
