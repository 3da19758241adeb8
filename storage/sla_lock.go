package storage

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"errors"
	"fmt"
	"hash/fnv"
	"time"

	"github.com/go-co-op/gocron/v2"
)

// ErrLocked means another process runs the job now: the scheduler skips
// this tick quietly (it finds out through the Held method, without
// importing storage).
var ErrLocked error = lockHeld{}

type lockHeld struct{}

func (lockHeld) Error() string { return "store: job is running in another process" }
func (lockHeld) Held() bool    { return true }

// NewLocker returns a gocron.Locker that lets one process at a time run a
// job across every replica on this PostgreSQL database. On SQLite it is
// nil: SQLite is single-node, so there is nobody to exclude.
//
// Each lock is a session advisory lock held on a connection of its own for
// the run: if the process dies, its session ends and the lock goes with it,
// so a crashed replica never blocks the others.
func (d *DB) NewLocker() gocron.Locker {
	if d.dialect != Postgres {
		return nil
	}
	return &advisoryLocker{db: d.db.DB}
}

type advisoryLocker struct{ db *sql.DB }

type advisoryLock struct {
	conn *sql.Conn
	key  int64
	name string
}

// lockKey maps a job name to PostgreSQL's 64-bit advisory key space; the
// prefix keeps deskbot's keys apart from other users of the database.
func lockKey(name string) int64 {
	h := fnv.New64a()
	h.Write([]byte("deskbot/job/" + name))
	return int64(h.Sum64())
}

// Lock takes the job's lock without waiting, or returns ErrLocked.
func (l *advisoryLocker) Lock(ctx context.Context, name string) (gocron.Lock, error) {
	conn, err := l.db.Conn(ctx)
	if err != nil {
		return nil, fmt.Errorf("store: unable to get a connection to lock job %q: %w", name, err)
	}
	key := lockKey(name)
	var ok bool
	if err := conn.QueryRowContext(ctx, `SELECT pg_try_advisory_lock($1)`, key).Scan(&ok); err != nil {
		discard(conn)
		return nil, fmt.Errorf("store: unable to lock job %q: %w", name, err)
	}
	if !ok {
		_ = conn.Close()
		return nil, fmt.Errorf("%w: %s", ErrLocked, name)
	}
	return &advisoryLock{conn: conn, key: key, name: name}, nil
}

// Unlock releases the lock even when the job's context is cancelled
// (shutdown): a connection that cannot say so is thrown away rather than
// returned to the pool still holding the lock.
func (l *advisoryLock) Unlock(ctx context.Context) error {
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 5*time.Second)
	defer cancel()
	var ok bool
	if err := l.conn.QueryRowContext(ctx, `SELECT pg_advisory_unlock($1)`, l.key).Scan(&ok); err != nil || !ok {
		discard(l.conn)
		if err == nil {
			err = errors.New("the lock was not held")
		}
		return fmt.Errorf("store: unable to unlock job %q: %w", l.name, err)
	}
	return l.conn.Close()
}

// discard closes the session behind conn instead of pooling it.
func discard(conn *sql.Conn) {
	_ = conn.Raw(func(any) error { return driver.ErrBadConn })
	_ = conn.Close()
}
