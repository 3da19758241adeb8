package storage_test

import (
	"context"
	"testing"
	"time"

	"github.com/deskbot/deskbot/domain"
	"github.com/deskbot/deskbot/storage"
	"github.com/deskbot/deskbot/storage/storagetest"
)

func TestInbox(t *testing.T) {
	for _, dialect := range storagetest.Dialects {
		t.Run(dialect, func(t *testing.T) { testInbox(t, dialect) })
	}
}

func testInbox(t *testing.T, dialect string) {
	ctx := context.Background()
	clock := storagetest.NewClock(t0)
	db := storagetest.Open(t, dialect, storage.WithClock(clock.Now))
	lease := 8 * time.Second

	in := []*domain.InboxInput{
		{DedupKey: "envelope:a", Kind: "slash_commands", Payload: `{"command":"/ticket"}`},
		{DedupKey: "event:Ev1", Kind: "events_api", Payload: `{}`},
		{DedupKey: "event:Ev1", Kind: "events_api", Payload: `{}`}, // the same event twice in one batch
	}
	fresh, err := db.StoreInputs(ctx, "p1", lease, in)
	if err != nil || !fresh[0] || !fresh[1] || fresh[2] || in[0].ID == 0 || in[1].ID == 0 {
		t.Fatalf("StoreInputs = %v, %v (%+v %+v)", fresh, err, in[0], in[1])
	}
	// A redelivery is recognised and left alone.
	again := []*domain.InboxInput{{DedupKey: "envelope:a", Kind: "slash_commands", Payload: `{}`}, {DedupKey: "envelope:b", Kind: "interactive", Payload: `{}`}}
	if fresh, err := db.StoreInputs(ctx, "p1", lease, again); err != nil || fresh[0] || !fresh[1] {
		t.Fatalf("redelivery: %v, %v", fresh, err)
	}
	if err := db.InputsDone(ctx, []int64{again[1].ID}); err != nil {
		t.Fatal(err)
	}

	// Held by a live owner: nobody takes them, even past the first lease.
	if got, err := db.ClaimInputs(ctx, "p2", 10, lease); err != nil || len(got) != 0 {
		t.Fatalf("claimed a held input: %+v %v", got, err)
	}
	clock.Advance(6 * time.Second)
	if err := db.RenewLeases(ctx, "p1", lease); err != nil {
		t.Fatal(err)
	}
	clock.Advance(6 * time.Second)
	if got, _ := db.ClaimInputs(ctx, "p2", 10, lease); len(got) != 0 {
		t.Fatalf("claimed a renewed input: %+v", got)
	}
	// The owner died: its lease runs out and another process takes both
	// unfinished inputs, payload and all; the finished one stays done.
	clock.Advance(lease)
	got, err := db.ClaimInputs(ctx, "p2", 10, lease)
	if err != nil || len(got) != 2 || got[0].DedupKey != "envelope:a" || got[0].Payload != `{"command":"/ticket"}` || got[0].Attempts != 2 {
		t.Fatalf("ClaimInputs = %+v, %v", got, err)
	}
	if again, _ := db.ClaimInputs(ctx, "p3", 10, lease); len(again) != 0 {
		t.Fatalf("claimed twice: %+v", again)
	}
	// p2 restarts: what it held is free at once, for its new run to take.
	if err := db.ReleaseLeases(ctx, "p2"); err != nil {
		t.Fatal(err)
	}
	got, _ = db.ClaimInputs(ctx, "p2", 1, lease)
	if len(got) != 1 || got[0].DedupKey != "envelope:a" {
		t.Fatalf("after release: %+v", got)
	}
	if err := db.InputsDone(ctx, []int64{got[0].ID, in[1].ID}); err != nil {
		t.Fatal(err)
	}
	clock.Advance(time.Hour)
	if n, err := db.PurgeInputs(ctx, clock.Now()); err != nil || n != 3 {
		t.Fatalf("PurgeInputs = %d, %v", n, err)
	}
}

func TestOutboxClaimLeases(t *testing.T) {
	for _, dialect := range storagetest.Dialects {
		t.Run(dialect, func(t *testing.T) {
			ctx := context.Background()
			clock := storagetest.NewClock(t0)
			db := storagetest.Open(t, dialect, storage.WithClock(clock.Now))
			lease := 8 * time.Second
			update(t, db, func(tx domain.Tx) error {
				for range 2 {
					if err := tx.Enqueue(ctx, &domain.OutboxMessage{Kind: domain.OutboxSlackPost, Payload: `{}`}); err != nil {
						return err
					}
				}
				return nil
			})
			ms, err := db.ClaimOutbox(ctx, "p1", []string{domain.OutboxSlackPost}, 10, lease)
			if err != nil || len(ms) != 2 || ms[0].FirstClaimed == nil || !ms[0].FirstClaimed.Equal(t0) {
				t.Fatalf("claim: %+v %v", ms, err)
			}
			// One failed delivery waits for its retry, whatever the lease.
			if err := db.OutboxFailed(ctx, ms[1].ID, "slack down", t0.Add(time.Hour)); err != nil {
				t.Fatal(err)
			}
			clock.Advance(6 * time.Second)
			if err := db.RenewLeases(ctx, "p1", lease); err != nil {
				t.Fatal(err)
			}
			clock.Advance(6 * time.Second)
			if got, _ := db.ClaimOutbox(ctx, "p2", []string{domain.OutboxSlackPost}, 10, lease); len(got) != 0 {
				t.Fatalf("claimed a renewed claim: %+v", got)
			}
			// p1 restarts: its claim is free at once; the retry still waits.
			if err := db.ReleaseLeases(ctx, "p1"); err != nil {
				t.Fatal(err)
			}
			clock.Advance(time.Second)
			got, err := db.ClaimOutbox(ctx, "p1", []string{domain.OutboxSlackPost}, 10, lease)
			if err != nil || len(got) != 1 || got[0].ID != ms[0].ID || got[0].Attempts != 2 || !got[0].FirstClaimed.Equal(t0) {
				t.Fatalf("after release: %+v %v", got, err)
			}
			// p1 dies now: within one lease its claim is free for p2.
			clock.Advance(lease)
			if got, _ := db.ClaimOutbox(ctx, "p2", []string{domain.OutboxSlackPost}, 10, lease); len(got) != 1 {
				t.Fatalf("dead claimer's message: %+v", got)
			}
		})
	}
}
