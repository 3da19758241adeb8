package main

import (
	"testing"
	"time"
)

func TestSLAPostTitle(t *testing.T) {
	for text, want := range map[string]string{
		":warning: *CUST01-4* chaos-ticket-00012 is at risk: resolution due …":            "chaos-ticket-00012",
		":rotating_light: *CUST01-4* chaos-mail-00013 breached its resolution SLA (due …": "chaos-mail-00013",
		":alarm_clock: Your timer on *CUST01-4* chaos-ticket-00012":                       "",
		":warning: *CUST01-4* Printer on fire is at risk":                                 "",
	} {
		got, ok := slaPostTitle(text)
		if !ok {
			got = ""
		}
		if got != want {
			t.Errorf("slaPostTitle(%q) = %q, want %q", text, got, want)
		}
	}
}

// Scheduled outcomes owed by the load's end must be there once; later
// ones may be missing, never doubled.
func TestLedgerScheduled(t *testing.T) {
	cutoff := time.Now()
	es := []expectation{
		{kind: kindSLA, what: "on time", due: cutoff.Add(-time.Minute), n: 1},
		{kind: kindSLA, what: "lost", due: cutoff.Add(-time.Minute)},
		{kind: kindSLA, what: "too late to owe", due: cutoff.Add(-3 * time.Second)},
		{kind: kindSLA, what: "not due", due: cutoff.Add(time.Minute)},
		{kind: kindDigest, what: "doubled after the end", due: cutoff.Add(time.Minute), n: 2},
		{kind: kindDigest, what: "owed? no: its job runs a minute apart", due: cutoff.Add(-30 * time.Second)},
		{kind: kindReminder, what: "owed", due: cutoff.Add(-2 * time.Minute), n: 1},
	}
	s := ledgerScheduled(es, cutoff)
	if r := s.rows[kindSLA]; r.sent != 3 || r.acked != 1+1 || r.delivered != 1 || r.lost != 1 || r.doubled != 0 {
		t.Errorf("sla row %+v", *r)
	}
	if r := s.rows[kindDigest]; r.sent != 2 || r.acked != 0 || r.lost != 0 || r.doubled != 1 {
		t.Errorf("digest row %+v", *r)
	}
	if r := s.rows[kindReminder]; r.delivered != 1 || r.lost != 0 {
		t.Errorf("reminder row %+v", *r)
	}
	if len(s.problems) != 2 {
		t.Errorf("problems %q, want the lost alert and the doubled digest", s.problems)
	}
}
