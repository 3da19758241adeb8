package domain

import (
	"context"
	"regexp"
	"slices"
	"strings"
)

// Tags by hand follow the syntax automations already use (domain/automation):
// lower case letters, digits, - and _, starting with a letter or digit.
const (
	MaxTagLen     = 32
	MaxTicketTags = 20
)

var tagRE = regexp.MustCompile(`^[a-z0-9][a-z0-9_-]*$`)

// NormalizeTag lower-cases a tag and drops a leading #, as people type it.
func NormalizeTag(s string) string {
	return strings.ToLower(strings.TrimPrefix(strings.TrimSpace(s), "#"))
}

// ValidateTag checks a normalized tag.
func ValidateTag(tag string) error {
	switch {
	case tag == "":
		return FieldErrorf("tags", "A tag cannot be empty.")
	case len(tag) > MaxTagLen:
		return FieldErrorf("tags", "Tag %q is %d characters long; keep tags to %d.", cutTag(tag), len(tag), MaxTagLen)
	case !tagRE.MatchString(tag):
		return FieldErrorf("tags", "Tag %q may hold only lower-case letters, digits, - and _, starting with a letter or digit.", cutTag(tag))
	}
	return nil
}

func cutTag(tag string) string {
	if len(tag) > 40 {
		return tag[:40] + "…"
	}
	return tag
}

// TagChange is what `/ticket KEY tag +a -b c` asks: tags to add and to remove.
type TagChange struct {
	Add, Remove []string
}

// ParseTagArgs reads tag arguments: +tag or a bare tag adds, -tag removes;
// commas separate as well as spaces. A tag both added and removed is refused.
func ParseTagArgs(text string) (TagChange, error) {
	var c TagChange
	words := strings.FieldsFunc(text, func(r rune) bool { return r == ',' || r == ' ' || r == '\t' || r == '\n' })
	if len(words) == 0 {
		return c, FieldErrorf("tags", "Name the tags: `+billing` adds, `-urgent` removes.")
	}
	for _, w := range words {
		rest, remove := strings.CutPrefix(w, "-")
		if !remove {
			rest = strings.TrimPrefix(w, "+")
		}
		tag := NormalizeTag(rest)
		if err := ValidateTag(tag); err != nil {
			return TagChange{}, err
		}
		list := &c.Add
		if remove {
			list = &c.Remove
		}
		if !slices.Contains(*list, tag) {
			*list = append(*list, tag)
		}
	}
	for _, t := range c.Add {
		if slices.Contains(c.Remove, t) {
			return TagChange{}, FieldErrorf("tags", "Tag %q is both added and removed; say one.", t)
		}
	}
	return c, nil
}

// ParseTagList reads a list of tags as typed in a form (spaces or commas).
func ParseTagList(text string) ([]string, error) {
	var out []string
	for _, w := range strings.FieldsFunc(text, func(r rune) bool { return r == ',' || r == ' ' || r == '\t' || r == '\n' }) {
		tag := NormalizeTag(w)
		if err := ValidateTag(tag); err != nil {
			return nil, err
		}
		if !slices.Contains(out, tag) {
			out = append(out, tag)
		}
	}
	return out, nil
}

// TooManyTags is the refusal when a ticket would carry more than MaxTicketTags.
func TooManyTags(key string, n int) error {
	return FieldErrorf("tags", "%s would have %d tags; a ticket keeps at most %d.", key, n, MaxTicketTags)
}

// TagStore is what hand-set tags need beyond AutomationStore's AddTag,
// RemoveTag and Tags.
type TagStore interface {
	// AllTags lists every tag in use with its number of tickets, by name.
	AllTags(ctx context.Context) ([]TagCount, error)
	// TicketsTagged lists the ids of the tickets carrying a tag.
	TicketsTagged(ctx context.Context, tag string) ([]int64, error)
}

// TagCount is a tag and how many tickets carry it.
type TagCount struct {
	Tag     string `db:"tag"`
	Tickets int    `db:"n"`
}
