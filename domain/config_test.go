package domain_test

import (
	"strings"
	"testing"

	"github.com/deskbot/deskbot/domain"
)

func TestDefaultConfigLoads(t *testing.T) {
	c := domain.DefaultConfig()
	if c.DefaultPriority != "normal" || c.DefaultType != "question" {
		t.Fatalf("defaults: priority %q type %q", c.DefaultPriority, c.DefaultType)
	}
	for _, typ := range []string{"incident", "service_request", "question", "bug"} {
		if c.WorkflowFor(typ) == nil {
			t.Errorf("type %s has no workflow", typ)
		}
	}
	for _, s := range []string{"new", "open", "waiting", "resolved", "closed"} {
		if c.Status(s) == nil {
			t.Errorf("status %s missing", s)
		}
	}
	if !c.Status("waiting").PausesSLA {
		t.Error("waiting on customer must pause the SLA")
	}
	if c.Field("version") == nil || c.Field("version").Kind != domain.FieldSemver {
		t.Error("version field must be a semver field")
	}
	if c.Slack.TicketEmoji != "ticket" {
		t.Errorf("ticket emoji %q", c.Slack.TicketEmoji)
	}
}

// A minimal valid file that each broken case below changes in one place.
const validYAML = `priorities: [low, high]
statuses:
  - {name: new, category: new}
  - {name: done, category: resolved}
fields:
  - {name: version, kind: semver}
types:
  - {name: bug, workflow: main, fields: [version]}
workflows:
  main:
    initial: new
    transitions:
      - {from: new, to: done, requires: [version]}
`

func TestParseConfigValid(t *testing.T) {
	c, err := domain.ParseConfig("deskbot.yaml", []byte(validYAML))
	if err != nil {
		t.Fatal(err)
	}
	if c.DefaultType != "bug" || c.DefaultPriority != "high" {
		t.Errorf("derived defaults: type %q priority %q", c.DefaultType, c.DefaultPriority)
	}
}

func TestParseConfigErrors(t *testing.T) {
	tests := []struct {
		name, yaml, want string
	}{
		{"yaml syntax", "priorities: [low, high]\nstatuses: x: y\n", "deskbot.yaml:2: mapping values are not allowed in this context"},
		{"tab indentation", "priorities:\n\t- low\n", "deskbot.yaml:2: found character that cannot start any token"},
		{"empty file", "", "deskbot.yaml: the file is empty"},
		{"unknown status in transition", strings.Replace(validYAML, "to: done", "to: dnoe", 1),
			`deskbot.yaml:13: workflow "main": transition to status "dnoe" is not defined (did you mean "done"?)`},
		{"unknown from status", strings.Replace(validYAML, "from: new", "from: started", 1),
			`deskbot.yaml:13: workflow "main": transition from status "started" is not defined; defined: new, done`},
		{"bad pattern", strings.Replace(validYAML, "{name: version, kind: semver}", "{name: ref, kind: text, pattern: '[a-'}\n  - {name: version, kind: semver}", 1),
			`deskbot.yaml:6: field "ref": pattern "[a-" is not a valid regular expression`},
		{"duplicate type", strings.Replace(validYAML, "types:\n", "types:\n  - {name: bug, workflow: main}\n", 1),
			`deskbot.yaml:9: type "bug" is defined twice`},
		{"duplicate status", strings.Replace(validYAML, "  - {name: done", "  - {name: new, category: open}\n  - {name: done", 1),
			`deskbot.yaml:4: status "new" is defined twice`},
		{"unknown key with suggestion", strings.Replace(validYAML, "priorities:", "priorites:", 1),
			`deskbot.yaml:1: unknown key "priorites" (did you mean "priorities"?)`},
		{"unknown key in status", strings.Replace(validYAML, "{name: new, category: new}", "{name: new, category: new, pause: true}", 1),
			`deskbot.yaml:3: unknown key "pause"`},
		{"bad category", strings.Replace(validYAML, "category: resolved", "category: finished", 1),
			`deskbot.yaml:4: status "done": category "finished" must be one of new, open, waiting, resolved, closed`},
		{"type with unknown workflow", strings.Replace(validYAML, "workflow: main", "workflow: mian", 1),
			`deskbot.yaml:8: type "bug": workflow "mian" is not defined (did you mean "main"?)`},
		{"type with unknown field", strings.Replace(validYAML, "fields: [version]", "fields: [verison]", 1),
			`deskbot.yaml:8: type "bug": field "verison" is not defined (did you mean "version"?)`},
		{"requires unknown field", strings.Replace(validYAML, "requires: [version]", "requires: [release]", 1),
			`deskbot.yaml:13: workflow "main": transition requires field "release" is not defined; defined: version`},
		{"bad field kind", strings.Replace(validYAML, "kind: semver", "kind: semantic", 1),
			`deskbot.yaml:6: field "version": kind "semantic" must be one of text, number, date, enum, multi, user, semver`},
		{"enum without options", strings.Replace(validYAML, "kind: semver}", "kind: enum}", 1),
			`deskbot.yaml:6: field "version": a enum field needs options`},
		{"bad released version", strings.Replace(validYAML, "kind: semver}", "kind: semver, versions: [4.2.1, four]}", 1),
			`deskbot.yaml:6: field "version": version "four" is not a semantic version like 4.2.1`},
		{"bad initial", strings.Replace(validYAML, "initial: new", "initial: neu", 1),
			`deskbot.yaml:11: workflow "main": initial status "neu" is not defined (did you mean "new"?)`},
		{"bad default priority", validYAML + "default_priority: critical\n",
			`deskbot.yaml: default_priority: priority "critical" is not defined; defined: low, high`},
		{"bad duration", validYAML + "slack:\n  follow_up_window: soon\n",
			`deskbot.yaml:15: "soon" is not a duration like 10m or 2h`},
		{"wrong shape", "priorities: {low: 1}\n", "deskbot.yaml:1: cannot unmarshal !!map into []string"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := domain.ParseConfig("deskbot.yaml", []byte(tt.yaml))
			if err == nil {
				t.Fatalf("accepted a broken file, want error containing %q", tt.want)
			}
			if !strings.Contains(err.Error(), tt.want) {
				t.Errorf("error:\n%v\nwant it to contain:\n%s", err, tt.want)
			}
		})
	}
}

func TestParseConfigReportsEveryProblem(t *testing.T) {
	y := strings.Replace(strings.Replace(validYAML, "to: done", "to: dnoe", 1), "workflow: main", "workflow: mian", 1)
	_, err := domain.ParseConfig("deskbot.yaml", []byte(y))
	if err == nil || strings.Count(err.Error(), "\n") != 1 {
		t.Fatalf("want exactly two problems, got:\n%v", err)
	}
}
