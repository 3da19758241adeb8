package storage_test

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/deskbot/deskbot/domain"
	"github.com/deskbot/deskbot/storage"
	"github.com/deskbot/deskbot/storage/storagetest"
)

func TestTagsRunsCounters(t *testing.T) {
	storagetest.ForEach(t, func(t *testing.T, db *storage.DB) {
		ctx := context.Background()
		tk := seedTicket(t, db, seedCustomer(t, db, "ACME"), "Tagged")
		update(t, db, func(tx domain.Tx) error {
			for _, step := range []struct {
				add  bool
				tag  string
				want bool
			}{{true, "vip", true}, {true, "vip", false}, {true, "beta", true}, {false, "beta", true}, {false, "beta", false}} {
				var did bool
				var err error
				if step.add {
					did, err = tx.AddTag(ctx, tk.ID, step.tag)
				} else {
					did, err = tx.RemoveTag(ctx, tk.ID, step.tag)
				}
				if err != nil || did != step.want {
					t.Errorf("%+v: %v %v", step, did, err)
				}
			}
			tags, err := tx.Tags(ctx, tk.ID)
			if err != nil || len(tags) != 1 || tags[0] != "vip" {
				t.Errorf("tags %v %v", tags, err)
			}
			first, err := tx.ClaimAutomationRun(ctx, tk.ID, "chase", "2026-11-27T09:00:00Z")
			again, err2 := tx.ClaimAutomationRun(ctx, tk.ID, "chase", "2026-11-27T09:00:00Z")
			other, err3 := tx.ClaimAutomationRun(ctx, tk.ID, "chase", "2026-11-28T09:00:00Z")
			if !first || again || !other || err != nil || err2 != nil || err3 != nil {
				t.Errorf("runs: %v %v %v (%v %v %v)", first, again, other, err, err2, err3)
			}
			return nil
		})
		// Concurrent round-robin turns: each caller gets its own number.
		var mu sync.Mutex
		seen := map[int64]bool{}
		var wg sync.WaitGroup
		for range 8 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				err := db.Update(ctx, func(tx domain.Tx) error {
					n, err := tx.NextCounter(ctx, "rr:l1")
					if err == nil {
						mu.Lock()
						seen[n] = true
						mu.Unlock()
					}
					return err
				})
				if err != nil {
					t.Error(err)
				}
			}()
		}
		wg.Wait()
		for n := int64(1); n <= 8; n++ {
			if !seen[n] {
				t.Errorf("counter values %v: %d missing", seen, n)
			}
		}
	})
}

func TestTicketActivity(t *testing.T) {
	clock := storagetest.NewClock(t0)
	storagetest.ForEach(t, func(t *testing.T, db *storage.DB) {
		ctx := context.Background()
		clock.Set(t0)
		p := seedCustomer(t, db, "ACME")
		quiet := seedTicket(t, db, p, "Quiet")
		busy := seedTicket(t, db, p, "Busy")
		update(t, db, func(tx domain.Tx) error {
			return tx.AddEvent(ctx, &domain.Event{TicketID: busy.ID, Actor: "U1", Channel: "slack", Kind: domain.EventStatus, Field: "status", OldValue: "new", NewValue: "waiting"})
		})
		clock.Advance(time.Hour)
		update(t, db, func(tx domain.Tx) error {
			for _, c := range []*domain.Comment{
				{TicketID: busy.ID, AuthorID: "UA", AuthorRole: domain.RoleAgent, Body: "public", Public: true, Channel: "slack"},
				{TicketID: busy.ID, AuthorID: "UA", AuthorRole: domain.RoleAgent, Body: "note", Public: false, Channel: "slack"},
			} {
				if err := tx.AddComment(ctx, c); err != nil {
					return err
				}
			}
			return tx.AddEvent(ctx, &domain.Event{TicketID: busy.ID, Actor: "UA", Channel: "slack", Kind: domain.EventComment})
		})
		// An automation's own event later on is no activity.
		clock.Advance(time.Hour)
		update(t, db, func(tx domain.Tx) error {
			return tx.AddEvent(ctx, &domain.Event{TicketID: busy.ID, Actor: "deskbot", Channel: domain.ChannelAutomation, Kind: domain.EventAutomation, Field: "nudge"})
		})
		var acts []*domain.TicketActivity
		_ = db.View(ctx, func(tx domain.Tx) (err error) {
			acts, err = tx.TicketActivity(ctx, []string{"new", "waiting"})
			return err
		})
		if len(acts) != 2 {
			t.Fatalf("activity %+v", acts)
		}
		q, b := acts[0], acts[1]
		if q.TicketID != quiet.ID || q.LastActivity != nil || q.LastAgentReply != nil || !q.CreatedAt.Equal(t0) {
			t.Errorf("quiet %+v", q)
		}
		if b.LastStatus == nil || !b.LastStatus.Equal(t0) || b.LastActivity == nil || !b.LastActivity.Equal(t0.Add(time.Hour)) {
			t.Errorf("busy events %+v", b)
		}
		if b.LastAgentReply == nil || !b.LastAgentReply.Equal(t0.Add(time.Hour)) || b.LastCustomerReply != nil || b.LastAgentReply.Location() != time.UTC {
			t.Errorf("busy replies %+v", b)
		}
	}, storage.WithClock(clock.Now))
}

func TestReleasesAndSurveys(t *testing.T) {
	storagetest.ForEach(t, func(t *testing.T, db *storage.DB) {
		ctx := context.Background()
		p := seedCustomer(t, db, "ACME")
		tk := seedTicket(t, db, p, "Rated")
		tk2 := seedTicket(t, db, p, "Rated too")
		update(t, db, func(tx domain.Tx) error {
			for _, v := range []string{"4.2.1", "4.2.2", "4.2.1"} {
				if _, err := tx.AddRelease(ctx, &domain.Release{Version: v, RecordedBy: "U1"}); err != nil {
					return err
				}
			}
			rs, err := tx.Releases(ctx)
			if err != nil || len(rs) != 2 || rs[0].Version != "4.2.1" {
				t.Errorf("releases %+v %v", rs, err)
			}
			for _, a := range []*domain.SurveyAnswer{
				{TicketID: tk.ID, CustomerID: p.ID, Respondent: "UC", Rating: 2},
				{TicketID: tk.ID, CustomerID: p.ID, Respondent: "UC", Rating: 5}, // changed their mind
				{TicketID: tk2.ID, CustomerID: p.ID, Respondent: "UC", Rating: 4},
			} {
				if err := tx.SaveSurveyAnswer(ctx, a); err != nil {
					return err
				}
			}
			s, err := tx.SurveySummary(ctx, p.ID)
			if err != nil || s.Count != 2 || s.Average != 4.5 {
				t.Errorf("summary %+v %v", s, err)
			}
			vs, err := tx.VersionTickets(ctx, t0.AddDate(1, 0, 0), []string{"new"})
			if err != nil || len(vs) != 2 {
				t.Errorf("version tickets %+v %v", vs, err)
			}
			return nil
		})
	})
}
