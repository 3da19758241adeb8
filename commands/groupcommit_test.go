package commands

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/deskbot/deskbot/domain"
)

// txLog is a fake store that keeps what committed: each write appends its
// name to the transaction's list, which joins the log only if the
// transaction's function succeeds, as a rollback would have it.
type txLog struct {
	// UpdateFn, when set, runs before each transaction (to hold one open).
	UpdateFn func()

	mu        sync.Mutex
	txs       int
	committed []string
}

var _ domain.Store = (*txLog)(nil)

type logTx struct {
	domain.Tx // nil: the writes under test touch only writes
	writes    *[]string
}

func (s *txLog) Update(ctx context.Context, fn func(domain.Tx) error) error {
	if s.UpdateFn != nil {
		s.UpdateFn()
	}
	var writes []string
	if err := fn(logTx{writes: &writes}); err != nil {
		return err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.txs++
	s.committed = append(s.committed, writes...)
	return nil
}

func (s *txLog) View(ctx context.Context, fn func(domain.Tx) error) error { return fn(nil) }

func (s *txLog) ViewAs(ctx context.Context, _ domain.Scope, fn func(domain.Tx) error) error {
	return fn(nil)
}

func (s *txLog) counts() (int, map[string]int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	n := map[string]int{}
	for _, w := range s.committed {
		n[w]++
	}
	return s.txs, n
}

func write(name string, err error) func(domain.Tx) error {
	return func(tx domain.Tx) error {
		if err != nil {
			return err
		}
		w := tx.(logTx).writes
		*w = append(*w, name)
		return nil
	}
}

// holdFirst makes the store's first transaction wait until release is
// closed, and reports on started when it began.
func holdFirst(s *txLog) (started, release chan struct{}) {
	started, release = make(chan struct{}), make(chan struct{})
	var once sync.Once
	s.UpdateFn = func() {
		first := false
		once.Do(func() { first = true })
		if first {
			close(started)
			<-release
		}
	}
	return started, release
}

// queued waits until n writes wait in lane.
func queued(t *testing.T, g *groupCommit, lane string, n int) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for time.Now().Before(deadline) {
		g.mu.Lock()
		l := g.lanes[lane]
		got := 0
		if l != nil {
			got = len(l.waiting)
		}
		g.mu.Unlock()
		if got == n {
			return
		}
		time.Sleep(time.Millisecond)
	}
	t.Fatalf("%d writes never queued in lane %q", n, lane)
}

func TestGroupCommitSharesTransactions(t *testing.T) {
	store := &txLog{}
	started, release := holdFirst(store)
	g := newGroupCommit(64, false)
	ctx := context.Background()

	errs := make(chan error, 11)
	go func() { errs <- g.do(ctx, store, "acme", write("first", nil)) }()
	<-started
	for i := range 10 {
		go func() { errs <- g.do(ctx, store, "acme", write(fmt.Sprint("w", i), nil)) }()
	}
	queued(t, g, "acme", 10)
	close(release)
	for range 11 {
		if err := <-errs; err != nil {
			t.Fatal(err)
		}
	}
	txs, n := store.counts()
	if txs != 2 {
		t.Errorf("11 writes, 10 of them queued behind the first: %d transactions, want 2", txs)
	}
	if len(n) != 11 {
		t.Errorf("committed %v, want 11 distinct writes once each", n)
	}
	for w, c := range n {
		if c != 1 {
			t.Errorf("%s committed %d times", w, c)
		}
	}
	if len(g.lanes) != 0 {
		t.Errorf("idle lanes kept: %v", g.lanes)
	}
}

func TestGroupCommitOneFailureFailsOnlyItsWrite(t *testing.T) {
	store := &txLog{}
	started, release := holdFirst(store)
	g := newGroupCommit(64, false)
	ctx := context.Background()
	bad := domain.Errorf(domain.EINVALID, "bad input")

	go func() { _ = g.do(ctx, store, "acme", write("first", nil)) }()
	<-started
	type result struct {
		name string
		err  error
	}
	results := make(chan result, 5)
	names := []string{"a", "b", "bad", "c", "d"}
	for i, name := range names {
		var err error
		if name == "bad" {
			err = bad
		}
		go func() { results <- result{name, g.do(ctx, store, "acme", write(name, err))} }()
		queued(t, g, "acme", i+1) // keep the queue in this order
	}
	close(release)
	for range names {
		r := <-results
		switch {
		case r.name == "bad" && !errors.Is(r.err, bad):
			t.Errorf("the bad write got %v, want its own error", r.err)
		case r.name != "bad" && r.err != nil:
			t.Errorf("%s failed with %v because another write in its transaction failed", r.name, r.err)
		}
	}
	_, n := store.counts()
	for _, name := range []string{"first", "a", "b", "c", "d"} {
		if n[name] != 1 {
			t.Errorf("%s committed %d times, want once", name, n[name])
		}
	}
	if n["bad"] != 0 {
		t.Error("the failed write committed")
	}
}

func TestGroupCommitLanesRunSideBySide(t *testing.T) {
	store := &txLog{}
	started, release := holdFirst(store)
	defer close(release)
	g := newGroupCommit(64, false)
	ctx := context.Background()

	go func() { _ = g.do(ctx, store, "acme", write("held", nil)) }()
	<-started
	done := make(chan error)
	go func() { done <- g.do(ctx, store, "globex", write("other", nil)) }()
	select {
	case err := <-done:
		if err != nil {
			t.Fatal(err)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("a write for another customer waited for acme's open transaction")
	}
}

func TestGroupCommitOneLaneForASingleWriter(t *testing.T) {
	store := &txLog{}
	started, release := holdFirst(store)
	g := newGroupCommit(64, true)
	ctx := context.Background()

	go func() { _ = g.do(ctx, store, "acme", write("held", nil)) }()
	<-started
	done := make(chan error, 1)
	go func() { done <- g.do(ctx, store, "globex", write("other", nil)) }()
	queued(t, g, "", 1)
	close(release)
	if err := <-done; err != nil {
		t.Fatal(err)
	}
}

func TestGroupCommitPanicReleasesWaiters(t *testing.T) {
	store := &txLog{}
	started, release := holdFirst(store)
	g := newGroupCommit(64, false)
	ctx := context.Background()

	go func() { _ = g.do(ctx, store, "acme", write("first", nil)) }()
	<-started
	panicked := make(chan any, 1)
	go func() {
		defer func() { panicked <- recover() }()
		_ = g.do(ctx, store, "acme", func(domain.Tx) error { panic("boom") })
	}()
	queued(t, g, "acme", 1)
	waiter := make(chan error, 1)
	go func() { waiter <- g.do(ctx, store, "acme", write("after", nil)) }()
	queued(t, g, "acme", 2)
	close(release)
	if p := <-panicked; p != "boom" {
		t.Errorf("the panic reached its caller as %v", p)
	}
	select {
	case err := <-waiter:
		if domain.ErrorCode(err) != domain.EINTERNAL {
			t.Errorf("a write sharing the panicking transaction got %v, want an internal error", err)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("a write sharing the panicking transaction waits forever")
	}
	// The lane works afterwards.
	if err := g.do(ctx, store, "acme", write("later", nil)); err != nil {
		t.Fatal(err)
	}
}
