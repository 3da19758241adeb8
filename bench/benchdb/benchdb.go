// Package benchdb gives the benchmark programs a throwaway database: a
// SQLite file in a temporary directory, or a fresh PostgreSQL database on
// the server the tests use (DESKBOT_TEST_POSTGRES), dropped afterwards.
package benchdb

import (
	"context"
	"database/sql"
	"fmt"
	"log/slog"
	"net/url"
	"os"
	"path/filepath"
	"time"

	_ "github.com/lib/pq" // the admin connection that creates the database

	"github.com/deskbot/deskbot/storage"
)

// Open opens an empty, unmigrated database of the dialect; prefix names
// it (the temporary directory or the PostgreSQL database). close removes it.
func Open(ctx context.Context, dialect, prefix string) (db *storage.DB, close func(), err error) {
	quiet := storage.WithLogger(slog.New(slog.DiscardHandler))
	if dialect == storage.SQLite {
		dir, err := os.MkdirTemp("", prefix+"-")
		if err != nil {
			return nil, nil, err
		}
		db, err := storage.Open(ctx, "sqlite:"+filepath.Join(dir, "d.db"), quiet)
		if err != nil {
			os.RemoveAll(dir)
			return nil, nil, err
		}
		return db, func() { db.Close(); os.RemoveAll(dir) }, nil
	}
	admin := os.Getenv("DESKBOT_TEST_POSTGRES")
	if admin == "" {
		admin = "postgres://postgres@127.0.0.1:5432/postgres?sslmode=disable"
	}
	a, err := sql.Open("postgres", admin)
	if err != nil {
		return nil, nil, err
	}
	name := fmt.Sprintf("%s_%d", prefix, time.Now().UnixNano())
	if _, err := a.ExecContext(ctx, "CREATE DATABASE "+name); err != nil {
		a.Close()
		return nil, nil, fmt.Errorf("no PostgreSQL at %s: %w", admin, err)
	}
	drop := func() { a.Exec("DROP DATABASE " + name + " WITH (FORCE)"); a.Close() }
	u, err := url.Parse(admin)
	if err != nil {
		drop()
		return nil, nil, err
	}
	u.Path = "/" + name
	db, err = storage.Open(ctx, u.String(), quiet)
	if err != nil {
		drop()
		return nil, nil, err
	}
	return db, func() { db.Close(); drop() }, nil
}
