package bot

import (
	"context"

	"github.com/slack-go/slack"
)

// bucketOpen paces conversations.open (Tier 3): a DM's first delivery to
// a person opens the conversation, later ones reuse its ID.
const bucketOpen = "conversations.open"

// dmChannel is the ID of the bot's DM with user, opened once per process:
// conversations.open allows ~50 calls a minute, and a burst of DMs (alerts
// to on-call agents, reminders, introductions) retrying into its 429s
// would spend the workspace's posting budget on attempts that never post.
func (p *people) dmChannel(ctx context.Context, user string) (string, error) {
	p.mu.Lock()
	id, ok := p.dms[user]
	p.mu.Unlock()
	if ok {
		return id, nil
	}
	ch, _, _, err := p.api.OpenConversationContext(ctx, &slack.OpenConversationParameters{Users: []string{user}})
	if err != nil {
		return "", err
	}
	p.mu.Lock()
	if p.dms == nil {
		p.dms = map[string]string{}
	}
	p.dms[user] = ch.ID
	p.mu.Unlock()
	return ch.ID, nil
}

// dmOpen reports whether the DM with user is open already (no
// conversations.open before posting to it).
func (p *people) dmOpen(user string) bool {
	p.mu.Lock()
	defer p.mu.Unlock()
	_, ok := p.dms[user]
	return ok
}
