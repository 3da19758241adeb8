package storage_test

import (
	"context"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/deskbot/deskbot/storage"
	"github.com/deskbot/deskbot/storage/storagetest"
)

// Where a DATABASE_URL points is said without the password, in the words
// an operator looks for.
func TestParseTargetNamesWhereItPoints(t *testing.T) {
	for in, want := range map[string]string{
		"":                           "SQLite file deskbot.db",
		"sqlite:/var/lib/deskbot.db": "SQLite file /var/lib/deskbot.db",
		"postgres://desk:s3cret@db.internal:5433/helpdesk?sslmode=disable": "PostgreSQL at db.internal:5433, database helpdesk, user desk",
		"host=127.0.0.1 user=postgres password=s3cret dbname=desk":         "PostgreSQL at 127.0.0.1:5432, database desk, user postgres",
	} {
		got, err := storage.ParseTarget(in)
		if err != nil || got.String() != want {
			t.Errorf("%q: %q %v, want %q", in, got, err, want)
		}
		if strings.Contains(got.String(), "s3cret") {
			t.Errorf("%q: password in %q", in, got)
		}
	}
}

// A mistyped DATABASE_URL is refused and creates no file.
func TestOpenRefusesWhatIsNotADatabaseURL(t *testing.T) {
	dir := t.TempDir()
	t.Chdir(dir)
	for _, raw := range []string{"deskbot.db", "host:127.0.0.1", "postgress://u@h/db"} {
		_, err := storage.Open(context.Background(), raw)
		if err == nil || !strings.HasPrefix(err.Error(), "DATABASE_URL: ") {
			t.Errorf("%q: %v", raw, err)
		}
	}
	if entries, _ := os.ReadDir(dir); len(entries) != 0 {
		t.Errorf("files created: %v", entries)
	}
}

// A SQLite path that cannot be written says which path and why, not
// SQLite's "unable to open database file (14)".
func TestOpenNamesPathAndReasonOfABadSQLiteFile(t *testing.T) {
	dir := t.TempDir()
	file := filepath.Join(dir, "plain")
	if err := os.WriteFile(file, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	for path, reason := range map[string]string{
		filepath.Join(dir, "missing", "d.db"): "directory " + filepath.Join(dir, "missing") + ": no such file or directory",
		filepath.Join(file, "d.db"):           file + " is not a directory",
		dir:                                   "it is a directory, not a file",
	} {
		_, err := storage.Open(context.Background(), "sqlite:"+path)
		want := "DATABASE_URL: SQLite file " + path + ": " + reason
		if err == nil || err.Error() != want {
			t.Errorf("got  %v\nwant %s", err, want)
		}
	}
}

// PostgreSQL that does not answer: the variable, the host and the reason.
func TestOpenNamesTheUnreachablePostgres(t *testing.T) {
	_, err := storage.Open(context.Background(), "host=127.0.0.1 port=1 user=desk dbname=helpdesk connect_timeout=2")
	if err == nil || !strings.HasPrefix(err.Error(), "DATABASE_URL: unable to reach PostgreSQL at 127.0.0.1:1, database helpdesk, user desk: ") ||
		!strings.Contains(err.Error(), "refused") {
		t.Errorf("%v", err)
	}
}

// libpq's keyword form reaches the same database as the URL form.
func TestOpenAcceptsLibpqKeywords(t *testing.T) {
	u, err := url.Parse(storagetest.PostgresDatabase(t))
	if err != nil {
		t.Fatal(err)
	}
	kw := fmt.Sprintf("host=%s port=%s user=%s dbname=%s sslmode=disable", u.Hostname(), u.Port(), u.User.Username(), strings.TrimPrefix(u.Path, "/"))
	if pw, ok := u.User.Password(); ok {
		kw += " password=" + pw
	}
	db, err := storage.Open(context.Background(), kw)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if _, err := db.Migrate(context.Background()); err != nil || db.Dialect() != storage.Postgres {
		t.Fatalf("%s %v", db.Dialect(), err)
	}
}
