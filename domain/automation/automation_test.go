package automation_test

import (
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/deskbot/deskbot/domain/automation"
)

// schema is a config's worth of names, built by hand so these tests need
// nothing but the package.
func schema() *automation.Schema {
	return &automation.Schema{
		Types:      []string{"incident", "bug", "question"},
		Statuses:   []string{"new", "open", "in_progress", "waiting", "resolved", "closed"},
		Priorities: []string{"low", "normal", "high", "urgent"},
		Sources:    []string{"slash", "email", "channel"},
		Policies:   []string{"gold", "standard"},
		Groups:     map[string][]string{"l1": {"UANA", "UBO"}},
		Fields: map[string]automation.Field{
			"environment": {Kind: "enum", Normalize: func(s string) (string, error) {
				switch strings.ToLower(s) {
				case "production", "staging":
					return strings.ToLower(s), nil
				}
				return "", errors.New("Environment must be one of production, staging")
			}},
			"affected_users": {Kind: "number"},
			"platforms":      {Kind: "multi"},
			"version":        {Kind: "semver"},
		},
	}
}

func mustRules(t testing.TB, src string) []*automation.Rule {
	t.Helper()
	rules, problems := automation.ParseRules([]byte(src), schema())
	if len(problems) > 0 {
		t.Fatalf("problems: %+v", problems)
	}
	return rules
}

// rule compiles one rule on created with the given if: block.
func rule(t testing.TB, cond string) *automation.Rule {
	t.Helper()
	return mustRules(t, "- name: r\n  on: created\n  if: "+cond+"\n  then: [{add_tag: x}]\n")[0]
}

func facts() *automation.Facts {
	return &automation.Facts{
		Type: "incident", Status: "new", Priority: "urgent", Source: "email", Customer: "ACME", Tier: "gold",
		Assignee: "", Requester: "UCUST", Title: "Checkout is down",
		Fields: map[string]string{"environment": "production", "affected_users": "120", "platforms": "ios,web"},
		Tags:   []string{"vip"}, Text: "Checkout is down\nSince 9:00 the PAYMENT page fails", BusinessHours: true,
	}
}

func TestConditions(t *testing.T) {
	tests := []struct {
		name, cond string
		want       bool
	}{
		{"type", "{type: incident}", true},
		{"type other", "{type: bug}", false},
		{"type list", "{type: [bug, incident]}", true},
		{"status", "{status: new}", true},
		{"priority", "{priority: [high, urgent]}", true},
		{"priority other", "{priority: low}", false},
		{"source", "{source: email}", true},
		{"customer any case", "{customer: acme}", true},
		{"customer other", "{customer: GLOBEX}", false},
		{"tier", "{tier: Gold}", true},
		{"tier other", "{tier: silver}", false},
		{"assignee", "{assignee: UANA}", false},
		{"requester", "{requester: UCUST}", true},
		{"tag", "{tag: vip}", true},
		{"tag list", "{tag: [beta, vip]}", true},
		{"tag missing", "{tag: beta}", false},
		{"text contains ignores case", "{text_contains: payment}", true},
		{"text contains any", "{text_contains: [outage, down]}", true},
		{"text contains none", "{text_contains: refund}", false},
		{"text matches", `{text_matches: '(?i)check ?out'}`, true},
		{"text matches not", `{text_matches: '^refund'}`, false},
		{"business hours", "{business_hours: true}", true},
		{"outside business hours", "{business_hours: false}", false},
		{"custom field is", "{field: {name: environment, is: Production}}", true},
		{"custom field is other", "{field: {name: environment, is: staging}}", false},
		{"multi field is one of its values", "{field: {name: platforms, is: web}}", true},
		{"multi field is none", "{field: {name: platforms, is: android}}", false},
		{"field set", "{field: {name: environment, set: true}}", true},
		{"field not set", "{field: {name: version, set: false}}", true},
		{"built-in field not set", "{field: {name: assignee, set: false}}", true},
		{"field contains", "{field: {name: title, contains: DOWN}}", true},
		{"field matches", "{field: {name: title, matches: '^Checkout'}}", true},
		{"field above", "{field: {name: affected_users, above: 100}}", true},
		{"field above fails", "{field: {name: affected_users, above: 500}}", false},
		{"field below", "{field: {name: affected_users, below: 500}}", true},
		{"field below unset", "{field: {name: version, below: 5}}", false},
		{"implicit all of a mapping", "{type: incident, tier: gold}", true},
		{"implicit all fails", "{type: incident, tier: silver}", false},
		{"implicit all of a list", "[{type: incident}, {priority: urgent}]", true},
		{"all", "{all: [{type: incident}, {priority: urgent}]}", true},
		{"all fails on one", "{all: [{type: incident}, {priority: low}]}", false},
		{"any", "{any: [{type: bug}, {priority: urgent}]}", true},
		{"any fails on all", "{any: [{type: bug}, {priority: low}]}", false},
		{"any as a mapping", "{any: {type: bug, priority: urgent}}", true},
		{"not", "{not: {type: bug}}", true},
		{"not fails", "{not: {type: incident}}", false},
		{"nested", "{all: [{tier: gold}, {any: [{text_contains: outage}, {all: [{priority: urgent}, {not: {tag: beta}}]}]}]}", true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := rule(t, tt.cond)
			f := facts()
			if got := r.If.Match(f); got != tt.want {
				t.Errorf("Match = %v, want %v", got, tt.want)
			}
			// Explain agrees with Match, always.
			if ok, why := r.Explain(f); ok != tt.want || why == "" {
				t.Errorf("Explain = %v %q, want %v", ok, why, tt.want)
			}
		})
	}
}

func TestExplain(t *testing.T) {
	tests := []struct{ cond, want string }{
		{"{type: bug}", "type is incident, not bug"},
		{"{priority: [low, normal]}", "priority is urgent, not one of low, normal"},
		{"{type: incident, tier: gold}", "type is incident; tier is gold"},
		{"{all: [{type: incident}, {assignee: UANA}]}", "assignee is not set, not UANA"},
		{"{any: [{type: bug}, {tag: beta}]}", "none of: type is incident, not bug; not tagged beta"},
		{"{text_contains: refund}", `text does not contain "refund"`},
		{"{business_hours: false}", "during business hours"},
		{"{field: {name: affected_users, above: 500}}", "affected_users is 120, not above 500"},
		{"{not: {tag: vip}}", "not (tagged vip)"},
	}
	for _, tt := range tests {
		_, why := rule(t, tt.cond).Explain(facts())
		if why != tt.want {
			t.Errorf("%s: explained %q, want %q", tt.cond, why, tt.want)
		}
	}
}

func TestTriggers(t *testing.T) {
	rules := mustRules(t, `
- {name: created, on: created, then: [{add_tag: a}]}
- {name: any update, on: updated, then: [{add_tag: a}]}
- {name: priority update, on: updated, field: priority, then: [{add_tag: a}]}
- {name: env update, on: updated, field: environment, then: [{add_tag: a}]}
- {name: status, on: status_changed, then: [{add_tag: a}]}
- {name: any comment, on: comment_added, then: [{add_tag: a}]}
- {name: customer comment, on: comment_added, by: customer, then: [{add_tag: a}]}
- {name: agent comment, on: comment_added, by: agent, then: [{add_tag: a}]}
- {name: warning, on: sla_warning, then: [{add_tag: a}]}
- {name: breach, on: sla_breach, then: [{add_tag: a}]}
- {name: no reply, on: no_customer_reply, after: 8h, then: [{add_tag: a}]}
- {name: idle, on: idle, after: 2h, then: [{add_tag: a}]}
`)
	tests := []struct {
		ev   automation.Event
		want string
	}{
		{automation.Event{Kind: automation.OnCreated}, "created"},
		{automation.Event{Kind: automation.OnUpdated, Fields: []string{"priority"}}, "any update,priority update"},
		{automation.Event{Kind: automation.OnUpdated, Fields: []string{"assignee", "environment"}}, "any update,env update"},
		{automation.Event{Kind: automation.OnUpdated}, ""},
		{automation.Event{Kind: automation.OnStatusChanged}, "status"},
		{automation.Event{Kind: automation.OnCommentAdded, By: automation.ByCustomer}, "any comment,customer comment"},
		{automation.Event{Kind: automation.OnCommentAdded, By: automation.ByAgent}, "any comment,agent comment"},
		{automation.Event{Kind: automation.OnCommentAdded, By: automation.BySystem}, ""},
		{automation.Event{Kind: automation.OnSLAWarning}, "warning"},
		{automation.Event{Kind: automation.OnSLABreach}, "breach"},
		{automation.Event{Kind: automation.OnNoCustomerReply, Elapsed: 7 * time.Hour}, ""},
		{automation.Event{Kind: automation.OnNoCustomerReply, Elapsed: 8 * time.Hour}, "no reply"},
		{automation.Event{Kind: automation.OnIdle, Elapsed: 3 * time.Hour}, "idle"},
	}
	for _, tt := range tests {
		var names []string
		for _, r := range automation.Match(rules, tt.ev, facts(), nil) {
			names = append(names, r.Name)
		}
		if got := strings.Join(names, ","); got != tt.want {
			t.Errorf("%+v fired %q, want %q", tt.ev, got, tt.want)
		}
	}
	// skip leaves out rules, such as the one whose change this is.
	skip := func(r *automation.Rule) bool { return r.Name == "any update" }
	got := automation.Match(rules, automation.Event{Kind: automation.OnUpdated, Fields: []string{"priority"}}, facts(), skip)
	if len(got) != 1 || got[0].Name != "priority update" {
		t.Errorf("skip: %v", got)
	}
}

func TestActions(t *testing.T) {
	rules := mustRules(t, `
- name: everything
  on: created
  then:
    - set_field: {environment: Staging, affected_users: "3"}
    - set_priority: urgent
    - assign: UANA
    - assign: {round_robin: l1}
    - assign: {least_loaded: l1}
    - apply_sla: gold
    - add_tag: VIP
    - remove_tag: beta
    - set_status: in_progress
    - post: C0ESCALATE
    - post: {channel: C0ESCALATE, text: Gold outage}
    - dm: assignee
    - dm: {to: UBO, text: look}
    - email: {to: requester, subject: We are on it, text: Hello}
    - email: ops@vendor.com
    - note: Escalated by the gold rule
`)
	var got []string
	for _, a := range rules[0].Then {
		got = append(got, a.String())
	}
	want := []string{"set environment to staging", "set affected_users to 3", "set priority urgent", "assign UANA",
		"assign round-robin in l1", "assign the least loaded in l1", "apply SLA policy gold", "tag vip", "untag beta",
		"move to in_progress", "post in C0ESCALATE", "post in C0ESCALATE", "DM assignee", "DM UBO", "email requester",
		"email ops@vendor.com", `note "Escalated by the gold rule"`}
	if strings.Join(got, "|") != strings.Join(want, "|") {
		t.Errorf("actions:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	a := rules[0].Then
	if a[5].Assign != automation.AssignLeastLoaded || strings.Join(a[5].Members, ",") != "UANA,UBO" {
		t.Errorf("group not resolved: %+v", a[5])
	}
	if a[11].Text != "Gold outage" || a[14].Subject != "We are on it" || a[14].To != automation.ToRequester {
		t.Errorf("message parts: %+v %+v", a[11], a[14])
	}
}

func TestCompileProblems(t *testing.T) {
	tests := []struct{ name, src, want string }{
		{"no name", "- {on: created, then: [{add_tag: a}]}", "1: automation: a rule needs a name"},
		{"twice", "- {name: a, on: created, then: [{add_tag: a}]}\n- {name: a, on: created, then: [{add_tag: a}]}", `2: automation "a" is defined twice (first on line 1)`},
		{"unknown key", "- {name: a, on: created, when: x, then: [{add_tag: a}]}", `automation: unknown key "when"`},
		{"no event", "- {name: a, then: [{add_tag: a}]}", "'on' names the event"},
		{"unknown event", "- {name: a, on: craeted, then: [{add_tag: a}]}", `event "craeted" is not defined (did you mean "created"?)`},
		{"field on created", "- {name: a, on: created, field: priority, then: [{add_tag: a}]}", "'field' only applies to on: updated"},
		{"unknown updated field", "- {name: a, on: updated, field: colour, then: [{add_tag: a}]}", `field "colour" is not defined`},
		{"bad by", "- {name: a, on: comment_added, by: robot, then: [{add_tag: a}]}", `by is customer or agent, not "robot"`},
		{"timed without after", "- {name: a, on: idle, then: [{add_tag: a}]}", "on idle needs 'after'"},
		{"after on created", "- {name: a, on: created, after: 2h, then: [{add_tag: a}]}", "'after' only applies"},
		{"bad after", "- {name: a, on: idle, after: 2 days, then: [{add_tag: a}]}", `after "2 days" is not a duration`},
		{"no actions", "- {name: a, on: created}", "'then' needs a list of actions"},
		{"unknown condition", "- {name: a, on: created, if: {prio: high}, then: [{add_tag: a}]}", `unknown condition "prio"`},
		{"unknown type", "- {name: a, on: created, if: {type: incdent}, then: [{add_tag: a}]}", `type "incdent" is not defined (did you mean "incident"?)`},
		{"unknown priority", "- {name: a, on: created, if: {priority: asap}, then: [{add_tag: a}]}", `priority "asap" is not defined`},
		{"bad regexp", "- {name: a, on: created, if: {text_matches: '('}, then: [{add_tag: a}]}", "is not a valid regular expression"},
		{"business hours not bool", "- {name: a, on: created, if: {business_hours: sometimes}, then: [{add_tag: a}]}", "business_hours is true or false"},
		{"field unknown", "- {name: a, on: created, if: {field: {name: colour, is: red}}, then: [{add_tag: a}]}", `field "colour" is not defined`},
		{"field bad value", "- {name: a, on: created, if: {field: {name: environment, is: moon}}, then: [{add_tag: a}]}", "Environment must be one of"},
		{"field two tests", "- {name: a, on: created, if: {field: {name: environment, is: staging, set: true}}, then: [{add_tag: a}]}", "needs exactly one test"},
		{"field above text", "- {name: a, on: created, if: {field: {name: affected_users, above: many}}, then: [{add_tag: a}]}", `above needs a number, not "many"`},
		{"unknown action", "- {name: a, on: created, then: [{asign: UANA}]}", `unknown action (did you mean "assign"?)`},
		{"two actions in one item", "- {name: a, on: created, then: [{add_tag: a, note: b}]}", "each action is one key"},
		{"assign a name", "- {name: a, on: created, then: [{assign: ana}]}", `"ana" must be a Slack user ID`},
		{"unknown group", "- {name: a, on: created, then: [{assign: {round_robin: l2}}]}", `group "l2" is not defined (did you mean "l1"?)`},
		{"unknown policy", "- {name: a, on: created, then: [{apply_sla: platinum}]}", `policy "platinum" is not defined`},
		{"unknown status", "- {name: a, on: created, then: [{set_status: done}]}", `status "done" is not defined`},
		{"post by name", "- {name: a, on: created, then: [{post: '#escalations'}]}", "must be a channel ID like C0123ABCD"},
		{"dm by name", "- {name: a, on: created, then: [{dm: bo}]}", `to "bo" must be a Slack user ID`},
		{"bad email", "- {name: a, on: created, then: [{email: ops}]}", `to "ops" must be an email address or requester`},
		{"set unknown field", "- {name: a, on: created, then: [{set_field: {colour: red}}]}", `field "colour" is not defined`},
		{"set bad value", "- {name: a, on: created, then: [{set_field: {environment: moon}}]}", "Environment must be one of"},
		{"bad tag", "- {name: a, on: created, then: [{add_tag: 'two words'}]}", `tag "two words"`},
		{"empty note", "- {name: a, on: created, then: [{note: ''}]}", "a note needs text"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, problems := automation.ParseRules([]byte(tt.src), schema())
			var all []string
			for _, p := range problems {
				all = append(all, fmt.Sprintf("%d: %s", p.Line, p.Msg))
			}
			if !strings.Contains(strings.Join(all, "\n"), tt.want) {
				t.Errorf("problems:\n%s\nwant one containing %q", strings.Join(all, "\n"), tt.want)
			}
		})
	}
}

func TestEveryProblemReported(t *testing.T) {
	_, problems := automation.ParseRules([]byte(`
- {name: a, on: created, if: {type: nope}, then: [{set_priority: asap}]}
- {name: b, on: idle, then: [{post: general}]}
`), schema())
	if len(problems) != 4 {
		t.Errorf("want 4 problems (type, priority, after, channel), got %+v", problems)
	}
	for _, p := range problems {
		if p.Line == 0 {
			t.Errorf("problem without a line: %+v", p)
		}
	}
}

func TestDescribe(t *testing.T) {
	r := mustRules(t, `
- name: chase
  on: no_customer_reply
  after: 16h
  then: [{note: Chased}, {set_status: waiting}]
`)[0]
	if r.Trigger() != "no customer reply for 16h business time" || r.Actions() != `note "Chased"; move to waiting` {
		t.Errorf("%q %q", r.Trigger(), r.Actions())
	}
}

func TestConditionsInWords(t *testing.T) {
	tests := []struct{ cond, want string }{
		{"{type: incident, tier: gold}", "type is incident; tier is gold"},
		{"{any: [{tag: vip}, {text_contains: [outage, down]}]}", `any of (tagged vip, text contains "outage" or "down")`},
		{"{not: {priority: [low, normal]}}", "not (priority is one of low, normal)"},
		{"{field: {name: affected_users, above: 10}}", "affected_users above 10"},
		{"{field: {name: version, set: false}}", "version is not set"},
		{"{text_matches: '^down'}", "text matches /^down/"},
		{"{business_hours: false}", "outside business hours"},
	}
	for _, tt := range tests {
		if got := rule(t, tt.cond).Conditions(); got != tt.want {
			t.Errorf("%s: %q, want %q", tt.cond, got, tt.want)
		}
	}
	if got := mustRules(t, "- {name: a, on: created, then: [{add_tag: x}]}")[0].Conditions(); got != "always" {
		t.Errorf("no conditions: %q", got)
	}
}
