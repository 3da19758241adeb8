package main

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"os"
	"text/tabwriter"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/deskbot/deskbot/scheduler"
	"github.com/deskbot/deskbot/storage"
)

// heartbeatEvery is how often a replica writes its heartbeat and reads the
// cluster's backlog for /metrics; `deskbot status` lists replicas seen
// within statusWindow.
const (
	heartbeatEvery = 10 * time.Second
	statusWindow   = time.Minute
)

// statusCmd prints the cluster's view: the replicas alive, the backlogs
// and the last run of each scheduler job.
func statusCmd(ctx context.Context, env *Env, w io.Writer) error {
	db, err := storage.Open(ctx, env.DatabaseURL, storage.WithLogger(slog.New(slog.DiscardHandler)))
	if err != nil {
		return err
	}
	defer db.Close()
	s, err := db.Cluster(ctx, statusWindow)
	if err != nil {
		return fmt.Errorf("%w (is the database migrated? deskbot migrate)", err)
	}
	renderStatus(w, s)
	return renderDispatch(ctx, db, w)
}

// renderDispatch writes which replica dispatches to Slack and the outbox
// backlog per kind, with its oldest message.
func renderDispatch(ctx context.Context, db *storage.DB, stdout io.Writer) error {
	rows, holder, until, err := db.Backlog(ctx)
	if err != nil {
		return err
	}
	now := time.Now()
	switch {
	case holder != "" && until.After(now):
		fmt.Fprintf(stdout, "Dispatching: %s (lease for %s more).\n", holder, until.Sub(now).Round(time.Second))
	default:
		fmt.Fprintln(stdout, "Dispatching: no replica holds the dispatch lease (none running, or one taking over).")
	}
	if len(rows) == 0 {
		fmt.Fprintln(stdout, "Outbox: nothing waiting.")
		return nil
	}
	total := 0
	var oldest time.Time
	fmt.Fprintln(stdout, "Outbox backlog:")
	for _, r := range rows {
		total += r.Waiting
		age := ""
		if r.Oldest != nil {
			age = "oldest waiting " + now.Sub(*r.Oldest).Round(time.Second).String()
			if oldest.IsZero() || r.Oldest.Before(oldest) {
				oldest = *r.Oldest
			}
		}
		fmt.Fprintf(stdout, "  %-12s %5d waiting, %d failing, %s\n", r.Kind, r.Waiting, r.Failing, age)
	}
	fmt.Fprintf(stdout, "Total: %d waiting; the oldest since %s (%s ago).\n", total, oldest.Format(time.RFC3339), now.Sub(oldest).Round(time.Second))
	return nil
}

func age(now, t time.Time) string {
	return now.Sub(t).Round(time.Second).String()
}

// renderStatus writes s for a person at a terminal.
func renderStatus(w io.Writer, s *storage.ClusterStatus) {
	fmt.Fprintf(w, "replicas seen in the last %v: %d\n", statusWindow, len(s.Replicas))
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	if len(s.Replicas) > 0 {
		fmt.Fprintln(tw, "  INSTANCE\tHOST\tPID\tUP\tLAST SEEN")
		for _, r := range s.Replicas {
			fmt.Fprintf(tw, "  %s\t%s\t%d\t%s\t%s ago\n", r.Instance, r.Host, r.PID, age(s.Now, r.StartedAt), age(s.Now, r.SeenAt))
		}
	}
	tw.Flush()
	fmt.Fprintf(w, "outbox: %d undelivered (%d claimed)", s.OutboxBacklog, s.OutboxClaimed)
	if s.OldestOutbox != nil {
		fmt.Fprintf(w, ", oldest #%d queued %s ago", s.OldestOutboxID, age(s.Now, *s.OldestOutbox))
	}
	fmt.Fprintln(w)
	fmt.Fprintf(w, "inbox: %d inputs not done", s.InboxBacklog)
	if s.OldestInput != nil {
		fmt.Fprintf(w, ", oldest received %s ago", age(s.Now, *s.OldestInput))
	}
	fmt.Fprintln(w)
	if len(s.Jobs) == 0 {
		fmt.Fprintln(w, "jobs: none has run yet")
		return
	}
	fmt.Fprintln(w, "jobs:")
	tw = tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "  JOB\tLAST RUN\tBY\tTOOK\tERROR")
	for _, j := range s.Jobs {
		e := j.Error
		if e == "" {
			e = "-"
		}
		fmt.Fprintf(tw, "  %s\t%s ago\t%s\t%dms\t%s\n", j.Job, age(s.Now, j.RanAt), j.Instance, j.DurationMS, e)
	}
	tw.Flush()
}

// clusterMetrics are a replica's view of the cluster on /metrics.
type clusterMetrics struct {
	backlog, oldest, inbox, replicas prometheus.Gauge
	dbErrors                         prometheus.Counter
	jobRuns                          *prometheus.CounterVec
	lastRan                          *prometheus.GaugeVec
}

func newClusterMetrics(reg prometheus.Registerer) *clusterMetrics {
	m := &clusterMetrics{
		backlog:  prometheus.NewGauge(prometheus.GaugeOpts{Name: "deskbot_outbox_backlog", Help: "Undelivered outbox messages (all replicas)."}),
		oldest:   prometheus.NewGauge(prometheus.GaugeOpts{Name: "deskbot_outbox_oldest_age_seconds", Help: "Age of the oldest undelivered outbox message; 0 when none."}),
		inbox:    prometheus.NewGauge(prometheus.GaugeOpts{Name: "deskbot_inbox_backlog", Help: "Stored Slack inputs not done yet (all replicas)."}),
		replicas: prometheus.NewGauge(prometheus.GaugeOpts{Name: "deskbot_replicas_alive", Help: "Replicas whose heartbeat is under a minute old."}),
		dbErrors: prometheus.NewCounter(prometheus.CounterOpts{Name: "deskbot_db_errors_total", Help: "Heartbeats and status reads the database failed."}),
		jobRuns: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "deskbot_scheduler_runs_total",
			Help: "Scheduler ticks by job and result: ran here (this replica held the lock), skipped (another held it, or the database failed), failed."}, []string{"job", "result"}),
		lastRan: prometheus.NewGaugeVec(prometheus.GaugeOpts{Name: "deskbot_scheduler_last_run_timestamp_seconds",
			Help: "When this replica last ran the job, holding its lock."}, []string{"job"}),
	}
	reg.MustRegister(m.backlog, m.oldest, m.inbox, m.replicas, m.dbErrors, m.jobRuns, m.lastRan)
	return m
}

// heartbeat writes this replica's heartbeat every heartbeatEvery, and
// refreshes the cluster gauges, until ctx ends.
func heartbeat(ctx context.Context, db *storage.DB, instance string, m *clusterMetrics, log *slog.Logger) {
	host, _ := os.Hostname()
	started := time.Now()
	t := time.NewTicker(heartbeatEvery)
	defer t.Stop()
	for {
		if err := db.Heartbeat(ctx, instance, host, os.Getpid(), started); err != nil && ctx.Err() == nil {
			m.dbErrors.Inc()
			log.Warn("heartbeat: unable to write", "err", err)
		}
		if s, err := db.Cluster(ctx, statusWindow); err == nil {
			m.backlog.Set(float64(s.OutboxBacklog))
			m.inbox.Set(float64(s.InboxBacklog))
			m.replicas.Set(float64(len(s.Replicas)))
			m.oldest.Set(0)
			if s.OldestOutbox != nil {
				m.oldest.Set(s.Now.Sub(*s.OldestOutbox).Seconds())
			}
		} else if ctx.Err() == nil {
			m.dbErrors.Inc()
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

// observeJobs records each job run this replica made (it held the lock)
// in the database for `deskbot status`, and counts every tick.
func observeJobs(db *storage.DB, instance string, m *clusterMetrics, log *slog.Logger) func(scheduler.Run) {
	return func(r scheduler.Run) {
		switch {
		case r.Skipped:
			m.jobRuns.WithLabelValues(r.Job, "skipped").Inc()
			return
		case r.Err != nil:
			m.jobRuns.WithLabelValues(r.Job, "failed").Inc()
		default:
			m.jobRuns.WithLabelValues(r.Job, "ran").Inc()
		}
		m.lastRan.WithLabelValues(r.Job).SetToCurrentTime()
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		if err := db.JobRan(ctx, r.Job, instance, r.Duration, r.Err); err != nil {
			m.dbErrors.Inc()
			log.Warn("scheduler: unable to record a job run", "job", r.Job, "err", err)
		}
	}
}

const statusUsage = `Usage: deskbot status

Reads the database (DATABASE_URL) and prints the cluster's view: the
replicas seen in the last minute (their heartbeats), the outbox and inbox
backlogs with their oldest items, the last run of each scheduler job, which
replica holds the dispatch lease, and what waits to go out per kind. Run it
beside the replicas; it changes nothing.
`

func statusSubcmd(c *cli, args []string) error {
	fs := newFlags("status", statusUsage)
	if err := fs.parse(c, args, 0); err != nil {
		return err
	}
	env, err := c.env()
	if err != nil {
		return err
	}
	return statusCmd(c.ctx, env, c.stdout)
}
