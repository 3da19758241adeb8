package commands

import (
	"context"
	"fmt"
	"time"

	"github.com/deskbot/deskbot/domain"
	"github.com/deskbot/deskbot/domain/automation"
	"github.com/deskbot/deskbot/domain/sla"
)

// Anchors of the stale-ticket steps in automation_runs (rules use their names).
const (
	staleRemind = "stale_tickets:remind"
	staleClose  = "stale_tickets:close"
)

// ScanAutomations is the scheduler's job for what time alone brings: the
// time-based rules (no_customer_reply, idle) and stale-ticket chasing. It
// reads every open ticket's last activity in one statement, then handles
// each due ticket in a transaction of its own. A rule fires once per
// anchor (the instant it counts from: the agents' last reply, the last
// activity, the start of the wait), recorded in automation_runs in the
// same transaction, so neither a restart nor a second replica repeats it;
// a later reply or change gives a new anchor. Run it every minute or so.
// It returns how many rules and chasing steps ran.
func (s *Service) ScanAutomations(ctx context.Context) (int, error) {
	cfg := s.Config()
	timed := false
	for _, r := range cfg.Automations {
		timed = timed || automation.Timed(r.On)
	}
	if !timed && cfg.Stale.RemindAfter.Duration == 0 {
		return 0, nil
	}
	var acts []*domain.TicketActivity
	var now time.Time
	if err := s.store.View(ctx, func(tx domain.Tx) (err error) {
		now = tx.Now()
		acts, err = tx.TicketActivity(ctx, s.openStatuses(cfg))
		return err
	}); err != nil {
		return 0, err
	}
	ran, failed := 0, 0
	for _, act := range acts {
		due := timedEvents(cfg, act, now)
		chase := cfg.Stale.RemindAfter.Duration > 0 && isWaiting(cfg, act.Status)
		if len(due) == 0 && !chase {
			continue
		}
		var n int
		err := s.store.Update(ctx, func(tx domain.Tx) (err error) {
			n, err = s.runTimed(ctx, tx, cfg, act, due, chase)
			return err
		})
		if err != nil {
			if ctx.Err() != nil {
				return ran, ctx.Err()
			}
			s.log.Error("automation: time-based scan failed for a ticket", "ticket_id", act.TicketID, "err", err)
			failed++
			continue
		}
		ran += n
	}
	if failed > 0 {
		return ran, fmt.Errorf("commands: time-based automations failed for %d tickets (see the log)", failed)
	}
	return ran, nil
}

// timedEvent is a time-based event a ticket is in, with its anchor.
type timedEvent struct {
	automation.Event
	anchor time.Time
}

// timedEvents tells how long a ticket has gone without a customer reply
// (business time since the agents' last public reply, when the customer
// has not answered it) and without activity (wall time).
func timedEvents(cfg *domain.Config, act *domain.TicketActivity, now time.Time) []timedEvent {
	var out []timedEvent
	if r := act.LastAgentReply; r != nil && (act.LastCustomerReply == nil || act.LastCustomerReply.Before(*r)) {
		out = append(out, timedEvent{automation.Event{Kind: automation.OnNoCustomerReply,
			Elapsed: businessTime(calendarOf(cfg, act.SLAPolicy), *r, now)}, *r})
	}
	idle := act.CreatedAt
	if act.LastActivity != nil && act.LastActivity.After(idle) {
		idle = *act.LastActivity
	}
	out = append(out, timedEvent{automation.Event{Kind: automation.OnIdle, Elapsed: now.Sub(idle)}, idle})
	return out
}

func calendarOf(cfg *domain.Config, policy string) *sla.Calendar {
	if p := cfg.PolicyFor(policy); p != nil {
		return p.Calendar
	}
	return nil
}

// businessTime is the open time of the calendar between two instants;
// wall time without a calendar.
func businessTime(cal *sla.Calendar, from, to time.Time) time.Duration {
	if !to.After(from) {
		return 0
	}
	if cal == nil {
		return to.Sub(from)
	}
	return cal.Between(from, to)
}

func isWaiting(cfg *domain.Config, status string) bool {
	st := cfg.Status(status)
	return st != nil && st.Category == domain.CategoryWaiting
}

// runTimed fires a ticket's due time-based rules and chasing step.
func (s *Service) runTimed(ctx context.Context, tx domain.Tx, cfg *domain.Config, act *domain.TicketActivity, due []timedEvent, chase bool) (int, error) {
	t, err := tx.Ticket(ctx, act.TicketID) // locks it
	if err != nil || t.Status != act.Status {
		return 0, err // it moved since the read: the next pass looks again
	}
	n := 0
	var f *automation.Facts
	for _, ev := range due {
		for _, r := range cfg.Automations {
			if !r.Triggered(ev.Event) {
				continue
			}
			if f == nil {
				if f, err = s.facts(ctx, tx, cfg, t, ""); err != nil {
					return n, err
				}
			}
			if r.If != nil && !r.If.Match(f) {
				continue
			}
			first, err := tx.ClaimAutomationRun(ctx, t.ID, r.Name, ev.anchor.Format(time.RFC3339Nano))
			if err != nil || !first {
				if err != nil {
					return n, err
				}
				continue
			}
			if err := s.fire(context.WithValue(ctx, chainKey{}, chain{r.Name}), tx, cfg, t, r); err != nil {
				return n, err
			}
			n++
		}
	}
	if chase {
		did, err := s.chase(ctx, tx, cfg, t, act)
		if did {
			n++
		}
		return n, err
	}
	return n, nil
}

// chase reminds the customer of a ticket waiting on them, then closes it
// when the reminder goes unanswered; each step once per wait.
func (s *Service) chase(ctx context.Context, tx domain.Tx, cfg *domain.Config, t *domain.Ticket, act *domain.TicketActivity) (bool, error) {
	now := tx.Now()
	cal := calendarOf(cfg, t.SLAPolicy)
	since := act.CreatedAt
	if act.LastStatus != nil {
		since = *act.LastStatus
	}
	if businessTime(cal, since, now) < cfg.Stale.RemindAfter.Duration {
		return false, nil
	}
	anchor := since.Format(time.RFC3339Nano)
	sys := automationActor("stale tickets")
	reminded, err := lastEventSince(ctx, tx, t.ID, domain.EventReminder, since)
	if err != nil {
		return false, err
	}
	if reminded == nil {
		if first, err := tx.ClaimAutomationRun(ctx, t.ID, staleRemind, anchor); err != nil || !first {
			return false, err
		}
		closeAfter := ""
		if d := cfg.Stale.CloseAfter.Duration; d > 0 {
			closeAfter = domain.FormatDuration(d)
		}
		if err := tellCustomer(ctx, tx, t, NoticeStaleReminder, map[string]string{"close_after": closeAfter}); err != nil {
			return false, err
		}
		return true, event(ctx, tx, sys, t, domain.EventReminder, "", "", "waiting on the customer for "+domain.FormatDuration(businessTime(cal, since, now)))
	}
	if cfg.Stale.CloseAfter.Duration == 0 || businessTime(cal, *reminded, now) < cfg.Stale.CloseAfter.Duration {
		return false, nil
	}
	if first, err := tx.ClaimAutomationRun(ctx, t.ID, staleClose, anchor); err != nil || !first {
		return false, err
	}
	to := closingStatus(cfg, t)
	if to == "" {
		return true, event(ctx, tx, sys, t, domain.EventAutomation, "stale tickets", "", "unable to close: the workflow allows no close from "+cfg.StatusLabel(t.Status))
	}
	if err := s.moveStatus(ctx, tx, cfg, sys, t, to); err != nil {
		if domain.ErrorCode(err) == domain.EINTERNAL {
			return false, err
		}
		return true, event(ctx, tx, sys, t, domain.EventAutomation, "stale tickets", "", "unable to close: "+domain.ErrorMessage(err))
	}
	return true, tellCustomer(ctx, tx, t, NoticeStaleClosed, nil)
}

// closingStatus is where an unanswered ticket goes: the first closed
// status its workflow allows from here, else the first resolved one.
func closingStatus(cfg *domain.Config, t *domain.Ticket) string {
	wf := cfg.WorkflowFor(t.Type)
	if wf == nil {
		return ""
	}
	for _, cat := range []string{domain.CategoryClosed, domain.CategoryResolved} {
		for _, s := range wf.Next(t.Status) {
			if st := cfg.Status(s); st != nil && st.Category == cat && wf.CheckMove(cfg, t.Status, s, t.Fields) == nil {
				return s
			}
		}
	}
	return ""
}

// lastEventSince returns when the ticket last had an event of a kind at
// or after since, or nil.
func lastEventSince(ctx context.Context, tx domain.EventStore, ticketID int64, kind string, since time.Time) (*time.Time, error) {
	events, err := tx.Events(ctx, ticketID)
	if err != nil {
		return nil, err
	}
	var last *time.Time
	for _, e := range events {
		if e.Kind == kind && !e.At.Before(since) {
			at := e.At
			last = &at
		}
	}
	return last, nil
}
