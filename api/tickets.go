package api

import (
	"net/http"
	"regexp"
	"strconv"

	"github.com/deskbot/deskbot/commands"
	"github.com/deskbot/deskbot/domain"
	"github.com/deskbot/deskbot/domain/textclean"
)

// Page sizes of GET /tickets.
const (
	defaultPage = 50
	maxPage     = 200
)

// listTickets runs the query language of /ticket list (q=), a page at a
// time: the first page from q and limit, the next ones from cursor alone.
func (s *Server) listTickets(w http.ResponseWriter, r *http.Request) {
	v := r.URL.Query()
	c := cursor{Query: textclean.Visible(v.Get("q")), Size: defaultPage}
	if raw := v.Get("cursor"); raw != "" {
		var ok bool
		if c, ok = decodeCursor(raw); !ok {
			problem(w, http.StatusBadRequest, "The cursor is not one this API returned.", "cursor")
			return
		}
		if v.Has("q") || v.Has("limit") {
			problem(w, http.StatusBadRequest, "A cursor carries its query and page size: send it alone.", "cursor")
			return
		}
	} else if l := v.Get("limit"); l != "" {
		n, err := strconv.Atoi(l)
		if err != nil || n < 1 || n > maxPage {
			problem(w, http.StatusBadRequest, "limit is a number from 1 to 200.", "limit")
			return
		}
		c.Size = n
	}
	a := actor(r)
	res, err := s.svc.QueryTicketsPage(r.Context(), a, c.Query, c.Page, c.Size)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	out := ticketPage{Tickets: []ticketJSON{}, Total: res.Total, Query: res.Query}
	if res.Page != c.Page {
		// The result shrank under the cursor: there is nothing after it.
		reply(w, http.StatusOK, out)
		return
	}
	cs, err := s.customers(r, a)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	for _, t := range res.Tickets {
		out.Tickets = append(out.Tickets, newTicket(t, cs, a))
		if sn := res.Snippets[t.ID]; sn != "" {
			if out.Matches == nil {
				out.Matches = map[string]matchJSON{}
			}
			out.Matches[t.Key()] = newMatch(sn)
		}
	}
	if (c.Page+1)*res.PageSize < res.Total && len(res.Tickets) == res.PageSize {
		out.NextCursor = cursor{Query: c.Query, Size: c.Size, Page: c.Page + 1}.encode()
	}
	reply(w, http.StatusOK, out)
}

// customers maps the customers the actor sees, for tickets' customer keys.
func (s *Server) customers(r *http.Request, a domain.Actor) (customers, error) {
	ps, err := s.svc.Customers(r.Context(), a)
	if err != nil {
		return nil, err
	}
	cs := make(customers, len(ps))
	for _, p := range ps {
		cs[p.ID] = p.Key
	}
	return cs, nil
}

func (s *Server) getTicket(w http.ResponseWriter, r *http.Request) {
	a := actor(r)
	t, err := s.svc.Ticket(r.Context(), a, r.PathValue("key"))
	s.ticket(w, r, a, http.StatusOK, t, err)
}

// ticket answers with one ticket, or the error that came instead.
func (s *Server) ticket(w http.ResponseWriter, r *http.Request, a domain.Actor, status int, t *domain.Ticket, err error) {
	if err != nil {
		s.fail(w, r, err)
		return
	}
	cs, err := s.customers(r, a)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	reply(w, status, newTicket(t, cs, a))
}

type createTicketIn struct {
	Customer    string            `json:"customer"`
	Title       string            `json:"title"`
	Description string            `json:"description"`
	Type        string            `json:"type"`
	Priority    string            `json:"priority"`
	Severity    string            `json:"severity"`
	Assignee    string            `json:"assignee"`
	Version     string            `json:"version"`
	Fields      map[string]string `json:"fields"`
	Requester   requesterJSON     `json:"requester"`
	// IdempotencyKey makes a retried create return the first ticket.
	IdempotencyKey string `json:"idempotency_key"`
}

// createTicket opens a ticket as /ticket does (CreateTicket).
func (s *Server) createTicket(w http.ResponseWriter, r *http.Request) {
	var in createTicketIn
	if !decode(w, r, &in) || badAssignee(w, in.Assignee) {
		return
	}
	a := actor(r)
	ti := commands.TicketInput{
		CustomerKey: in.Customer, Title: in.Title, Description: in.Description, Type: in.Type,
		Priority: in.Priority, Severity: in.Severity, AssigneeID: in.Assignee, Version: in.Version,
		Fields: in.Fields, Source: domain.SourceAPI,
		RequesterID: in.Requester.ID, RequesterEmail: in.Requester.Email, RequesterName: in.Requester.Name,
	}
	if in.IdempotencyKey != "" {
		// Per token: two systems may pick the same key.
		ti.DedupID = a.UserID + ":" + in.IdempotencyKey
	}
	t, err := s.svc.CreateTicket(r.Context(), a, ti)
	status := http.StatusCreated
	if commands.IsDuplicate(err) && t != nil {
		// A retry: the ticket the first call made.
		status, err = http.StatusOK, nil
	}
	if err == nil {
		w.Header().Set("Location", Prefix+"/tickets/"+t.Key())
	}
	s.ticket(w, r, a, status, t, err)
}

type updateTicketIn struct {
	Type     *string           `json:"type"`
	Fields   map[string]string `json:"fields"`
	Priority *string           `json:"priority"`
	Assignee *string           `json:"assignee"`
	Status   *string           `json:"status"`
}

// updateTicket applies each part of the body through its own use case,
// as the card's controls do: type and fields, priority, assignee, then
// status last, since a workflow step may need the fields just set. Each
// part commits on its own; the first refusal stops the rest and is the
// answer, what went before it stays.
func (s *Server) updateTicket(w http.ResponseWriter, r *http.Request) {
	var in updateTicketIn
	if !decode(w, r, &in) || badAssignee(w, deref(in.Assignee)) {
		return
	}
	a, key := actor(r), r.PathValue("key")
	ctx := r.Context()
	var t *domain.Ticket
	var err error
	steps := []func() (*domain.Ticket, error){}
	if in.Type != nil || len(in.Fields) > 0 {
		steps = append(steps, func() (*domain.Ticket, error) {
			return s.svc.SetFields(ctx, a, key, commands.EditInput{Type: deref(in.Type), Fields: in.Fields})
		})
	}
	if in.Priority != nil {
		steps = append(steps, func() (*domain.Ticket, error) { return s.svc.SetPriority(ctx, a, key, *in.Priority) })
	}
	if in.Assignee != nil {
		steps = append(steps, func() (*domain.Ticket, error) { return s.svc.Assign(ctx, a, key, *in.Assignee) })
	}
	if in.Status != nil {
		steps = append(steps, func() (*domain.Ticket, error) { return s.svc.ChangeStatus(ctx, a, key, *in.Status) })
	}
	if len(steps) == 0 {
		problem(w, http.StatusUnprocessableEntity, "Say what to change: type, fields, priority, assignee or status.", "")
		return
	}
	for _, step := range steps {
		if t, err = step(); err != nil {
			break
		}
	}
	s.ticket(w, r, a, http.StatusOK, t, err)
}

// slackUser is what an assignee must look like: the API has no user
// picker, so a typo must not become an assignee nobody is.
var slackUser = regexp.MustCompile(`^[UW][A-Z0-9]{2,}$`)

func badAssignee(w http.ResponseWriter, id string) bool {
	if id == "" || slackUser.MatchString(id) {
		return false
	}
	problem(w, http.StatusUnprocessableEntity, "An assignee is a Slack user ID like U0123ABCD (\"\" unassigns).", "assignee")
	return true
}

func deref(s *string) string {
	if s == nil {
		return ""
	}
	return *s
}
