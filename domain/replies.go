package domain

import (
	"context"
	"regexp"
	"slices"
	"strings"
	"time"
	"unicode/utf8"
)

// SavedReply is a macro: a text with placeholders that answers a customer,
// and what else it sets on the ticket in the same step. A personal reply
// belongs to its owner; a shared one (Owner "") to the team, and only
// admins change it.
type SavedReply struct {
	ID       int64  `db:"id"`
	Name     string `db:"name"`
	Body     string `db:"body"`
	Owner    string `db:"owner_id"` // Slack user ID; "" for a shared reply
	Status   string `db:"set_status"`
	Priority string `db:"set_priority"`
	Tags     string `db:"add_tags"` // space-separated, normalized
	// Assignee: a Slack user ID, or "me" for whoever uses the reply.
	Assignee  string    `db:"set_assignee"`
	Uses      int64     `db:"uses"`
	CreatedBy string    `db:"created_by"`
	CreatedAt time.Time `db:"created_at"`
	UpdatedAt time.Time `db:"updated_at"`
}

// Shared reports whether the whole team uses the reply.
func (r *SavedReply) Shared() bool { return r.Owner == "" }

// Limits of saved replies.
const (
	MaxReplyName = 60
	MaxReplyBody = 3000 // a Slack modal's text input holds 3000
	MaxReplies   = 100  // a Slack select holds 100 options
)

// The placeholders a saved reply may hold, documented in the README.
var Placeholders = []string{
	"requester.name", "requester.first_name", "requester.email",
	"ticket.key", "ticket.title", "ticket.status", "ticket.priority", "ticket.due",
	"customer.name", "customer.key",
	"agent.name", "agent.first_name",
	"sla.first_response_due", "sla.resolution_due",
}

var placeholderRE = regexp.MustCompile(`\{([a-zA-Z_][a-zA-Z0-9_.]*)\}`)

// UnknownPlaceholders lists the placeholders of body that are not in
// Placeholders, in order of appearance, once each.
func UnknownPlaceholders(body string) []string {
	var out []string
	for _, m := range placeholderRE.FindAllStringSubmatch(body, -1) {
		if !slices.Contains(Placeholders, m[1]) && !slices.Contains(out, m[1]) {
			out = append(out, m[1])
		}
	}
	return out
}

// ValidateSavedReply checks a reply before it is saved.
func ValidateSavedReply(r *SavedReply) error {
	r.Name = strings.TrimSpace(r.Name)
	r.Body = strings.TrimSpace(r.Body)
	switch {
	case r.Name == "":
		return FieldErrorf("name", "Give the reply a name.")
	case utf8.RuneCountInString(r.Name) > MaxReplyName:
		return FieldErrorf("name", "Keep the name under %d characters.", MaxReplyName)
	case r.Body == "":
		return FieldErrorf("body", "Write the reply's text.")
	case utf8.RuneCountInString(r.Body) > MaxReplyBody:
		return FieldErrorf("body", "Keep the text under %d characters.", MaxReplyBody)
	}
	if unknown := UnknownPlaceholders(r.Body); len(unknown) > 0 {
		return FieldErrorf("body", "Unknown placeholders: {%s}. Use any of {%s}.",
			strings.Join(unknown, "}, {"), strings.Join(Placeholders, "}, {"))
	}
	tags, err := ParseTagList(r.Tags)
	if err != nil {
		return err
	}
	r.Tags = strings.Join(tags, " ")
	return nil
}

// ReplyContext holds the values placeholders expand to. Dates show in Loc
// (the requester's time zone: their customer's), zero dates as "none".
type ReplyContext struct {
	RequesterName, RequesterEmail string
	TicketKey, TicketTitle        string
	TicketStatus, TicketPriority  string
	CustomerName, CustomerKey     string
	AgentName                     string
	Due                           time.Time
	FirstResponseDue              time.Time
	ResolutionDue                 time.Time
	Loc                           *time.Location
}

// ReplyDateLayout is how placeholders write dates: the zone's abbreviation
// tells the reader which clock it is.
const ReplyDateLayout = "Mon 2 Jan 2006 15:04 MST"

// ExpandReply fills body's placeholders from c; unknown ones stay as they are.
func ExpandReply(body string, c ReplyContext) string {
	loc := c.Loc
	if loc == nil {
		loc = time.UTC
	}
	date := func(t time.Time) string {
		if t.IsZero() {
			return "none"
		}
		return t.In(loc).Format(ReplyDateLayout)
	}
	values := map[string]string{
		"requester.name":         firstOf(c.RequesterName, c.RequesterEmail),
		"requester.first_name":   firstName(c.RequesterName, c.RequesterEmail),
		"requester.email":        c.RequesterEmail,
		"ticket.key":             c.TicketKey,
		"ticket.title":           c.TicketTitle,
		"ticket.status":          c.TicketStatus,
		"ticket.priority":        c.TicketPriority,
		"ticket.due":             date(c.Due),
		"customer.name":          c.CustomerName,
		"customer.key":           c.CustomerKey,
		"agent.name":             c.AgentName,
		"agent.first_name":       firstName(c.AgentName, ""),
		"sla.first_response_due": date(c.FirstResponseDue),
		"sla.resolution_due":     date(c.ResolutionDue),
	}
	return placeholderRE.ReplaceAllStringFunc(body, func(m string) string {
		if v, ok := values[m[1:len(m)-1]]; ok {
			return v
		}
		return m
	})
}

func firstOf(vals ...string) string {
	for _, v := range vals {
		if v = strings.TrimSpace(v); v != "" {
			return v
		}
	}
	return ""
}

// firstName is a name's first word, else the email's local part.
func firstName(name, email string) string {
	if f := strings.Fields(name); len(f) > 0 {
		return f[0]
	}
	local, _, _ := strings.Cut(email, "@")
	return local
}

// ReplyStore holds the saved replies.
type ReplyStore interface {
	// SaveReply creates (ID 0) or updates a reply; a name taken among the
	// replies the same people see is ECONFLICT.
	SaveReply(ctx context.Context, r *SavedReply) error
	DeleteReply(ctx context.Context, id int64) error
	// Reply reads one reply by id, or ENOTFOUND.
	SavedReply(ctx context.Context, id int64) (*SavedReply, error)
	// SavedReplies lists the shared replies and user's own, by name.
	SavedReplies(ctx context.Context, user string) ([]*SavedReply, error)
	// CountReplyUse adds one to a reply's use count.
	CountReplyUse(ctx context.Context, id int64) error
}
