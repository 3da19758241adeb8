package domain

import (
	"fmt"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"

	"gopkg.in/yaml.v3"
)

// TimeConfig shapes time tracking and billing (the `time:` section).
type TimeConfig struct {
	// RemindAfter: a timer running this long gets its owner a DM, once
	// (again only after "Keep running"). Zero means DefaultRemindAfter.
	RemindAfter Duration `yaml:"remind_after"`
	// HardCap, when set, stops a timer on its own at start+HardCap and
	// tells the owner: a forgotten weekend timer never bills 60 hours.
	HardCap Duration `yaml:"hard_cap"`
	// WorkdayEnd ("18:00"), when set, also reminds the owner of a timer
	// still running at that time of their day (in their Slack time zone),
	// whichever comes first with RemindAfter.
	WorkdayEnd string `yaml:"workday_end"`
	// Rounding and Minimum are the billing rules of customers whose
	// contract sets none: each entry rounded up to Rounding, and at least
	// Minimum billed per ticket and period. Zero turns a rule off.
	Rounding Duration `yaml:"rounding"`
	Minimum  Duration `yaml:"minimum"`
	// Currency is shown next to amounts (an ISO code like EUR); display only.
	Currency string `yaml:"currency"`
	// Rates override a customer's hourly rate: an engineer's beats a
	// ticket type's, which beats the customer's.
	Rates RateConfig `yaml:"rates"`
	Line  int        `yaml:"-"`
}

// RateConfig holds optional hourly rates, written as money ("150" or "150.50").
type RateConfig struct {
	Engineers map[string]Money `yaml:"engineers"` // Slack user ID → rate
	Types     map[string]Money `yaml:"types"`     // ticket type → rate
	Line      int              `yaml:"-"`
}

// DefaultRemindAfter applies when time.remind_after is not set.
const DefaultRemindAfter = 2 * time.Hour

// Money is an amount in cents, written in YAML as 150 or 150.50.
type Money int64

var moneyRE = regexp.MustCompile(`^(\d{1,9})(?:\.(\d{1,2}))?$`)

// ParseMoney reads a non-negative amount with at most two decimals into cents.
func ParseMoney(s string) (Money, bool) {
	m := moneyRE.FindStringSubmatch(strings.TrimSpace(s))
	if m == nil {
		return 0, false
	}
	units, _ := strconv.ParseInt(m[1], 10, 64)
	frac := m[2]
	if len(frac) == 1 {
		frac += "0"
	}
	cents, _ := strconv.ParseInt("0"+frac, 10, 64)
	return Money(units*100 + cents), true
}

// FormatCents writes cents as 1234.50, the form spreadsheets import.
func FormatCents(c int64) string {
	sign := ""
	if c < 0 {
		sign, c = "-", -c
	}
	return fmt.Sprintf("%s%d.%02d", sign, c/100, c%100)
}

func (m *Money) UnmarshalYAML(n *yaml.Node) error {
	v, ok := ParseMoney(n.Value)
	if n.Kind != yaml.ScalarNode || !ok {
		return lineErr(n.Line, fmt.Sprintf("%q is not an amount like 150 or 150.50", n.Value))
	}
	*m = v
	return nil
}

func (t *TimeConfig) UnmarshalYAML(n *yaml.Node) error {
	type plain TimeConfig
	t.Line = n.Line
	return decodeStrict(n, (*plain)(t))
}

func (r *RateConfig) UnmarshalYAML(n *yaml.Node) error {
	type plain RateConfig
	r.Line = n.Line
	return decodeStrict(n, (*plain)(r))
}

// RemindAfterOrDefault is the forgotten-timer threshold in force.
func (t *TimeConfig) RemindAfterOrDefault() time.Duration {
	if t.RemindAfter.Duration > 0 {
		return t.RemindAfter.Duration
	}
	return DefaultRemindAfter
}

// IsLead reports whether a user is an agent lead (slack.leads), who may
// fix anyone's time and lock billing periods.
func (c *Config) IsLead(userID string) bool {
	return userID != "" && slices.Contains(c.Slack.Leads, userID)
}

func (c *Config) validateTime(p *problems) {
	t := &c.Time
	if t.WorkdayEnd != "" {
		if _, err := time.Parse("15:04", t.WorkdayEnd); err != nil {
			p.add(t.Line, "time.workday_end %q must be a time of day like 18:00", t.WorkdayEnd)
		}
	}
	if t.HardCap.Duration > 0 {
		if t.HardCap.Duration <= t.RemindAfterOrDefault() {
			p.add(t.Line, "time.hard_cap (%s) must be longer than time.remind_after (%s), or the reminder never goes out",
				t.HardCap.Duration, t.RemindAfterOrDefault())
		}
		if t.HardCap.Duration > 24*time.Hour {
			p.add(t.Line, "time.hard_cap must be at most 24h, the longest one time entry may be")
		}
	}
	for _, id := range slices.Sorted(mapKeys(t.Rates.Engineers)) {
		if !IsUserID(id) {
			p.add(t.Rates.Line, "time.rates.engineers: %q is not a Slack user ID like U0123ABCD", id)
		}
	}
	types := typeNamesOf(c)
	for _, name := range slices.Sorted(mapKeys(t.Rates.Types)) {
		if !slices.Contains(types, name) {
			p.add(t.Rates.Line, "time.rates.types: %s", unknown("type", name, types))
		}
	}
	for _, id := range c.Slack.Leads {
		if !IsUserID(id) {
			p.add(c.Slack.Line, "slack.leads: %q is not a Slack user ID like U0123ABCD", id)
		}
	}
}

func mapKeys[V any](m map[string]V) func(func(string) bool) {
	return func(yield func(string) bool) {
		for k := range m {
			if !yield(k) {
				return
			}
		}
	}
}

func typeNamesOf(c *Config) []string {
	out := make([]string, 0, len(c.Types))
	for _, t := range c.Types {
		out = append(out, t.Name)
	}
	return out
}

// WorkdayReminder is when a timer started at start by someone in loc
// should remind its owner because their working day ends: the end of the
// start's day, when the timer started before it; else zero.
func (t *TimeConfig) WorkdayReminder(start time.Time, loc *time.Location) time.Time {
	end, err := time.Parse("15:04", t.WorkdayEnd)
	if t.WorkdayEnd == "" || err != nil || loc == nil {
		return time.Time{}
	}
	local := start.In(loc)
	at := time.Date(local.Year(), local.Month(), local.Day(), end.Hour(), end.Minute(), 0, 0, loc)
	if !at.After(start) {
		return time.Time{}
	}
	return at.UTC()
}
