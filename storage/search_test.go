package storage_test

import (
	"context"
	"slices"
	"strings"
	"testing"

	"github.com/deskbot/deskbot/domain"
	"github.com/deskbot/deskbot/domain/query"
	"github.com/deskbot/deskbot/storage"
	"github.com/deskbot/deskbot/storage/storagetest"
)

// searchFixture: tickets whose words sit in different places.
type searchFixture struct {
	title, desc, deleted, other *domain.Ticket // "refund" in the title; in the description; in a deleted comment; another customer's
	public, internal, both      *domain.Ticket // "refund" in a public comment; in an internal note; in both
	weak                        *domain.Ticket // "refund" once in a long comment
}

func seedSearch(t *testing.T, db *storage.DB) (*domain.Customer, *searchFixture) {
	ctx := context.Background()
	acme, globex := seedCustomer(t, db, "ACME"), seedCustomer(t, db, "GLOBEX")
	f := &searchFixture{}
	mk := func(c *domain.Customer, title, desc string) *domain.Ticket {
		tk := &domain.Ticket{CustomerID: c.ID, Title: title, Description: desc, Type: "question", Status: "new",
			Priority: "normal", Source: domain.SourceCLI, CreatedBy: "U1"}
		update(t, db, func(tx domain.Tx) error { return tx.CreateTicket(ctx, tk) })
		return tk
	}
	say := func(tk *domain.Ticket, body string, public bool) *domain.Comment {
		c := &domain.Comment{TicketID: tk.ID, AuthorRole: domain.RoleAgent, Body: body, Public: public, Channel: "slack"}
		update(t, db, func(tx domain.Tx) error { return tx.AddComment(ctx, c) })
		return c
	}
	f.title = mk(acme, "Refund request for the invoice", "Please look.")
	f.desc = mk(acme, "Billing question", "We would like a refund of the last invoice.")
	f.public = mk(acme, "Order 42", "Broken.")
	say(f.public, "Hello,\nwe sent the refund yesterday by bank transfer.", true)
	f.internal = mk(acme, "Order 43", "Broken too.")
	say(f.internal, "Internal: refund approved by finance, secret margin 40%.", false)
	f.both = mk(acme, "Order 44", "Late.")
	say(f.both, "We will look at it.", true)
	say(f.both, "Ask finance for a refund quietly.", false)
	f.deleted = mk(acme, "Order 45", "Damaged.")
	c := say(f.deleted, "refund refund refund", true)
	update(t, db, func(tx domain.Tx) error {
		now := tx.Now()
		c.DeletedAt = &now
		return tx.UpdateComment(ctx, c)
	})
	f.weak = mk(acme, "Order 46", "Lost.")
	say(f.weak, "The parcel was lost somewhere between the warehouse and the customer, the carrier says "+
		"it will look for it for ten days, and after that we may talk about a refund, or a new parcel, "+
		"whichever the customer prefers; meanwhile the order stays open and the warehouse keeps it.", true)
	f.other = mk(globex, "Refund for globex", "Refund.")
	return acme, f
}

// search runs text as a query in scope and returns the tickets' titles in
// order, and the page.
func search(t *testing.T, db *storage.DB, scope domain.Scope, customerID int64, text string) ([]int64, *domain.ViewPage) {
	t.Helper()
	ctx := context.Background()
	q, err := query.Parse(text, nil)
	if err != nil {
		t.Fatalf("%s: %v", text, err)
	}
	res, err := q.Resolve(query.Env{})
	if err != nil {
		t.Fatal(err)
	}
	var page *domain.ViewPage
	err = db.ViewAs(ctx, scope, func(tx domain.Tx) error {
		page, err = tx.QueryTickets(ctx, &domain.ViewQuery{Q: res, CustomerID: customerID, Limit: 50, Now: tx.Now()})
		return err
	})
	if err != nil {
		t.Fatalf("%s: %v", text, err)
	}
	var ids []int64
	for _, tk := range page.Tickets {
		ids = append(ids, tk.ID)
	}
	return ids, page
}

func TestSearchRankingAndVisibility(t *testing.T) {
	storagetest.ForEach(t, func(t *testing.T, db *storage.DB) {
		acme, f := seedSearch(t, db)
		agent := domain.Scope{}
		customer := domain.Scope{Customer: true, CustomerID: acme.ID}
		ids := func(ts ...*domain.Ticket) []int64 {
			var out []int64
			for _, tk := range ts {
				out = append(out, tk.ID)
			}
			return out
		}
		cases := []struct {
			name   string
			scope  domain.Scope
			cust   int64
			q      string
			want   []int64 // in this order
			sorted bool    // compare as sets
		}{
			{"agent: all that say it", agent, 0, "text:refund", ids(f.title, f.desc, f.public, f.internal, f.both, f.weak, f.other), true},
			{"customer: never an internal note", customer, acme.ID, "refund", ids(f.title, f.desc, f.public, f.weak), true},
			{"card (public scope): never an internal note", domain.PublicScope, 0, "refund", ids(f.title, f.desc, f.public, f.weak, f.other), true},
			{"customer: a word only in a note finds nothing", customer, acme.ID, "finance", nil, true},
			{"agent: a word only in a note", agent, 0, "finance", ids(f.internal, f.both), true},
			{"phrase", agent, 0, `text:"\"refund request\""`, ids(f.title), true},
			{"phrase as a bare quoted term", agent, 0, `"refund approved"`, ids(f.internal), true},
			{"phrase not adjacent", agent, 0, `"refund invoice"`, nil, true},
			{"prefix", agent, 0, `text:refu*`, ids(f.title, f.desc, f.public, f.internal, f.both, f.weak, f.other), true},
			{"every term, anywhere in the ticket", agent, 0, "invoice yesterday", nil, true},
			{"terms across title and comment", agent, 0, "order bank", ids(f.public), true},
			{"any of the values", agent, 0, "text:yesterday,quietly", ids(f.public, f.both), true},
			{"negated (a deleted comment says nothing)", agent, 0, "-text:refund", ids(f.deleted), true},
			{"deleted comments say nothing", agent, 0, "transfer", ids(f.public), true},
			{"case folded", agent, 0, "REFUND text:Bank", ids(f.public), true},
		}
		for _, c := range cases {
			got, _ := search(t, db, c.scope, c.cust, c.q)
			if c.sorted {
				slices.Sort(got)
				slices.Sort(c.want)
			} else if len(got) > len(c.want) {
				got = got[:len(c.want)]
			}
			if !slices.Equal(got, c.want) {
				t.Errorf("%s: %s = %v, want %v", c.name, c.q, got, c.want)
			}
		}
		// Ranking: the title beats the description, which beats a short
		// comment, which beats a long one.
		got, page := search(t, db, customer, acme.ID, "refund")
		if want := ids(f.title, f.desc, f.public, f.weak); !slices.Equal(got, want) {
			t.Errorf("ranking: %v, want %v", got, want)
		}
		if s := page.Snippets[f.public.ID]; !strings.Contains(s, domain.HitStart+"refund"+domain.HitEnd) || !strings.Contains(s, "yesterday") {
			t.Errorf("snippet of the comment: %q", s)
		}
		if s := page.Snippets[f.desc.ID]; !strings.Contains(s, domain.HitStart+"refund"+domain.HitEnd) {
			t.Errorf("snippet of the description: %q", s)
		}
		if s, ok := page.Snippets[f.title.ID]; ok {
			t.Errorf("a title match needs no snippet: %q", s)
		}
		// An agent reads the note's line; a customer never does.
		_, page = search(t, db, agent, 0, "finance")
		if s := page.Snippets[f.both.ID]; !strings.Contains(s, "quietly") {
			t.Errorf("agent snippet of the note: %q", s)
		}
		// An explicit sort wins over the rank.
		got, _ = search(t, db, agent, 0, "refund sort:created")
		if want := ids(f.title, f.desc, f.public, f.internal, f.both, f.weak, f.other); !slices.Equal(got, want) {
			t.Errorf("sort:created: %v, want %v", got, want)
		}
	})
}

// Edits reach the index in the writing transaction.
func TestSearchFollowsEdits(t *testing.T) {
	storagetest.ForEach(t, func(t *testing.T, db *storage.DB) {
		ctx := context.Background()
		acme := seedCustomer(t, db, "ACME")
		tk := seedTicket(t, db, acme, "Printer jammed")
		c := &domain.Comment{TicketID: tk.ID, AuthorRole: domain.RoleAgent, Body: "toner", Public: true, Channel: "slack"}
		update(t, db, func(tx domain.Tx) error { return tx.AddComment(ctx, c) })
		update(t, db, func(tx domain.Tx) error {
			tk.Title, tk.Description = "Scanner jammed", "paper"
			c.Body = "drum"
			return errorsJoin(tx.UpdateTicket(ctx, tk), tx.UpdateComment(ctx, c))
		})
		for q, n := range map[string]int{"printer": 0, "scanner": 1, "paper": 1, "toner": 0, "drum": 1} {
			if got, _ := search(t, db, domain.Scope{}, 0, q); len(got) != n {
				t.Errorf("%s: %d tickets, want %d", q, len(got), n)
			}
		}
	})
}

func errorsJoin(errs ...error) error {
	for _, e := range errs {
		if e != nil {
			return e
		}
	}
	return nil
}

// Whatever a person types, the search runs and injects nothing.
func TestSearchHostileInput(t *testing.T) {
	storagetest.ForEach(t, func(t *testing.T, db *storage.DB) {
		acme := seedCustomer(t, db, "ACME")
		seedTicket(t, db, acme, `NEAR(a b) title:x "quoted" it's back\slash * & | ! <-> :* ^ {col} -`)
		inputs := []string{"*", "**", `""`, `" "`, `"`, "& | ! ( ) <-> :*", "it's", `back\slash`, `NEAR(a b)`, "NEAR",
			"title:secret", "description:x", "{title description}:x", `a" OR "b`, `'); DROP TABLE tickets; --`,
			"x AND y", "NOT x", "x OR y", "^start", "a:*", "a:* & b", "!x", "x <-> y", "x <2> y", "'", `\`, `\'`,
			"foo-bar", "a@b.com", "déjà", "日本語", "+x", "-", "x*y*", "(", ")", `"x"*`, `"*"`, "\x00"}
		for _, in := range inputs {
			for _, q := range []string{"text:" + quoteText(in), quoteText(in)} {
				search(t, db, domain.Scope{}, 0, q) // fails the test on error
				search(t, db, domain.Scope{Customer: true, CustomerID: acme.ID}, acme.ID, q)
			}
		}
		if got, _ := search(t, db, domain.Scope{}, 0, `text:"\"near(a b)\""`); len(got) != 1 {
			t.Errorf("a phrase with brackets: %d tickets", len(got))
		}
	})
}

// quoteText quotes s for the query language.
func quoteText(s string) string {
	return `"` + strings.NewReplacer(`\`, `\\`, `"`, `\"`).Replace(s) + `"`
}

// A database made before the index gets every ticket and comment indexed
// by the migration; and the migration rolls back and forth.
func TestSearchMigrationBackfills(t *testing.T) {
	for _, dialect := range storagetest.Dialects {
		t.Run(dialect, func(t *testing.T) {
			ctx := context.Background()
			db := openAtVersion(t, dialect, 28)
			acme := seedCustomer(t, db, "ACME")
			tk := &domain.Ticket{CustomerID: acme.ID, Title: "Old ticket", Description: "about a lost parcel", Type: "question",
				Status: "new", Priority: "normal", Source: domain.SourceCLI, CreatedBy: "U1"}
			update(t, db, func(tx domain.Tx) error { return tx.CreateTicket(ctx, tk) })
			update(t, db, func(tx domain.Tx) error {
				return tx.AddComment(ctx, &domain.Comment{TicketID: tk.ID, AuthorRole: domain.RoleAgent, Body: "the courier found it", Public: true, Channel: "slack"})
			})
			if _, err := db.Migrate(ctx); err != nil {
				t.Fatal(err)
			}
			for _, q := range []string{"old", "parcel", "courier", `"found it"`} {
				if got, _ := search(t, db, domain.Scope{}, 0, q); len(got) != 1 {
					t.Errorf("after the migration, %s: %d tickets", q, len(got))
				}
			}
			if err := db.MigrateDownTo(ctx, 28); err != nil {
				t.Fatalf("down: %v", err)
			}
			if _, err := db.Migrate(ctx); err != nil {
				t.Fatalf("up again: %v", err)
			}
			if got, _ := search(t, db, domain.Scope{}, 0, "courier"); len(got) != 1 {
				t.Errorf("after down and up: %d tickets", len(got))
			}
		})
	}
}

// A language change rebuilds the PostgreSQL index: english stems.
func TestSearchLanguage(t *testing.T) {
	db := storagetest.Open(t, storage.Postgres)
	ctx := context.Background()
	acme := seedCustomer(t, db, "ACME")
	seedTicket(t, db, acme, "Printers are jamming")
	if got, _ := search(t, db, domain.Scope{}, 0, "jam"); len(got) != 0 {
		t.Fatalf("simple does not stem: %d", len(got))
	}
	if err := db.SetSearchLanguage(ctx, "english"); err != nil {
		t.Fatal(err)
	}
	if got, _ := search(t, db, domain.Scope{}, 0, "jam printer"); len(got) != 1 {
		t.Errorf("english stems: %d", len(got))
	}
	if err := db.SetSearchLanguage(ctx, "klingon"); domain.ErrorCode(err) != domain.EINVALID {
		t.Errorf("unknown language: %v", err)
	}
}
