package storage

import (
	"context"
	"fmt"

	"github.com/deskbot/deskbot/domain"
)

const commentCols = `id, ticket_id, author_id, author_email, author_name, author_role, body, public,
	channel, source_ref, created_at, updated_at, deleted_at, COALESCE(merged_from, 0) AS merged_from`

// AddComment inserts a comment; a second comment from the same source
// message (a redelivered Slack event, a re-read email) is a conflict.
func (tx *Tx) AddComment(ctx context.Context, c *domain.Comment) error {
	c.CreatedAt, c.UpdatedAt = tx.now, tx.now
	id, err := tx.insert(ctx, `INSERT INTO comments (ticket_id, author_id, author_email, author_name,
		author_role, body, public, channel, source_ref, created_at, updated_at)
		VALUES (?,?,?,?,?,?,?,?,?,?,?)`, c.TicketID, c.AuthorID, c.AuthorEmail, c.AuthorName,
		c.AuthorRole, c.Body, c.Public, c.Channel, c.SourceRef, c.CreatedAt, c.UpdatedAt)
	if isUniqueViolation(err) {
		return domain.Errorf(domain.ECONFLICT, "This message is already a comment.")
	} else if isForeignKeyViolation(err) {
		return domain.Errorf(domain.ENOTFOUND, "Ticket not found.")
	} else if err != nil {
		return fmt.Errorf("store: unable to add comment: %w", err)
	}
	c.ID = id
	return nil
}

// UpdateComment saves an edited or deleted comment.
func (tx *Tx) UpdateComment(ctx context.Context, c *domain.Comment) error {
	c.UpdatedAt = tx.now
	_, err := tx.exec(ctx, `UPDATE comments SET body=?, public=?, updated_at=?, deleted_at=? WHERE id=?`,
		c.Body, c.Public, c.UpdatedAt, tsp(c.DeletedAt), c.ID)
	if err != nil {
		return fmt.Errorf("store: unable to update comment: %w", err)
	}
	return nil
}

// CommentBySource finds the comment made from a Slack message or an email.
func (tx *Tx) CommentBySource(ctx context.Context, ticketID int64, ref string) (*domain.Comment, error) {
	var c domain.Comment
	err := tx.get(ctx, &c, `SELECT `+commentCols+` FROM comments WHERE ticket_id = ? AND source_ref = ?`, ticketID, ref)
	if err != nil {
		if err = notFound("Comment", err); domain.ErrorCode(err) == domain.ENOTFOUND {
			return nil, err
		}
		return nil, fmt.Errorf("store: unable to read comment: %w", err)
	}
	return &c, nil
}

// Comments lists a ticket's comments, oldest first, deleted ones included.
func (tx *Tx) Comments(ctx context.Context, ticketID int64) ([]*domain.Comment, error) {
	var cs []*domain.Comment
	scope, sargs := tx.scopedTicket("ticket_id")
	if err := tx.selectAll(ctx, &cs, `SELECT `+commentCols+` FROM comments WHERE ticket_id = ?`+scope+tx.publicOnly()+` ORDER BY created_at, id`,
		append([]any{ticketID}, sargs...)...); err != nil {
		return nil, fmt.Errorf("store: unable to list comments: %w", err)
	}
	return cs, nil
}

// AddEvent appends to a ticket's history and sets e.ID. An event a
// webhook listens to queues its deliveries here (hookEvent). On
// PostgreSQL the insert itself tells whether any webhook is live, so a
// workspace without webhooks pays no round trip for them.
func (tx *Tx) AddEvent(ctx context.Context, e *domain.Event) error {
	e.At = tx.now
	const q = `INSERT INTO events (ticket_id, actor, channel, kind, field, old_value, new_value, at) VALUES (?,?,?,?,?,?,?,?)`
	args := []any{e.TicketID, e.Actor, e.Channel, e.Kind, e.Field, e.OldValue, e.NewValue, e.At}
	var err error
	hooks := true
	if tx.d.dialect == Postgres {
		var r struct {
			ID    int64 `db:"id"`
			Hooks bool  `db:"hooks"`
		}
		err = tx.get(ctx, &r, q+` RETURNING id, EXISTS (SELECT 1 FROM webhooks WHERE removed_at IS NULL AND disabled_at IS NULL) AS hooks`, args...)
		e.ID, hooks = r.ID, r.Hooks
	} else {
		e.ID, err = tx.insert(ctx, q, args...)
	}
	if err != nil {
		return fmt.Errorf("store: unable to add event: %w", err)
	}
	if typ, ok := domain.HookEventOf(e); ok && hooks {
		return tx.hookEvent(ctx, e.TicketID, typ, e.Actor, tx.hookDataOf(ctx, e, typ))
	}
	return nil
}

// Events lists a ticket's history, oldest first.
func (tx *Tx) Events(ctx context.Context, ticketID int64) ([]*domain.Event, error) {
	var es []*domain.Event
	scope, sargs := tx.scopedTicket("ticket_id")
	if scope != "" {
		// A customer's history leaves out our time keeping and the links
		// to other customers' tickets (an event names the other key).
		scope += ` AND kind NOT IN ('timer_started', 'timer_stopped', 'time_logged', 'time_edited', 'time_deleted')
			AND NOT (kind = 'linked' AND new_value NOT LIKE (SELECT key FROM customers WHERE id = ?) || '-%')
			AND NOT (kind IN ('merged', 'unmerged') AND (CASE kind WHEN 'merged' THEN new_value ELSE old_value END)
				NOT LIKE (SELECT key FROM customers WHERE id = ?) || '-%')`
		sargs = append(sargs, tx.scope.CustomerID, tx.scope.CustomerID)
	}
	if err := tx.selectAll(ctx, &es, `SELECT id, ticket_id, actor, channel, kind, field, old_value, new_value, at
		FROM events WHERE ticket_id = ?`+scope+` ORDER BY id`, append([]any{ticketID}, sargs...)...); err != nil {
		return nil, fmt.Errorf("store: unable to list events: %w", err)
	}
	return es, nil
}

// AddLink relates two tickets; the same link twice is a conflict.
func (tx *Tx) AddLink(ctx context.Context, l *domain.Link) error {
	l.CreatedAt = tx.now
	_, err := tx.exec(ctx, `INSERT INTO ticket_links (from_id, to_id, kind, created_at) VALUES (?,?,?,?)`,
		l.FromID, l.ToID, l.Kind, l.CreatedAt)
	if isUniqueViolation(err) {
		return domain.Errorf(domain.ECONFLICT, "These tickets are already linked.")
	} else if isForeignKeyViolation(err) {
		return domain.Errorf(domain.ENOTFOUND, "Ticket not found.")
	} else if err != nil {
		return fmt.Errorf("store: unable to link tickets: %w", err)
	}
	return nil
}

// Links lists the links from and to a ticket.
func (tx *Tx) Links(ctx context.Context, ticketID int64) ([]*domain.Link, error) {
	var ls []*domain.Link
	// A customer's ticket's links, the other end possibly not theirs:
	// reading that end (Ticket) is what their scope refuses.
	args := []any{ticketID, ticketID}
	scope, sargs := tx.scopedTicket("?")
	if scope != "" {
		args = append(append(args, ticketID), sargs...)
	}
	if err := tx.selectAll(ctx, &ls, `SELECT from_id, to_id, kind, created_at FROM ticket_links
		WHERE (from_id = ? OR to_id = ?)`+scope+` ORDER BY created_at, from_id, to_id`, args...); err != nil {
		return nil, fmt.Errorf("store: unable to list links: %w", err)
	}
	return ls, nil
}
