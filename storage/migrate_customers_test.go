package storage_test

import (
	"context"
	"log/slog"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/deskbot/deskbot/domain"
	"github.com/deskbot/deskbot/storage"
	"github.com/deskbot/deskbot/storage/storagetest"
)

// A database made by a release that still called customers projects keeps
// every customer, version, ticket and time entry through the rename.
func TestCustomersRenameKeepsData(t *testing.T) {
	for _, dialect := range storagetest.Dialects {
		t.Run(dialect, func(t *testing.T) {
			ctx := context.Background()
			db := openAtVersion(t, dialect, 14)
			now := time.Date(2026, 11, 2, 9, 0, 0, 0, time.UTC)
			old := []string{
				`INSERT INTO projects (key, name, created_at, updated_at, ticket_seq) VALUES ('ACME', 'Acme Corp', $1, $1, 7)`,
				`INSERT INTO project_versions (project_id, version, since, recorded_by, created_at) VALUES (1, '4.2.1', $1, 'U1', $1)`,
				`INSERT INTO tickets (project_id, number, title, type, status, priority, source, created_by, created_at, updated_at, key_prefix, key_number)
				 VALUES (1, 7, 'Login fails', 'bug', 'new', 'high', 'slack', 'U1', $1, $1, 'ACME', 7)`,
				`INSERT INTO time_entries (ticket_id, project_id, user_id, started_at, ended_at, seconds, billable, note, source, created_at, updated_at)
				 VALUES (1, 1, 'U1', $1, $1, 1800, TRUE, 'call', 'slack', $1, $1)`,
			}
			for _, q := range old {
				if dialect == storage.SQLite {
					q = strings.ReplaceAll(q, "$1", "?1") // SQLite numbers its parameters so
				}
				if _, err := db.SQL().ExecContext(ctx, q, now); err != nil {
					t.Fatalf("%s: %v", q, err)
				}
			}
			if _, err := db.Migrate(ctx); err != nil {
				t.Fatal(err)
			}
			err := db.View(ctx, func(tx domain.Tx) error {
				c, err := tx.CustomerByKey(ctx, "ACME")
				if err != nil {
					return err
				}
				if c.Name != "Acme Corp" {
					t.Errorf("customer after rename: %+v", c)
				}
				tk, err := tx.TicketByKey(ctx, "ACME-7")
				if err != nil {
					return err
				}
				if tk.Title != "Login fails" || tk.CustomerID != c.ID {
					t.Errorf("ticket after rename: %+v", tk)
				}
				entries, err := tx.TimeEntries(ctx, domain.TimeFilter{CustomerID: c.ID})
				if err != nil {
					return err
				}
				if len(entries) != 1 || entries[0].Seconds != 1800 {
					t.Errorf("time entries after rename: %+v", entries)
				}
				return nil
			})
			if err != nil {
				t.Fatal(err)
			}
			// The next ticket continues the old numbering.
			err = db.Update(ctx, func(tx domain.Tx) error {
				c, err := tx.CustomerByKey(ctx, "ACME")
				if err != nil {
					return err
				}
				tk := &domain.Ticket{CustomerID: c.ID, Title: "Second", Type: "bug", Status: "new", Priority: "normal", Source: "slack", CreatedBy: "U1"}
				if err := tx.CreateTicket(ctx, tk); err != nil {
					return err
				}
				return nil
			})
			if err != nil {
				t.Fatal(err)
			}
			err = db.View(ctx, func(tx domain.Tx) error {
				_, err := tx.TicketByKey(ctx, "ACME-8")
				return err
			})
			if err != nil {
				t.Errorf("numbering after rename: %v", err)
			}
			// The rename rolls back and forward again without losing a row.
			if err := db.MigrateDownTo(ctx, 14); err != nil {
				t.Fatalf("down: %v", err)
			}
			var n int
			if err := db.SQL().QueryRowContext(ctx, "SELECT count(*) FROM tickets WHERE project_id = 1").Scan(&n); err != nil || n != 2 {
				t.Errorf("tickets after down: %d %v", n, err)
			}
			if _, err := db.Migrate(ctx); err != nil {
				t.Fatalf("up again: %v", err)
			}
		})
	}
}

// openAtVersion opens an empty database of the dialect migrated up to
// version only, as an earlier release left it; closed when the test ends.
func openAtVersion(t *testing.T, dialect string, version int64) *storage.DB {
	t.Helper()
	url := "sqlite:" + filepath.Join(t.TempDir(), "old.db")
	if dialect == storage.Postgres {
		url = storagetest.PostgresDatabase(t)
	}
	db, err := storage.Open(context.Background(), url, storage.WithLogger(slog.New(slog.DiscardHandler)))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	if err := db.MigrateUpTo(context.Background(), version); err != nil {
		t.Fatal(err)
	}
	return db
}
