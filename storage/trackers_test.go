package storage_test

import (
	"context"
	"slices"
	"testing"
	"time"

	"github.com/deskbot/deskbot/domain"
	"github.com/deskbot/deskbot/storage"
	"github.com/deskbot/deskbot/storage/storagetest"
)

func TestTrackerIssues(t *testing.T) {
	storagetest.ForEach(t, func(t *testing.T, db *storage.DB) {
		ctx := context.Background()
		acme, globex := seedCustomer(t, db, "ACME"), seedCustomer(t, db, "GLOBEX")
		t1, t2, t3 := seedTicket(t, db, acme, "one"), seedTicket(t, db, acme, "two"), seedTicket(t, db, globex, "three")
		i := &domain.TrackerIssue{Tracker: "gh", Repo: "org/repo", Number: 7, State: domain.IssueOpen, Labels: "bug\nrelease:1.0"}
		update(t, db, func(tx domain.Tx) error {
			if err := tx.SaveIssue(ctx, i); err != nil {
				return err
			}
			for _, tk := range []*domain.Ticket{t1, t2, t3} {
				if added, err := tx.LinkIssue(ctx, tk.ID, i.ID, "U1"); err != nil || !added {
					t.Errorf("link %d: %v %v", tk.ID, added, err)
				}
			}
			if added, err := tx.LinkIssue(ctx, t1.ID, i.ID, "U1"); err != nil || added {
				t.Errorf("second link: %v %v", added, err)
			}
			return nil
		})
		id := i.ID
		// Saving again updates the same row.
		i2 := &domain.TrackerIssue{Tracker: "gh", Repo: "org/repo", Number: 7, State: domain.IssueClosed, Milestone: "1.0", Title: "T"}
		update(t, db, func(tx domain.Tx) error { return tx.SaveIssue(ctx, i2) })
		if i2.ID != id {
			t.Errorf("upsert made a new row: %d vs %d", i2.ID, id)
		}
		_ = db.View(ctx, func(tx domain.Tx) error {
			got, err := tx.IssueByRef(ctx, "gh", "org/repo", 7)
			if err != nil || got.State != domain.IssueClosed || got.Milestone != "1.0" || got.Title != "T" || got.Labels != "" {
				t.Errorf("by ref: %+v %v", got, err)
			}
			if _, err := tx.IssueByRef(ctx, "gh", "org/repo", 8); domain.ErrorCode(err) != domain.ENOTFOUND {
				t.Errorf("missing: %v", err)
			}
			m, err := tx.TicketIssues(ctx, []int64{t1.ID, t3.ID})
			if err != nil || len(m[t1.ID]) != 1 || m[t1.ID][0].Waiting != 2 || len(m[t3.ID]) != 1 {
				t.Errorf("ticket issues: %+v %v", m, err)
			}
			ids, err := tx.IssueTicketIDs(ctx, id)
			if err != nil || !slices.Equal(ids, []int64{t1.ID, t2.ID, t3.ID}) {
				t.Errorf("issue tickets: %v %v", ids, err)
			}
			return nil
		})
		// A resolved ticket no longer waits: only GLOBEX's does.
		update(t, db, func(tx domain.Tx) error {
			now := time.Now()
			for _, tk := range []*domain.Ticket{t1, t2} {
				tk.Status, tk.ResolvedAt = "resolved", &now
				if err := tx.UpdateTicket(ctx, tk); err != nil {
					return err
				}
			}
			return nil
		})
		_ = db.View(ctx, func(tx domain.Tx) error {
			m, err := tx.TicketIssues(ctx, []int64{t1.ID})
			if err != nil || m[t1.ID][0].Waiting != 1 {
				t.Errorf("after resolving: %+v %v", m, err)
			}
			open, err := tx.OpenLinkedIssues(ctx, 10)
			if err != nil || len(open) != 1 || open[0].ID != id {
				t.Errorf("open linked: %+v %v", open, err)
			}
			return nil
		})
		update(t, db, func(tx domain.Tx) error {
			now := time.Now()
			t3.Status, t3.ResolvedAt = "resolved", &now
			return tx.UpdateTicket(ctx, t3)
		})
		_ = db.View(ctx, func(tx domain.Tx) error {
			if open, err := tx.OpenLinkedIssues(ctx, 10); err != nil || len(open) != 0 {
				t.Errorf("nothing waits, yet: %+v %v", open, err)
			}
			return nil
		})
		// A customer's scope reads no issues.
		_ = db.ViewAs(ctx, domain.Scope{Customer: true, CustomerID: acme.ID}, func(tx domain.Tx) error {
			if m, err := tx.TicketIssues(ctx, []int64{t1.ID}); err != nil || len(m) != 0 {
				t.Errorf("customer scope: %+v %v", m, err)
			}
			return nil
		})
	})
}
