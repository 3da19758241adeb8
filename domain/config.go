package domain

import (
	_ "embed"
	"errors"
	"fmt"
	"os"
	"regexp"
	"slices"
	"strings"
	"time"

	"gopkg.in/yaml.v3"

	"github.com/deskbot/deskbot/domain/automation"
	"github.com/deskbot/deskbot/domain/sla"
)

// Status categories drive behaviour that does not depend on a status's name.
const (
	CategoryNew      = "new"
	CategoryOpen     = "open"
	CategoryWaiting  = "waiting"
	CategoryResolved = "resolved"
	CategoryClosed   = "closed"
)

var categories = []string{CategoryNew, CategoryOpen, CategoryWaiting, CategoryResolved, CategoryClosed}

// StatusDef is one ticket status.
type StatusDef struct {
	Name  string `yaml:"name"`
	Label string `yaml:"label"`
	// CustomerLabel is the status in the customer's words, on the card
	// they read in their channel; empty: said by its category.
	CustomerLabel string `yaml:"customer_label"`
	Category      string `yaml:"category"`
	PausesSLA     bool   `yaml:"pauses_sla"`
	// Started marks statuses where work is under way (in progress): a
	// ticket blocked by unresolved tickets can enter neither them nor a
	// resolved status. See config_rules.go.
	Started bool `yaml:"started"`
	Line    int  `yaml:"-"`
}

// Done reports whether tickets in this status are finished (resolved or closed).
func (s *StatusDef) Done() bool {
	return s.Category == CategoryResolved || s.Category == CategoryClosed
}

// TypeDef is a ticket type with its workflow and fields.
type TypeDef struct {
	Name            string   `yaml:"name"`
	Label           string   `yaml:"label"`
	Workflow        string   `yaml:"workflow"`
	Fields          []string `yaml:"fields"`
	DefaultPriority string   `yaml:"default_priority"`
	// PausesSLA, when set, lists the statuses that pause this type's SLA
	// clocks instead of the statuses' own pauses_sla (see PausesSLAFor).
	PausesSLA []string `yaml:"pauses_sla"`
	Line      int      `yaml:"-"`
}

// SlackConfig holds the behaviour of the Slack surface.
type SlackConfig struct {
	// TicketEmoji is the reaction that turns a message into a ticket.
	TicketEmoji string `yaml:"ticket_emoji"`
	// Agents, if set, narrows who counts as an agent to these user IDs;
	// AgentGroup does the same with a Slack user group ID. Unset, every
	// member of the bot's own workspace is an agent.
	Agents     []string `yaml:"agents"`
	AgentGroup string   `yaml:"agent_group"`
	// FollowUpWindow: messages the same customer posts within it join
	// their open ticket instead of opening another.
	FollowUpWindow Duration `yaml:"follow_up_window"`
	// Pleasantries are messages that never open a ticket by themselves.
	Pleasantries []string `yaml:"pleasantries"`
	// NotifyAssignee DMs people when a ticket is assigned to them.
	NotifyAssignee bool `yaml:"notify_assignee"`
	// NotePrefix: an agent's reply in a customer's thread that starts
	// with it is kept as an internal note ("//" unless set).
	NotePrefix string `yaml:"note_prefix"`
	// Leads are agent leads (user IDs): they may fix anyone's time entries
	// and lock billing periods.
	Leads []string `yaml:"leads"`
	// Admins (user IDs) may reload the config from Slack; when none are
	// listed, leads may, and when there are no leads either, any agent.
	Admins []string `yaml:"admins"`
	Line   int      `yaml:"-"`
}

// Config is what an admin shapes in deskbot.yaml: types, workflows,
// fields, priorities and the Slack surface.
type Config struct {
	Priorities      []string             `yaml:"priorities"` // lowest first
	DefaultPriority string               `yaml:"default_priority"`
	Severities      []string             `yaml:"severities"`
	Statuses        []*StatusDef         `yaml:"statuses"`
	Fields          []*FieldDef          `yaml:"fields"`
	Types           []*TypeDef           `yaml:"types"`
	DefaultType     string               `yaml:"default_type"`
	Workflows       map[string]*Workflow `yaml:"workflows"`
	Slack           SlackConfig          `yaml:"slack"`
	// Email: mail intake (agents, accepted domains, attachment limit). See email.go.
	Email EmailConfig `yaml:"email"`

	// SLA: business calendars, policies (a customer names its own; the
	// default covers the rest) and who hears about alerts. See config_sla.go.
	Calendars        map[string]*CalendarDef `yaml:"calendars"`
	SLAPolicies      map[string]*PolicyDef   `yaml:"sla_policies"`
	DefaultSLAPolicy string                  `yaml:"default_sla_policy"`
	SLA              SLASettings             `yaml:"sla"`
	calendars        map[string]*sla.Calendar
	policies         map[string]*sla.Policy

	// Time: forgotten-timer reminders and billing rates. See config_time.go.
	Time TimeConfig `yaml:"time"`

	// Automations and what customers feel of them: groups of agents that
	// rules assign in, the rules, stale-ticket chasing and the
	// satisfaction survey. See config_rules.go.
	Groups      map[string][]string `yaml:"groups"`
	Automations []*automation.Rule  `yaml:"automations"`
	Stale       StaleConfig         `yaml:"stale_tickets"`
	Survey      SurveyConfig        `yaml:"survey"`

	// Webhooks: outgoing webhooks' disabling and URLs. See webhook.go.
	Webhooks WebhookConfig `yaml:"webhooks"`
	// Trackers are the issue trackers agents escalate to, by name;
	// Engineering, what their issues do to tickets. See tracker.go.
	Trackers    map[string]*TrackerDef `yaml:"trackers"`
	Engineering EngineeringConfig      `yaml:"engineering"`
	// Search: the full-text index's language. See config_search.go.
	Search SearchConfig `yaml:"search"`

	// Source names the file the config came from, for messages.
	Source string `yaml:"-"`
}

// Duration is a time.Duration written as "10m" in YAML.
type Duration struct{ time.Duration }

// UnmarshalYAML reads "90s", "10m", "2h".
func (d *Duration) UnmarshalYAML(n *yaml.Node) error {
	v, err := time.ParseDuration(n.Value)
	if err != nil || v < 0 {
		return lineErr(n.Line, fmt.Sprintf("%q is not a duration like 10m or 2h", n.Value))
	}
	d.Duration = v
	return nil
}

//go:embed defaults.yaml
var defaultYAML []byte

// DefaultConfig returns the built-in configuration.
func DefaultConfig() *Config {
	c, err := parseConfig("built-in defaults", defaultYAML, false)
	if err != nil {
		// The defaults ship in the binary and are tested: failing here is a build defect.
		panic(err)
	}
	return c
}

// DefaultConfigYAML is the text of the built-in config, a start for an
// admin's own file (and for tests that change a line of it).
func DefaultConfigYAML() []byte { return append([]byte(nil), defaultYAML...) }

// LoadConfig reads the config at path, or returns the defaults when path is empty.
func LoadConfig(path string) (*Config, error) {
	if path == "" {
		return DefaultConfig(), nil
	}
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("config: %w", err)
	}
	return ParseConfig(path, data)
}

// ConfigError lists every problem found in a config file.
type ConfigError struct {
	File     string
	Problems []string // each "LINE: message" or "message"
}

func (e *ConfigError) Error() string {
	var b strings.Builder
	for i, p := range e.Problems {
		if i > 0 {
			b.WriteString("\n")
		}
		b.WriteString(e.File)
		b.WriteString(":")
		b.WriteString(p)
	}
	return b.String()
}

var yamlLineRE = regexp.MustCompile(`^(?:yaml: )?line (\d+): (.*)$`)

// ParseConfig decodes and validates a config file merged over the
// built-in defaults (config_merge.go). Every problem is reported at once,
// decoding problems included, each with its line.
func ParseConfig(name string, data []byte) (*Config, error) {
	return parseConfig(name, data, true)
}

// parseConfig is ParseConfig; merge is false for the defaults themselves.
func parseConfig(name string, data []byte, merge bool) (*Config, error) {
	cerr := &ConfigError{File: name}
	var root yaml.Node
	if err := yaml.Unmarshal(data, &root); err != nil {
		cerr.Problems = append(cerr.Problems, yamlProblems(err)...)
		return nil, cerr
	}
	var doc *yaml.Node
	if len(root.Content) > 0 {
		doc = root.Content[0]
	}
	if !merge && doc == nil {
		cerr.Problems = append(cerr.Problems, " the file is empty")
		return nil, cerr
	}
	if merge {
		m, problems := mergeOverDefaults(doc)
		cerr.Problems = append(cerr.Problems, problems...)
		doc = m.root
	}
	c := &Config{Source: name}
	if doc != nil {
		if err := decodeStrict(doc, c); err != nil {
			cerr.Problems = append(cerr.Problems, yamlProblems(err)...)
		}
	}
	// Decoding problems leave their values at zero; the rest is validated
	// all the same, so one run lists everything to fix.
	cerr.Problems = append(cerr.Problems, c.validate()...)
	if len(cerr.Problems) > 0 {
		fromDefaults := false
		for i, p := range cerr.Problems {
			cerr.Problems[i] = placeProblem(p)
			fromDefaults = fromDefaults || cerr.Problems[i] != p
		}
		if fromDefaults {
			cerr.Problems = append(cerr.Problems, defaultsHint)
		}
		return nil, cerr
	}
	return c, nil
}

func yamlProblems(err error) []string {
	var te *yaml.TypeError
	if errors.As(err, &te) {
		out := make([]string, 0, len(te.Errors))
		for _, e := range te.Errors {
			out = append(out, yamlLine(e))
		}
		return out
	}
	return []string{yamlLine(err.Error())}
}

func yamlLine(msg string) string {
	if m := yamlLineRE.FindStringSubmatch(msg); m != nil {
		return m[1] + ": " + m[2]
	}
	return " " + strings.TrimPrefix(msg, "yaml: ")
}

// Status returns the status definition with that name, or nil.
func (c *Config) Status(name string) *StatusDef {
	for _, s := range c.Statuses {
		if s.Name == name {
			return s
		}
	}
	return nil
}

// Type returns the ticket type with that name, or nil.
func (c *Config) Type(name string) *TypeDef {
	for _, t := range c.Types {
		if t.Name == name {
			return t
		}
	}
	return nil
}

// Field returns the custom field with that name, or nil.
func (c *Config) Field(name string) *FieldDef {
	for _, f := range c.Fields {
		if f.Name == name {
			return f
		}
	}
	return nil
}

// WorkflowFor returns the workflow of a ticket type.
func (c *Config) WorkflowFor(typ string) *Workflow {
	if t := c.Type(typ); t != nil {
		return c.Workflows[t.Workflow]
	}
	return nil
}

// HasPriority reports whether p is a configured priority.
func (c *Config) HasPriority(p string) bool { return slices.Contains(c.Priorities, p) }

// PriorityRank orders priorities: higher is more urgent, -1 when unknown.
func (c *Config) PriorityRank(p string) int { return slices.Index(c.Priorities, p) }

// CustomerStatusLabel is a status as the customer reads it.
func (c *Config) CustomerStatusLabel(name string) string {
	s := c.Status(name)
	switch {
	case s == nil:
		return name
	case s.CustomerLabel != "":
		return s.CustomerLabel
	case s.Started:
		return "Being worked on"
	}
	switch s.Category {
	case CategoryNew:
		return "Received"
	case CategoryOpen:
		return "Open"
	case CategoryWaiting:
		return "Waiting for your reply"
	}
	return c.StatusLabel(name)
}

// StatusLabel is the display name of a status.
func (c *Config) StatusLabel(name string) string {
	if s := c.Status(name); s != nil && s.Label != "" {
		return s.Label
	}
	return name
}

// TypeLabel is the display name of a type.
func (c *Config) TypeLabel(name string) string {
	if t := c.Type(name); t != nil && t.Label != "" {
		return t.Label
	}
	return name
}
