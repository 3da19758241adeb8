package bot

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/deskbot/deskbot/commands"
	"github.com/deskbot/deskbot/domain"
)

// A delivery that outlived its dispatcher's lease (it waited for the
// database through an outage while the lease ran out unrenewed) posts
// nothing: the replica that took the lease over frees the claim, finds no
// earlier post and posts, and this one's post would be the second (the
// double SLA breach alert bench/chaos once counted).
func TestNoPostAfterTheDispatchLeaseRanOut(t *testing.T) {
	tb := newTestBot(t)
	ctx := context.Background()
	b := tb.b
	ana := domain.Actor{UserID: "UANA", Role: domain.RoleAgent}
	tk, err := tb.svc.CreateTicket(ctx, ana, commands.TicketInput{CustomerKey: "ACME", Title: "Printer on fire", ChannelID: "COPS", Source: domain.SourceSlash})
	if err != nil {
		t.Fatal(err)
	}
	// This replica took the lease, then did not renew it for its TTL.
	l := b.leader()
	l.now = func() time.Time { return time.Now().Add(-leadTTL) }
	if !l.lead(ctx, b.pacer) {
		t.Fatal("the replica did not take the dispatch lease")
	}
	ms, err := b.outbox.ClaimOutbox(ctx, b.instance, []string{domain.OutboxCard}, 10, leaseTime)
	if err != nil || len(ms) != 1 {
		t.Fatalf("claim: %+v %v", ms, err)
	}
	posts := len(tb.emu.Calls("chat.postMessage"))
	if _, err := b.deliverCard(ctx, tk.ID, ms[0]); !errors.Is(err, errLeaseLost) {
		t.Errorf("delivering after the lease ran out: %v, want errLeaseLost", err)
	}
	if n := len(tb.emu.Calls("chat.postMessage")); n != posts {
		t.Fatalf("posted after the dispatch lease ran out (%d posts, was %d)", n, posts)
	}

	// Renewed in time, the same delivery posts.
	l.now, l.tried = time.Now, time.Time{}
	if !l.lead(ctx, b.pacer) {
		t.Fatal("the replica did not renew the dispatch lease")
	}
	if _, err := b.deliverCard(ctx, tk.ID, ms[0]); err != nil {
		t.Fatal(err)
	}
	if n := len(tb.emu.Calls("chat.postMessage")); n != posts+1 {
		t.Errorf("%d posts under the lease, want 1", n-posts)
	}
}
