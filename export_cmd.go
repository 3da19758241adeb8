package main

import (
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"github.com/deskbot/deskbot/storage"
)

const exportUsage = `Usage: deskbot export --out FILE

Writes the whole helpdesk in DATABASE_URL — customers, tickets, comments,
events, time entries, attachments, links, tags, views, keys, the outbox —
and the config file (DESKBOT_CONFIG) to FILE, as JSON Lines: a header
line, then one line per row (docs/export-format.md). The rows are read in
one transaction, so the file is one moment of the database, taken while
deskbot runs. FILE "-" is the standard output; otherwise the file appears
only once complete.

The file holds the keys that sign customers' links and the API tokens'
hashes: keep it as you keep the database.
`

func exportCmd(c *cli, args []string) error {
	fs := newFlags("export", exportUsage)
	out := fs.String("out", "", "the file to write (- for the standard output)")
	if err := fs.parse(c, args, 0); err != nil {
		return err
	}
	if *out == "" {
		return &usageError{fmt.Errorf("export: name the file to write with --out FILE"), fs.usage()}
	}
	env, err := c.env()
	if err != nil {
		return err
	}
	config, err := configRow(strings.TrimSpace(c.getenv("DESKBOT_CONFIG")))
	if err != nil {
		return err
	}
	db, _, err := openDB(c.ctx, env, newLogger(env, c.stderr))
	if err != nil {
		return err
	}
	defer db.Close()
	var sum storage.ExportSummary
	err = writeAtomically(*out, c.stdout, func(w io.Writer) error {
		sum, err = db.Export(c.ctx, w, config)
		return err
	})
	if err != nil {
		return err
	}
	rows := 0
	for _, n := range sum.Rows {
		rows += n
	}
	where := *out
	if where == "-" {
		where = "the standard output"
	}
	fmt.Fprintf(c.stderr, "Exported %d rows of %d tables (%s; schema %d) as of %s to %s.\n",
		rows, len(sum.Rows), countsOf(sum.Rows, "customers", "tickets", "comments"), sum.SchemaVersion,
		sum.ExportedAt.Format("2006-01-02 15:04:05 MST"), where)
	return nil
}

// configRow is the config pseudo-table's row: the file's name and text,
// or both empty for the built-in defaults.
func configRow(path string) (map[string]any, error) {
	if path == "" {
		return map[string]any{"file": "", "yaml": ""}, nil
	}
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("DESKBOT_CONFIG: %w", err)
	}
	return map[string]any{"file": filepath.Base(path), "yaml": string(b)}, nil
}

// writeAtomically writes to a temporary file beside path and renames it
// into place once write succeeds: a failed export leaves no half file.
func writeAtomically(path string, stdout io.Writer, write func(io.Writer) error) error {
	if path == "-" {
		return write(stdout)
	}
	f, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".*")
	if err != nil {
		return fmt.Errorf("export: %w", err)
	}
	defer os.Remove(f.Name()) // after the rename, nothing to remove
	if err := write(f); err != nil {
		f.Close()
		return err
	}
	if err := f.Sync(); err != nil {
		f.Close()
		return fmt.Errorf("export: %w", err)
	}
	if err := f.Close(); err != nil {
		return fmt.Errorf("export: %w", err)
	}
	if err := os.Rename(f.Name(), path); err != nil {
		return fmt.Errorf("export: %w", err)
	}
	return nil
}

// countsOf says some tables' counts: "2 customers, 7 tickets".
func countsOf(rows map[string]int, tables ...string) string {
	var parts []string
	for _, t := range tables {
		parts = append(parts, fmt.Sprintf("%d %s", rows[t], t))
	}
	return strings.Join(parts, ", ")
}

// sortedCounts lists every table with rows, by name.
func sortedCounts(rows map[string]int) string {
	var names []string
	for t, n := range rows {
		if n > 0 {
			names = append(names, t)
		}
	}
	sort.Strings(names)
	var parts []string
	for _, t := range names {
		parts = append(parts, fmt.Sprintf("%s %d", t, rows[t]))
	}
	return strings.Join(parts, ", ")
}
