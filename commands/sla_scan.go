package commands

import (
	"context"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/deskbot/deskbot/domain"
)

// slaScanBatch is how many due tickets one look-up takes; a pass keeps
// looking until fewer come back, up to slaScanRounds look-ups.
const (
	slaScanBatch  = 100
	slaScanRounds = 50
)

// ScanSLA alerts every SLA threshold that has passed and was not alerted
// yet, and returns how many thresholds it alerted. The scheduler calls it
// every few seconds; it finds due tickets through the index on sla_due_at,
// never by reading open tickets.
//
// Each ticket is handled in a transaction of its own that records its
// alerts (unique per ticket, target, threshold and cycle), queues their
// notices and moves its due time on, all or nothing: so a crash, a restart
// or another replica scanning at the same moment cannot lose or repeat an
// alert. A ticket that fails is logged and left due; the others go on.
func (s *Service) ScanSLA(ctx context.Context) (int, error) {
	cfg := s.Config()
	alerted, failed := 0, map[int64]bool{}
	for range slaScanRounds {
		var ids []int64
		limit := slaScanBatch + len(failed) // failed tickets stay due; look past them
		if err := s.store.View(ctx, func(tx domain.Tx) (err error) {
			ids, err = tx.DueSLATickets(ctx, limit)
			return err
		}); err != nil {
			return alerted, err
		}
		progress := false
		for _, id := range ids {
			if failed[id] {
				continue
			}
			progress = true
			n, err := s.alertSLA(ctx, cfg, id)
			if err != nil {
				if ctx.Err() != nil {
					return alerted, ctx.Err()
				}
				s.log.Error("sla: unable to alert", "ticket_id", id, "err", err)
				failed[id] = true
				continue
			}
			alerted += n
		}
		if len(ids) < limit || !progress {
			break
		}
	}
	if len(failed) > 0 {
		return alerted, fmt.Errorf("commands: SLA alerts failed for %d tickets (see the log)", len(failed))
	}
	return alerted, nil
}

// alertSLA handles one due ticket and returns how many thresholds it alerted.
func (s *Service) alertSLA(ctx context.Context, cfg *domain.Config, id int64) (int, error) {
	var fired []Threshold
	err := s.store.Update(ctx, func(tx domain.Tx) error {
		fired = nil
		t, err := tx.Ticket(ctx, id) // locks it: a change to it waits for this pass
		if err != nil {
			return err
		}
		now := tx.Now()
		if t.SLADueAt == nil || t.SLADueAt.After(now) {
			return nil // another scan or a change got here first
		}
		run, err := loadSLA(ctx, tx, cfg, t, now)
		if err != nil {
			return err
		}
		for _, th := range run.pending() {
			if th.At.After(now) {
				break
			}
			a := &domain.SLAAlert{TicketID: t.ID, Target: th.Target, Threshold: th.Name, CycleStart: th.CycleStart, ThresholdAt: th.At}
			first, err := tx.AddSLAAlert(ctx, a)
			if err != nil {
				return err
			}
			if first {
				fired = append(fired, th)
			}
			run.alerted[keyOf(th.Target, th.Name, th.CycleStart)] = true
		}
		if len(fired) > 0 {
			if err := s.notifySLA(ctx, tx, cfg, t, run, fired); err != nil {
				return err
			}
			breach := slices.ContainsFunc(fired, Threshold.Breach)
			if err := s.RunSLAAutomations(ctx, tx, cfg, t, breach); err != nil {
				return err
			}
			if err := refreshCard(ctx, tx, t); err != nil { // its SLA line changed
				return err
			}
		}
		return saveSLA(ctx, tx, t, run.nextDue(), run.nextDeadline(), false)
	})
	return len(fired), err
}

// notifySLA queues one notice per recipient for the thresholds that just
// passed: one plain notice, or one summary when there are several.
func (s *Service) notifySLA(ctx context.Context, tx domain.OutboxStore, cfg *domain.Config, t *domain.Ticket, run *slaRun, fired []Threshold) error {
	lead, breach := fired[len(fired)-1], false
	for _, th := range fired {
		if th.Breach() {
			lead, breach = th, true
		}
	}
	args := slaArgs(run, lead)
	notice := NoticeSLAWarning
	switch {
	case len(fired) > 1:
		notice = NoticeSLASummary
		names := make([]string, len(fired))
		for i, th := range fired {
			names[i] = th.Target + ":" + th.Name
		}
		args["count"], args["alerts"], args["breach"] = strconv.Itoa(len(fired)), strings.Join(names, ";"), strconv.FormatBool(breach)
	case breach:
		notice = NoticeSLABreach
	}
	job := PostJob{Notice: notice, TicketID: t.ID, By: domain.SystemActor(domain.ChannelScheduler).Ref(), Args: args}
	jobs := []PostJob{withTarget(job, func(j *PostJob) { j.InTicketThread = true })}
	people := cfg.SLA.OnCall
	if t.AssigneeID != "" {
		people = []string{t.AssigneeID}
	}
	for _, u := range people {
		jobs = append(jobs, withTarget(job, func(j *PostJob) { j.User = u }))
	}
	if breach && cfg.SLA.EscalationChannel != "" {
		jobs = append(jobs, withTarget(job, func(j *PostJob) { j.Channel = cfg.SLA.EscalationChannel }))
	}
	for _, j := range jobs {
		if err := post(ctx, tx, j); err != nil {
			return err
		}
	}
	return nil
}

func withTarget(j PostJob, set func(*PostJob)) PostJob {
	set(&j)
	return j
}

// slaArgs are a threshold's notice Args (see NoticeSLAWarning).
func slaArgs(run *slaRun, th Threshold) map[string]string {
	c := th.Clock
	return map[string]string{
		"target":    th.Target,
		"threshold": th.Name,
		"at":        th.At.Format(time.RFC3339),
		"due":       c.Due.Format(time.RFC3339),
		"remaining": ShortDuration(c.Remaining),
		"overdue":   ShortDuration(max(c.Used-c.Target, 0)),
		"priority":  run.state.Priority,
		"policy":    run.policy.Name,
		"time_zone": run.policy.Calendar.Location().String(),
	}
}
