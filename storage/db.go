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
	"net"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/jmoiron/sqlx"
	"github.com/lib/pq" // PostgreSQL driver
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
	// enqueueHook hears what committed transactions queued (OnEnqueue).
	enqueueHook enqueueHook
}

// Option changes how a DB behaves.
type Option func(*DB)

// WithClock sets the clock transactions read Now from; tests use it.
func WithClock(now func() time.Time) Option { return func(d *DB) { d.now = now } }

// WithLogger sets the logger.
func WithLogger(l *slog.Logger) Option { return func(d *DB) { d.log = l } }

// ParseURL tells the dialect and driver DSN of a DATABASE_URL.
func ParseURL(raw string) (dialect, dsn string, err error) {
	t, dsn, err := parseTarget(raw)
	return t.Dialect, dsn, err
}

// Target is where a DATABASE_URL points, said the way an operator looks
// for it: the file, or the server, database and user — never the password.
type Target struct {
	Dialect  string
	Path     string // SQLite
	Host     string // PostgreSQL: host:port or socket directory
	Database string
	User     string
}

func (t Target) String() string {
	if t.Dialect == SQLite {
		return "SQLite file " + t.Path
	}
	s := "PostgreSQL at " + t.Host
	if t.Database != "" {
		s += ", database " + t.Database
	}
	if t.User != "" {
		s += ", user " + t.User
	}
	return s
}

// ParseTarget tells where a DATABASE_URL points, or why it is refused.
func ParseTarget(raw string) (Target, error) {
	t, _, err := parseTarget(raw)
	return t, err
}

// keywordDSN is libpq's keyword form: "host=db user=deskbot dbname=desk".
var (
	keywordDSN      = regexp.MustCompile(`^\s*[a-z_]+\s*=`)
	timezoneKeyword = regexp.MustCompile(`(^|\s)timezone\s*=`)
)

// parseTarget accepts postgres:// and postgresql:// URLs, libpq keyword
// strings and sqlite:PATH; empty means sqlite:deskbot.db in the working
// directory. Anything else is refused rather than taken for a file name:
// a mistyped URL must not quietly create a SQLite file of that name.
func parseTarget(raw string) (Target, string, error) {
	switch {
	case raw == "":
		raw = "sqlite:deskbot.db"
	case strings.HasPrefix(raw, "postgres://"), strings.HasPrefix(raw, "postgresql://"):
		u, err := url.Parse(raw)
		if err != nil {
			return Target{}, "", fmt.Errorf("not a valid postgres:// URL: %v", redactURLError(err))
		}
		q := u.Query()
		// Times come back in UTC, so what was written reads back equal.
		if q.Get("timezone") == "" {
			q.Set("timezone", "UTC")
		}
		u.RawQuery = q.Encode()
		return postgresTarget(u.String())
	case keywordDSN.MatchString(raw):
		dsn := raw
		if !timezoneKeyword.MatchString(raw) {
			dsn += " timezone=UTC"
		}
		return postgresTarget(dsn)
	case strings.HasPrefix(raw, "sqlite:"):
	case strings.Contains(raw, "://"):
		return Target{}, "", fmt.Errorf("unsupported database %q: use postgres://…, libpq keywords (host=… dbname=…) or sqlite:PATH",
			strings.SplitN(raw, "://", 2)[0])
	default:
		return Target{}, "", fmt.Errorf("%q is not a database URL: use postgres://user@host/db, libpq keywords (host=… dbname=…), or sqlite:%s for a SQLite file", raw, raw)
	}
	path := strings.TrimPrefix(strings.TrimPrefix(raw, "sqlite:"), "//")
	if path == "" {
		return Target{}, "", errors.New("sqlite: needs a file path, like sqlite:deskbot.db")
	}
	if strings.Contains(path, "?") {
		return Target{}, "", errors.New("sqlite: give a plain file path; deskbot sets the connection options itself")
	}
	// WAL lets readers run beside the writer; IMMEDIATE transactions take
	// the write lock up front, so two writers queue instead of deadlocking
	// when both upgrade from a read lock.
	dsn := "file:" + filepath.ToSlash(path) +
		"?_pragma=busy_timeout(10000)&_pragma=journal_mode(WAL)&_pragma=foreign_keys(1)" +
		"&_pragma=synchronous(NORMAL)&_txlock=immediate&_time_format=sqlite"
	return Target{Dialect: SQLite, Path: path}, dsn, nil
}

// postgresTarget checks a DSN the way the driver will read it.
func postgresTarget(dsn string) (Target, string, error) {
	cfg, err := pq.NewConfig(dsn)
	if err != nil {
		return Target{}, "", fmt.Errorf("not a valid PostgreSQL connection string: %v", err)
	}
	host := cfg.Host
	if host == "" {
		host = "localhost"
	}
	if cfg.Port != 0 && !strings.HasPrefix(host, "/") {
		host = net.JoinHostPort(host, strconv.Itoa(int(cfg.Port)))
	}
	return Target{Dialect: Postgres, Host: host, Database: cfg.Database, User: cfg.User}, dsn, nil
}

// redactURLError keeps a password out of url.Parse's message, which
// quotes the whole URL.
func redactURLError(err error) error {
	var ue *url.Error
	if errors.As(err, &ue) {
		return ue.Err
	}
	return err
}

// checkSQLitePath opens (creating if need be) the file and probes its
// directory, where SQLite keeps the -wal and -shm files, so a bad path is
// reported with the reason instead of SQLite's "unable to open database
// file (14)".
func checkSQLitePath(path string) error {
	dir := filepath.Dir(path)
	if fi, err := os.Stat(dir); err != nil {
		return fmt.Errorf("directory %s: %w", dir, reason(err))
	} else if !fi.IsDir() {
		return fmt.Errorf("%s is not a directory", dir)
	}
	if fi, err := os.Stat(path); err == nil && fi.IsDir() {
		return errors.New("it is a directory, not a file")
	}
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE, 0o600)
	if err != nil {
		return fmt.Errorf("cannot open it for writing: %w", reason(err))
	}
	f.Close()
	probe, err := os.CreateTemp(dir, ".deskbot-probe-*")
	if err != nil {
		return fmt.Errorf("directory %s is not writable, and SQLite writes its -wal and -shm files there: %w", dir, reason(err))
	}
	probe.Close()
	os.Remove(probe.Name())
	return nil
}

// reason strips the path an *os.PathError repeats: the message names it already.
func reason(err error) error {
	var pe *os.PathError
	if errors.As(err, &pe) {
		return pe.Err
	}
	return err
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
// migrate: call Migrate. Its errors name DATABASE_URL, where it points
// and why it failed.
func Open(ctx context.Context, rawURL string, opts ...Option) (*DB, error) {
	target, dsn, err := parseTarget(rawURL)
	if err != nil {
		return nil, fmt.Errorf("DATABASE_URL: %w", err)
	}
	dialect := target.Dialect
	driver := "postgres"
	if dialect == SQLite {
		driver = "sqlite"
		if err := checkSQLitePath(target.Path); err != nil {
			return nil, fmt.Errorf("DATABASE_URL: %s: %w", target, err)
		}
	}
	sdb, err := sqlx.Open(driver, dsn)
	if err != nil {
		return nil, fmt.Errorf("DATABASE_URL: %s: %w", target, err)
	}
	front, err := sqlx.Open(driver, inboxDSN(dialect, dsn))
	if err != nil {
		sdb.Close()
		return nil, fmt.Errorf("DATABASE_URL: %s: inbox: %w", target, err)
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
		if dialect == SQLite {
			return nil, fmt.Errorf("DATABASE_URL: %s: %w", target, err)
		}
		return nil, fmt.Errorf("DATABASE_URL: unable to reach %s: %w", target, err)
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
