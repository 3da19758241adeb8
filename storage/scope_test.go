package storage_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/deskbot/deskbot/domain"
	"github.com/deskbot/deskbot/domain/query"
	"github.com/deskbot/deskbot/storage"
	"github.com/deskbot/deskbot/storage/storagetest"
)

// A customer's scope is applied by every read: nothing of another
// customer's comes back, whatever the caller asks for.
func TestScopeFiltersEveryRead(t *testing.T) {
	storagetest.ForEach(t, func(t *testing.T, db *storage.DB) {
		ctx := context.Background()
		pa, pb := seedCustomer(t, db, "AAA"), seedCustomer(t, db, "BBB")
		a, b := seedTicket(t, db, pa, "alpha"), seedTicket(t, db, pb, "bravo")
		var shared, own *domain.SavedView
		update(t, db, func(tx domain.Tx) error {
			if err := tx.AddLink(ctx, &domain.Link{FromID: b.ID, ToID: a.ID, Kind: domain.LinkBlocks}); err != nil {
				return err
			}
			for _, tk := range []*domain.Ticket{a, b} {
				for _, public := range []bool{true, false} {
					if err := tx.AddComment(ctx, &domain.Comment{TicketID: tk.ID, AuthorRole: domain.RoleAgent, Body: tk.Title + " comment", Public: public, Channel: "slack"}); err != nil {
						return err
					}
				}
				end := tx.Now()
				if err := tx.CreateTimeEntry(ctx, &domain.TimeEntry{TicketID: tk.ID, UserID: "UAG", StartedAt: end.Add(-time.Hour), EndedAt: &end, Seconds: 3600, Source: "manual"}); err != nil {
					return err
				}
			}
			if err := tx.AddEvent(ctx, &domain.Event{TicketID: a.ID, Actor: "UAG", Kind: domain.EventLinked, Field: "blocks_by", NewValue: "BBB-1"}); err != nil {
				return err
			}
			if err := tx.AddEvent(ctx, &domain.Event{TicketID: a.ID, Actor: "UAG", Kind: domain.EventTimeLogged, NewValue: "1h"}); err != nil {
				return err
			}
			shared = &domain.SavedView{Name: "bbb watch", Owner: "UAG", Shared: true, Query: "customer:BBB"}
			own = &domain.SavedView{Name: "mine", Owner: "UCA", Query: "all"}
			if err := tx.CreateSavedView(ctx, shared); err != nil {
				return err
			}
			return tx.CreateSavedView(ctx, own)
		})
		scope := domain.Scope{Customer: true, CustomerID: pa.ID, UserID: "UCA"}
		err := db.ViewAs(ctx, scope, func(tx domain.Tx) error {
			notFound := func(what string, err error) {
				if domain.ErrorCode(err) != domain.ENOTFOUND {
					t.Errorf("%s: %v, want not found", what, err)
				}
			}
			_, err := tx.Ticket(ctx, b.ID)
			notFound("Ticket", err)
			_, err = tx.TicketByKey(ctx, "BBB-1")
			notFound("TicketByKey", err)
			_, err = tx.CustomerByKey(ctx, "BBB")
			notFound("CustomerByKey", err)
			_, err = tx.SavedView(ctx, shared.ID)
			notFound("SavedView", err)
			if got, err := tx.Ticket(ctx, a.ID); err != nil || got.ID != a.ID {
				t.Errorf("own ticket: %v", err)
			}
			if ts, err := tx.FindTickets(ctx, domain.TicketFilter{CustomerID: pb.ID}); err != nil || len(ts) != 0 {
				t.Errorf("FindTickets of the other: %d, %v", len(ts), err)
			}
			if n, err := tx.CountTickets(ctx, domain.TicketFilter{}); err != nil || n != 1 {
				t.Errorf("CountTickets: %d, %v", n, err)
			}
			if ts, err := tx.TicketsByID(ctx, []int64{a.ID, b.ID}); err != nil || len(ts) != 1 || ts[0].ID != a.ID {
				t.Errorf("TicketsByID: %v, %v", ts, err)
			}
			recs, err := tx.TicketRecords(ctx, []int64{a.ID, b.ID})
			if err != nil || len(recs) != 1 {
				t.Fatalf("TicketRecords: %d, %v", len(recs), err)
			}
			if k, ok := recs[0].LinkedKeys[b.ID]; !ok || k != "" || len(recs[0].Links) != 1 {
				t.Errorf("the link to the other's ticket: key %q, %d links", k, len(recs[0].Links))
			}
			if len(recs[0].Comments) != 1 || !recs[0].Comments[0].Public {
				t.Errorf("record comments: %d", len(recs[0].Comments))
			}
			q, err := query.Parse("customer:BBB", nil)
			if err != nil {
				t.Fatal(err)
			}
			res, err := q.Resolve(query.Env{Now: tx.Now()})
			if err != nil {
				t.Fatal(err)
			}
			page, err := tx.QueryTickets(ctx, &domain.ViewQuery{Q: res, CustomerID: pb.ID, Limit: 10, Now: tx.Now()})
			if err != nil || page.Total != 0 {
				t.Errorf("QueryTickets of the other: %d, %v", page.Total, err)
			}
			if ls, err := tx.TicketLinks(ctx, []int64{a.ID, b.ID}); err != nil || len(ls) != 1 {
				t.Errorf("TicketLinks: %d, %v", len(ls), err)
			}
			if ls, err := tx.Links(ctx, b.ID); err != nil || len(ls) != 0 {
				t.Errorf("Links of the other's ticket: %d, %v", len(ls), err)
			}
			if cs, err := tx.Comments(ctx, b.ID); err != nil || len(cs) != 0 {
				t.Errorf("Comments of the other's ticket: %d, %v", len(cs), err)
			}
			if cs, err := tx.Comments(ctx, a.ID); err != nil || len(cs) != 1 {
				t.Errorf("own comments, public only: %d, %v", len(cs), err)
			}
			es, err := tx.Events(ctx, a.ID)
			for _, e := range es {
				if strings.Contains(e.NewValue, "BBB") || e.Kind == domain.EventTimeLogged {
					t.Errorf("event %+v", e)
				}
			}
			if err != nil {
				t.Error(err)
			}
			if es, err := tx.TimeEntries(ctx, domain.TimeFilter{}); err != nil || len(es) != 1 || es[0].TicketID != a.ID {
				t.Errorf("TimeEntries: %d, %v", len(es), err)
			}
			if rs, err := tx.TimeRows(ctx, domain.TimeFilter{CustomerID: pb.ID}); err != nil || len(rs) != 0 {
				t.Errorf("TimeRows of the other: %d, %v", len(rs), err)
			}
			if ps, err := tx.Customers(ctx); err != nil || len(ps) != 1 || ps[0].Key != "AAA" {
				t.Errorf("Customers: %v, %v", ps, err)
			}
			if vs, err := tx.SavedViews(ctx, "UAG"); err != nil || len(vs) != 1 || vs[0].ID != own.ID {
				t.Errorf("SavedViews: %v, %v", vs, err)
			}
			if ts, err := tx.TicketsCreated(ctx, 0, time.Time{}, tx.Now().Add(time.Hour)); err != nil || len(ts) != 1 {
				t.Errorf("TicketsCreated: %d, %v", len(ts), err)
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
		// A customer whose company is unknown sees no ticket at all.
		_ = db.ViewAs(ctx, domain.Scope{Customer: true}, func(tx domain.Tx) error {
			if n, err := tx.CountTickets(ctx, domain.TicketFilter{}); err != nil || n != 0 {
				t.Errorf("unknown customer counts %d, %v", n, err)
			}
			return nil
		})
		// The public face (cards): every ticket as its own customer sees it.
		_ = db.ViewAs(ctx, domain.PublicScope, func(tx domain.Tx) error {
			recs, err := tx.TicketRecords(ctx, []int64{a.ID, b.ID})
			if err != nil || len(recs) != 2 {
				t.Fatalf("public records: %d, %v", len(recs), err)
			}
			for _, r := range recs {
				for id, k := range r.LinkedKeys {
					if k != "" {
						t.Errorf("%s shows linked %d as %q", r.Ticket.Key(), id, k)
					}
				}
				if len(r.Comments) != 1 {
					t.Errorf("%s: %d comments on its public card", r.Ticket.Key(), len(r.Comments))
				}
			}
			return nil
		})
		// Agents see it all.
		_ = db.View(ctx, func(tx domain.Tx) error {
			recs, err := tx.TicketRecords(ctx, []int64{a.ID})
			if err != nil || recs[0].LinkedKeys[b.ID] != "BBB-1" {
				t.Errorf("agent's record: %v, %v", recs[0].LinkedKeys, err)
			}
			return nil
		})
	})
}
