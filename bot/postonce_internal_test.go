package bot

import (
	"context"
	"testing"
	"time"

	"github.com/slack-go/slack"

	"github.com/deskbot/deskbot/commands"
	"github.com/deskbot/deskbot/domain"
)

// An attempt posted the card and died before recording it; the retry
// finds that post by its metadata, records its ts and posts nothing.
func TestCardPostedOnceAcrossAttempts(t *testing.T) {
	tb := newTestBot(t)
	ctx := context.Background()
	b := tb.b
	ana := domain.Actor{UserID: "UANA", Role: domain.RoleAgent}
	tk, err := tb.svc.CreateTicket(ctx, ana, commands.TicketInput{CustomerKey: "ACME", Title: "Printer on fire", ChannelID: "COPS", Source: domain.SourceSlash})
	if err != nil {
		t.Fatal(err)
	}
	outbox := b.outbox
	claim := func() *domain.OutboxMessage {
		t.Helper()
		ms, err := outbox.ClaimOutbox(ctx, "p1", []string{domain.OutboxCard}, 10, leaseTime)
		if err != nil || len(ms) != 1 {
			t.Fatalf("claim: %+v %v", ms, err)
		}
		return ms[0]
	}
	first := claim()
	// The first attempt: posted, then the process died before SetCard.
	ts, err := b.postOnce(ctx, first, tk, "COPS", "", slack.MsgOptionText(cardText(tk), false))
	if err != nil {
		t.Fatal(err)
	}
	if err := outbox.OutboxFailed(ctx, first.ID, "died", time.Now().Add(-time.Second)); err != nil {
		t.Fatal(err)
	}
	retry := claim()
	if retry.Attempts != 2 {
		t.Fatalf("retry attempt %d", retry.Attempts)
	}
	posts := len(tb.emu.Calls("chat.postMessage"))
	if _, err := b.deliverCard(ctx, tk.ID, retry); err != nil {
		t.Fatal(err)
	}
	if n := len(tb.emu.Calls("chat.postMessage")); n != posts {
		t.Errorf("the retry posted again (%d posts, was %d)", n, posts)
	}
	got, err := tb.svc.TicketByID(ctx, tk.ID)
	if err != nil || got.SlackTS != ts {
		t.Fatalf("card ts %q, want the first attempt's %q (%v)", got.SlackTS, ts, err)
	}
	msg, ok := tb.emu.Message("COPS", ts)
	if !ok || string(msg.Metadata) == "" {
		t.Fatalf("the card carries no metadata: %+v", msg)
	}

	// A first attempt does not look: nothing can be there yet.
	history := len(tb.emu.Calls("conversations.history"))
	tk2, err := tb.svc.CreateTicket(ctx, ana, commands.TicketInput{CustomerKey: "ACME", Title: "Second", ChannelID: "COPS", Source: domain.SourceSlash})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := b.deliverCard(ctx, tk2.ID, claim()); err != nil {
		t.Fatal(err)
	}
	if n := len(tb.emu.Calls("conversations.history")); n != history {
		t.Errorf("a first attempt read the history (%d calls)", n-history)
	}
}

// A card's first message posted it (Slack took the post, its answer never
// came) and is still held by the replica that sent it; a later change of
// the ticket queued a fresh card message, which another replica delivers
// first: it finds the card by its metadata rather than posting a second.
func TestCardFoundByTheTicketsNextMessage(t *testing.T) {
	tb := newTestBot(t)
	ctx := context.Background()
	b := tb.b
	ana := domain.Actor{UserID: "UANA", Role: domain.RoleAgent}
	tk, err := tb.svc.CreateTicket(ctx, ana, commands.TicketInput{CustomerKey: "ACME", Title: "Printer on fire", ChannelID: "COPS", Source: domain.SourceSlash})
	if err != nil {
		t.Fatal(err)
	}
	ms, err := b.outbox.ClaimOutbox(ctx, "p1", []string{domain.OutboxCard}, 10, leaseTime)
	if err != nil || len(ms) != 1 {
		t.Fatalf("claim: %+v %v", ms, err)
	}
	ts, err := b.postOnce(ctx, ms[0], tk, "COPS", "", slack.MsgOptionText(cardText(tk), false))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := tb.svc.Assign(ctx, ana, tk.Key(), ana.UserID); err != nil {
		t.Fatal(err)
	}
	next, err := b.outbox.ClaimOutbox(ctx, "p2", []string{domain.OutboxCard}, 10, leaseTime)
	if err != nil || len(next) != 1 || next[0].ID == ms[0].ID || next[0].Attempts != 1 {
		t.Fatalf("claim the next message: %+v %v", next, err)
	}
	posts := len(tb.emu.Calls("chat.postMessage"))
	if _, err := b.deliverCard(ctx, tk.ID, next[0]); err != nil {
		t.Fatal(err)
	}
	if n := len(tb.emu.Calls("chat.postMessage")); n != posts {
		t.Errorf("the next message posted the card again (%d posts, was %d)", n, posts)
	}
	if got, err := tb.svc.TicketByID(ctx, tk.ID); err != nil || got.SlackTS != ts {
		t.Fatalf("card ts %q, want the first post's %q (%v)", got.SlackTS, ts, err)
	}
}
