package storage_test

import (
	"context"
	"testing"

	"github.com/deskbot/deskbot/domain"
	"github.com/deskbot/deskbot/domain/query"
	"github.com/deskbot/deskbot/storage"
	"github.com/deskbot/deskbot/storage/storagetest"
)

// Tickets written before migration 00004 get their version sort key at
// the next start, so version comparisons see them.
func TestVersionKeysFilledAtStart(t *testing.T) {
	storagetest.ForEach(t, func(t *testing.T, db *storage.DB) {
		ctx := context.Background()
		p := seedCustomer(t, db, "ACME")
		tk := seedTicket(t, db, p, "Old")
		update(t, db, func(tx domain.Tx) error {
			tk.Version = "4.10.0"
			return tx.UpdateTicket(ctx, tk)
		})
		if _, err := db.SQL().Exec(`UPDATE tickets SET version_key = NULL`); err != nil {
			t.Fatal(err)
		}
		if _, err := db.Migrate(ctx); err != nil {
			t.Fatal(err)
		}
		var key string
		if err := db.SQL().QueryRow(`SELECT version_key FROM tickets`).Scan(&key); err != nil || key != query.VersionKey("4.10.0") {
			t.Errorf("key %q, %v", key, err)
		}
	})
}
