package storage_test

import (
	"bytes"
	"context"
	"errors"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/deskbot/deskbot/backup"
	"github.com/deskbot/deskbot/storage"
	"github.com/deskbot/deskbot/storage/storagetest"
)

// FuzzImportReader feeds the import any bytes: the reader never panics,
// and an import either loads or leaves the database as empty as it was.
// Seeds: storage/testdata/export (a real export and broken ones).
func FuzzImportReader(f *testing.F) {
	seeds, err := filepath.Glob(filepath.Join("testdata", "export", "*.jsonl"))
	if err != nil || len(seeds) == 0 {
		f.Fatalf("no seeds in testdata/export: %v", err)
	}
	for _, s := range seeds {
		b, err := os.ReadFile(s)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
	f.Add([]byte("{}\n"))
	f.Add([]byte(`{"format":"deskbot-export","format_version":1,"schema_version":1,"exported_at":""}` + "\n" + `{"table":"releases","row":{"id":1e400}}`))
	ctx := context.Background()
	db := storagetest.Open(f, storage.SQLite)
	count := countAll()
	f.Fuzz(func(t *testing.T, data []byte) {
		r, err := backup.NewReader(bytes.NewReader(data))
		if err != nil {
			if _, err := db.Import(ctx, bytes.NewReader(data)); err == nil {
				t.Fatal("the import took a file whose header its reader refuses")
			}
			return // refused before the database is touched
		}
		for {
			if _, err := r.Next(); err != nil {
				break
			}
		}
		_, err = db.Import(ctx, bytes.NewReader(data))
		var rows int
		if qerr := db.SQL().QueryRow(count).Scan(&rows); qerr != nil {
			t.Fatal(qerr)
		}
		if err != nil {
			if rows != 0 {
				t.Fatalf("a failed import (%v) left %d rows", err, rows)
			}
			return
		}
		clear(t, db)
	})
}

// countAll is one query counting the rows of every exported table.
func countAll() string {
	var parts []string
	for _, tb := range storage.ExportTables {
		parts = append(parts, "(SELECT COUNT(*) FROM "+tb.Name+")")
	}
	return "SELECT " + strings.Join(parts, " + ")
}

// clear empties the exported tables, children first, for the next input.
func clear(t *testing.T, db *storage.DB) {
	t.Helper()
	tables := slices.Clone(storage.ExportTables)
	slices.Reverse(tables)
	for _, tb := range tables {
		if _, err := db.SQL().Exec(`DELETE FROM ` + tb.Name); err != nil && !errors.Is(err, io.EOF) {
			t.Fatal(err)
		}
	}
}
