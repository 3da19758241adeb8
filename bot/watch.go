package bot

import (
	"context"
	"fmt"
	"strings"

	"github.com/deskbot/deskbot/commands"
	"github.com/deskbot/deskbot/domain"
)

// watchDigest words one minute of changes to the tickets a person
// follows: one line per change, grouped by ticket.
func (b *Bot) watchDigest(ctx context.Context, job commands.PostJob) (notice, error) {
	notes, err := b.svc.WatchDigest(ctx, job.User, parseTime(job.Args["from"]), parseTime(job.Args["to"]))
	if err != nil {
		return notice{}, err
	}
	cfg := b.svc.Config()
	var sb strings.Builder
	sb.WriteString(":eyes: Changes to tickets you follow:")
	last := int64(0)
	for _, n := range notes {
		if n.TicketID != last {
			fmt.Fprintf(&sb, "\n*%s* %s", n.Key(), escCut(n.TicketTitle, 150))
			last = n.TicketID
		}
		line := "\n• " + watchLine(cfg, n)
		if sb.Len()+len(line) > 3500 {
			sb.WriteString("\n…and more: `/ticket KEY` shows each.")
			break
		}
		sb.WriteString(line)
	}
	if len(notes) == 0 {
		sb.WriteString(" none after all (the changes were undone).")
	}
	return notice{text: sb.String()}, nil
}

// watchLine says one change: who did what.
func watchLine(cfg *domain.Config, n *domain.WatchNote) string {
	who := byRef(n.Actor)
	if strings.Contains(n.Actor, "@") { // a mail's sender
		who = esc(n.Actor)
	}
	switch n.Kind {
	case domain.EventStatus:
		return fmt.Sprintf("%s moved it %s → %s", who, esc(cfg.StatusLabel(n.OldValue)), esc(cfg.StatusLabel(n.NewValue)))
	case domain.EventAssigned:
		return fmt.Sprintf("%s assigned it to %s", who, userRef(n.NewValue))
	case domain.EventComment:
		return fmt.Sprintf("%s commented", who)
	case domain.EventTag:
		switch {
		case n.OldValue == "":
			return fmt.Sprintf("%s tagged it `%s`", who, esc(n.NewValue))
		case n.NewValue == "":
			return fmt.Sprintf("%s removed the tag `%s`", who, esc(n.OldValue))
		}
		return fmt.Sprintf("%s renamed the tag `%s` to `%s`", who, esc(n.OldValue), esc(n.NewValue))
	case domain.EventEscalated:
		return fmt.Sprintf("%s escalated it to engineering: %s", who, escCut(n.NewValue, 200))
	case domain.EventIssueLinked:
		return fmt.Sprintf("%s linked it to %s", who, escCut(n.NewValue, 200))
	}
	field := firstNonEmpty(n.Field, n.Kind)
	switch {
	case n.OldValue == "":
		return fmt.Sprintf("%s set %s to %s", who, esc(field), escCut(n.NewValue, 100))
	case n.NewValue == "":
		return fmt.Sprintf("%s cleared %s (was %s)", who, esc(field), escCut(n.OldValue, 100))
	}
	return fmt.Sprintf("%s changed %s: %s → %s", who, esc(field), escCut(n.OldValue, 100), escCut(n.NewValue, 100))
}
