package storage

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/deskbot/deskbot/domain"
)

var _ domain.AutomationStore = (*Tx)(nil)

// AddTag tags a ticket; a tag it already has is no change.
func (tx *Tx) AddTag(ctx context.Context, ticketID int64, tag string) (bool, error) {
	res, err := tx.exec(ctx, `INSERT INTO ticket_tags (ticket_id, tag, created_at) VALUES (?,?,?)
		ON CONFLICT (ticket_id, tag) DO NOTHING`, ticketID, tag, tx.now)
	if err != nil {
		return false, fmt.Errorf("store: unable to tag ticket: %w", err)
	}
	n, err := res.RowsAffected()
	return n > 0, err
}

// RemoveTag untags a ticket.
func (tx *Tx) RemoveTag(ctx context.Context, ticketID int64, tag string) (bool, error) {
	res, err := tx.exec(ctx, `DELETE FROM ticket_tags WHERE ticket_id = ? AND tag = ?`, ticketID, tag)
	if err != nil {
		return false, fmt.Errorf("store: unable to untag ticket: %w", err)
	}
	n, err := res.RowsAffected()
	return n > 0, err
}

// Tags lists a ticket's tags, sorted.
func (tx *Tx) Tags(ctx context.Context, ticketID int64) ([]string, error) {
	var tags []string
	scope, sargs := tx.scopedTicket("ticket_id")
	if err := tx.selectAll(ctx, &tags, `SELECT tag FROM ticket_tags WHERE ticket_id = ?`+scope+` ORDER BY tag`, append([]any{ticketID}, sargs...)...); err != nil {
		return nil, fmt.Errorf("store: unable to list tags: %w", err)
	}
	return tags, nil
}

// ClaimAutomationRun records a rule's run for an anchor, once.
func (tx *Tx) ClaimAutomationRun(ctx context.Context, ticketID int64, rule, anchor string) (bool, error) {
	res, err := tx.exec(ctx, `INSERT INTO automation_runs (ticket_id, rule, anchor, ran_at) VALUES (?,?,?,?)
		ON CONFLICT (ticket_id, rule, anchor) DO NOTHING`, ticketID, rule, anchor, tx.now)
	if err != nil {
		return false, fmt.Errorf("store: unable to record automation run: %w", err)
	}
	n, err := res.RowsAffected()
	return n > 0, err
}

// NextCounter increments a counter in one statement: concurrent callers
// queue on its row and each gets its own value.
func (tx *Tx) NextCounter(ctx context.Context, name string) (int64, error) {
	var v int64
	err := tx.get(ctx, &v, `INSERT INTO automation_counters (name, value) VALUES (?, 1)
		ON CONFLICT (name) DO UPDATE SET value = automation_counters.value + 1 RETURNING value`, name)
	if err != nil {
		return 0, fmt.Errorf("store: unable to count %s: %w", name, err)
	}
	return v, nil
}

// activityRow reads the latest times, which SQLite returns as text: an
// aggregate has no declared column type for its driver to parse by.
type activityRow struct {
	domain.TicketActivity
	LastActivity      dbTime `db:"last_activity"`
	LastStatus        dbTime `db:"last_status"`
	LastAgentReply    dbTime `db:"last_agent"`
	LastCustomerReply dbTime `db:"last_customer"`
}

// TicketActivity reads, in one statement, when each ticket in statuses
// last changed (by someone other than an automation), changed status, and
// heard from an agent and the customer.
func (tx *Tx) TicketActivity(ctx context.Context, statuses []string) ([]*domain.TicketActivity, error) {
	if len(statuses) == 0 {
		return nil, nil
	}
	in, args := inList(statuses)
	scope, sargs := tx.scoped("t.customer_id")
	var rows []*activityRow
	err := tx.selectAll(ctx, &rows, `SELECT t.id AS ticket_id, t.status, t.sla_policy, t.created_at,
		(SELECT MAX(e.at) FROM events e WHERE e.ticket_id = t.id AND e.channel <> ?) AS last_activity,
		(SELECT MAX(e.at) FROM events e WHERE e.ticket_id = t.id AND (e.kind = 'status' OR e.field = 'status')) AS last_status,
		(SELECT MAX(c.created_at) FROM comments c WHERE c.ticket_id = t.id AND c.public AND c.deleted_at IS NULL
			AND c.merged_from IS NULL AND c.author_role = 'agent') AS last_agent,
		(SELECT MAX(c.created_at) FROM comments c WHERE c.ticket_id = t.id AND c.public AND c.deleted_at IS NULL
			AND c.merged_from IS NULL AND c.author_role = 'customer') AS last_customer
		FROM tickets t WHERE t.status IN `+in+scope+` ORDER BY t.id`, append(append([]any{domain.ChannelAutomation}, args...), sargs...)...)
	if err != nil {
		return nil, fmt.Errorf("store: unable to read ticket activity: %w", err)
	}
	out := make([]*domain.TicketActivity, len(rows))
	for i, r := range rows {
		a := r.TicketActivity
		a.LastActivity, a.LastStatus = r.LastActivity.ptr(), r.LastStatus.ptr()
		a.LastAgentReply, a.LastCustomerReply = r.LastAgentReply.ptr(), r.LastCustomerReply.ptr()
		a.CreatedAt = a.CreatedAt.UTC()
		out[i] = &a
	}
	return out, nil
}

// dbTime scans a nullable time that may come back as text.
type dbTime struct {
	t  time.Time
	ok bool
}

// The layouts SQLite text times are written in (the driver's
// _time_format=sqlite, and SQLite's own).
var sqliteLayouts = []string{"2006-01-02 15:04:05.999999999-07:00", "2006-01-02 15:04:05.999999999Z07:00",
	"2006-01-02T15:04:05.999999999Z07:00", "2006-01-02 15:04:05.999999999", "2006-01-02T15:04:05.999999999"}

func (d *dbTime) Scan(v any) error {
	switch v := v.(type) {
	case nil:
		*d = dbTime{}
		return nil
	case time.Time:
		*d = dbTime{v.UTC(), true}
		return nil
	case []byte:
		return d.Scan(string(v))
	case string:
		s := strings.TrimSpace(v)
		for _, layout := range sqliteLayouts {
			if t, err := time.Parse(layout, s); err == nil {
				*d = dbTime{t.UTC(), true}
				return nil
			}
		}
		return fmt.Errorf("store: unreadable time %q", v)
	}
	return fmt.Errorf("store: cannot read %T as a time", v)
}

func (d dbTime) ptr() *time.Time {
	if !d.ok {
		return nil
	}
	t := d.t
	return &t
}
