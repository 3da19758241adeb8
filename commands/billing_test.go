package commands_test

import (
	"bytes"
	"context"
	"encoding/csv"
	"math"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/deskbot/deskbot/commands"
	"github.com/deskbot/deskbot/domain"
)

// billingFixture logs a hand-computed October for ACME (UTC) at 100.00/h,
// rounded up to 15 minutes, at least 30 minutes per ticket; agent2 bills
// 150.00/h and incidents 200.00/h (the engineer's rate wins):
//
//	ACME-1 question  agent  Oct  1  20m          → 30m @100 =  50.00
//	ACME-1 question  agent2 Oct  6  50m          → 60m @150 = 150.00
//	ACME-2 incident  agent  Oct  7  10m          → 15m +15m minimum @200 = 100.00
//	ACME-1 question  agent  Oct 20  30m not billable
//	ACME-3 question  agent2 Oct 31  1h05         → 75m @150 = 187.50
//	ACME-1           agent  Oct 15  1h deleted; ACME-1 agent Nov 2 1h: outside
//
// October: 5 entries, 175m worked, 145m billable, 195m billed, 487.50.
func billingFixture(t *testing.T, e *env) {
	t.Helper()
	ctx := context.Background()
	e.svc.SetConfig(leadConfig(func(c *domain.Config) {
		c.Time.Rates.Engineers = map[string]domain.Money{agent2.UserID: 15000}
		c.Time.Rates.Types = map[string]domain.Money{"incident": 20000}
		c.Time.Currency = "EUR"
	}))
	_, err := e.svc.SetBillingTerms(ctx, agent, "acme", commands.BillingTerms{HourlyRate: ptr[int64](10000), RoundMinutes: ptr[int64](15), MinMinutes: ptr[int64](30)})
	if err != nil {
		t.Fatal(err)
	}
	e.ticket(t, commands.TicketInput{Title: "Login fails"})
	e.ticket(t, commands.TicketInput{Title: "Outage", Type: "incident"})
	e.ticket(t, commands.TicketInput{Title: "=HYPERLINK(\"http://x\")"})
	oct := func(d int) time.Time { return time.Date(2026, 10, d, 0, 0, 0, 0, time.UTC) }
	e.log(t, agent, commands.LogTimeInput{Key: "ACME-1", Duration: "20m", Date: oct(1), Note: "first look"})
	e.log(t, agent2, commands.LogTimeInput{Key: "ACME-1", Duration: "50m", Date: oct(6), Note: "-fix, \"quoted\""})
	e.log(t, agent, commands.LogTimeInput{Key: "ACME-2", Duration: "10m", Date: oct(7)})
	e.log(t, agent, commands.LogTimeInput{Key: "ACME-1", Duration: "30m", Date: oct(20), Billable: ptr(false)})
	e.log(t, agent2, commands.LogTimeInput{Key: "ACME-3", Duration: "1h05", Date: oct(31)})
	del := e.log(t, agent, commands.LogTimeInput{Key: "ACME-1", Duration: "1h", Date: oct(15)})
	if _, err := e.svc.DeleteTime(ctx, agent, del.ID); err != nil {
		t.Fatal(err)
	}
	e.log(t, agent, commands.LogTimeInput{Key: "ACME-1", Duration: "1h", Date: time.Date(2026, 11, 2, 0, 0, 0, 0, time.UTC)})
}

func TestReport(t *testing.T) {
	forEach(t, func(t *testing.T, e *env) {
		ctx := context.Background()
		billingFixture(t, e)
		r, err := e.svc.ReportPeriod(ctx, agent, "acme", "2026-10")
		if err != nil {
			t.Fatal(err)
		}
		if r.Period.Label != "October 2026" || r.Currency != "EUR" || len(r.Lines) != 5 {
			t.Fatalf("report %+v", r)
		}
		if tot := r.Total; tot.Entries != 5 || tot.Seconds != 175*60 || tot.BillableSeconds != 145*60 || tot.BilledSeconds != 195*60 || tot.Amount != 48750 {
			t.Errorf("total %+v", tot)
		}
		tickets := []struct {
			key             string
			seconds, billed int64
			amount          int64
		}{{"ACME-1", 100 * 60, 90 * 60, 20000}, {"ACME-2", 10 * 60, 30 * 60, 10000}, {"ACME-3", 65 * 60, 75 * 60, 18750}}
		if len(r.Tickets) != len(tickets) {
			t.Fatalf("tickets %+v", r.Tickets)
		}
		for i, w := range tickets {
			g := r.Tickets[i]
			if g.Key != w.key || g.Seconds != w.seconds || g.BilledSeconds != w.billed || g.Amount != w.amount {
				t.Errorf("ticket %d: %+v, want %+v", i, g, w)
			}
		}
		if len(r.Engineers) != 2 || r.Engineers[0].Key != agent2.UserID || r.Engineers[0].Seconds != 115*60 || r.Engineers[0].Amount != 33750 ||
			r.Engineers[1].Seconds != 60*60 || r.Engineers[1].Amount != 15000 || r.Engineers[1].NonBillableSeconds() != 30*60 {
			t.Errorf("engineers %+v", r.Engineers)
		}
		weeks := []int64{20, 60, 0, 30, 65}
		for i, w := range r.Weeks {
			if i >= len(weeks) || w.Seconds != weeks[i]*60 {
				t.Errorf("week %d %v: %ds", i, w.Start, w.Seconds)
			}
		}
		if len(r.Weeks) != len(weeks) {
			t.Errorf("%d weeks", len(r.Weeks))
		}

		// The same month asked as a range, and as last-month from November.
		for _, p := range []string{"2026-10-01..2026-10-31", "last-month"} {
			r2, err := e.svc.ReportPeriod(ctx, agent, "ACME", p)
			if err != nil || r2.Total != r.Total {
				t.Errorf("%s: %+v %v", p, r2.Total, err)
			}
		}
		if r, err := e.svc.Report(ctx, agent, "ACME", time.Date(2026, 10, 6, 0, 0, 0, 0, time.UTC), time.Date(2026, 10, 8, 0, 0, 0, 0, time.UTC)); err != nil ||
			r.Total.Entries != 2 || r.Total.Amount != 15000+10000 || r.Period.Label != "2026-10-06 to 2026-10-07" {
			t.Errorf("from..to: %+v %v", r, err)
		}
		if _, err := e.svc.Timesheet(ctx, agent, "", 0, time.UTC); err != nil {
			t.Fatal(err)
		}
		// A running timer is not counted yet, but the report says it runs.
		if _, err := e.svc.StartTimer(ctx, agent, "ACME-1"); err != nil {
			t.Fatal(err)
		}
		if r, err := e.svc.ReportPeriod(ctx, agent, "ACME", "this-month"); err != nil || r.Running != 1 || r.Total.Entries != 1 {
			t.Errorf("this month: %+v %v", r, err)
		}
		for p, msg := range map[string]string{"2025-01..2026-12": "at most a year", "someday": "is not a period"} {
			if _, err := e.svc.ReportPeriod(ctx, agent, "ACME", p); !contains(domain.ErrorMessage(err), msg) {
				t.Errorf("%s: %v", p, err)
			}
		}
		if _, err := e.svc.ReportPeriod(ctx, e.cust, "ACME", "2026-10"); domain.ErrorCode(err) != domain.EFORBIDDEN {
			t.Errorf("customer: %v", err)
		}
		if _, err := e.svc.ReportPeriod(ctx, agent, "NOPE", "2026-10"); domain.ErrorCode(err) != domain.ENOTFOUND {
			t.Errorf("unknown customer: %v", err)
		}
	})
}

// The CSV an accountant imports adds up to the report: amounts to the
// cent, hours to the precision written (four places per line).
func TestReportCSVRoundTrip(t *testing.T) {
	forEach(t, func(t *testing.T, e *env) {
		ctx := context.Background()
		billingFixture(t, e)
		r, err := e.svc.ReportPeriod(ctx, agent, "ACME", "2026-10")
		if err != nil {
			t.Fatal(err)
		}
		r.Names = map[string]string{agent.UserID: "Ana"}
		var buf bytes.Buffer
		if err := commands.ReportCSV(&buf, r); err != nil {
			t.Fatal(err)
		}
		recs, err := csv.NewReader(&buf).ReadAll()
		if err != nil {
			t.Fatal(err)
		}
		if strings.Join(recs[0], ",") != strings.Join(commands.CSVHeader(), ",") || len(recs) != len(r.Lines)+1 {
			t.Fatalf("header %v, %d records", recs[0], len(recs))
		}
		col := map[string]int{}
		for i, h := range recs[0] {
			col[h] = i
		}
		var cents int64
		var hours, billed, billable float64
		for _, rec := range recs[1:] {
			cents += parseCents(t, rec[col["amount"]])
			h := parseFloat(t, rec[col["hours"]])
			hours += h
			billed += parseFloat(t, rec[col["billed_hours"]])
			if rec[col["billable"]] == "yes" {
				billable += h
			}
		}
		if cents != r.Total.Amount {
			t.Errorf("CSV amounts add up to %d cents, report says %d", cents, r.Total.Amount)
		}
		tol := 0.0001 * float64(len(r.Lines))
		for name, c := range map[string][2]float64{
			"hours":    {hours, float64(r.Total.Seconds) / 3600},
			"billed":   {billed, float64(r.Total.BilledSeconds) / 3600},
			"billable": {billable, float64(r.Total.BillableSeconds) / 3600},
		} {
			if math.Abs(c[0]-c[1]) > tol {
				t.Errorf("%s: CSV %.4f, report %.4f", name, c[0], c[1])
			}
		}
		first, second, third := recs[1], recs[2], recs[3]
		if first[col["date"]] != "2026-10-01" || first[col["ticket"]] != "ACME-1" || first[col["engineer"]] != "Ana" ||
			first[col["hours"]] != "0.3333" || first[col["billed_hours"]] != "0.5000" || first[col["rate"]] != "100.00" ||
			first[col["amount"]] != "50.00" || first[col["note"]] != "first look" || first[col["engineer_id"]] != agent.UserID {
			t.Errorf("first line %v", first)
		}
		// Free text cannot run as a formula; names fall back to IDs.
		if second[col["note"]] != `'-fix, "quoted"` || second[col["engineer"]] != agent2.UserID || second[col["rate"]] != "150.00" {
			t.Errorf("second line %v", second)
		}
		if third[col["type"]] != "incident" || third[col["rate"]] != "200.00" || third[col["billed_hours"]] != "0.5000" {
			t.Errorf("third line %v", third)
		}
		if last := recs[len(recs)-1]; last[col["title"]] != `'=HYPERLINK("http://x")` {
			t.Errorf("title not neutralised: %v", last)
		}
	})
}

func parseCents(t *testing.T, s string) int64 {
	t.Helper()
	units, frac, _ := strings.Cut(s, ".")
	u, err1 := strconv.ParseInt(units, 10, 64)
	f, err2 := strconv.ParseInt(frac, 10, 64)
	if err1 != nil || err2 != nil || len(frac) != 2 {
		t.Fatalf("amount %q", s)
	}
	return u*100 + f
}

func parseFloat(t *testing.T, s string) float64 {
	t.Helper()
	f, err := strconv.ParseFloat(s, 64)
	if err != nil {
		t.Fatal(err)
	}
	return f
}

func TestLockPeriod(t *testing.T) {
	forEach(t, func(t *testing.T, e *env) {
		ctx := context.Background()
		billingFixture(t, e)
		if _, err := e.svc.LockPeriod(ctx, agent, "ACME", "2026-10"); domain.ErrorCode(err) != domain.EFORBIDDEN {
			t.Errorf("non-lead: %v", err)
		}
		if _, err := e.svc.LockPeriod(ctx, lead, "ACME", "this-month"); !contains(domain.ErrorMessage(err), "November 2026 has not ended yet") {
			t.Errorf("current month: %v", err)
		}
		l, err := e.svc.LockPeriod(ctx, lead, "acme", "2026-10")
		if err != nil || l.Period != "2026-10" || l.Amount != 48750 || l.Entries != 5 || l.BilledSeconds != 195*60 || l.LockedBy != lead.UserID {
			t.Fatalf("lock: %+v %v", l, err)
		}
		if _, err := e.svc.LockPeriod(ctx, lead, "ACME", "last-month"); domain.ErrorCode(err) != domain.ECONFLICT {
			t.Errorf("lock twice: %v", err)
		}
		oct := time.Date(2026, 10, 12, 0, 0, 0, 0, time.UTC)
		rows, _ := e.svc.TimeEntries(ctx, agent, domain.TimeFilter{UserID: agent.UserID})
		octEntry, novEntry := rows[0], rows[len(rows)-1]
		locked := "ACME's October 2026 is locked: it was invoiced (locked on 2026-11-27)"
		for name, try := range map[string]func() error{
			"log": func() error {
				_, err := e.svc.LogTime(ctx, agent, commands.LogTimeInput{Key: "ACME-1", Duration: "1h", Date: oct})
				return err
			},
			"edit": func() error {
				_, err := e.svc.EditTime(ctx, agent, commands.EditTimeInput{EntryID: octEntry.ID, Note: ptr("changed")})
				return err
			},
			"edit by a lead": func() error {
				_, err := e.svc.EditTime(ctx, lead, commands.EditTimeInput{EntryID: octEntry.ID, Duration: "2h"})
				return err
			},
			"delete": func() error { _, err := e.svc.DeleteTime(ctx, agent, octEntry.ID); return err },
			"move into": func() error {
				_, err := e.svc.EditTime(ctx, agent, commands.EditTimeInput{EntryID: novEntry.ID, Date: oct})
				return err
			},
		} {
			if err := try(); domain.ErrorField(err) != "date" || !contains(domain.ErrorMessage(err), locked) {
				t.Errorf("%s in a locked month: %v", name, err)
			}
		}
		// Other months and other customers are open.
		if _, err := e.svc.EditTime(ctx, agent, commands.EditTimeInput{EntryID: novEntry.ID, Note: ptr("ok")}); err != nil {
			t.Errorf("November: %v", err)
		}
		if _, err := e.svc.LogTime(ctx, agent, commands.LogTimeInput{Key: "ACME-1", Duration: "1h", Date: time.Date(2026, 9, 30, 0, 0, 0, 0, time.UTC)}); err != nil {
			t.Errorf("September: %v", err)
		}
		// Rates change later: the lock keeps what was invoiced.
		if _, err := e.svc.SetBillingTerms(ctx, agent, "ACME", commands.BillingTerms{HourlyRate: ptr[int64](20000)}); err != nil {
			t.Fatal(err)
		}
		r, err := e.svc.ReportPeriod(ctx, agent, "ACME", "2026-10")
		if err != nil || len(r.Locks) != 1 || r.Locks[0].Amount != 48750 || r.Total.Amount == 48750 {
			t.Errorf("report of a locked month: %+v %v", r, err)
		}
		if locks, err := e.svc.BillingLocks(ctx, agent, "ACME"); err != nil || len(locks) != 1 {
			t.Errorf("locks %v %v", locks, err)
		}
		if err := e.svc.UnlockPeriod(ctx, agent, "ACME", "2026-10"); domain.ErrorCode(err) != domain.EFORBIDDEN {
			t.Errorf("non-lead unlock: %v", err)
		}
		if err := e.svc.UnlockPeriod(ctx, lead, "ACME", "2026-10"); err != nil {
			t.Fatal(err)
		}
		if err := e.svc.UnlockPeriod(ctx, lead, "ACME", "2026-10"); !contains(domain.ErrorMessage(err), "is not locked") {
			t.Errorf("unlock twice: %v", err)
		}
		if _, err := e.svc.DeleteTime(ctx, agent, octEntry.ID); err != nil {
			t.Errorf("delete after unlock: %v", err)
		}
	})
}

func TestLockRefusesRunningTimers(t *testing.T) {
	forEach(t, func(t *testing.T, e *env) {
		ctx := context.Background()
		e.svc.SetConfig(leadConfig(nil))
		e.clock.Set(time.Date(2026, 10, 31, 23, 0, 0, 0, time.UTC))
		tk := e.ticket(t, commands.TicketInput{})
		if _, err := e.svc.StartTimer(ctx, agent, tk.Key()); err != nil {
			t.Fatal(err)
		}
		e.clock.Advance(2 * time.Hour)
		if _, err := e.svc.LockPeriod(ctx, lead, "ACME", "2026-10"); !contains(domain.ErrorMessage(err), "still running") {
			t.Errorf("lock with a running timer: %v", err)
		}
		if _, _, err := e.svc.StopTimer(ctx, agent); err != nil {
			t.Fatal(err)
		}
		if _, err := e.svc.LockPeriod(ctx, lead, "ACME", "2026-10"); err != nil {
			t.Errorf("lock: %v", err)
		}
	})
}

func TestSetBillingTerms(t *testing.T) {
	forEach(t, func(t *testing.T, e *env) {
		ctx := context.Background()
		for _, c := range []struct {
			in    commands.BillingTerms
			field string
		}{
			{commands.BillingTerms{HourlyRate: ptr[int64](-1)}, "rate"},
			{commands.BillingTerms{RoundMinutes: ptr[int64](-6)}, "round"},
			{commands.BillingTerms{RoundMinutes: ptr[int64](241)}, "round"},
			{commands.BillingTerms{MinMinutes: ptr[int64](2000)}, "minimum"},
		} {
			if _, err := e.svc.SetBillingTerms(ctx, agent, "ACME", c.in); domain.ErrorField(err) != c.field {
				t.Errorf("%+v: %v", c.in, err)
			}
		}
		p, err := e.svc.SetBillingTerms(ctx, agent, "ACME", commands.BillingTerms{RoundMinutes: ptr[int64](6)})
		if err != nil || p.BillingRoundMinutes != 6 || p.BillingMinMinutes != 0 {
			t.Fatalf("%+v %v", p, err)
		}
		ps, _ := e.svc.Customers(ctx, agent)
		if ps[0].BillingRoundMinutes != 6 {
			t.Errorf("not stored: %+v", ps[0])
		}
	})
}

// A customer's own rounding and minimum win over the config's defaults.
func TestBillingRulesContractOverConfig(t *testing.T) {
	cfg := domain.DefaultConfig()
	cfg.Time.Rounding, cfg.Time.Minimum = domain.Duration{Duration: 6 * time.Minute}, domain.Duration{Duration: 15 * time.Minute}
	for _, c := range []struct {
		name               string
		round, least       int64
		wantRound, wantMin time.Duration
	}{
		{"config defaults", 0, 0, 6 * time.Minute, 15 * time.Minute},
		{"own rounding", 15, 0, 15 * time.Minute, 15 * time.Minute},
		{"own both", 10, 60, 10 * time.Minute, time.Hour},
	} {
		r, m := commands.BillingRules(cfg, &domain.Customer{BillingRoundMinutes: c.round, BillingMinMinutes: c.least})
		if r != c.wantRound || m != c.wantMin {
			t.Errorf("%s: %v, %v", c.name, r, m)
		}
	}
}
