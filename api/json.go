package api

import (
	"strings"
	"time"

	"github.com/deskbot/deskbot/commands"
	"github.com/deskbot/deskbot/domain"
)

// The API's resources, as openapi.json describes them. They are the
// contract: fields are added, never renamed.

type ticketJSON struct {
	Key         string            `json:"key"`
	Customer    string            `json:"customer"`
	Title       string            `json:"title"`
	Description string            `json:"description"`
	Type        string            `json:"type"`
	Status      string            `json:"status"`
	Priority    string            `json:"priority"`
	Severity    string            `json:"severity,omitempty"`
	Assignee    string            `json:"assignee,omitempty"`
	Requester   requesterJSON     `json:"requester"`
	Version     string            `json:"version,omitempty"`
	Fields      map[string]string `json:"fields"`
	Source      string            `json:"source"`
	CreatedBy   string            `json:"created_by"`
	CreatedAt   time.Time         `json:"created_at"`
	UpdatedAt   time.Time         `json:"updated_at"`
	FirstReply  *time.Time        `json:"first_response_at,omitempty"`
	ResolvedAt  *time.Time        `json:"resolved_at,omitempty"`
	ClosedAt    *time.Time        `json:"closed_at,omitempty"`
	SLADeadline *time.Time        `json:"sla_deadline_at,omitempty"`
	DueAt       *time.Time        `json:"due_at,omitempty"`
}

type requesterJSON struct {
	ID    string `json:"id,omitempty"`
	Email string `json:"email,omitempty"`
	Name  string `json:"name,omitempty"`
}

// customers maps customer ids to keys.
type customers map[int64]string

func newTicket(t *domain.Ticket, cs customers, a domain.Actor) ticketJSON {
	fields := map[string]string(t.Fields)
	if fields == nil {
		fields = map[string]string{}
	}
	customer := cs[t.CustomerID]
	if customer == "" {
		customer = t.CustomerKey
	}
	return ticketJSON{
		Key: t.Key(), Customer: customer, Title: t.Title, Description: t.Description, Type: t.Type,
		Status: t.Status, Priority: t.Priority, Severity: t.Severity, Assignee: t.AssigneeID,
		Requester: requesterJSON{ID: t.RequesterID, Email: t.RequesterEmail, Name: t.RequesterName},
		Version:   t.Version, Fields: fields, Source: t.Source, CreatedBy: t.CreatedBy,
		CreatedAt: t.CreatedAt, UpdatedAt: t.UpdatedAt, FirstReply: t.FirstResponseAt,
		ResolvedAt: t.ResolvedAt, ClosedAt: t.ClosedAt, SLADeadline: t.SLADeadline, DueAt: dueOf(t, a),
	}
}

// dueOf is a due date the reader may see: a customer's token sees it only
// when it was made public.
func dueOf(t *domain.Ticket, a domain.Actor) *time.Time {
	if a.IsAgent() || t.DuePublic {
		return t.DueAt
	}
	return nil
}

type ticketPage struct {
	Tickets    []ticketJSON         `json:"tickets"`
	Total      int                  `json:"total"`
	Query      string               `json:"query"`
	NextCursor string               `json:"next_cursor,omitempty"`
	Matches    map[string]matchJSON `json:"matches,omitempty"`
}

// matchJSON is a text search's matching passage: plain text and the
// matched words as [start, end) offsets in code points.
type matchJSON struct {
	Text       string   `json:"text"`
	Highlights [][2]int `json:"highlights"`
}

// newMatch reads a snippet's markers (domain.HitStart, HitEnd) into offsets.
func newMatch(snippet string) matchJSON {
	m := matchJSON{Highlights: [][2]int{}}
	var b strings.Builder
	n, start := 0, -1
	for _, r := range snippet {
		switch string(r) {
		case domain.HitStart:
			start = n
		case domain.HitEnd:
			if start >= 0 && n > start {
				m.Highlights = append(m.Highlights, [2]int{start, n})
			}
			start = -1
		default:
			b.WriteRune(r)
			n++
		}
	}
	m.Text = b.String()
	return m
}

type commentJSON struct {
	ID        int64     `json:"id"`
	Author    string    `json:"author"`
	Role      string    `json:"role"`
	Body      string    `json:"body"`
	Public    bool      `json:"public"`
	Channel   string    `json:"channel"`
	CreatedAt time.Time `json:"created_at"`
}

func newComment(c *domain.Comment) commentJSON {
	author := c.AuthorID
	if author == "" {
		author = c.AuthorEmail
	}
	return commentJSON{ID: c.ID, Author: author, Role: c.AuthorRole, Body: c.Body, Public: c.Public, Channel: c.Channel, CreatedAt: c.CreatedAt}
}

type timeJSON struct {
	ID        int64      `json:"id"`
	User      string     `json:"user"`
	StartedAt time.Time  `json:"started_at"`
	EndedAt   *time.Time `json:"ended_at,omitempty"`
	Seconds   int64      `json:"seconds"`
	Billable  bool       `json:"billable"`
	Note      string     `json:"note"`
	Source    string     `json:"source"`
}

func newTime(e *domain.TimeEntry) timeJSON {
	return timeJSON{ID: e.ID, User: e.UserID, StartedAt: e.StartedAt, EndedAt: e.EndedAt, Seconds: e.Seconds,
		Billable: e.Billable, Note: e.Note, Source: e.Source}
}

type customerJSON struct {
	Key            string    `json:"key"`
	Name           string    `json:"name"`
	Tier           string    `json:"tier,omitempty"`
	SLAPolicy      string    `json:"sla_policy,omitempty"`
	TimeZone       string    `json:"time_zone,omitempty"`
	CurrentVersion string    `json:"current_version,omitempty"`
	Domains        []string  `json:"email_domains"`
	CreatedAt      time.Time `json:"created_at"`
	OpenTickets    *int      `json:"open_tickets,omitempty"`
}

func newCustomer(p *domain.Customer) customerJSON {
	ds := p.Domains()
	if ds == nil {
		ds = []string{}
	}
	return customerJSON{Key: p.Key, Name: p.Name, Tier: p.Tier, SLAPolicy: p.SLAPolicy, TimeZone: p.TimeZone,
		CurrentVersion: p.CurrentVersion, Domains: ds, CreatedAt: p.CreatedAt}
}

type releaseReportJSON struct {
	Version  string            `json:"version"`
	New      bool              `json:"new"`
	Resolved []string          `json:"resolved"`
	Already  []string          `json:"already_done"`
	Refused  map[string]string `json:"refused"`
}

func newReleaseReport(r *commands.ReleaseReport) releaseReportJSON {
	nonNil := func(s []string) []string {
		if s == nil {
			return []string{}
		}
		return s
	}
	return releaseReportJSON{Version: r.Version, New: r.New, Resolved: nonNil(r.Resolved), Already: nonNil(r.Already), Refused: r.Refused}
}
