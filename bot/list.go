package bot

import (
	"context"
	"fmt"
	"strconv"
	"strings"

	"github.com/slack-go/slack"

	"github.com/deskbot/deskbot/domain"
)

const (
	listPageSize = 10
	actListPage  = "list_page"
)

// listFilter reads `/ticket list` words: mine, unassigned, all, closed,
// #customer (or a bare customer key), !priority.
func (b *Bot) listFilter(ctx context.Context, a domain.Actor, args string) (domain.TicketFilter, string, error) {
	f := domain.TicketFilter{Statuses: b.svc.OpenStatuses()}
	var desc []string
	for _, w := range strings.Fields(args) {
		lw := strings.ToLower(w)
		switch {
		case lw == "mine" || lw == "me":
			me := a.UserID
			f.AssigneeID = &me
			desc = append(desc, "assigned to you")
		case lw == "unassigned":
			none := ""
			f.AssigneeID = &none
			desc = append(desc, "unassigned")
		case lw == "all":
			f.Statuses = nil
		case lw == "closed" || lw == "done":
			f.Statuses = b.doneStatuses()
			desc = append(desc, "done")
		case lw == "open":
			f.Statuses = b.svc.OpenStatuses()
		case strings.HasPrefix(lw, "!") && len(lw) > 1:
			f.Priorities = append(f.Priorities, lw[1:])
			desc = append(desc, lw[1:])
		case channelLinkRE.MatchString(w):
			p, err := b.svc.ProjectByChannel(ctx, channelLinkRE.FindStringSubmatch(w)[1])
			if err != nil || p == nil {
				return f, "", domain.Errorf(domain.EINVALID, "%s is not a customer's channel.", w)
			}
			f.ProjectID = p.ID
			desc = append(desc, p.Name)
		default:
			key := strings.ToUpper(strings.TrimPrefix(w, "#"))
			p, err := b.projectByKey(ctx, a, key)
			if err != nil {
				return f, "", domain.Errorf(domain.EINVALID, "I don't know %q: use mine, unassigned, all, closed, #customer or !priority.", w)
			}
			f.ProjectID = p.ID
			desc = append(desc, p.Name)
		}
	}
	return f, strings.Join(desc, ", "), nil
}

func (b *Bot) projectByKey(ctx context.Context, a domain.Actor, key string) (*domain.Project, error) {
	ps, err := b.svc.Projects(ctx, a)
	if err != nil {
		return nil, err
	}
	for _, p := range ps {
		if p.Key == key {
			return p, nil
		}
	}
	return nil, domain.Errorf(domain.ENOTFOUND, "There is no customer %s.", key)
}

func (b *Bot) doneStatuses() []string {
	var out []string
	for _, s := range b.svc.Config().Statuses {
		if s.Done() {
			out = append(out, s.Name)
		}
	}
	return out
}

// listTickets answers with one page; Next/Previous replace it in place.
func (b *Bot) listTickets(ctx context.Context, a domain.Actor, responseURL, args string, offset int, replace bool) {
	f, desc, err := b.listFilter(ctx, a, args)
	if err != nil {
		b.fail(ctx, responseURL, err)
		return
	}
	f.Limit, f.Offset = listPageSize, offset
	ts, total, err := b.svc.ListTickets(ctx, a, f)
	if err != nil {
		b.fail(ctx, responseURL, err)
		return
	}
	blocks := listBlocks(b.svc.Config(), ts, total, offset, args, desc)
	text := fmt.Sprintf("%d tickets", total)
	if replace {
		b.replaceOriginal(ctx, responseURL, text, blocks)
		return
	}
	b.reply(ctx, responseURL, text, blocks...)
}

func listBlocks(cfg *domain.Config, ts []*domain.Ticket, total, offset int, args, desc string) []slack.Block {
	head := fmt.Sprintf("*%d tickets*", total)
	if desc != "" {
		head += " — " + esc(desc)
	}
	if total > 0 {
		head += fmt.Sprintf(" · showing %d–%d", offset+1, offset+len(ts))
	}
	blocks := []slack.Block{slack.NewSectionBlock(mrkdwn(head), nil, nil)}
	if len(ts) == 0 {
		blocks = append(blocks, slack.NewContextBlock("", mrkdwn("Nothing here. `/ticket help` shows the filters.")))
		return blocks
	}
	for _, t := range ts {
		line := fmt.Sprintf("*%s* %s\n%s · %s · %s", t.Key(), escCut(t.Title, 150), esc(cfg.StatusLabel(t.Status)), esc(t.Priority), userRef(t.AssigneeID))
		blocks = append(blocks, slack.NewSectionBlock(mrkdwn(line), nil, nil))
	}
	var nav []slack.BlockElement
	if offset > 0 {
		nav = append(nav, slack.NewButtonBlockElement(actListPage+"_prev", pageValue(args, max(offset-listPageSize, 0)), plain("← Previous")))
	}
	if offset+len(ts) < total {
		nav = append(nav, slack.NewButtonBlockElement(actListPage+"_next", pageValue(args, offset+listPageSize), plain("Next →")))
	}
	if len(nav) > 0 {
		blocks = append(blocks, slack.NewActionBlock("list_nav", nav...))
	}
	return blocks
}

func pageValue(args string, offset int) string {
	return cut(strconv.Itoa(offset)+"|"+args, 2000)
}

func parsePageValue(v string) (string, int) {
	o, args, _ := strings.Cut(v, "|")
	n, _ := strconv.Atoi(o)
	return args, max(n, 0)
}
