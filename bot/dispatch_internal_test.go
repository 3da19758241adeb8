package bot

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"sync"
	"testing"
	"time"

	"github.com/deskbot/deskbot/domain"
)

// claims is a fake outbox handing out prepared batches, one per claim.
type claims struct {
	mu      sync.Mutex
	batches [][]*domain.OutboxMessage
}

var _ domain.Outbox = (*claims)(nil)

func (c *claims) ClaimOutbox(context.Context, string, []string, int, time.Duration) ([]*domain.OutboxMessage, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if len(c.batches) == 0 {
		return nil, nil
	}
	b := c.batches[0]
	c.batches = c.batches[1:]
	return b, nil
}
func (c *claims) OutboxDelivered(context.Context, int64) error                 { return nil }
func (c *claims) OutboxFailed(context.Context, int64, string, time.Time) error { return nil }

func msg(id, ticket int64) *domain.OutboxMessage {
	return &domain.OutboxMessage{ID: id, Kind: domain.OutboxSlackPost, Payload: fmt.Sprintf(`{"ticket_id":%d}`, ticket)}
}

// A slow delivery holds back only its own ticket: a later claim's message
// for it waits behind it, other tickets go out meanwhile.
func TestDispatcherKeepsEachTicketInOrderAcrossClaims(t *testing.T) {
	out := &claims{batches: [][]*domain.OutboxMessage{
		{msg(1, 7), msg(2, 8)},
		// Claimed while message 1 is still being delivered.
		{msg(3, 7), msg(4, 9)},
	}}
	release := make(chan struct{})
	var mu sync.Mutex
	var order []int64
	sent := make(chan int64, 4)
	send := func(_ context.Context, m *domain.OutboxMessage) {
		if m.ID == 1 {
			<-release
		}
		mu.Lock()
		order = append(order, m.ID)
		mu.Unlock()
		sent <- m.ID
	}
	d := newDispatcher(out, send, slog.New(slog.NewTextHandler(io.Discard, nil)))
	ctx := context.Background()
	d.claim(ctx)
	d.claim(ctx)

	got := map[int64]bool{}
	for range 2 {
		select {
		case id := <-sent:
			got[id] = true
		case <-time.After(5 * time.Second):
			t.Fatalf("other tickets wait for ticket 7's slow delivery; sent %v", got)
		}
	}
	if !got[2] || !got[4] {
		t.Fatalf("sent %v while ticket 7 was busy, want messages 2 and 4", got)
	}
	close(release)
	d.wg.Wait()
	mu.Lock()
	defer mu.Unlock()
	pos := map[int64]int{}
	for i, id := range order {
		pos[id] = i
	}
	if len(order) != 4 || pos[1] > pos[3] {
		t.Errorf("delivered %v: ticket 7's messages out of order", order)
	}
	if len(d.busy) != 0 {
		t.Errorf("tickets left in flight: %v", d.busy)
	}
}

// The read-ahead sees, before any starts, the first message of each ticket
// whose delivery starts now, never one that waits behind a delivery in
// flight: what it read for that one could be older than what the
// delivery ahead of it writes.
func TestDispatcherReadsAheadOnlyForDeliveriesStartingNow(t *testing.T) {
	out := &claims{batches: [][]*domain.OutboxMessage{
		{msg(1, 7)},
		{msg(2, 7), msg(3, 8), msg(4, 8), msg(5, 9)},
	}}
	release := make(chan struct{})
	var mu sync.Mutex
	var started []int64
	send := func(_ context.Context, m *domain.OutboxMessage) {
		if m.ID == 1 {
			<-release
		}
		mu.Lock()
		started = append(started, m.ID)
		mu.Unlock()
	}
	var ahead [][]int64
	d := newDispatcher(out, send, slog.New(slog.NewTextHandler(io.Discard, nil)))
	d.readAhead = func(_ context.Context, ms []*domain.OutboxMessage) {
		mu.Lock()
		defer mu.Unlock()
		if len(started) > 0 {
			t.Errorf("read ahead after %v started", started)
		}
		var ids []int64
		for _, m := range ms {
			ids = append(ids, m.ID)
		}
		ahead = append(ahead, ids)
	}
	ctx := context.Background()
	d.claim(ctx)
	d.claim(ctx)
	close(release)
	d.wg.Wait()
	want := fmt.Sprint([][]int64{{1}, {3, 5}})
	if got := fmt.Sprint(ahead); got != want {
		t.Errorf("read ahead for %s, want %s", got, want)
	}
}
