package storage

// ExportTable is a table `deskbot export` writes: its rows in the order
// of Order (columns that identify a row), and loaded in the order of
// ExportTables, parents before children, so foreign keys hold on import.
type ExportTable struct {
	Name  string
	Order string // comma-separated columns, unique together
}

// ExportTables is everything an export holds. A new table is one line
// here (after the tables it references) or one in NotExported with the
// reason; TestExportCoversSchema fails until it is either.
var ExportTables = []ExportTable{
	{"customers", "id"},
	{"customer_versions", "id"},
	{"slack_teams", "team_id"},
	{"releases", "id"},
	{"tickets", "id"},
	{"ticket_links", "from_id, to_id, kind"},
	{"ticket_tags", "ticket_id, tag"},
	{"ticket_participants", "ticket_id, email"},
	{"ticket_watchers", "ticket_id, user_id"},
	{"ticket_messages", "id"},
	{"comments", "id"},
	{"attachments", "id"},
	{"events", "id"},
	{"watch_notes", "user_id, event_id"},
	{"time_entries", "id"},
	{"ticket_merges", "id"}, // what each merge moved, for its undo
	{"billing_locks", "id"},
	{"sla_alerts", "id"},
	{"automation_runs", "ticket_id, rule, anchor"},
	{"automation_counters", "name"},
	{"survey_answers", "ticket_id, respondent"},
	{"saved_views", "id"},
	{"view_digests", "view_id, slot"},
	{"portal_keys", "id"},
	{"portal_revocations", "ticket_id"},
	{"api_tokens", "id"},
	{"tracker_issues", "id"},
	{"ticket_issues", "ticket_id, issue_id"},
	{"webhooks", "id"},
	{"webhook_deliveries", "id"},
	{"saved_replies", "id"},
	// Deliveries, sent and waiting: a restored helpdesk sends what was
	// waiting, and mail jobs already sent (processed_inputs "mailjob",
	// keyed by outbox id) stay sent instead of matching new rows' ids.
	{"outbox", "id"},
	// Inputs seen (mail Message-IDs, Slack retries, agent introductions):
	// without them mail still in the mailbox would be read again.
	{"processed_inputs", "source, id"},
}

// NotExported are the tables an export leaves out on purpose, with why.
var NotExported = map[string]string{
	"goose_db_version":     "the schema's migrations: the header's schema_version says where the rows belong, and the target migrates itself",
	"inbox":                "Slack envelopes for a few minutes of retries; on SQLite in a file of its own; a stopped deskbot has none to finish",
	"leases":               "which running replica holds a job: nothing survives the move",
	"replicas":             "heartbeats of running processes, for deskbot status",
	"job_runs":             "when each scheduler job last ran, for deskbot status; the jobs run again anyway",
	"tickets_fts":          "SQLite's full-text index, kept by triggers: the import's inserts fill it again",
	"tickets_fts_config":   "a shadow table of tickets_fts",
	"tickets_fts_data":     "a shadow table of tickets_fts",
	"tickets_fts_docsize":  "a shadow table of tickets_fts",
	"tickets_fts_idx":      "a shadow table of tickets_fts",
	"comments_fts":         "SQLite's full-text index, kept by triggers: the import's inserts fill it again",
	"comments_fts_config":  "a shadow table of comments_fts",
	"comments_fts_data":    "a shadow table of comments_fts",
	"comments_fts_docsize": "a shadow table of comments_fts",
	"comments_fts_idx":     "a shadow table of comments_fts",
	"search_settings":      "the language the search index was built with: set from search.language at start-up",
}

// NotExportedColumns are columns ("table.column") an export leaves out,
// with why: values derived from the others (a search vector kept by a
// trigger), which the target computes again. Generated columns are left
// out without being listed: neither database takes a value for them.
var NotExportedColumns = map[string]string{
	"tickets.search":  "the full-text document, computed by a trigger from the title and description",
	"comments.search": "the full-text document, computed by a trigger from the body",
}
