package storage

import (
	"context"
	"fmt"
	"time"

	"github.com/deskbot/deskbot/domain"
)

var _ domain.Outbox = (*DB)(nil)

const outboxCols = `id, kind, payload, dedup_key, attempts, next_attempt_at, last_error, created_at, delivered_at, first_claimed_at`

// Enqueue records a side effect to deliver after commit. A message whose
// dedup key is already pending is dropped: the pending one will do.
func (tx *Tx) Enqueue(ctx context.Context, m *domain.OutboxMessage) error {
	m.CreatedAt = tx.now
	if m.NextAttempt.IsZero() {
		m.NextAttempt = tx.now
	}
	m.NextAttempt = ts(m.NextAttempt)
	_, err := tx.exec(ctx, `INSERT INTO outbox (kind, payload, dedup_key, next_attempt_at, created_at)
		VALUES (?,?,?,?,?) ON CONFLICT (dedup_key) WHERE delivered_at IS NULL DO NOTHING`,
		m.Kind, m.Payload, m.DedupKey, m.NextAttempt, m.CreatedAt)
	if err != nil {
		return fmt.Errorf("store: unable to enqueue %s: %w", m.Kind, err)
	}
	tx.noteEnqueued(m.Kind)
	return nil
}

// ClaimOutbox leases due messages to owner. On PostgreSQL, SKIP LOCKED
// lets several replicas claim side by side without taking the same
// message; the lease (pushing next_attempt_at) hides a claimed message
// until it is done or its claimer died (RenewLeases keeps a live
// claimer's short lease going).
func (d *DB) ClaimOutbox(ctx context.Context, owner string, kinds []string, limit int, lease time.Duration) ([]*domain.OutboxMessage, error) {
	var out []*domain.OutboxMessage
	err := d.Update(ctx, func(dtx domain.Tx) error {
		tx := dtx.(*Tx)
		in, args := inList(kinds)
		skip := ""
		if d.dialect == Postgres {
			skip = " FOR UPDATE SKIP LOCKED"
		}
		q := `SELECT ` + outboxCols + ` FROM outbox WHERE delivered_at IS NULL AND next_attempt_at <= ?
			AND kind IN ` + in + ` ORDER BY next_attempt_at, id LIMIT ?` + skip
		args = append([]any{tx.now}, append(args, limit)...)
		if err := tx.selectAll(ctx, &out, q, args...); err != nil {
			return err
		}
		if len(out) == 0 {
			return nil
		}
		// A claimed message gives up its dedup key: a change made while it
		// is being delivered must queue a fresh delivery, since this one may
		// already have read the old state.
		ids := make([]int64, len(out))
		for i, m := range out {
			m.Attempts++
			ids[i] = m.ID
			if m.FirstClaimed == nil {
				m.FirstClaimed = &tx.now
			}
		}
		in, args = inList(ids)
		_, err := tx.exec(ctx, `UPDATE outbox SET attempts = attempts + 1, next_attempt_at = ?, dedup_key = NULL,
			claimed_by = ?, first_claimed_at = COALESCE(first_claimed_at, ?) WHERE id IN `+in,
			append([]any{ts(tx.now.Add(lease)), owner, tx.now}, args...)...)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("store: unable to claim outbox: %w", err)
	}
	return out, nil
}

// OutboxDelivered marks a message done.
func (d *DB) OutboxDelivered(ctx context.Context, id int64) error {
	return d.Update(ctx, func(tx domain.Tx) error { return tx.MarkDelivered(ctx, id) })
}

// MarkDelivered marks a message done within a transaction.
func (tx *Tx) MarkDelivered(ctx context.Context, id int64) error {
	if _, err := tx.exec(ctx, `UPDATE outbox SET delivered_at = ?, last_error = '' WHERE id = ?`, tx.now, id); err != nil {
		return fmt.Errorf("store: unable to mark outbox %d delivered: %w", id, err)
	}
	return nil
}

// OutboxFailed records why a delivery failed and when to try again.
func (d *DB) OutboxFailed(ctx context.Context, id int64, reason string, retryAt time.Time) error {
	return d.Update(ctx, func(dtx domain.Tx) error {
		tx := dtx.(*Tx)
		if _, err := tx.exec(ctx, `UPDATE outbox SET last_error = ?, next_attempt_at = ?, claimed_by = '' WHERE id = ?`,
			reason, ts(retryAt), id); err != nil {
			return fmt.Errorf("store: unable to mark outbox %d failed: %w", id, err)
		}
		return nil
	})
}

// OutboxPending counts undelivered messages, for metrics and tests.
func (d *DB) OutboxPending(ctx context.Context) (int, error) {
	var n int
	if err := d.db.GetContext(ctx, &n, `SELECT COUNT(*) FROM outbox WHERE delivered_at IS NULL`); err != nil {
		return 0, fmt.Errorf("store: unable to count outbox: %w", err)
	}
	return n, nil
}

// MarkProcessed records an input id; false means it was seen before.
func (tx *Tx) MarkProcessed(ctx context.Context, source, id string) (bool, error) {
	res, err := tx.exec(ctx, `INSERT INTO processed_inputs (source, id, processed_at, result) VALUES (?,?,?,'')
		ON CONFLICT (source, id) DO NOTHING`, source, id, tx.now)
	if err != nil {
		return false, fmt.Errorf("store: unable to record processed input: %w", err)
	}
	n, err := res.RowsAffected()
	if err != nil {
		return false, fmt.Errorf("store: unable to record processed input: %w", err)
	}
	return n == 1, nil
}

// RecordInput records a new input; one recorded before is ErrInputSeen.
func (tx *Tx) RecordInput(ctx context.Context, source, id, result string) error {
	_, err := tx.exec(ctx, `INSERT INTO processed_inputs (source, id, processed_at, result) VALUES (?,?,?,?)`,
		source, id, tx.now, result)
	switch {
	case isUniqueViolation(err):
		return domain.ErrInputSeen
	case err != nil:
		return fmt.Errorf("store: unable to record processed input: %w", err)
	}
	return nil
}

// ProcessedResult reads what an input produced.
func (tx *Tx) ProcessedResult(ctx context.Context, source, id string) (string, error) {
	var r string
	if err := tx.get(ctx, &r, `SELECT result FROM processed_inputs WHERE source = ? AND id = ?`, source, id); err != nil {
		if err = notFound("Input", err); domain.ErrorCode(err) == domain.ENOTFOUND {
			return "", err
		}
		return "", fmt.Errorf("store: unable to read input result: %w", err)
	}
	return r, nil
}
