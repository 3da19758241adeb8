package main

import (
	"bytes"
	"context"
	"database/sql"
	"fmt"
	"io"
	"slices"
	"strings"
	"sync"
	"text/tabwriter"
	"time"

	"github.com/deskbot/deskbot/bot/slackemu"
	"github.com/deskbot/deskbot/email/emailtest"
)

// observer watches what users can see: cards in the customer's channel,
// the mail sink, and the database for comments and time entries. It
// remembers when each marker was first seen, for the late column.
type observer struct {
	emu       *slackemu.Server
	sink      *emailtest.Sink
	db        *sql.DB
	bot       string
	load      *loader
	customers []customer

	forgetters []string
	views      []digestView

	mu    sync.Mutex
	first map[string]time.Time // marker (or "mail:"+marker) -> first seen
	cards map[string]bool      // ts of cards already handed to the loader
}

func (o *observer) seen(k string, at time.Time) {
	if _, ok := o.first[k]; !ok {
		o.first[k] = at
	}
}

func (o *observer) poll(ctx context.Context) {
	for ctx.Err() == nil {
		o.scan(ctx)
		sleepCtx(ctx, 100*time.Millisecond)
	}
}

// scan records first sightings; the database may be down, which only
// delays them.
func (o *observer) scan(ctx context.Context) {
	now := time.Now()
	var newCards []known
	o.mu.Lock()
	o.eachCard(func(ch, key, title, ts string) {
		o.seen(title, now)
		if !o.cards[ts] {
			o.cards[ts] = true
			newCards = append(newCards, known{key: key, ts: ts, channel: ch})
		}
	})
	for _, r := range o.sink.Messages() {
		if i := bytes.Index(r.Data, []byte("chaos-mail-")); i >= 0 && len(r.Data) >= i+16 {
			o.seen("mail:"+string(r.Data[i:i+16]), now)
		}
	}
	o.scanScheduled(now, o.forgetters)
	o.mu.Unlock()
	for _, k := range newCards {
		o.load.addKnown(k)
	}
	qctx, cancel := context.WithTimeout(ctx, time.Second)
	defer cancel()
	rows, err := o.db.QueryContext(qctx, `SELECT body, created_at FROM comments WHERE body LIKE 'chaos-reply-%'
		UNION ALL SELECT note, created_at FROM time_entries WHERE note LIKE 'chaos-timelog-%'`)
	if err != nil {
		return
	}
	defer rows.Close()
	o.mu.Lock()
	defer o.mu.Unlock()
	for rows.Next() {
		var marker string
		var at time.Time
		if rows.Scan(&marker, &at) == nil {
			o.seen(strings.TrimSpace(marker), at)
		}
	}
}

// eachCard calls fn for each of the load's cards in the customers'
// channels.
func (o *observer) eachCard(fn func(channel, key, title, ts string)) {
	for _, cu := range o.customers {
		for _, m := range o.emu.Messages(cu.channel) {
			if m.User != o.bot || m.Deleted || m.ThreadTS != "" {
				continue
			}
			if key, title, ok := strings.Cut(m.Text, " "); ok && strings.HasPrefix(title, "chaos-") {
				fn(cu.channel, key, title, m.TS)
			}
		}
	}
}

// counts is what the run left, by marker.
type counts struct {
	tickets, cards, comments, entries, mails map[string]int
	timerEntries                             map[string]int // per user
	running                                  map[string]int // per user
}

func (o *observer) count(ctx context.Context) (*counts, error) {
	c := &counts{tickets: map[string]int{}, cards: map[string]int{}, comments: map[string]int{}, entries: map[string]int{},
		mails: map[string]int{}, timerEntries: map[string]int{}, running: map[string]int{}}
	o.eachCard(func(_, _, title, _ string) { c.cards[title]++ })
	for _, r := range o.sink.Messages() {
		if i := bytes.Index(r.Data, []byte("chaos-mail-")); i >= 0 && len(r.Data) >= i+16 {
			c.mails[string(r.Data[i:i+16])]++
		}
	}
	q := func(query string, fn func(*sql.Rows) error) error {
		rows, err := o.db.QueryContext(ctx, query)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			if err := fn(rows); err != nil {
				return err
			}
		}
		return rows.Err()
	}
	var s string
	var n int
	if err := q(`SELECT title FROM tickets WHERE title LIKE 'chaos-%'`, func(r *sql.Rows) error {
		err := r.Scan(&s)
		c.tickets[s]++
		return err
	}); err != nil {
		return nil, err
	}
	if err := q(`SELECT body FROM comments WHERE body LIKE 'chaos-reply-%' AND deleted_at IS NULL`, func(r *sql.Rows) error {
		err := r.Scan(&s)
		c.comments[strings.TrimSpace(s)]++
		return err
	}); err != nil {
		return nil, err
	}
	if err := q(`SELECT note FROM time_entries WHERE note LIKE 'chaos-timelog-%'`, func(r *sql.Rows) error {
		err := r.Scan(&s)
		c.entries[s]++
		return err
	}); err != nil {
		return nil, err
	}
	if err := q(`SELECT user_id, (ended_at IS NULL)::int FROM time_entries WHERE note NOT LIKE 'chaos-timelog-%'`, func(r *sql.Rows) error {
		err := r.Scan(&s, &n)
		c.timerEntries[s]++
		c.running[s] += n
		return err
	}); err != nil {
		return nil, err
	}
	return c, nil
}

// row is one line of the ledger.
type row struct {
	sent, acked, delivered, lost, doubled int
	late                                  []time.Duration
}

// outcome says, for one input, how many times its outcome is there (0
// lost, 1 right, more doubled) and when it was first seen.
func (o *observer) outcome(in *input, c *counts) (n int, at time.Time, ok bool) {
	o.mu.Lock()
	defer o.mu.Unlock()
	switch in.kind {
	case kindTicket:
		n = combine(c.tickets[in.marker], c.cards[in.marker])
		at, ok = o.first[in.marker]
	case kindMail:
		n = combine(c.tickets[in.marker], c.cards[in.marker], c.mails[in.marker])
		a1, ok1 := o.first[in.marker]
		a2, ok2 := o.first["mail:"+in.marker]
		at, ok = a1, ok1 && ok2
		if a2.After(a1) {
			at = a2
		}
	case kindReply:
		n = c.comments[in.marker]
		at, ok = o.first[in.marker]
	case kindTimeLog:
		n = c.entries[in.marker]
		at, ok = o.first[in.marker]
	}
	return n, at, ok
}

// combine folds the counts of an input's several outcomes: any doubled
// one doubles it, any missing one (with none doubled) loses it.
func combine(ns ...int) int {
	if m := slices.Max(ns); m > 1 {
		return m
	}
	return slices.Min(ns)
}

func boolInt(b bool) int {
	if b {
		return 1
	}
	return 0
}

// ledger compares every input with its outcome, by kind and by fault.
type ledger struct {
	byKind, byFault map[string]*row
	problems        []string
	all             row
	outcomes        int
	lastOutcome     time.Time
	seen            []seenOutcome
	// slow are the slowest outcomes per kind, for the report.
	slow map[string][]slowOutcome
	// sched is the scheduled outcomes' ledger (addScheduled); its late
	// figures (from due time) stay out of all's.
	sched *scheduled
}

// addScheduled adds the scheduled outcomes to l: their losses and
// duplicates count in its total.
func (o *observer) addScheduled(ctx context.Context, l *ledger, cutoff time.Time) error {
	es, err := o.scheduledOutcomes(ctx, o.forgetters, o.views)
	if err != nil {
		return err
	}
	l.sched = ledgerScheduled(es, cutoff)
	for _, r := range l.sched.rows {
		l.all.lost += r.lost
		l.all.doubled += r.doubled
	}
	l.problems = append(l.problems, l.sched.problems...)
	return nil
}

type seenOutcome struct{ sent, at time.Time }

type slowOutcome struct {
	marker string
	sent   time.Time
	late   time.Duration
}

// noteSlow keeps the three slowest outcomes of a kind.
func (l *ledger) noteSlow(in *input, d time.Duration) {
	if l.slow == nil {
		l.slow = map[string][]slowOutcome{}
	}
	s := append(l.slow[in.kind], slowOutcome{in.marker, in.sentAt, d})
	slices.SortFunc(s, func(a, b slowOutcome) int { return int(b.late - a.late) })
	l.slow[in.kind] = s[:min(len(s), 3)]
}

// recovery is, after a fault was repaired at end, how long until the
// first outcome of an input sent after it was visible (0: none).
func (l *ledger) recovery(end time.Time) time.Duration {
	var first time.Time
	for _, o := range l.seen {
		if !o.sent.Before(end) && (first.IsZero() || o.at.Before(first)) {
			first = o.at
		}
	}
	if first.IsZero() {
		return 0
	}
	return max(first.Sub(end), 0)
}

func (o *observer) ledger(inputs []*input, c *counts) *ledger {
	l := &ledger{byKind: map[string]*row{}, byFault: map[string]*row{}}
	get := func(m map[string]*row, k string) *row {
		if m[k] == nil {
			m[k] = &row{}
		}
		return m[k]
	}
	add := func(in *input, f func(r *row)) {
		f(get(l.byKind, in.kind))
		f(get(l.byFault, in.fault))
		f(&l.all)
	}
	starts := map[string][2]int{} // user -> acked starts, sent starts
	lastAcked := map[string]string{}
	for _, in := range inputs {
		add(in, func(r *row) { r.sent++ })
		if in.acked {
			add(in, func(r *row) { r.acked++ })
		}
		if in.kind == kindClick {
			if in.action == "timer_start" {
				s := starts[in.user]
				s[1]++
				if in.acked {
					s[0]++
				}
				starts[in.user] = s
			}
			if in.acked {
				lastAcked[in.user] = in.action
			}
			continue
		}
		n, at, _ := o.outcome(in, c)
		switch {
		case n > 1:
			add(in, func(r *row) { r.doubled++ })
			l.problems = append(l.problems, fmt.Sprintf("doubled: %s %s (%d times: %d tickets, %d cards, %d mails, %d comments, %d entries; acked %v)",
				in.kind, in.marker, n, c.tickets[in.marker], c.cards[in.marker], c.mails[in.marker], c.comments[in.marker], c.entries[in.marker], in.acked))
		case n == 1:
			add(in, func(r *row) { r.delivered++ })
			if !at.IsZero() {
				d := max(at.Sub(in.sentAt), 0)
				add(in, func(r *row) { r.late = append(r.late, d) })
				l.noteSlow(in, d)
				l.outcomes++
				l.seen = append(l.seen, seenOutcome{sent: in.sentAt, at: at})
				if at.After(l.lastOutcome) {
					l.lastOutcome = at
				}
			}
		case in.acked:
			add(in, func(r *row) { r.lost++ })
			l.problems = append(l.problems, fmt.Sprintf("lost: %s %s (user %s, key %s, fault %s, sent %s; %d tickets, %d cards, %d mails)",
				in.kind, in.marker, in.user, in.key, in.fault, in.sentAt.Format("15:04:05.000"), c.tickets[in.marker], c.cards[in.marker], c.mails[in.marker]))
		}
	}
	// Timer clicks are ledgered per user: every acked Start made one entry,
	// no entry came from nowhere, and the last acked click decides whether
	// a timer runs.
	users := make([]string, 0, len(starts))
	for u := range starts {
		users = append(users, u)
	}
	slices.Sort(users)
	r := get(l.byKind, kindClick)
	for _, u := range users {
		s, got := starts[u], c.timerEntries[u]
		if got < s[0] {
			r.lost += s[0] - got
			l.all.lost += s[0] - got
			l.problems = append(l.problems, fmt.Sprintf("lost: %d timer starts of %s (%d acked, %d entries)", s[0]-got, u, s[0], got))
		}
		if got > s[1] {
			r.doubled += got - s[1]
			l.all.doubled += got - s[1]
			l.problems = append(l.problems, fmt.Sprintf("doubled: %s has %d timer entries for %d starts", u, got, s[1]))
		}
		r.delivered += min(got, s[1])
		if want := boolInt(lastAcked[u] == "timer_start"); c.running[u] > 1 || (lastAcked[u] != "" && c.running[u] != want) {
			l.problems = append(l.problems, fmt.Sprintf("timer state: %s has %d running, last acked click %s", u, c.running[u], lastAcked[u]))
			r.lost++
			l.all.lost++
		}
	}
	return l
}

func pct(ds []time.Duration, p float64) time.Duration {
	if len(ds) == 0 {
		return 0
	}
	s := slices.Clone(ds)
	slices.Sort(s)
	i := int(float64(len(s)-1) * p)
	return s[i]
}

func ms(d time.Duration) string {
	if d == 0 {
		return "-"
	}
	return fmt.Sprintf("%.0f ms", float64(d)/float64(time.Millisecond))
}

func (l *ledger) print(w io.Writer, title string) {
	fmt.Fprintf(w, "\n%s\n", title)
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "\tsent\tacked\tdelivered\tlost\tdoubled\tlate p50\tlate p99\t")
	line := func(name string, r *row) {
		fmt.Fprintf(tw, "%s\t%d\t%d\t%d\t%d\t%d\t%s\t%s\t\n", name, r.sent, r.acked, r.delivered, r.lost, r.doubled,
			ms(pct(r.late, 0.5)), ms(pct(r.late, 0.99)))
	}
	for _, k := range kinds {
		if r := l.byKind[k]; r != nil {
			line(k, r)
		}
	}
	if l.sched != nil {
		// Scheduled: sent is what fell due, acked what was owed by the
		// load's end, late is from the due time.
		for _, k := range scheduledKinds {
			if r := l.sched.rows[k]; r != nil {
				line(k, r)
			}
		}
	}
	fmt.Fprintln(tw, "\t\t\t\t\t\t\t\t")
	faults := make([]string, 0, len(l.byFault))
	for f := range l.byFault {
		faults = append(faults, f)
	}
	slices.Sort(faults)
	for _, f := range faults {
		line("during "+f, l.byFault[f])
	}
	fmt.Fprintln(tw, "\t\t\t\t\t\t\t\t")
	line("total", &l.all)
	tw.Flush()
	for _, k := range kinds {
		for _, s := range l.slow[k] {
			if s.late > time.Second {
				fmt.Fprintf(w, "  slow: %s sent %s, outcome after %s\n", s.marker, s.sent.Format("15:04:05.000"), ms(s.late))
			}
		}
	}
	for _, p := range l.problems {
		fmt.Fprintln(w, "  "+p)
	}
}
