package commands

import (
	"context"
	"slices"
	"time"

	"github.com/deskbot/deskbot/domain"
	"github.com/deskbot/deskbot/domain/sla"
)

// SLA notices, queued by ScanSLA as PostJobs to the ticket's card thread
// (InTicketThread), to the assignee or each on-call agent (User), and for
// breaches to the escalation channel (Channel). By is "deskbot".
//
// Args of NoticeSLAWarning and NoticeSLABreach:
//
//	target     first_response, resolution or next_response
//	threshold  the warning as configured ("75%", "30m") or "breach"
//	at         when the threshold passed, RFC3339
//	due        the target's deadline, RFC3339 in the calendar's zone
//	remaining  business time left before due ("30m", "1h15m"; "0s" once breached)
//	overdue    business time past due ("0s" for warnings)
//	priority   the priority in force
//	policy     the SLA policy's name
//	time_zone  the calendar's IANA zone, to show due in
//
// NoticeSLASummary replaces several notices when more thresholds passed
// for one ticket since the last scan (a scheduler that was down catches
// up with one message, not a flood). Its Args are those of the most severe
// threshold (the latest breach, else the latest warning), plus:
//
//	count   how many thresholds it covers
//	alerts  each of them in time order, "target:threshold" joined by ";"
//	        (e.g. "first_response:75%;first_response:30m;first_response:breach")
//	breach  "true" when one of them is a breach (it then goes to the
//	        escalation channel too)
const (
	NoticeSLAWarning = "sla_warning"
	NoticeSLABreach  = "sla_breach"
	NoticeSLASummary = "sla_summary"
)

// ApplySLA is the ChangeHook that keeps a ticket's SLA deadlines current:
// it sets the ticket's policy at creation (the customer's, else the
// config's default) and, after every change that can move a clock, stores
// in SLADueAt the next instant the scheduler must look at. Register it
// with OnChange, after any hook that changes priority or policy.
func (s *Service) ApplySLA(ctx context.Context, tx domain.Tx, cfg *domain.Config, t *domain.Ticket, kinds []string) error {
	if !slices.ContainsFunc(kinds, movesSLA) {
		return nil
	}
	if s.slaAtInsert && isFresh(cfg, kinds) {
		return nil // created with its clock started (startFreshSLA)
	}
	policySet := slices.Contains(kinds, domain.EventCreated) && s.defaultSLAPolicy(cfg, t)
	var run *slaRun
	if isFresh(cfg, kinds) {
		run = freshSLA(cfg, t, tx.Now())
	} else {
		var err error
		if run, err = loadSLA(ctx, tx, cfg, t, tx.Now()); err != nil {
			return err
		}
	}
	return saveSLA(ctx, tx, t, run.nextDue(), run.nextDeadline(), policySet)
}

// startFreshSLA does ApplySLA's work for a fresh ticket (isFresh) before
// it is inserted, so it is inserted with its policy and due time: one
// write fewer on every new ticket, while it holds its customer's number row.
func (s *Service) startFreshSLA(cfg *domain.Config, t *domain.Ticket, now time.Time) {
	if !s.slaAtInsert || !isFresh(cfg, []string{domain.EventCreated}) {
		return
	}
	s.defaultSLAPolicy(cfg, t)
	t.CreatedAt = now // what the store sets; the clock starts there
	run := freshSLA(cfg, t, now)
	t.SLADueAt, t.SLADeadline = run.nextDue(), run.nextDeadline()
}

// defaultSLAPolicy gives a new ticket the config's default policy when its
// customer's is not in the config, and reports whether that changed it.
func (s *Service) defaultSLAPolicy(cfg *domain.Config, t *domain.Ticket) bool {
	if cfg.Policy(t.SLAPolicy) != nil {
		return false
	}
	if t.SLAPolicy != "" {
		s.log.Warn("sla: the customer's policy is not in the config; using the default",
			"ticket", t.Key(), "policy", t.SLAPolicy, "default", cfg.DefaultSLAPolicy)
	}
	changed := t.SLAPolicy != cfg.DefaultSLAPolicy
	t.SLAPolicy = cfg.DefaultSLAPolicy
	return changed
}

// isFresh tells a ticket being created when no rule can have changed it
// yet: its history is then the ticket itself, with nothing to read. The
// saving matters, because a new ticket holds its customer's number row
// until it commits.
func isFresh(cfg *domain.Config, kinds []string) bool {
	return len(kinds) == 1 && kinds[0] == domain.EventCreated && len(cfg.Automations) == 0
}

// freshSLA is loadSLA for a ticket that has no events, comments or alerts
// but its creation.
func freshSLA(cfg *domain.Config, t *domain.Ticket, now time.Time) *slaRun {
	run := &slaRun{policy: cfg.PolicyFor(t.SLAPolicy), alerted: map[alertKey]bool{}}
	if run.policy != nil {
		run.state, run.thresholds = SLAThresholds(run.policy, slaHistory(cfg, t, nil, nil), now)
	}
	return run
}

// movesSLA is false for the event kinds that cannot move an SLA clock, so
// most bookkeeping (timers, links, assignment) costs the hook nothing;
// kinds it does not know recompute, to be safe.
func movesSLA(kind string) bool {
	switch kind {
	case domain.EventAssigned, domain.EventField, domain.EventTitle, domain.EventLinked,
		domain.EventTimerStarted, domain.EventTimerStopped, domain.EventTimeLogged,
		domain.EventTimeEdited, domain.EventTimeDeleted, domain.EventCommentEdit, domain.EventCommentDel:
		return false
	}
	return true
}

// saveSLA writes the ticket's SLA columns when they changed.
func saveSLA(ctx context.Context, tx domain.SLAStore, t *domain.Ticket, due, deadline *time.Time, policySet bool) error {
	if sameTime(due, t.SLADueAt) && sameTime(deadline, t.SLADeadline) && !policySet {
		return nil
	}
	t.SLADueAt, t.SLADeadline = due, deadline
	return tx.SetTicketSLA(ctx, t.ID, t.SLAPolicy, due, deadline)
}

func sameTime(a, b *time.Time) bool {
	return (a == nil) == (b == nil) && (a == nil || a.Equal(*b))
}

// slaRun is a ticket's SLA at one instant, with what was already alerted.
type slaRun struct {
	policy     *sla.Policy
	state      sla.State
	thresholds []Threshold
	alerts     []*domain.SLAAlert // recorded before this run
	alerted    map[alertKey]bool
}

type alertKey struct {
	target, threshold string
	cycle             int64 // unix microseconds, as stored
}

func keyOf(target, threshold string, cycle time.Time) alertKey {
	return alertKey{target, threshold, cycle.UnixMicro()}
}

// slaReader is what an SLA clock is computed from.
type slaReader interface {
	domain.EventStore
	domain.CommentStore
	domain.SLAStore
}

// loadSLA reads the ticket's history and alerts and computes its SLA at now.
func loadSLA(ctx context.Context, tx slaReader, cfg *domain.Config, t *domain.Ticket, now time.Time) (*slaRun, error) {
	run := &slaRun{policy: cfg.PolicyFor(t.SLAPolicy), alerted: map[alertKey]bool{}}
	if run.policy == nil {
		return run, nil
	}
	events, err := tx.Events(ctx, t.ID)
	if err != nil {
		return nil, err
	}
	comments, err := tx.Comments(ctx, t.ID)
	if err != nil {
		return nil, err
	}
	alerts, err := tx.SLAAlerts(ctx, t.ID)
	if err != nil {
		return nil, err
	}
	return slaRunOf(cfg, t, events, comments, alerts, now), nil
}

// slaRunOf is loadSLA over rows already read.
func slaRunOf(cfg *domain.Config, t *domain.Ticket, events []*domain.Event, comments []*domain.Comment, alerts []*domain.SLAAlert, now time.Time) *slaRun {
	run := &slaRun{policy: cfg.PolicyFor(t.SLAPolicy), alerts: alerts, alerted: map[alertKey]bool{}}
	if run.policy == nil {
		return run
	}
	for _, a := range run.alerts {
		run.alerted[keyOf(a.Target, a.Threshold, a.CycleStart)] = true
	}
	run.state, run.thresholds = SLAThresholds(run.policy, slaHistory(cfg, t, events, comments), now)
	return run
}

// pending lists the thresholds not alerted yet, past and future, in time order.
func (r *slaRun) pending() []Threshold {
	var out []Threshold
	for _, th := range r.thresholds {
		if !r.alerted[keyOf(th.Target, th.Name, th.CycleStart)] {
			out = append(out, th)
		}
	}
	return out
}

// nextDeadline is the earliest deadline not yet alerted (a breach, never
// a warning): when the ticket is due by its SLA.
func (r *slaRun) nextDeadline() *time.Time {
	for _, th := range r.pending() {
		if th.Breach() {
			at := th.At
			return &at
		}
	}
	return nil
}

// nextDue is the earliest pending threshold. A past one is due at once:
// the next scan alerts it, which is how a priority raise that breaches a
// ticket on the spot gets its alert.
func (r *slaRun) nextDue() *time.Time {
	if p := r.pending(); len(p) > 0 {
		at := p[0].At
		return &at
	}
	return nil
}

// slaHistory turns a ticket's events and comments into the clock's input.
// Priority and status changes come from the events (any event on the
// status or priority field, so dismissals and later kinds count too); the
// replies from the comments, which keep the author's role: public agent
// comments answer, public customer comments ask, internal notes and
// deskbot's own messages do neither.
func slaHistory(cfg *domain.Config, t *domain.Ticket, events []*domain.Event, comments []*domain.Comment) sla.History {
	h := sla.History{Created: t.CreatedAt, FirstResponse: t.FirstResponseAt}
	prio, status := "", ""
	// A policy keyed by severity reads the severity where others read
	// the priority: the clock picks its targets by that name.
	keyField, current := "priority", t.Priority
	if p := cfg.PolicyFor(t.SLAPolicy); p != nil && p.BySeverity {
		keyField, current = "severity", t.Severity
	}
	for _, e := range events {
		switch {
		case e.Field == keyField || keyField == "priority" && e.Kind == domain.EventPriority:
			if prio == "" {
				prio = e.OldValue
			}
			h.Priority = append(h.Priority, sla.PriorityChange{At: e.At, Priority: e.NewValue})
		case e.Kind == domain.EventMerged && e.Field == "merged_into":
			// Closed as merged: OldValue is the status it left.
			if status == "" {
				status = e.OldValue
			}
			h.Statuses = append(h.Statuses, statusChange(cfg, t.Type, e.At, mergedStatus(cfg)))
		case e.Kind == domain.EventUnmerged && e.Field == "merged_into":
			h.Statuses = append(h.Statuses, statusChange(cfg, t.Type, e.At, e.NewValue))
		case e.Kind == domain.EventStatus || e.Field == "status":
			if status == "" {
				status = e.OldValue
			}
			h.Statuses = append(h.Statuses, statusChange(cfg, t.Type, e.At, e.NewValue))
		}
	}
	if prio == "" && len(h.Priority) == 0 {
		prio = current
	}
	h.Priority = slices.Insert(h.Priority, 0, sla.PriorityChange{At: t.CreatedAt, Priority: prio})
	h.Statuses = slices.Insert(h.Statuses, 0, statusChange(cfg, t.Type, t.CreatedAt, firstNonEmpty(status, t.Status)))
	for _, c := range comments {
		switch {
		case !c.Public, c.MergedFrom != 0: // a merge's comments are the source's conversation, not this ticket's clock
		case c.AuthorRole == domain.RoleAgent:
			h.AgentReplies = append(h.AgentReplies, c.CreatedAt)
		case c.AuthorRole == domain.RoleCustomer:
			h.CustomerMessages = append(h.CustomerMessages, c.CreatedAt)
		}
	}
	return h
}

// statusChange reads pausing (per ticket type, when the type lists its
// own) and resolved from the config: a status the config no longer has
// counts as active, so its clock runs.
func statusChange(cfg *domain.Config, typ string, at time.Time, status string) sla.StatusChange {
	sc := sla.StatusChange{At: at, Status: status}
	if st := cfg.Status(status); st != nil {
		sc.Paused, sc.Resolved = cfg.PausesSLAFor(typ, status), st.Done()
	}
	return sc
}
