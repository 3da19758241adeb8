package commands_test

import (
	"context"
	"testing"

	"github.com/deskbot/deskbot/commands"
)

// An undone merge tells the customer once, where the merge told them (the
// duplicate's thread), that their ticket is on its own again; another
// customer's key is never named to them.
func TestUnmergeTellsTheCustomer(t *testing.T) {
	forEach(t, func(t *testing.T, e *env) {
		ctx := context.Background()
		dup, orig, other := mergeEnv(t, e)
		if _, err := e.svc.MergeTickets(ctx, agent, dup.Key(), orig.Key(), false); err != nil {
			t.Fatal(err)
		}
		e.posts(t) // the merge's own notices
		if _, err := e.svc.Unmerge(ctx, agent, dup.Key()); err != nil {
			t.Fatal(err)
		}
		if _, err := e.svc.Unmerge(ctx, agent, dup.Key()); err == nil {
			t.Fatal("undone twice")
		}
		told := unmergeNotices(e.posts(t))
		if len(told) != 1 || told[0].TicketID != dup.ID || !told[0].InTicketThread || told[0].Args["from"] != orig.Key() {
			t.Fatalf("undo notices %+v", told)
		}
		if got, want := commands.UnmergeNotice(dup.Key(), orig.Key()), "We merged "+dup.Key()+" into "+orig.Key()+" by mistake: "+dup.Key()+
			" goes on as its own request, and your replies to it reach us there."; got != want {
			t.Errorf("notice %q", got)
		}

		// Across customers, the other's key stays unsaid.
		if _, err := e.svc.MergeTickets(ctx, admin, dup.Key(), other.Key(), true); err != nil {
			t.Fatal(err)
		}
		if _, err := e.svc.Unmerge(ctx, admin, dup.Key()); err != nil {
			t.Fatal(err)
		}
		told = unmergeNotices(e.posts(t))
		if len(told) != 1 || told[0].Args["from"] != "" {
			t.Errorf("undo across customers told %+v", told)
		}
	})
}

func unmergeNotices(posts []commands.PostJob) []commands.PostJob {
	var out []commands.PostJob
	for _, p := range posts {
		if p.Notice == commands.NoticeUnmerged {
			out = append(out, p)
		}
	}
	return out
}
