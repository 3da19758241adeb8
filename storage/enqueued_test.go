package storage_test

import (
	"context"
	"errors"
	"slices"
	"sync"
	"testing"

	"github.com/deskbot/deskbot/domain"
	"github.com/deskbot/deskbot/storage/storagetest"
)

// OnEnqueue hears the kinds a transaction queued once it committed, each
// once, and nothing of a rolled-back one.
func TestOnEnqueue(t *testing.T) {
	for _, dialect := range storagetest.Dialects {
		t.Run(dialect, func(t *testing.T) {
			ctx := context.Background()
			db := storagetest.Open(t, dialect)
			var mu sync.Mutex
			var heard [][]string
			db.OnEnqueue(func(kinds []string) {
				mu.Lock()
				heard = append(heard, slices.Clone(kinds))
				mu.Unlock()
			})
			queue := func(fail bool, kinds ...string) {
				err := db.Update(ctx, func(tx domain.Tx) error {
					for _, k := range kinds {
						if err := tx.Enqueue(ctx, &domain.OutboxMessage{Kind: k, Payload: `{}`}); err != nil {
							return err
						}
					}
					if fail {
						return errors.New("rolled back")
					}
					return nil
				})
				if (err != nil) != fail {
					t.Fatal(err)
				}
			}
			queue(false, domain.OutboxMail, domain.OutboxCard, domain.OutboxMail)
			queue(true, domain.OutboxEmail)
			queue(false)
			mu.Lock()
			defer mu.Unlock()
			if len(heard) != 1 || !slices.Equal(heard[0], []string{domain.OutboxMail, domain.OutboxCard}) {
				t.Errorf("heard %q, want one commit's [mail card]", heard)
			}
		})
	}
}
