package bot

import (
	"context"
	"testing"

	"github.com/deskbot/deskbot/domain"
)

func TestMentions(t *testing.T) {
	cases := []struct {
		in, user, channel, name string
	}{
		{"<@U123ABC>", "U123ABC", "", ""},
		{"<@W123ABC|jo>", "W123ABC", "", ""},
		{"<#C123ABC|acme-support>", "", "C123ABC", "acme-support"},
		{"<#G123ABC>", "", "G123ABC", ""},
		{"<@C123ABC>", "", "", ""}, // a channel is not a person
		{"<#U123ABC|x>", "", "", ""},
		{"<@U1>", "", "", ""}, // too short for an ID
		{"<@U123ABC", "", "", ""},
		{"<@U123<@U456>", "", "", ""},
		{"U123ABC", "", "", ""}, // a bare ID is not markup
		{"<!channel>", "", "", ""},
	}
	for _, c := range cases {
		user, isUser := userMention(c.in)
		channel, name, isChannel := channelMention(c.in)
		if user != c.user || isUser != (c.user != "") || channel != c.channel || name != c.name || isChannel != (c.channel != "") {
			t.Errorf("%q: user %q %v, channel %q %q %v", c.in, user, isUser, channel, name, isChannel)
		}
		want := c.in
		if c.user != "" {
			want = c.user
		} else if c.channel != "" {
			want = c.channel
		}
		if got := plainID(c.in); got != want {
			t.Errorf("plainID(%q) = %q, want %q", c.in, got, want)
		}
	}
}

// Queries reach commands without Slack's markup.
func TestPlainQuery(t *testing.T) {
	tb := newTestBot(t)
	ctx := context.Background()
	if _, err := tb.svc.LinkChannel(ctx, domain.Actor{UserID: "UANA", Role: domain.RoleAgent}, "ACME", "C0ACME"); err != nil {
		t.Fatal(err)
	}
	cases := map[string]string{
		"<#C0ACME|acme-support> closed":               "customer:ACME closed",
		"assignee:<@U024BE7LH|alice>,<@U999AB> !high": "assignee:U024BE7LH,U999AB !high",
		`"<@U1>" <@ broken`:                           `"<@U1>" <@ broken`,
	}
	for in, want := range cases {
		if got, err := tb.b.plainQuery(ctx, in); err != nil || got != want {
			t.Errorf("plainQuery(%q) = %q, %v; want %q", in, got, err, want)
		}
	}
	if _, err := tb.b.plainQuery(ctx, "<#C0OTHER|random>"); domain.ErrorField(err) != "query" {
		t.Errorf("a channel of no customer: %v", err)
	}
}
