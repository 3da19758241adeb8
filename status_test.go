package main

import (
	"bytes"
	"context"
	"log/slog"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/deskbot/deskbot/domain"
	"github.com/deskbot/deskbot/storage"
)

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
