package backup

import (
	"cmp"
	"encoding/json"
	"fmt"
	"net/mail"
	"sort"
	"strings"
)

// Zammad reads a Zammad export: one JSON object holding the bodies of its
// REST API's lists, as docs.zammad.org documents them —
//
//	{"organizations":   GET /api/v1/organizations,
//	 "users":           GET /api/v1/users,
//	 "tickets":         GET /api/v1/tickets?expand=true,
//	 "ticket_articles": GET /api/v1/ticket_articles/by_ticket/ID, every ticket's, in one list}
//
// Organizations become customers; a ticket without one goes to the
// customer of its requester's email domain. The first article is the
// description, the others comments (internal ones as internal notes).
func Zammad(data []byte) (*Foreign, error) {
	f := &Foreign{Source: "zammad"}
	var orgs []zammadOrg
	var users []zammadUser
	if err := decodeList(data, "organizations", &orgs, false); err != nil {
		return nil, err
	}
	if err := decodeList(data, "users", &users, false); err != nil {
		return nil, err
	}
	tickets, found, err := arrayAt(data, "tickets")
	if err != nil {
		return nil, fmt.Errorf("zammad: tickets: %w", err)
	}
	if !found {
		return nil, fmt.Errorf(`zammad: no "tickets" list: the file is one JSON object {"organizations":[…],"users":[…],"tickets":[…],"ticket_articles":[…]} (see docs/export-format.md)`)
	}
	z := zammad{f: f, orgs: map[int64]zammadOrg{}, users: map[int64]zammadUser{}, byID: map[int64]*ForeignTicket{}, out: map[int64]bool{}}
	for _, o := range orgs {
		z.orgs[o.ID] = o
	}
	for _, u := range users {
		z.users[u.ID] = u
	}
	for _, it := range tickets {
		z.ticket(it)
	}
	articles, _, err := arrayAt(data, "ticket_articles")
	if err != nil {
		return nil, fmt.Errorf("zammad: ticket_articles: %w", err)
	}
	z.articles(articles)
	return f, nil
}

type zammad struct {
	f     *Foreign
	orgs  map[int64]zammadOrg
	users map[int64]zammadUser
	byID  map[int64]*ForeignTicket
	// out are tickets left out (ignored or a problem): their articles
	// need no second word.
	out map[int64]bool
}

type zammadOrg struct {
	ID     int64  `json:"id"`
	Name   string `json:"name"`
	Domain string `json:"domain"`
}

type zammadUser struct {
	ID        int64  `json:"id"`
	Login     string `json:"login"`
	Firstname string `json:"firstname"`
	Lastname  string `json:"lastname"`
	Email     string `json:"email"`
	OrgID     int64  `json:"organization_id"`
}

func (u zammadUser) name() string { return strings.TrimSpace(u.Firstname + " " + u.Lastname) }

type zammadTicket struct {
	ID         int64      `json:"id"`
	Number     flexString `json:"number"`
	Title      string     `json:"title"`
	State      string     `json:"state"`
	StateID    int64      `json:"state_id"`
	Priority   string     `json:"priority"`
	PriorityID int64      `json:"priority_id"`
	Type       string     `json:"type"`
	OrgID      int64      `json:"organization_id"`
	CustomerID int64      `json:"customer_id"`
	Customer   string     `json:"customer"` // with expand=true: the login
	CreatedAt  string     `json:"created_at"`
	UpdatedAt  string     `json:"updated_at"`
	CloseAt    string     `json:"close_at"`
}

// Zammad's default states and priorities by id, for lists fetched without
// expand=true.
var (
	zammadStates     = map[int64]string{1: "new", 2: "open", 3: "pending reminder", 4: "closed", 5: "merged", 6: "removed", 7: "pending close"}
	zammadPriorities = map[int64]string{1: "1 low", 2: "2 normal", 3: "3 high"}
)

func (z *zammad) ticket(it item) {
	n := len(z.f.Problems) + len(z.f.Ignored)
	var zt zammadTicket
	defer func() {
		if len(z.f.Problems)+len(z.f.Ignored) > n {
			z.out[zt.ID] = true
		}
	}()
	if err := json.Unmarshal(it.Raw, &zt); err != nil {
		z.f.problem(it.Line, "", "not a Zammad ticket: %v", err)
		return
	}
	ref := "zammad:" + cmp.Or(string(zt.Number), fmt.Sprint(zt.ID))
	state := cmp.Or(zt.State, zammadStates[zt.StateID])
	if state == "removed" {
		z.f.ignore(it.Line, ref, "removed in Zammad")
		return
	}
	if strings.TrimSpace(zt.Title) == "" {
		z.f.problem(it.Line, ref, "no title")
		return
	}
	t := &ForeignTicket{Line: it.Line, Ref: ref, Title: strings.TrimSpace(zt.Title), Status: state,
		Priority: cmp.Or(zt.Priority, zammadPriorities[zt.PriorityID]), Type: zt.Type}
	u, known := z.users[zt.CustomerID]
	if !known && zt.Customer != "" {
		u = zammadUser{Login: zt.Customer, Email: zt.Customer}
	}
	t.RequesterEmail, t.RequesterName = strings.ToLower(cmp.Or(u.Email, emailOf(u.Login))), u.name()
	var err error
	if t.CreatedAt, err = foreignTime(zt.CreatedAt); err != nil {
		z.f.problem(it.Line, ref, "created_at: %v", err)
		return
	}
	t.UpdatedAt = t.CreatedAt
	if zt.UpdatedAt != "" {
		if t.UpdatedAt, err = foreignTime(zt.UpdatedAt); err != nil {
			z.f.problem(it.Line, ref, "updated_at: %v", err)
			return
		}
	}
	if zt.CloseAt != "" {
		c, err := foreignTime(zt.CloseAt)
		if err != nil {
			z.f.problem(it.Line, ref, "close_at: %v", err)
			return
		}
		t.ClosedAt = &c
	}
	orgID := cmp.Or(zt.OrgID, u.OrgID)
	if o, ok := z.orgs[orgID]; ok && strings.TrimSpace(o.Name) != "" {
		var doms []string
		if o.Domain != "" {
			doms = []string{strings.ToLower(o.Domain)}
		}
		t.CustomerRef = z.f.customer(fmt.Sprintf("zammad-org:%d", o.ID), "", strings.TrimSpace(o.Name), doms...).Ref
	} else if c, ok := z.f.domainCustomer(t.RequesterEmail); ok {
		t.CustomerRef = c.Ref
	} else {
		z.f.problem(it.Line, ref, "no organization, and the customer (user %d) has no email address to tell the customer by", zt.CustomerID)
		return
	}
	z.f.Tickets = append(z.f.Tickets, t)
	z.byID[zt.ID] = t
}

type zammadArticle struct {
	ID          int64  `json:"id"`
	TicketID    int64  `json:"ticket_id"`
	From        string `json:"from"`
	Sender      string `json:"sender"`
	Type        string `json:"type"`
	Internal    bool   `json:"internal"`
	ContentType string `json:"content_type"`
	Body        string `json:"body"`
	CreatedByID int64  `json:"created_by_id"`
	CreatedAt   string `json:"created_at"`
}

func (z *zammad) articles(items []item) {
	type art struct {
		ForeignComment
		id int64
	}
	byTicket := map[*ForeignTicket][]art{}
	for _, it := range items {
		var a zammadArticle
		if err := json.Unmarshal(it.Raw, &a); err != nil {
			z.f.problem(it.Line, "", "not a Zammad article: %v", err)
			continue
		}
		ref := fmt.Sprintf("article %d", a.ID)
		t, ok := z.byID[a.TicketID]
		if !ok {
			if !z.out[a.TicketID] {
				z.f.problem(it.Line, ref, "ticket %d is not in the tickets list", a.TicketID)
			}
			continue
		}
		at, err := foreignTime(a.CreatedAt)
		if err != nil {
			z.f.problem(it.Line, ref, "created_at: %v", err)
			continue
		}
		body := a.Body
		if strings.Contains(strings.ToLower(a.ContentType), "html") {
			body = htmlText(body)
		}
		c := ForeignComment{Body: strings.TrimSpace(body), Public: !a.Internal, CreatedAt: at, Channel: "cli",
			Role: map[string]string{"customer": "customer", "agent": "agent"}[strings.ToLower(a.Sender)]}
		if c.Role == "" {
			c.Role = "system"
		}
		if a.Type == "email" {
			c.Channel = "email"
		}
		if addr, err := mail.ParseAddress(a.From); err == nil {
			c.AuthorEmail, c.AuthorName = strings.ToLower(addr.Address), addr.Name
		} else if u, ok := z.users[a.CreatedByID]; ok {
			c.AuthorEmail, c.AuthorName = strings.ToLower(u.Email), u.name()
		} else {
			c.AuthorName = strings.TrimSpace(a.From)
		}
		byTicket[t] = append(byTicket[t], art{c, a.ID})
	}
	for t, arts := range byTicket {
		sort.SliceStable(arts, func(i, j int) bool {
			if !arts[i].CreatedAt.Equal(arts[j].CreatedAt) {
				return arts[i].CreatedAt.Before(arts[j].CreatedAt)
			}
			return arts[i].id < arts[j].id
		})
		for i, a := range arts {
			if i == 0 && a.Public {
				t.Description = a.Body
				continue
			}
			if a.Body == "" {
				continue // attachments only, or an empty system note
			}
			t.Comments = append(t.Comments, a.ForeignComment)
		}
	}
}

// decodeList reads an optional top-level list.
func decodeList(data []byte, key string, into any, required bool) error {
	items, found, err := arrayAt(data, key)
	if err != nil {
		return fmt.Errorf("%s: %w", key, err)
	}
	if !found && required {
		return fmt.Errorf("no %q list", key)
	}
	raws := make([]json.RawMessage, len(items))
	for i, it := range items {
		raws[i] = it.Raw
	}
	b, _ := json.Marshal(raws)
	if err := json.Unmarshal(b, into); err != nil {
		return fmt.Errorf("%s: %v", key, err)
	}
	return nil
}

// flexString reads a JSON string or number as text: Zammad's ticket
// numbers are strings, some tools write them as numbers.
type flexString string

func (s *flexString) UnmarshalJSON(b []byte) error {
	var v any
	if err := json.Unmarshal(b, &v); err != nil {
		return err
	}
	switch x := v.(type) {
	case string:
		*s = flexString(x)
	case float64:
		*s = flexString(fmt.Sprint(int64(x)))
	case nil:
	default:
		return fmt.Errorf("want a string or number, not %T", v)
	}
	return nil
}

func emailOf(login string) string {
	if strings.Contains(login, "@") {
		return login
	}
	return ""
}
