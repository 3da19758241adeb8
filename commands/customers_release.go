package commands

import (
	"context"
	"slices"
	"strings"
	"time"

	"github.com/deskbot/deskbot/domain"
)

// RegisterRelease records that a version shipped, so tickets and
// customers may name it. It reports false when it was already recorded.
func (s *Service) RegisterRelease(ctx context.Context, a domain.Actor, version string) (string, bool, error) {
	if err := requireAgent(a, "register releases"); err != nil {
		return "", false, err
	}
	sv, ok := domain.ParseSemver(version)
	if !ok {
		return "", false, domain.FieldErrorf("version", "%q is not a version like 4.2.1.", version)
	}
	var added bool
	err := s.store.Update(ctx, func(tx domain.Tx) (err error) {
		added, err = tx.AddRelease(ctx, &domain.Release{Version: sv.String(), RecordedBy: a.Ref()})
		return err
	})
	return sv.String(), added, err
}

// Released lists the versions known to have shipped (the config's and
// the registered ones), oldest first.
func (s *Service) Released(ctx context.Context) ([]string, error) {
	var out []string
	err := s.store.View(ctx, func(tx domain.Tx) (err error) {
		out, err = releasedVersions(ctx, tx, s.Config())
		return err
	})
	return out, err
}

// ReleaseReport is what ReleaseFixes did, ticket by ticket.
type ReleaseReport struct {
	Version  string
	New      bool              // the release was registered now
	Resolved []string          // moved to a resolved status
	Already  []string          // already done: only told
	Refused  map[string]string // key → why it could not be resolved
}

// ReleaseFixes registers a release and resolves the tickets it fixes, each
// as its workflow allows (straight to a resolved status, or through one
// open status when the workflow needs it), in a transaction of its own:
// one refusal (a required field, an unresolved blocker) leaves the others
// resolved. Each ticket records the fix, and its customer is told in the
// ticket's thread (and mail thread). Tickets that block others in the
// same release are tried again after them.
func (s *Service) ReleaseFixes(ctx context.Context, a domain.Actor, version string, keys []string) (*ReleaseReport, error) {
	v, added, err := s.RegisterRelease(ctx, a, version)
	if err != nil {
		return nil, err
	}
	r := &ReleaseReport{Version: v, New: added, Refused: map[string]string{}}
	var todo []string
	for _, k := range keys {
		if p, n, err := domain.ParseKey(k); err == nil && !slices.Contains(todo, domain.FormatKey(p, n)) {
			todo = append(todo, domain.FormatKey(p, n))
		} else if err != nil {
			r.Refused[k] = domain.ErrorMessage(err)
		}
	}
	for pass := 0; pass < 2 && len(todo) > 0; pass++ {
		var again []string
		for _, key := range todo {
			done, err := s.fixTicket(ctx, a, key, v)
			switch {
			case err == nil && done:
				r.Already = append(r.Already, key)
			case err == nil:
				r.Resolved = append(r.Resolved, key)
				delete(r.Refused, key)
			case domain.ErrorCode(err) == domain.EINTERNAL:
				return r, err
			default:
				r.Refused[key] = domain.ErrorMessage(err)
				again = append(again, key)
			}
		}
		if len(again) == len(todo) {
			break // nothing moved: a second pass would refuse the same
		}
		todo = again
	}
	return r, nil
}

// fixTicket resolves one ticket for a release and tells its customer. It
// reports true when the ticket was already done.
func (s *Service) fixTicket(ctx context.Context, a domain.Actor, key, version string) (bool, error) {
	cfg := s.Config()
	var already bool
	err := s.store.Update(ctx, func(tx domain.Tx) error {
		t, err := ticketFor(ctx, tx, a, key)
		if err != nil {
			return err
		}
		st := cfg.Status(t.Status)
		already = st != nil && st.Done()
		if !already {
			if err := s.resolveFor(ctx, tx, cfg, a, t); err != nil {
				return err
			}
		}
		if err := event(ctx, tx, a, t, domain.EventFixed, "version", "", version); err != nil {
			return err
		}
		return tellCustomer(ctx, tx, t, NoticeReleaseFixed, map[string]string{"version": version})
	})
	return already, err
}

// resolveFor moves a ticket to a resolved status by the shortest path its
// workflow allows, or explains why it cannot.
func (s *Service) resolveFor(ctx context.Context, tx domain.Tx, cfg *domain.Config, a domain.Actor, t *domain.Ticket) error {
	wf := cfg.WorkflowFor(t.Type)
	if wf == nil {
		return domain.Errorf(domain.EINVALID, "Ticket type %q is no longer configured.", t.Type)
	}
	resolved := func(s string) bool { st := cfg.Status(s); return st != nil && st.Category == domain.CategoryResolved }
	ok := func(from, to string) bool { return wf.CheckMove(cfg, from, to, t.Fields) == nil }
	for _, to := range wf.Next(t.Status) {
		if resolved(to) && ok(t.Status, to) {
			return s.moveStatus(ctx, tx, cfg, a, t, to)
		}
	}
	for _, via := range wf.Next(t.Status) {
		if st := cfg.Status(via); st == nil || st.Category != domain.CategoryOpen || !ok(t.Status, via) {
			continue
		}
		for _, to := range wf.Next(via) {
			if resolved(to) && ok(via, to) {
				if err := s.moveStatus(ctx, tx, cfg, a, t, via); err != nil {
					return err
				}
				return s.moveStatus(ctx, tx, cfg, a, t, to)
			}
		}
	}
	// No path: the direct move's refusal says why (a field, the workflow).
	for _, st := range cfg.Statuses {
		if st.Category == domain.CategoryResolved {
			if err := wf.CheckMove(cfg, t.Status, st.Name, t.Fields); err != nil {
				return err
			}
		}
	}
	return domain.Errorf(domain.EINVALID, "The workflow of %s has no way to a resolved status.", t.Key())
}

// VersionReport counts tickets per version: open now, and coming in per
// week, so a regression in a release stands out.
type VersionReport struct {
	Weeks []time.Time   // the Monday (UTC) each column starts, oldest first
	Rows  []*VersionRow // newest version first; tickets without a version last
	Total *VersionRow   // all versions
	Now   time.Time
}

// VersionRow is one version's line.
type VersionRow struct {
	Version   string   // "" for tickets without one
	Customers []string // keys of the customers running it now
	Open      int
	Incoming  []int // per week, as VersionReport.Weeks
	Released  bool  // a known release
}

// VersionReport builds the report over the last weeks (1 to 26). Only agents may.
func (s *Service) VersionReport(ctx context.Context, a domain.Actor, weeks int) (*VersionReport, error) {
	if err := requireAgent(a, "see the version report"); err != nil {
		return nil, err
	}
	weeks = min(max(weeks, 1), 26)
	cfg := s.Config()
	open := s.openStatuses(cfg)
	rep := &VersionReport{}
	rows := map[string]*VersionRow{}
	row := func(v string) *VersionRow {
		if rows[v] == nil {
			rows[v] = &VersionRow{Version: v, Incoming: make([]int, weeks)}
		}
		return rows[v]
	}
	err := s.view(ctx, a, func(tx domain.Tx) error {
		rep.Now = tx.Now()
		start := weekStart(rep.Now).AddDate(0, 0, -7*(weeks-1))
		for i := range weeks {
			rep.Weeks = append(rep.Weeks, start.AddDate(0, 0, 7*i))
		}
		ts, err := tx.VersionTickets(ctx, start, open)
		if err != nil {
			return err
		}
		for _, t := range ts {
			r := row(t.Version)
			if slices.Contains(open, t.Status) {
				r.Open++
			}
			if w := int(t.CreatedAt.Sub(start) / (7 * 24 * time.Hour)); !t.CreatedAt.Before(start) && w < weeks {
				r.Incoming[w]++
			}
		}
		ps, err := tx.Customers(ctx)
		if err != nil {
			return err
		}
		for _, p := range ps {
			if p.CurrentVersion != "" {
				r := row(p.CurrentVersion)
				r.Customers = append(r.Customers, p.Key)
			}
		}
		released, err := releasedVersions(ctx, tx, cfg)
		for _, v := range released {
			if r := rows[v]; r != nil {
				r.Released = true
			}
		}
		return err
	})
	if err != nil {
		return nil, err
	}
	rep.Total = &VersionRow{Incoming: make([]int, weeks)}
	for _, r := range rows {
		rep.Rows = append(rep.Rows, r)
		rep.Total.Open += r.Open
		for i, n := range r.Incoming {
			rep.Total.Incoming[i] += n
		}
	}
	slices.SortFunc(rep.Rows, func(a, b *VersionRow) int {
		switch {
		case a.Version == "" || b.Version == "":
			return strings.Compare(b.Version, a.Version) // "" last
		}
		va, _ := domain.ParseSemver(a.Version)
		vb, _ := domain.ParseSemver(b.Version)
		return vb.Compare(va)
	})
	return rep, nil
}

// weekStart is the Monday 00:00 UTC of t's week.
func weekStart(t time.Time) time.Time {
	t = t.UTC()
	d := (int(t.Weekday()) + 6) % 7
	return time.Date(t.Year(), t.Month(), t.Day()-d, 0, 0, 0, 0, time.UTC)
}
