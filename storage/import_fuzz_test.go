package storage_test

import (
	"bytes"
	"context"
	"errors"
	"io"
	"os"
	"path/filepath"
	"slices"
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
	var emptyExport bytes.Buffer
	if _, err := db.Export(ctx, &emptyExport, nil); err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		if r, err := backup.NewReader(bytes.NewReader(data)); err == nil {
			for {
				if _, err := r.Next(); err != nil {
					break
				}
			}
		}
		_, err := db.Import(ctx, bytes.NewReader(data))
		var now bytes.Buffer
		if _, xerr := db.Export(ctx, &now, nil); xerr != nil {
			t.Fatal(xerr)
		}
		if err != nil {
			if !sameRows(emptyExport.Bytes(), now.Bytes()) {
				t.Fatalf("a failed import (%v) left rows:\n%s", err, now.Bytes())
			}
			return
		}
		clear(t, db)
	})
}

// sameRows compares two exports but for their headers.
func sameRows(a, b []byte) bool {
	_, ra, _ := bytes.Cut(a, []byte("\n"))
	_, rb, _ := bytes.Cut(b, []byte("\n"))
	return bytes.Equal(ra, rb)
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
