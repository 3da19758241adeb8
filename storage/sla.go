package storage

import (
	"context"
	"fmt"
	"time"

	"github.com/deskbot/deskbot/domain"
)

const dueSLAQuery = `SELECT id FROM tickets WHERE sla_due_at IS NOT NULL AND sla_due_at <= ?
	ORDER BY sla_due_at LIMIT ?`

// DueSLATickets reads the partial index tickets_sla_due: a range scan of
// the due rows only, however many tickets exist. The explicit IS NOT NULL
// lets both planners match the index's predicate.
func (tx *Tx) DueSLATickets(ctx context.Context, limit int) ([]int64, error) {
	var ids []int64
	err := tx.selectAll(ctx, &ids, dueSLAQuery, tx.now, limit)
	if err != nil {
		return nil, fmt.Errorf("store: unable to find tickets due for SLA: %w", err)
	}
	return ids, nil
}

const slaAlertCols = `id, ticket_id, target, threshold, cycle_start, threshold_at, alerted_at`

// SLAAlerts lists a ticket's alerts in the order they were recorded.
func (tx *Tx) SLAAlerts(ctx context.Context, ticketID int64) ([]*domain.SLAAlert, error) {
	var out []*domain.SLAAlert
	scope, sargs := tx.scopedTicket("ticket_id")
	if err := tx.selectAll(ctx, &out, `SELECT `+slaAlertCols+` FROM sla_alerts WHERE ticket_id = ?`+scope+` ORDER BY id`, append([]any{ticketID}, sargs...)...); err != nil {
		return nil, fmt.Errorf("store: unable to list SLA alerts: %w", err)
	}
	return out, nil
}

// AddSLAAlert inserts unless the same (ticket, target, threshold, cycle)
// is there: the second writer waits on the unique index for the first to
// commit, then inserts nothing, so callers queue notices only on true.
func (tx *Tx) AddSLAAlert(ctx context.Context, a *domain.SLAAlert) (bool, error) {
	a.AlertedAt = tx.now
	a.CycleStart, a.ThresholdAt = ts(a.CycleStart), ts(a.ThresholdAt)
	res, err := tx.exec(ctx, `INSERT INTO sla_alerts (ticket_id, target, threshold, cycle_start, threshold_at, alerted_at)
		VALUES (?,?,?,?,?,?) ON CONFLICT (ticket_id, target, threshold, cycle_start) DO NOTHING`,
		a.TicketID, a.Target, a.Threshold, a.CycleStart, a.ThresholdAt, a.AlertedAt)
	if err != nil {
		return false, fmt.Errorf("store: unable to record SLA alert: %w", err)
	}
	n, err := res.RowsAffected()
	if err != nil {
		return false, fmt.Errorf("store: unable to record SLA alert: %w", err)
	}
	if n == 1 {
		data := map[string]any{"target": a.Target, "threshold": a.Threshold, "threshold_at": a.ThresholdAt}
		err = tx.hookEvent(ctx, a.TicketID, domain.HookEventOfAlert(a), "deskbot",
			func() (map[string]any, error) { return data, nil })
	}
	return n == 1, err
}

// TicketsCreated lists the tickets opened in [from, to), oldest first.
func (tx *Tx) TicketsCreated(ctx context.Context, customerID int64, from, to time.Time) ([]*domain.Ticket, error) {
	where, args := ` WHERE t.created_at >= ? AND t.created_at < ?`, []any{ts(from), ts(to)}
	if customerID != 0 {
		where, args = where+` AND t.customer_id = ?`, append(args, customerID)
	}
	scope, sargs := tx.scoped("t.customer_id")
	where, args = where+scope, append(args, sargs...)
	return tx.selectTickets(ctx, "list tickets created in a period", `SELECT `+ticketCols+ticketFrom+where+` ORDER BY t.created_at, t.id`, args...)
}

// SetTicketSLA writes the two SLA columns only.
func (tx *Tx) SetTicketSLA(ctx context.Context, ticketID int64, policy string, due, deadline *time.Time) error {
	if _, err := tx.exec(ctx, `UPDATE tickets SET sla_policy = ?, sla_due_at = ?, sla_deadline_at = ? WHERE id = ?`,
		policy, tsp(due), tsp(deadline), ticketID); err != nil {
		return fmt.Errorf("store: unable to set SLA of ticket %d: %w", ticketID, err)
	}
	return nil
}
