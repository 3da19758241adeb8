package main

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"time"

	"github.com/deskbot/deskbot/storage"
)

// statusCmd prints what waits to go out to Slack and mail, across
// replicas (it reads the database): per kind the backlog and its oldest
// message's age, and which replica dispatches.
func statusCmd(ctx context.Context, env *Env, stdout io.Writer) error {
	db, err := storage.Open(ctx, env.DatabaseURL, storage.WithLogger(slog.New(slog.DiscardHandler)))
	if err != nil {
		return err
	}
	defer db.Close()
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

const statusUsage = `Usage: deskbot status

Reads the database (DATABASE_URL) and prints what waits to go out to Slack
and mail, per kind with the age of its oldest message, and which replica
holds the dispatch lease. Run it beside the replicas; it changes nothing.
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
