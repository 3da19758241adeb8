package bot

import (
	"testing"

	"github.com/deskbot/deskbot/commands"
	"github.com/deskbot/deskbot/domain"
	"github.com/deskbot/deskbot/domain/domaintest"
)

// An agent's reply posted in the customer's thread is under their name
// and inert: no mention, no <!channel>, no link markup of its own.
func TestAgentReplyText(t *testing.T) {
	for _, tc := range []struct{ name, text, want string }{
		{"Ana Agent", "Fixed, thanks.", "*Ana Agent*: Fixed, thanks."},
		{"", "Fixed", "*Support*: Fixed"},
		{"  ", "Fixed", "*Support*: Fixed"},
		{"Ana <!here>", "<!channel> a & b <@U1> <http://x|y>",
			"*Ana &lt;!here&gt;*: &lt;!channel&gt; a &amp; b &lt;@U1&gt; &lt;http://x|y&gt;"},
	} {
		if got := agentReplyText(map[string]string{"name": tc.name, "text": tc.text}); got != tc.want {
			t.Errorf("%q %q: got %q, want %q", tc.name, tc.text, got, tc.want)
		}
	}
}

// The reply form keeps the ticket, the saved reply and the way out in its
// private_metadata; forms opened before "|thread" existed read as mail.
func TestReplyFormMetadata(t *testing.T) {
	for _, f := range []replyForm{{}, {saved: 12}, {inThread: true}, {saved: 7, inThread: true}} {
		key, got := parseReplyForm(f.metadata("ACME-3"))
		if key != "ACME-3" || got.saved != f.saved || got.inThread != f.inThread {
			t.Errorf("%+v came back as %s %+v", f, key, got)
		}
	}
	if key, f := parseReplyForm("ACME-3|5"); key != "ACME-3" || f.saved != 5 || f.inThread || f.blockID() != "body_5" {
		t.Errorf("an older form: %s %+v", key, f)
	}
	if _, f := parseReplyForm("ACME-3|0|thread"); f.blockID() != "body" || !f.inThread {
		t.Errorf("no saved reply: %+v", f)
	}
}

// Reply with… is in the More… menu of a ticket whose requester is mailed,
// or whose customer reads its Slack thread; in no other.
func TestMoreOffersReplyWith(t *testing.T) {
	cfg := domaintest.ConfigWith(t)
	mail := &domain.Ticket{CustomerKey: "ACME", Number: 1, RequesterEmail: "cy@acme.com"}
	slackUser := &domain.Ticket{CustomerKey: "ACME", Number: 2, RequesterID: "UCUST", RequesterEmail: "cy@acme.com", SlackChannel: "C1", SlackThreadTS: "1.2"}
	for _, tc := range []struct {
		name   string
		v      commands.CardView
		offers bool
	}{
		{"mail", commands.CardView{Ticket: mail}, true},
		{"the customer's thread", commands.CardView{Ticket: slackUser, CustomerThread: true}, true},
		{"an internal thread", commands.CardView{Ticket: slackUser}, false},
	} {
		offers := false
		for _, o := range cardMoreOptions(cfg, &tc.v, false) {
			offers = offers || o.verb == moreReplyWith
		}
		if offers != tc.offers {
			t.Errorf("%s: Reply with… offered %v", tc.name, offers)
		}
	}
}
