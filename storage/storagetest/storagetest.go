// Package storagetest opens fresh, migrated databases for tests: an SQLite
// file per test, and a PostgreSQL database per test that is dropped after.
package storagetest

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"fmt"
	"log/slog"
	"net/url"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/deskbot/deskbot/storage"
)

// PostgresURL is the server tests create their databases on.
// DESKBOT_TEST_POSTGRES overrides it.
func PostgresURL() string {
	if u := os.Getenv("DESKBOT_TEST_POSTGRES"); u != "" {
		return u
	}
	return "postgres://postgres@127.0.0.1:5432/postgres?sslmode=disable"
}

// Dialects are the databases every storage-backed test runs on.
var Dialects = []string{storage.SQLite, storage.Postgres}

// ForEach runs fn as a subtest on a fresh database of each dialect.
func ForEach(t *testing.T, fn func(t *testing.T, db *storage.DB), opts ...storage.Option) {
	for _, d := range Dialects {
		t.Run(d, func(t *testing.T) { fn(t, Open(t, d, opts...)) })
	}
}

// Open returns a migrated, empty database of the dialect, closed (and on
// PostgreSQL dropped) when the test ends. Without a PostgreSQL server the
// test is skipped with the reason — or fails under CI=true, where a
// skipped database test would hide a broken build.
func Open(tb testing.TB, dialect string, opts ...storage.Option) *storage.DB {
	tb.Helper()
	ctx := context.Background()
	var dbURL string
	switch dialect {
	case storage.SQLite:
		dbURL = "sqlite:" + filepath.Join(tb.TempDir(), "deskbot.db")
	case storage.Postgres:
		dbURL = PostgresDatabase(tb)
	default:
		tb.Fatalf("unknown dialect %q", dialect)
	}
	quiet := storage.WithLogger(slog.New(slog.DiscardHandler))
	db, err := storage.Open(ctx, dbURL, append([]storage.Option{quiet}, opts...)...)
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { db.Close() })
	if _, err := db.Migrate(ctx); err != nil {
		tb.Fatal(err)
	}
	return db
}

var (
	adminOnce sync.Once
	admin     *sql.DB
	adminErr  error
)

// PostgresDatabase creates an empty PostgreSQL database, dropped when the
// test ends, and returns its URL: for tests that open it from several
// processes or pools. It skips (fails under CI=true) without a server.
func PostgresDatabase(tb testing.TB) string {
	tb.Helper()
	adminOnce.Do(func() {
		admin, adminErr = sql.Open("postgres", PostgresURL())
		if adminErr == nil {
			ctx, cancel := context.WithTimeout(context.Background(), 3*time.Second)
			defer cancel()
			adminErr = admin.PingContext(ctx)
		}
	})
	if adminErr != nil {
		if os.Getenv("CI") == "true" {
			tb.Fatalf("PostgreSQL required under CI=true but not reachable at %s: %v", PostgresURL(), adminErr)
		}
		tb.Skipf("PostgreSQL tests skipped: no server at %s (%v); start one or set DESKBOT_TEST_POSTGRES", PostgresURL(), adminErr)
	}
	b := make([]byte, 6)
	_, _ = rand.Read(b)
	name := "deskbot_test_" + hex.EncodeToString(b)
	if _, err := admin.Exec("CREATE DATABASE " + name); err != nil {
		tb.Fatalf("create test database: %v", err)
	}
	tb.Cleanup(func() {
		if _, err := admin.Exec("DROP DATABASE IF EXISTS " + name + " WITH (FORCE)"); err != nil {
			tb.Logf("drop test database %s: %v", name, err)
		}
	})
	u, err := url.Parse(PostgresURL())
	if err != nil {
		tb.Fatal(err)
	}
	u.Path = "/" + name
	return u.String()
}

// Clock is a settable clock for tests.
type Clock struct {
	mu sync.Mutex
	t  time.Time
}

// NewClock returns a clock stopped at t.
func NewClock(t time.Time) *Clock { return &Clock{t: t} }

// Now returns the clock's time.
func (c *Clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

// Advance moves the clock forward.
func (c *Clock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

// Set moves the clock to t.
func (c *Clock) Set(t time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = t
}

// String helps failure messages.
func (c *Clock) String() string { return fmt.Sprint(c.Now()) }
