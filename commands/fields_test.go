package commands_test

import (
	"context"
	"strings"
	"testing"

	"github.com/deskbot/deskbot/commands"
	"github.com/deskbot/deskbot/domain"
)

func TestSetFields(t *testing.T) {
	forEach(t, func(t *testing.T, e *env) {
		ctx := context.Background()
		tk := e.ticket(t, commands.TicketInput{Type: "bug"})
		got, err := e.svc.SetFields(ctx, agent, tk.Key(), commands.EditInput{Fields: map[string]string{
			"environment": "Production", "component": "billing api", "version": "v4.3",
		}})
		if err != nil {
			t.Fatal(err)
		}
		if got.Fields["environment"] != "production" || got.Fields["component"] != "billing api" || got.Version != "4.3.0" || got.Fields["version"] != "4.3.0" {
			t.Errorf("fields %v version %q", got.Fields, got.Version)
		}
		var changes []string
		for _, ev := range e.events(t, tk.Key()) {
			if ev.Kind == domain.EventField {
				changes = append(changes, ev.Field+":"+ev.OldValue+"→"+ev.NewValue)
			}
		}
		if strings.Join(changes, " ") != "component:→billing api environment:→production version:4.2.1→4.3.0" {
			t.Errorf("events %v", changes)
		}
		// The same values again change nothing and write nothing.
		before := len(e.events(t, tk.Key()))
		if _, err := e.svc.SetFields(ctx, agent, tk.Key(), commands.EditInput{Fields: map[string]string{"environment": "production"}}); err != nil {
			t.Fatal(err)
		}
		if after := len(e.events(t, tk.Key())); after != before {
			t.Errorf("a no-op edit wrote %d events", after-before)
		}
		// Clearing a field removes it.
		got, _ = e.svc.SetFields(ctx, agent, tk.Key(), commands.EditInput{Fields: map[string]string{"component": " "}})
		if _, ok := got.Fields["component"]; ok {
			t.Errorf("component not cleared: %v", got.Fields)
		}
		if e.get(t, tk.Key()).Fields["environment"] != "production" {
			t.Error("fields not saved")
		}
	})
}

func TestSetFieldsRefused(t *testing.T) {
	forEach(t, func(t *testing.T, e *env) {
		ctx := context.Background()
		bug := e.ticket(t, commands.TicketInput{Type: "bug"})
		inc := e.ticket(t, commands.TicketInput{Type: "incident"})
		for _, c := range []struct {
			name   string
			actor  domain.Actor
			key    string
			in     commands.EditInput
			code   string
			field  string
			phrase string
		}{
			{"pattern", agent, bug.Key(), commands.EditInput{Fields: map[string]string{"component": "rm -rf; <script>"}}, domain.EINVALID, "component", "a component name of at most 60"},
			{"enum", agent, bug.Key(), commands.EditInput{Fields: map[string]string{"environment": "moon"}}, domain.EINVALID, "environment", "must be one of production, staging, development"},
			{"number", agent, inc.Key(), commands.EditInput{Fields: map[string]string{"affected_users": "lots"}}, domain.EINVALID, "affected_users", "must be a number"},
			{"bounds", agent, inc.Key(), commands.EditInput{Fields: map[string]string{"affected_users": "-3"}}, domain.EINVALID, "affected_users", "at least 0"},
			{"semver", agent, bug.Key(), commands.EditInput{Fields: map[string]string{"version": "latest"}}, domain.EINVALID, "version", "is not a version like 4.2.1"},
			{"field of another type", agent, bug.Key(), commands.EditInput{Fields: map[string]string{"affected_users": "3"}}, domain.EINVALID, "affected_users", `A Bug has no field "affected_users"`},
			{"unknown type", agent, bug.Key(), commands.EditInput{Type: "bgu"}, domain.EINVALID, "type", `Did you mean "bug"?`},
			{"customer", e.cust, bug.Key(), commands.EditInput{Fields: map[string]string{"environment": "staging"}}, domain.EFORBIDDEN, "", "Only support agents can edit tickets."},
		} {
			_, err := e.svc.SetFields(ctx, c.actor, c.key, c.in)
			if domain.ErrorCode(err) != c.code || domain.ErrorField(err) != c.field || !contains(domain.ErrorMessage(err), c.phrase) {
				t.Errorf("%s: got %v (field %q)", c.name, err, domain.ErrorField(err))
			}
		}
		if es := e.events(t, bug.Key()); len(es) != 1 {
			t.Errorf("refused edits wrote events: %+v", es)
		}
	})
}

func TestVersionsMustBeReleased(t *testing.T) {
	forEach(t, func(t *testing.T, e *env) {
		ctx := context.Background()
		// No release known yet: any well-formed version goes.
		tk := e.ticket(t, commands.TicketInput{Type: "bug", Version: "9.9.9"})
		if tk.Version != "9.9.9" {
			t.Fatalf("version %q", tk.Version)
		}
		if _, _, err := e.svc.RegisterRelease(ctx, agent, "v4.3"); err != nil {
			t.Fatal(err)
		}
		_, err := e.svc.SetFields(ctx, agent, tk.Key(), commands.EditInput{Fields: map[string]string{"version": "4.2.9"}})
		if domain.ErrorField(err) != "version" || domain.ErrorMessage(err) != "Version 4.2.9 has not been released; released versions: 4.3.0." {
			t.Errorf("unreleased accepted: %v", err)
		}
		if _, err := e.svc.SetFields(ctx, agent, tk.Key(), commands.EditInput{Fields: map[string]string{"version": "4.3.0"}}); err != nil {
			t.Errorf("released refused: %v", err)
		}
		_, err = e.svc.CreateTicket(ctx, agent, commands.TicketInput{CustomerKey: "ACME", Title: "x", Type: "bug", Version: "5.0", Source: domain.SourceSlash})
		if domain.ErrorField(err) != "version" {
			t.Errorf("created with an unreleased version: %v", err)
		}
		// The customer's own version is theirs: a ticket takes it unchecked.
		if tk := e.ticket(t, commands.TicketInput{Type: "bug"}); tk.Version != "4.2.1" {
			t.Errorf("defaulted version %q", tk.Version)
		}
		// Versions the config lists count as released too.
		cfg := configWith(t, "kind: semver ", "kind: semver\n    versions: [4.2.9]\n   ")
		e.svc.SetConfig(cfg)
		if _, err := e.svc.SetFields(ctx, agent, tk.Key(), commands.EditInput{Fields: map[string]string{"version": "4.2.9"}}); err != nil {
			t.Errorf("config release refused: %v", err)
		}
		if vs, _ := e.svc.Released(ctx); strings.Join(vs, ",") != "4.2.9,4.3.0" {
			t.Errorf("released %v", vs)
		}
	})
}

// leanConfig adds a "task" type whose workflow has no open or waiting status.
func leanConfig(t testing.TB) *domain.Config {
	return configWith(t,
		"default_type: question", "  - {name: task, label: Task, workflow: lean, fields: [environment]}\ndefault_type: question",
		"  bug:\n    initial: new", "  lean:\n    initial: new\n    transitions:\n      - {from: new, to: resolved}\n      - {from: resolved, to: closed}\n  bug:\n    initial: new")
}

func TestChangeType(t *testing.T) {
	forEach(t, func(t *testing.T, e *env) {
		ctx := context.Background()
		e.svc.SetConfig(leanConfig(t))
		tk := e.ticket(t, commands.TicketInput{Type: "question"})
		if _, err := e.svc.ChangeStatus(ctx, agent, tk.Key(), "in_progress"); err != nil {
			t.Fatal(err)
		}
		// Same status in the new workflow: only the type changes.
		got, err := e.svc.ChangeType(ctx, agent, tk.Key(), "bug")
		if err != nil || got.Type != "bug" || got.Status != "in_progress" {
			t.Fatalf("to bug: %+v %v", got, err)
		}
		// No in progress in the lean workflow: the closest status not done.
		got, err = e.svc.SetFields(ctx, agent, tk.Key(), commands.EditInput{Type: "task", Fields: map[string]string{"environment": "staging"}})
		if err != nil || got.Type != "task" || got.Status != "new" || got.Fields["environment"] != "staging" {
			t.Fatalf("to task: %+v %v", got, err)
		}
		var history []string
		for _, ev := range e.events(t, tk.Key()) {
			history = append(history, ev.Kind+":"+ev.OldValue+"→"+ev.NewValue)
		}
		want := "created:→ACME-1 status:new→in_progress type:question→bug type:bug→task status:in_progress→new field:→staging"
		if strings.Join(history, " ") != want {
			t.Errorf("history:\n%s\nwant:\n%s", strings.Join(history, " "), want)
		}
		// A done ticket stays done.
		e.svc.ChangeStatus(ctx, agent, tk.Key(), "resolved")
		e.svc.ChangeStatus(ctx, agent, tk.Key(), "closed")
		got, err = e.svc.ChangeType(ctx, agent, tk.Key(), "question")
		if err != nil || got.Status != "closed" || got.ClosedAt == nil {
			t.Errorf("closed ticket: %+v %v", got, err)
		}
	})
}
