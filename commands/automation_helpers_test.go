package commands_test

import (
	"context"
	"encoding/json"
	"testing"
	"time"

	"github.com/deskbot/deskbot/commands"
	"github.com/deskbot/deskbot/domain"
	"github.com/deskbot/deskbot/domain/domaintest"
)

// configWith is the built-in config with edits (see domaintest.ConfigWith).
func configWith(t testing.TB, edits ...string) *domain.Config {
	t.Helper()
	return domaintest.ConfigWith(t, edits...)
}

// withRules is the built-in config with these automations and groups
// (YAML lists and mappings indented as top-level values).
func withRules(t testing.TB, rules string, more ...string) *domain.Config {
	t.Helper()
	return configWith(t, append([]string{"automations: []", "automations:\n" + rules}, more...)...)
}

// forEachRules runs fn over each database with cfg in force and the
// automation hook registered before the SLA hook, as serve does.
func forEachRules(t *testing.T, cfg *domain.Config, fn func(t *testing.T, e *env)) {
	forEach(t, func(t *testing.T, e *env) {
		e.svc.SetConfig(cfg)
		e.svc.OnChange(e.svc.Automate)
		e.svc.OnChange(e.svc.ApplySLA)
		fn(t, e)
	})
}

// sent is what the outbox holds for Slack and mail, taken and marked delivered.
type sent struct {
	posts []commands.PostJob
	mails []commands.EmailJob
}

func drain(t *testing.T, e *env) sent {
	t.Helper()
	ctx := context.Background()
	msgs, err := e.db.ClaimOutbox(ctx, "", []string{domain.OutboxSlackPost, domain.OutboxEmail}, 1000, time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	var s sent
	for _, m := range msgs {
		switch m.Kind {
		case domain.OutboxSlackPost:
			var j commands.PostJob
			if err := json.Unmarshal([]byte(m.Payload), &j); err != nil {
				t.Fatal(err)
			}
			s.posts = append(s.posts, j)
		case domain.OutboxEmail:
			var j commands.EmailJob
			if err := json.Unmarshal([]byte(m.Payload), &j); err != nil {
				t.Fatal(err)
			}
			s.mails = append(s.mails, j)
		}
		if err := e.db.OutboxDelivered(ctx, m.ID); err != nil {
			t.Fatal(err)
		}
	}
	return s
}

// notices lists the posts as "notice → where", where is thread, dm U…, or post C….
func (s sent) notices() []string {
	var out []string
	for _, j := range s.posts {
		where := "thread"
		switch {
		case j.User != "":
			where = "dm " + j.User
		case j.Channel != "":
			where = "post " + j.Channel
		}
		out = append(out, j.Notice+" → "+where)
	}
	return out
}

// runs lists a ticket's automation events as "rule: what it did".
func (e *env) runs(t *testing.T, key string) []string {
	t.Helper()
	var out []string
	for _, ev := range e.events(t, key) {
		if ev.Kind == domain.EventAutomation {
			out = append(out, ev.Field+": "+ev.NewValue)
		}
	}
	return out
}

func (e *env) get(t *testing.T, key string) *domain.Ticket {
	t.Helper()
	tk, err := e.svc.Ticket(context.Background(), agent, key)
	if err != nil {
		t.Fatal(err)
	}
	return tk
}
