package bot

import (
	"strings"
	"testing"
)

// Every command line people type, with what it must do. The grammar never
// eats a title: a subcommand word counts only when what follows fits it.
func TestCommandGrammar(t *testing.T) {
	customers := map[string]bool{"ACME": true, "GLOBEX": true}
	isCustomer := func(w string) bool { return customers[strings.ToUpper(w)] }
	type want struct {
		op, key, arg string
		title        string // create: the title left after the options
		note         bool   // create: the answer says how to do the other thing
	}
	cases := []struct {
		line string
		want want
	}{
		// The form, help, lists, cards.
		{"", want{op: ticketForm}},
		{"   ", want{op: ticketForm}},
		{"help", want{op: ticketHelpOp}},
		{"HELP", want{op: ticketHelpOp}},
		{"?", want{op: ticketHelpOp}},
		{"list", want{op: ticketList}},
		{"search refund", want{op: ticketList, arg: `text:"refund" all`}},
		{`search "bank transfer" ref*`, want{op: ticketList, arg: `text:"\"bank transfer\" ref*" all`}},
		{"search", want{op: ticketHelpOp}},
		{"Search is broken on the portal", want{op: ticketCreate, title: "Search is broken on the portal", note: true}},
		{"ACME-7 due fri 17:00 public", want{op: ticketChange, key: "ACME-7", arg: "due fri 17:00 public"}},
		{"acme-7 severity sev1", want{op: ticketChange, key: "ACME-7", arg: "severity sev1"}},
		{"list mine", want{op: ticketList, arg: "mine"}},
		{"list unassigned all", want{op: ticketList, arg: "unassigned all"}},
		{"list #acme !high", want{op: ticketList, arg: "#acme !high"}},
		{"list acme", want{op: ticketList, arg: "acme"}},
		{"list status:open priority:high,urgent", want{op: ticketList, arg: "status:open priority:high,urgent"}},
		{`list text:"login fails" sort:due`, want{op: ticketList, arg: `text:"login fails" sort:due`}},
		{`list "login fails"`, want{op: ticketList, arg: `"login fails"`}},
		{"list <#C0ACME|acme-support> closed", want{op: ticketList, arg: "<#C0ACME|acme-support> closed"}},
		{"list field.environment:production", want{op: ticketList, arg: "field.environment:production"}},
		{"ACME-42", want{op: ticketShow, key: "ACME-42"}},
		{"acme-42", want{op: ticketShow, key: "ACME-42"}},
		{"ACME-7 customer globex", want{op: ticketMove, key: "ACME-7", arg: "globex"}},
		{"ACME-7 customer #globex", want{op: ticketMove, key: "ACME-7", arg: "globex"}},
		{"TRIAGE-3 CUSTOMER acme", want{op: ticketMove, key: "TRIAGE-3", arg: "acme"}},
		// Titles that start with a subcommand word stay titles.
		{"Help with the invoice export", want{op: ticketCreate, title: "Help with the invoice export", note: true}},
		{"help me please !high", want{op: ticketCreate, title: "help me please", note: true}},
		{"Help! Login broken", want{op: ticketCreate, title: "Help! Login broken"}},
		{"List of invoices is empty", want{op: ticketCreate, title: "List of invoices is empty", note: true}},
		{"list export fails #acme", want{op: ticketCreate, title: "list export fails", note: true}},
		{"List view crashes on scroll", want{op: ticketCreate, title: "List view crashes on scroll", note: true}},
		{"ACME-42 is broken again", want{op: ticketCreate, title: "ACME-42 is broken again", note: true}},
		{"ACME-7 customer globex complains", want{op: ticketCreate, title: "ACME-7 customer globex complains", note: true}},
		{"COVID-19 form rejects dates", want{op: ticketCreate, title: "COVID-19 form rejects dates", note: true}},
		{"Helpdesk link is dead", want{op: ticketCreate, title: "Helpdesk link is dead"}},
		{"Listing page slow", want{op: ticketCreate, title: "Listing page slow"}},
		{"Login page times out", want{op: ticketCreate, title: "Login page times out"}},
		{"Login page times out #triage", want{op: ticketCreate, title: "Login page times out"}},
		{"Login fails !high #acme @ana type:bug v:4.2.1", want{op: ticketCreate, title: "Login fails @ana"}},
		{"Export to PDF broken !high #acme type:bug", want{op: ticketCreate, title: "Export to PDF broken"}},
		{"Fix #123 regression", want{op: ticketCreate, title: "Fix #123 regression"}},
		{"Server down !!!", want{op: ticketCreate, title: "Server down !!!"}},
		{"C# build fails on 4.2", want{op: ticketCreate, title: "C# build fails on 4.2"}},
		{"mine is broken", want{op: ticketCreate, title: "mine is broken"}},
		{"status:open is wrong on the card", want{op: ticketCreate, title: "status:open is wrong on the card"}},
		{"!high #acme", want{op: ticketCreate, title: ""}},
		{"<!channel> everyone look", want{op: ticketCreate, title: "<!channel> everyone look"}},
		{"Crash in <#C0ACME|acme-support> on save", want{op: ticketCreate, title: "Crash in on save"}},
	}
	if len(cases) < 40 {
		t.Fatalf("only %d command lines", len(cases))
	}
	for _, c := range cases {
		got := parseTicketCommand(c.line, isCustomer)
		if got.op != c.want.op || got.key != c.want.key || got.arg != c.want.arg || (got.note != "") != c.want.note {
			t.Errorf("/ticket %s: %+v, want %+v", c.line, got, c.want)
		}
		if got.op == ticketCreate {
			if title := parseQuickTicket(c.line).Title; title != c.want.title {
				t.Errorf("/ticket %s: title %q, want %q", c.line, title, c.want.title)
			}
		}
	}
}

func TestTimeReportGrammar(t *testing.T) {
	cases := []struct {
		line, customer, period string
		problem                string // part of the refusal
	}{
		{"", "", "this-month", ""},
		{"acme", "acme", "this-month", ""},
		{"#acme", "acme", "this-month", ""},
		{"acme last-month", "acme", "last-month", ""},
		{"last-month acme", "acme", "last-month", ""},
		{"this-week", "", "this-week", ""},
		{"2026-10", "", "2026-10", ""},
		{"globex 2026-10-01..2026-10-15", "globex", "2026-10-01..2026-10-15", ""},
		{"#week", "week", "this-month", ""},
		{"week", "", "week", ""},
		{"acme lastmonth", "", "", "I read `acme` as the customer and `lastmonth` as the period, which is not one I know"},
		{"acme globex initech", "", "", "as customers, and a report is on one customer"},
		{"this-week last-week", "", "", "as periods, and a report covers one"},
		{"acme-corp", "", "", "I read `acme-corp` as the customer, but that is neither a customer key nor a period"},
	}
	for _, c := range cases {
		got := parseReportArgs(c.line)
		if c.problem != "" {
			if !strings.Contains(got.problem, c.problem) || !strings.Contains(got.problem, "/time report acme last-month") {
				t.Errorf("/time report %s: %q, want a refusal with %q and the valid form", c.line, got.problem, c.problem)
			}
			continue
		}
		if got.problem != "" || got.customer != c.customer || got.period != c.period {
			t.Errorf("/time report %s: %+v, want customer %q period %q", c.line, got, c.customer, c.period)
		}
	}
}
