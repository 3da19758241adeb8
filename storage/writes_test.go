package storage_test

import (
	"context"
	"fmt"
	"testing"

	"github.com/deskbot/deskbot/domain"
	"github.com/deskbot/deskbot/storage"
	"github.com/deskbot/deskbot/storage/storagetest"
)

// Events and outbox messages written in a transaction are there for its
// later reads and after it commits, pending cards for one ticket
// coalesce, and a rolled-back transaction leaves none of them. A write
// that cannot be done fails at its call.
func TestWritesAreReadAndCommittedInOrder(t *testing.T) {
	storagetest.ForEach(t, func(t *testing.T, db *storage.DB) {
		ctx := context.Background()
		p := seedCustomer(t, db, "ACME")
		card := func(tk *domain.Ticket) *domain.OutboxMessage {
			return &domain.OutboxMessage{Kind: domain.OutboxCard, Payload: `{}`, DedupKey: domain.CardDedupKey(tk.ID)}
		}
		var a, b *domain.Ticket
		update(t, db, func(tx domain.Tx) error {
			a = &domain.Ticket{CustomerID: p.ID, Title: "One", Type: "question", Status: "new", Priority: "normal", Source: domain.SourceCLI, CreatedBy: "U1"}
			b = &domain.Ticket{CustomerID: p.ID, Title: "Two", Type: "question", Status: "new", Priority: "normal", Source: domain.SourceCLI, CreatedBy: "U1"}
			for _, tk := range []*domain.Ticket{a, b} {
				if err := tx.CreateTicket(ctx, tk); err != nil {
					return err
				}
				for _, kind := range []string{domain.EventCreated, domain.EventStatus} {
					e := &domain.Event{TicketID: tk.ID, Actor: "U1", Kind: kind, NewValue: tk.Key()}
					if err := tx.AddEvent(ctx, e); err != nil {
						return err
					}
					if e.ID == 0 {
						t.Errorf("AddEvent left the ID of %s's %s event unset", tk.Key(), kind)
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

		err = db.Update(ctx, func(tx domain.Tx) error {
			err := tx.AddEvent(ctx, &domain.Event{TicketID: 999999, Actor: "U1", Kind: domain.EventComment})
			if err == nil {
				t.Error("AddEvent for no ticket returned no error")
			}
			return err
		})
		if err == nil {
			t.Error("an event for no ticket committed")
		}
	})
}

// Tickets opened in one transaction for two customers, read back in the
// middle of it, are numbered 1..n per customer; a rolled-back transaction
// gives its numbers back; the next transaction goes on from the counter.
func TestTicketsNumberedInOneTransaction(t *testing.T) {
	storagetest.ForEach(t, func(t *testing.T, db *storage.DB) {
		ctx := context.Background()
		acme, globex := seedCustomer(t, db, "ACME"), seedCustomer(t, db, "GLOBEX")
		open := func(tx domain.Tx, p *domain.Customer) (*domain.Ticket, error) {
			tk := &domain.Ticket{CustomerID: p.ID, Title: "t", Type: "question", Status: "new", Priority: "normal", Source: domain.SourceCLI, CreatedBy: "U1"}
			return tk, tx.CreateTicket(ctx, tk)
		}
		var keys []string
		update(t, db, func(tx domain.Tx) error {
			for i := range 9 {
				p := acme
				if i%3 == 2 {
					p = globex
				}
				tk, err := open(tx, p)
				if err != nil {
					return err
				}
				keys = append(keys, tk.Key())
				if i == 4 { // a read in the middle sees what was written
					got, err := tx.TicketByKey(ctx, tk.Key())
					if err != nil || got.ID != tk.ID || got.Title != "t" || got.SLADueAt != nil || !got.CreatedAt.Equal(tk.CreatedAt) {
						t.Errorf("%s read in its transaction: %+v %v", tk.Key(), got, err)
					}
				}
			}
			return nil
		})
		want := "[ACME-1 ACME-2 GLOBEX-1 ACME-3 ACME-4 GLOBEX-2 ACME-5 ACME-6 GLOBEX-3]"
		if got := fmt.Sprint(keys); got != want {
			t.Fatalf("keys %s, want %s", got, want)
		}
		err := db.Update(ctx, func(tx domain.Tx) error {
			if _, err := open(tx, acme); err != nil {
				return err
			}
			return domain.Errorf(domain.EINVALID, "changed my mind")
		})
		if domain.ErrorCode(err) != domain.EINVALID {
			t.Fatal(err)
		}
		var next *domain.Ticket
		update(t, db, func(tx domain.Tx) (err error) {
			next, err = open(tx, acme)
			return err
		})
		_ = db.View(ctx, func(tx domain.Tx) error {
			got, err := tx.TicketByKey(ctx, "ACME-7")
			if next.Key() != "ACME-7" || err != nil || got.ID != next.ID {
				t.Errorf("after a rollback: created %s, ACME-7 is %v (%v)", next.Key(), got, err)
			}
			if n, _ := tx.CountTickets(ctx, domain.TicketFilter{}); n != 10 {
				t.Errorf("%d tickets, want 10", n)
			}
			return nil
		})
		err = db.Update(ctx, func(tx domain.Tx) error {
			_, err := open(tx, &domain.Customer{ID: 999999})
			return err
		})
		if domain.ErrorCode(err) != domain.ENOTFOUND {
			t.Errorf("a ticket for no customer: %v, want not found", err)
		}
	})
}

// A card recorded in the transaction that opened its ticket finds it, and
// recording a card for no ticket fails at the call.
func TestCardRecordedWithItsTicket(t *testing.T) {
	storagetest.ForEach(t, func(t *testing.T, db *storage.DB) {
		ctx := context.Background()
		p := seedCustomer(t, db, "ACME")
		tk := &domain.Ticket{CustomerID: p.ID, Title: "t", Type: "question", Status: "new", Priority: "normal", Source: domain.SourceCLI, CreatedBy: "U1"}
		update(t, db, func(tx domain.Tx) error {
			if err := tx.CreateTicket(ctx, tk); err != nil {
				return err
			}
			return tx.SetTicketCard(ctx, tk.ID, "CACME", "1700.1", "1700.1")
		})
		_ = db.View(ctx, func(tx domain.Tx) error {
			got, err := tx.TicketByCard(ctx, "CACME", "1700.1")
			if err != nil || got.ID != tk.ID {
				t.Errorf("card of %s: %v %v", tk.Key(), got, err)
			}
			return nil
		})
		err := db.Update(ctx, func(tx domain.Tx) error {
			if err := tx.SetTicketCard(ctx, tk.ID, "CACME", "1700.2", "1700.1"); err != nil {
				return err
			}
			err := tx.SetTicketCard(ctx, 999999, "CACME", "1700.3", "1700.3")
			if domain.ErrorCode(err) != domain.ENOTFOUND {
				t.Errorf("SetTicketCard for no ticket, at the call: %v", err)
			}
			return err
		})
		if domain.ErrorCode(err) != domain.ENOTFOUND {
			t.Errorf("a card for no ticket: %v, want not found", err)
		}
	})
}
