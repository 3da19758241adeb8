package commands

import (
	"context"
	"time"

	"github.com/deskbot/deskbot/domain"
	"github.com/deskbot/deskbot/domain/query"
)

// Dashboard is what a person's App Home shows.
type Dashboard struct {
	Timer       *domain.TimeEntry // the running timer, or nil
	TimerTicket *domain.Ticket
	Queue       *ViewResult // agents: their open tickets, most urgent first
	AtRisk      *ViewResult // agents: open tickets at risk or breached, theirs or unassigned
	Requested   *ViewResult // open tickets they asked for
	Company     *ViewResult // customers: their company's open tickets, soonest due first
	Pinned      []PinnedView
	Now         time.Time
}

// PinnedView is a pinned saved view's count and its chart's data: counts
// per the view's group, or per status when it has none.
type PinnedView struct {
	View   *domain.SavedView
	Total  int
	Group  string
	Groups []domain.ViewGroup
	Err    string // why the view no longer runs, when it does not
}

// Dashboard sizes: what the Home tab's 100 blocks hold.
const (
	DashboardQueue     = 15
	DashboardAtRisk    = 8
	DashboardRequested = 8
	MaxPinned          = 20
)

// Dashboard gathers a person's App Home in one read: a count query per
// pinned view and one page query per list, all through indexes.
func (s *Service) Dashboard(ctx context.Context, a domain.Actor, loc *time.Location) (*Dashboard, error) {
	d := &Dashboard{}
	err := s.view(ctx, a, func(tx domain.Tx) (err error) {
		d.Now = tx.Now()
		run := func(text string, open bool, size int) (*ViewResult, error) {
			q, err := query.Parse(text, nil)
			if err != nil {
				return nil, err
			}
			if open {
				q.Filters = append(q.Filters, query.Filter{Field: "status", Op: query.Eq, Values: s.OpenStatuses()})
			}
			return s.runQuery(ctx, tx, a, q, 0, loc, size)
		}
		if a.IsAgent() && a.UserID != "" {
			e, err := tx.RunningTimer(ctx, a.UserID)
			switch {
			case err == nil:
				if d.TimerTicket, err = tx.Ticket(ctx, e.TicketID); err != nil {
					return err
				}
				d.Timer = e
			case domain.ErrorCode(err) != domain.ENOTFOUND:
				return err
			}
			if d.Queue, err = run("assignee:me sort:priority,due", true, DashboardQueue); err != nil {
				return err
			}
			if d.AtRisk, err = run("sla:at-risk,breached assignee:me,none sort:due", true, DashboardAtRisk); err != nil {
				return err
			}
		}
		if !a.IsAgent() && a.CustomerID != 0 {
			if d.Company, err = run("sort:due", true, DashboardQueue); err != nil {
				return err
			}
		}
		if a.UserID != "" {
			if d.Requested, err = run("requester:me", true, DashboardRequested); err != nil {
				return err
			}
			d.Pinned, err = s.pinned(ctx, tx, a, loc)
		}
		return err
	})
	return d, err
}

func (s *Service) pinned(ctx context.Context, tx domain.Tx, a domain.Actor, loc *time.Location) ([]PinnedView, error) {
	views, err := tx.SavedViews(ctx, a.UserID)
	if err != nil {
		return nil, err
	}
	customers, err := tx.Customers(ctx)
	if err != nil {
		return nil, err
	}
	voc := vocabulary(s.Config(), customers)
	var out []PinnedView
	for _, v := range views {
		if !v.Pinned || v.Owner != a.UserID || len(out) == MaxPinned {
			continue
		}
		pv := PinnedView{View: v}
		if !a.IsAgent() && a.CustomerID == 0 {
			out = append(out, pv) // a customer not linked to a company sees nothing
			continue
		}
		q, err := query.Parse(v.Query, voc)
		if err == nil {
			var res *query.Resolved
			if res, err = q.Resolve(query.Env{Now: tx.Now(), Loc: loc, Me: a.UserID}); err == nil {
				if res.Group == "" {
					res.Group = "status"
				}
				pv.Group = res.Group
				vq := s.viewQuery(res, tx.Now())
				vq.CountOnly = true
				if !a.IsAgent() {
					vq.CustomerID = a.CustomerID
				}
				var p *domain.ViewPage
				if p, err = tx.QueryTickets(ctx, vq); err == nil {
					pv.Total, pv.Groups = p.Total, p.Groups
				}
			}
		}
		if err != nil {
			if domain.ErrorCode(err) == domain.EINTERNAL && ctx.Err() == nil && !isQueryErr(err) {
				return nil, err
			}
			pv.Err = domain.ErrorMessage(queryError(v.Query, err))
		}
		out = append(out, pv)
	}
	return out, nil
}

func isQueryErr(err error) bool {
	_, ok := err.(*query.Error)
	return ok
}
