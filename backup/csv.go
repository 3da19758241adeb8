package backup

import (
	"bytes"
	"cmp"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"regexp"
	"slices"
	"strings"
)

// CSVColumns are the generic CSV's columns (first line, any order, case
// ignored). Rows with the same ticket are one ticket: its first row gives
// the ticket, and every row's comment columns add a comment.
var CSVColumns = []string{
	"ticket", "customer", "customer_key", "customer_domains",
	"title", "description", "status", "priority", "type",
	"requester_email", "requester_name", "created_at", "updated_at", "closed_at",
	"comment", "comment_author", "comment_author_email", "comment_role", "comment_internal", "comment_at",
}

var csvKey = regexp.MustCompile(`^[A-Z][A-Z0-9]{1,9}$`)

// CSV reads the generic CSV (CSVColumns; docs/export-format.md).
func CSV(data []byte) (*Foreign, error) {
	f := &Foreign{Source: "csv"}
	r := csv.NewReader(bytes.NewReader(bytes.TrimPrefix(data, []byte("\ufeff"))))
	r.FieldsPerRecord = -1
	head, err := r.Read()
	if err != nil {
		return nil, fmt.Errorf("csv: line 1: %v", err)
	}
	cols := map[string]int{}
	for i, h := range head {
		name := strings.ToLower(strings.TrimSpace(h))
		if !slices.Contains(CSVColumns, name) {
			return nil, fmt.Errorf("csv: line 1: unknown column %q (the columns are %s)", h, strings.Join(CSVColumns, ", "))
		}
		if _, dup := cols[name]; dup {
			return nil, fmt.Errorf("csv: line 1: column %q twice", name)
		}
		cols[name] = i
	}
	for _, need := range []string{"ticket", "title", "created_at"} {
		if _, ok := cols[need]; !ok {
			return nil, fmt.Errorf("csv: line 1: no %q column (needed: ticket, title, created_at, and customer or customer_key)", need)
		}
	}
	_, byName := cols["customer"]
	_, byKey := cols["customer_key"]
	if !byName && !byKey {
		return nil, errors.New(`csv: line 1: no "customer" or "customer_key" column`)
	}
	c := csvReader{f: f, cols: cols, tickets: map[string]*ForeignTicket{}, bad: map[string]bool{}}
	for {
		rec, err := r.Read()
		if errors.Is(err, io.EOF) {
			return f, nil
		}
		line, _ := r.FieldPos(0)
		if err != nil {
			var pe *csv.ParseError
			if errors.As(err, &pe) {
				f.problem(pe.StartLine, "", "%v", pe.Err)
				if pe.Err == csv.ErrQuote || pe.Err == csv.ErrBareQuote {
					return f, nil // the rest of the file is one broken field
				}
				continue
			}
			return nil, fmt.Errorf("csv: %w", err)
		}
		c.row(line, rec)
	}
}

type csvReader struct {
	f       *Foreign
	cols    map[string]int
	tickets map[string]*ForeignTicket
	bad     map[string]bool // tickets whose first row was a problem
}

func (c *csvReader) get(rec []string, col string) string {
	i, ok := c.cols[col]
	if !ok || i >= len(rec) {
		return ""
	}
	return strings.TrimSpace(rec[i])
}

func (c *csvReader) row(line int, rec []string) {
	id := c.get(rec, "ticket")
	if id == "" {
		c.f.problem(line, "", "no ticket id")
		return
	}
	ref := "csv:" + id
	if c.bad[id] {
		c.f.problem(line, ref, "the ticket's first row could not be mapped")
		return
	}
	t, seen := c.tickets[id]
	if !seen {
		var reason string
		if t, reason = c.ticket(line, ref, rec); reason != "" {
			c.bad[id] = true
			c.f.problem(line, ref, "%s", reason)
			return
		}
	}
	cm, reason := c.comment(rec, t)
	if reason != "" {
		c.f.problem(line, ref, "%s", reason)
		return
	}
	if !seen {
		c.tickets[id] = t
		c.f.Tickets = append(c.f.Tickets, t)
	}
	if cm != nil {
		t.Comments = append(t.Comments, *cm)
	}
}

func (c *csvReader) ticket(line int, ref string, rec []string) (*ForeignTicket, string) {
	t := &ForeignTicket{Line: line, Ref: ref, Title: c.get(rec, "title"), Description: c.get(rec, "description"),
		Status: cmp.Or(c.get(rec, "status"), "new"), Priority: c.get(rec, "priority"), Type: c.get(rec, "type"),
		RequesterEmail: strings.ToLower(c.get(rec, "requester_email")), RequesterName: c.get(rec, "requester_name")}
	if t.Title == "" {
		return nil, "no title"
	}
	var err error
	if t.CreatedAt, err = foreignTime(c.get(rec, "created_at")); err != nil {
		return nil, "created_at: " + err.Error()
	}
	t.UpdatedAt = t.CreatedAt
	if s := c.get(rec, "updated_at"); s != "" {
		if t.UpdatedAt, err = foreignTime(s); err != nil {
			return nil, "updated_at: " + err.Error()
		}
	}
	if s := c.get(rec, "closed_at"); s != "" {
		at, err := foreignTime(s)
		if err != nil {
			return nil, "closed_at: " + err.Error()
		}
		t.ClosedAt = &at
	}
	key, name := strings.ToUpper(c.get(rec, "customer_key")), c.get(rec, "customer")
	if key != "" && !csvKey.MatchString(key) {
		return nil, fmt.Sprintf("customer_key %q must be 2 to 10 capital letters or digits, starting with a letter", key)
	}
	if key == "" && name == "" {
		return nil, "no customer"
	}
	doms := strings.FieldsFunc(strings.ToLower(c.get(rec, "customer_domains")), func(r rune) bool { return r == ',' || r == ' ' || r == ';' })
	t.CustomerRef = c.f.customer("csv-customer:"+cmp.Or(key, strings.ToLower(name)), key, cmp.Or(name, key), doms...).Ref
	return t, ""
}

func (c *csvReader) comment(rec []string, t *ForeignTicket) (*ForeignComment, string) {
	body := c.get(rec, "comment")
	if body == "" {
		return nil, ""
	}
	at, err := foreignTime(c.get(rec, "comment_at"))
	if err != nil {
		return nil, "comment_at: " + err.Error()
	}
	cm := &ForeignComment{Body: body, CreatedAt: at, Channel: "cli", AuthorName: c.get(rec, "comment_author"),
		AuthorEmail: strings.ToLower(c.get(rec, "comment_author_email")), Public: true}
	switch role := strings.ToLower(c.get(rec, "comment_role")); role {
	case "customer", "agent":
		cm.Role = role
	case "":
		cm.Role = "agent"
		if cm.AuthorEmail != "" && cm.AuthorEmail == t.RequesterEmail {
			cm.Role = "customer"
		}
	default:
		return nil, fmt.Sprintf("comment_role %q is neither customer nor agent", role)
	}
	switch v := strings.ToLower(c.get(rec, "comment_internal")); v {
	case "", "false", "no", "0":
	case "true", "yes", "1":
		cm.Public = false
	default:
		return nil, fmt.Sprintf("comment_internal %q is neither true nor false", v)
	}
	return cm, ""
}
