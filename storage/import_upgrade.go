package storage

import "github.com/deskbot/deskbot/backup"

// upgrade renames what a migration renamed, for files exported before it:
// rows of an older schema load into the current one. Columns a file lacks
// take their defaults; a migration that needs more than a rename (a value
// computed, a table split) adds its step here.
type upgrade struct {
	before  int64                        // files exported at a schema version below this
	tables  map[string]string            // old name → new
	columns map[string]map[string]string // new table name → old column → new
}

var upgrades = []upgrade{
	{ // 00015_customers: a project became a customer.
		before: 15,
		tables: map[string]string{"projects": "customers", "project_versions": "customer_versions"},
		columns: map[string]map[string]string{
			"customer_versions": {"project_id": "customer_id"},
			"tickets":           {"project_id": "customer_id"},
			"time_entries":      {"project_id": "customer_id"},
			"billing_locks":     {"project_id": "customer_id"},
			"survey_answers":    {"project_id": "customer_id"},
			"slack_teams":       {"project_id": "customer_id"},
		},
	},
}

func upgradeRecord(from int64, rec *backup.Record) {
	for _, u := range upgrades {
		if from >= u.before {
			continue
		}
		if to, ok := u.tables[rec.Table]; ok {
			rec.Table = to
		}
		for old, renamed := range u.columns[rec.Table] {
			if v, ok := rec.Row[old]; ok {
				delete(rec.Row, old)
				rec.Row[renamed] = v
			}
		}
	}
}
