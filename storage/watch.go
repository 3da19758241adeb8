package storage

import (
	"context"
	"fmt"
	"time"

	"github.com/deskbot/deskbot/domain"
)

// Follow makes user a watcher of a ticket.
func (tx *Tx) Follow(ctx context.Context, ticketID int64, user string) (bool, error) {
	res, err := tx.exec(ctx, `INSERT INTO ticket_watchers (ticket_id, user_id, created_at) VALUES (?,?,?)
		ON CONFLICT (ticket_id, user_id) DO NOTHING`, ticketID, user, ts(tx.now))
	if err != nil {
		return false, fmt.Errorf("store: unable to add watcher: %w", err)
	}
	n, err := res.RowsAffected()
	return n > 0, err
}

// Unfollow takes user off a ticket's watchers.
func (tx *Tx) Unfollow(ctx context.Context, ticketID int64, user string) (bool, error) {
	res, err := tx.exec(ctx, `DELETE FROM ticket_watchers WHERE ticket_id = ? AND user_id = ?`, ticketID, user)
	if err != nil {
		return false, fmt.Errorf("store: unable to remove watcher: %w", err)
	}
	n, err := res.RowsAffected()
	return n > 0, err
}

// Watchers lists a ticket's watchers.
func (tx *Tx) Watchers(ctx context.Context, ticketID int64) ([]string, error) {
	var us []string
	if err := tx.selectAll(ctx, &us, `SELECT user_id FROM ticket_watchers WHERE ticket_id = ? ORDER BY user_id`, ticketID); err != nil {
		return nil, fmt.Errorf("store: unable to list watchers: %w", err)
	}
	return us, nil
}

// AddWatchNote records, once, that user is to be told of an event.
func (tx *Tx) AddWatchNote(ctx context.Context, user string, eventID int64) error {
	if _, err := tx.exec(ctx, `INSERT INTO watch_notes (user_id, event_id, at) VALUES (?,?,?)
		ON CONFLICT (user_id, event_id) DO NOTHING`, user, eventID, ts(tx.now)); err != nil {
		return fmt.Errorf("store: unable to add watch note: %w", err)
	}
	return nil
}

// WatchNotes lists what user is to be told of in [from, to).
func (tx *Tx) WatchNotes(ctx context.Context, user string, from, to time.Time) ([]*domain.WatchNote, error) {
	var ns []*domain.WatchNote
	err := tx.selectAll(ctx, &ns, `SELECT e.id, e.ticket_id, e.actor, e.channel, e.kind, e.field, e.old_value, e.new_value, e.at,
		CASE WHEN t.key_prefix <> '' THEN t.key_prefix ELSE p.key END AS customer_key,
		CASE WHEN t.key_prefix <> '' THEN t.key_number ELSE t.number END AS ticket_number, t.title AS ticket_title
		FROM watch_notes w JOIN events e ON e.id = w.event_id JOIN tickets t ON t.id = e.ticket_id JOIN customers p ON p.id = t.customer_id
		WHERE w.user_id = ? AND w.at >= ? AND w.at < ? ORDER BY e.id`, user, ts(from), ts(to))
	if err != nil {
		return nil, fmt.Errorf("store: unable to list watch notes: %w", err)
	}
	return ns, nil
}

// RemoveParticipant takes an address off a ticket.
func (tx *Tx) RemoveParticipant(ctx context.Context, ticketID int64, email string) (bool, error) {
	res, err := tx.exec(ctx, `DELETE FROM ticket_participants WHERE ticket_id = ? AND email = ?`, ticketID, email)
	if err != nil {
		return false, fmt.Errorf("store: unable to remove participant: %w", err)
	}
	n, err := res.RowsAffected()
	return n > 0, err
}

// AllTags lists every tag in use with its number of tickets.
func (tx *Tx) AllTags(ctx context.Context) ([]domain.TagCount, error) {
	var out []domain.TagCount
	scope, sargs := tx.scopedTicket("ticket_id")
	if err := tx.selectAll(ctx, &out, `SELECT tag, COUNT(*) AS n FROM ticket_tags WHERE 1=1`+scope+` GROUP BY tag ORDER BY tag`, sargs...); err != nil {
		return nil, fmt.Errorf("store: unable to list tags: %w", err)
	}
	return out, nil
}

// TicketsTagged lists the tickets carrying a tag.
func (tx *Tx) TicketsTagged(ctx context.Context, tag string) ([]int64, error) {
	var ids []int64
	if err := tx.selectAll(ctx, &ids, `SELECT ticket_id FROM ticket_tags WHERE tag = ? ORDER BY ticket_id`, tag); err != nil {
		return nil, fmt.Errorf("store: unable to list tagged tickets: %w", err)
	}
	return ids, nil
}
