package main

import (
	"bytes"
	"context"
	"errors"
	"log/slog"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/deskbot/deskbot/domain"
	"github.com/deskbot/deskbot/storage"
)

func TestRenderStatus(t *testing.T) {
	now := time.Date(2026, 12, 3, 12, 0, 0, 0, time.UTC)
	at := func(ago time.Duration) *time.Time { x := now.Add(-ago); return &x }
	cases := []struct {
		name string
		s    storage.ClusterStatus
		want []string
	}{
		{"empty", storage.ClusterStatus{Now: now}, []string{
			"replicas seen in the last 1m0s: 0\n", "outbox: 0 undelivered (0 claimed)\n", "inbox: 0 inputs not done\n", "jobs: none has run yet\n"}},
		{"busy", storage.ClusterStatus{Now: now,
			Replicas:      []storage.Replica{{Instance: "replica-1", Host: "h1", PID: 42, StartedAt: *at(time.Hour), SeenAt: *at(3 * time.Second)}},
			OutboxBacklog: 7, OutboxClaimed: 2, OldestOutbox: at(95 * time.Second), OldestOutboxID: 31,
			InboxBacklog: 1, OldestInput: at(2 * time.Second),
			Jobs: []storage.JobRun{{Job: "sla-scan", Instance: "replica-1", RanAt: *at(20 * time.Second), DurationMS: 12, Error: "boom"}}},
			[]string{"replicas seen in the last 1m0s: 1\n", "replica-1  h1    42   1h0m0s  3s ago",
				"outbox: 7 undelivered (2 claimed), oldest #31 queued 1m35s ago\n", "inbox: 1 inputs not done, oldest received 2s ago\n",
				"sla-scan  20s ago   replica-1  12ms  boom"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			var b bytes.Buffer
			renderStatus(&b, &c.s)
			for _, w := range c.want {
				if !strings.Contains(b.String(), w) {
					t.Errorf("missing %q in\n%s", w, b.String())
				}
			}
		})
	}
}

// TestStatusCommand runs `deskbot status` on a database two replicas
// wrote their heartbeats to.
func TestStatusCommand(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "d.db")
	db, err := storage.Open(ctx, "sqlite:"+path, storage.WithLogger(slog.New(slog.DiscardHandler)))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := db.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	for _, r := range []string{"replica-1", "replica-2"} {
		if err := db.Heartbeat(ctx, r, "host", 1, time.Now()); err != nil {
			t.Fatal(err)
		}
	}
	if err := db.JobRan(ctx, "digests", "replica-2", time.Millisecond, errors.New("relay down")); err != nil {
		t.Fatal(err)
	}
	db.Close()
	var out, errOut bytes.Buffer
	if code := run(ctx, []string{"status"}, envOf(map[string]string{"DATABASE_URL": "sqlite:" + path}), &out, &errOut); code != 0 {
		t.Fatalf("status: %d %s", code, errOut.String())
	}
	for _, w := range []string{"replicas seen in the last 1m0s: 2", "replica-1", "replica-2", "digests", "relay down"} {
		if !strings.Contains(out.String(), w) {
			t.Errorf("missing %q in\n%s", w, out.String())
		}
	}
}

// deskbot status shows the backlog per kind with its oldest message, and
// the replica holding the dispatch lease.
func TestStatusShowsBacklog(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "d.db")
	db, err := storage.Open(ctx, "sqlite:"+path, storage.WithLogger(slog.New(slog.DiscardHandler)))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if _, err := db.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	vars := map[string]string{"DATABASE_URL": "sqlite:" + path, "SLACK_BOT_TOKEN": "xoxb-1", "SLACK_APP_TOKEN": "xapp-1"}
	var out, errs bytes.Buffer
	if code := run(ctx, []string{"status"}, envOf(vars), &out, &errs); code != 0 {
		t.Fatalf("exit %d: %s", code, errs.String())
	}
	if !strings.Contains(out.String(), "nothing waiting") || !strings.Contains(out.String(), "no replica holds") {
		t.Errorf("empty outbox:\n%s", out.String())
	}
	err = db.Update(ctx, func(tx domain.Tx) error {
		for _, p := range []string{`{"channel":"C1"}`, `{"channel":"C2"}`} {
			if err := tx.Enqueue(ctx, &domain.OutboxMessage{Kind: domain.OutboxSlackPost, Payload: p}); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if held, _, err := db.TakeLease(ctx, "outbox", "replica-2", time.Minute); err != nil || !held {
		t.Fatalf("lease: %v %v", held, err)
	}
	out.Reset()
	if code := run(ctx, []string{"status"}, envOf(vars), &out, &errs); code != 0 {
		t.Fatalf("exit %d: %s", code, errs.String())
	}
	for _, want := range []string{"Dispatching: replica-2", "slack.post", "2 waiting", "oldest waiting", "Total: 2 waiting"} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("status lacks %q:\n%s", want, out.String())
		}
	}
}
