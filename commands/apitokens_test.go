package commands_test

import (
	"context"
	"strings"
	"testing"

	"github.com/deskbot/deskbot/commands"
	"github.com/deskbot/deskbot/domain"
	"github.com/deskbot/deskbot/storage"
	"github.com/deskbot/deskbot/storage/storagetest"
)

func TestAPITokenRules(t *testing.T) {
	db := storagetest.Open(t, storage.SQLite)
	cfg := domain.DefaultConfig()
	cfg.Slack.Admins = []string{"UADMIN"}
	svc := commands.New(db, cfg, commands.Options{})
	ctx := context.Background()
	admin := domain.Actor{UserID: "UADMIN", Role: domain.RoleAgent, Channel: domain.ChannelSlack}
	agent := domain.Actor{UserID: "UAGENT", Role: domain.RoleAgent, Channel: domain.ChannelSlack}
	for _, c := range []struct {
		who                  domain.Actor
		name, access, client string
		code, field          string
	}{
		{who: agent, name: "ci", code: domain.EFORBIDDEN},
		{who: admin, name: "Has Space", code: domain.EINVALID, field: "name"},
		{who: admin, name: strings.Repeat("x", 41), code: domain.EINVALID, field: "name"},
		{who: admin, name: "ci", access: "admin", code: domain.EINVALID, field: "access"},
		{who: admin, name: "ci", client: "NOPE", code: domain.EINVALID, field: "customer"},
	} {
		_, _, err := svc.CreateAPIToken(ctx, c.who, c.name, c.access, c.client)
		if domain.ErrorCode(err) != c.code || domain.ErrorField(err) != c.field {
			t.Errorf("%+v: got %v", c, err)
		}
	}
	secret, tok, err := svc.CreateAPIToken(ctx, admin, "CI", "", "")
	if err != nil || tok.Name != "ci" || tok.Access != domain.AccessRead || !strings.HasPrefix(secret, "dsk_") || len(secret) != 47 {
		t.Fatalf("create: %q %+v %v", secret, tok, err)
	}
	if a := tok.Actor(); a.Ref() != "api:ci" || !a.IsAgent() || a.Channel != domain.ChannelAPI {
		t.Errorf("actor: %+v", a)
	}
	for _, bad := range []string{"", "dsk_", secret[:20], secret + "x", strings.Replace(secret, "dsk_", "xyz_", 1)} {
		if _, err := svc.Authenticate(ctx, bad); err != commands.ErrBadToken {
			t.Errorf("%q: %v", bad, err)
		}
	}
	if got, err := svc.Authenticate(ctx, secret); err != nil || got.ID != tok.ID {
		t.Errorf("authenticate: %+v %v", got, err)
	}
	if _, err := svc.APITokens(ctx, agent); domain.ErrorCode(err) != domain.EFORBIDDEN {
		t.Errorf("list by a non-admin: %v", err)
	}
	if err := svc.RevokeAPIToken(ctx, agent, "ci"); domain.ErrorCode(err) != domain.EFORBIDDEN {
		t.Errorf("revoke by a non-admin: %v", err)
	}
}
