package bot

import (
	"regexp"
	"slices"
	"strings"

	"github.com/deskbot/deskbot/commands"
	"github.com/deskbot/deskbot/domain"
)

// What `/ticket …` asks for. The grammar never eats a title: a subcommand
// word is one only when what follows it fits that subcommand; otherwise
// the whole text is a title. `/ticket help` alone is help, `/ticket Help
// with the invoice export` is a ticket.
const (
	ticketForm    = "form"    // no text: the create form
	ticketHelpOp  = "help"    // help alone
	ticketList    = "list"    // list [query]; search words… (a list of text: terms)
	ticketShow    = "show"    // a key alone
	ticketMove    = "move"    // KEY customer ACME
	ticketChange  = "change"  // KEY due WHEN, KEY severity LEVEL
	ticketTracker = "tracker" // KEY escalate, KEY link org/repo#123 (escalate.go)
	ticketCreate  = "create"  // anything else: a title with its options
	// KEY merge [into] KEY2, KEY unmerge, KEY history (merge.go, history.go)
	ticketMergeOp   = "merge"
	ticketUnmergeOp = "unmerge"
	ticketHistoryOp = "history"
)

type ticketOp struct {
	op   string
	key  string // show, move
	arg  string // list: the query; move: the customer; change: the words after the key
	note string // create: how to say the other thing, when the text was close to it
}

// changeVerbs are the words after a key that change the ticket
// (ticketverbs.go; tag, follow, unfollow and cc: ticketverbs_watch.go).
var changeVerbs = []string{"due", "severity", "sev", "tag", "tags", "follow", "unfollow", "cc"}

var queryTermRE = regexp.MustCompile(`^[a-z][a-z_.]*:\S*$`)

// listWords are the words `/ticket list` understands alone (see
// commands.expandAliases).
var listWords = []string{"mine", "me", "unassigned", "all", "closed", "done", "open"}

// parseTicketCommand reads `/ticket` text. isCustomer tells a bare word
// that is a customer key (`/ticket list acme`).
func parseTicketCommand(text string, isCustomer func(string) bool) ticketOp {
	text = strings.TrimSpace(text)
	words := strings.Fields(text)
	if len(words) == 0 {
		return ticketOp{op: ticketForm}
	}
	first := strings.ToLower(words[0])
	switch {
	case len(words) == 1 && (first == "help" || first == "?" || first == "-h" || first == "--help"):
		return ticketOp{op: ticketHelpOp}
	case first == "list":
		rest := strings.TrimSpace(text[len(words[0]):])
		if listQuery(rest, isCustomer) {
			return ticketOp{op: ticketList, arg: rest}
		}
		return ticketOp{op: ticketCreate, note: "To list tickets instead, use the query language: `/ticket list text:\"" + strings.ReplaceAll(rest, `"`, "") + "\"`."}
	case words[0] == "search" && len(words) > 1:
		// Lowercase only: "/ticket Search is broken" stays a title.
		return ticketOp{op: ticketList, arg: searchQuery(strings.TrimSpace(text[len(words[0]):]))}
	case first == "search" && len(words) == 1:
		return ticketOp{op: ticketHelpOp}
	case first == "search":
		return ticketOp{op: ticketCreate, note: "To search instead: `/ticket search " + strings.Join(words[1:], " ") + "`."}
	case domain.IsKey(words[0]) && len(words) == 1:
		return ticketOp{op: ticketShow, key: strings.ToUpper(words[0])}
	case domain.IsKey(words[0]) && len(words) == 3 && strings.EqualFold(words[1], "customer"):
		return ticketOp{op: ticketMove, key: strings.ToUpper(words[0]), arg: strings.TrimPrefix(words[2], "#")}
	case domain.IsKey(words[0]) && (len(words) == 2 && strings.EqualFold(words[1], "escalate") || len(words) == 3 && strings.EqualFold(words[1], "link")):
		_, rest := firstWord(strings.TrimSpace(text))
		return ticketOp{op: ticketTracker, key: strings.ToUpper(words[0]), arg: rest}
	case domain.IsKey(words[0]) && len(words) >= 2 && slices.Contains(changeVerbs, strings.ToLower(words[1])):
		_, rest := firstWord(strings.TrimSpace(text))
		return ticketOp{op: ticketChange, key: strings.ToUpper(words[0]), arg: rest}
	case domain.IsKey(words[0]) && mergeTarget(words[1:]) != "":
		return ticketOp{op: ticketMergeOp, key: strings.ToUpper(words[0]), arg: mergeTarget(words[1:])}
	case domain.IsKey(words[0]) && len(words) == 2 && (strings.EqualFold(words[1], ticketUnmergeOp) || strings.EqualFold(words[1], ticketHistoryOp)):
		return ticketOp{op: strings.ToLower(words[1]), key: strings.ToUpper(words[0])}
	case domain.IsKey(words[0]):
		return ticketOp{op: ticketCreate, note: "To see " + strings.ToUpper(words[0]) + " instead: `/ticket " + strings.ToUpper(words[0]) + "`."}
	case first == "help":
		return ticketOp{op: ticketCreate, note: "For help instead: `/ticket help`."}
	}
	return ticketOp{op: ticketCreate}
}

// listQuery reports whether every term after `list` is a term of a list:
// a query key:value, a quoted phrase, a list word, !priority, #customer, a
// channel or user link, or a customer key.
func listQuery(rest string, isCustomer func(string) bool) bool {
	if rest == "" || strings.HasPrefix(rest, viewPrefix) {
		return true
	}
	if strings.HasPrefix(rest, `"`) {
		return true
	}
	for _, w := range strings.Fields(rest) {
		lw := strings.ToLower(w)
		switch {
		case queryTermRE.MatchString(lw), strings.HasPrefix(w, `"`) || strings.HasSuffix(w, `"`):
		case len(w) > 1 && (w[0] == '!' || w[0] == '#'):
		case plainID(w) != w:
		case slices.Contains(listWords, lw):
		case isCustomer != nil && isCustomer(w):
		default:
			return false
		}
	}
	return true
}

// reportArgs is what `/time report …` asks for: a customer (empty: every
// customer the person may see) and a period.
type reportArgs struct {
	customer, period string
	problem          string // set when the words fit no form
}

const reportForm = "`/time report acme last-month` — or `/time report this-week` for every customer; periods: this-week, last-week, this-month, last-month, 2026-10, 2026-10-01..2026-10-15"

// parseReportArgs reads `/time report [customer] [period]`, in either
// order; the period defaults to the current month. A customer whose key is
// also a period word (WEEK) is named `#week`.
func parseReportArgs(text string) reportArgs {
	words := strings.Fields(text)
	r := reportArgs{period: "this-month"}
	var customer, period []string
	for _, w := range words {
		if !strings.HasPrefix(w, "#") && commands.IsPeriod(w) {
			period = append(period, w)
		} else {
			customer = append(customer, strings.TrimPrefix(w, "#"))
		}
	}
	switch {
	case len(customer) == 2 && len(period) == 0:
		r.problem = "I read `" + customer[0] + "` as the customer and `" + customer[1] + "` as the period, which is not one I know. Write it like " + reportForm + "."
	case len(customer) > 1:
		r.problem = "I read `" + strings.Join(customer, "` and `") + "` as customers, and a report is on one customer (or all). Write it like " + reportForm + "."
	case len(period) > 1:
		r.problem = "I read `" + strings.Join(period, "` and `") + "` as periods, and a report covers one. Write it like " + reportForm + "."
	case len(customer) == 1 && domain.ValidateCustomerKey(strings.ToUpper(customer[0])) != nil:
		r.problem = "I read `" + customer[0] + "` as the customer, but that is neither a customer key nor a period. Write it like " + reportForm + "."
	default:
		if len(customer) == 1 {
			r.customer = customer[0]
		}
		if len(period) == 1 {
			r.period = period[0]
		}
	}
	return r
}

// mergeTarget reads "merge into KEY" or "merge KEY" after a ticket key:
// the target's key, or "" when the words are something else.
func mergeTarget(words []string) string {
	switch {
	case len(words) == 3 && strings.EqualFold(words[0], "merge") && strings.EqualFold(words[1], "into") && domain.IsKey(words[2]):
		return strings.ToUpper(words[2])
	case len(words) == 2 && strings.EqualFold(words[0], "merge") && domain.IsKey(words[1]):
		return strings.ToUpper(words[1])
	}
	return ""
}
