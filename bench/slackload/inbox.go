package main

import (
	"fmt"
	"io"
	"os"
	"slices"
	"strings"
	"time"
)

// The inbox's target (issue 21) compares two ack modes on a machine whose
// load drifts: each round runs both on every database, one after the
// other, in an order that alternates from round to round, and the ratio
// is taken within a round.

type planned struct {
	db, mode string
	round    int
}

// plan lists the runs: rounds × databases × modes, the modes' order
// reversed every other round.
func plan(dbs, modes string, rounds int) []planned {
	var ms []string
	for _, m := range strings.Split(modes, ",") {
		if m = strings.TrimSpace(m); m == "" {
			continue
		}
		if m != modeStored && m != modeFirst {
			fmt.Fprintf(os.Stderr, "slackload: -ack %q: want %s or %s\n", m, modeStored, modeFirst)
			os.Exit(2)
		}
		ms = append(ms, m)
	}
	var out []planned
	for round := 1; round <= rounds; round++ {
		for _, d := range strings.Split(dbs, ",") {
			if d = strings.TrimSpace(d); d == "" {
				continue
			}
			order := slices.Clone(ms)
			if round%2 == 0 {
				slices.Reverse(order)
			}
			for _, m := range order {
				out = append(out, planned{db: d, mode: m, round: round})
			}
		}
	}
	return out
}

// inboxMet compares, per database and round, the inbox's /ticket ack p99
// with acking first's, then all rounds' acks pooled, and reports whether
// the targets were met: the median round's ratio within targetInboxRate,
// and the pooled p99 under targetInboxAck.
func inboxMet(w io.Writer, rs []*result) bool {
	met := true
	for _, db := range dialects(rs) {
		var ratios []float64
		var stored, first []time.Duration
		for _, st := range rs {
			if st.dialect != db || st.cfg.mode != modeStored {
				continue
			}
			fi := find(rs, db, modeFirst, st.cfg.round)
			if fi == nil {
				continue
			}
			s, f := statsOf(st.ack).p99, statsOf(fi.ack).p99
			ratios = append(ratios, float64(s)/float64(max(f, time.Microsecond)))
			stored, first = append(stored, st.ack...), append(first, fi.ack...)
			fmt.Fprintf(w, "inbox %s, round %d: /ticket ack p99 %s stored then acked vs %s acked first = %.2f×\n",
				db, st.cfg.round, ms(s), ms(f), ratios[len(ratios)-1])
		}
		if len(ratios) == 0 {
			continue
		}
		slices.Sort(ratios)
		med := ratios[len(ratios)/2]
		if len(ratios)%2 == 0 {
			med = (ratios[len(ratios)/2-1] + med) / 2
		}
		s, f := statsOf(stored).p99, statsOf(first).p99
		ok := med <= targetInboxRate && s < targetInboxAck
		met = met && ok
		fmt.Fprintf(w, "inbox %s, %d rounds: median ratio %.2f× (range %.2f–%.2f×); pooled p99 %s stored vs %s first = %.2f× (target ≤ %.0f× and < %s): %s\n",
			db, len(ratios), med, ratios[0], ratios[len(ratios)-1], ms(s), ms(f), float64(s)/float64(max(f, time.Microsecond)),
			targetInboxRate, ms(targetInboxAck), yesNo(ok))
	}
	return met
}

func dialects(rs []*result) []string {
	var out []string
	for _, r := range rs {
		if !slices.Contains(out, r.dialect) {
			out = append(out, r.dialect)
		}
	}
	return out
}

func find(rs []*result, db, mode string, round int) *result {
	for _, r := range rs {
		if r.dialect == db && r.cfg.mode == mode && r.cfg.round == round {
			return r
		}
	}
	return nil
}

// runName names a run's profile and trace files.
func (c config) runName(dialect string) string {
	return fmt.Sprintf("%s-%s-%d", dialect, c.mode, c.round)
}
