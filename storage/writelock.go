package storage

import (
	"context"
	"sync"
)

// writeLock queues this process's SQLite writers in process. SQLite takes
// one writer at a time, and a writer that finds the file locked waits in
// SQLite's busy handler, which sleeps in growing steps (up to 100 ms):
// under a burst the waits were longer than the writes. Here a writer waits
// on a channel and starts the moment the last one finishes, and urgent
// writers (the inbox's: an ack waits for them) go before the others.
// Other processes on the same file still meet in the busy handler.
type writeLock struct {
	mu     sync.Mutex
	held   bool
	urgent []chan struct{}
	normal []chan struct{}
}

// lock waits for the lock; it fails only when ctx ends first.
func (l *writeLock) lock(ctx context.Context, urgent bool) error {
	l.mu.Lock()
	if !l.held {
		l.held = true
		l.mu.Unlock()
		return nil
	}
	ch := make(chan struct{})
	if urgent {
		l.urgent = append(l.urgent, ch)
	} else {
		l.normal = append(l.normal, ch)
	}
	l.mu.Unlock()
	select {
	case <-ch:
		return nil
	case <-ctx.Done():
		l.mu.Lock()
		defer l.mu.Unlock()
		if removed(&l.urgent, ch) || removed(&l.normal, ch) {
			return ctx.Err()
		}
		// Handed over meanwhile: pass it on.
		l.handOverLocked()
		return ctx.Err()
	}
}

func (l *writeLock) unlock() {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.handOverLocked()
}

func (l *writeLock) handOverLocked() {
	for _, q := range []*[]chan struct{}{&l.urgent, &l.normal} {
		if len(*q) > 0 {
			ch := (*q)[0]
			*q = (*q)[1:]
			close(ch)
			return
		}
	}
	l.held = false
}

func removed(q *[]chan struct{}, ch chan struct{}) bool {
	for i, c := range *q {
		if c == ch {
			*q = append((*q)[:i:i], (*q)[i+1:]...)
			return true
		}
	}
	return false
}

// writing runs fn holding the write lock on SQLite; on PostgreSQL, which
// takes many writers, at once.
func (d *DB) writing(ctx context.Context, urgent bool, fn func() error) error {
	if d.dialect != SQLite {
		return fn()
	}
	if err := d.wlock.lock(ctx, urgent); err != nil {
		return err
	}
	defer d.wlock.unlock()
	return fn()
}
