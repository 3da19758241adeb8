package bot

import (
	"encoding/json"
	"testing"

	"github.com/deskbot/deskbot/bot/slackemu"
)

func TestOrderKey(t *testing.T) {
	raw := func(p any) string {
		b, err := json.Marshal(p)
		if err != nil {
			t.Fatal(err)
		}
		return string(b)
	}
	status := slackemu.BlockAction("U1", "C1", "1.1", "status", "")
	status["actions"] = []any{map[string]any{"action_id": "status", "selected_option": map[string]any{"value": "ACME-7|resolved"}}}
	cases := []struct {
		name, kind, payload string
		person, topic       string
	}{
		{"timer start on a card", "interactive", raw(slackemu.BlockAction("U1", "C1", "1.1", "timer_start", "ACME-1")), "U1", "timer"},
		{"timer stop on another card", "interactive", raw(slackemu.BlockAction("U1", "C2", "2.2", "timer_stop", "GLOBEX-3")), "U1", "timer"},
		{"forgotten timer's stop", "interactive", raw(slackemu.BlockAction("U1", "D1", "3.3", "entry_stop", "42")), "U1", "timer"},
		{"assign me", "interactive", raw(slackemu.BlockAction("U1", "C1", "1.1", "assign_me", "acme-1")), "U1", "ticket:ACME-1"},
		{"status select", "interactive", raw(status), "U1", "ticket:ACME-7"},
		{"more menu", "interactive", raw(slackemu.BlockAction("U1", "C1", "1.1", "card_more", "merge|ACME-2")), "U1", "ticket:ACME-2"},
		{"onboarding button", "interactive", raw(slackemu.BlockAction("U1", "C1", "1.1", "onboard_customer", "")), "U1", ""},
		{"new ticket", "slash_commands", `{"user_id":"U2","command":"/ticket","text":"Printer on fire #acme"}`, "U2", ""},
		{"ticket verb", "slash_commands", `{"user_id":"U2","command":"/ticket","text":"acme-4 close"}`, "U2", "ticket:ACME-4"},
		{"time start", "slash_commands", `{"user_id":"U2","command":"/time","text":"start ACME-4"}`, "U2", "timer"},
		{"time log", "slash_commands", `{"user_id":"U2","command":"/time","text":"log ACME-4 1h"}`, "U2", ""},
		{"thread reply", "events_api", `{"event":{"type":"message","user":"U3","channel":"C1","ts":"5.5","thread_ts":"1.1"}}`, "U3", "thread:C1:1.1"},
		{"top-level message", "events_api", `{"event":{"type":"message","user":"U3","channel":"C1","ts":"5.5"}}`, "U3", ""},
		{"not JSON", "interactive", `{`, "", ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			person, topic := orderKey(c.kind, []byte(c.payload))
			if person != c.person || topic != c.topic {
				t.Errorf("orderKey = %q, %q; want %q, %q", person, topic, c.person, c.topic)
			}
		})
	}
}
