package commands

import (
	"context"
	"strconv"
	"time"

	"github.com/deskbot/deskbot/domain"
)

// Notices about forgotten timers, DMed to the timer's owner (PostJob.User).
const (
	// NoticeTimerForgotten: a timer has run past time.remind_after. Args:
	// ticket (key), started (RFC3339, UTC), running (how long so far, as
	// FormatDuration writes it: 2h05), entry_id. The DM's buttons map to
	// StopTimerEntry (Stop now: zero time; Stop at…: the picked time) and
	// KeepRunning.
	NoticeTimerForgotten = "timer_forgotten"
	// NoticeTimerCapped: time.hard_cap stopped a timer on its own. Args:
	// ticket, started and ended (RFC3339, UTC), duration (FormatDuration),
	// cap (FormatDuration), entry_id. EditTime fixes the entry if the work
	// really ended earlier.
	NoticeTimerCapped = "timer_capped"
)

// reminderBatch bounds one scan; the scheduler runs every minute, so a
// backlog drains within minutes and no transaction grows large.
const reminderBatch = 100

// RemindForgottenTimers is the scheduler's timer scan: it stops timers
// past time.hard_cap (at start+cap) and DMs the owners of timers past
// time.remind_after, each reminder once. Replicas scanning at once take
// different timers. It returns how many owners it told.
func (s *Service) RemindForgottenTimers(ctx context.Context) (int, error) {
	cfg := s.Config()
	after, hardCap := cfg.Time.RemindAfterOrDefault(), cfg.Time.HardCap.Duration
	sys := domain.SystemActor(domain.ChannelScheduler)
	var n int
	err := s.store.Update(ctx, func(tx domain.Tx) error {
		n = 0 // the store may run this again after a serialization failure
		now := tx.Now()
		if hardCap > 0 {
			stale, err := tx.StaleTimers(ctx, now.Add(-hardCap), reminderBatch)
			if err != nil {
				return err
			}
			for _, e := range stale {
				if err := capTimer(ctx, tx, sys, e, hardCap); err != nil {
					return err
				}
				n++
			}
		}
		due, err := tx.DueTimerReminders(ctx, now.Add(-after), reminderBatch)
		if err != nil {
			return err
		}
		for _, e := range due {
			t, err := tx.Ticket(ctx, e.TicketID)
			if err != nil {
				return err
			}
			if err := tx.SetTimerReminder(ctx, e.ID, &now, nil); err != nil {
				return err
			}
			err = post(ctx, tx, PostJob{Notice: NoticeTimerForgotten, TicketID: t.ID, User: e.UserID, By: sys.Ref(),
				Args: map[string]string{"ticket": t.Key(), "started": e.StartedAt.Format(time.RFC3339),
					"running": domain.FormatDuration(e.Duration(now)), "entry_id": strconv.FormatInt(e.ID, 10)}})
			if err != nil {
				return err
			}
			n++
		}
		return nil
	})
	if err != nil {
		return 0, err
	}
	if n > 0 {
		s.log.Info("forgotten timers", "told", n)
	}
	return n, nil
}

func capTimer(ctx context.Context, tx domain.Tx, sys domain.Actor, e *domain.TimeEntry, hardCap time.Duration) error {
	t, err := stopEntry(ctx, tx, sys, e, e.StartedAt.Add(hardCap))
	if err != nil {
		return err
	}
	return post(ctx, tx, PostJob{Notice: NoticeTimerCapped, TicketID: t.ID, User: e.UserID, By: sys.Ref(),
		Args: map[string]string{"ticket": t.Key(), "started": e.StartedAt.Format(time.RFC3339),
			"ended": e.EndedAt.Format(time.RFC3339), "duration": domain.FormatDuration(time.Duration(e.Seconds) * time.Second),
			"cap": domain.FormatDuration(hardCap), "entry_id": strconv.FormatInt(e.ID, 10)}})
}

// KeepRunning answers a reminder with "still working": the next reminder
// comes time.remind_after from now. It returns when that is.
func (s *Service) KeepRunning(ctx context.Context, a domain.Actor, entryID int64) (time.Time, error) {
	after := s.Config().Time.RemindAfterOrDefault()
	var next time.Time
	err := s.store.Update(ctx, func(tx domain.Tx) error {
		e, err := runningEntry(ctx, tx, a, entryID)
		if err != nil {
			return err
		}
		next = tx.Now().Add(after)
		return tx.SetTimerReminder(ctx, e.ID, e.RemindedAt, &next)
	})
	if err != nil {
		return time.Time{}, err
	}
	return next, nil
}

// StopTimerEntry stops a given timer of the actor at a time (zero: now),
// for a reminder's buttons: pressed late, after that timer was already
// stopped, it says so instead of stopping whatever runs now.
func (s *Service) StopTimerEntry(ctx context.Context, a domain.Actor, entryID int64, at time.Time) (*domain.TimeEntry, *domain.Ticket, error) {
	return s.stopTimerEntry(ctx, a, entryID, func(time.Time) (time.Time, error) { return at, nil })
}

// StopTimerEntryAt stops a given timer of the actor at a time of day as
// people write it (17:30) in loc: the last such time, today or last night.
func (s *Service) StopTimerEntryAt(ctx context.Context, a domain.Actor, entryID int64, clock string, loc *time.Location) (*domain.TimeEntry, *domain.Ticket, error) {
	return s.stopTimerEntry(ctx, a, entryID, func(now time.Time) (time.Time, error) {
		return clockTimeBefore(clock, now, locOrUTC(loc))
	})
}

func (s *Service) stopTimerEntry(ctx context.Context, a domain.Actor, entryID int64, at func(now time.Time) (time.Time, error)) (*domain.TimeEntry, *domain.Ticket, error) {
	var e *domain.TimeEntry
	var t *domain.Ticket
	err := s.store.Update(ctx, func(tx domain.Tx) (err error) {
		if e, err = runningEntry(ctx, tx, a, entryID); err != nil {
			return err
		}
		when, err := at(tx.Now())
		if err != nil {
			return err
		}
		end, err := stopTime(e, tx.Now(), when)
		if err != nil {
			return err
		}
		t, err = stopEntry(ctx, tx, a, e, end)
		return err
	})
	if err != nil {
		return nil, nil, err
	}
	return e, t, nil
}

// runningEntry loads the actor's own timer, refusing one that has stopped.
func runningEntry(ctx context.Context, tx domain.TimeStore, a domain.Actor, id int64) (*domain.TimeEntry, error) {
	if err := requireAgent(a, "track time"); err != nil {
		return nil, err
	}
	e, err := tx.TimeEntry(ctx, id)
	if domain.ErrorCode(err) == domain.ENOTFOUND {
		return nil, domain.Errorf(domain.ENOTFOUND, "That timer does not exist.")
	} else if err != nil {
		return nil, err
	}
	if e.UserID != a.UserID {
		return nil, domain.Errorf(domain.EFORBIDDEN, "That is not your timer.")
	}
	if !e.Running() || e.DeletedAt != nil {
		return nil, domain.Errorf(domain.EINVALID, "That timer has already stopped.")
	}
	return e, nil
}
