package billing_test

import (
	"testing"
	"time"

	"github.com/deskbot/deskbot/domain/billing"
)

// A hand-computed October for one customer at 100.00/h, rounded up to
// 15 minutes, at least 30 minutes per ticket:
//
//	ACME-2  UA Oct  1  20m billable → 30m  = 50.00
//	ACME-10 UB Oct  6  50m billable → 60m  = 100.00 (UB bills 150/h → 150.00)
//	ACME-2  UB Oct  7  10m billable → 15m  (UB 150/h) = 37.50
//	ACME-10 UA Oct 20  30m not billable
//	ACME-3  UA Oct 31  10m billable → 15m, +15m minimum = 30m = 50.00
//
// Totals: worked 120m, billable 90m, billed 135m, 287.50.
func TestSummarize(t *testing.T) {
	e := func(id, ticket int64, key, user string, start time.Time, minutes int64, billable bool) billing.Entry {
		return billing.Entry{ID: id, TicketID: ticket, Ticket: key, Title: "t " + key, User: user, Start: start, Seconds: minutes * 60, Billable: billable}
	}
	entries := []billing.Entry{
		e(1, 2, "ACME-2", "UA", at(1, 10, 0), 20, true),
		e(2, 10, "ACME-10", "UB", at(6, 10, 0), 50, true),
		e(3, 2, "ACME-2", "UB", at(7, 10, 0), 10, true),
		e(4, 10, "ACME-10", "UA", at(20, 10, 0), 30, false),
		e(5, 3, "ACME-3", "UA", at(31, 10, 0), 10, true),
	}
	c := billing.Contract{Rate: 10000, EngineerRates: map[string]int64{"UB": 15000}, RoundTo: 15 * time.Minute, MinPerTicket: 30 * time.Minute}
	p := billing.MonthPeriod(time.Date(2026, 10, 1, 0, 0, 0, 0, time.UTC))
	s := billing.Summarize(billing.Price(entries, c), p, time.UTC)

	want := billing.Totals{Entries: 5, Seconds: 120 * 60, BillableSeconds: 90 * 60, BilledSeconds: 135 * 60, Amount: 28750}
	if s.Total != want {
		t.Errorf("total %+v, want %+v", s.Total, want)
	}
	if s.Total.NonBillableSeconds() != 30*60 {
		t.Errorf("non-billable %d", s.Total.NonBillableSeconds())
	}
	tickets := map[string]int64{"ACME-2": 8750, "ACME-3": 5000, "ACME-10": 15000}
	if len(s.Tickets) != 3 || s.Tickets[0].Key != "ACME-2" || s.Tickets[1].Key != "ACME-3" || s.Tickets[2].Key != "ACME-10" {
		t.Fatalf("tickets %+v", s.Tickets)
	}
	for _, g := range s.Tickets {
		if g.Amount != tickets[g.Key] || g.Label != "t "+g.Key {
			t.Errorf("ticket %s: %+v, want amount %d", g.Key, g, tickets[g.Key])
		}
	}
	// UA worked 60m (20+30+10) for 100.00; UB 60m for 187.50: ties go by ID.
	if len(s.Engineers) != 2 || s.Engineers[0].Key != "UA" || s.Engineers[0].Amount != 10000 || s.Engineers[1].Amount != 18750 {
		t.Errorf("engineers %+v", s.Engineers)
	}
	// October 2026 touches the weeks of Sep 28, Oct 5, 12, 19 and 26.
	weeks := []struct {
		start   string
		seconds int64
	}{{"2026-09-28", 20 * 60}, {"2026-10-05", 60 * 60}, {"2026-10-12", 0}, {"2026-10-19", 30 * 60}, {"2026-10-26", 10 * 60}}
	if len(s.Weeks) != len(weeks) {
		t.Fatalf("weeks %+v", s.Weeks)
	}
	for i, w := range weeks {
		if s.Weeks[i].Start.Format("2006-01-02") != w.start || s.Weeks[i].Seconds != w.seconds {
			t.Errorf("week %d: %s %ds, want %s %ds", i, s.Weeks[i].Start, s.Weeks[i].Seconds, w.start, w.seconds)
		}
	}
}
