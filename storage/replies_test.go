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

func TestSavedReplies(t *testing.T) {
	storagetest.ForEach(t, func(t *testing.T, db *storage.DB) {
		ctx := context.Background()
		shared := &domain.SavedReply{Name: "Fixed", Body: "Hello {requester.first_name}", Status: "resolved", Tags: "fixed", Assignee: "me", CreatedBy: "U1"}
		mine := &domain.SavedReply{Name: "Mine", Body: "b", Owner: "U1", CreatedBy: "U1"}
		theirs := &domain.SavedReply{Name: "Mine", Body: "c", Owner: "U2", CreatedBy: "U2"}
		update(t, db, func(tx domain.Tx) error {
			for _, r := range []*domain.SavedReply{shared, mine, theirs} {
				if err := tx.SaveReply(ctx, r); err != nil {
					return err
				}
			}
			return tx.CountReplyUse(ctx, shared.ID)
		})
		if shared.ID == 0 || shared.CreatedAt.IsZero() {
			t.Fatalf("not filled in: %+v", shared)
		}
		// A name is unique among one person's replies (any case) and among the shared ones.
		err := db.Update(ctx, func(tx domain.Tx) error {
			return tx.SaveReply(ctx, &domain.SavedReply{Name: "FIXED", Body: "x", CreatedBy: "U3"})
		})
		if domain.ErrorField(err) != "name" {
			t.Errorf("duplicate shared name: %v", err)
		}
		_ = db.View(ctx, func(tx domain.Tx) error {
			rs, err := tx.SavedReplies(ctx, "U1")
			if err != nil || len(rs) != 2 || rs[0].Name != "Fixed" || rs[0].Uses != 1 || rs[1].Body != "b" {
				t.Errorf("U1 sees %+v %v", rs, err)
			}
			got, err := tx.SavedReply(ctx, shared.ID)
			if err != nil || got.Status != "resolved" || got.Tags != "fixed" || got.Assignee != "me" || got.Owner != "" {
				t.Errorf("read back %+v %v", got, err)
			}
			return nil
		})
		mine.Body = "edited"
		update(t, db, func(tx domain.Tx) error {
			if err := tx.SaveReply(ctx, mine); err != nil {
				return err
			}
			return tx.DeleteReply(ctx, theirs.ID)
		})
		_ = db.View(ctx, func(tx domain.Tx) error {
			if got, err := tx.SavedReply(ctx, mine.ID); err != nil || got.Body != "edited" {
				t.Errorf("edited: %+v %v", got, err)
			}
			if _, err := tx.SavedReply(ctx, theirs.ID); domain.ErrorCode(err) != domain.ENOTFOUND {
				t.Errorf("deleted: %v", err)
			}
			return nil
		})
	})
}

func TestWatchersNotesAndCc(t *testing.T) {
	storagetest.ForEach(t, func(t *testing.T, db *storage.DB) {
		ctx := context.Background()
		p := seedCustomer(t, db, "ACME")
		tk := seedTicket(t, db, p, "Login fails")
		var ev *domain.Event
		update(t, db, func(tx domain.Tx) error {
			for _, u := range []string{"U2", "U1", "U2"} {
				if _, err := tx.Follow(ctx, tk.ID, u); err != nil {
					return err
				}
			}
			ev = &domain.Event{TicketID: tk.ID, Actor: "U1", Channel: "slack", Kind: domain.EventPriority, Field: "priority", OldValue: "normal", NewValue: "high"}
			if err := tx.AddEvent(ctx, ev); err != nil {
				return err
			}
			for range 2 { // a second note of one event is no second line
				if err := tx.AddWatchNote(ctx, "U2", ev.ID); err != nil {
					return err
				}
			}
			if _, err := tx.AddTag(ctx, tk.ID, "billing"); err != nil {
				return err
			}
			return tx.AddParticipants(ctx, []*domain.Participant{{TicketID: tk.ID, Email: "cy@acme.com", Role: domain.ParticipantRequester},
				{TicketID: tk.ID, Email: "boss@acme.com", Role: domain.ParticipantCc}, {TicketID: tk.ID, Email: "x@acme.com", Role: domain.ParticipantCc}})
		})
		update(t, db, func(tx domain.Tx) error {
			if did, err := tx.Unfollow(ctx, tk.ID, "U1"); err != nil || !did {
				t.Errorf("unfollow: %v %v", did, err)
			}
			if did, err := tx.Unfollow(ctx, tk.ID, "U1"); err != nil || did {
				t.Errorf("unfollow twice: %v %v", did, err)
			}
			if did, err := tx.RemoveParticipant(ctx, tk.ID, "x@acme.com"); err != nil || !did {
				t.Errorf("remove cc: %v %v", did, err)
			}
			return nil
		})
		_ = db.View(ctx, func(tx domain.Tx) error {
			if ws, err := tx.Watchers(ctx, tk.ID); err != nil || !reflect.DeepEqual(ws, []string{"U2"}) {
				t.Errorf("watchers %v %v", ws, err)
			}
			from := ev.At.Truncate(time.Minute)
			ns, err := tx.WatchNotes(ctx, "U2", from, from.Add(time.Minute))
			if err != nil || len(ns) != 1 || ns[0].Key() != "ACME-1" || ns[0].NewValue != "high" || ns[0].TicketTitle != "Login fails" {
				t.Errorf("notes %+v %v", ns, err)
			}
			if ns, _ := tx.WatchNotes(ctx, "U2", from.Add(time.Minute), from.Add(2*time.Minute)); len(ns) != 0 {
				t.Errorf("the next minute has %d notes", len(ns))
			}
			recs, err := tx.TicketRecords(ctx, []int64{tk.ID})
			if err != nil || !reflect.DeepEqual(recs[0].Tags, []string{"billing"}) || !reflect.DeepEqual(recs[0].Cc, []string{"boss@acme.com"}) {
				t.Errorf("record tags %v cc %v %v", recs[0].Tags, recs[0].Cc, err)
			}
			tags, err := tx.AllTags(ctx)
			if err != nil || !reflect.DeepEqual(tags, []domain.TagCount{{Tag: "billing", Tickets: 1}}) {
				t.Errorf("all tags %v %v", tags, err)
			}
			if ids, err := tx.TicketsTagged(ctx, "billing"); err != nil || !reflect.DeepEqual(ids, []int64{tk.ID}) {
				t.Errorf("tagged %v %v", ids, err)
			}
			return nil
		})
	})
}
