package main

import (
	"context"
	"path/filepath"
	"strings"
	"testing"

	"github.com/deskbot/deskbot/domain"
	"github.com/deskbot/deskbot/storage"
)

func TestKeysRotateAndRevoke(t *testing.T) {
	dbURL := "sqlite:" + filepath.Join(t.TempDir(), "deskbot.db")
	env := map[string]string{"DATABASE_URL": dbURL}
	for i := 1; i <= 2; i++ {
		r := runCLI(t, env, "keys", "rotate")
		if r.code != 0 || !strings.Contains(r.stdout, "New link signing key") {
			t.Fatalf("rotate %d: %+v", i, r)
		}
	}
	db, err := storage.Open(context.Background(), dbURL)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var retired, signing int
	var ks []*domain.PortalKey
	if err := db.View(context.Background(), func(tx domain.Tx) (err error) {
		ks, err = tx.PortalKeys(context.Background())
		return err
	}); err != nil {
		t.Fatal(err)
	}
	for _, k := range ks {
		if k.RetiredAt == nil {
			signing++
		} else {
			retired++
		}
	}
	if signing != 1 || retired != 1 {
		t.Errorf("keys after two rotations: %d signing, %d retired", signing, retired)
	}
	if r := runCLI(t, env, "keys", "revoke"); r.code != 2 || !strings.Contains(r.stderr, "name the ticket") {
		t.Errorf("revoke without a ticket: %+v", r)
	}
	if r := runCLI(t, env, "keys", "revoke", "ACME-1"); r.code != 1 || !strings.Contains(r.stderr, "not found") {
		t.Errorf("revoke of no ticket: %+v", r)
	}
	if r := runCLI(t, env, "keys"); r.code != 0 || !strings.Contains(r.stdout, "deskbot keys rotate") {
		t.Errorf("keys alone: %+v", r)
	}
}
