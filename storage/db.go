// Package storage keeps deskbot's data in PostgreSQL or an embedded SQLite
// file, behind the domain.Store interface. It is the only package that
// speaks SQL; it knows nothing of Slack or mail.
package storage

import (
	"context"
	"database/sql"
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"net/url"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/jmoiron/sqlx"
	_ "github.com/lib/pq" // PostgreSQL driver
	"github.com/pressly/goose/v3"
	"github.com/pressly/goose/v3/lock"
	_ "modernc.org/sqlite" // embedded SQLite driver, pure Go

	"github.com/deskbot/deskbot/domain"
)

// Dialects deskbot runs on.
const (
	Postgres = "postgres"
	SQLite   = "sqlite"
)

//go:embed migrations
var migrations embed.FS

// DB is an open database with deskbot's schema.
type DB struct {
	db *sqlx.DB
	// front is the inbox's own (inbox.go): an envelope's ack waits for its
	// write, which must queue behind no worker. On PostgreSQL it is a small
	// pool of its own; on SQLite, whose writers take turns on a file, a
	// file of its own next to the database (its path + "-inbox").
	front *sqlx.DB
	wlock writeLock // SQLite's writers, in process (writelock.go)
	ilock writeLock // the same for the inbox's file
	// storeStmt is StoreInputs' statement on PostgreSQL, prepared once.
	frontMu   sync.Mutex
	storeStmt *sqlx.Stmt
	dialect   string
	now       func() time.Time
	log       *slog.Logger
	goose     *goose.Provider
	stmts     *stmtCache
	// ticketBurst is how many tickets the last write transaction that
	// opened any opened: the next one reserves that many ids at once
	// (queue_tickets.go).
	ticketBurst atomic.Int64
}

// Option changes how a DB behaves.
type Option func(*DB)

// WithClock sets the clock transactions read Now from; tests use it.
func WithClock(now func() time.Time) Option { return func(d *DB) { d.now = now } }

// WithLogger sets the logger.
func WithLogger(l *slog.Logger) Option { return func(d *DB) { d.log = l } }

// ParseURL tells the dialect and driver DSN of a DATABASE_URL: postgres://…
// for PostgreSQL; sqlite:PATH or a plain path for SQLite; empty means
// sqlite:deskbot.db in the working directory.
func ParseURL(raw string) (dialect, dsn string, err error) {
	switch {
	case raw == "":
		raw = "sqlite:deskbot.db"
	case strings.HasPrefix(raw, "postgres://"), strings.HasPrefix(raw, "postgresql://"):
		u, err := url.Parse(raw)
		if err != nil {
			return "", "", fmt.Errorf("not a valid postgres:// URL: %v", err)
		}
		q := u.Query()
		// Times come back in UTC, so what was written reads back equal.
		if q.Get("timezone") == "" {
			q.Set("timezone", "UTC")
		}
		u.RawQuery = q.Encode()
		return Postgres, u.String(), nil
	case strings.Contains(raw, "://") && !strings.HasPrefix(raw, "sqlite:"):
		return "", "", fmt.Errorf("unsupported database %q: use postgres://… or sqlite:PATH", strings.SplitN(raw, "://", 2)[0])
	}
	path := strings.TrimPrefix(strings.TrimPrefix(raw, "sqlite:"), "//")
	if path == "" {
		return "", "", errors.New("sqlite: needs a file path, like sqlite:deskbot.db")
	}
	if strings.Contains(path, "?") {
		return "", "", errors.New("sqlite: give a plain file path; deskbot sets the connection options itself")
	}
	// WAL lets readers run beside the writer; IMMEDIATE transactions take
	// the write lock up front, so two writers queue instead of deadlocking
	// when both upgrade from a read lock.
	dsn = "file:" + filepath.ToSlash(path) +
		"?_pragma=busy_timeout(10000)&_pragma=journal_mode(WAL)&_pragma=foreign_keys(1)" +
		"&_pragma=synchronous(NORMAL)&_txlock=immediate&_time_format=sqlite"
	return SQLite, dsn, nil
}

// inboxDSN is where the inbox is: on SQLite a file of its own, with the
// same settings.
func inboxDSN(dialect, dsn string) string {
	if dialect != SQLite {
		return dsn
	}
	path, params, _ := strings.Cut(dsn, "?")
	return path + "-inbox?" + params
}

// Open connects to the database named by a DATABASE_URL. It does not
// migrate: call Migrate.
func Open(ctx context.Context, rawURL string, opts ...Option) (*DB, error) {
	dialect, dsn, err := ParseURL(rawURL)
	if err != nil {
		return nil, fmt.Errorf("DATABASE_URL: %w", err)
	}
	driver := "postgres"
	if dialect == SQLite {
		driver = "sqlite"
	}
	sdb, err := sqlx.Open(driver, dsn)
	if err != nil {
		return nil, fmt.Errorf("store: unable to open %s: %w", dialect, err)
	}
	front, err := sqlx.Open(driver, inboxDSN(dialect, dsn))
	if err != nil {
		sdb.Close()
		return nil, fmt.Errorf("store: unable to open %s: %w", dialect, err)
	}
	d := &DB{db: sdb, front: front, dialect: dialect, now: time.Now, log: slog.Default(), stmts: newStmtCache(sdb, stmtCacheMax)}
	for _, o := range opts {
		o(d)
	}
	if dialect == SQLite {
		// One writer at a time is SQLite's rule; a few connections let
		// reads proceed beside it.
		sdb.SetMaxOpenConns(4)
		sdb.SetMaxIdleConns(4) // idle connections keep their prepared statements
		front.SetMaxOpenConns(1)
	} else {
		front.SetMaxOpenConns(domain.InboxWriters)
		front.SetMaxIdleConns(domain.InboxWriters)
		sdb.SetMaxOpenConns(20)
		sdb.SetMaxIdleConns(10)
		sdb.SetConnMaxIdleTime(5 * time.Minute)
	}
	if err := sdb.PingContext(ctx); err != nil {
		sdb.Close()
		front.Close()
		return nil, fmt.Errorf("store: unable to reach %s database: %w", dialect, err)
	}
	if d.goose, err = d.newMigrator(); err != nil {
		sdb.Close()
		front.Close()
		return nil, err
	}
	return d, nil
}

func (d *DB) newMigrator() (*goose.Provider, error) {
	sub, err := fs.Sub(migrations, "migrations/"+d.dialect)
	if err != nil {
		return nil, err
	}
	gd := goose.DialectSQLite3
	var opts []goose.ProviderOption
	if d.dialect == Postgres {
		gd = goose.DialectPostgres
		// Replicas starting together migrate one at a time.
		locker, err := lock.NewPostgresSessionLocker()
		if err != nil {
			return nil, err
		}
		opts = append(opts, goose.WithSessionLocker(locker))
	}
	p, err := goose.NewProvider(gd, d.db.DB, sub, opts...)
	if err != nil {
		return nil, fmt.Errorf("store: unable to load migrations: %w", err)
	}
	return p, nil
}

// Dialect is Postgres or SQLite.
func (d *DB) Dialect() string { return d.dialect }

// SingleWriter reports a database that takes one writing transaction at
// a time (SQLite): writers side by side only queue for its lock.
func (d *DB) SingleWriter() bool { return d.dialect == SQLite }

// Close closes the connections.
func (d *DB) Close() error {
	d.stmts.close()
	if d.storeStmt != nil {
		_ = d.storeStmt.Close()
	}
	_ = d.front.Close()
	err := d.db.Close()
	d.stmts.wait()
	return err
}

// Migrate applies the migrations the database lacks and returns how many ran.
func (d *DB) Migrate(ctx context.Context) (int, error) {
	res, err := d.goose.Up(ctx)
	if err != nil {
		return 0, fmt.Errorf("store: unable to migrate: %w", err)
	}
	if len(res) > 0 {
		d.stmts.reset()
	}
	for _, r := range res {
		d.log.Info("migration applied", "version", r.Source.Version, "file", filepath.Base(r.Source.Path), "duration", r.Duration)
	}
	if err := d.fillVersionKeys(ctx); err != nil { // views.go
		return len(res), err
	}
	if err := d.migrateInbox(ctx); err != nil { // inbox.go
		return len(res), err
	}
	return len(res), nil
}

// Ready reports an error unless the database answers and its schema is current.
func (d *DB) Ready(ctx context.Context) error {
	if err := d.db.PingContext(ctx); err != nil {
		return fmt.Errorf("store: database unreachable: %w", err)
	}
	pending, err := d.goose.HasPending(ctx)
	if err != nil {
		return fmt.Errorf("store: unable to read schema version: %w", err)
	}
	if pending {
		return errors.New("store: migrations pending: run deskbot migrate")
	}
	return nil
}

// SQL exposes the pool to benchmarks and tests of this package's callers
// that need a baseline next to the store; application code never uses it.
func (d *DB) SQL() *sql.DB { return d.db.DB }
