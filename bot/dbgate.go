package bot

import (
	"context"
	"sync"
	"time"
)

// While the database cannot store envelopes, a replica acks nothing; but
// Slack keeps handing it a share of them, and a slash command nobody acks
// is an error for the person who ran it. So the replica closes its Socket
// Mode connection when a store fails, and Slack gives the envelopes to the
// replicas that can store them; it connects again once the database
// answers (readiness, which /readyz also reports).

// readier is what the inbox offers when it can tell the database answers
// (storage.DB.Ready).
type readier interface {
	Ready(ctx context.Context) error
}

type socketGate struct {
	mu     sync.Mutex
	cancel context.CancelFunc // ends the current connection
	down   bool
}

// storeFailed closes the connection until the database answers again.
func (b *Bot) storeFailed() {
	if _, ok := b.inbox.(readier); !ok {
		return
	}
	b.gate.mu.Lock()
	defer b.gate.mu.Unlock()
	if b.gate.down {
		return
	}
	b.gate.down = true
	if b.gate.cancel != nil {
		b.log.Warn("bot: the database cannot store envelopes; closing the Socket Mode connection until it answers")
		b.gate.cancel()
	}
}

// runSocket runs Socket Mode until ctx ends or it fails for good, closing
// and reopening the connection around database outages.
func (b *Bot) runSocket(ctx context.Context) error {
	for {
		sctx, cancel := context.WithCancel(ctx)
		b.gate.mu.Lock()
		b.gate.cancel = cancel
		b.gate.mu.Unlock()
		err := b.socket.RunContext(sctx)
		cancel()
		if ctx.Err() != nil {
			return err
		}
		b.gate.mu.Lock()
		down := b.gate.down
		b.gate.mu.Unlock()
		if !down {
			return err
		}
		b.waitDatabase(ctx)
	}
}

func (b *Bot) waitDatabase(ctx context.Context) {
	r := b.inbox.(readier)
	for ctx.Err() == nil {
		rctx, cancel := context.WithTimeout(ctx, 2*time.Second)
		err := r.Ready(rctx)
		cancel()
		if err == nil {
			b.gate.mu.Lock()
			b.gate.down = false
			b.gate.mu.Unlock()
			b.log.Info("bot: the database answers again; reconnecting to Slack")
			return
		}
		t := time.NewTimer(500 * time.Millisecond)
		select {
		case <-ctx.Done():
		case <-t.C:
		}
		t.Stop()
	}
}
