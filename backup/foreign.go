package backup

import (
	"fmt"
	"strings"
	"time"
)

// Foreign is another helpdesk's export mapped onto deskbot: customers,
// their tickets with the conversation, and the rows that could not be
// mapped, each with its line in the file and the reason.
type Foreign struct {
	Source    string // zammad, freescout or csv
	Customers []*ForeignCustomer
	Tickets   []*ForeignTicket
	// Problems are rows that should be tickets and cannot be: the import
	// stops on them unless told to leave them out.
	Problems []Problem
	// Ignored are rows that are not tickets (spam, drafts, deleted
	// conversations): left out, and said so.
	Ignored []Problem
}

// ForeignCustomer is a customer the tickets belong to. The import matches
// it to an existing customer by Key, else by name, else by email domain,
// and creates it when none matches.
type ForeignCustomer struct {
	Ref     string // the ticket's CustomerRef
	Key     string // wanted key, if the source says (CSV)
	Name    string
	Domains []string
}

// ForeignTicket is a ticket with its conversation. Status, Priority and
// Type hold the source's words until Resolve puts deskbot's names there.
type ForeignTicket struct {
	Line           int
	Ref            string // the source's id, kept as the ticket's source_ref ("zammad:17")
	CustomerRef    string
	Title          string
	Description    string
	Status         string
	Category       string // the status's category, set by Resolve
	Priority       string
	Type           string
	RequesterEmail string
	RequesterName  string
	CreatedAt      time.Time
	UpdatedAt      time.Time
	ClosedAt       *time.Time
	Comments       []ForeignComment
}

// ForeignComment is one message of a ticket's conversation.
type ForeignComment struct {
	AuthorEmail string
	AuthorName  string
	Role        string // agent, customer or system (domain.Role*)
	Channel     string // email or cli
	Body        string
	Public      bool
	CreatedAt   time.Time
}

// Problem is a row left out, and why.
type Problem struct {
	Line   int
	Ref    string
	Reason string
}

func (p Problem) String() string {
	s := fmt.Sprintf("line %d", p.Line)
	if p.Ref != "" {
		s += " (" + p.Ref + ")"
	}
	return s + ": " + p.Reason
}

func (f *Foreign) problem(line int, ref, format string, args ...any) {
	f.Problems = append(f.Problems, Problem{Line: line, Ref: ref, Reason: fmt.Sprintf(format, args...)})
}

func (f *Foreign) ignore(line int, ref, format string, args ...any) {
	f.Ignored = append(f.Ignored, Problem{Line: line, Ref: ref, Reason: fmt.Sprintf(format, args...)})
}

// customer returns the customer of ref, adding it on first sight.
func (f *Foreign) customer(ref, key, name string, domains ...string) *ForeignCustomer {
	for _, c := range f.Customers {
		if c.Ref == ref {
			return c
		}
	}
	c := &ForeignCustomer{Ref: ref, Key: key, Name: name, Domains: domains}
	f.Customers = append(f.Customers, c)
	return c
}

// domainCustomer is the customer of a requester known only by address:
// one per email domain.
func (f *Foreign) domainCustomer(email string) (*ForeignCustomer, bool) {
	_, dom, ok := strings.Cut(strings.ToLower(strings.TrimSpace(email)), "@")
	if !ok || dom == "" || strings.ContainsAny(dom, " @") {
		return nil, false
	}
	return f.customer("domain:"+dom, "", dom, dom), true
}

// Vocabulary is the config's names a foreign ticket is mapped onto.
type Vocabulary struct {
	Statuses   []StatusName // in the config's order
	Priorities []string     // lowest first
	Types      []string     // the first is the default
}

// StatusName is a configured status and its category.
type StatusName struct{ Name, Category string }

// statusWords are other helpdesks' states by deskbot category: Zammad's
// (new, open, pending reminder, pending close, closed, merged), FreeScout's
// and Help Scout's (active, pending, closed), and common words.
var statusWords = map[string]string{
	"new": "new", "unassigned": "new",
	"open": "open", "active": "open", "in progress": "open", "assigned": "open",
	"pending": "waiting", "pending reminder": "waiting", "pending close": "waiting", "waiting": "waiting", "on hold": "waiting", "hold": "waiting",
	"resolved": "resolved", "solved": "resolved",
	"closed": "closed", "merged": "closed",
}

// priorityWords rank other helpdesks' priorities, Zammad's "1 low" …
// "3 high" included (its number stripped).
var priorityWords = map[string]int{
	"low": 0, "minor": 0, "normal": 1, "medium": 1, "high": 2, "major": 2, "urgent": 3, "critical": 3, "emergency": 3,
}

// Resolve maps each ticket's status, priority and type onto the config's
// names; a ticket whose status or priority has no match is a problem.
func (f *Foreign) Resolve(v Vocabulary) {
	kept := f.Tickets[:0]
	for _, t := range f.Tickets {
		if reason := t.resolve(v); reason != "" {
			f.problem(t.Line, t.Ref, "%s", reason)
			continue
		}
		kept = append(kept, t)
	}
	f.Tickets = kept
	f.pruneCustomers()
}

// pruneCustomers drops the customers no ticket is left for: a file's
// unmappable rows create no empty customer.
func (f *Foreign) pruneCustomers() {
	used := map[string]bool{}
	for _, t := range f.Tickets {
		used[t.CustomerRef] = true
	}
	kept := f.Customers[:0]
	for _, c := range f.Customers {
		if used[c.Ref] {
			kept = append(kept, c)
		}
	}
	f.Customers = kept
}

func (t *ForeignTicket) resolve(v Vocabulary) string {
	status := strings.ToLower(strings.TrimSpace(t.Status))
	name, cat := "", ""
	for _, s := range v.Statuses {
		if s.Name == status {
			name, cat = s.Name, s.Category
			break
		}
	}
	if name == "" {
		want, ok := statusWords[strings.ReplaceAll(status, "_", " ")]
		if !ok {
			return fmt.Sprintf("status %q is not one deskbot knows (new, open, pending, resolved, closed, or a configured status)", t.Status)
		}
		for _, s := range v.Statuses {
			if s.Category == want {
				name, cat = s.Name, s.Category
				break
			}
		}
		if name == "" {
			return fmt.Sprintf("status %q: the config has no %s status", t.Status, want)
		}
	}
	t.Status, t.Category = name, cat
	p, ok := resolvePriority(t.Priority, v.Priorities)
	if !ok {
		return fmt.Sprintf("priority %q is not one deskbot knows (%s, or low, normal, high, urgent)", t.Priority, strings.Join(v.Priorities, ", "))
	}
	t.Priority = p
	typ := strings.ToLower(strings.TrimSpace(t.Type))
	t.Type = ""
	for _, name := range v.Types {
		if name == typ {
			t.Type = name
		}
	}
	if t.Type == "" && len(v.Types) > 0 {
		t.Type = v.Types[0]
	}
	return ""
}

func resolvePriority(raw string, names []string) (string, bool) {
	p := strings.ToLower(strings.TrimSpace(raw))
	p = strings.TrimSpace(strings.TrimLeft(p, "0123456789")) // Zammad's "2 normal"
	if len(names) == 0 {
		return "", false
	}
	for _, n := range names {
		if n == p {
			return n, true
		}
	}
	rank, ok := priorityWords[p]
	if p == "" {
		rank, ok = 1, true
	}
	if !ok {
		return "", false
	}
	// The same rank on a config with other names: spread over its list.
	return names[rank*(len(names)-1)/3], true
}

// KeyFrom makes a customer key from a name or domain ("Acme Corp" → ACME,
// "globex.example" → GLOBEX): its first words, capitals and digits, 2 to
// 10 of them, starting with a letter.
func KeyFrom(name string) string {
	if at := strings.LastIndexByte(name, '.'); at > 0 && !strings.Contains(name, " ") {
		name = name[:at] // a domain: its name without the top level
		if i := strings.LastIndexByte(name, '.'); i >= 0 {
			name = name[i+1:]
		}
	}
	var words []string
	for _, w := range strings.FieldsFunc(strings.ToUpper(name), func(r rune) bool { return !(r >= 'A' && r <= 'Z' || r >= '0' && r <= '9') }) {
		words = append(words, w)
	}
	key := ""
	for _, w := range words {
		if key += w; len(key) >= 3 {
			break
		}
	}
	if len(key) < 2 || key[0] < 'A' || key[0] > 'Z' {
		key = "ORG" + key
	}
	return key[:min(len(key), 10)]
}
