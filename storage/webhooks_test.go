package storage_test

import (
	"context"
	"encoding/json"
	"errors"
	"testing"
	"time"

	"github.com/deskbot/deskbot/domain"
	"github.com/deskbot/deskbot/storage"
	"github.com/deskbot/deskbot/storage/storagetest"
)

// TestWebhookDeliveriesQueuedWithEvents: recording an event queues one
// delivery (and its outbox message) per live webhook subscribing to it,
// in that transaction: a rollback leaves neither.
func TestWebhookDeliveriesQueuedWithEvents(t *testing.T) {
	storagetest.ForEach(t, func(t *testing.T, db *storage.DB) {
		ctx := context.Background()
		tk := seedTicket(t, db, seedCustomer(t, db, "ACME"), "Export fails")
		created := &domain.Webhook{URL: "https://a.example/h", Events: "ticket.created comment.added", Secret: "s1", CreatedBy: "U1"}
		internal := &domain.Webhook{URL: "https://b.example/h", Events: "comment.internal", Secret: "s2", CreatedBy: "U1"}
		gone := &domain.Webhook{URL: "https://c.example/h", Events: "ticket.created comment.internal", Secret: "s3", CreatedBy: "U1"}
		update(t, db, func(tx domain.Tx) error {
			for _, w := range []*domain.Webhook{created, internal, gone} {
				if err := tx.AddWebhook(ctx, w); err != nil {
					return err
				}
			}
			return tx.RemoveWebhook(ctx, gone.ID)
		})
		deliveries := func() []*domain.WebhookDelivery {
			var out []*domain.WebhookDelivery
			_ = db.View(ctx, func(tx domain.Tx) (err error) {
				out, err = tx.WebhookDeliveries(ctx, 0, 100)
				return err
			})
			return out
		}
		// Rolled back: nothing queued.
		boom := errors.New("boom")
		err := db.Update(ctx, func(tx domain.Tx) error {
			if err := tx.AddEvent(ctx, &domain.Event{TicketID: tk.ID, Actor: "U1", Kind: domain.EventCreated, NewValue: tk.Key()}); err != nil {
				return err
			}
			return boom
		})
		if !errors.Is(err, boom) || len(deliveries()) != 0 {
			t.Fatalf("after a rollback: %v, %d deliveries", err, len(deliveries()))
		}
		update(t, db, func(tx domain.Tx) error {
			if err := tx.AddEvent(ctx, &domain.Event{TicketID: tk.ID, Actor: "U1", Kind: domain.EventCreated, NewValue: tk.Key()}); err != nil {
				return err
			}
			if err := tx.AddComment(ctx, &domain.Comment{TicketID: tk.ID, AuthorID: "U1", Body: "customer is on a trial", Channel: "slack", SourceRef: "n1"}); err != nil {
				return err
			}
			if err := tx.AddEvent(ctx, &domain.Event{TicketID: tk.ID, Actor: "U1", Kind: domain.EventComment, NewValue: "internal"}); err != nil {
				return err
			}
			// An event no webhook listens to queues nothing.
			return tx.AddEvent(ctx, &domain.Event{TicketID: tk.ID, Actor: "U1", Kind: domain.EventAssigned, NewValue: "U2"})
		})
		ds := deliveries()
		if len(ds) != 2 {
			t.Fatalf("%d deliveries, want 2: %+v", len(ds), ds)
		}
		internalOne, createdOne := ds[0], ds[1] // newest first
		if createdOne.WebhookID != created.ID || createdOne.Type != domain.HookTicketCreated ||
			internalOne.WebhookID != internal.ID || internalOne.Type != domain.HookCommentInternal {
			t.Errorf("deliveries: %+v %+v", createdOne, internalOne)
		}
		var body domain.HookBody
		if err := json.Unmarshal([]byte(internalOne.Body), &body); err != nil {
			t.Fatal(err)
		}
		c, _ := body.Data["comment"].(map[string]any)
		if body.ID != internalOne.DeliveryID || body.Ticket.Key != "ACME-1" || body.Ticket.Customer.Key != "ACME" || c["body"] != "customer is on a trial" {
			t.Errorf("body: %s", internalOne.Body)
		}
		msgs, err := db.ClaimOutbox(ctx, "", []string{domain.OutboxWebhook}, 10, time.Minute)
		if err != nil || len(msgs) != 2 {
			t.Fatalf("outbox: %d %v", len(msgs), err)
		}
		// Order per ticket: the second waits for the first of its webhook
		// only; removing a webhook drops what it had pending.
		update(t, db, func(tx domain.Tx) error {
			if err := tx.AddEvent(ctx, &domain.Event{TicketID: tk.ID, Actor: "U1", Kind: domain.EventCreated, NewValue: tk.Key()}); err != nil {
				return err
			}
			ds, err := tx.WebhookDeliveries(ctx, created.ID, 10)
			if err != nil || len(ds) != 2 {
				t.Fatalf("%d deliveries of the first webhook: %v", len(ds), err)
			}
			if _, err := tx.EarlierPending(ctx, ds[0]); err != nil {
				t.Errorf("no earlier delivery owed before %+v: %v", ds[0], err)
			}
			if _, err := tx.EarlierPending(ctx, internalOne); domain.ErrorCode(err) != domain.ENOTFOUND {
				t.Errorf("the first of its webhook waits: %v", err)
			}
			return tx.RemoveWebhook(ctx, created.ID)
		})
		for _, d := range deliveries() {
			if d.WebhookID == created.ID && d.DroppedAt == nil {
				t.Errorf("left pending after its webhook was removed: %+v", d)
			}
		}
		err = db.Update(ctx, func(tx domain.Tx) error { return tx.RemoveWebhook(ctx, created.ID) })
		if domain.ErrorCode(err) != domain.ENOTFOUND {
			t.Errorf("removed twice: %v", err)
		}
	})
}
