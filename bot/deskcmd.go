package bot

import (
	"context"
	"fmt"
	"strings"

	"github.com/slack-go/slack"

	"github.com/deskbot/deskbot/commands"
	"github.com/deskbot/deskbot/domain"
)

const deskHelp = "*`/desk`* — customers and admin\n" +
	"• `/desk customers` lists customers.\n" +
	"• `/desk customer add ACME Acme Corp` adds a customer (key, then name).\n" +
	"• `/desk customer link ACME` run in a channel: makes it ACME's channel; their messages there become tickets.\n" +
	"• `/desk types` shows ticket types and their workflows."

func (b *Bot) deskCommand(ctx context.Context, a domain.Actor, cmd slack.SlashCommand) {
	word, rest := firstWord(cmd.Text)
	switch word {
	case "", "help":
		b.reply(ctx, cmd.ResponseURL, deskHelp)
	case "customers":
		b.listCustomers(ctx, a, cmd.ResponseURL)
	case "customer":
		sub, rest := firstWord(rest)
		key, name := firstWord(rest)
		switch sub {
		case "add":
			p, err := b.svc.CreateProject(ctx, a, commands.ProjectInput{Key: key, Name: name})
			if err != nil {
				b.fail(ctx, cmd.ResponseURL, err)
				return
			}
			b.reply(ctx, cmd.ResponseURL, fmt.Sprintf(":white_check_mark: Customer *%s* (%s) added. In their channel, run `/desk customer link %s`.", p.Key, esc(p.Name), p.Key))
		case "link":
			p, err := b.svc.LinkChannel(ctx, a, key, cmd.ChannelID)
			if err != nil {
				b.fail(ctx, cmd.ResponseURL, err)
				return
			}
			b.reply(ctx, cmd.ResponseURL, fmt.Sprintf(":link: This channel is now *%s*'s: tickets show here, and their messages become tickets.", esc(p.Name)))
		default:
			b.reply(ctx, cmd.ResponseURL, deskHelp)
		}
	case "sla":
		b.slaCommand(ctx, a, cmd.ResponseURL, rest)
	case "types":
		b.reply(ctx, cmd.ResponseURL, typesText(b.svc.Config()))
	default:
		b.reply(ctx, cmd.ResponseURL, fmt.Sprintf("I don't know `/desk %s`.\n%s", esc(word), deskHelp))
	}
}

func (b *Bot) listCustomers(ctx context.Context, a domain.Actor, responseURL string) {
	ps, err := b.svc.Projects(ctx, a)
	if err != nil {
		b.fail(ctx, responseURL, err)
		return
	}
	if len(ps) == 0 {
		b.reply(ctx, responseURL, "No customers yet. Add one with `/desk customer add ACME Acme Corp`.")
		return
	}
	lines := []string{fmt.Sprintf("*%d customers*", len(ps))}
	for i, p := range ps {
		if i == 40 {
			lines = append(lines, fmt.Sprintf("…and %d more", len(ps)-40))
			break
		}
		line := fmt.Sprintf("• *%s* %s", p.Key, esc(p.Name))
		if p.ChannelID != "" {
			line += " · <#" + p.ChannelID + ">"
		}
		if p.CurrentVersion != "" {
			line += " · v" + esc(p.CurrentVersion)
		}
		lines = append(lines, line)
	}
	b.reply(ctx, responseURL, strings.Join(lines, "\n"))
}

func typesText(cfg *domain.Config) string {
	var lines []string
	for _, t := range cfg.Types {
		wf := cfg.Workflows[t.Workflow]
		var moves []string
		for _, s := range cfg.Statuses {
			if next := wf.Next(s.Name); len(next) > 0 {
				moves = append(moves, fmt.Sprintf("%s → %s", s.Name, strings.Join(next, ", ")))
			}
		}
		lines = append(lines, fmt.Sprintf("*%s* (`%s`), fields: %s\n  %s", esc(t.Label), t.Name, esc(strings.Join(t.Fields, ", ")), esc(strings.Join(moves, " · "))))
	}
	return strings.Join(lines, "\n")
}
