package storage

import (
	"context"
	"fmt"

	"github.com/deskbot/deskbot/domain"
)

// CustomerByTeam finds the customer a Slack Connect organisation belongs
// to, or ENOTFOUND.
func (tx *Tx) CustomerByTeam(ctx context.Context, teamID string) (*domain.Customer, error) {
	var id int64
	err := tx.get(ctx, &id, `SELECT customer_id FROM slack_teams WHERE team_id = ?`, teamID)
	if err != nil {
		if err = notFound("Customer for this organisation", err); domain.ErrorCode(err) == domain.ENOTFOUND {
			return nil, err
		}
		return nil, fmt.Errorf("store: unable to read organisation %s: %w", teamID, err)
	}
	return tx.Customer(ctx, id)
}

// LinkTeam files an organisation under a customer, unless it already is
// under one; it returns the customer it is under now, so that two first
// sightings racing agree.
func (tx *Tx) LinkTeam(ctx context.Context, teamID, name string, customerID int64) (*domain.Customer, error) {
	_, err := tx.exec(ctx, `INSERT INTO slack_teams (team_id, customer_id, name, created_at) VALUES (?,?,?,?)
		ON CONFLICT (team_id) DO NOTHING`, teamID, customerID, name, tx.now)
	if err != nil {
		return nil, fmt.Errorf("store: unable to link organisation %s: %w", teamID, err)
	}
	return tx.CustomerByTeam(ctx, teamID)
}

// MoveTicket files a ticket under another customer and keeps the key it
// was known by; moved back to that key's customer, it is theirs again. Its time entries follow it, unless some are in a locked
// (invoiced) period of the customer it leaves.
func (tx *Tx) MoveTicket(ctx context.Context, t *domain.Ticket, to *domain.Customer) error {
	var locked int
	err := tx.get(ctx, &locked, `SELECT COUNT(*) FROM time_entries e JOIN billing_locks l ON l.customer_id = e.customer_id
		AND e.started_at >= l.period_start AND e.started_at < l.period_end
		WHERE e.ticket_id = ? AND e.deleted_at IS NULL`, t.ID)
	if err != nil {
		return fmt.Errorf("store: unable to read the locked time of ticket %s: %w", t.Key(), err)
	}
	if locked > 0 {
		return domain.Errorf(domain.ECONFLICT, "%s has time in a locked (invoiced) period of its customer, so it stays with them.", t.Key())
	}
	if to.Key == t.CustomerKey {
		_, err = tx.exec(ctx, `UPDATE tickets SET customer_id = ?, number = ?, key_prefix = '', key_number = 0, updated_at = ? WHERE id = ?`,
			to.ID, t.Number, tx.now, t.ID)
	} else {
		// The new customer's counter is left alone, so its own keys keep
		// no gaps; the negated id keeps (customer_id, number) unique and
		// matches no key anyone can type.
		_, err = tx.exec(ctx, `UPDATE tickets SET customer_id = ?, number = ?, key_prefix = ?, key_number = ?, updated_at = ? WHERE id = ?`,
			to.ID, -t.ID, t.CustomerKey, t.Number, tx.now, t.ID)
	}
	if err == nil {
		_, err = tx.exec(ctx, `UPDATE time_entries SET customer_id = ? WHERE ticket_id = ?`, to.ID, t.ID)
	}
	if err != nil {
		return fmt.Errorf("store: unable to move ticket %s to %s: %w", t.Key(), to.Key, err)
	}
	tx.customers = nil
	t.CustomerID, t.UpdatedAt = to.ID, tx.now
	return nil
}
