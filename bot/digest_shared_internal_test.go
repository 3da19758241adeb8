package bot

import (
	"context"
	"encoding/json"
	"testing"
	"time"

	"github.com/deskbot/deskbot/commands"
	"github.com/deskbot/deskbot/domain"
)

// A digest for a channel linked to no customer is posted only once Slack
// says the channel is not shared. When Slack cannot say, the delivery
// fails (the outbox tries it again) rather than dropping the digest as if
// the channel were shared.
func TestDigestWaitsToKnowWhetherItsChannelIsShared(t *testing.T) {
	tb := newTestBot(t)
	ctx := context.Background()
	ana := domain.Actor{UserID: "UANA", Role: domain.RoleAgent, Channel: domain.ChannelSlack}
	if _, err := tb.svc.SaveView(ctx, ana, "open", "status:open", true); err != nil {
		t.Fatal(err)
	}
	v, err := tb.svc.SetDigest(ctx, ana, "open", "mon 09:00 UTC", "COPS")
	if err != nil {
		t.Fatal(err)
	}
	payload, _ := json.Marshal(commands.DigestJob{ViewID: v.ID, Slot: time.Now(), Channel: "COPS"})
	tb.emu.FailNext("conversations.info", "internal_error", 1)
	if err := tb.b.DeliverDigest(ctx, string(payload)); err == nil {
		t.Fatal("delivered although Slack did not say whether the channel is shared")
	}
	if n := len(tb.emu.Calls("chat.postMessage")); n != 0 {
		t.Fatalf("%d posts while Slack did not answer", n)
	}
	if err := tb.b.DeliverDigest(ctx, string(payload)); err != nil {
		t.Fatal(err)
	}
	var posted bool
	for _, c := range tb.emu.Calls("chat.postMessage") {
		posted = posted || c.OK() && c.Params["channel"] == "COPS"
	}
	if !posted {
		t.Error("the retry posted no digest in COPS")
	}
}
