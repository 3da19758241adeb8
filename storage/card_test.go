package storage_test

import (
	"context"
	"testing"
	"time"

	"github.com/deskbot/deskbot/domain"
	"github.com/deskbot/deskbot/storage"
	"github.com/deskbot/deskbot/storage/storagetest"
)

// Recording a card and its outbox delivery commit together, and posting a
// card is no change to the ticket: updated_at stays.
func TestSetTicketCard(t *testing.T) {
	for _, d := range storagetest.Dialects {
		t.Run(d, func(t *testing.T) {
			clock := storagetest.NewClock(t0)
			db := storagetest.Open(t, d, storage.WithClock(clock.Now))
			ctx := context.Background()
			tk := seedTicket(t, db, seedCustomer(t, db, "ACME"), "Printer on fire")
			update(t, db, func(tx domain.Tx) error {
				return tx.Enqueue(ctx, &domain.OutboxMessage{Kind: domain.OutboxCard, Payload: `{}`, DedupKey: domain.CardDedupKey(tk.ID)})
			})
			ms, err := db.ClaimOutbox(ctx, "", []string{domain.OutboxCard}, 10, time.Minute)
			if err != nil || len(ms) != 1 {
				t.Fatalf("claim: %v %v", ms, err)
			}
			clock.Advance(time.Hour)
			update(t, db, func(tx domain.Tx) error {
				if err := tx.SetTicketCard(ctx, tk.ID, "CACME", "1700.01", "1700.01"); err != nil {
					return err
				}
				return tx.MarkDelivered(ctx, ms[0].ID)
			})
			_ = db.View(ctx, func(tx domain.Tx) error {
				got, err := tx.Ticket(ctx, tk.ID)
				if err != nil {
					t.Fatal(err)
				}
				if got.SlackChannel != "CACME" || got.SlackTS != "1700.01" || got.SlackThreadTS != "1700.01" {
					t.Errorf("card at %s %s %s", got.SlackChannel, got.SlackTS, got.SlackThreadTS)
				}
				if !got.UpdatedAt.Equal(tk.UpdatedAt) {
					t.Errorf("updated_at moved from %v to %v", tk.UpdatedAt, got.UpdatedAt)
				}
				return nil
			})
			if n, _ := db.OutboxPending(ctx); n != 0 {
				t.Errorf("%d outbox messages pending after delivery", n)
			}
			err = db.Update(ctx, func(tx domain.Tx) error { return tx.SetTicketCard(ctx, 999999, "C", "1", "1") })
			if domain.ErrorCode(err) != domain.ENOTFOUND {
				t.Errorf("unknown ticket: %v, want not found", err)
			}
		})
	}
}
