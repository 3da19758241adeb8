package storage_test

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/deskbot/deskbot/domain"
	"github.com/deskbot/deskbot/storage"
	"github.com/deskbot/deskbot/storage/storagetest"
)

var t0 = time.Date(2026, 11, 27, 9, 30, 15, 123456000, time.UTC)

func update(t *testing.T, db *storage.DB, fn func(tx domain.Tx) error) {
	t.Helper()
	if err := db.Update(context.Background(), fn); err != nil {
		t.Fatal(err)
	}
}

func seedCustomer(t *testing.T, db *storage.DB, key string) *domain.Customer {
	t.Helper()
	p := &domain.Customer{Key: key, Name: key + " Inc", TimeZone: "Europe/Paris", EmailDomains: "acme.com, acme.io"}
	update(t, db, func(tx domain.Tx) error { return tx.CreateCustomer(context.Background(), p) })
	return p
}

func seedTicket(t *testing.T, db *storage.DB, p *domain.Customer, title string) *domain.Ticket {
	t.Helper()
	tk := &domain.Ticket{CustomerID: p.ID, Title: title, Type: "question", Status: "new", Priority: "normal", Source: domain.SourceCLI, CreatedBy: "U1"}
	update(t, db, func(tx domain.Tx) error { return tx.CreateTicket(context.Background(), tk) })
	return tk
}

func TestCustomers(t *testing.T) {
	storagetest.ForEach(t, func(t *testing.T, db *storage.DB) {
		ctx := context.Background()
		p := seedCustomer(t, db, "ACME")
		err := db.Update(ctx, func(tx domain.Tx) error {
			return tx.CreateCustomer(ctx, &domain.Customer{Key: "ACME", Name: "Other"})
		})
		if domain.ErrorCode(err) != domain.ECONFLICT {
			t.Fatalf("duplicate key: got %v, want conflict", err)
		}
		update(t, db, func(tx domain.Tx) error {
			p.ChannelID, p.Tier, p.HourlyRate, p.CurrentVersion = "C1", "gold", 15000, "4.2.1"
			if err := tx.UpdateCustomer(ctx, p); err != nil {
				return err
			}
			return tx.AddVersionChange(ctx, &domain.VersionChange{CustomerID: p.ID, Version: "4.2.1", Since: t0, RecordedBy: "U1"})
		})
		_ = db.View(ctx, func(tx domain.Tx) error {
			for name, get := range map[string]func() (*domain.Customer, error){
				"by id":      func() (*domain.Customer, error) { return tx.Customer(ctx, p.ID) },
				"by key":     func() (*domain.Customer, error) { return tx.CustomerByKey(ctx, "acme") },
				"by channel": func() (*domain.Customer, error) { return tx.CustomerByChannel(ctx, "C1") },
				"by domain":  func() (*domain.Customer, error) { return tx.CustomerByDomain(ctx, "ACME.io") },
			} {
				got, err := get()
				if err != nil || got.ID != p.ID || got.Tier != "gold" || got.HourlyRate != 15000 || !got.CreatedAt.Equal(p.CreatedAt) {
					t.Errorf("%s: got %+v, %v", name, got, err)
				}
			}
			if _, err := tx.CustomerByDomain(ctx, "cme.io"); domain.ErrorCode(err) != domain.ENOTFOUND {
				t.Errorf("domain suffix must not match: %v", err)
			}
			if _, err := tx.CustomerByChannel(ctx, ""); domain.ErrorCode(err) != domain.ENOTFOUND {
				t.Errorf("empty channel must not match: %v", err)
			}
			vs, err := tx.VersionChanges(ctx, p.ID)
			if err != nil || len(vs) != 1 || vs[0].Version != "4.2.1" || !vs[0].Since.Equal(t0) {
				t.Errorf("versions: %+v %v", vs, err)
			}
			ps, err := tx.Customers(ctx)
			if err != nil || len(ps) != 1 {
				t.Errorf("customers: %v %v", ps, err)
			}
			return nil
		})
	})
}

func TestTicketRoundTrip(t *testing.T) {
	for _, dialect := range storagetest.Dialects {
		t.Run(dialect, func(t *testing.T) { testTicketRoundTrip(t, dialect) })
	}
}

func testTicketRoundTrip(t *testing.T, dialect string) {
	clock := storagetest.NewClock(t0)
	db := storagetest.Open(t, dialect, storage.WithClock(clock.Now))
	{
		ctx := context.Background()
		p := seedCustomer(t, db, "ACME")
		paris, _ := time.LoadLocation("Europe/Paris")
		due := time.Date(2026, 11, 28, 17, 0, 0, 999, paris) // ns are below what PostgreSQL keeps
		tk := &domain.Ticket{CustomerID: p.ID, Title: "Login fails <!channel>", Description: "é ✔ 漢字",
			Type: "bug", Status: "new", Priority: "high", Severity: "major", RequesterID: "U2",
			RequesterEmail: "jo@acme.com", AssigneeID: "U3", Version: "4.2.1",
			Fields: domain.Fields{"environment": "production", "version": "4.2.1"},
			Source: domain.SourceModal, SourceRef: "C1/1.2", SLAPolicy: "gold", SLADueAt: &due, CreatedBy: "U2"}
		update(t, db, func(tx domain.Tx) error { return tx.CreateTicket(ctx, tk) })
		if tk.Key() != "ACME-1" || !tk.CreatedAt.Equal(t0.Truncate(time.Microsecond)) {
			t.Fatalf("created %s at %v", tk.Key(), tk.CreatedAt)
		}
		var got *domain.Ticket
		_ = db.View(ctx, func(tx domain.Tx) (err error) { got, err = tx.TicketByKey(ctx, "acme-1"); return })
		if got == nil || got.Title != tk.Title || got.Description != tk.Description || got.Fields["environment"] != "production" {
			t.Fatalf("read back %+v", got)
		}
		wantDue := due.UTC().Truncate(time.Microsecond)
		if *got.SLADueAt != wantDue || got.CreatedAt != tk.CreatedAt || got.CreatedAt.Location() != time.UTC {
			t.Errorf("times must round-trip exactly in UTC: due %v want %v, created %v want %v", *got.SLADueAt, wantDue, got.CreatedAt, tk.CreatedAt)
		}
		if got.ResolvedAt != nil || got.FirstResponseAt != nil {
			t.Errorf("nil times must stay nil: %+v", got)
		}
		clock.Advance(time.Hour)
		update(t, db, func(tx domain.Tx) error {
			tk, err := tx.Ticket(ctx, tk.ID)
			if err != nil {
				return err
			}
			now := tx.Now()
			tk.Status, tk.ResolvedAt, tk.SlackChannel, tk.SlackTS = "resolved", &now, "C9", "123.456"
			return tx.UpdateTicket(ctx, tk)
		})
		_ = db.View(ctx, func(tx domain.Tx) error {
			got, err := tx.TicketByCard(ctx, "C9", "123.456")
			if err != nil || got.Status != "resolved" || !got.ResolvedAt.Equal(t0.Add(time.Hour).Truncate(time.Microsecond)) {
				t.Errorf("by card: %+v %v", got, err)
			}
			if _, err := tx.TicketByKey(ctx, "ACME-2"); domain.ErrorCode(err) != domain.ENOTFOUND || domain.ErrorMessage(err) != "Ticket ACME-2 not found." {
				t.Errorf("missing ticket: %v", err)
			}
			if _, err := tx.TicketByKey(ctx, "nonsense"); domain.ErrorCode(err) != domain.EINVALID {
				t.Errorf("bad key: %v", err)
			}
			return nil
		})
	}
}

func TestFindTickets(t *testing.T) {
	storagetest.ForEach(t, func(t *testing.T, db *storage.DB) {
		ctx := context.Background()
		acme, globex := seedCustomer(t, db, "ACME"), seedCustomer(t, db, "GLOBEX")
		for i := 0; i < 5; i++ {
			seedTicket(t, db, acme, fmt.Sprint("a", i))
		}
		g := seedTicket(t, db, globex, "g")
		update(t, db, func(tx domain.Tx) error {
			g.AssigneeID, g.Status = "U7", "open"
			return tx.UpdateTicket(ctx, g)
		})
		u7, none := "U7", ""
		_ = db.View(ctx, func(tx domain.Tx) error {
			for _, c := range []struct {
				name string
				f    domain.TicketFilter
				want []string
			}{
				{"customer", domain.TicketFilter{CustomerID: acme.ID, Limit: 2}, []string{"ACME-5", "ACME-4"}},
				{"page 2", domain.TicketFilter{CustomerID: acme.ID, Limit: 2, Offset: 2}, []string{"ACME-3", "ACME-2"}},
				{"assignee", domain.TicketFilter{AssigneeID: &u7}, []string{"GLOBEX-1"}},
				{"unassigned open", domain.TicketFilter{AssigneeID: &none, Statuses: []string{"open"}}, nil},
				{"statuses", domain.TicketFilter{Statuses: []string{"open", "closed"}}, []string{"GLOBEX-1"}},
			} {
				ts, err := tx.FindTickets(ctx, c.f)
				var keys []string
				for _, tk := range ts {
					keys = append(keys, tk.Key())
				}
				if err != nil || fmt.Sprint(keys) != fmt.Sprint(c.want) {
					t.Errorf("%s: got %v %v, want %v", c.name, keys, err, c.want)
				}
			}
			if n, err := tx.CountTickets(ctx, domain.TicketFilter{CustomerID: acme.ID}); n != 5 || err != nil {
				t.Errorf("count %d %v", n, err)
			}
			return nil
		})
	})
}

func TestRollbackOnError(t *testing.T) {
	storagetest.ForEach(t, func(t *testing.T, db *storage.DB) {
		ctx := context.Background()
		p := seedCustomer(t, db, "ACME")
		boom := errors.New("boom")
		err := db.Update(ctx, func(tx domain.Tx) error {
			tk := &domain.Ticket{CustomerID: p.ID, Title: "x", Type: "q", Status: "new", Priority: "low", Source: "cli", CreatedBy: "U"}
			if err := tx.CreateTicket(ctx, tk); err != nil {
				return err
			}
			if err := tx.AddEvent(ctx, &domain.Event{TicketID: tk.ID, Actor: "U", Channel: "cli", Kind: domain.EventCreated}); err != nil {
				return err
			}
			return boom
		})
		if !errors.Is(err, boom) {
			t.Fatalf("got %v", err)
		}
		// The number went back: the next ticket is ACME-1, and nothing else stayed.
		if tk := seedTicket(t, db, p, "y"); tk.Key() != "ACME-1" {
			t.Errorf("after rollback the next key is %s", tk.Key())
		}
		_ = db.View(ctx, func(tx domain.Tx) error {
			if n, _ := tx.CountTickets(ctx, domain.TicketFilter{}); n != 1 {
				t.Errorf("%d tickets after rollback", n)
			}
			return nil
		})
	})
}

func TestConcurrentTicketNumbers(t *testing.T) {
	storagetest.ForEach(t, func(t *testing.T, db *storage.DB) {
		p := seedCustomer(t, db, "ACME")
		const n = 50
		var wg sync.WaitGroup
		nums := make(chan int64, n)
		errs := make(chan error, n)
		for i := 0; i < n; i++ {
			wg.Add(1)
			go func() {
				defer wg.Done()
				tk := &domain.Ticket{CustomerID: p.ID, Title: "t", Type: "q", Status: "new", Priority: "low", Source: "cli", CreatedBy: "U"}
				err := db.Update(context.Background(), func(tx domain.Tx) error { return tx.CreateTicket(context.Background(), tk) })
				if err != nil {
					errs <- err
					return
				}
				nums <- tk.Number
			}()
		}
		wg.Wait()
		close(nums)
		close(errs)
		for err := range errs {
			t.Error(err)
		}
		var got []int
		for v := range nums {
			got = append(got, int(v))
		}
		sort.Ints(got)
		for i, v := range got {
			if v != i+1 {
				t.Fatalf("numbers have a gap or duplicate: %v", got)
			}
		}
		if len(got) != n {
			t.Fatalf("%d tickets created", len(got))
		}
	})
}

func TestCommentsEventsLinks(t *testing.T) {
	storagetest.ForEach(t, func(t *testing.T, db *storage.DB) {
		ctx := context.Background()
		p := seedCustomer(t, db, "ACME")
		a, b := seedTicket(t, db, p, "a"), seedTicket(t, db, p, "b")
		c := &domain.Comment{TicketID: a.ID, AuthorID: "U1", AuthorRole: domain.RoleAgent, Body: "hi", Public: true, Channel: "slack", SourceRef: "1.1"}
		update(t, db, func(tx domain.Tx) error { return tx.AddComment(ctx, c) })
		err := db.Update(ctx, func(tx domain.Tx) error {
			return tx.AddComment(ctx, &domain.Comment{TicketID: a.ID, AuthorRole: "agent", Body: "again", Channel: "slack", SourceRef: "1.1"})
		})
		if domain.ErrorCode(err) != domain.ECONFLICT {
			t.Errorf("same source twice: %v", err)
		}
		err = db.Update(ctx, func(tx domain.Tx) error {
			return tx.AddComment(ctx, &domain.Comment{TicketID: 999, AuthorRole: "agent", Body: "x", Channel: "slack"})
		})
		if domain.ErrorCode(err) != domain.ENOTFOUND {
			t.Errorf("comment on missing ticket: %v", err)
		}
		update(t, db, func(tx domain.Tx) error {
			c.Body = "edited"
			if err := tx.UpdateComment(ctx, c); err != nil {
				return err
			}
			if err := tx.AddEvent(ctx, &domain.Event{TicketID: a.ID, Actor: "U1", Channel: "slack", Kind: domain.EventStatus, Field: "status", OldValue: "new", NewValue: "open"}); err != nil {
				return err
			}
			return tx.AddLink(ctx, &domain.Link{FromID: a.ID, ToID: b.ID, Kind: domain.LinkBlocks})
		})
		err = db.Update(ctx, func(tx domain.Tx) error {
			return tx.AddLink(ctx, &domain.Link{FromID: a.ID, ToID: b.ID, Kind: domain.LinkBlocks})
		})
		if domain.ErrorCode(err) != domain.ECONFLICT {
			t.Errorf("same link twice: %v", err)
		}
		err = db.Update(ctx, func(tx domain.Tx) error {
			return tx.AddLink(ctx, &domain.Link{FromID: a.ID, ToID: 424242, Kind: domain.LinkBlocks})
		})
		if domain.ErrorCode(err) != domain.ENOTFOUND {
			t.Errorf("link to missing ticket: %v", err)
		}
		_ = db.View(ctx, func(tx domain.Tx) error {
			got, err := tx.CommentBySource(ctx, a.ID, "1.1")
			if err != nil || got.Body != "edited" || !got.Public {
				t.Errorf("comment: %+v %v", got, err)
			}
			cs, _ := tx.Comments(ctx, a.ID)
			es, _ := tx.Events(ctx, a.ID)
			lb, _ := tx.Links(ctx, b.ID)
			if len(cs) != 1 || len(es) != 1 || es[0].NewValue != "open" || len(lb) != 1 || lb[0].FromID != a.ID {
				t.Errorf("comments %d events %+v links %+v", len(cs), es, lb)
			}
			return nil
		})
	})
}

func TestOneRunningTimer(t *testing.T) {
	storagetest.ForEach(t, func(t *testing.T, db *storage.DB) {
		ctx := context.Background()
		p := seedCustomer(t, db, "ACME")
		tk := seedTicket(t, db, p, "a")
		start := func() error {
			return db.Update(ctx, func(tx domain.Tx) error {
				return tx.CreateTimeEntry(ctx, &domain.TimeEntry{TicketID: tk.ID, UserID: "U1", StartedAt: tx.Now(), Billable: true, Source: domain.TimeFromTimer})
			})
		}
		var wg sync.WaitGroup
		results := make([]error, 2)
		for i := range results {
			wg.Add(1)
			go func() { defer wg.Done(); results[i] = start() }()
		}
		wg.Wait()
		ok, conflicts := 0, 0
		for _, err := range results {
			switch domain.ErrorCode(err) {
			case "":
				ok++
			case domain.ECONFLICT:
				conflicts++
			default:
				t.Errorf("unexpected: %v", err)
			}
		}
		if ok != 1 || conflicts != 1 {
			t.Fatalf("two concurrent starts: %d started, %d refused", ok, conflicts)
		}
		err := db.Update(ctx, func(tx domain.Tx) error {
			return tx.CreateTimeEntry(ctx, &domain.TimeEntry{TicketID: 9999, UserID: "U2", StartedAt: tx.Now(), Source: "timer"})
		})
		if domain.ErrorCode(err) != domain.ENOTFOUND {
			t.Errorf("timer on missing ticket: %v", err)
		}
		update(t, db, func(tx domain.Tx) error {
			e, err := tx.RunningTimer(ctx, "U1")
			if err != nil {
				return err
			}
			end := e.StartedAt.Add(90 * time.Minute)
			e.EndedAt, e.Seconds = &end, 5400
			return tx.UpdateTimeEntry(ctx, e)
		})
		running := false
		_ = db.View(ctx, func(tx domain.Tx) error {
			if _, err := tx.RunningTimer(ctx, "U1"); domain.ErrorCode(err) != domain.ENOTFOUND {
				t.Errorf("stopped timer still running: %v", err)
			}
			es, err := tx.TimeEntries(ctx, domain.TimeFilter{CustomerID: p.ID, Running: &running, From: t0.Add(-time.Hour)})
			if err != nil || len(es) != 1 || es[0].Seconds != 5400 || !es[0].Billable {
				t.Errorf("entries: %+v %v", es, err)
			}
			return nil
		})
		if err := start(); err != nil {
			t.Errorf("a new timer after stopping: %v", err)
		}
	}, storage.WithClock(func() time.Time { return t0 }))
}

func TestOutbox(t *testing.T) {
	for _, dialect := range storagetest.Dialects {
		t.Run(dialect, func(t *testing.T) { testOutbox(t, dialect) })
	}
}

func testOutbox(t *testing.T, dialect string) {
	clock := storagetest.NewClock(t0)
	db := storagetest.Open(t, dialect, storage.WithClock(clock.Now))
	{
		ctx := context.Background()
		update(t, db, func(tx domain.Tx) error {
			for i := 0; i < 3; i++ { // coalesced into one pending card refresh
				if err := tx.Enqueue(ctx, &domain.OutboxMessage{Kind: domain.OutboxCard, Payload: `{"ticket_id":1}`, DedupKey: domain.CardDedupKey(1)}); err != nil {
					return err
				}
			}
			return tx.Enqueue(ctx, &domain.OutboxMessage{Kind: domain.OutboxSlackPost, Payload: `{}`})
		})
		if n, _ := db.OutboxPending(ctx); n != 2 {
			t.Fatalf("pending %d, want 2", n)
		}
		ms, err := db.ClaimOutbox(ctx, "", []string{domain.OutboxCard}, 10, time.Minute)
		if err != nil || len(ms) != 1 || ms[0].Attempts != 1 {
			t.Fatalf("claim: %+v %v", ms, err)
		}
		// Leased: invisible to a second claimer until the lease runs out.
		if again, _ := db.ClaimOutbox(ctx, "", []string{domain.OutboxCard}, 10, time.Minute); len(again) != 0 {
			t.Fatalf("claimed twice: %+v", again)
		}
		if err := db.OutboxFailed(ctx, ms[0].ID, "slack down", t0.Add(30*time.Second)); err != nil {
			t.Fatal(err)
		}
		clock.Advance(31 * time.Second)
		ms, _ = db.ClaimOutbox(ctx, "", []string{domain.OutboxCard}, 10, time.Minute)
		if len(ms) != 1 || ms[0].Attempts != 2 || ms[0].LastError != "slack down" {
			t.Fatalf("retry claim: %+v", ms)
		}
		if err := db.OutboxDelivered(ctx, ms[0].ID); err != nil {
			t.Fatal(err)
		}
		// Once delivered, a new refresh for the same ticket queues again.
		update(t, db, func(tx domain.Tx) error {
			return tx.Enqueue(ctx, &domain.OutboxMessage{Kind: domain.OutboxCard, Payload: `{}`, DedupKey: domain.CardDedupKey(1)})
		})
		if n, _ := db.OutboxPending(ctx); n != 2 {
			t.Errorf("pending %d, want 2", n)
		}
	}
}

func TestMarkProcessed(t *testing.T) {
	storagetest.ForEach(t, func(t *testing.T, db *storage.DB) {
		ctx := context.Background()
		for i, want := range []bool{true, false} {
			update(t, db, func(tx domain.Tx) error {
				first, err := tx.MarkProcessed(ctx, "slack", "Ev1")
				if first != want {
					t.Errorf("call %d: first=%v", i, first)
				}
				return err
			})
		}
	})
}

// RecordInput keeps the first result; a second record fails with
// ErrInputSeen at the call, and its transaction keeps nothing, whether the
// records are in two transactions or one.
func TestRecordInput(t *testing.T) {
	storagetest.ForEach(t, func(t *testing.T, db *storage.DB) {
		ctx := context.Background()
		p := seedCustomer(t, db, "ACME")
		update(t, db, func(tx domain.Tx) error { return tx.RecordInput(ctx, "ticket", "Env1", "ACME-1") })
		err := db.Update(ctx, func(tx domain.Tx) error {
			tk := &domain.Ticket{CustomerID: p.ID, Title: "Again", Type: "question", Status: "new", Priority: "normal", Source: domain.SourceCLI, CreatedBy: "U1"}
			if err := tx.CreateTicket(ctx, tk); err != nil {
				return err
			}
			if err := tx.AddEvent(ctx, &domain.Event{TicketID: tk.ID, Actor: "U1", Kind: domain.EventCreated}); err != nil {
				return err
			}
			if err := tx.Enqueue(ctx, &domain.OutboxMessage{Kind: domain.OutboxCard, Payload: `{}`, DedupKey: domain.CardDedupKey(tk.ID)}); err != nil {
				return err
			}
			err := tx.RecordInput(ctx, "ticket", "Env1", tk.Key())
			if !errors.Is(err, domain.ErrInputSeen) {
				t.Errorf("second record, at the call: %v, want ErrInputSeen", err)
			}
			return err
		})
		if !errors.Is(err, domain.ErrInputSeen) {
			t.Errorf("second record: %v, want ErrInputSeen", err)
		}
		err = db.Update(ctx, func(tx domain.Tx) error {
			if err := tx.RecordInput(ctx, "ticket", "Env2", "ACME-2"); err != nil {
				return err
			}
			err := tx.RecordInput(ctx, "ticket", "Env2", "ACME-3")
			if !errors.Is(err, domain.ErrInputSeen) {
				t.Errorf("two records in one transaction, at the call: %v, want ErrInputSeen", err)
			}
			return err
		})
		if !errors.Is(err, domain.ErrInputSeen) {
			t.Errorf("two records in one transaction: %v, want ErrInputSeen", err)
		}
		_ = db.View(ctx, func(tx domain.Tx) error {
			if got, err := tx.ProcessedResult(ctx, "ticket", "Env1"); err != nil || got != "ACME-1" {
				t.Errorf("result %q %v, want the first record's ACME-1", got, err)
			}
			if _, err := tx.ProcessedResult(ctx, "ticket", "Env2"); domain.ErrorCode(err) != domain.ENOTFOUND {
				t.Errorf("Env2 after its transaction failed: %v, want not found", err)
			}
			if n, err := tx.CountTickets(ctx, domain.TicketFilter{}); err != nil || n != 0 {
				t.Errorf("%d tickets (%v): the redelivery's ticket was kept", n, err)
			}
			if n, _ := db.OutboxPending(ctx); n != 0 {
				t.Errorf("%d outbox messages: the redelivery's card was kept", n)
			}
			return nil
		})
		for i, want := range []bool{true, false} {
			update(t, db, func(tx domain.Tx) error {
				first, err := tx.MarkProcessed(ctx, "slack-event", "Ev1")
				if first != want {
					t.Errorf("MarkProcessed call %d: first=%v", i, first)
				}
				return err
			})
		}
	})
}

func TestParseURL(t *testing.T) {
	for _, c := range []struct{ in, dialect, errPart string }{
		{"", storage.SQLite, ""},
		{"sqlite:/tmp/x.db", storage.SQLite, ""},
		{"data/deskbot.db", "", `use postgres://user@host/db, libpq keywords (host=… dbname=…), or sqlite:data/deskbot.db`},
		{"host=127.0.0.1 user=postgres dbname=desk sslmode=disable", storage.Postgres, ""},
		{"postgresql://u@h/db", storage.Postgres, ""},
		{"postgres://u@h/db?sslmode=disable", storage.Postgres, ""},
		{"mysql://u@h/db", "", "unsupported database \"mysql\""},
		{"sqlite:", "", "needs a file path"},
		{"sqlite:x.db?mode=ro", "", "plain file path"},
	} {
		d, dsn, err := storage.ParseURL(c.in)
		if c.errPart != "" {
			if err == nil || !contains(err.Error(), c.errPart) {
				t.Errorf("%q: err %v, want %q", c.in, err, c.errPart)
			}
			continue
		}
		if err != nil || d != c.dialect {
			t.Errorf("%q: %s %s %v", c.in, d, dsn, err)
		}
		if d == storage.Postgres && !contains(dsn, "timezone=UTC") {
			t.Errorf("postgres DSN must pin the session to UTC: %s", dsn)
		}
	}
}

func contains(s, sub string) bool { return strings.Contains(s, sub) }
