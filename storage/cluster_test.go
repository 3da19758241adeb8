package storage_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/deskbot/deskbot/domain"
	"github.com/deskbot/deskbot/storage"
	"github.com/deskbot/deskbot/storage/storagetest"
)

func TestClusterStatus(t *testing.T) {
	for _, dialect := range storagetest.Dialects {
		t.Run(dialect, func(t *testing.T) {
			ctx := context.Background()
			clock := storagetest.NewClock(t0)
			db := storagetest.Open(t, dialect, storage.WithClock(clock.Now))

			s, err := db.Cluster(ctx, time.Minute)
			if err != nil {
				t.Fatal(err)
			}
			if len(s.Replicas) != 0 || s.OutboxBacklog != 0 || s.OldestOutbox != nil || s.InboxBacklog != 0 || s.OldestInput != nil || len(s.Jobs) != 0 {
				t.Fatalf("empty database: %+v", s)
			}

			must := func(err error) {
				t.Helper()
				if err != nil {
					t.Fatal(err)
				}
			}
			must(db.Heartbeat(ctx, "old", "h0", 1, t0))
			clock.Advance(2 * time.Minute)
			must(db.Heartbeat(ctx, "a", "h1", 11, t0))
			must(db.Heartbeat(ctx, "b", "h2", 12, t0))
			clock.Advance(time.Second)
			must(db.Heartbeat(ctx, "a", "h1", 13, t0.Add(time.Minute))) // restarted
			must(db.JobRan(ctx, "sla-scan", "a", 40*time.Millisecond, nil))
			must(db.JobRan(ctx, "sla-scan", "b", 20*time.Millisecond, errors.New("boom")))
			must(db.JobRan(ctx, "digests", "a", time.Millisecond, nil))
			must(db.Update(ctx, func(tx domain.Tx) error {
				for _, k := range []string{"one", "two"} {
					if err := tx.Enqueue(ctx, &domain.OutboxMessage{Kind: "slack.card", Payload: k}); err != nil {
						return err
					}
				}
				return nil
			}))
			first := clock.Now()
			clock.Advance(time.Second)
			if _, err := db.StoreInputs(ctx, "a", 8*time.Second, []*domain.InboxInput{{DedupKey: "envelope:x", Kind: "slash_commands", Payload: "{}"}}); err != nil {
				t.Fatal(err)
			}

			s, err = db.Cluster(ctx, time.Minute)
			must(err)
			if len(s.Replicas) != 2 || s.Replicas[0].Instance != "a" || s.Replicas[0].PID != 13 || !s.Replicas[0].StartedAt.Equal(t0.Add(time.Minute)) || s.Replicas[1].Instance != "b" {
				t.Errorf("replicas %+v", s.Replicas)
			}
			if s.OutboxBacklog != 2 || s.OldestOutbox == nil || !s.OldestOutbox.Equal(first) {
				t.Errorf("outbox %d, oldest %v, want 2 and %v", s.OutboxBacklog, s.OldestOutbox, first)
			}
			if s.InboxBacklog != 1 || s.OldestInput == nil || !s.OldestInput.Equal(first.Add(time.Second)) {
				t.Errorf("inbox %d, oldest %v", s.InboxBacklog, s.OldestInput)
			}
			if len(s.Jobs) != 2 || s.Jobs[0].Job != "digests" || s.Jobs[1].Instance != "b" || s.Jobs[1].Error != "boom" || s.Jobs[1].DurationMS != 20 {
				t.Errorf("jobs %+v", s.Jobs)
			}
		})
	}
}
