package commands

import (
	"context"
	"errors"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/deskbot/deskbot/domain"
	"github.com/deskbot/deskbot/domain/query"
)

// ViewResult is one page of a query's result, with what each layout needs.
type ViewResult struct {
	Query  string // canonical text of what ran, relative parts kept ("me", "2d")
	Layout string // list, cards, tree, calendar, timeline
	Group  string // "" when not grouped
	View   *domain.SavedView

	Tickets  []*domain.Ticket
	Total    int                // over all pages (capped by limit:)
	Groups   []domain.ViewGroup // counts per group over all pages
	Page     int                // 0-based
	PageSize int
	Blocked  map[int64]bool
	Breached map[int64]bool
	// Snippets: a text search's matching line per ticket, the matched
	// words between domain.HitStart and domain.HitEnd.
	Snippets map[int64]string

	// Tree and timeline: the links touching the page's tickets, and the
	// tickets at their other ends that are not on the page.
	Links   []*domain.Link
	Related map[int64]*domain.Ticket

	Now      time.Time
	Loc      *time.Location
	From, To time.Time // calendar: the days shown, [From, To)

	// Customer: read in a customer's scope (the reader is a customer, or
	// it is posted where one reads): transports show the customer's face,
	// and due dates we keep to ourselves are already left out.
	Customer bool
}

// forCustomer marks r as read by a customer and leaves out what they may
// not read on its tickets: due dates not made public.
func (r *ViewResult) forCustomer() {
	r.Customer = true
	hide := func(t *domain.Ticket) *domain.Ticket {
		if t.DueAt == nil || t.DuePublic {
			return t
		}
		c := t.Clone()
		c.DueAt = nil
		return c
	}
	for i, t := range r.Tickets {
		r.Tickets[i] = hide(t)
	}
	for id, t := range r.Related {
		r.Related[id] = hide(t)
	}
}

// Pages is how many pages the result has.
func (r *ViewResult) Pages() int {
	if r.PageSize <= 0 || r.Total == 0 {
		return 1
	}
	return (r.Total + r.PageSize - 1) / r.PageSize
}

// Page sizes per layout: what fits a Slack message (50 blocks) readably.
var layoutPage = map[string]int{"list": 25, "cards": 10, "tree": 100, "calendar": 500, "timeline": 60}

// QueryTickets runs a query typed by the actor (the query language, with
// the old `/ticket list` words as aliases: mine, unassigned, all, closed,
// open, #customer, !priority, a bare customer key). Open tickets only
// unless the query says which statuses (or "all"). Customers see their
// own company's tickets only. page is 0-based. Dates resolve in UTC.
func (s *Service) QueryTickets(ctx context.Context, a domain.Actor, q string, page int) (*ViewResult, error) {
	return s.QueryTicketsIn(ctx, a, q, page, time.UTC)
}

// QueryTicketsIn is QueryTickets with days counted in the actor's zone.
func (s *Service) QueryTicketsIn(ctx context.Context, a domain.Actor, q string, page int, loc *time.Location) (*ViewResult, error) {
	var r *ViewResult
	err := s.view(ctx, a, func(tx domain.Tx) error {
		parsed, err := s.parseList(ctx, tx, q)
		if err != nil {
			return err
		}
		r, err = s.runQuery(ctx, tx, a, parsed, page, loc, 0)
		return err
	})
	return r, err
}

// parseList expands the aliases and parses, adding the default status filter.
func (s *Service) parseList(ctx context.Context, tx domain.CustomerStore, text string) (*query.Query, error) {
	cfg := s.Config()
	customers, err := tx.Customers(ctx)
	if err != nil {
		return nil, err
	}
	expanded, all := s.expandAliases(text, customers)
	q, err := query.Parse(expanded, vocabulary(cfg, customers))
	if err != nil {
		return nil, queryError(expanded, err)
	}
	if !all && !hasFilter(q, "status", "resolved", "key") {
		q.Filters = append(q.Filters, query.Filter{Field: "status", Op: query.Eq, Values: s.OpenStatuses()})
	}
	return q, nil
}

func hasFilter(q *query.Query, fields ...string) bool {
	for _, f := range q.Filters {
		for _, name := range fields {
			if f.Field == name {
				return true
			}
		}
	}
	return false
}

func vocabulary(cfg *domain.Config, customers []*domain.Customer) *query.Vocabulary {
	v := &query.Vocabulary{Priorities: cfg.Priorities, Severities: cfg.Severities}
	for _, st := range cfg.Statuses {
		v.Statuses = append(v.Statuses, st.Name)
	}
	for _, t := range cfg.Types {
		v.Types = append(v.Types, t.Name)
	}
	for _, f := range cfg.Fields {
		v.Fields = append(v.Fields, f.Name)
	}
	v.Customers = []string{}
	for _, p := range customers {
		v.Customers = append(v.Customers, p.Key)
	}
	return v
}

// queryError turns a parse error into a user-facing one that shows the
// query with the faulty word underlined.
func queryError(text string, err error) error {
	var qe *query.Error
	if !errors.As(err, &qe) {
		return err
	}
	msg := strings.ToUpper(qe.Msg[:1]) + qe.Msg[1:]
	if qe.Suggestion != "" {
		msg += ": did you mean `" + qe.Suggestion + "`?"
	}
	if qe.Hint != "" {
		msg += " (" + qe.Hint + ")"
	}
	pos, end := min(max(qe.Pos, 0), len(text)), min(max(qe.End, qe.Pos+1), len(text))
	col := utf8.RuneCountInString(text[:pos])
	width := max(utf8.RuneCountInString(text[pos:max(end, pos)]), 1)
	msg += "\n```" + text + "\n" + strings.Repeat(" ", col) + strings.Repeat("^", width) + "```"
	return domain.FieldErrorf("query", "%s", msg)
}

// runQuery resolves and runs a parsed query for the actor, in tx, a page
// of pageSize tickets (0: the layout's).
func (s *Service) runQuery(ctx context.Context, tx domain.Tx, a domain.Actor, q *query.Query, page int, loc *time.Location, pageSize int) (*ViewResult, error) {
	if loc == nil {
		loc = time.UTC
	}
	now := tx.Now()
	res, err := q.Resolve(query.Env{Now: now, Loc: loc, Me: a.UserID})
	if err != nil {
		return nil, queryError(q.String(), err)
	}
	r := &ViewResult{Query: q.String(), Layout: res.Layout, Group: res.Group, Now: now, Loc: loc, PageSize: layoutPage[res.Layout]}
	if r.PageSize == 0 {
		r.Layout, r.PageSize = "list", layoutPage["list"]
	}
	if pageSize > 0 {
		r.PageSize = pageSize
	}
	if res.Limit > 0 {
		r.PageSize = min(r.PageSize, res.Limit)
	}
	vq := s.viewQuery(res, now)
	if !a.IsAgent() {
		if a.CustomerID == 0 {
			r.Customer = true
			return r, nil
		}
		vq.CustomerID = a.CustomerID
	}
	switch r.Layout {
	case "calendar":
		r.From, r.To = calendarSpan(res, now, loc)
		res.Conds = append(res.Conds, query.Cond{Field: "due", Op: query.Range, From: r.From, To: r.To})
		if len(res.Sort) == 0 {
			res.Sort = []query.SortKey{{Field: "due"}}
		}
		page = 0
	case "timeline":
		if len(res.Sort) == 0 {
			res.Sort = []query.SortKey{{Field: "created"}}
		}
	}
	vq.Limit = r.PageSize
	for {
		r.Page = max(page, 0)
		vq.Offset = r.Page * r.PageSize
		p, err := tx.QueryTickets(ctx, vq)
		if err != nil {
			return nil, err
		}
		r.Tickets, r.Total, r.Groups, r.Blocked, r.Breached = p.Tickets, p.Total, p.Groups, p.Blocked, p.Breached
		r.Snippets = p.Snippets
		if res.Limit > 0 && r.Total > res.Limit {
			r.Total = res.Limit
			if over := vq.Offset + len(r.Tickets) - res.Limit; over > 0 {
				r.Tickets = r.Tickets[:len(r.Tickets)-over]
			}
		}
		// A page past the end (the result shrank since the link was
		// made) shows the last page instead of nothing.
		if len(r.Tickets) > 0 || r.Page == 0 || r.Total == 0 {
			break
		}
		page = r.Pages() - 1
	}
	if r.Layout == "tree" || r.Layout == "timeline" {
		if err := related(ctx, tx, r); err != nil {
			return nil, err
		}
	}
	if !a.IsAgent() {
		r.forCustomer()
	}
	return r, nil
}

func (s *Service) viewQuery(res *query.Resolved, now time.Time) *domain.ViewQuery {
	cfg := s.Config()
	vq := &domain.ViewQuery{Q: res, Now: now, Priorities: cfg.Priorities, NoCustomerKey: TriageKey}
	for _, st := range cfg.Statuses {
		vq.Statuses = append(vq.Statuses, st.Name)
		if st.Done() {
			vq.DoneStatuses = append(vq.DoneStatuses, st.Name)
		}
		if st.PausesSLA {
			vq.PausedStatuses = append(vq.PausedStatuses, st.Name)
		}
	}
	return vq
}

// calendarSpan is the due range the query names when it is bounded and
// at most six weeks long (due:this-month), else this week, Monday first.
func calendarSpan(res *query.Resolved, now time.Time, loc *time.Location) (time.Time, time.Time) {
	for _, c := range res.Conds {
		if c.Field == "due" && c.Op == query.Range && !c.Negate && !c.From.IsZero() && !c.To.IsZero() && c.To.Sub(c.From) <= 42*24*time.Hour {
			return c.From, c.To
		}
	}
	local := now.In(loc)
	y, m, d := local.Date()
	mon := d - (int(local.Weekday())+6)%7
	return time.Date(y, m, mon, 0, 0, 0, 0, loc).UTC(), time.Date(y, m, mon+7, 0, 0, 0, 0, loc).UTC()
}

// related loads the links of the page's tickets and the tickets at their
// other ends (children, blockers) that the page lacks.
func related(ctx context.Context, tx domain.ViewStore, r *ViewResult) error {
	ids := make([]int64, len(r.Tickets))
	onPage := map[int64]bool{}
	for i, t := range r.Tickets {
		ids[i], onPage[t.ID] = t.ID, true
	}
	links, err := tx.TicketLinks(ctx, ids)
	if err != nil {
		return err
	}
	r.Links = links
	var missing []int64
	seen := map[int64]bool{}
	for _, l := range links {
		for _, id := range []int64{l.FromID, l.ToID} {
			if !onPage[id] && !seen[id] {
				seen[id] = true
				missing = append(missing, id)
			}
		}
	}
	others, err := tx.TicketsByID(ctx, missing)
	if err != nil {
		return err
	}
	r.Related = map[int64]*domain.Ticket{}
	for _, t := range others {
		r.Related[t.ID] = t
	}
	return nil
}

// GroupKey is the value a ticket is grouped under, as storage counts it.
func GroupKey(t *domain.Ticket, group string) string {
	switch group {
	case "assignee":
		return t.AssigneeID
	case "customer":
		return t.CustomerKey
	case "status":
		return t.Status
	case "priority":
		return t.Priority
	case "version":
		return t.Version
	case "type":
		return t.Type
	}
	return ""
}
