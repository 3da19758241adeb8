package commands_test

import (
	"bytes"
	"context"
	"log/slog"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/deskbot/deskbot/commands"
	"github.com/deskbot/deskbot/domain"
)

// TestAutomationActions runs each action end to end: a rule on created
// for tickets titled after the action, then what the ticket and the
// outbox hold.
func TestAutomationActions(t *testing.T) {
	cfg := withRules(t, `
  - {name: set field, on: created, if: {text_contains: "[set_field]"}, then: [{set_field: {environment: Staging}}]}
  - {name: set priority, on: created, if: {text_contains: "[set_priority]"}, then: [{set_priority: urgent}]}
  - {name: assign, on: created, if: {text_contains: "[assign]"}, then: [{assign: UONCALL}]}
  - {name: round robin, on: created, if: {text_contains: "[round_robin]"}, then: [{assign: {round_robin: l1}}]}
  - {name: least loaded, on: created, if: {text_contains: "[least_loaded]"}, then: [{assign: {least_loaded: l1}}]}
  - {name: apply sla, on: created, if: {text_contains: "[apply_sla]"}, then: [{apply_sla: gold}]}
  - {name: tag, on: created, if: {text_contains: "[add_tag]"}, then: [{add_tag: vip}, {add_tag: beta}, {remove_tag: beta}]}
  - {name: status, on: created, if: {text_contains: "[set_status]"}, then: [{set_status: in_progress}]}
  - {name: post, on: created, if: {text_contains: "[post]"}, then: [{post: {channel: CESCALATE, text: Look}}]}
  - {name: dm, on: created, if: {text_contains: "[dm]"}, then: [{dm: {to: UONCALL, text: Yours}}, {dm: requester}]}
  - {name: email, on: created, if: {text_contains: "[email]"}, then: [{email: {to: requester, subject: On it, text: Hello}}, {email: ops@vendor.test}]}
  - {name: note, on: created, if: {text_contains: "[note]"}, then: [{note: Escalated by the rules}]}
  - {name: refused, on: created, if: {text_contains: "[refused]"}, then: [{set_status: resolved}, {set_field: {affected_users: "3"}}, {add_tag: tried}]}
`, "groups: {}", "groups:\n  l1: [UANA, UBO]")
	forEachRules(t, cfg, func(t *testing.T, e *env) {
		ctx := context.Background()
		create := func(title string, in commands.TicketInput) *domain.Ticket {
			t.Helper()
			in.Title = title
			tk := e.ticket(t, in)
			return e.get(t, tk.Key())
		}
		drain(t, e)

		tk := create("[set_field]", commands.TicketInput{Type: "incident"})
		if tk.Fields["environment"] != "staging" || !slices.Equal(e.runs(t, tk.Key()), []string{"set field: set environment to staging"}) {
			t.Errorf("set_field: %v %v", tk.Fields, e.runs(t, tk.Key()))
		}
		tk = create("[set_priority]", commands.TicketInput{})
		if tk.Priority != "urgent" {
			t.Errorf("set_priority: %s", tk.Priority)
		}
		// The SLA follows the priority the rule set, in the same transaction.
		if tk.SLADueAt == nil {
			t.Error("set_priority: no SLA due time")
		}
		tk = create("[assign]", commands.TicketInput{})
		if tk.AssigneeID != "UONCALL" || !slices.Contains(drain(t, e).notices(), "assigned → dm UONCALL") {
			t.Errorf("assign: %q", tk.AssigneeID)
		}
		var turns []string
		for range 3 {
			turns = append(turns, create("[round_robin]", commands.TicketInput{}).AssigneeID)
		}
		if strings.Join(turns, ",") != "UANA,UBO,UANA" {
			t.Errorf("round robin %v", turns)
		}
		// UANA holds two open tickets, UBO one: the least loaded is UBO.
		if got := create("[least_loaded]", commands.TicketInput{}).AssigneeID; got != "UBO" {
			t.Errorf("least loaded %s", got)
		}
		tk = create("[apply_sla]", commands.TicketInput{})
		// Gold runs around the clock: a normal ticket's first response is due
		// in 4h, so the next instant to look at is its 75% warning, at 17:00.
		if tk.SLAPolicy != "gold" || tk.SLADueAt == nil || !tk.SLADueAt.Equal(t0.Add(3*time.Hour)) {
			t.Errorf("apply_sla: %q due %v", tk.SLAPolicy, tk.SLADueAt)
		}
		tk = create("[add_tag]", commands.TicketInput{})
		var tags []string
		_ = e.db.View(ctx, func(tx domain.Tx) (err error) { tags, err = tx.Tags(ctx, tk.ID); return err })
		if !slices.Equal(tags, []string{"vip"}) || !slices.Equal(e.runs(t, tk.Key()), []string{"tag: tag vip; tag beta; untag beta"}) {
			t.Errorf("tags %v runs %v", tags, e.runs(t, tk.Key()))
		}
		tk = create("[set_status]", commands.TicketInput{})
		if tk.Status != "in_progress" {
			t.Errorf("set_status: %s", tk.Status)
		}
		drain(t, e)
		create("[post]", commands.TicketInput{})
		s := drain(t, e)
		if n := s.notices(); !slices.Contains(n, "automation → post CESCALATE") {
			t.Errorf("post: %v", n)
		}
		for _, p := range s.posts {
			if p.Notice == commands.NoticeAutomation && (p.Args["rule"] != "post" || p.Args["text"] != "Look") {
				t.Errorf("post args %v", p.Args)
			}
		}
		create("[dm]", commands.TicketInput{RequesterID: "UCUST"})
		if n := drain(t, e).notices(); !slices.Contains(n, "automation → dm UONCALL") || !slices.Contains(n, "automation → dm UCUST") {
			t.Errorf("dm: %v", n)
		}
		tk = create("[email]", commands.TicketInput{RequesterEmail: "cy@acme.com"})
		s = drain(t, e)
		if len(s.mails) != 2 || s.mails[0].To != "cy@acme.com" || s.mails[0].Subject != "On it" || s.mails[1].To != "ops@vendor.test" || s.mails[0].TicketID != tk.ID {
			t.Errorf("email: %+v", s.mails)
		}
		tk = create("[note]", commands.TicketInput{})
		cs, _, _ := e.svc.History(ctx, agent, tk.Key())
		if len(cs) != 1 || cs[0].Public || cs[0].Body != "Escalated by the rules" || cs[0].AuthorRole != domain.RoleSystem {
			t.Errorf("note %+v", cs)
		}
		if cs, _, _ := e.svc.History(ctx, e.cust, tk.Key()); len(cs) != 0 {
			t.Error("the customer sees the internal note")
		}
		// Refused actions are recorded and do not stop the others, nor the change.
		tk = create("[refused]", commands.TicketInput{Type: "bug"})
		runs := e.runs(t, tk.Key())
		want := `refused: move to resolved: refused: A ticket cannot go from New to Resolved. From New it can go to: Open, In progress, Waiting on customer, Waiting on release, Closed.; ` +
			`set affected_users to 3: refused: A Bug has no field "affected_users"; its fields are: version, component, environment.; tag tried`
		if len(runs) != 1 || runs[0] != want {
			t.Errorf("refused: %v", runs)
		}
	})
}

func TestAutomationTriggers(t *testing.T) {
	cfg := withRules(t, `
  - {name: customer wrote, on: comment_added, by: customer, if: {text_contains: refund}, then: [{add_tag: refund}]}
  - {name: agent wrote, on: comment_added, by: agent, then: [{add_tag: answered}]}
  - {name: raised, on: updated, field: priority, if: {priority: urgent}, then: [{add_tag: hot}]}
  - {name: env, on: updated, field: environment, if: {field: {name: environment, is: production}}, then: [{set_priority: high}]}
  - {name: resolved, on: status_changed, if: {status: resolved}, then: [{remove_tag: hot}]}
  - {name: in hours, on: created, if: {business_hours: true}, then: [{add_tag: day}]}
  - {name: breach, on: sla_breach, if: {tier: gold}, then: [{post: CESCALATE}]}
`)
	forEachRules(t, cfg, func(t *testing.T, e *env) {
		ctx := context.Background()
		tk := e.ticket(t, commands.TicketInput{Type: "incident", Priority: "normal"})
		key := tk.Key()
		tags := func() string {
			var tags []string
			_ = e.db.View(ctx, func(tx domain.Tx) (err error) { tags, err = tx.Tags(ctx, tk.ID); return err })
			return strings.Join(tags, ",")
		}
		if tags() != "day" { // Friday 14:00 in London, the business calendar's zone
			t.Errorf("created in business hours: %q", tags())
		}
		e.svc.Comment(ctx, e.cust, key, commands.CommentInput{Body: "I want a REFUND", Public: true})
		e.svc.Comment(ctx, agent, key, commands.CommentInput{Body: "internal thought", Public: false})
		if tags() != "answered,day,refund" {
			t.Errorf("after comments: %q", tags())
		}
		e.svc.SetPriority(ctx, agent, key, "urgent")
		if tags() != "answered,day,hot,refund" {
			t.Errorf("after raise: %q", tags())
		}
		// A field change reaches rules on that field, whose change reaches others.
		e.svc.SetPriority(ctx, agent, key, "low")
		e.svc.SetFields(ctx, agent, key, commands.EditInput{Fields: map[string]string{"environment": "production"}})
		if got := e.get(t, key); got.Priority != "high" {
			t.Errorf("env rule: priority %s", got.Priority)
		}
		e.svc.ChangeStatus(ctx, agent, key, "resolved")
		if tags() != "answered,day,refund" {
			t.Errorf("after resolve: %q", tags())
		}
		// The SLA scan's hook: a gold customer's breach posts.
		gold, _ := e.svc.CreateCustomer(ctx, agent, commands.CustomerInput{Key: "GOLD", Tier: "gold"})
		g := e.ticket(t, commands.TicketInput{CustomerKey: gold.Key})
		drain(t, e)
		err := e.db.Update(ctx, func(tx domain.Tx) error {
			gt, err := tx.Ticket(ctx, g.ID)
			if err != nil {
				return err
			}
			if err := e.svc.RunSLAAutomations(ctx, tx, e.svc.Config(), gt, false); err != nil {
				return err
			}
			return e.svc.RunSLAAutomations(ctx, tx, e.svc.Config(), gt, true)
		})
		if n := drain(t, e).notices(); err != nil || !slices.Equal(n, []string{"automation → post CESCALATE"}) {
			t.Errorf("sla breach rule: %v %v", n, err)
		}
	})
}

// TestAutomationLoops: two rules that undo each other, and a chain longer
// than the depth limit, both end.
func TestAutomationLoops(t *testing.T) {
	rules := `
  - {name: up, on: updated, field: priority, then: [{set_priority: urgent}]}
  - {name: down, on: updated, field: priority, then: [{set_priority: low}]}
  - {name: t0, on: created, if: {text_contains: chain}, then: [{add_tag: t1}]}
`
	for i := 1; i <= 7; i++ {
		rules += "  - {name: t" + string(rune('0'+i)) + ", on: updated, field: tags, if: {tag: t" + string(rune('0'+i)) + "}, then: [{add_tag: t" + string(rune('0'+i+1)) + "}]}\n"
	}
	cfg := withRules(t, rules)
	forEachRules(t, cfg, func(t *testing.T, e *env) {
		ctx := context.Background()
		var logs syncBuffer
		svc := commands.New(e.db, cfg, commands.Options{Logger: slog.New(slog.NewTextHandler(&logs, nil))})
		svc.OnChange(svc.Automate)
		tk, err := svc.CreateTicket(ctx, agent, commands.TicketInput{CustomerKey: "ACME", Title: "ping pong", Source: domain.SourceSlash})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := svc.SetPriority(ctx, agent, tk.Key(), "high"); err != nil {
			t.Fatal(err)
		}
		// up fires and its change fires down; down's change cannot fire up
		// again. Then down fires on the person's change: nothing to do.
		// A run is recorded when it ends, so down's inner run comes first.
		want := []string{"down: set priority low", "up: set priority urgent", "down: nothing to change"}
		if got := e.runs(t, tk.Key()); !slices.Equal(got, want) {
			t.Errorf("runs:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
		}
		if got := e.get(t, tk.Key()); got.Priority != "low" {
			t.Errorf("priority %s", got.Priority)
		}
		// A chain of distinct rules stops at the depth limit, with a warning.
		chain, err := svc.CreateTicket(ctx, agent, commands.TicketInput{CustomerKey: "ACME", Title: "chain", Source: domain.SourceSlash})
		if err != nil {
			t.Fatal(err)
		}
		var tags []string
		_ = e.db.View(ctx, func(tx domain.Tx) (err error) { tags, err = tx.Tags(ctx, chain.ID); return err })
		if strings.Join(tags, ",") != "t1,t2,t3,t4,t5" {
			t.Errorf("chain tags %v", tags)
		}
		if !strings.Contains(logs.String(), "automation: depth limit reached") || !strings.Contains(logs.String(), "chain=\"t0 → t1 → t2 → t3 → t4\"") {
			t.Errorf("no warning logged:\n%s", logs.String())
		}
	})
}

type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

func TestAutomationDryRun(t *testing.T) {
	cfg := withRules(t, `
  - {name: gold urgent, on: created, if: {tier: gold, priority: urgent}, then: [{post: CESCALATE}]}
  - {name: bugs, on: created, if: {any: [{type: bug}, {text_contains: crash}]}, then: [{add_tag: dev}]}
  - {name: chase, on: no_customer_reply, after: 4h, then: [{note: chase}]}
  - {name: idle, on: idle, after: 1h, if: {status: new}, then: [{note: idle}]}
`)
	forEachRules(t, cfg, func(t *testing.T, e *env) {
		ctx := context.Background()
		tk := e.ticket(t, commands.TicketInput{Title: "App crashes on login", Priority: "urgent"})
		before := len(e.events(t, tk.Key()))
		e.clock.Advance(90 * time.Minute)
		_, checks, err := e.svc.TestAutomations(ctx, agent, tk.Key())
		if err != nil {
			t.Fatal(err)
		}
		var got []string
		for _, c := range checks {
			got = append(got, c.Rule.Name+" "+map[bool]string{true: "fires", false: "does not fire"}[c.Fires]+": "+c.Why)
		}
		want := []string{
			"gold urgent does not fire: tier is not set, not gold",
			`bugs fires: text contains "crash"`,
			"chase does not fire: the customer has answered the agents' last reply (or there is none): nothing to wait for",
			"idle fires: status is new; 1h30 so far, of 1h",
		}
		if !slices.Equal(got, want) {
			t.Errorf("dry run:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
		}
		if after := len(e.events(t, tk.Key())); after != before {
			t.Error("the dry run changed the ticket")
		}
		if _, _, err := e.svc.TestAutomations(ctx, e.cust, tk.Key()); domain.ErrorCode(err) != domain.EFORBIDDEN {
			t.Errorf("customer dry run: %v", err)
		}
	})
}
