package bot

import (
	"context"
	"fmt"
	"strings"

	"github.com/deskbot/deskbot/domain"
)

// automationsCommand: /desk automations lists the rules; /desk
// automations test ACME-42 is the dry-run.
func (b *Bot) automationsCommand(ctx context.Context, a domain.Actor, responseURL, text string) {
	sub, rest := firstWord(text)
	switch {
	case sub == "":
		b.reply(ctx, responseURL, automationsText(b.svc.Config()))
	case sub == "test" && domain.IsKey(rest):
		b.testAutomations(ctx, a, responseURL, rest)
	default:
		b.reply(ctx, responseURL, "Say `/desk automations` to list the rules, or `/desk automations test ACME-42` to see which would fire on a ticket.")
	}
}

// maxListedRules keeps a listing within one message.
const maxListedRules = 60

func automationsText(cfg *domain.Config) string {
	if len(cfg.Automations) == 0 {
		return "No automations yet. Add rules under `automations:` in the config file (see the comments in the built-in config), then `/desk config reload`."
	}
	lines := []string{fmt.Sprintf("*%d automations* from %s", len(cfg.Automations), esc(cfg.Source))}
	for i, r := range cfg.Automations {
		if i == maxListedRules {
			lines = append(lines, fmt.Sprintf("…and %d more", len(cfg.Automations)-i))
			break
		}
		line := fmt.Sprintf("• *%s* — on %s, if %s → %s", esc(r.Name), esc(r.Trigger()), escCut(r.Conditions(), 300), escCut(r.Actions(), 300))
		if r.Description != "" {
			line += "\n   _" + escCut(r.Description, 200) + "_"
		}
		lines = append(lines, line)
	}
	return strings.Join(lines, "\n")
}

func (b *Bot) testAutomations(ctx context.Context, a domain.Actor, responseURL, key string) {
	t, checks, err := b.svc.TestAutomations(ctx, a, key)
	if err != nil {
		b.fail(ctx, responseURL, err)
		return
	}
	if len(checks) == 0 {
		b.reply(ctx, responseURL, "No automations to test: the config has none.")
		return
	}
	fires := 0
	var lines []string
	for i, c := range checks {
		if i == maxListedRules {
			lines = append(lines, fmt.Sprintf("…and %d more", len(checks)-i))
			break
		}
		if c.Fires {
			fires++
			lines = append(lines, fmt.Sprintf(":white_check_mark: *%s* (%s) would fire: %s → %s",
				esc(c.Rule.Name), esc(c.Rule.Trigger()), escCut(c.Why, 300), escCut(c.Rule.Actions(), 300)))
		} else {
			lines = append(lines, fmt.Sprintf(":heavy_minus_sign: *%s* (%s) would not: %s", esc(c.Rule.Name), esc(c.Rule.Trigger()), escCut(c.Why, 300)))
		}
	}
	head := fmt.Sprintf("*%s* %s — %d of %d rules would fire if their event happened now (nothing was changed):",
		t.Key(), escCut(t.Title, 150), fires, len(checks))
	b.reply(ctx, responseURL, head+"\n"+strings.Join(lines, "\n"))
}
