package domain_test

import (
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/deskbot/deskbot/domain"
)

// A file names only what it changes; the rest is the built-in defaults.
func TestConfigMergesOverDefaults(t *testing.T) {
	tests := []struct {
		name, yaml string
		check      func(t *testing.T, c *domain.Config)
	}{
		{"empty file: the defaults", "# nothing yet\n", func(t *testing.T, c *domain.Config) {
			if len(c.Types) != 4 || c.DefaultSLAPolicy != "standard" || c.Slack.TicketEmoji != "ticket" {
				t.Errorf("types %d, policy %q, emoji %q", len(c.Types), c.DefaultSLAPolicy, c.Slack.TicketEmoji)
			}
		}},
		{"one SLA target of one policy", "sla_policies:\n  standard:\n    targets:\n      urgent: {first_response: 1h}\n", func(t *testing.T, c *domain.Config) {
			std := c.SLAPolicies["standard"]
			if got := std.Targets["urgent"].FirstResponse; got != "1h" {
				t.Errorf("urgent first response %v, want the file's 1h", got)
			}
			if got := std.Targets["urgent"].Resolution; got != "16h" {
				t.Errorf("urgent resolution %v, want the default 16h", got)
			}
			if got := std.Targets["low"].Resolution; got != "80h" {
				t.Errorf("low resolution %v, want the default 80h", got)
			}
			if c.SLAPolicies["gold"] == nil || c.Policy("standard") == nil || std.Calendar != "business" {
				t.Errorf("the other policies and the calendar must stay: %v", c.SLAPolicies)
			}
		}},
		{"one calendar", "calendars:\n  paris:\n    time_zone: Europe/Paris\n    hours:\n      mon-fri: [\"09:00-17:00\"]\n", func(t *testing.T, c *domain.Config) {
			if len(c.Calendars) != 3 || c.Calendars["paris"] == nil || c.Calendars["business"] == nil {
				t.Errorf("calendars %v", keys(c.Calendars))
			}
		}},
		{"one type: the list is the file's, default_type follows it", "types:\n  - {name: task, label: Task, workflow: support}\n", func(t *testing.T, c *domain.Config) {
			if len(c.Types) != 1 || c.DefaultType != "task" || c.WorkflowFor("task") == nil {
				t.Errorf("types %d default %q", len(c.Types), c.DefaultType)
			}
		}},
		{"slack alone", "slack:\n  leads: [U0LEAD]\n  agent_group: S0AGENTS\n", func(t *testing.T, c *domain.Config) {
			if !slices.Equal(c.Slack.Leads, []string{"U0LEAD"}) || c.Slack.AgentGroup != "S0AGENTS" || c.Slack.TicketEmoji != "ticket" || !c.Slack.NotifyAssignee {
				t.Errorf("slack %+v", c.Slack)
			}
		}},
		{"a list replaces the list it names", "slack:\n  pleasantries: [merci]\n", func(t *testing.T, c *domain.Config) {
			if !slices.Equal(c.Slack.Pleasantries, []string{"merci"}) {
				t.Errorf("pleasantries %v", c.Slack.Pleasantries)
			}
		}},
		{"time and email alone", "time:\n  currency: EUR\nemail:\n  domains: [support.vendor.com]\n", func(t *testing.T, c *domain.Config) {
			if c.Time.Currency != "EUR" || c.Time.RemindAfter.Duration != 2*time.Hour || !slices.Equal(c.Email.Domains, []string{"support.vendor.com"}) || c.Email.AttachmentLimitOrDefault() != 10<<20 {
				t.Errorf("time %+v email %+v", c.Time, c.Email)
			}
		}},
		{"workflows merge by name", "workflows:\n  triage:\n    initial: new\n    transitions:\n      - {from: new, to: open}\ntypes:\n  - {name: lead, workflow: triage}\n  - {name: question, workflow: support}\ndefault_type: question\n", func(t *testing.T, c *domain.Config) {
			if len(c.Workflows) != 3 || c.DefaultType != "question" || c.WorkflowFor("lead") == nil {
				t.Errorf("workflows %v default %q", keys(c.Workflows), c.DefaultType)
			}
		}},
		{"defaults: none: the file is the whole config", "defaults: none\n" + validYAML, func(t *testing.T, c *domain.Config) {
			if len(c.Types) != 1 || len(c.SLAPolicies) != 0 || len(c.Statuses) != 2 {
				t.Errorf("types %d policies %d statuses %d", len(c.Types), len(c.SLAPolicies), len(c.Statuses))
			}
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, err := domain.ParseConfig("deskbot.yaml", []byte(tt.yaml))
			if err != nil {
				t.Fatal(err)
			}
			tt.check(t, c)
		})
	}
}

func keys[V any](m map[string]V) []string {
	var out []string
	for k := range m {
		out = append(out, k)
	}
	slices.Sort(out)
	return out
}

func TestConfigMergeProblems(t *testing.T) {
	tests := []struct {
		name, yaml string
		want       []string
	}{
		{"unknown key at its line", "slack:\n  leads: [U0LEAD]\nsla_policy:\n  gold: {}\n",
			[]string{`deskbot.yaml:3: unknown key "sla_policy" (did you mean "sla_policies"?)`}},
		{"unknown nested key", "sla_policies:\n  standard:\n    targets:\n      urgent: {first_reponse: 1h}\n",
			[]string{`deskbot.yaml:4: unknown key "first_reponse" (did you mean "first_response"?)`}},
		{"every problem, decoding ones included", "slack:\n  agentz: [U1]\ntime:\n  remind_after: soon\n  workday_end: \"25:00\"\nsurvey:\n  on_resolve: maybe\n",
			[]string{`deskbot.yaml:2: unknown key "agentz"`, `deskbot.yaml:4: "soon" is not a duration`, `deskbot.yaml:4: time.workday_end "25:00" must be a time of day`, "deskbot.yaml:7: cannot unmarshal !!str `maybe` into bool"}},
		{"defaults other than none", "defaults: builtin\n", []string{"deskbot.yaml:1: defaults: only `defaults: none` is understood"}},
		{"defaults: none alone", "defaults: none\n", []string{"defines nothing"}},
		{"a default that no longer fits is named as such", "priorities: [p1, p2]\n",
			[]string{`defaults.yaml:`, `policy "gold": unknown priority`, "set those sections in your file too, or start it with `defaults: none`"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := domain.ParseConfig("deskbot.yaml", []byte(tt.yaml))
			if err == nil {
				t.Fatal("accepted")
			}
			for _, w := range tt.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("missing %q in:\n%v", w, err)
				}
			}
		})
	}
}

var fromComment = regexp.MustCompile(` # from [^\n]*`)

// effective is what `config show` prints without its comments.
func effective(t *testing.T, name string, data []byte) string {
	t.Helper()
	out, err := domain.ShowConfig(name, data)
	if err != nil {
		t.Fatal(err)
	}
	var lines []string
	for _, l := range strings.Split(fromComment.ReplaceAllString(string(out), ""), "\n") {
		if !strings.HasPrefix(l, "#") {
			lines = append(lines, l)
		}
	}
	return strings.Join(lines, "\n")
}

// config show prints the effective config; used as a file, its output
// gives the same config again.
func TestConfigShowRoundTrips(t *testing.T) {
	files := map[string]string{
		"no file":        "",
		"one target":     "sla_policies:\n  standard:\n    targets:\n      urgent: {first_response: 1h}\n",
		"one type":       "types:\n  - {name: task, label: Task, workflow: support}\n",
		"slack and time": "slack:\n  leads: [U0LEAD]\ntime:\n  currency: EUR\n",
		"defaults: none": "defaults: none\n" + validYAML,
	}
	for name, file := range files {
		t.Run(name, func(t *testing.T) {
			var data []byte
			if file != "" {
				data = []byte(file)
			}
			shown, err := domain.ShowConfig("deskbot.yaml", data)
			if err != nil {
				t.Fatal(err)
			}
			if file != "" && !strings.Contains(string(shown), "# from deskbot.yaml:") {
				t.Errorf("no value marked as from the file:\n%s", shown)
			}
			if _, err := domain.ParseConfig("shown.yaml", shown); err != nil {
				t.Fatalf("config show's output is not a valid file: %v\n%s", err, shown)
			}
			if a, b := effective(t, "deskbot.yaml", data), effective(t, "shown.yaml", shown); a != b {
				t.Errorf("round trip changed the config:\n%s\n---\n%s", a, b)
			}
		})
	}
	shown, _ := domain.ShowConfig("deskbot.yaml", []byte(files["one target"]))
	if !strings.Contains(string(shown), "urgent: {first_response: 1h, resolution: 16h} # from deskbot.yaml:4") {
		t.Errorf("the changed value is not marked with its line:\n%s", shown)
	}
}

// config init writes a file that changes nothing until a line is
// uncommented, and whose every example is valid once uncommented.
func TestStarterConfig(t *testing.T) {
	starter := domain.StarterConfig()
	if a, b := effective(t, "deskbot.yaml", starter), effective(t, "", nil); a != b {
		t.Errorf("the starter file changes the config:\n%s", a)
	}
	var uncommented []string
	examples := 0
	for _, l := range strings.Split(string(starter), "\n") {
		if rest, ok := strings.CutPrefix(l, "# "); ok && (strings.HasPrefix(rest, " ") || strings.HasSuffix(rest, ":") && !strings.Contains(rest, " ")) {
			uncommented = append(uncommented, rest)
			if !strings.HasPrefix(rest, " ") {
				examples++
			}
		}
	}
	if examples < 4 {
		t.Fatalf("only %d examples in the starter:\n%s", examples, starter)
	}
	if _, err := domain.ParseConfig("deskbot.yaml", []byte(strings.Join(uncommented, "\n"))); err != nil {
		t.Errorf("the starter's examples, uncommented, are not valid: %v\n%s", err, strings.Join(uncommented, "\n"))
	}
}

// Every YAML example in the repository passes `config check`, and the
// defaults file documents every section a file may hold.
func TestEveryYAMLExampleIsAValidConfig(t *testing.T) {
	root := filepath.Join("..")
	var found []string
	err := filepath.WalkDir(root, func(path string, d os.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() && strings.HasPrefix(d.Name(), ".") && path != root {
			return filepath.SkipDir
		}
		ext := filepath.Ext(path)
		if d.IsDir() || (ext != ".yaml" && ext != ".yml") || d.Name() == "manifest.yaml" {
			return nil
		}
		found = append(found, path)
		data, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		if _, err := domain.ParseConfig(path, data); err != nil {
			t.Errorf("%v", err)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(found) < 2 {
		t.Errorf("found only %v", found)
	}
	defaults := string(domain.DefaultConfigYAML())
	for _, key := range []string{"agents:", "agent_group:", "leads:", "admins:", "default_type:", "default_sla_policy:", "groups:", "automations:", "stale_tickets:", "survey:", "email:", "time:", "sla:"} {
		if !strings.Contains(defaults, key) {
			t.Errorf("defaults.yaml does not document %s", key)
		}
	}
}
