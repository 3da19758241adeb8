package storage_test

import (
	"context"
	"testing"
	"time"

	"github.com/deskbot/deskbot/domain"
	"github.com/deskbot/deskbot/storage"
	"github.com/deskbot/deskbot/storage/storagetest"
)

// One holder at a time; the lease passes on when it runs out, naming the
// previous holder, or at once when dropped; a takeover can release the
// previous holder's outbox claims; the backlog counts what waits.
func TestLeasesAndBacklog(t *testing.T) {
	for _, d := range storagetest.Dialects {
		t.Run(d, func(t *testing.T) {
			ctx := context.Background()
			clock := storagetest.NewClock(time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC))
			db := storagetest.Open(t, d, storage.WithClock(clock.Now))
			take := func(holder string, want bool, wantPrev string) {
				t.Helper()
				held, prev, err := db.TakeLease(ctx, "outbox", holder, 5*time.Second)
				if err != nil || held != want || prev != wantPrev {
					t.Fatalf("%s takes: held %v prev %q (%v), want %v %q", holder, held, prev, err, want, wantPrev)
				}
			}
			take("a", true, "")
			take("b", false, "")
			clock.Advance(4 * time.Second)
			take("a", true, "") // renewed
			clock.Advance(4 * time.Second)
			take("b", false, "")
			clock.Advance(2 * time.Second)
			take("b", true, "a")
			if err := db.DropLease(ctx, "outbox", "b"); err != nil {
				t.Fatal(err)
			}
			take("c", true, "")

			err := db.Update(ctx, func(tx domain.Tx) error {
				return tx.Enqueue(ctx, &domain.OutboxMessage{Kind: domain.OutboxSlackPost, Payload: `{}`})
			})
			if err != nil {
				t.Fatal(err)
			}
			if ms, err := db.ClaimOutbox(ctx, "a", []string{domain.OutboxSlackPost}, 10, time.Minute); err != nil || len(ms) != 1 {
				t.Fatalf("claim: %v %v", ms, err)
			}
			if ms, _ := db.ClaimOutbox(ctx, "c", []string{domain.OutboxSlackPost}, 10, time.Minute); len(ms) != 0 {
				t.Fatalf("claimed twice: %v", ms)
			}
			// a's mail sender holds a mail: the dispatcher's release leaves it.
			err = db.Update(ctx, func(tx domain.Tx) error {
				return tx.Enqueue(ctx, &domain.OutboxMessage{Kind: domain.OutboxMail, Payload: `{}`})
			})
			if err != nil {
				t.Fatal(err)
			}
			if ms, err := db.ClaimOutbox(ctx, "a", []string{domain.OutboxMail}, 10, time.Minute); err != nil || len(ms) != 1 {
				t.Fatalf("claim the mail: %v %v", ms, err)
			}
			if err := db.ReleaseOutboxClaims(ctx, "a", []string{domain.OutboxSlackPost}); err != nil {
				t.Fatal(err)
			}
			if ms, _ := db.ClaimOutbox(ctx, "c", []string{domain.OutboxMail}, 10, time.Minute); len(ms) != 0 {
				t.Fatalf("the dispatcher's release freed a mail its sender holds: %v", ms)
			}
			if ms, err := db.ClaimOutbox(ctx, "c", []string{domain.OutboxSlackPost}, 10, time.Minute); err != nil || len(ms) != 1 {
				t.Fatalf("after release: %v %v", ms, err)
			}
			rows, holder, _, err := db.Backlog(ctx)
			if err != nil || len(rows) != 2 || rows[1].Kind != domain.OutboxSlackPost || rows[1].Waiting != 1 || rows[1].Oldest == nil || holder != "c" {
				t.Fatalf("backlog %+v holder %q: %v", rows, holder, err)
			}
		})
	}
}

// A rate limit shared by the replicas: a burst, then one call every
// interval; a 429's Retry-After holds every call until it is over.
func TestRateSlotsShared(t *testing.T) {
	for _, d := range storagetest.Dialects {
		t.Run(d, func(t *testing.T) {
			ctx := context.Background()
			clock := storagetest.NewClock(time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC))
			db := storagetest.Open(t, d, storage.WithClock(clock.Now))
			const every, burst = time.Second, 3
			take := func(want time.Duration) {
				t.Helper()
				got, err := db.TakeRateSlot(ctx, "users.info", every, burst)
				if err != nil || got != want {
					t.Fatalf("wait %v (%v), want %v", got, err, want)
				}
			}
			take(0)
			take(0)
			take(0)
			take(time.Second) // the burst is spent
			clock.Advance(time.Second)
			take(0)
			take(time.Second)
			if got, err := db.TakeRateSlot(ctx, "team.info", every, burst); err != nil || got != 0 {
				t.Fatalf("another limit: wait %v (%v)", got, err)
			}
			clock.Advance(10 * time.Second) // the burst is back
			if err := db.HoldRateSlots(ctx, "users.info", every, burst, 30*time.Second); err != nil {
				t.Fatal(err)
			}
			take(30 * time.Second)
			clock.Advance(30 * time.Second)
			take(0)
			take(time.Second) // at the steady rate again, no burst at once
		})
	}
}
