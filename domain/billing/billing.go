// Package billing holds the pure rules that turn time entries into money:
// which rate applies, how a contract rounds each entry, the minimum billed
// per ticket, the billing periods people name, and the totals a report
// shows. It does no I/O.
package billing

import (
	"time"
)

// Entry is one stopped time entry to price.
type Entry struct {
	ID       int64
	TicketID int64
	Ticket   string // key, ACME-42
	Title    string
	Type     string // ticket type, for per-type rates
	User     string // engineer (Slack user ID)
	Start    time.Time
	Seconds  int64
	Billable bool
	Note     string
}

// Contract is how a customer is billed.
type Contract struct {
	Rate          int64            // cents per hour: the customer's own
	EngineerRates map[string]int64 // per engineer, beats the rest
	TypeRates     map[string]int64 // per ticket type, beats the customer's
	// RoundTo rounds each billable entry up to a multiple (6m, 15m); zero
	// bills the exact seconds.
	RoundTo time.Duration
	// MinPerTicket is the least billed for a ticket with billable time in
	// the period; the shortfall goes on its last billable entry.
	MinPerTicket time.Duration
}

// RateFor is the hourly rate of an engineer's time on a type of ticket.
func (c *Contract) RateFor(user, typ string) int64 {
	if r, ok := c.EngineerRates[user]; ok {
		return r
	}
	if r, ok := c.TypeRates[typ]; ok {
		return r
	}
	return c.Rate
}

// Line is a priced entry. Non-billable entries bill nothing at no rate.
type Line struct {
	Entry
	Rate          int64 // cents per hour
	BilledSeconds int64 // after rounding, and the ticket minimum if it landed here
	MinimumTopUp  int64 // seconds the ticket minimum added to this line
	Amount        int64 // cents
}

// Price applies a contract to entries (in start order) of one period.
func Price(entries []Entry, c Contract) []Line {
	lines := make([]Line, len(entries))
	lastOf := map[int64]int{} // ticket → index of its last billable line
	billed := map[int64]int64{}
	var tickets []int64 // first-seen order, so top-ups are deterministic
	for i, e := range entries {
		l := Line{Entry: e}
		if e.Billable && e.Seconds > 0 {
			l.Rate = c.RateFor(e.User, e.Type)
			l.BilledSeconds = RoundUp(e.Seconds, c.RoundTo)
			if _, seen := billed[e.TicketID]; !seen {
				tickets = append(tickets, e.TicketID)
			}
			billed[e.TicketID] += l.BilledSeconds
			if j, ok := lastOf[e.TicketID]; !ok || !entries[j].Start.After(e.Start) {
				lastOf[e.TicketID] = i
			}
		}
		lines[i] = l
	}
	if min := int64(c.MinPerTicket / time.Second); min > 0 {
		for _, id := range tickets {
			if short := min - billed[id]; short > 0 {
				l := &lines[lastOf[id]]
				l.MinimumTopUp = short
				l.BilledSeconds += short
			}
		}
	}
	for i := range lines {
		lines[i].Amount = Amount(lines[i].BilledSeconds, lines[i].Rate)
	}
	return lines
}

// RoundUp rounds seconds up to a multiple of step; a step under a second
// leaves them as they are.
func RoundUp(seconds int64, step time.Duration) int64 {
	s := int64(step / time.Second)
	if s <= 0 || seconds <= 0 {
		return seconds
	}
	return (seconds + s - 1) / s * s
}

// Amount is the price in cents of seconds at an hourly rate, rounded half
// up to the cent. Each line is rounded on its own, so the lines of an
// invoice add up to its total to the cent.
func Amount(seconds, ratePerHour int64) int64 {
	return (seconds*ratePerHour + 1800) / 3600
}
