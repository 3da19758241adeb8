package domain

import (
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"
)

// Field kinds for custom fields.
const (
	FieldText   = "text"
	FieldNumber = "number"
	FieldDate   = "date"
	FieldEnum   = "enum"
	FieldMulti  = "multi"
	FieldUser   = "user"
	FieldSemver = "semver"
)

var fieldKinds = []string{FieldText, FieldNumber, FieldDate, FieldEnum, FieldMulti, FieldUser, FieldSemver}

// Fields holds a ticket's custom field values, normalised to strings.
type Fields map[string]string

// FieldDef defines a custom field and how its values are checked.
type FieldDef struct {
	Name     string   `yaml:"name"`
	Label    string   `yaml:"label"`
	Kind     string   `yaml:"kind"`
	Pattern  string   `yaml:"pattern"` // text: a regular expression the whole value must match
	Hint     string   `yaml:"hint"`    // shown when the pattern does not match
	Min      *float64 `yaml:"min"`
	Max      *float64 `yaml:"max"`
	Options  []string `yaml:"options"`  // enum, multi
	Versions []string `yaml:"versions"` // semver: released versions; empty accepts any version
	Line     int      `yaml:"-"`

	re *regexp.Regexp
}

// Slack's IDs: a person (U…, W… on Enterprise Grid) or a conversation
// (C… public, G… private), as configuration and use cases take them;
// bot turns Slack's <@U…> and <#C…|name> markup into these.
var (
	userIDRE    = regexp.MustCompile(`^[UW][A-Z0-9]{2,}$`)
	channelIDRE = regexp.MustCompile(`^[CG][A-Z0-9]{2,}$`)
)

// IsUserID reports whether s is a Slack user ID.
func IsUserID(s string) bool { return userIDRE.MatchString(s) }

// IsChannelID reports whether s is a Slack channel ID.
func IsChannelID(s string) bool { return channelIDRE.MatchString(s) }

// Normalize validates a raw value and returns its canonical form. An empty
// value is valid (required fields are a workflow rule, not a field rule).
func (d *FieldDef) Normalize(raw string) (string, error) {
	v := strings.TrimSpace(raw)
	if v == "" {
		return "", nil
	}
	bad := func(format string, args ...any) (string, error) {
		return "", FieldErrorf(d.Name, format, args...)
	}
	switch d.Kind {
	case FieldText:
		if d.re != nil && !d.re.MatchString(v) {
			if d.Hint != "" {
				return bad("%s: %s", d.label(), d.Hint)
			}
			return bad("%s %q does not match the expected format %s.", d.label(), v, d.Pattern)
		}
		return v, nil
	case FieldNumber:
		n, err := strconv.ParseFloat(v, 64)
		if err != nil {
			return bad("%s must be a number, not %q.", d.label(), v)
		}
		if d.Min != nil && n < *d.Min {
			return bad("%s must be at least %g.", d.label(), *d.Min)
		}
		if d.Max != nil && n > *d.Max {
			return bad("%s must be at most %g.", d.label(), *d.Max)
		}
		return strconv.FormatFloat(n, 'f', -1, 64), nil
	case FieldDate:
		t, err := time.Parse("2006-01-02", v)
		if err != nil {
			return bad("%s must be a date like 2026-11-27, not %q.", d.label(), v)
		}
		return t.Format("2006-01-02"), nil
	case FieldEnum:
		if o, ok := d.option(v); ok {
			return o, nil
		}
		return bad("%s must be one of %s, not %q.", d.label(), strings.Join(d.Options, ", "), v)
	case FieldMulti:
		var out []string
		for _, part := range strings.Split(v, ",") {
			part = strings.TrimSpace(part)
			if part == "" {
				continue
			}
			o, ok := d.option(part)
			if !ok {
				return bad("%s: %q is not one of %s.", d.label(), part, strings.Join(d.Options, ", "))
			}
			if !slices.Contains(out, o) {
				out = append(out, o)
			}
		}
		return strings.Join(out, ","), nil
	case FieldUser:
		if !IsUserID(v) {
			return bad("%s must be a Slack user.", d.label())
		}
		return v, nil
	case FieldSemver:
		sv, ok := ParseSemver(v)
		if !ok {
			return bad("%s %q is not a version like 4.2.1.", d.label(), v)
		}
		if len(d.Versions) > 0 && !slices.Contains(d.Versions, sv.String()) {
			return bad("%s %s has not been released; released versions: %s.", d.label(), sv, strings.Join(d.Versions, ", "))
		}
		return sv.String(), nil
	}
	return bad("%s has an unknown kind %q.", d.label(), d.Kind)
}

func (d *FieldDef) label() string {
	if d.Label != "" {
		return d.Label
	}
	return d.Name
}

func (d *FieldDef) option(v string) (string, bool) {
	for _, o := range d.Options {
		if strings.EqualFold(o, v) {
			return o, true
		}
	}
	return "", false
}
