package commands_test

import (
	"context"
	"testing"
	"time"

	"github.com/deskbot/deskbot/commands"
	"github.com/deskbot/deskbot/domain"
)

// A tag renamed on every ticket reaches the watchers of each, as one
// change: not the admin who renamed it.
func TestWatchersHearOfATagRename(t *testing.T) {
	forEach(t, func(t *testing.T, e *env) {
		ctx := context.Background()
		tk := e.ticket(t, commands.TicketInput{Title: "Export slow"})
		if _, _, err := e.svc.TagTicket(ctx, agent, tk.Key(), domain.TagChange{Add: []string{"billing"}}); err != nil {
			t.Fatal(err)
		}
		for _, a := range []domain.Actor{agent, agent2} {
			if _, _, err := e.svc.Follow(ctx, a, tk.Key(), true); err != nil {
				t.Fatal(err)
			}
		}
		e.clock.Advance(time.Minute)
		since := e.clock.Now()
		if _, err := e.svc.RenameTag(ctx, agent, "billing", "invoices"); err != nil {
			t.Fatal(err)
		}
		notes, err := e.svc.WatchDigest(ctx, agent2.UserID, since, since.Add(time.Minute))
		if err != nil {
			t.Fatal(err)
		}
		if len(notes) != 1 || notes[0].Kind != domain.EventTag || notes[0].OldValue != "billing" || notes[0].NewValue != "invoices" {
			t.Errorf("Bo's notes: %+v", notes)
		}
		if mine, _ := e.svc.WatchDigest(ctx, agent.UserID, since, since.Add(time.Minute)); len(mine) != 0 {
			t.Errorf("the admin was told of their own rename: %+v", mine)
		}
	})
}
