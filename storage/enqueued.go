package storage

import (
	"slices"
	"sync/atomic"
)

// OnEnqueue sets fn to hear, after each commit that queued outbox
// messages, the kinds it queued (each once): a transport wakes on it
// rather than at its next poll. fn must not block. nil turns it off.
func (d *DB) OnEnqueue(fn func(kinds []string)) {
	if fn == nil {
		d.enqueueHook.Store(nil)
		return
	}
	d.enqueueHook.Store(&fn)
}

// enqueued tells the hook what a committed transaction queued.
func (d *DB) enqueued(kinds []string) {
	if len(kinds) == 0 {
		return
	}
	if fn := d.enqueueHook.Load(); fn != nil {
		(*fn)(kinds)
	}
}

// noteEnqueued remembers a kind the transaction queued.
func (tx *Tx) noteEnqueued(kind string) {
	if !slices.Contains(tx.enqueued, kind) {
		tx.enqueued = append(tx.enqueued, kind)
	}
}

type enqueueHook = atomic.Pointer[func([]string)]
