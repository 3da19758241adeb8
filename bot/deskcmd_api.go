package bot

import (
	"context"
	"fmt"
	"strings"

	"github.com/deskbot/deskbot/domain"
)

const apiHelp = "`/desk api token create NAME [read|write] [--customer KEY]` makes a REST API token (shown once; `--customer` limits it to that customer's tickets, as one of their people), " +
	"`/desk api token list` lists them, `/desk api token revoke NAME` stops one at once. Admins only."

// apiCommand: /desk api token create|list|revoke.
func (b *Bot) apiCommand(ctx context.Context, a domain.Actor, responseURL, text string) {
	f := strings.Fields(text)
	if len(f) < 2 || strings.ToLower(f[0]) != "token" {
		b.reply(ctx, responseURL, apiHelp)
		return
	}
	switch verb, args := strings.ToLower(f[1]), f[2:]; {
	case verb == "create" && len(args) >= 1:
		b.createToken(ctx, a, responseURL, args)
	case verb == "list" && len(args) == 0:
		b.listTokens(ctx, a, responseURL)
	case verb == "revoke" && len(args) == 1:
		if err := b.svc.RevokeAPIToken(ctx, a, args[0]); err != nil {
			b.fail(ctx, responseURL, err)
			return
		}
		b.reply(ctx, responseURL, fmt.Sprintf(":no_entry: API token *%s* revoked: it stops working at once.", esc(args[0])))
	default:
		b.reply(ctx, responseURL, apiHelp)
	}
}

func (b *Bot) createToken(ctx context.Context, a domain.Actor, responseURL string, args []string) {
	name, access, customer := args[0], "", ""
	for i := 1; i < len(args); i++ {
		switch {
		case args[i] == "--customer" && i+1 < len(args):
			customer = args[i+1]
			i++
		case strings.HasPrefix(args[i], "--customer="):
			customer = strings.TrimPrefix(args[i], "--customer=")
		case access == "" && !strings.HasPrefix(args[i], "-"):
			access = args[i]
		default:
			b.reply(ctx, responseURL, apiHelp)
			return
		}
	}
	secret, t, err := b.svc.CreateAPIToken(ctx, a, name, access, customer)
	if err != nil {
		b.fail(ctx, responseURL, err)
		return
	}
	scope := "every customer"
	if customer != "" {
		scope = "customer " + strings.ToUpper(customer) + " only"
	}
	b.reply(ctx, responseURL, fmt.Sprintf(":key: API token *%s* (%s, %s). Copy it now: it is not shown again.\n```%s```\nSend it as `Authorization: Bearer …`.",
		esc(t.Name), t.Access, esc(scope), secret))
}

func (b *Bot) listTokens(ctx context.Context, a domain.Actor, responseURL string) {
	ts, err := b.svc.APITokens(ctx, a)
	if err != nil {
		b.fail(ctx, responseURL, err)
		return
	}
	if len(ts) == 0 {
		b.reply(ctx, responseURL, "No API tokens. "+apiHelp)
		return
	}
	lines := []string{"*API tokens*"}
	for _, t := range ts {
		scope := ""
		if t.CustomerID != 0 {
			scope = " · one customer"
		}
		lines = append(lines, fmt.Sprintf("• *%s* `%s…` · %s%s · by %s on %s", esc(t.Name), t.Prefix, t.Access, scope,
			userRef(t.CreatedBy), t.CreatedAt.Format("2006-01-02")))
	}
	b.reply(ctx, responseURL, strings.Join(lines, "\n"))
}
