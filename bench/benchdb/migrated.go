package benchdb

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"net/url"
	"os"
	"path/filepath"
	"time"

	_ "github.com/lib/pq" // PostgreSQL driver for the admin connection

	"github.com/deskbot/deskbot/storage"
)

// ErrSkip marks a database the run cannot use here (no PostgreSQL server).
var ErrSkip = errors.New("skipped")

// postgresURL is the server the temporary benchmark database is created on.
func postgresURL() string {
	if u := os.Getenv("DESKBOT_TEST_POSTGRES"); u != "" {
		return u
	}
	return "postgres://postgres@127.0.0.1:5432/postgres?sslmode=disable"
}

// OpenMigrated returns a fresh, migrated database of the dialect and a
// cleanup that closes it and removes it (temp file, or DROP DATABASE);
// prefix names the run in the temporary directory and in messages. An
// unreachable PostgreSQL server is ErrSkip.
func OpenMigrated(ctx context.Context, dialect, prefix string) (*storage.DB, func(), error) {
	var (
		dbURL   string
		cleanup = func() {}
	)
	switch dialect {
	case storage.SQLite:
		dir, err := os.MkdirTemp("", "deskbot-"+prefix+"-")
		if err != nil {
			return nil, nil, err
		}
		dbURL = "sqlite:" + filepath.Join(dir, "deskbot.db")
		cleanup = func() { _ = os.RemoveAll(dir) }
	case storage.Postgres:
		u, drop, err := createPostgres(ctx, prefix)
		if err != nil {
			return nil, nil, err
		}
		dbURL, cleanup = u, drop
	default:
		return nil, nil, fmt.Errorf("unknown database %q (want sqlite or postgres)", dialect)
	}
	quiet := storage.WithLogger(slog.New(slog.DiscardHandler))
	db, err := storage.Open(ctx, dbURL, quiet)
	if err != nil {
		cleanup()
		return nil, nil, err
	}
	if _, err := db.Migrate(ctx); err != nil {
		db.Close()
		cleanup()
		return nil, nil, err
	}
	return db, func() { db.Close(); cleanup() }, nil
}

// createPostgres creates deskbot_bench_<random> and returns its URL and a
// function that drops it (WITH (FORCE), so open connections do not block it).
func createPostgres(ctx context.Context, prefix string) (string, func(), error) {
	admin, err := sql.Open("postgres", postgresURL())
	if err != nil {
		return "", nil, fmt.Errorf("%w: %v", ErrSkip, err)
	}
	pctx, cancel := context.WithTimeout(ctx, 3*time.Second)
	defer cancel()
	if err := admin.PingContext(pctx); err != nil {
		admin.Close()
		return "", nil, fmt.Errorf("%w: no PostgreSQL server at %s (%v); start one or set DESKBOT_TEST_POSTGRES", ErrSkip, redact(postgresURL()), err)
	}
	b := make([]byte, 6)
	_, _ = rand.Read(b)
	name := "deskbot_bench_" + hex.EncodeToString(b)
	if _, err := admin.ExecContext(ctx, "CREATE DATABASE "+name); err != nil {
		admin.Close()
		return "", nil, fmt.Errorf("create benchmark database: %w", err)
	}
	drop := func() {
		dctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		if _, err := admin.ExecContext(dctx, "DROP DATABASE IF EXISTS "+name+" WITH (FORCE)"); err != nil {
			fmt.Fprintf(os.Stderr, "%s: unable to drop database %s: %v\n", prefix, name, err)
		}
		admin.Close()
	}
	u, err := url.Parse(postgresURL())
	if err != nil {
		drop()
		return "", nil, err
	}
	u.Path = "/" + name
	return u.String(), drop, nil
}

// redact hides a password in a URL for messages.
func redact(raw string) string {
	u, err := url.Parse(raw)
	if err != nil {
		return "(unparsable URL)"
	}
	return u.Redacted()
}
