package storage_test

import (
	"context"
	"testing"

	"github.com/deskbot/deskbot/domain"
	"github.com/deskbot/deskbot/storage"
	"github.com/deskbot/deskbot/storage/storagetest"
)

// Events and outbox messages written in a transaction are there for its
// later reads and after it commits, pending cards for one ticket still
// coalesce, and a rolled-back transaction leaves none of them, whether
// the database writes them at once (SQLite) or with the next statement
// (PostgreSQL).
func TestQueuedRowsAreReadAndCommittedInOrder(t *testing.T) {
	storagetest.ForEach(t, func(t *testing.T, db *storage.DB) {
		ctx := context.Background()
		p := seedProject(t, db, "ACME")
		card := func(tk *domain.Ticket) *domain.OutboxMessage {
			return &domain.OutboxMessage{Kind: domain.OutboxCard, Payload: `{}`, DedupKey: domain.CardDedupKey(tk.ID)}
		}
		var a, b *domain.Ticket
		update(t, db, func(tx domain.Tx) error {
			a = &domain.Ticket{ProjectID: p.ID, Title: "One", Type: "question", Status: "new", Priority: "normal", Source: domain.SourceCLI, CreatedBy: "U1"}
			b = &domain.Ticket{ProjectID: p.ID, Title: "Two", Type: "question", Status: "new", Priority: "normal", Source: domain.SourceCLI, CreatedBy: "U1"}
			for _, tk := range []*domain.Ticket{a, b} {
				if err := tx.CreateTicket(ctx, tk); err != nil {
					return err
				}
				for _, kind := range []string{domain.EventCreated, domain.EventStatus} {
					if err := tx.AddEvent(ctx, &domain.Event{TicketID: tk.ID, Actor: "U1", Kind: kind, NewValue: tk.Key()}); err != nil {
						return err
					}
				}
				if err := tx.Enqueue(ctx, card(tk)); err != nil {
					return err
				}
			}
			if err := tx.Enqueue(ctx, card(a)); err != nil { // coalesces with the first
				return err
			}
			es, err := tx.Events(ctx, a.ID)
			if err != nil {
				return err
			}
			if len(es) != 2 || es[0].Kind != domain.EventCreated || es[1].Kind != domain.EventStatus {
				t.Errorf("events of %s read in its transaction: %+v", a.Key(), es)
			}
			return nil
		})
		_ = db.View(ctx, func(tx domain.Tx) error {
			for _, tk := range []*domain.Ticket{a, b} {
				es, err := tx.Events(ctx, tk.ID)
				if err != nil {
					t.Fatal(err)
				}
				if len(es) != 2 || es[0].NewValue != tk.Key() || !es[0].At.Equal(tk.CreatedAt) {
					t.Errorf("events of %s after commit: %+v", tk.Key(), es)
				}
			}
			return nil
		})
		if n, err := db.OutboxPending(ctx); err != nil || n != 2 {
			t.Errorf("%d outbox messages pending (%v), want one card per ticket", n, err)
		}

		err := db.Update(ctx, func(tx domain.Tx) error {
			if err := tx.AddEvent(ctx, &domain.Event{TicketID: a.ID, Actor: "U1", Kind: domain.EventComment}); err != nil {
				return err
			}
			if err := tx.Enqueue(ctx, &domain.OutboxMessage{Kind: domain.OutboxSlackPost, Payload: `{}`}); err != nil {
				return err
			}
			return domain.Errorf(domain.EINVALID, "changed my mind")
		})
		if domain.ErrorCode(err) != domain.EINVALID {
			t.Fatalf("rolled back with %v", err)
		}
		_ = db.View(ctx, func(tx domain.Tx) error {
			if es, _ := tx.Events(ctx, a.ID); len(es) != 2 {
				t.Errorf("%d events after a rollback, want 2", len(es))
			}
			return nil
		})
		if n, _ := db.OutboxPending(ctx); n != 2 {
			t.Errorf("%d outbox messages pending after a rollback, want 2", n)
		}

		// A queued row that cannot be written fails its transaction.
		err = db.Update(ctx, func(tx domain.Tx) error {
			return tx.AddEvent(ctx, &domain.Event{TicketID: 999999, Actor: "U1", Kind: domain.EventComment})
		})
		if err == nil {
			t.Error("an event for no ticket committed")
		}
	})
}
