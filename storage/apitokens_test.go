package storage_test

import (
	"bytes"
	"context"
	"testing"

	"github.com/deskbot/deskbot/domain"
	"github.com/deskbot/deskbot/storage"
	"github.com/deskbot/deskbot/storage/storagetest"
)

func TestAPITokens(t *testing.T) {
	storagetest.ForEach(t, func(t *testing.T, db *storage.DB) {
		ctx := context.Background()
		p := seedCustomer(t, db, "ACME")
		ci := &domain.APIToken{Name: "ci", Prefix: "dsk_aaaa", Hash: []byte{1, 2, 3}, Access: domain.AccessWrite, CreatedBy: "U1"}
		acme := &domain.APIToken{Name: "acme", Prefix: "dsk_bbbb", Hash: []byte{4}, Access: domain.AccessRead, CustomerID: p.ID, CreatedBy: "U1"}
		update(t, db, func(tx domain.Tx) error {
			if err := tx.AddAPIToken(ctx, ci); err != nil {
				return err
			}
			return tx.AddAPIToken(ctx, acme)
		})
		if ci.ID == 0 || ci.CreatedAt.IsZero() {
			t.Fatalf("not filled in: %+v", ci)
		}
		for name, dup := range map[string]*domain.APIToken{
			"live name":   {Name: "ci", Prefix: "dsk_cccc", Hash: []byte{5}, Access: domain.AccessRead, CreatedBy: "U1"},
			"same prefix": {Name: "other", Prefix: "dsk_aaaa", Hash: []byte{5}, Access: domain.AccessRead, CreatedBy: "U1"},
		} {
			err := db.Update(ctx, func(tx domain.Tx) error { return tx.AddAPIToken(ctx, dup) })
			if domain.ErrorCode(err) != domain.ECONFLICT {
				t.Errorf("%s: got %v, want conflict", name, err)
			}
		}
		err := db.Update(ctx, func(tx domain.Tx) error {
			return tx.AddAPIToken(ctx, &domain.APIToken{Name: "x", Prefix: "dsk_dddd", Hash: []byte{6}, Access: domain.AccessRead, CustomerID: 999, CreatedBy: "U1"})
		})
		if domain.ErrorCode(err) != domain.ENOTFOUND {
			t.Errorf("unknown customer: got %v, want not found", err)
		}
		_ = db.View(ctx, func(tx domain.Tx) error {
			got, err := tx.APITokenByPrefix(ctx, "dsk_bbbb")
			if err != nil || got.Name != "acme" || got.CustomerID != p.ID || !bytes.Equal(got.Hash, []byte{4}) || !got.CreatedAt.Equal(acme.CreatedAt) {
				t.Errorf("by prefix: %+v %v", got, err)
			}
			if got, err := tx.APITokenByPrefix(ctx, "dsk_aaaa"); err != nil || got.CustomerID != 0 || got.Access != domain.AccessWrite {
				t.Errorf("unscoped: %+v %v", got, err)
			}
			ts, err := tx.APITokens(ctx)
			if err != nil || len(ts) != 2 || ts[0].Name != "acme" || ts[1].Name != "ci" {
				t.Errorf("list: %+v %v", ts, err)
			}
			return nil
		})
		update(t, db, func(tx domain.Tx) error { return tx.RevokeAPIToken(ctx, "ci") })
		err = db.Update(ctx, func(tx domain.Tx) error { return tx.RevokeAPIToken(ctx, "ci") })
		if domain.ErrorCode(err) != domain.ENOTFOUND {
			t.Errorf("revoke twice: got %v, want not found", err)
		}
		_ = db.View(ctx, func(tx domain.Tx) error {
			if _, err := tx.APITokenByPrefix(ctx, "dsk_aaaa"); domain.ErrorCode(err) != domain.ENOTFOUND {
				t.Errorf("revoked token still found: %v", err)
			}
			if ts, err := tx.APITokens(ctx); err != nil || len(ts) != 1 {
				t.Errorf("list after revoke: %d %v", len(ts), err)
			}
			return nil
		})
		// The name is free again once revoked.
		update(t, db, func(tx domain.Tx) error {
			return tx.AddAPIToken(ctx, &domain.APIToken{Name: "ci", Prefix: "dsk_eeee", Hash: []byte{7}, Access: domain.AccessRead, CreatedBy: "U1"})
		})
	})
}
