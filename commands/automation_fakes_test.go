package commands

import (
	"context"
	"testing"

	"github.com/deskbot/deskbot/domain"
	"github.com/deskbot/deskbot/domain/automation"
	"github.com/deskbot/deskbot/domain/domaintest"
)

// An automation's action changes the ticket as a person's would (its
// event, the assignee's DM) and says what it did, or nothing when there
// was nothing to change; one it cannot carry out is an error.
func TestAutomationActionsOnFakes(t *testing.T) {
	group := []string{"UA", "UB", "UC"}
	for _, c := range []struct {
		name    string
		action  automation.Action
		ticket  domain.Ticket
		counter int64          // round-robin's counter after its increment
		open    map[string]int // open tickets per member
		tagged  bool           // the ticket has the tag already
		did     string
		errCode string
		changes []string
		posts   []string
		mails   int
	}{
		{name: "round robin takes the next in turn", counter: 5,
			action:  automation.Action{Kind: automation.ActAssign, Assign: automation.AssignRoundRobin, Group: "l2", Members: group},
			did:     "assigned UB (round-robin in l2)",
			changes: []string{"assigned assignee:  → UB"}, posts: []string{"assigned → dm UB"}},
		{name: "round robin on the assignee already", counter: 1, ticket: domain.Ticket{AssigneeID: "UA"},
			action: automation.Action{Kind: automation.ActAssign, Assign: automation.AssignRoundRobin, Group: "l2", Members: group}},
		{name: "least loaded takes the first of the fewest", open: map[string]int{"UA": 3, "UB": 1, "UC": 1},
			action:  automation.Action{Kind: automation.ActAssign, Assign: automation.AssignLeastLoaded, Group: "l2", Members: group},
			did:     "assigned UB (least loaded in l2)",
			changes: []string{"assigned assignee:  → UB"}, posts: []string{"assigned → dm UB"}},
		{name: "add a tag",
			action: automation.Action{Kind: automation.ActAddTag, Value: "vip"}, did: "tag vip",
			changes: []string{"tag tag:  → vip"}},
		{name: "add a tag it has", tagged: true, action: automation.Action{Kind: automation.ActAddTag, Value: "vip"}},
		{name: "remove a tag", tagged: true,
			action: automation.Action{Kind: automation.ActRemoveTag, Value: "vip"}, did: "untag vip",
			changes: []string{"tag tag: vip → "}},
		{name: "priority already set", ticket: domain.Ticket{Priority: "high"},
			action: automation.Action{Kind: automation.ActSetPriority, Value: "high"}},
		{name: "priority", ticket: domain.Ticket{Priority: "normal"},
			action: automation.Action{Kind: automation.ActSetPriority, Value: "urgent"}, did: "set priority urgent",
			changes: []string{"priority priority: normal → urgent"}},
		{name: "due in two days, at 17:00, shown", action: automation.Action{Kind: automation.ActSetDue, Value: "+2d", Public: true},
			did:     "set due +2d (shown to the customer)",
			changes: []string{"field due:  → 2026-11-29T17:00:00Z"}},
		{name: "a bad due date", action: automation.Action{Kind: automation.ActSetDue, Value: "someday"}, errCode: domain.EINVALID},
		{name: "dm the assignee", ticket: domain.Ticket{AssigneeID: "UA"},
			action: automation.Action{Kind: automation.ActDM, To: automation.ToAssignee, Text: "look"}, did: "DM UA",
			posts: []string{"automation → dm UA"}},
		{name: "dm nobody", action: automation.Action{Kind: automation.ActDM, To: automation.ToAssignee}, errCode: domain.EINVALID},
		{name: "mail the requester", ticket: domain.Ticket{RequesterEmail: "jo@acme.com"},
			action: automation.Action{Kind: automation.ActEmail, To: automation.ToRequester, Text: "hi"}, did: "email jo@acme.com", mails: 1},
		{name: "mail a requester without address", action: automation.Action{Kind: automation.ActEmail, To: automation.ToRequester}, errCode: domain.EINVALID},
	} {
		t.Run(c.name, func(t *testing.T) {
			var rec recorded
			tx := &domaintest.FakeTx{At: fakeNow,
				FakeTickets: &domaintest.FakeTickets{
					UpdateTicketFn: func(context.Context, *domain.Ticket) error { return nil },
					CountTicketsFn: func(_ context.Context, f domain.TicketFilter) (int, error) { return c.open[*f.AssigneeID], nil },
				},
				FakeAutomation: &domaintest.FakeAutomation{
					NextCounterFn: func(context.Context, string) (int64, error) { return c.counter, nil },
					AddTagFn:      func(context.Context, int64, string) (bool, error) { return !c.tagged, nil },
					RemoveTagFn:   func(context.Context, int64, string) (bool, error) { return c.tagged, nil },
				},
				FakeEvents: rec.history(fakeNow),
				FakeOutbox: rec.outbox(),
			}
			cfg := domain.DefaultConfig()
			tk := c.ticket
			tk.ID, tk.CustomerKey, tk.Number, tk.Type, tk.Status = 1, "ACME", 1, "question", "open"
			sys := domain.SystemActor(domain.ChannelAutomation)
			did, err := onFakes(tx, cfg).act(context.Background(), tx, cfg, sys, &tk, &automation.Rule{Name: "triage"}, &c.action)
			if domain.ErrorCode(err) != c.errCode || c.errCode == "" && err != nil {
				t.Fatalf("error %v, want code %q", err, c.errCode)
			}
			if did != c.did {
				t.Errorf("did %q, want %q", did, c.did)
			}
			wantList(t, "changes", rec.changes(), c.changes...)
			mails := 0
			for _, m := range rec.queued {
				if m.Kind == domain.OutboxEmail {
					mails++
				}
			}
			wantList(t, "posts", rec.posts(t), c.posts...)
			if mails != c.mails {
				t.Errorf("%d mails queued, want %d", mails, c.mails)
			}
		})
	}
}
