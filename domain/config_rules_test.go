package domain_test

import (
	"strings"
	"testing"

	"github.com/deskbot/deskbot/domain"
)

func TestWorkflowStatuses(t *testing.T) {
	c := domain.DefaultConfig()
	for typ, want := range map[string]string{
		"question": "new,open,in_progress,waiting,waiting_release,resolved,closed",
		"bug":      "new,open,in_progress,waiting,waiting_release,resolved,closed",
	} {
		if got := strings.Join(c.WorkflowStatuses(c.WorkflowFor(typ)), ","); got != want {
			t.Errorf("%s: %s, want %s", typ, got, want)
		}
	}
}

// A config with a lean workflow (no waiting, no in progress) next to a full one.
const mapYAML = `priorities: [normal]
statuses:
  - {name: new, category: new}
  - {name: triage, category: new}
  - {name: open, category: open}
  - {name: doing, category: open, started: true}
  - {name: waiting, category: waiting, pauses_sla: true}
  - {name: done, category: resolved}
  - {name: closed, category: closed}
types:
  - {name: full, workflow: full}
  - {name: lean, workflow: lean, pauses_sla: []}
  - {name: slow, workflow: full, pauses_sla: [waiting, open]}
workflows:
  full:
    initial: new
    transitions:
      - {from: [new, triage, open, doing, waiting], to: [triage, open, doing, waiting, done]}
      - {from: "*", to: closed}
  lean:
    initial: triage
    transitions:
      - {from: triage, to: done}
      - {from: done, to: closed}
`

func TestMapStatus(t *testing.T) {
	c, err := domain.ParseOwnConfig("map.yaml", []byte(mapYAML))
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct{ status, to, want string }{
		{"new", "full", "new"},         // the new workflow has it
		{"done", "lean", "done"},       // the same name
		{"new", "lean", "triage"},      // the same category
		{"open", "lean", "triage"},     // no open: new is as close as resolved, and earlier wins
		{"doing", "lean", "triage"},    // likewise
		{"waiting", "lean", "triage"},  // a type change never resolves a ticket
		{"closed", "full", "closed"},   // the same name
		{"closed", "lean", "closed"},   // the same name
		{"triage", "full", "triage"},   // the full workflow has it too
		{"gone", "lean", "triage"},     // a status the config lost: the initial
		{"waiting", "nope", "waiting"}, // an unknown type changes nothing
	}
	for _, tt := range tests {
		if got := c.MapStatus(tt.status, tt.to); got != tt.want {
			t.Errorf("MapStatus(%s → %s) = %s, want %s", tt.status, tt.to, got, tt.want)
		}
	}
}

func TestPausesSLAForAndBlocked(t *testing.T) {
	c, err := domain.ParseOwnConfig("map.yaml", []byte(mapYAML))
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		typ, status string
		want        bool
	}{
		{"full", "waiting", true}, // the status's own flag
		{"full", "open", false},
		{"lean", "waiting", false}, // an empty list: nothing pauses
		{"slow", "open", true},     // the type's own list
		{"slow", "waiting", true},
		{"slow", "doing", false},
		{"gone", "waiting", true}, // unknown type: the status decides
	}
	for _, tt := range tests {
		if got := c.PausesSLAFor(tt.typ, tt.status); got != tt.want {
			t.Errorf("PausesSLAFor(%s, %s) = %v", tt.typ, tt.status, got)
		}
	}
	for status, want := range map[string]bool{"new": false, "open": false, "doing": true, "waiting": false, "done": true, "closed": false} {
		if c.BlockedBy(status) != want {
			t.Errorf("BlockedBy(%s) = %v", status, !want)
		}
	}
	if d := domain.DefaultConfig(); !d.BlockedBy("in_progress") || d.BlockedBy("open") || !d.BlockedBy("resolved") {
		t.Error("the defaults must hold blocked tickets out of in progress and resolved")
	}
}

func TestDefaultConfigRules(t *testing.T) {
	c := domain.DefaultConfig()
	if len(c.Automations) != 0 || c.Stale.RemindAfter.Hours() != 16 || c.Stale.CloseAfter.Hours() != 24 {
		t.Errorf("rules %+v stale %+v", c.Automations, c.Stale)
	}
	if c.Survey.OnResolve || c.Survey.Question != "How did we do?" {
		t.Errorf("survey %+v", c.Survey)
	}
}

// rulesYAML extends validYAML (13 lines) from line 14 on.
const rulesYAML = validYAML + `groups:
  l1: [UANA, UBO]
automations:
  - name: urgent bugs
    on: created
    if: {type: bug, priority: high}
    then:
      - assign: {round_robin: l1}
      - set_field: {version: 4.2.1}
stale_tickets: {remind_after: 8h, close_after: 16h}
slack: {admins: [UADMIN]}
`

func TestParseConfigRules(t *testing.T) {
	c, err := domain.ParseOwnConfig("deskbot.yaml", []byte(rulesYAML))
	if err != nil {
		t.Fatal(err)
	}
	r := c.Rule("urgent bugs")
	if r == nil || r.Line != 17 || len(r.Then) != 2 || r.Then[0].Members[1] != "UBO" || len(c.Rules("created")) != 1 {
		t.Fatalf("rule %+v", r)
	}
	if c.Slack.Admins[0] != "UADMIN" || c.Stale.CloseAfter.Hours() != 16 {
		t.Errorf("admins %v stale %+v", c.Slack.Admins, c.Stale)
	}
}

func TestParseConfigRulesErrors(t *testing.T) {
	tests := []struct{ name, yaml, want string }{
		{"unknown priority in a rule", strings.Replace(rulesYAML, "priority: high", "priority: urgent", 1),
			`deskbot.yaml:19: automation "urgent bugs": priority "urgent" is not defined; defined: low, high`},
		{"unknown group", strings.Replace(rulesYAML, "round_robin: l1", "round_robin: l2", 1),
			`deskbot.yaml:21: automation "urgent bugs": assign: group "l2" is not defined (did you mean "l1"?)`},
		{"bad field value", strings.Replace(rulesYAML, "version: 4.2.1", "version: latest", 1),
			`deskbot.yaml:22: automation "urgent bugs": set_field: version "latest" is not a version like 4.2.1.`},
		{"group of names", strings.Replace(rulesYAML, "[UANA, UBO]", "[ana]", 1),
			`deskbot.yaml: group "l1": "ana" must be a Slack user ID`},
		{"admin by name", strings.Replace(rulesYAML, "[UADMIN]", "[root]", 1),
			`deskbot.yaml:24: slack: admins "root" must be a Slack user ID`},
		{"close without reminder", strings.Replace(rulesYAML, "remind_after: 8h, ", "", 1),
			`deskbot.yaml:23: stale_tickets: close_after needs remind_after`},
		{"unknown stale key", strings.Replace(rulesYAML, "remind_after: 8h", "remind: 8h", 1),
			`deskbot.yaml:23: unknown key "remind"`},
		{"pauses unknown status", strings.Replace(rulesYAML, "fields: [version]}", "fields: [version], pauses_sla: [wait]}", 1),
			`deskbot.yaml:8: type "bug": pauses_sla status "wait" is not defined`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := domain.ParseOwnConfig("deskbot.yaml", []byte(tt.yaml))
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("error:\n%v\nwant it to contain:\n%s", err, tt.want)
			}
		})
	}
}

func TestReleasedVersions(t *testing.T) {
	c, err := domain.ParseOwnConfig("deskbot.yaml", []byte(strings.Replace(validYAML, "kind: semver}", "kind: semver, versions: [4.10.0, v4.2, 4.2.1]}", 1)))
	if err != nil {
		t.Fatal(err)
	}
	if got := strings.Join(c.ReleasedVersions(), ","); got != "4.2.0,4.2.1,4.10.0" {
		t.Errorf("released %s", got)
	}
}
