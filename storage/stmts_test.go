package storage_test

import (
	"context"
	"testing"
	"time"

	"github.com/deskbot/deskbot/domain"
	"github.com/deskbot/deskbot/storage"
	"github.com/deskbot/deskbot/storage/storagetest"
)

// waitPrepared waits until the store keeps at least n prepared statements.
func waitPrepared(t *testing.T, db *storage.DB, n int) {
	t.Helper()
	for deadline := time.Now().Add(5 * time.Second); time.Now().Before(deadline); time.Sleep(5 * time.Millisecond) {
		if storage.PreparedStatements(db) >= n {
			return
		}
	}
	t.Fatalf("%d statements prepared, want at least %d", storage.PreparedStatements(db), n)
}

// A prepared statement used in a transaction must run on the
// transaction's own connection: it sees the transaction's writes, and
// nothing of a rolled-back one survives.
func TestPreparedStatementsRunInTheirTransaction(t *testing.T) {
	storagetest.ForEach(t, func(t *testing.T, db *storage.DB) {
		ctx := context.Background()
		seedCustomer(t, db, "ACME")
		before := storage.PreparedStatements(db)
		read := func(tx domain.Tx, key string) (*domain.Customer, error) { return tx.CustomerByKey(ctx, key) }
		if err := db.View(ctx, func(tx domain.Tx) error { _, err := read(tx, "ACME"); return err }); err != nil {
			t.Fatal(err)
		}
		waitPrepared(t, db, before+1)

		rollback := domain.Errorf(domain.EINVALID, "roll back")
		err := db.Update(ctx, func(tx domain.Tx) error {
			if err := tx.CreateCustomer(ctx, &domain.Customer{Key: "NEW", Name: "New Inc"}); err != nil {
				return err
			}
			p, err := read(tx, "NEW")
			if err != nil {
				t.Errorf("the transaction does not see its own new customer: %v", err)
			} else if p.Name != "New Inc" {
				t.Errorf("read %q", p.Name)
			}
			return rollback
		})
		if err != rollback {
			t.Fatal(err)
		}
		_ = db.View(ctx, func(tx domain.Tx) error {
			if _, err := read(tx, "NEW"); domain.ErrorCode(err) != domain.ENOTFOUND {
				t.Errorf("after rollback: %v, want not found", err)
			}
			if p, err := read(tx, "ACME"); err != nil || p.Key != "ACME" {
				t.Errorf("ACME: %v %v", p, err)
			}
			return nil
		})
	})
}

// Past its bound the cache prepares nothing more, and queries still run.
func TestPreparedStatementsBounded(t *testing.T) {
	storagetest.ForEach(t, func(t *testing.T, db *storage.DB) {
		ctx := context.Background()
		p := seedCustomer(t, db, "ACME")
		waitPrepared(t, db, 1)
		n := storage.PreparedStatements(db)
		storage.LimitPreparedStatements(db, n)
		tk := seedTicket(t, db, p, "Printer on fire")
		for range 3 {
			err := db.View(ctx, func(tx domain.Tx) error {
				got, err := tx.Ticket(ctx, tk.ID)
				if err == nil && got.Title != "Printer on fire" {
					t.Errorf("read %q", got.Title)
				}
				return err
			})
			if err != nil {
				t.Fatal(err)
			}
		}
		storage.WaitPreparations(db) // any the reads started has ended
		if got := storage.PreparedStatements(db); got != n {
			t.Errorf("%d statements prepared past a bound of %d", got, n)
		}
	})
}

// A write transaction remembers the customers it read, and forgets them
// when it writes one: what it reads after a write is the written row.
func TestCustomersRememberedWithinWriteTransaction(t *testing.T) {
	storagetest.ForEach(t, func(t *testing.T, db *storage.DB) {
		ctx := context.Background()
		seedCustomer(t, db, "ACME")
		update(t, db, func(tx domain.Tx) error {
			p, err := tx.CustomerByKey(ctx, "ACME")
			if err != nil {
				return err
			}
			p.Name = "Acme Renamed"
			// The caller's copy is its own: the remembered row is unchanged.
			if again, _ := tx.CustomerByKey(ctx, "acme"); again.Name != "ACME Inc" {
				t.Errorf("remembered row changed with the caller's copy: %q", again.Name)
			}
			if err := tx.UpdateCustomer(ctx, p); err != nil {
				return err
			}
			if again, _ := tx.CustomerByKey(ctx, "ACME"); again.Name != "Acme Renamed" {
				t.Errorf("after an update the transaction reads %q", again.Name)
			}
			if _, err := tx.CustomerByKey(ctx, "NEW"); domain.ErrorCode(err) != domain.ENOTFOUND {
				t.Errorf("NEW: %v, want not found", err)
			}
			if err := tx.CreateCustomer(ctx, &domain.Customer{Key: "NEW", Name: "New Inc"}); err != nil {
				return err
			}
			if got, err := tx.CustomerByKey(ctx, "NEW"); err != nil || got.Name != "New Inc" {
				t.Errorf("after creating it the transaction reads %v %v", got, err)
			}
			triage, err := tx.EnsureCustomer(ctx, &domain.Customer{Key: "TRIAGE", Name: "Triage"})
			if err != nil || triage.Key != "TRIAGE" {
				t.Errorf("ensure: %v %v", triage, err)
			}
			if again, err := tx.EnsureCustomer(ctx, &domain.Customer{Key: "TRIAGE", Name: "Triage"}); err != nil || again.ID != triage.ID {
				t.Errorf("ensure again: %v %v", again, err)
			}
			return nil
		})
	})
}
