package commands_test

import (
	"context"
	"testing"

	"github.com/deskbot/deskbot/commands"
	"github.com/deskbot/deskbot/domain"
)

func TestDependencies(t *testing.T) {
	forEach(t, func(t *testing.T, e *env) {
		ctx := context.Background()
		a := e.ticket(t, commands.TicketInput{Title: "Database migration"})
		b := e.ticket(t, commands.TicketInput{Title: "Feature on top"})
		c := e.ticket(t, commands.TicketInput{Title: "Another prerequisite"})
		for _, from := range []string{a.Key(), c.Key()} {
			if err := e.svc.Link(ctx, agent, from, domain.LinkBlocks, b.Key()); err != nil {
				t.Fatal(err)
			}
		}
		e.svc.ChangeStatus(ctx, agent, c.Key(), "open")
		tests := []struct {
			to, want string // want "" means allowed
		}{
			{"in_progress", "ACME-2 is blocked by ACME-1 (New) and ACME-3 (Open): resolve them before moving ACME-2 to In progress."},
			{"resolved", "ACME-2 is blocked by ACME-1 (New) and ACME-3 (Open): resolve them before moving ACME-2 to Resolved."},
			{"open", ""},    // triage is no work started
			{"waiting", ""}, // asking the customer is fine
		}
		for _, tt := range tests {
			_, err := e.svc.ChangeStatus(ctx, agent, b.Key(), tt.to)
			switch {
			case tt.want == "" && err != nil:
				t.Errorf("→ %s refused: %v", tt.to, err)
			case tt.want != "" && (domain.ErrorMessage(err) != tt.want || domain.ErrorField(err) != "status"):
				t.Errorf("→ %s: %v, want %q", tt.to, err, tt.want)
			}
		}
		// One blocker done, the other still names itself alone.
		e.svc.ChangeStatus(ctx, agent, a.Key(), "resolved")
		_, err := e.svc.ChangeStatus(ctx, agent, b.Key(), "in_progress")
		if domain.ErrorMessage(err) != "ACME-2 is blocked by ACME-3 (Open): resolve it before moving ACME-2 to In progress." {
			t.Errorf("one blocker left: %v", err)
		}
		e.svc.ChangeStatus(ctx, agent, c.Key(), "closed") // dropped counts as done
		if _, err := e.svc.ChangeStatus(ctx, agent, b.Key(), "in_progress"); err != nil {
			t.Errorf("unblocked ticket refused: %v", err)
		}
		// The card shows both sides.
		v, _ := e.svc.Card(ctx, b.ID)
		if len(v.Blockers) != 2 {
			t.Errorf("blockers on the card %v", v.Blockers)
		}
		if v, _ := e.svc.Card(ctx, a.ID); len(v.Blocks) != 1 || v.Blocks[0] != "ACME-2" {
			t.Errorf("blocks on the card %v", v.Blocks)
		}
		// A follow-up linked by hand shows on both cards.
		if err := e.svc.Link(ctx, agent, c.Key(), domain.LinkFollowUp, a.Key()); err != nil {
			t.Fatal(err)
		}
		if v, _ := e.svc.Card(ctx, c.ID); len(v.FollowsUp) != 1 || v.FollowsUp[0] != a.Key() {
			t.Errorf("%s follows up %v", c.Key(), v.FollowsUp)
		}
		if v, _ := e.svc.Card(ctx, a.ID); len(v.FollowedUpBy) != 1 || v.FollowedUpBy[0] != c.Key() {
			t.Errorf("%s followed up by %v", a.Key(), v.FollowedUpBy)
		}
	})
}

func TestBlockedTicketMayClose(t *testing.T) {
	forEach(t, func(t *testing.T, e *env) {
		ctx := context.Background()
		a := e.ticket(t, commands.TicketInput{})
		b := e.ticket(t, commands.TicketInput{})
		e.svc.Link(ctx, agent, a.Key(), domain.LinkBlocks, b.Key())
		if _, err := e.svc.ChangeStatus(ctx, agent, b.Key(), "closed"); err != nil {
			t.Errorf("a blocked ticket must be closable (won't do): %v", err)
		}
	})
}

func TestLinkCyclesRefused(t *testing.T) {
	forEach(t, func(t *testing.T, e *env) {
		ctx := context.Background()
		var keys []string
		for range 3 {
			keys = append(keys, e.ticket(t, commands.TicketInput{}).Key())
		}
		tests := []struct {
			from, kind, to string
			ok             bool
		}{
			{keys[0], domain.LinkBlocks, keys[1], true},
			{keys[1], domain.LinkBlocks, keys[2], true},
			{keys[2], domain.LinkBlocks, keys[0], false}, // a cycle through three
			{keys[1], domain.LinkBlocks, keys[0], false}, // a direct cycle
			{keys[0], domain.LinkBlocks, keys[0], false}, // itself
			{keys[0], domain.LinkParent, keys[2], true},
			{keys[2], domain.LinkParent, keys[0], false}, // parents cycle too
			{keys[2], domain.LinkParent, keys[1], true},  // kinds are separate graphs
			{keys[2], domain.LinkFollowUp, keys[0], true},
			{keys[0], domain.LinkFollowUp, keys[2], false}, // follow-ups cycle too
			{keys[0], "depends", keys[2], false},
		}
		for _, tt := range tests {
			err := e.svc.Link(ctx, agent, tt.from, tt.kind, tt.to)
			if (err == nil) != tt.ok {
				t.Errorf("%s %s %s: %v", tt.from, tt.kind, tt.to, err)
			}
			if err != nil && domain.ErrorCode(err) != domain.EINVALID {
				t.Errorf("%s %s %s: code %s", tt.from, tt.kind, tt.to, domain.ErrorCode(err))
			}
		}
	})
}
