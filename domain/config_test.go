package domain_test

import (
	"strings"
	"testing"
	"time"

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
	c, err := domain.ParseOwnConfig("deskbot.yaml", []byte(validYAML))
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
			_, err := domain.ParseOwnConfig("deskbot.yaml", []byte(tt.yaml))
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
	_, err := domain.ParseOwnConfig("deskbot.yaml", []byte(y))
	if err == nil || strings.Count(err.Error(), "\n") != 1 {
		t.Fatalf("want exactly two problems, got:\n%v", err)
	}
}

func TestDefaultConfigSLA(t *testing.T) {
	c := domain.DefaultConfig()
	if got := c.PolicyNames(); strings.Join(got, ",") != "gold,silver,standard" {
		t.Fatalf("policies %v", got)
	}
	if p := c.PolicyFor(""); p == nil || p.Name != "standard" {
		t.Fatalf("default policy %+v", p)
	}
	if p := c.PolicyFor("retired"); p == nil || p.Name != "standard" {
		t.Errorf("a policy gone from the config must fall back to the default, got %+v", p)
	}
	gold := c.Policy("gold")
	if gold == nil || gold.Calendar.Name() != "24x7" || gold.Targets["urgent"].FirstResponse != 15*time.Minute || len(gold.Warnings) != 2 {
		t.Errorf("gold %+v", gold)
	}
	if cal := c.Calendar("business"); cal == nil || cal.Location().String() != "Europe/London" {
		t.Errorf("business calendar %+v", cal)
	}
	if c.SLA.ScanInterval.Duration != domain.DefaultSLAScanInterval || !c.PausesSLA("waiting") || c.PausesSLA("open") {
		t.Errorf("sla settings %+v", c.SLA)
	}
}

// validSLAYAML extends validYAML (13 lines) from line 14 on.
const validSLAYAML = validYAML + `calendars:
  office:
    time_zone: Europe/Paris
    hours: {mon-fri: ["09:00-17:00"]}
sla_policies:
  basic:
    calendar: office
    targets:
      high: {first_response: 1h, resolution: 8h}
    warnings: ["75%"]
sla:
  escalation_channel: C0ESCALATE
  on_call: [U0ONCALL]
  scan_interval: 5s
`

func TestParseConfigSLA(t *testing.T) {
	c, err := domain.ParseOwnConfig("deskbot.yaml", []byte(validSLAYAML))
	if err != nil {
		t.Fatal(err)
	}
	p := c.PolicyFor("")
	if c.DefaultSLAPolicy != "basic" || p == nil || p.Targets["high"].Resolution != 8*time.Hour {
		t.Errorf("a lone policy is the default: %q %+v", c.DefaultSLAPolicy, p)
	}
	if c.SLA.EscalationChannel != "C0ESCALATE" || c.SLA.ScanInterval.Duration != 5*time.Second {
		t.Errorf("settings %+v", c.SLA)
	}
	// Without SLA sections there is no policy at all, and that is valid.
	c, err = domain.ParseOwnConfig("deskbot.yaml", []byte(validYAML))
	if err != nil || c.PolicyFor("") != nil {
		t.Errorf("no SLA: %v %v", c.PolicyFor(""), err)
	}
}

func TestParseConfigSLAErrors(t *testing.T) {
	tests := []struct {
		name, yaml, want string
	}{
		{"unknown zone", strings.Replace(validSLAYAML, "Europe/Paris", "Europe/Pariss", 1),
			`deskbot.yaml:16: calendar "office": unknown time_zone "Europe/Pariss"`},
		{"bad hours", strings.Replace(validSLAYAML, "09:00-17:00", "9-5", 1),
			`deskbot.yaml:16: calendar "office": hours "mon-fri": "9-5" is not HH:MM-HH:MM`},
		{"unknown calendar key", strings.Replace(validSLAYAML, "time_zone:", "timezone:", 1),
			`deskbot.yaml:16: unknown key "timezone" (did you mean "time_zone"?)`},
		{"policy with unknown calendar", strings.Replace(validSLAYAML, "calendar: office", "calendar: ofice", 1),
			`deskbot.yaml:20: policy "basic": unknown calendar "ofice" (known: office)`},
		{"target for unknown priority", strings.Replace(validSLAYAML, "high: {first", "urgent: {first", 1),
			`deskbot.yaml:20: policy "basic": unknown priority "urgent" (known: low, high)`},
		{"typo in a target key", strings.Replace(validSLAYAML, "first_response: 1h", "first_reponse: 1h", 1),
			`deskbot.yaml:22: unknown key "first_reponse" (did you mean "first_response"?)`},
		{"days in a target", strings.Replace(validSLAYAML, "resolution: 8h", "resolution: 2d", 1),
			`policy "basic": priority "high": resolution "2d": days and weeks are ambiguous in business time`},
		{"bad warning", strings.Replace(validSLAYAML, `"75%"`, `"150%"`, 1),
			`deskbot.yaml:20: policy "basic": warning "150%" must be between 0% and 100%`},
		{"unknown default", validSLAYAML + "default_sla_policy: gold\n",
			`deskbot.yaml: default_sla_policy: policy "gold" is not defined; defined: basic`},
		{"two policies and no default", strings.Replace(validSLAYAML, "sla:\n", "  extra: {calendar: office}\nsla:\n", 1),
			`deskbot.yaml: default_sla_policy: name the policy of customers that have none (defined: basic, extra)`},
		{"policy name", strings.Replace(validSLAYAML, "  basic:", "  Basic Plan:", 1),
			`deskbot.yaml:20: policy name "Basic Plan": use lower-case letters`},
		{"escalation channel by name", strings.Replace(validSLAYAML, "C0ESCALATE", `"#support"`, 1),
			`deskbot.yaml:25: sla: escalation_channel "#support" must be a channel ID like C0123ABCD`},
		{"on-call by name", strings.Replace(validSLAYAML, "U0ONCALL", "ana", 1),
			`deskbot.yaml:25: sla: on_call "ana" must be a Slack user ID`},
		{"unknown sla key", strings.Replace(validSLAYAML, "scan_interval:", "scan_every:", 1),
			`deskbot.yaml:27: unknown key "scan_every"`},
		{"tiny scan interval", strings.Replace(validSLAYAML, "scan_interval: 5s", "scan_interval: 1ms", 1),
			`deskbot.yaml:25: sla: scan_interval 1ms is too short`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := domain.ParseOwnConfig("deskbot.yaml", []byte(tt.yaml))
			if err == nil {
				t.Fatalf("accepted a broken file, want error containing %q", tt.want)
			}
			if !strings.Contains(err.Error(), tt.want) {
				t.Errorf("error:\n%v\nwant it to contain:\n%s", err, tt.want)
			}
		})
	}
}
