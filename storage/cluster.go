package storage

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/deskbot/deskbot/domain"
)

// Replica is one serve process as its heartbeat shows it.
type Replica struct {
	Instance  string    `db:"instance"`
	Host      string    `db:"host"`
	PID       int       `db:"pid"`
	StartedAt time.Time `db:"started_at"`
	SeenAt    time.Time `db:"seen_at"`
}

// JobRun is the last run of a scheduler job, by whichever replica held its lock.
type JobRun struct {
	Job        string    `db:"job"`
	Instance   string    `db:"instance"`
	RanAt      time.Time `db:"ran_at"`
	DurationMS int64     `db:"duration_ms"`
	Error      string    `db:"error"`
}

// ClusterStatus is the cluster's view for `deskbot status` and /metrics.
type ClusterStatus struct {
	Now            time.Time
	Replicas       []Replica // seen since the window's start, newest first
	OutboxBacklog  int       // undelivered messages
	OutboxClaimed  int       // of which claimed by a replica now
	OldestOutbox   *time.Time
	OldestOutboxID int64
	InboxBacklog   int // stored inputs not done
	OldestInput    *time.Time
	Jobs           []JobRun
}

// Heartbeat records that instance is alive now.
func (d *DB) Heartbeat(ctx context.Context, instance, host string, pid int, started time.Time) error {
	err := d.Update(ctx, func(dtx domain.Tx) error {
		_, err := dtx.(*Tx).exec(ctx, `INSERT INTO replicas (instance, host, pid, started_at, seen_at) VALUES (?, ?, ?, ?, ?)
			ON CONFLICT (instance) DO UPDATE SET host = excluded.host, pid = excluded.pid,
			started_at = excluded.started_at, seen_at = excluded.seen_at`, instance, host, pid, ts(started), d.clock())
		return err
	})
	if err != nil {
		return fmt.Errorf("store: unable to record heartbeat: %w", err)
	}
	return nil
}

// JobRan records a scheduler job's run by instance.
func (d *DB) JobRan(ctx context.Context, job, instance string, took time.Duration, runErr error) error {
	msg := ""
	if runErr != nil {
		msg = runErr.Error()
	}
	err := d.Update(ctx, func(dtx domain.Tx) error {
		_, err := dtx.(*Tx).exec(ctx, `INSERT INTO job_runs (job, instance, ran_at, duration_ms, error) VALUES (?, ?, ?, ?, ?)
			ON CONFLICT (job) DO UPDATE SET instance = excluded.instance, ran_at = excluded.ran_at,
			duration_ms = excluded.duration_ms, error = excluded.error`, job, instance, d.clock(), took.Milliseconds(), msg)
		return err
	})
	if err != nil {
		return fmt.Errorf("store: unable to record job run: %w", err)
	}
	return nil
}

// Cluster reads the cluster's view: replicas seen within window, backlogs
// and the last run of each job.
func (d *DB) Cluster(ctx context.Context, window time.Duration) (*ClusterStatus, error) {
	s := &ClusterStatus{Now: d.clock()}
	if err := d.db.SelectContext(ctx, &s.Replicas, d.db.Rebind(`SELECT instance, host, pid, started_at, seen_at
		FROM replicas WHERE seen_at >= ? ORDER BY seen_at DESC`), ts(s.Now.Add(-window))); err != nil {
		return nil, fmt.Errorf("store: unable to read replicas: %w", err)
	}
	if err := d.db.GetContext(ctx, &s.OutboxBacklog, `SELECT COUNT(*) FROM outbox WHERE delivered_at IS NULL`); err != nil {
		return nil, fmt.Errorf("store: unable to count outbox: %w", err)
	}
	if err := d.db.GetContext(ctx, &s.OutboxClaimed, `SELECT COUNT(*) FROM outbox WHERE delivered_at IS NULL AND claimed_by <> ''`); err != nil {
		return nil, fmt.Errorf("store: unable to count outbox claims: %w", err)
	}
	var oldest struct {
		ID        int64     `db:"id"`
		CreatedAt time.Time `db:"created_at"`
	}
	// ORDER BY rather than MIN: SQLite's MIN loses the column's type.
	switch err := d.db.GetContext(ctx, &oldest, `SELECT id, created_at FROM outbox WHERE delivered_at IS NULL ORDER BY created_at, id LIMIT 1`); {
	case err == nil:
		s.OldestOutbox, s.OldestOutboxID = &oldest.CreatedAt, oldest.ID
	case !errors.Is(err, sql.ErrNoRows):
		return nil, fmt.Errorf("store: unable to read the oldest outbox message: %w", err)
	}
	if err := d.inboxDB(false).GetContext(ctx, &s.InboxBacklog, `SELECT COUNT(*) FROM inbox WHERE done_at IS NULL`); err != nil {
		return nil, fmt.Errorf("store: unable to count inputs: %w", err)
	}
	var received time.Time
	switch err := d.inboxDB(false).GetContext(ctx, &received, `SELECT received_at FROM inbox WHERE done_at IS NULL ORDER BY id LIMIT 1`); {
	case err == nil:
		s.OldestInput = &received
	case !errors.Is(err, sql.ErrNoRows):
		return nil, fmt.Errorf("store: unable to read the oldest input: %w", err)
	}
	if err := d.db.SelectContext(ctx, &s.Jobs, `SELECT job, instance, ran_at, duration_ms, error FROM job_runs ORDER BY job`); err != nil {
		return nil, fmt.Errorf("store: unable to read job runs: %w", err)
	}
	return s, nil
}
