package backup

import (
	"bytes"
	"cmp"
	"encoding/json"
	"fmt"
	"sort"
	"strings"
)

// FreeScout reads a FreeScout export: the body of its API's
// GET /api/conversations?embed=threads (api-docs.freescout.net), one
// page {"_embedded":{"conversations":[…]}}, or a list of conversations
// (pages joined: jq '[.[]._embedded.conversations[]]'). FreeScout has no
// organisations: a conversation's customer is deskbot's customer of the
// requester's email domain. The first customer thread is the
// description; replies and notes are comments (notes internal).
func FreeScout(data []byte) (*Foreign, error) {
	f := &Foreign{Source: "freescout"}
	var items []item
	var err error
	if t := bytes.TrimSpace(data); len(t) > 0 && t[0] == '[' {
		items, _, err = arrayAt(data)
	} else {
		var found bool
		items, found, err = arrayAt(data, "_embedded", "conversations")
		if err == nil && !found {
			err = fmt.Errorf(`no "_embedded"."conversations" list: the file is the body of GET /api/conversations?embed=threads, or a list of conversations`)
		}
	}
	if err != nil {
		return nil, fmt.Errorf("freescout: %w", err)
	}
	for _, it := range items {
		freescoutConversation(f, it)
	}
	return f, nil
}

type freescoutPerson struct {
	ID        int64  `json:"id"`
	Type      string `json:"type"`
	FirstName string `json:"firstName"`
	LastName  string `json:"lastName"`
	Email     string `json:"email"`
}

func (p freescoutPerson) name() string { return strings.TrimSpace(p.FirstName + " " + p.LastName) }

type freescoutConv struct {
	ID        int64           `json:"id"`
	Number    flexString      `json:"number"`
	Type      string          `json:"type"`
	Status    string          `json:"status"`
	State     string          `json:"state"`
	Subject   string          `json:"subject"`
	Customer  freescoutPerson `json:"customer"`
	CreatedAt string          `json:"createdAt"`
	UpdatedAt string          `json:"updatedAt"`
	ClosedAt  string          `json:"closedAt"`
	Embedded  struct {
		Threads []freescoutThread `json:"threads"`
	} `json:"_embedded"`
}

type freescoutThread struct {
	ID        int64           `json:"id"`
	Type      string          `json:"type"`
	State     string          `json:"state"`
	Body      string          `json:"body"`
	CreatedBy freescoutPerson `json:"createdBy"`
	CreatedAt string          `json:"createdAt"`
}

func freescoutConversation(f *Foreign, it item) {
	var c freescoutConv
	if err := json.Unmarshal(it.Raw, &c); err != nil {
		f.problem(it.Line, "", "not a FreeScout conversation: %v", err)
		return
	}
	ref := "freescout:" + cmp.Or(string(c.Number), fmt.Sprint(c.ID))
	switch {
	case c.State == "draft" || c.State == "deleted":
		f.ignore(it.Line, ref, "a %s conversation", c.State)
		return
	case c.Status == "spam":
		f.ignore(it.Line, ref, "spam")
		return
	case strings.TrimSpace(c.Subject) == "":
		f.problem(it.Line, ref, "no subject")
		return
	}
	t := &ForeignTicket{Line: it.Line, Ref: ref, Title: strings.TrimSpace(c.Subject), Status: c.Status,
		RequesterEmail: strings.ToLower(strings.TrimSpace(c.Customer.Email)), RequesterName: c.Customer.name()}
	var err error
	if t.CreatedAt, err = foreignTime(c.CreatedAt); err != nil {
		f.problem(it.Line, ref, "createdAt: %v", err)
		return
	}
	t.UpdatedAt = t.CreatedAt
	if c.UpdatedAt != "" {
		if t.UpdatedAt, err = foreignTime(c.UpdatedAt); err != nil {
			f.problem(it.Line, ref, "updatedAt: %v", err)
			return
		}
	}
	if c.ClosedAt != "" {
		at, err := foreignTime(c.ClosedAt)
		if err != nil {
			f.problem(it.Line, ref, "closedAt: %v", err)
			return
		}
		t.ClosedAt = &at
	}
	cust, ok := f.domainCustomer(t.RequesterEmail)
	if !ok {
		f.problem(it.Line, ref, "the customer has no email address to tell the customer by")
		return
	}
	t.CustomerRef = cust.Ref
	if reason := freescoutThreads(t, c); reason != "" {
		f.problem(it.Line, ref, "%s", reason)
		return
	}
	f.Tickets = append(f.Tickets, t)
}

// freescoutThreads adds the conversation's messages, oldest first
// (FreeScout lists them newest first).
func freescoutThreads(t *ForeignTicket, c freescoutConv) string {
	threads := c.Embedded.Threads
	type msg struct {
		ForeignComment
		id int64
	}
	var msgs []msg
	for _, th := range threads {
		role := map[string]string{"customer": "customer", "message": "agent", "note": "agent"}[th.Type]
		if role == "" || th.State == "draft" || th.State == "hidden" {
			continue // line items (status changes, assignments), drafts
		}
		at, err := foreignTime(th.CreatedAt)
		if err != nil {
			return fmt.Sprintf("thread %d: createdAt: %v", th.ID, err)
		}
		channel := "cli"
		if c.Type == "email" || c.Type == "" {
			channel = "email"
		}
		msgs = append(msgs, msg{ForeignComment{Role: role, Channel: channel, Body: htmlText(th.Body), Public: th.Type != "note",
			AuthorEmail: strings.ToLower(th.CreatedBy.Email), AuthorName: th.CreatedBy.name(), CreatedAt: at}, th.ID})
	}
	sort.SliceStable(msgs, func(i, j int) bool {
		if !msgs[i].CreatedAt.Equal(msgs[j].CreatedAt) {
			return msgs[i].CreatedAt.Before(msgs[j].CreatedAt)
		}
		return msgs[i].id < msgs[j].id
	})
	for i, m := range msgs {
		if i == 0 && m.Role == "customer" {
			t.Description = m.Body
			continue
		}
		if m.Body != "" {
			t.Comments = append(t.Comments, m.ForeignComment)
		}
	}
	return ""
}
