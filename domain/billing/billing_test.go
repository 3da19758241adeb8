package billing_test

import (
	"testing"
	"time"

	"github.com/deskbot/deskbot/domain/billing"
)

func TestRoundUp(t *testing.T) {
	for _, c := range []struct {
		seconds int64
		step    time.Duration
		want    int64
	}{
		{0, 6 * time.Minute, 0},
		{1, 6 * time.Minute, 360},
		{360, 6 * time.Minute, 360},
		{361, 6 * time.Minute, 720},
		{1260, 15 * time.Minute, 1800}, // 21m → 30m
		{900, 15 * time.Minute, 900},
		{901, 15 * time.Minute, 1800},
		{5399, 0, 5399},                      // no rounding: exact seconds
		{5399, 500 * time.Millisecond, 5399}, // under a second: no rounding
		{59, time.Minute, 60},
		{-5, 6 * time.Minute, -5},
	} {
		if got := billing.RoundUp(c.seconds, c.step); got != c.want {
			t.Errorf("RoundUp(%d, %v) = %d, want %d", c.seconds, c.step, got, c.want)
		}
	}
}

func TestAmount(t *testing.T) {
	for _, c := range []struct{ seconds, rate, want int64 }{
		{3600, 15000, 15000},
		{5400, 15000, 22500},
		{360, 15000, 1500}, // 0.1 h
		{1, 10000, 3},      // 2.78 cents → 3
		{1, 6480, 2},       // 1.8 → 2
		{1, 5400, 2},       // 1.5 half up → 2
		{1, 5399, 1},       // 1.4997 → 1
		{0, 15000, 0},
		{3600, 0, 0},
	} {
		if got := billing.Amount(c.seconds, c.rate); got != c.want {
			t.Errorf("Amount(%d s, %d/h) = %d, want %d", c.seconds, c.rate, got, c.want)
		}
	}
}

func TestRateFor(t *testing.T) {
	c := billing.Contract{Rate: 10000, EngineerRates: map[string]int64{"USENIOR": 18000}, TypeRates: map[string]int64{"incident": 20000}}
	for _, tc := range []struct {
		user, typ string
		want      int64
	}{
		{"UJUNIOR", "question", 10000},
		{"UJUNIOR", "incident", 20000},
		{"USENIOR", "question", 18000},
		{"USENIOR", "incident", 18000}, // the engineer's rate wins over the type's
	} {
		if got := c.RateFor(tc.user, tc.typ); got != tc.want {
			t.Errorf("RateFor(%s, %s) = %d, want %d", tc.user, tc.typ, got, tc.want)
		}
	}
}

func at(day, h, m int) time.Time { return time.Date(2026, 10, day, h, m, 0, 0, time.UTC) }

func TestPrice(t *testing.T) {
	e := func(id, ticket int64, user string, start time.Time, minutes int64, billable bool) billing.Entry {
		return billing.Entry{ID: id, TicketID: ticket, Ticket: "ACME-" + string(rune('0'+ticket)), Type: "question",
			User: user, Start: start, Seconds: minutes * 60, Billable: billable}
	}
	for _, c := range []struct {
		name     string
		contract billing.Contract
		entries  []billing.Entry
		billed   []int64 // minutes per line
		topUp    []int64 // minutes per line
		amount   []int64 // cents per line
	}{
		{
			name:     "exact, no rules",
			contract: billing.Contract{Rate: 12000},
			entries:  []billing.Entry{e(1, 1, "UA", at(1, 9, 0), 50, true), e(2, 1, "UA", at(1, 11, 0), 20, false)},
			billed:   []int64{50, 0}, topUp: []int64{0, 0}, amount: []int64{10000, 0},
		},
		{
			name:     "round each entry up to 6 minutes",
			contract: billing.Contract{Rate: 12000, RoundTo: 6 * time.Minute},
			entries:  []billing.Entry{e(1, 1, "UA", at(1, 9, 0), 7, true), e(2, 1, "UA", at(1, 10, 0), 12, true), e(3, 2, "UA", at(1, 11, 0), 1, true)},
			billed:   []int64{12, 12, 6}, topUp: []int64{0, 0, 0}, amount: []int64{2400, 2400, 1200},
		},
		{
			name:     "round up to 15 minutes",
			contract: billing.Contract{Rate: 10000, RoundTo: 15 * time.Minute},
			entries:  []billing.Entry{e(1, 1, "UA", at(1, 9, 0), 16, true), e(2, 1, "UA", at(1, 10, 0), 45, true)},
			billed:   []int64{30, 45}, topUp: []int64{0, 0}, amount: []int64{5000, 7500},
		},
		{
			name:     "ticket minimum lands on the ticket's last billable entry",
			contract: billing.Contract{Rate: 6000, RoundTo: 6 * time.Minute, MinPerTicket: 30 * time.Minute},
			entries: []billing.Entry{
				e(1, 1, "UA", at(1, 9, 0), 5, true),   // → 6
				e(2, 2, "UB", at(1, 9, 30), 40, true), // over the minimum
				e(3, 1, "UB", at(2, 9, 0), 8, true),   // → 12; ticket 1 billed 18, +12
				e(4, 1, "UA", at(3, 9, 0), 60, false), // not billable: takes no top-up
			},
			billed: []int64{6, 42, 24, 0}, topUp: []int64{0, 0, 12, 0}, amount: []int64{600, 4200, 2400, 0},
		},
		{
			name:     "no minimum for a ticket with no billable time",
			contract: billing.Contract{Rate: 6000, MinPerTicket: 30 * time.Minute},
			entries:  []billing.Entry{e(1, 1, "UA", at(1, 9, 0), 10, false)},
			billed:   []int64{0}, topUp: []int64{0}, amount: []int64{0},
		},
		{
			name:     "per-engineer and per-type rates",
			contract: billing.Contract{Rate: 6000, EngineerRates: map[string]int64{"UB": 12000}, TypeRates: map[string]int64{"incident": 9000}},
			entries: func() []billing.Entry {
				a, b := e(1, 1, "UA", at(1, 9, 0), 60, true), e(2, 1, "UB", at(1, 10, 0), 60, true)
				c := e(3, 2, "UA", at(1, 11, 0), 60, true)
				c.Type = "incident"
				return []billing.Entry{a, b, c}
			}(),
			billed: []int64{60, 60, 60}, topUp: []int64{0, 0, 0}, amount: []int64{6000, 12000, 9000},
		},
	} {
		t.Run(c.name, func(t *testing.T) {
			lines := billing.Price(c.entries, c.contract)
			for i, l := range lines {
				if l.BilledSeconds != c.billed[i]*60 || l.MinimumTopUp != c.topUp[i]*60 || l.Amount != c.amount[i] {
					t.Errorf("line %d: billed %ds top-up %ds amount %d; want %dm, %dm, %d",
						i, l.BilledSeconds, l.MinimumTopUp, l.Amount, c.billed[i], c.topUp[i], c.amount[i])
				}
			}
		})
	}
}

func TestHours(t *testing.T) {
	for s, want := range map[int64]string{0: "0.0000", 3600: "1.0000", 5400: "1.5000", 360: "0.1000", 1: "0.0003", 86400: "24.0000", 60: "0.0167"} {
		if got := billing.Hours(s); got != want {
			t.Errorf("Hours(%d) = %s, want %s", s, got, want)
		}
	}
}
