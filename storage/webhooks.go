package storage

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"fmt"

	"github.com/deskbot/deskbot/domain"
)

const webhookCols = `id, url, events, secret, created_by, created_at, failing_since, disabled_at, disabled_reason, removed_at`

const deliveryCols = `id, webhook_id, ticket_id, delivery_id, type, body, created_at, attempts, last_status, last_result,
	last_attempt_at, next_attempt_at, delivered_at, dropped_at`

// AddWebhook stores a webhook and sets its ID.
func (tx *Tx) AddWebhook(ctx context.Context, w *domain.Webhook) error {
	w.CreatedAt = tx.now
	id, err := tx.insert(ctx, `INSERT INTO webhooks (url, events, secret, created_by, created_at) VALUES (?,?,?,?,?)`,
		w.URL, w.Events, w.Secret, w.CreatedBy, w.CreatedAt)
	if err != nil {
		return fmt.Errorf("store: unable to add webhook: %w", err)
	}
	w.ID = id
	return nil
}

// Webhooks lists the webhooks not removed, oldest first.
func (tx *Tx) Webhooks(ctx context.Context) ([]*domain.Webhook, error) {
	var out []*domain.Webhook
	if err := tx.selectAll(ctx, &out, `SELECT `+webhookCols+` FROM webhooks WHERE removed_at IS NULL ORDER BY id`); err != nil {
		return nil, fmt.Errorf("store: unable to list webhooks: %w", err)
	}
	return out, nil
}

// Webhook reads one webhook, removed or not.
func (tx *Tx) Webhook(ctx context.Context, id int64) (*domain.Webhook, error) {
	var w domain.Webhook
	if err := tx.get(ctx, &w, `SELECT `+webhookCols+` FROM webhooks WHERE id = ?`+tx.forUpdate(), id); err != nil {
		if err = notFound("Webhook", err); domain.ErrorCode(err) == domain.ENOTFOUND {
			return nil, domain.Errorf(domain.ENOTFOUND, "There is no webhook %d: `/desk webhook list` lists them.", id)
		}
		return nil, fmt.Errorf("store: unable to read webhook: %w", err)
	}
	return &w, nil
}

// RemoveWebhook removes a live webhook and drops what it had pending.
func (tx *Tx) RemoveWebhook(ctx context.Context, id int64) error {
	res, err := tx.exec(ctx, `UPDATE webhooks SET removed_at = ? WHERE id = ? AND removed_at IS NULL`, tx.now, id)
	if err != nil {
		return fmt.Errorf("store: unable to remove webhook: %w", err)
	}
	if n, err := res.RowsAffected(); err != nil {
		return fmt.Errorf("store: unable to remove webhook: %w", err)
	} else if n == 0 {
		return domain.Errorf(domain.ENOTFOUND, "There is no webhook %d: `/desk webhook list` lists them.", id)
	}
	return tx.DropWebhookDeliveries(ctx, id)
}

// DropWebhookDeliveries marks a webhook's pending deliveries dropped;
// their outbox messages find them so and end without sending.
func (tx *Tx) DropWebhookDeliveries(ctx context.Context, webhookID int64) error {
	if _, err := tx.exec(ctx, `UPDATE webhook_deliveries SET dropped_at = ?
		WHERE webhook_id = ? AND delivered_at IS NULL AND dropped_at IS NULL`, tx.now, webhookID); err != nil {
		return fmt.Errorf("store: unable to drop webhook deliveries: %w", err)
	}
	return nil
}

// WebhookSucceeded ends a webhook's failing streak; a webhook that was
// not failing matches no row, so successes take no lock on it.
func (tx *Tx) WebhookSucceeded(ctx context.Context, id int64) error {
	if _, err := tx.exec(ctx, `UPDATE webhooks SET failing_since = NULL WHERE id = ? AND failing_since IS NOT NULL`, id); err != nil {
		return fmt.Errorf("store: unable to update webhook: %w", err)
	}
	return nil
}

// SetWebhookHealth writes a webhook's failing and disabled state.
func (tx *Tx) SetWebhookHealth(ctx context.Context, w *domain.Webhook) error {
	if _, err := tx.exec(ctx, `UPDATE webhooks SET failing_since = ?, disabled_at = ?, disabled_reason = ? WHERE id = ?`,
		tsp(w.FailingSince), tsp(w.DisabledAt), w.DisabledReason, w.ID); err != nil {
		return fmt.Errorf("store: unable to update webhook: %w", err)
	}
	return nil
}

// WebhookDeliveries lists the last deliveries, newest first.
func (tx *Tx) WebhookDeliveries(ctx context.Context, webhookID int64, limit int) ([]*domain.WebhookDelivery, error) {
	where, args := "", []any{}
	if webhookID != 0 {
		where, args = ` WHERE webhook_id = ?`, append(args, webhookID)
	}
	var out []*domain.WebhookDelivery
	if err := tx.selectAll(ctx, &out, `SELECT `+deliveryCols+` FROM webhook_deliveries`+where+` ORDER BY id DESC LIMIT ?`,
		append(args, limit)...); err != nil {
		return nil, fmt.Errorf("store: unable to list webhook deliveries: %w", err)
	}
	return out, nil
}

// WebhookDelivery reads one delivery.
func (tx *Tx) WebhookDelivery(ctx context.Context, id int64) (*domain.WebhookDelivery, error) {
	var d domain.WebhookDelivery
	if err := tx.get(ctx, &d, `SELECT `+deliveryCols+` FROM webhook_deliveries WHERE id = ?`, id); err != nil {
		if err = notFound("Webhook delivery", err); domain.ErrorCode(err) == domain.ENOTFOUND {
			return nil, err
		}
		return nil, fmt.Errorf("store: unable to read webhook delivery: %w", err)
	}
	return &d, nil
}

// EarlierPending finds the oldest delivery still owed before d.
func (tx *Tx) EarlierPending(ctx context.Context, d *domain.WebhookDelivery) (*domain.WebhookDelivery, error) {
	var e domain.WebhookDelivery
	err := tx.get(ctx, &e, `SELECT `+deliveryCols+` FROM webhook_deliveries
		WHERE webhook_id = ? AND ticket_id = ? AND id < ? AND delivered_at IS NULL AND dropped_at IS NULL
		ORDER BY id LIMIT 1`, d.WebhookID, d.TicketID, d.ID)
	if err != nil {
		if err = notFound("Webhook delivery", err); domain.ErrorCode(err) == domain.ENOTFOUND {
			return nil, err
		}
		return nil, fmt.Errorf("store: unable to read webhook deliveries: %w", err)
	}
	return &e, nil
}

// SaveWebhookDelivery writes an attempt's outcome.
func (tx *Tx) SaveWebhookDelivery(ctx context.Context, d *domain.WebhookDelivery) error {
	if _, err := tx.exec(ctx, `UPDATE webhook_deliveries SET attempts = ?, last_status = ?, last_result = ?,
		last_attempt_at = ?, next_attempt_at = ?, delivered_at = ?, dropped_at = ? WHERE id = ?`,
		d.Attempts, d.LastStatus, d.LastResult, tsp(d.LastAttempt), tsp(d.NextAttempt), tsp(d.DeliveredAt), tsp(d.DroppedAt), d.ID); err != nil {
		return fmt.Errorf("store: unable to save webhook delivery: %w", err)
	}
	return nil
}

// hookEvent queues one delivery of an event to every live webhook that
// subscribes to it, in the transaction recording the event: AddEvent and
// AddSLAAlert call it, so no use case has to remember webhooks. data
// reads the event's own part of the body, only when someone listens.
func (tx *Tx) hookEvent(ctx context.Context, ticketID int64, typ, actor string, data func() (map[string]any, error)) error {
	var hooks []*domain.Webhook
	if err := tx.selectAll(ctx, &hooks, `SELECT `+webhookCols+` FROM webhooks
		WHERE removed_at IS NULL AND disabled_at IS NULL ORDER BY id`); err != nil {
		return fmt.Errorf("store: unable to list webhooks: %w", err)
	}
	var to []*domain.Webhook
	for _, h := range hooks {
		if h.Subscribes(typ) {
			to = append(to, h)
		}
	}
	if len(to) == 0 {
		return nil
	}
	t, err := tx.Ticket(ctx, ticketID)
	if err != nil {
		return err
	}
	c, err := tx.Customer(ctx, t.CustomerID)
	if err != nil {
		return err
	}
	d, err := data()
	if err != nil {
		return err
	}
	body := domain.HookBody{Type: typ, CreatedAt: tx.now, Actor: actor, Ticket: domain.NewHookTicket(t, c), Data: d}
	if to, ok := d["to"].(string); ok && typ == domain.HookStatusChanged {
		body.Ticket.Status = to // the event may be written before the ticket row
	}
	for _, h := range to {
		if err := tx.addDelivery(ctx, h, t.ID, body); err != nil {
			return err
		}
	}
	return nil
}

func (tx *Tx) addDelivery(ctx context.Context, h *domain.Webhook, ticketID int64, body domain.HookBody) error {
	var raw [12]byte
	if _, err := rand.Read(raw[:]); err != nil {
		return fmt.Errorf("store: unable to make a delivery id: %w", err)
	}
	body.ID = "whd_" + hex.EncodeToString(raw[:])
	text, err := body.Marshal()
	if err != nil {
		return err
	}
	id, err := tx.insert(ctx, `INSERT INTO webhook_deliveries (webhook_id, ticket_id, delivery_id, type, body, created_at)
		VALUES (?,?,?,?,?,?)`, h.ID, ticketID, body.ID, body.Type, text, tx.now)
	if err != nil {
		return fmt.Errorf("store: unable to add webhook delivery: %w", err)
	}
	job, _ := json.Marshal(domain.WebhookJob{Delivery: id, WebhookID: h.ID, TicketID: ticketID})
	return tx.Enqueue(ctx, &domain.OutboxMessage{Kind: domain.OutboxWebhook, Payload: string(job)})
}

// hookDataOf reads an event's own part of a body.
func (tx *Tx) hookDataOf(ctx context.Context, e *domain.Event, typ string) func() (map[string]any, error) {
	return func() (map[string]any, error) {
		switch typ {
		case domain.HookStatusChanged:
			return map[string]any{"from": e.OldValue, "to": e.NewValue}, nil
		case domain.HookTicketCreated:
			var d struct {
				Description string `db:"description"`
				Source      string `db:"source"`
			}
			if err := tx.get(ctx, &d, `SELECT description, source FROM tickets WHERE id = ?`, e.TicketID); err != nil {
				return nil, fmt.Errorf("store: unable to read ticket for webhook: %w", err)
			}
			return map[string]any{"description": d.Description, "source": d.Source}, nil
		case domain.HookCommentAdded, domain.HookCommentInternal:
			return tx.hookComment(ctx, e.TicketID, typ == domain.HookCommentAdded)
		case domain.HookTimeLogged:
			source := domain.TimeFromManual
			if e.Kind == domain.EventTimerStopped {
				source = domain.TimeFromTimer
			}
			out := map[string]any{"duration": e.NewValue, "user": e.Actor, "source": source}
			if d, err := domain.ParseWorkDuration(e.NewValue); err == nil {
				out["seconds"] = int64(d.Seconds())
			}
			return out, nil
		}
		return map[string]any{}, nil
	}
}

// hookComment is the comment just added (the last of its visibility).
func (tx *Tx) hookComment(ctx context.Context, ticketID int64, public bool) (map[string]any, error) {
	var c domain.Comment
	err := tx.get(ctx, &c, `SELECT `+commentCols+` FROM comments WHERE ticket_id = ? AND public = ? ORDER BY id DESC LIMIT 1`, ticketID, public)
	if err != nil {
		return nil, fmt.Errorf("store: unable to read comment for webhook: %w", err)
	}
	author := c.AuthorName
	if author == "" {
		author = c.AuthorID
	}
	if author == "" {
		author = c.AuthorEmail
	}
	return map[string]any{"comment": map[string]any{"id": c.ID, "author": author, "author_id": c.AuthorID,
		"author_role": c.AuthorRole, "public": c.Public, "body": c.Body, "channel": c.Channel}}, nil
}
