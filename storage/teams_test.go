package storage_test

import (
	"context"
	"testing"
	"time"

	"github.com/deskbot/deskbot/domain"
	"github.com/deskbot/deskbot/storage"
	"github.com/deskbot/deskbot/storage/storagetest"
)

func TestCustomerByTeam(t *testing.T) {
	storagetest.ForEach(t, func(t *testing.T, db *storage.DB) {
		ctx := context.Background()
		acme, beta := seedCustomer(t, db, "ACME"), seedCustomer(t, db, "BETA")
		_ = db.View(ctx, func(tx domain.Tx) error {
			if _, err := tx.CustomerByTeam(ctx, "TACME"); domain.ErrorCode(err) != domain.ENOTFOUND {
				t.Errorf("unknown organisation: %v", err)
			}
			return nil
		})
		update(t, db, func(tx domain.Tx) error {
			p, err := tx.LinkTeam(ctx, "TACME", "Acme Corp", acme.ID)
			if err != nil || p.Key != "ACME" {
				t.Errorf("link: %v %v", p, err)
			}
			// A second first sighting, racing the first, agrees with it.
			p, err = tx.LinkTeam(ctx, "TACME", "Acme Corp", beta.ID)
			if err != nil || p.Key != "ACME" {
				t.Errorf("second link: %v %v", p, err)
			}
			return nil
		})
		_ = db.View(ctx, func(tx domain.Tx) error {
			if p, err := tx.CustomerByTeam(ctx, "TACME"); err != nil || p.ID != acme.ID {
				t.Errorf("by team: %v %v", p, err)
			}
			return nil
		})
	})
}

// A moved ticket keeps its key everywhere it shows: by key, in lists, in
// time rows; the new customer's numbering keeps no gap and moving back
// restores the ticket's own number.
func TestMoveTicketKeepsKey(t *testing.T) {
	storagetest.ForEach(t, func(t *testing.T, db *storage.DB) {
		ctx := context.Background()
		acme, beta := seedCustomer(t, db, "ACME"), seedCustomer(t, db, "BETA")
		seedTicket(t, db, acme, "first")
		moved := seedTicket(t, db, acme, "moves")
		seedTicket(t, db, beta, "beta's own")
		update(t, db, func(tx domain.Tx) error {
			end := t0.Add(time.Hour)
			if err := tx.CreateTimeEntry(ctx, &domain.TimeEntry{TicketID: moved.ID, UserID: "U1", StartedAt: t0, EndedAt: &end, Seconds: 3600, Source: domain.TimeFromManual}); err != nil {
				return err
			}
			tk, err := tx.TicketByKey(ctx, "ACME-2")
			if err != nil {
				return err
			}
			return tx.MoveTicket(ctx, tk, beta)
		})
		_ = db.View(ctx, func(tx domain.Tx) error {
			tk, err := tx.TicketByKey(ctx, "ACME-2")
			if err != nil || tk.CustomerID != beta.ID || tk.Key() != "ACME-2" || tk.Title != "moves" {
				t.Errorf("moved ticket by its key: %+v %v", tk, err)
			}
			list, err := tx.FindTickets(ctx, domain.TicketFilter{CustomerID: beta.ID})
			if err != nil || len(list) != 2 || list[0].Key() != "BETA-1" || list[1].Key() != "ACME-2" {
				t.Errorf("BETA's tickets: %v %v", keysOf(list), err)
			}
			rows, err := tx.TimeRows(ctx, domain.TimeFilter{CustomerID: beta.ID})
			if err != nil || len(rows) != 1 || rows[0].Key() != "ACME-2" {
				t.Errorf("the time moved with the ticket: %+v %v", rows, err)
			}
			return nil
		})
		// BETA's own numbering goes on without a gap.
		next := seedTicket(t, db, beta, "after")
		if next.Key() != "BETA-2" {
			t.Errorf("next BETA ticket %s", next.Key())
		}
		update(t, db, func(tx domain.Tx) error {
			tk, err := tx.TicketByKey(ctx, "ACME-2")
			if err != nil {
				return err
			}
			return tx.MoveTicket(ctx, tk, acme)
		})
		_ = db.View(ctx, func(tx domain.Tx) error {
			if tk, err := tx.TicketByKey(ctx, "ACME-2"); err != nil || tk.CustomerID != acme.ID || tk.Number != 2 {
				t.Errorf("moved back: %+v %v", tk, err)
			}
			return nil
		})
	})
}

func keysOf(ts []*domain.Ticket) []string {
	var out []string
	for _, t := range ts {
		out = append(out, t.Key())
	}
	return out
}
