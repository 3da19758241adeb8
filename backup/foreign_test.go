package backup

import (
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"
)

// defaults is the vocabulary of domain/defaults.yaml.
var defaults = Vocabulary{
	Statuses: []StatusName{{"new", "new"}, {"open", "open"}, {"in_progress", "open"}, {"waiting", "waiting"},
		{"resolved", "resolved"}, {"closed", "closed"}},
	Priorities: []string{"low", "normal", "high", "urgent"},
	Types:      []string{"incident", "service_request", "question", "bug"},
}

func fixture(t *testing.T, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// lineOf is the line of the first occurrence of s in the fixture.
func lineOf(t *testing.T, data []byte, s string) int {
	t.Helper()
	i := strings.Index(string(data), s)
	if i < 0 {
		t.Fatalf("fixture lacks %q", s)
	}
	return strings.Count(string(data[:i]), "\n") + 1
}

type wantProblem struct {
	at     string // text on the line
	reason string
}

// checkProblems compares problems with their lines: the line of each
// want's text, less shift (FreeScout's objects open a line above their id).
func checkProblems(t *testing.T, data []byte, shift int, what string, got []Problem, want []wantProblem) {
	t.Helper()
	var gotS, wantS []string
	for _, p := range got {
		gotS = append(gotS, p.String())
	}
	for _, w := range want {
		wantS = append(wantS, w.reason)
	}
	if len(got) != len(want) {
		t.Fatalf("%s: got %d\n  %s\nwant %d\n  %s", what, len(got), strings.Join(gotS, "\n  "), len(want), strings.Join(wantS, "\n  "))
	}
	sort.Slice(got, func(i, j int) bool { return got[i].Line < got[j].Line })
	for i, w := range want {
		line := lineOf(t, data, w.at) - shift
		if got[i].Line != line || !strings.Contains(got[i].String(), w.reason) {
			t.Errorf("%s %d: got %q, want line %d with %q", what, i, got[i], line, w.reason)
		}
	}
}

type wantTicket struct {
	ref, customer, title, status, priority, typ, requester, description string
	comments                                                            []string // body, "(internal)" appended for notes, "[role]" prefixed
	closed                                                              bool
}

func checkTickets(t *testing.T, f *Foreign, want []wantTicket) {
	t.Helper()
	names := map[string]string{}
	for _, c := range f.Customers {
		names[c.Ref] = c.Name
	}
	if len(f.Tickets) != len(want) {
		var refs []string
		for _, tk := range f.Tickets {
			refs = append(refs, tk.Ref)
		}
		t.Fatalf("tickets %v, want %d", refs, len(want))
	}
	for i, w := range want {
		tk := f.Tickets[i]
		var comments []string
		for _, c := range tk.Comments {
			s := "[" + c.Role + "] " + c.Body
			if !c.Public {
				s += " (internal)"
			}
			comments = append(comments, s)
		}
		got := wantTicket{ref: tk.Ref, customer: names[tk.CustomerRef], title: tk.Title, status: tk.Status, priority: tk.Priority,
			typ: tk.Type, requester: tk.RequesterEmail, description: tk.Description, comments: comments, closed: tk.ClosedAt != nil}
		if strings.Join(got.comments, "|") != strings.Join(w.comments, "|") || got.ref != w.ref || got.customer != w.customer ||
			got.title != w.title || got.status != w.status || got.priority != w.priority || got.typ != w.typ ||
			got.requester != w.requester || got.description != w.description || got.closed != w.closed {
			t.Errorf("ticket %d:\n got %+v\nwant %+v", i, got, w)
		}
		if tk.CreatedAt.IsZero() || tk.UpdatedAt.Before(tk.CreatedAt) {
			t.Errorf("ticket %s: created %v, updated %v", tk.Ref, tk.CreatedAt, tk.UpdatedAt)
		}
	}
	used := map[string]bool{}
	for _, tk := range f.Tickets {
		used[tk.CustomerRef] = true
	}
	for _, c := range f.Customers {
		if !used[c.Ref] {
			t.Errorf("customer %s has no ticket left", c.Name)
		}
	}
}

func TestZammadMapping(t *testing.T) {
	data := fixture(t, "zammad.json")
	f, err := Zammad(data)
	if err != nil {
		t.Fatal(err)
	}
	f.Resolve(defaults)
	checkTickets(t, f, []wantTicket{
		{ref: "zammad:22001", customer: "Zammad Foundation", title: "Welcome to Zammad!", status: "new", priority: "normal", typ: "incident",
			requester: "nicole.braun@zammad.org", description: "Welcome!\nThank you for choosing Zammad."},
		{ref: "zammad:22002", customer: "Acme Corp", title: "Invoices for March are empty", status: "closed", priority: "high", typ: "incident",
			requester: "dana@acme.example", description: "The March invoices download as empty PDFs.",
			comments: []string{"[agent] Billing job crashed on the 1st. (internal)", "[agent] Hi Dana,\nfixed & re-sent."}, closed: true},
		{ref: "zammad:22003", customer: "globex.example", title: "VPN drops every hour", status: "waiting", priority: "normal", typ: "incident",
			requester: "cy@globex.example", description: "Every hour on the hour."},
	})
	checkProblems(t, data, 0, "problem", f.Problems, []wantProblem{
		{`"id": 4, "group_id"`, "(zammad:22004): no title"},
		{`"id": 5, "group_id"`, `(zammad:22005): status "escalated to legal" is not one deskbot knows`},
		{`"id": 6, "group_id"`, "(zammad:22006): no organization, and the customer (user 6) has no email address"},
		{`"id": 8, "group_id"`, `(zammad:22008): created_at: "yesterday" is not a time`},
		{`"id": 6, "ticket_id": 99`, "(article 6): ticket 99 is not in the tickets list"},
		{`"id": 8, "ticket_id": 3`, `(article 8): created_at: "not a time" is not a time`},
	})
	checkProblems(t, data, 0, "ignored", f.Ignored, []wantProblem{{`"id": 7, "group_id"`, "(zammad:22007): removed in Zammad"}})
}

func TestFreeScoutMapping(t *testing.T) {
	data := fixture(t, "freescout.json")
	f, err := FreeScout(data)
	if err != nil {
		t.Fatal(err)
	}
	f.Resolve(defaults)
	checkTickets(t, f, []wantTicket{
		{ref: "freescout:1502", customer: "acme.example", title: "Cannot download March invoices", status: "closed", priority: "normal", typ: "incident",
			requester: "dana@acme.example", description: "The March invoices are empty PDFs.\nThanks",
			comments: []string{"[agent] Billing job crashed. (internal)", "[agent] Hi Dana, fixed."}, closed: true},
		{ref: "freescout:1503", customer: "globex.example", title: "VPN drops", status: "open", priority: "normal", typ: "incident",
			requester: "cy@globex.example", description: "Every hour."},
	})
	checkProblems(t, data, 1, "problem", f.Problems, []wantProblem{
		{`"id": 505`, "(freescout:1505): the customer has no email address"},
		{`"id": 506`, `(freescout:1506): thread 9020: createdAt: "13:00" is not a time`},
	})
	checkProblems(t, data, 1, "ignored", f.Ignored, []wantProblem{
		{`"id": 504`, "(freescout:1504): spam"},
		{`"id": 507`, "(freescout:1507): a draft conversation"},
	})
	// A list of conversations reads the same as the page.
	list, err := FreeScout([]byte(`[` + strings.SplitN(strings.SplitN(string(data), `"conversations": [`, 2)[1], "\n    ]\n  },", 2)[0] + `]`))
	if err != nil {
		t.Fatal(err)
	}
	if len(list.Tickets) != 2 || len(list.Ignored) != 2 {
		t.Errorf("the list gave %d tickets, %d ignored", len(list.Tickets), len(list.Ignored))
	}
}

func TestCSVMapping(t *testing.T) {
	data := fixture(t, "tickets.csv")
	f, err := CSV(data)
	if err != nil {
		t.Fatal(err)
	}
	f.Resolve(defaults)
	checkTickets(t, f, []wantTicket{
		{ref: "csv:T-1", customer: "Acme Corp", title: "Printer on fire", status: "open", priority: "urgent", typ: "incident",
			requester: "dana@acme.example", description: "It is, in fact, on fire.",
			comments: []string{"[agent] Evacuated; sending a tech.", "[agent] Tech says: toner. (internal)"}},
		{ref: "csv:T-2", customer: "Globex", title: "Password reset", status: "resolved", priority: "low", typ: "question",
			requester: "cy@globex.example", comments: []string{"[customer] Done?"}, closed: true},
	})
	checkProblems(t, data, 0, "problem", f.Problems, []wantProblem{
		{"T-3,Globex,,,No title", "(csv:T-3): no title"},
		{"T-3,Globex,,,,", "(csv:T-3): the ticket's first row could not be mapped"},
		{"T-4,", `(csv:T-4): status "lost" is not one deskbot knows`},
		{"T-5,", `(csv:T-5): created_at: "last tuesday" is not a time`},
		{",Initech,,No id", "no ticket id"},
		{"T-6,", `(csv:T-6): customer_key "1NIT" must be 2 to 10 capital letters`},
		{"T-7,", `(csv:T-7): comment_at: "" is not a time`},
	})
	if f.Customers[0].Key != "ACME" {
		t.Errorf("customer_key: %+v", f.Customers[0])
	}
}

func TestCSVRefusesUnknownColumns(t *testing.T) {
	for _, c := range []struct{ head, want string }{
		{"ticket,customer,titel,created_at\n", `unknown column "titel"`},
		{"ticket,customer,created_at\n", `no "title" column`},
		{"ticket,title,created_at\n", `no "customer" or "customer_key" column`},
		{"", "line 1: EOF"},
	} {
		if _, err := CSV([]byte(c.head)); err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%q: %v, want %q", c.head, err, c.want)
		}
	}
}

func TestResolvePriority(t *testing.T) {
	for _, c := range []struct {
		raw   string
		names []string
		want  string
		ok    bool
	}{
		{"3 high", []string{"low", "normal", "high", "urgent"}, "high", true},
		{"", []string{"low", "normal", "high", "urgent"}, "normal", true},
		{"critical", []string{"p3", "p2", "p1"}, "p1", true},
		{"low", []string{"p3", "p2", "p1"}, "p3", true},
		{"p2", []string{"p3", "p2", "p1"}, "p2", true},
		{"whenever", []string{"low", "high"}, "", false},
	} {
		got, ok := resolvePriority(c.raw, c.names)
		if got != c.want || ok != c.ok {
			t.Errorf("resolvePriority(%q, %v) = %q, %v; want %q, %v", c.raw, c.names, got, ok, c.want, c.ok)
		}
	}
}

func TestKeyFrom(t *testing.T) {
	for in, want := range map[string]string{"Acme Corp": "ACME", "globex.example": "GLOBEX", "a.co.uk": "CO", "3M": "ORG3M", "Zammad Foundation": "ZAMMAD", "X": "ORGX"} {
		if got := KeyFrom(in); got != want {
			t.Errorf("KeyFrom(%q) = %q, want %q", in, got, want)
		}
	}
}
