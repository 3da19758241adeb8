package main

import (
	"bytes"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/deskbot/deskbot/storage/storagetest"
)

// rowsOf is an export's row lines, sorted: the file without its header,
// whose exported_at is each run's own.
func rowsOf(t *testing.T, path string) (header string, rows []string) {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSuffix(string(b), "\n"), "\n")
	rows = lines[1:]
	sort.Strings(rows)
	return lines[0], rows
}

// The upgrade path: the demo's day in SQLite moves to PostgreSQL with
// two commands, and the copy exports the same rows.
func TestMoveDemoFromSQLiteToPostgres(t *testing.T) {
	dir := t.TempDir()
	demoDB := filepath.Join(dir, "demo.db")
	if r := runCLI(t, nil, "demo", "--keep", demoDB); r.code != 0 {
		t.Fatalf("demo: %d %s", r.code, r.stderr)
	}
	sqlite := map[string]string{"DATABASE_URL": "sqlite:" + demoDB}
	pg := map[string]string{"DATABASE_URL": storagetest.PostgresDatabase(t)}
	first, second := filepath.Join(dir, "first.jsonl"), filepath.Join(dir, "second.jsonl")
	if r := runCLI(t, sqlite, "export", "--out", first); r.code != 0 || !strings.Contains(r.stderr, "Exported") {
		t.Fatalf("export: %+v", r)
	}
	r := runCLI(t, pg, "import", first)
	if r.code != 0 || !strings.Contains(r.stdout, "into the postgres database") {
		t.Fatalf("import: %+v", r)
	}
	if r := runCLI(t, pg, "export", "--out", second); r.code != 0 {
		t.Fatalf("export of the copy: %+v", r)
	}
	h1, rows1 := rowsOf(t, first)
	h2, rows2 := rowsOf(t, second)
	if strings.Split(h1, `"exported_at"`)[0] != strings.Split(h2, `"exported_at"`)[0] {
		t.Errorf("headers differ beyond the time:\n%s\n%s", h1, h2)
	}
	if strings.Join(rows1, "\n") != strings.Join(rows2, "\n") {
		t.Fatalf("the PostgreSQL copy exports other rows:\n%s", rowsDiff(rows1, rows2))
	}
	for _, table := range []string{"customers", "tickets", "comments", "events", "time_entries", "ticket_messages", "outbox"} {
		if !strings.Contains(strings.Join(rows1, "\n"), `{"table":"`+table+`"`) {
			t.Errorf("the demo's export has no %s: the test proves less than it says", table)
		}
	}
	// Loading twice is refused, and says why.
	r = runCLI(t, pg, "import", first)
	if r.code != 1 || !strings.Contains(r.stderr, "nothing imported: The database is not empty (customers: ") {
		t.Errorf("second import: %+v", r)
	}
}

func rowsDiff(a, b []string) string {
	in := func(list []string) map[string]bool {
		m := map[string]bool{}
		for _, l := range list {
			m[l] = true
		}
		return m
	}
	ina, inb := in(a), in(b)
	var out bytes.Buffer
	for _, l := range a {
		if !inb[l] {
			out.WriteString("- " + l + "\n")
		}
	}
	for _, l := range b {
		if !ina[l] {
			out.WriteString("+ " + l + "\n")
		}
	}
	return out.String()
}

func TestImportForeignCLI(t *testing.T) {
	dir := t.TempDir()
	env := map[string]string{"DATABASE_URL": "sqlite:" + filepath.Join(dir, "deskbot.db")}
	csv := filepath.Join("backup", "testdata", "tickets.csv")
	r := runCLI(t, env, "import", "--from", "csv", csv)
	if r.code != 1 || !strings.Contains(r.stderr, "tickets.csv: line 8 (csv:T-4): status \"lost\"") ||
		!strings.Contains(r.stderr, "7 rows of "+csv+" cannot be mapped (listed above): nothing imported") {
		t.Fatalf("import with problems: %+v", r)
	}
	out := filepath.Join(dir, "after.jsonl")
	if r := runCLI(t, env, "export", "--out", out); r.code != 0 || !strings.Contains(r.stderr, "0 customers, 0 tickets") {
		t.Fatalf("the refused import wrote something: %+v", r)
	}
	r = runCLI(t, env, "import", "--from", "csv", "--skip-unmappable", csv)
	if r.code != 0 || !strings.Contains(r.stdout, "Imported 2 tickets with 3 comments from "+csv+" (new customers ACME, GLOBEX); 7 rows left out.") {
		t.Fatalf("import: %+v", r)
	}
	r = runCLI(t, env, "import", "--from", "csv", "--skip-unmappable", csv)
	if r.code != 0 || !strings.Contains(r.stdout, "Already imported: csv:T-1 is ACME-1.") || !strings.Contains(r.stdout, "Imported 0 tickets") {
		t.Fatalf("second import: %+v", r)
	}
	if r := runCLI(t, env, "import", "--from", "jira", csv); r.code != 2 || !strings.Contains(r.stderr, `--from "jira": use zammad, freescout or csv`) {
		t.Errorf("unknown source: %+v", r)
	}
	if r := runCLI(t, env, "import", "--customer", "ACME", out); r.code != 2 || !strings.Contains(r.stderr, "go with --from") {
		t.Errorf("--customer without --from: %+v", r)
	}
}

// The config travels with the export and comes out where asked, never
// over a file.
func TestExportCarriesTheConfig(t *testing.T) {
	dir := t.TempDir()
	cfgPath := filepath.Join(dir, "deskbot.yaml")
	if err := os.WriteFile(cfgPath, []byte("priorities: [low, normal, high, urgent]\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	src := map[string]string{"DATABASE_URL": "sqlite:" + filepath.Join(dir, "a.db"), "DESKBOT_CONFIG": cfgPath}
	dst := map[string]string{"DATABASE_URL": "sqlite:" + filepath.Join(dir, "b.db")}
	file := filepath.Join(dir, "x.jsonl")
	if r := runCLI(t, src, "export", "--out", file); r.code != 0 {
		t.Fatalf("export: %+v", r)
	}
	if r := runCLI(t, dst, "import", "--config-out", cfgPath, file); r.code != 1 || !strings.Contains(r.stderr, "never overwrites") {
		t.Fatalf("import over the config: %+v", r)
	}
	restored := filepath.Join(dir, "restored.yaml")
	if r := runCLI(t, dst, "import", "--config-out", restored, file); r.code != 0 || !strings.Contains(r.stdout, "Wrote the config (deskbot.yaml)") {
		t.Fatalf("import: %+v", r)
	}
	if b, _ := os.ReadFile(restored); string(b) != "priorities: [low, normal, high, urgent]\n" {
		t.Errorf("restored config: %q", b)
	}
}
