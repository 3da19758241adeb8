package storage_test

import (
	"context"
	"fmt"
	"maps"
	"testing"
	"time"

	"github.com/deskbot/deskbot/domain"
	"github.com/deskbot/deskbot/storage"
	"github.com/deskbot/deskbot/storage/storagetest"
)

// childTables are every table whose rows hang off a ticket, with the
// column that names it.
var childTables = map[string]string{
	"comments": "ticket_id", "events": "ticket_id", "time_entries": "ticket_id", "sla_alerts": "ticket_id",
	"ticket_tags": "ticket_id", "automation_runs": "ticket_id", "survey_answers": "ticket_id",
	"ticket_messages": "ticket_id", "ticket_participants": "ticket_id", "attachments": "ticket_id",
	"portal_revocations": "ticket_id", "ticket_links_from": "from_id", "ticket_links_to": "to_id",
	"ticket_issues": "ticket_id",
}

// childCounts counts each child table's rows per ticket of ids.
func childCounts(t *testing.T, db *storage.DB, ids ...int64) map[string]int {
	t.Helper()
	out := map[string]int{}
	for table, col := range childTables {
		name := table
		if table == "ticket_links_from" || table == "ticket_links_to" {
			name = "ticket_links"
		}
		for _, id := range ids {
			var n int
			if err := db.SQL().QueryRow(fmt.Sprintf("SELECT COUNT(*) FROM %s WHERE %s = %d", name, col, id)).Scan(&n); err != nil {
				t.Fatalf("count %s: %v", table, err)
			}
			out[fmt.Sprintf("%s/%d", table, id)] = n
		}
	}
	return out
}

func total(counts map[string]int, table string, ids ...int64) int {
	n := 0
	for _, id := range ids {
		n += counts[fmt.Sprintf("%s/%d", table, id)]
	}
	return n
}

func TestMergeKeepsEveryChildRow(t *testing.T) {
	storagetest.ForEach(t, func(t *testing.T, db *storage.DB) {
		ctx := context.Background()
		acme, globex := seedCustomer(t, db, "ACME"), seedCustomer(t, db, "GLOBEX")
		src, dst, other := seedTicket(t, db, acme, "duplicate"), seedTicket(t, db, globex, "original"), seedTicket(t, db, acme, "blocker")
		update(t, db, func(tx domain.Tx) error {
			for _, c := range []*domain.Comment{
				{TicketID: src.ID, AuthorRole: domain.RoleCustomer, Body: "one", Public: true, Channel: "slack", SourceRef: "1.1"},
				{TicketID: src.ID, AuthorRole: domain.RoleAgent, Body: "two", Channel: "slack"},
				{TicketID: src.ID, AuthorRole: domain.RoleCustomer, Body: "same mail", Public: true, Channel: "email", SourceRef: "m@x"},
				{TicketID: dst.ID, AuthorRole: domain.RoleCustomer, Body: "same mail", Public: true, Channel: "email", SourceRef: "m@x"},
			} {
				if err := tx.AddComment(ctx, c); err != nil {
					return err
				}
			}
			end := t0.Add(time.Hour)
			for _, e := range []*domain.TimeEntry{
				{TicketID: src.ID, UserID: "U1", StartedAt: t0, EndedAt: &end, Seconds: 3600, Source: domain.TimeFromManual},
				{TicketID: src.ID, UserID: "U2", StartedAt: t0, Source: domain.TimeFromTimer}, // running
			} {
				if err := tx.CreateTimeEntry(ctx, e); err != nil {
					return err
				}
			}
			if err := tx.AddAttachment(ctx, &domain.Attachment{TicketID: src.ID, Filename: "a.txt", Size: 1, Stored: true, Data: []byte("a")}); err != nil {
				return err
			}
			for _, m := range []*domain.TicketMessage{{MessageID: "src@x", TicketID: src.ID, Direction: domain.MailIn}, {MessageID: "dst@x", TicketID: dst.ID, Direction: domain.MailIn}} {
				if _, err := tx.AddTicketMessage(ctx, m); err != nil {
					return err
				}
			}
			if err := tx.AddParticipants(ctx, []*domain.Participant{
				{TicketID: src.ID, Email: "a@acme.com", Role: domain.ParticipantRequester},
				{TicketID: src.ID, Email: "both@acme.com", Role: domain.ParticipantCc},
				{TicketID: dst.ID, Email: "both@acme.com", Role: domain.ParticipantCc},
			}); err != nil {
				return err
			}
			for _, l := range []*domain.Link{
				{FromID: other.ID, ToID: src.ID, Kind: domain.LinkBlocks}, // a dependency on the duplicate
				{FromID: src.ID, ToID: dst.ID, Kind: domain.LinkParent},   // between the two: stays
			} {
				if err := tx.AddLink(ctx, l); err != nil {
					return err
				}
			}
			if _, err := tx.AddTag(ctx, src.ID, "billing"); err != nil {
				return err
			}
			issue := &domain.TrackerIssue{Tracker: "app", Repo: "acme/app", Number: 7, State: domain.IssueOpen}
			if err := tx.SaveIssue(ctx, issue); err != nil {
				return err
			}
			if _, err := tx.LinkIssue(ctx, src.ID, issue.ID, "U1"); err != nil {
				return err
			}
			_, err := tx.AddSLAAlert(ctx, &domain.SLAAlert{TicketID: src.ID, Target: "first_response", Threshold: "breach", CycleStart: t0, ThresholdAt: t0})
			return err
		})
		ids := []int64{src.ID, dst.ID, other.ID}
		before := childCounts(t, db, ids...)

		m := &domain.Merge{SourceID: src.ID, TargetID: dst.ID, MergedBy: "U1"}
		update(t, db, func(tx domain.Tx) error { return tx.MergeTickets(ctx, m, dst.CustomerID) })
		after := childCounts(t, db, ids...)
		for table := range childTables {
			if b, a := total(before, table, ids...), total(after, table, ids...); a != b {
				t.Errorf("%s: %d rows before the merge, %d after", table, b, a)
			}
		}
		for key, want := range map[string]int{
			fmt.Sprintf("comments/%d", src.ID): 1, fmt.Sprintf("comments/%d", dst.ID): 3,
			fmt.Sprintf("time_entries/%d", src.ID): 0, fmt.Sprintf("time_entries/%d", dst.ID): 2,
			fmt.Sprintf("attachments/%d", dst.ID): 1, fmt.Sprintf("ticket_messages/%d", dst.ID): 2,
			fmt.Sprintf("ticket_participants/%d", src.ID): 1, fmt.Sprintf("ticket_participants/%d", dst.ID): 2,
			fmt.Sprintf("ticket_links_to/%d", dst.ID): 2, fmt.Sprintf("ticket_links_from/%d", src.ID): 1,
			fmt.Sprintf("sla_alerts/%d", src.ID): 1, fmt.Sprintf("ticket_tags/%d", src.ID): 0,
			fmt.Sprintf("ticket_tags/%d", dst.ID): 1, fmt.Sprintf("ticket_issues/%d", src.ID): 0, fmt.Sprintf("ticket_issues/%d", dst.ID): 1,
		} {
			if after[key] != want {
				t.Errorf("after the merge %s = %d, want %d", key, after[key], want)
			}
		}
		_ = db.View(ctx, func(tx domain.Tx) error {
			tm, err := tx.FindTicketMessage(ctx, []string{"src@x"})
			if err != nil || tm.TicketID != dst.ID {
				t.Errorf("the source's mail threads to %+v, %v; want the target", tm, err)
			}
			es, err := tx.TimeEntries(ctx, domain.TimeFilter{CustomerID: globex.ID})
			if err != nil || len(es) != 2 {
				t.Errorf("time moved to the target's customer: %d entries, %v", len(es), err)
			}
			cs, _ := tx.Comments(ctx, dst.ID)
			merged := 0
			for _, c := range cs {
				if c.MergedFrom == src.ID {
					merged++
				}
			}
			if merged != 2 {
				t.Errorf("%d comments marked merged from the source, want 2", merged)
			}
			got, err := tx.LiveMerge(ctx, src.ID)
			if err != nil || len(got.Moved.Comments) != 2 || len(got.Moved.Links) != 1 || got.Moved.Participants[0] != "a@acme.com" || !got.MergedAt.Equal(t0.Truncate(time.Microsecond)) && got.MergedAt.IsZero() {
				t.Errorf("live merge: %+v, %v", got, err)
			}
			return nil
		})
		if err := db.Update(ctx, func(tx domain.Tx) error {
			return tx.MergeTickets(ctx, &domain.Merge{SourceID: src.ID, TargetID: other.ID, MergedBy: "U1"}, acme.ID)
		}); domain.ErrorCode(err) != domain.ECONFLICT {
			t.Errorf("second merge of one source: %v, want a conflict", err)
		}

		// A comment added to the target after the merge stays there on undo.
		update(t, db, func(tx domain.Tx) error {
			if err := tx.AddComment(ctx, &domain.Comment{TicketID: dst.ID, AuthorRole: domain.RoleAgent, Body: "later", Channel: "slack"}); err != nil {
				return err
			}
			live, err := tx.LiveMerge(ctx, src.ID)
			if err != nil {
				return err
			}
			return tx.UndoMerge(ctx, live, "U2")
		})
		undone := childCounts(t, db, ids...)
		want := maps.Clone(before)
		want[fmt.Sprintf("comments/%d", dst.ID)]++
		for k, n := range want {
			if undone[k] != n {
				t.Errorf("after undo %s = %d, want %d", k, undone[k], n)
			}
		}
		_ = db.View(ctx, func(tx domain.Tx) error {
			if _, err := tx.LiveMerge(ctx, src.ID); domain.ErrorCode(err) != domain.ENOTFOUND {
				t.Errorf("merge still live after undo: %v", err)
			}
			es, err := tx.TimeEntries(ctx, domain.TimeFilter{CustomerID: acme.ID})
			if err != nil || len(es) != 2 {
				t.Errorf("time back with the source's customer: %d entries, %v", len(es), err)
			}
			cs, _ := tx.Comments(ctx, src.ID)
			for _, c := range cs {
				if c.MergedFrom != 0 {
					t.Errorf("comment %d still marked merged", c.ID)
				}
			}
			return nil
		})
		if err := db.Update(ctx, func(tx domain.Tx) error { return tx.UndoMerge(ctx, m, "U2") }); domain.ErrorCode(err) != domain.ECONFLICT {
			t.Errorf("second undo: %v, want a conflict", err)
		}
	})
}
