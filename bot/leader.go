package bot

import (
	"context"
	"errors"
	"log/slog"
	"sync/atomic"
	"time"
)

// leaseStore is the database's named leases (storage.DB).
type leaseStore interface {
	TakeLease(ctx context.Context, name, holder string, ttl time.Duration) (held bool, previous string, err error)
	DropLease(ctx context.Context, name, holder string) error
	ReleaseOutboxClaims(ctx context.Context, owner string, kinds []string) error
}

// Dispatch lease timing: the leader renews every leadRenew; it stops
// sending leadMargin before its lease could have run out, and another
// replica, trying every leadRenew, takes it within leadTTL+leadRenew of
// the leader's death.
const (
	dispatchLease = "outbox"
	leadTTL       = 5 * time.Second
	leadRenew     = time.Second
	leadMargin    = time.Second
	// leaderPoll bounds the outbox poll: what another replica queued goes
	// out within it (an idle claim is one indexed query).
	leaderPoll = 100 * time.Millisecond
)

// leader decides whether this replica dispatches the outbox: one replica
// at a time, under a lease in the database. Slack's limits belong to the
// workspace, so one spender keeps every budget whole (a channel's posts,
// the workspace's updates), and a channel's posts have one sender, in
// order. One process keeps up with everything Slack allows, many times
// over. Without a lease store (fakes) the process always leads.
type leader struct {
	store  leaseStore
	holder string
	log    *slog.Logger
	now    func() time.Time

	held    bool
	until   time.Time // lead until, by this process's clock
	tried   time.Time
	onTaken func() // a test's observer
	fence   *leadFence
}

func (b *Bot) leader() *leader {
	ls, _ := b.outbox.(leaseStore)
	return &leader{store: ls, holder: b.instance, log: b.log, now: time.Now, fence: &b.fence}
}

// leadFence stops a post that would start after this process's dispatch
// lease could have run out. The lease is checked between batches only, and
// a delivery started under it may then wait long (for the database, after
// an outage): meanwhile another replica takes the lease, frees this one's
// claims, finds no earlier post and posts; this one's post then came too,
// a second SLA alert or card. Every post is checked against the lease's
// end as it starts, so it cannot outlive the lease by more than its own
// call, and the other replica takes over leadMargin later at the earliest.
type leadFence struct {
	on    atomic.Bool  // a lease store decides who dispatches
	until atomic.Int64 // unix nanoseconds; posting stops then
}

// errLeaseLost refuses a post whose dispatch lease ran out.
var errLeaseLost = errors.New("outbox: this replica no longer holds the dispatch lease; another one delivers this")

// mayPost reports whether a post may start now.
func (f *leadFence) mayPost(now time.Time) bool {
	return !f.on.Load() || now.UnixNano() < f.until.Load()
}

// set moves the end; zero: posting stops now.
func (f *leadFence) set(until time.Time) {
	if f == nil {
		return
	}
	var n int64
	if !until.IsZero() {
		n = until.UnixNano()
	}
	f.until.Store(n)
	f.on.Store(true)
}

// lead renews or takes the lease when due and reports whether to
// dispatch. Losing it gives back what the pacer held.
func (l *leader) lead(ctx context.Context, p *pacer) bool {
	if l.store == nil {
		return true
	}
	now := l.now()
	if now.Sub(l.tried) >= leadRenew {
		l.tried = now
		held, prev, err := l.store.TakeLease(ctx, dispatchLease, l.holder, leadTTL)
		switch {
		case err != nil:
			if ctx.Err() == nil {
				l.log.Error("outbox: unable to renew the dispatch lease", "err", err)
			}
		case held:
			if !l.held {
				l.log.Info("outbox: dispatching (this replica holds the dispatch lease)", "instance", l.holder, "after", prev)
				// prev stopped sending before its lease ran out: what it
				// had claimed goes back in its place, as does what this
				// process claimed before it last lost the lease.
				for _, owner := range []string{prev, l.holder} {
					if owner == "" {
						continue
					}
					if err := l.store.ReleaseOutboxClaims(ctx, owner, outboxKinds); err != nil {
						l.log.Error("outbox: unable to release the claims of an earlier dispatcher", "owner", owner, "err", err)
						return false
					}
				}
				if l.onTaken != nil {
					l.onTaken()
				}
			}
			l.held, l.until = true, now.Add(leadTTL-leadMargin)
			l.fence.set(l.until)
		default:
			if l.held {
				l.log.Warn("outbox: another replica took the dispatch lease", "instance", l.holder)
				l.held = false
			}
		}
	}
	if l.held && now.After(l.until) {
		l.held = false
	}
	if !l.held {
		l.fence.set(time.Time{})
		p.drop(ctx)
	}
	return l.held
}

// resign gives the lease up at shutdown, once no delivery is in flight,
// with what this process claimed: another replica need not wait for them.
func (l *leader) resign(ctx context.Context, p *pacer) {
	p.drop(ctx)
	p.wg.Wait()
	if l.store != nil && l.held {
		if err := l.store.ReleaseOutboxClaims(ctx, l.holder, outboxKinds); err != nil {
			l.log.Warn("outbox: unable to release claims", "err", err)
		}
		if err := l.store.DropLease(ctx, dispatchLease, l.holder); err != nil {
			l.log.Warn("outbox: unable to drop the dispatch lease", "err", err)
		}
	}
}
