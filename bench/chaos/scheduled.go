package main

import (
	"context"
	"database/sql"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/deskbot/deskbot/bot/slackemu"
	"github.com/deskbot/deskbot/commands"
	"github.com/deskbot/deskbot/domain"
)

// Scheduled outcomes: what the scheduler's jobs send without an input —
// SLA alerts, forgotten-timer reminders, digests. The harness's config
// makes them fall due within a run.
const (
	kindSLA      = "sla alert"
	kindReminder = "reminder"
	kindDigest   = "digest"

	digestChan = "CDIGEST"
	// slaTarget is the resolution target of the first customer's tickets
	// (24x7), warned at half of it: two thresholds per ticket, posted in
	// the triage channel (the customer's channel is shared).
	slaTarget   = 20 * time.Second
	remindAfter = 30 * time.Second
	// slaScan and jobPeriod are how often the SLA scan and the reminder
	// and digest jobs run: an outcome is expected once its due time plus
	// its job's period (and a margin) passed before the load ended; a later
	// one may still be missing, but never doubled.
	slaScan   = 2 * time.Second
	jobPeriod = time.Minute
	margin    = 5 * time.Second
)

var scheduledKinds = []string{kindSLA, kindReminder, kindDigest}

// chaosConfig is the replicas' config file: the "chaos" SLA policy and a
// short forgotten-timer threshold.
const chaosConfig = `sla_policies:
  chaos:
    calendar: 24x7
    targets:
      urgent: {resolution: 20s}
      high:   {resolution: 20s}
      normal: {resolution: 20s}
      low:    {resolution: 20s}
    warnings: ["50%"]
time:
  remind_after: 30s
`

func writeConfig(work string) (string, error) {
	p := filepath.Join(work, "deskbot.yaml")
	return p, os.WriteFile(p, []byte(chaosConfig), 0o644)
}

// digestView is a saved view whose daily digest falls due during the run.
type digestView struct {
	name string
	slot time.Time
}

// seedScheduled puts the first customer on the chaos SLA policy and saves
// one view per minute of horizon, each with its digest due at that minute
// (Slack's channel limit: one a minute in one channel is far under it).
func seedScheduled(ctx context.Context, svc *commands.Service, cs []customer, owner string, horizon time.Duration) ([]digestView, error) {
	agent := domain.Actor{UserID: owner, Role: domain.RoleAgent, Channel: domain.ChannelSlack}
	if _, err := svc.EditCustomer(ctx, agent, cs[0].key, map[string]string{"sla_policy": "chaos"}); err != nil {
		return nil, fmt.Errorf("chaos: sla policy: %w", err)
	}
	var views []digestView
	now := time.Now().UTC()
	for slot := now.Truncate(time.Minute).Add(time.Minute); slot.Before(now.Add(horizon)); slot = slot.Add(time.Minute) {
		v := digestView{name: fmt.Sprintf("chaos-digest-%s", slot.Format("1504")), slot: slot}
		if _, err := svc.SaveView(ctx, agent, v.name, "customer:"+strings.ToLower(cs[len(cs)-1].key), false); err != nil {
			return nil, fmt.Errorf("chaos: save view: %w", err)
		}
		if _, err := svc.SetDigest(ctx, agent, v.name, "daily "+slot.Format("15:04")+" UTC", digestChan); err != nil {
			return nil, fmt.Errorf("chaos: digest: %w", err)
		}
		views = append(views, v)
	}
	return views, nil
}

// forgetter is an agent who starts one timer and never stops it: its
// reminder must come once.
func forgetterID(i int) string { return fmt.Sprintf("UFORGET%02d", i) }

// dmOf is the emulator's DM channel with a user.
func dmOf(user string) string { return "D" + strings.TrimLeft(user, "UW") }

// scheduled is what the scheduler's jobs owe and did, by kind.
type scheduled struct {
	rows     map[string]*row
	problems []string
}

// expectation is one scheduled outcome: when it fell due, how many times
// it shows, when it was first seen.
type expectation struct {
	kind, what string
	due        time.Time
	n          int
	at         time.Time
}

// scheduledOutcomes lists every scheduled outcome the run could owe.
func (o *observer) scheduledOutcomes(ctx context.Context, forgetters []string, views []digestView) ([]expectation, error) {
	var out []expectation
	sla, err := o.slaOutcomes(ctx)
	if err != nil {
		return nil, err
	}
	out = append(out, sla...)
	rem, err := o.reminderOutcomes(ctx, forgetters)
	if err != nil {
		return nil, err
	}
	out = append(out, rem...)
	o.mu.Lock()
	defer o.mu.Unlock()
	for _, v := range views {
		e := expectation{kind: kindDigest, what: v.name, due: v.slot}
		for _, m := range o.emu.Messages(digestChan) {
			if m.User == o.bot && !m.Deleted && strings.HasPrefix(m.Text, "Digest: "+v.name+",") {
				e.n++
			}
		}
		e.at = o.first["digest:"+v.name]
		out = append(out, e)
	}
	return out, nil
}

// slaOutcomes: for each of the load's tickets on the chaos policy, its
// warning (at half the target) and its breach. A scan that finds both
// passed (after an outage) posts one summary for them: the database's
// alert rows, written in one transaction per post, group the thresholds
// into the posts Slack must show once each.
func (o *observer) slaOutcomes(ctx context.Context) ([]expectation, error) {
	rows, err := o.db.QueryContext(ctx, `SELECT t.title, t.created_at, a.threshold, a.alerted_at
		FROM tickets t JOIN customers p ON p.id = t.customer_id LEFT JOIN sla_alerts a ON a.ticket_id = t.id
		WHERE p.key = $1 AND t.title LIKE 'chaos-%' ORDER BY t.id, a.alerted_at`, o.customers[0].key)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	type ticket struct {
		created time.Time
		groups  []time.Time // distinct alerted_at: one post each
		alerts  map[string]int
	}
	tickets := map[string]*ticket{}
	var order []string
	for rows.Next() {
		var title string
		var created time.Time
		var threshold sql.NullString
		var alerted sql.NullTime
		if err := rows.Scan(&title, &created, &threshold, &alerted); err != nil {
			return nil, err
		}
		t := tickets[title]
		if t == nil {
			t = &ticket{created: created, alerts: map[string]int{}}
			tickets[title] = t
			order = append(order, title)
		}
		if threshold.Valid {
			t.alerts[threshold.String]++
			if !slices.ContainsFunc(t.groups, alerted.Time.Equal) {
				t.groups = append(t.groups, alerted.Time)
			}
		}
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	posts := map[string]int{}
	o.mu.Lock()
	defer o.mu.Unlock()
	for _, m := range o.emu.Messages(triageChan) {
		if m.User != o.bot || m.Deleted {
			continue
		}
		if title, ok := slaPostTitle(m.Text); ok {
			posts[title]++
		}
	}
	var out []expectation
	for _, title := range order {
		t := tickets[title]
		for _, th := range []struct {
			name string
			at   time.Duration
		}{{"50%", slaTarget / 2}, {"breach", slaTarget}} {
			e := expectation{kind: kindSLA, what: title + " " + th.name, due: t.created.Add(th.at), n: t.alerts[th.name]}
			// Slack shows one post per group: a post more than groups doubles
			// the ticket's alerts, one fewer loses the last threshold.
			if p := posts[title]; th.name == "breach" && p != len(t.groups) {
				e.n = max(e.n, 0) + p - len(t.groups)
			}
			e.at = o.first["sla:"+title+":"+th.name]
			out = append(out, e)
		}
	}
	return out, nil
}

// slaPostTitle reads the ticket title out of an SLA alert's text
// (":warning: *KEY* TITLE is at risk…", ":rotating_light: *KEY* TITLE breached…").
func slaPostTitle(text string) (string, bool) {
	if !strings.HasPrefix(text, ":warning: *") && !strings.HasPrefix(text, ":rotating_light: *") {
		return "", false
	}
	_, rest, ok := strings.Cut(text, "* ")
	if !ok {
		return "", false
	}
	title, _, ok := strings.Cut(rest, " ")
	return title, ok && strings.HasPrefix(title, "chaos-")
}

// reminderOutcomes: each forgetter's running timer is reminded once,
// remind_after after its start.
func (o *observer) reminderOutcomes(ctx context.Context, forgetters []string) ([]expectation, error) {
	var out []expectation
	for _, u := range forgetters {
		var started time.Time
		err := o.db.QueryRowContext(ctx, `SELECT started_at FROM time_entries WHERE user_id = $1 ORDER BY id LIMIT 1`, u).Scan(&started)
		if err == sql.ErrNoRows {
			continue // its Start never made it: the click ledger counts that
		} else if err != nil {
			return nil, err
		}
		e := expectation{kind: kindReminder, what: u, due: started.Add(remindAfter)}
		o.mu.Lock()
		for _, m := range o.emu.Messages(dmOf(u)) {
			if m.User == o.bot && !m.Deleted && strings.HasPrefix(m.Text, ":alarm_clock: Your timer") {
				e.n++
			}
		}
		e.at = o.first["reminder:"+u]
		o.mu.Unlock()
		out = append(out, e)
	}
	return out, nil
}

// scanScheduled records first sightings of scheduled posts.
func (o *observer) scanScheduled(now time.Time, forgetters []string) {
	for _, m := range o.emu.Messages(triageChan) {
		if m.User != o.bot {
			continue
		}
		if title, ok := slaPostTitle(m.Text); ok {
			if strings.HasPrefix(m.Text, ":rotating_light:") {
				o.seen("sla:"+title+":breach", now)
			}
			o.seen("sla:"+title+":50%", now) // a breach summary covers the warning
		}
	}
	for _, m := range o.emu.Messages(digestChan) {
		if name, ok := strings.CutPrefix(m.Text, "Digest: "); ok && m.User == o.bot {
			name, _, _ = strings.Cut(name, ",")
			o.seen("digest:"+name, now)
		}
	}
	for _, u := range forgetters {
		for _, m := range o.emu.Messages(dmOf(u)) {
			if m.User == o.bot && strings.HasPrefix(m.Text, ":alarm_clock:") {
				o.seen("reminder:"+u, now)
			}
		}
	}
}

// ledgerScheduled compares the scheduled outcomes with what shows: those
// due (with their job's period and a margin) before cutoff must show
// once; any may not show twice.
func ledgerScheduled(es []expectation, cutoff time.Time) *scheduled {
	s := &scheduled{rows: map[string]*row{}}
	for _, e := range es {
		r := s.rows[e.kind]
		if r == nil {
			r = &row{}
			s.rows[e.kind] = r
		}
		period := jobPeriod
		if e.kind == kindSLA {
			period = slaScan
		}
		owed := !e.due.Add(period + margin).After(cutoff)
		if e.due.After(cutoff) && e.n == 0 {
			continue // not due yet when the load ended
		}
		r.sent++
		if owed {
			r.acked++
		}
		switch {
		case e.n > 1:
			r.doubled++
			s.problems = append(s.problems, fmt.Sprintf("doubled: %s %s (%d times)", e.kind, e.what, e.n))
		case e.n == 1:
			r.delivered++
			if !e.at.IsZero() {
				r.late = append(r.late, max(e.at.Sub(e.due), 0))
			}
		case owed:
			r.lost++
			s.problems = append(s.problems, fmt.Sprintf("lost: %s %s (due %s)", e.kind, e.what, e.due.Format("15:04:05.000")))
		}
	}
	return s
}

// forget has each forgetter, one every interval from the start, click
// Start on a known ticket and never stop it.
func (l *loader) forget(ctx context.Context, forgetters []string, every time.Duration) {
	for _, u := range forgetters {
		sleepCtx(ctx, every)
		if ctx.Err() != nil {
			return
		}
		tgt, ok := l.target()
		if !ok {
			continue
		}
		in, _ := l.next(kindClick)
		in.user, in.key, in.action = u, tgt.key, "timer_start"
		sctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 15*time.Second)
		_, err := l.emu.Interactive(sctx, slackemu.BlockAction(u, tgt.channel, tgt.ts, "timer_start", tgt.key))
		cancel()
		l.mu.Lock()
		if err == nil {
			in.acked, in.ackAt = true, time.Now()
		}
		l.mu.Unlock()
	}
}
