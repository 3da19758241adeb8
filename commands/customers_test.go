package commands_test

import (
	"context"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/deskbot/deskbot/commands"
	"github.com/deskbot/deskbot/domain"
)

func TestAddAndEditCustomer(t *testing.T) {
	forEach(t, func(t *testing.T, e *env) {
		ctx := context.Background()
		p, err := e.svc.AddCustomer(ctx, agent, "globex", "Globex Corporation", map[string]string{
			"channel": "CGLOBEX", "domains": "@Globex.com, globex.io", "tz": "America/New_York",
			"sla": "gold", "rate": "150.50", "tier": "Gold", "version": "v4.2",
		})
		if err != nil {
			t.Fatal(err)
		}
		if p.Key != "GLOBEX" || p.Name != "Globex Corporation" || p.ChannelID != "CGLOBEX" || !p.AutoTickets || p.EmailDomains != "globex.com,globex.io" ||
			p.TimeZone != "America/New_York" || p.SLAPolicy != "gold" || p.HourlyRate != 15050 || p.Tier != "gold" || p.CurrentVersion != "4.2.0" {
			t.Errorf("added %+v", p)
		}
		p, err = e.svc.EditCustomer(ctx, agent, "GLOBEX", map[string]string{"name": "Globex", "tier": "silver", "version": "4.2.1"})
		if err != nil || p.Name != "Globex" || p.Tier != "silver" || p.CurrentVersion != "4.2.1" || p.SLAPolicy != "gold" {
			t.Errorf("edited %+v %v", p, err)
		}
		v, err := e.svc.Customer(ctx, agent, "globex")
		if err != nil || len(v.Versions) != 2 || v.Versions[1].Version != "4.2.1" || v.Open != 0 {
			t.Errorf("view %+v %v", v, err)
		}
		for _, c := range []struct {
			opts map[string]string
			want string
		}{
			{map[string]string{"tz": "Mars/Olympus"}, `"Mars/Olympus" is not a time zone`},
			{map[string]string{"sla": "platinum"}, `There is no SLA policy "platinum"`},
			{map[string]string{"rate": "lots"}, `"lots" is not an hourly rate`},
			{map[string]string{"domains": "globex"}, `"globex" is not an email domain`},
			{map[string]string{"channel": "#globex"}, "pick it with #"},
			{map[string]string{"version": "latest"}, `"latest" is not a version`},
			{map[string]string{"tier": "Gold Plus"}, "use a lower-case word"},
			{map[string]string{"teir": "gold"}, `did you mean "tier"?`},
			{map[string]string{}, "Say what to change"},
		} {
			_, err := e.svc.EditCustomer(ctx, agent, "GLOBEX", c.opts)
			if !strings.Contains(domain.ErrorMessage(err), c.want) {
				t.Errorf("%v: %v, want %q", c.opts, err, c.want)
			}
		}
		if _, err := e.svc.AddCustomer(ctx, e.cust, "EVIL", "x", nil); domain.ErrorCode(err) != domain.EFORBIDDEN {
			t.Errorf("customer added a customer: %v", err)
		}
		if _, err := e.svc.EditCustomer(ctx, agent, "NOPE", map[string]string{"tier": "x"}); domain.ErrorCode(err) != domain.ENOTFOUND {
			t.Errorf("unknown customer: %v", err)
		}
	})
}

func TestCustomerVersionHistory(t *testing.T) {
	forEach(t, func(t *testing.T, e *env) {
		ctx := context.Background()
		if _, err := e.svc.SetCustomerVersion(ctx, agent, "acme", "4.3.0", time.Time{}); err != nil {
			t.Fatal(err)
		}
		// Recording an older move afterwards keeps the latest as current.
		p, err := e.svc.SetCustomerVersion(ctx, agent, "acme", "4.2.5", t0.AddDate(0, 0, -10))
		if err != nil || p.CurrentVersion != "4.3.0" {
			t.Errorf("backfill changed current: %+v %v", p, err)
		}
		v, _ := e.svc.Customer(ctx, agent, "ACME")
		var got []string
		for _, vc := range v.Versions {
			got = append(got, vc.Version+"@"+vc.Since.Format("01-02"))
		}
		if strings.Join(got, " ") != "4.2.5@11-17 4.2.1@11-27 4.3.0@11-27" {
			t.Errorf("history %v", got)
		}
		// New tickets take the current version.
		if tk := e.ticket(t, commands.TicketInput{Type: "bug"}); tk.Version != "4.3.0" {
			t.Errorf("ticket version %q", tk.Version)
		}
		if _, err := e.svc.SetCustomerVersion(ctx, agent, "acme", "5.0", t0.AddDate(0, 0, 1)); domain.ErrorField(err) != "date" {
			t.Errorf("future upgrade: %v", err)
		}
		// Once releases are known, a customer cannot run an unreleased one.
		e.svc.RegisterRelease(ctx, agent, "4.3.0")
		if _, err := e.svc.SetCustomerVersion(ctx, agent, "acme", "4.4.0", time.Time{}); !strings.Contains(domain.ErrorMessage(err), "has not been released") {
			t.Errorf("unreleased version: %v", err)
		}
		// A customer sees their own company, no other.
		if _, err := e.svc.Customer(ctx, e.cust, "ACME"); err != nil {
			t.Errorf("own company: %v", err)
		}
		e.svc.CreateCustomer(ctx, agent, commands.CustomerInput{Key: "GLOBEX"})
		if _, err := e.svc.Customer(ctx, e.cust, "GLOBEX"); domain.ErrorCode(err) != domain.ENOTFOUND {
			t.Errorf("other company: %v", err)
		}
	})
}

func TestReleaseFixes(t *testing.T) {
	forEachRules(t, domain.DefaultConfig(), func(t *testing.T, e *env) {
		ctx := context.Background()
		globex, _ := e.svc.CreateCustomer(ctx, agent, commands.CustomerInput{Key: "GLOBEX", ChannelID: "CGLOBEX"})
		inProgress := e.ticket(t, commands.TicketInput{Type: "bug"}) // ACME-1, version 4.2.1 from the customer
		e.svc.ChangeStatus(ctx, agent, inProgress.Key(), "in_progress")
		fresh := e.ticket(t, commands.TicketInput{Type: "bug", CustomerKey: globex.Key}) // new, no version
		noVersion := e.ticket(t, commands.TicketInput{Type: "bug", CustomerKey: globex.Key})
		e.svc.ChangeStatus(ctx, agent, noVersion.Key(), "open")
		blocked := e.ticket(t, commands.TicketInput{}) // ACME-2, a question blocked by ACME-1
		e.svc.Link(ctx, agent, inProgress.Key(), domain.LinkBlocks, blocked.Key())
		done := e.ticket(t, commands.TicketInput{})
		e.svc.ChangeStatus(ctx, agent, done.Key(), "resolved")
		e.svc.SetFields(ctx, agent, fresh.Key(), commands.EditInput{Fields: map[string]string{"version": "4.2.1"}})
		drain(t, e)

		// The blocked ticket comes first but is resolved after its blocker.
		rep, err := e.svc.ReleaseFixes(ctx, agent, "4.2.2", []string{blocked.Key(), inProgress.Key(), fresh.Key(), noVersion.Key(), done.Key(), "acme-1", "NOPE-1", "nonsense"})
		if err != nil {
			t.Fatal(err)
		}
		if rep.Version != "4.2.2" || !rep.New {
			t.Errorf("release %+v", rep)
		}
		if !slices.Equal(rep.Resolved, []string{"ACME-1", "GLOBEX-1", "ACME-2"}) || !slices.Equal(rep.Already, []string{"ACME-3"}) {
			t.Errorf("resolved %v already %v", rep.Resolved, rep.Already)
		}
		if len(rep.Refused) != 3 || !strings.Contains(rep.Refused["GLOBEX-2"], "Set Version before moving the ticket to Resolved") ||
			!strings.Contains(rep.Refused["NOPE-1"], "not found") || !strings.Contains(rep.Refused["nonsense"], "is not a ticket key") {
			t.Errorf("refused %v", rep.Refused)
		}
		// The new bug went through Open, as its workflow requires.
		var path []string
		for _, ev := range e.events(t, fresh.Key()) {
			if ev.Kind == domain.EventStatus || ev.Kind == domain.EventFixed {
				path = append(path, ev.Kind+":"+ev.NewValue)
			}
		}
		if strings.Join(path, " ") != "status:open status:resolved fixed:4.2.2" {
			t.Errorf("path %v", path)
		}
		// Every fixed ticket's customer hears of it, in the ticket's thread.
		var told []int64
		for _, p := range drain(t, e).posts {
			if p.Notice == commands.NoticeReleaseFixed && p.InTicketThread && p.Args["version"] == "4.2.2" {
				told = append(told, p.TicketID)
			}
		}
		slices.Sort(told)
		if !slices.Equal(told, []int64{inProgress.ID, fresh.ID, blocked.ID, done.ID}) {
			t.Errorf("told %v", told)
		}
		// The release is now known: a later one is new, this one not.
		if _, added, _ := e.svc.RegisterRelease(ctx, agent, "v4.2.2"); added {
			t.Error("registered twice")
		}
		// Typed or from the slash command, a customer is added by one path:
		// an unreleased version is refused either way.
		if _, err := e.svc.CreateCustomer(ctx, agent, commands.CustomerInput{Key: "NEWCO", CurrentVersion: "9.9.9"}); err == nil {
			t.Error("CreateCustomer took a version never released")
		}
		if _, err := e.svc.AddCustomer(ctx, agent, "NEWCO", "", map[string]string{"version": "9.9.9"}); err == nil {
			t.Error("AddCustomer took a version never released")
		}
	})
}

func TestVersionReport(t *testing.T) {
	forEach(t, func(t *testing.T, e *env) {
		ctx := context.Background()
		e.svc.CreateCustomer(ctx, agent, commands.CustomerInput{Key: "GLOBEX", CurrentVersion: "4.3.0"})
		e.clock.Set(t0.AddDate(0, 0, -14))
		e.ticket(t, commands.TicketInput{Type: "bug"}) // 4.2.1, two weeks ago
		e.clock.Set(t0)
		e.ticket(t, commands.TicketInput{Type: "bug"})                                  // 4.2.1, this week
		closed := e.ticket(t, commands.TicketInput{Type: "bug", CustomerKey: "GLOBEX"}) // 4.3.0
		e.svc.ChangeStatus(ctx, agent, closed.Key(), "closed")
		e.ticket(t, commands.TicketInput{Type: "question"}) // no version
		rep, err := e.svc.VersionReport(ctx, agent, 4)
		if err != nil {
			t.Fatal(err)
		}
		if len(rep.Weeks) != 4 || rep.Weeks[3].Weekday() != time.Monday || !rep.Weeks[3].Equal(time.Date(2026, 11, 23, 0, 0, 0, 0, time.UTC)) {
			t.Errorf("weeks %v", rep.Weeks)
		}
		var got []string
		for _, r := range rep.Rows {
			got = append(got, strings.Join([]string{r.Version, strings.Join(r.Customers, "+"), strconv.Itoa(r.Open), ints(r.Incoming)}, " "))
		}
		want := []string{"4.3.0 GLOBEX 0 0,0,0,1", "4.2.1 ACME 2 0,1,0,1", "  1 0,0,0,1"} // no version, no customer
		if !slices.Equal(got, want) {
			t.Errorf("rows:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
		}
		if rep.Total.Open != 3 || ints(rep.Total.Incoming) != "0,1,0,3" {
			t.Errorf("total %+v", rep.Total)
		}
		if _, err := e.svc.VersionReport(ctx, e.cust, 4); domain.ErrorCode(err) != domain.EFORBIDDEN {
			t.Errorf("customer report: %v", err)
		}
	})
}

func ints(ns []int) string {
	out := make([]string, len(ns))
	for i, n := range ns {
		out[i] = strconv.Itoa(n)
	}
	return strings.Join(out, ",")
}

func TestSurvey(t *testing.T) {
	cfg := configWith(t, "on_resolve: false", "on_resolve: true")
	forEachRules(t, cfg, func(t *testing.T, e *env) {
		ctx := context.Background()
		tk := e.ticket(t, commands.TicketInput{})
		e.svc.CreateCustomer(ctx, agent, commands.CustomerInput{Key: "INTERNAL"})
		internal := e.ticket(t, commands.TicketInput{CustomerKey: "INTERNAL", ChannelID: "CTEAM"})
		drain(t, e)
		e.svc.ChangeStatus(ctx, agent, tk.Key(), "resolved")
		e.svc.ChangeStatus(ctx, agent, internal.Key(), "resolved")
		s := drain(t, e)
		if !slices.Equal(s.notices(), []string{"survey → thread"}) || s.posts[0].TicketID != tk.ID || s.posts[0].Args["question"] != "How did we do?" {
			t.Errorf("survey posts %+v (a customer without a channel is not asked)", s.posts)
		}
		if _, err := e.svc.AnswerSurvey(ctx, e.cust, tk.Key(), 2); err != nil {
			t.Fatal(err)
		}
		if _, err := e.svc.AnswerSurvey(ctx, e.cust, tk.Key(), 5); err != nil { // changed their mind
			t.Fatal(err)
		}
		for _, c := range []struct {
			actor  domain.Actor
			rating int
			code   string
		}{{agent, 5, domain.EFORBIDDEN}, {e.cust, 6, domain.EINVALID}, {e.cust, 0, domain.EINVALID}} {
			if _, err := e.svc.AnswerSurvey(ctx, c.actor, tk.Key(), c.rating); domain.ErrorCode(err) != c.code {
				t.Errorf("%s rating %d: %v", c.actor.Role, c.rating, err)
			}
		}
		v, _ := e.svc.Customer(ctx, agent, "ACME")
		if v.Satisfaction.Count != 1 || v.Satisfaction.Average != 5 {
			t.Errorf("satisfaction %+v", v.Satisfaction)
		}
		var ratings []string
		for _, ev := range e.events(t, tk.Key()) {
			if ev.Kind == domain.EventSurvey {
				ratings = append(ratings, ev.NewValue)
			}
		}
		if strings.Join(ratings, ",") != "2,5" {
			t.Errorf("survey events %v", ratings)
		}
	})
}
