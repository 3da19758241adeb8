package bot

import (
	"encoding/json"
	"strings"

	"github.com/slack-go/slack/socketmode"

	"github.com/deskbot/deskbot/domain"
)

// Order topics (order.go): what an input changes that an earlier input of
// the same person may have changed first. The timer is one per person
// (starting one stops the other), so every timer input shares a topic
// whatever its ticket; other inputs on a ticket share the ticket's; a
// thread reply shares its thread's. Anything else (a new ticket, a time
// log, a modal) has none: it cannot be overtaken in a way that matters.
const (
	topicTimer  = "timer"
	topicTicket = "ticket:"
	topicThread = "thread:"
)

// orderKey reads who sent an input and its topic from the envelope's
// payload ("" when it has none).
func orderKey(kind string, payload []byte) (person, topic string) {
	var p struct {
		// slash commands
		UserID  string `json:"user_id"`
		Command string `json:"command"`
		Text    string `json:"text"`
		// interactions
		Type string          `json:"type"`
		User json.RawMessage `json:"user"`
		// events
		Event struct {
			Type     string `json:"type"`
			Subtype  string `json:"subtype"`
			User     string `json:"user"`
			Channel  string `json:"channel"`
			ThreadTS string `json:"thread_ts"`
			TS       string `json:"ts"`
		} `json:"event"`
		Actions []struct {
			ActionID string `json:"action_id"`
			Value    string `json:"value"`
			Selected struct {
				Value string `json:"value"`
			} `json:"selected_option"`
		} `json:"actions"`
	}
	if json.Unmarshal(payload, &p) != nil {
		return "", ""
	}
	switch kind {
	case socketmode.RequestTypeSlashCommands:
		return p.UserID, slashTopic(p.Command, p.Text)
	case socketmode.RequestTypeInteractive:
		var u struct {
			ID string `json:"id"`
		}
		if p.Type != "block_actions" || len(p.Actions) == 0 || json.Unmarshal(p.User, &u) != nil {
			return u.ID, ""
		}
		a := p.Actions[0]
		return u.ID, actionTopic(a.ActionID, firstNonEmpty(a.Selected.Value, a.Value))
	case socketmode.RequestTypeEventsAPI:
		e := p.Event
		if e.Type == "message" && e.ThreadTS != "" && e.ThreadTS != e.TS && e.User != "" {
			return e.User, topicThread + e.Channel + ":" + e.ThreadTS
		}
		return e.User, ""
	}
	return "", ""
}

func slashTopic(command, text string) string {
	first, _ := firstWord(text)
	switch {
	case command == "/time" && (first == "start" || first == "stop"):
		return topicTimer
	case command == "/ticket" && domain.IsKey(first):
		return topicTicket + strings.ToUpper(first)
	}
	return ""
}

func actionTopic(actionID, value string) string {
	if strings.HasPrefix(actionID, "timer_") || strings.HasPrefix(actionID, "entry_") {
		return topicTimer
	}
	// "KEY", "KEY|arg" (a status) or "verb|KEY" (the card's More menu).
	for _, part := range strings.Split(value, "|") {
		if domain.IsKey(part) {
			return topicTicket + strings.ToUpper(strings.TrimSpace(part))
		}
	}
	return ""
}
