package storage_test

import (
	"context"
	"reflect"
	"testing"
	"time"

	"github.com/deskbot/deskbot/domain"
	"github.com/deskbot/deskbot/storage"
	"github.com/deskbot/deskbot/storage/storagetest"
)

// TicketRecords reads for many tickets what the one-ticket reads give for
// each, whatever else the database holds, and leaves unknown ids out.
func TestTicketRecordsMatchOneTicketReads(t *testing.T) {
	storagetest.ForEach(t, func(t *testing.T, db *storage.DB) {
		ctx := context.Background()
		acme, globex := seedCustomer(t, db, "ACME"), seedCustomer(t, db, "GLOBEX")
		a := seedTicket(t, db, acme, "Printer on fire")
		b := seedTicket(t, db, globex, "Login fails")
		c := seedTicket(t, db, acme, "Nothing attached")
		other := seedTicket(t, db, acme, "Not asked for")
		stopped := t0.Add(-time.Hour)
		update(t, db, func(tx domain.Tx) error {
			for _, tk := range []*domain.Ticket{a, b, other} {
				if err := tx.AddEvent(ctx, &domain.Event{TicketID: tk.ID, Actor: "U1", Kind: domain.EventCreated, NewValue: tk.Key()}); err != nil {
					return err
				}
				if err := tx.AddComment(ctx, &domain.Comment{TicketID: tk.ID, AuthorID: "U2", Body: "hello " + tk.Key(), Public: true, SourceRef: "m-" + tk.Key()}); err != nil {
					return err
				}
			}
			if err := tx.CreateTimeEntry(ctx, &domain.TimeEntry{TicketID: a.ID, UserID: "U1", StartedAt: t0.Add(-2 * time.Hour), EndedAt: &stopped, Seconds: 3600, Source: "timer"}); err != nil {
				return err
			}
			if err := tx.CreateTimeEntry(ctx, &domain.TimeEntry{TicketID: b.ID, UserID: "U2", StartedAt: t0, Source: "timer"}); err != nil {
				return err
			}
			gone := &domain.TimeEntry{TicketID: a.ID, UserID: "U3", StartedAt: t0.Add(-3 * time.Hour), EndedAt: &stopped, Seconds: 7200, Source: "manual"}
			if err := tx.CreateTimeEntry(ctx, gone); err != nil {
				return err
			}
			if err := tx.DeleteTimeEntry(ctx, gone.ID, "U3"); err != nil {
				return err
			}
			if _, err := tx.AddSLAAlert(ctx, &domain.SLAAlert{TicketID: b.ID, Target: domain.TargetFirstResponse, Threshold: "75%", CycleStart: t0, ThresholdAt: t0}); err != nil {
				return err
			}
			if err := tx.AddLink(ctx, &domain.Link{FromID: a.ID, ToID: b.ID, Kind: domain.LinkBlocks}); err != nil {
				return err
			}
			return tx.AddLink(ctx, &domain.Link{FromID: other.ID, ToID: a.ID, Kind: domain.LinkFollowUp})
		})

		ids := []int64{b.ID, 999999, a.ID, c.ID, a.ID}
		var recs []*domain.TicketRecord
		err := db.View(ctx, func(tx domain.Tx) (err error) {
			recs, err = tx.TicketRecords(ctx, ids)
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
		var got []string
		for _, r := range recs {
			got = append(got, r.Ticket.Key())
		}
		if want := []string{b.Key(), a.Key(), c.Key()}; !reflect.DeepEqual(got, want) {
			t.Fatalf("records for %v, want %v", got, want)
		}
		for _, r := range recs {
			assertRecordMatches(t, db, r)
		}
		if a := recs[1]; len(a.Links) != 2 || a.LinkedKeys[b.ID] != b.Key() || a.LinkedKeys[other.ID] != other.Key() {
			t.Errorf("%s: links %v, keys %v", a.Ticket.Key(), a.Links, a.LinkedKeys)
		}
		if r := recs[0]; len(r.Entries) != 1 || !r.Entries[0].Running() || len(r.Alerts) != 1 || r.Customer.Key != "GLOBEX" {
			t.Errorf("%s: entries %v, alerts %v, customer %s", r.Ticket.Key(), r.Entries, r.Alerts, r.Customer.Key)
		}
		if r := recs[2]; len(r.Events)+len(r.Comments)+len(r.Entries)+len(r.Alerts)+len(r.Links) != 0 {
			t.Errorf("%s has rows of other tickets: %+v", r.Ticket.Key(), r)
		}
	})
}

// assertRecordMatches compares a record with what the one-ticket reads return.
func assertRecordMatches(t *testing.T, db *storage.DB, r *domain.TicketRecord) {
	t.Helper()
	ctx := context.Background()
	id := r.Ticket.ID
	err := db.View(ctx, func(tx domain.Tx) error {
		tk, err := tx.Ticket(ctx, id)
		if err != nil {
			return err
		}
		p, err := tx.Customer(ctx, tk.CustomerID)
		if err != nil {
			return err
		}
		entries, err := tx.TimeEntries(ctx, domain.TimeFilter{TicketID: id})
		if err != nil {
			return err
		}
		events, err := tx.Events(ctx, id)
		if err != nil {
			return err
		}
		comments, err := tx.Comments(ctx, id)
		if err != nil {
			return err
		}
		alerts, err := tx.SLAAlerts(ctx, id)
		if err != nil {
			return err
		}
		links, err := tx.Links(ctx, id)
		if err != nil {
			return err
		}
		for name, pair := range map[string][2]any{
			"ticket": {tk, r.Ticket}, "customer": {p, r.Customer}, "time entries": {entries, r.Entries},
			"events": {events, r.Events}, "comments": {comments, r.Comments}, "SLA alerts": {alerts, r.Alerts},
			"links": {links, r.Links},
		} {
			if !reflect.DeepEqual(pair[0], pair[1]) {
				t.Errorf("%s: %s differ:\n one: %#v\nmany: %#v", tk.Key(), name, pair[0], pair[1])
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}
