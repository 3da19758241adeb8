package domain

import "time"

// SLA targets, as alerts and reports name them.
const (
	TargetFirstResponse = "first_response"
	TargetResolution    = "resolution"
	TargetNextResponse  = "next_response"
)

// ThresholdBreach names the alert at a target's deadline; warnings are
// named as the policy writes them ("75%", "30m").
const ThresholdBreach = "breach"

// SLAAlert records that one threshold of one SLA clock was alerted. Its
// key (ticket, target, threshold, cycle) is unique, so however many
// schedulers run and however often they restart, each alerts once.
type SLAAlert struct {
	ID        int64  `db:"id"`
	TicketID  int64  `db:"ticket_id"`
	Target    string `db:"target"`    // TargetFirstResponse…
	Threshold string `db:"threshold"` // "75%", "30m" or ThresholdBreach
	// CycleStart tells the clock's runs apart: the ticket's creation for
	// first response and resolution, the customer message that started it
	// for next response (which runs once per unanswered message).
	CycleStart  time.Time `db:"cycle_start"`
	ThresholdAt time.Time `db:"threshold_at"` // when the threshold passed
	AlertedAt   time.Time `db:"alerted_at"`   // when the alert was queued; minus ThresholdAt, the lag
}
