package bot

import (
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/deskbot/deskbot/commands"
	"github.com/deskbot/deskbot/domain"
	"github.com/deskbot/deskbot/domain/domaintest"
)

// A card names the tickets linked to it: blockers, blocked, and the
// follow-up a closed ticket got (both ways).
func TestCardNamesLinkedTickets(t *testing.T) {
	cfg := domaintest.ConfigWith(t)
	now := time.Date(2026, 11, 27, 9, 0, 0, 0, time.UTC)
	tk := &domain.Ticket{CustomerKey: "ACME", Number: 8, Title: "Login fails", Type: cfg.DefaultType, Status: "new",
		Priority: cfg.DefaultPriority, Source: domain.SourceEmail, CreatedAt: now}
	v := &commands.CardView{Ticket: tk, Customer: &domain.Customer{Key: "ACME", Name: "Acme"}, Now: now,
		Blockers: []string{"ACME-3"}, FollowsUp: []string{"ACME-7"}, FollowedUpBy: []string{"ACME-9"}}
	raw, err := json.Marshal(cardBlocks(cfg, v))
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"Blocked by ACME-3", "Follows up ACME-7", "Followed up in ACME-9"} {
		if !strings.Contains(string(raw), want) {
			t.Errorf("the card does not say %q:\n%s", want, raw)
		}
	}
}
