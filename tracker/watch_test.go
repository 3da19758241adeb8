package tracker_test

import (
	"context"
	"testing"
	"time"

	"github.com/deskbot/deskbot/commands"
	"github.com/deskbot/deskbot/domain"
	"github.com/deskbot/deskbot/storage"
	"github.com/deskbot/deskbot/storage/storagetest"
	"github.com/deskbot/deskbot/tracker/trackeremu"
)

// A watcher hears of an engineering issue opened or linked on a ticket
// they follow by someone else; the one who did it does not.
func TestWatchersHearOfIssueLinks(t *testing.T) {
	storagetest.ForEach(t, func(t *testing.T, db *storage.DB) {
		f := newFixture(t, db)
		ctx := context.Background()
		bo := domain.Actor{UserID: "U0BO", Name: "Bo", Role: domain.RoleAgent, Channel: domain.ChannelSlack}
		for _, a := range []domain.Actor{bo, agent} {
			if _, _, err := f.svc.Follow(ctx, a, "ACME-1", true); err != nil {
				t.Fatal(err)
			}
		}
		from := time.Now().Add(-time.Hour)
		f.emu.Add("github", ghRepo, trackeremu.Issue{Title: "CSV export 500"})
		if _, err := f.svc.LinkIssue(ctx, agent, "ACME-1", ghRepo+"#1"); err != nil {
			t.Fatal(err)
		}
		if _, err := f.svc.Escalate(ctx, agent, "ACME-1", commands.EscalateInput{Tracker: "gh", Title: "Export crashes"}); err != nil {
			t.Fatal(err)
		}
		notes, err := f.svc.WatchDigest(ctx, bo.UserID, from, time.Now().Add(time.Hour))
		if err != nil {
			t.Fatal(err)
		}
		kinds := map[string]string{}
		for _, n := range notes {
			kinds[n.Kind] = n.NewValue
		}
		if kinds[domain.EventIssueLinked] != ghRepo+"#1" || kinds[domain.EventEscalated] != ghRepo+"#2" {
			t.Errorf("Bo's notes: %v", kinds)
		}
		if mine, _ := f.svc.WatchDigest(ctx, agent.UserID, from, time.Now().Add(time.Hour)); len(mine) != 0 {
			t.Errorf("told of their own links: %+v", mine)
		}
	})
}
