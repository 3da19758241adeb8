package storage

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/deskbot/deskbot/domain"
)

// A 429's Retry-After is Slack's word to the whole app, and every replica
// calls the method: the one told keeps the pause in the leases table (a
// row per method, holder "slack"), and the others read it before calling.

func slackPauseName(method string) string { return "slack-retry-after:" + method }

// PauseSlack records that method is to be left alone for pause from now;
// a longer pause recorded already stays.
func (d *DB) PauseSlack(ctx context.Context, method string, pause time.Duration) error {
	err := d.Update(ctx, func(dtx domain.Tx) error {
		tx := dtx.(*Tx)
		until := ts(tx.now.Add(pause))
		var cur time.Time
		switch err := tx.get(ctx, &cur, `SELECT expires_at FROM leases WHERE name = ?`, slackPauseName(method)); {
		case errors.Is(err, sql.ErrNoRows):
		case err != nil:
			return err
		case !cur.Before(until):
			return nil
		}
		_, err := tx.exec(ctx, `INSERT INTO leases (name, holder, expires_at) VALUES (?, 'slack', ?)
			ON CONFLICT (name) DO UPDATE SET holder = 'slack', expires_at = excluded.expires_at`, slackPauseName(method), until)
		return err
	})
	if err != nil {
		return fmt.Errorf("store: unable to record Slack's Retry-After for %s: %w", method, err)
	}
	return nil
}

// SlackPaused is how long method is still to be left alone; 0 when it is not.
func (d *DB) SlackPaused(ctx context.Context, method string) (time.Duration, error) {
	var left time.Duration
	err := d.View(ctx, func(dtx domain.Tx) error {
		tx := dtx.(*Tx)
		var until time.Time
		switch err := tx.get(ctx, &until, `SELECT expires_at FROM leases WHERE name = ?`, slackPauseName(method)); {
		case errors.Is(err, sql.ErrNoRows):
			return nil
		case err != nil:
			return err
		}
		left = max(until.Sub(tx.now), 0)
		return nil
	})
	if err != nil {
		return 0, fmt.Errorf("store: unable to read Slack's Retry-After for %s: %w", method, err)
	}
	return left, nil
}
