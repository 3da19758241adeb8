package storage_test

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/deskbot/deskbot/domain"
	"github.com/deskbot/deskbot/storage"
	"github.com/deskbot/deskbot/storage/storagetest"
)

// Every table of the migrated schema is exported or excluded with a
// reason: a table added by a migration fails here, by name, until it is
// one or the other — so no export silently loses it.
func TestExportCoversSchema(t *testing.T) {
	storagetest.ForEach(t, func(t *testing.T, db *storage.DB) {
		ctx := context.Background()
		tables, err := db.Tables(ctx)
		if err != nil {
			t.Fatal(err)
		}
		listed := map[string]bool{}
		for _, et := range storage.ExportTables {
			if listed[et.Name] {
				t.Errorf("table %s is listed twice in storage.ExportTables", et.Name)
			}
			listed[et.Name] = true
			if _, also := storage.NotExported[et.Name]; also {
				t.Errorf("table %s is both exported and excluded", et.Name)
			}
			if !slices.Contains(tables, et.Name) {
				t.Errorf("storage.ExportTables lists %s, which the migrated schema lacks", et.Name)
			}
		}
		for _, name := range tables {
			why, excluded := storage.NotExported[name]
			if !listed[name] && !excluded {
				t.Errorf("table %s is neither exported (storage.ExportTables) nor excluded with a reason (storage.NotExported)", name)
			}
			if excluded && strings.TrimSpace(why) == "" {
				t.Errorf("table %s is excluded without a reason", name)
			}
		}
	})
}

var exportClock = time.Date(2026, 3, 10, 18, 0, 0, 0, time.UTC)

// seedAll writes at least one row in the tables people's work lives in,
// with values that tell the databases apart if any is mishandled: NULLs,
// booleans, microseconds, bytes, text with quotes and newlines.
func seedAll(t *testing.T, db *storage.DB) {
	t.Helper()
	ctx := context.Background()
	acme := seedCustomer(t, db, "ACME")
	seedCustomer(t, db, "GLOBEX")
	a := seedTicket(t, db, acme, `VPN "drops" <every> hour`)
	b := seedTicket(t, db, acme, "Invoices\nmissing")
	update(t, db, func(tx domain.Tx) error {
		c := &domain.Comment{TicketID: a.ID, AuthorID: "U1", AuthorRole: domain.RoleAgent, Body: "Looking — ünïcödé & <b>", Public: true, Channel: domain.ChannelSlack}
		if err := tx.AddComment(ctx, c); err != nil {
			return err
		}
		note := &domain.Comment{TicketID: a.ID, AuthorID: "U1", AuthorRole: domain.RoleAgent, Body: "internal", Channel: domain.ChannelSlack}
		if err := tx.AddComment(ctx, note); err != nil {
			return err
		}
		if err := tx.AddEvent(ctx, &domain.Event{TicketID: a.ID, Actor: "U1", Channel: domain.ChannelSlack, Kind: domain.EventStatus, Field: "status", OldValue: "new", NewValue: "open", At: t0}); err != nil {
			return err
		}
		if err := tx.AddLink(ctx, &domain.Link{FromID: b.ID, ToID: a.ID, Kind: "blocks"}); err != nil {
			return err
		}
		if _, err := tx.AddTag(ctx, a.ID, "vpn"); err != nil {
			return err
		}
		end := t0.Add(26 * time.Minute)
		if err := tx.CreateTimeEntry(ctx, &domain.TimeEntry{TicketID: a.ID, UserID: "U1", StartedAt: t0, EndedAt: &end, Seconds: 1560, Billable: true, Source: "timer"}); err != nil {
			return err
		}
		if err := tx.AddAttachment(ctx, &domain.Attachment{TicketID: a.ID, CommentID: &c.ID, Filename: "log.txt", ContentType: "text/plain", Size: 4, Stored: true, Data: []byte{0, 1, 2, 255}}); err != nil {
			return err
		}
		return tx.AddPortalKey(ctx, &domain.PortalKey{Secret: []byte("0123456789abcdef0123456789abcdef")})
	})
}

// export writes db's backup file.
func export(t *testing.T, db *storage.DB) []byte {
	t.Helper()
	var buf bytes.Buffer
	if _, err := db.Export(context.Background(), &buf, map[string]any{"file": "", "yaml": ""}); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func sortedLines(b []byte) string {
	lines := strings.Split(strings.TrimSuffix(string(b), "\n"), "\n")
	sort.Strings(lines)
	return strings.Join(lines, "\n")
}

// Export → import → export gives the same file, each way between the
// databases; what the copy creates next takes the next ids and numbers.
func TestExportImportRoundTrip(t *testing.T) {
	for _, dir := range [][2]string{{storage.SQLite, storage.Postgres}, {storage.Postgres, storage.SQLite}} {
		t.Run(dir[0]+"→"+dir[1], func(t *testing.T) {
			ctx := context.Background()
			clock := storage.WithClock(storagetest.NewClock(exportClock).Now)
			src := storagetest.Open(t, dir[0], clock)
			seedAll(t, src)
			first := export(t, src)
			dst := storagetest.Open(t, dir[1], clock)
			sum, err := dst.Import(ctx, bytes.NewReader(first))
			if err != nil {
				t.Fatal(err)
			}
			if sum.Rows["tickets"] != 2 || sum.Rows["attachments"] != 1 {
				t.Errorf("import loaded %v", sum.Rows)
			}
			second := export(t, dst)
			if sortedLines(first) != sortedLines(second) {
				t.Fatalf("the copy exports differently:\nfirst:\n%s\nsecond:\n%s", first, second)
			}
			if !bytes.Equal(first, second) {
				t.Errorf("same lines, other order:\nfirst:\n%s\nsecond:\n%s", first, second)
			}
			acme := customerByKey(t, dst, "ACME")
			next := seedTicket(t, dst, acme, "after the move")
			if next.Number != 3 || next.ID != 3 {
				t.Errorf("the next ticket is #%d with id %d, want ACME-3 with id 3", next.Number, next.ID)
			}
			other := seedCustomer(t, dst, "INITECH")
			if other.ID != 3 {
				t.Errorf("the next customer has id %d, want 3", other.ID)
			}
		})
	}
}

func customerByKey(t *testing.T, db *storage.DB, key string) *domain.Customer {
	t.Helper()
	var c *domain.Customer
	err := db.View(context.Background(), func(tx domain.Tx) (err error) {
		c, err = tx.CustomerByKey(context.Background(), key)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// A refused import names why and writes nothing.
func TestImportRefuses(t *testing.T) {
	clock := storage.WithClock(storagetest.NewClock(exportClock).Now)
	src := storagetest.Open(t, storage.SQLite, clock)
	seedAll(t, src)
	good := export(t, src)
	lines := strings.SplitAfter(string(good), "\n")
	header := lines[0]
	storagetest.ForEach(t, func(t *testing.T, db *storage.DB) {
		ctx := context.Background()
		empty := export(t, db)
		cases := []struct {
			name, file, want string
		}{
			{"not an export", "hello\n", "not a deskbot export"},
			{"empty", "", "empty"},
			{"newer format", strings.Replace(header, `"format_version":1`, `"format_version":2`, 1), "newer export format"},
			{"newer schema", strings.Replace(header, `"schema_version":`, `"schema_version":9999`, 1), "schema version 9999"},
			{"bad last line", string(good) + "{\"table\":\"tickets\",\"row\":{\"id\":\"x\"}}\n", "line " + strconv.Itoa(len(lines)) + ": table tickets: column id: wants an integer, not a string"},
			{"unknown table", header + "{\"table\":\"secrets\",\"row\":{}}\n", "line 2: table secrets: no such table"},
			{"excluded table", header + "{\"table\":\"leases\",\"row\":{}}\n", "line 2: table leases: not part of an export"},
			{"unknown column", header + "{\"table\":\"releases\",\"row\":{\"colour\":\"red\"}}\n", "line 2: table releases: no column colour"},
			{"broken foreign key", string(good) + "{\"table\":\"comments\",\"row\":{\"id\":99,\"ticket_id\":42,\"author_role\":\"agent\",\"body\":\"x\",\"public\":true,\"channel\":\"slack\",\"created_at\":\"2026-03-10T09:00:00.000000Z\",\"updated_at\":\"2026-03-10T09:00:00.000000Z\"}}\n", "line " + strconv.Itoa(len(lines)) + ": table comments"},
		}
		for _, c := range cases {
			t.Run(c.name, func(t *testing.T) {
				_, err := db.Import(ctx, strings.NewReader(c.file))
				if err == nil || !strings.Contains(err.Error(), c.want) {
					t.Fatalf("import: %v, want an error with %q", err, c.want)
				}
				if got := export(t, db); !bytes.Equal(got, empty) {
					t.Fatalf("a refused import wrote:\n%s", got)
				}
			})
		}
		if _, err := db.Import(ctx, bytes.NewReader(good)); err != nil {
			t.Fatal(err)
		}
		before := export(t, db)
		_, err := db.Import(ctx, bytes.NewReader(good))
		if err == nil || !strings.Contains(err.Error(), "The database is not empty (customers: 2") {
			t.Fatalf("second import: %v, want the not-empty refusal", err)
		}
		if after := export(t, db); !bytes.Equal(before, after) {
			t.Errorf("the refused import changed the database")
		}
	}, clock)
}

// A file from before migration 15 says projects and project_id; it loads
// as customers and customer_id: the database exports as the same file of
// today's schema loaded would.
func TestImportUpgradesOlderSchema(t *testing.T) {
	valid, err := os.ReadFile(filepath.Join("testdata", "export", "valid.jsonl"))
	if err != nil {
		t.Fatal(err)
	}
	old := strings.Replace(string(valid), `"schema_version":23`, `"schema_version":14`, 1)
	old = strings.ReplaceAll(old, `{"table":"customers"`, `{"table":"projects"`)
	old = strings.ReplaceAll(old, `"customer_id":`, `"project_id":`)
	if !strings.Contains(old, `"project_id":`) || !strings.Contains(old, `{"table":"projects"`) {
		t.Fatal("the seed has no customer rows to rename")
	}
	clock := storage.WithClock(storagetest.NewClock(exportClock).Now)
	storagetest.ForEach(t, func(t *testing.T, db *storage.DB) {
		ctx := context.Background()
		if _, err := db.Import(ctx, strings.NewReader(old)); err != nil {
			t.Fatal(err)
		}
		today := storagetest.Open(t, db.Dialect(), clock)
		if _, err := today.Import(ctx, bytes.NewReader(valid)); err != nil {
			t.Fatal(err)
		}
		if got, want := export(t, db), export(t, today); !bytes.Equal(got, want) {
			t.Errorf("the upgraded file exports:\n%s\nwant:\n%s", got, want)
		}
	}, clock)
}
