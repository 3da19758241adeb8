package storage

import (
	"context"
	"sync"
	"time"

	"github.com/jmoiron/sqlx"
)

// stmtCache keeps prepared statements for the queries the store runs,
// so a query is parsed and planned once per connection instead of on
// every call: on SQLite, parsing was a fifth of the CPU a new ticket
// costs; on PostgreSQL, lib/pq runs an unprepared query with arguments
// as two round trips (parse, then execute), a prepared one as one.
//
// A miss runs the query unprepared and prepares it in the background:
// preparing takes a connection from the pool, and a transaction that
// waited for one while holding its own could deadlock a small pool.
// The cache is bounded; past the bound, new queries (ad-hoc view
// shapes, say) simply run unprepared. The queries a busy server repeats
// are all seen in its first moments.
type stmtCache struct {
	db  *sqlx.DB
	max int

	mu      sync.Mutex
	stmts   map[string]*sqlx.Stmt
	pending map[string]bool
	gen     int // bumped by reset: older preparations are dropped
	closed  bool
	wg      sync.WaitGroup
}

const stmtCacheMax = 512

func newStmtCache(db *sqlx.DB, max int) *stmtCache {
	return &stmtCache{db: db, max: max, stmts: map[string]*sqlx.Stmt{}, pending: map[string]bool{}}
}

// get returns the prepared statement for q (already rebound), or nil for
// now, starting its preparation.
func (c *stmtCache) get(q string) *sqlx.Stmt {
	c.mu.Lock()
	defer c.mu.Unlock()
	if st := c.stmts[q]; st != nil || c.closed {
		return st
	}
	if c.pending[q] || len(c.stmts)+len(c.pending) >= c.max {
		return nil
	}
	c.pending[q] = true
	c.wg.Add(1)
	go c.prepare(q, c.gen)
	return nil
}

func (c *stmtCache) prepare(q string, gen int) {
	defer c.wg.Done()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	st, err := c.db.PreparexContext(ctx, q)
	c.mu.Lock()
	defer c.mu.Unlock()
	if gen != c.gen {
		if err == nil {
			_ = st.Close()
		}
		return
	}
	if err != nil {
		// Not fatal: the query runs unprepared from now on (it stays
		// pending, so it is not tried again).
		return
	}
	delete(c.pending, q)
	if c.closed {
		_ = st.Close()
		return
	}
	c.stmts[q] = st
}

// close closes every statement; preparations in flight close theirs
// when they end (wait for them).
func (c *stmtCache) close() {
	c.mu.Lock()
	c.closed = true
	c.mu.Unlock()
	c.reset()
}

func (c *stmtCache) wait() { c.wg.Wait() }

// reset forgets every statement: after a migration, PostgreSQL refuses
// a statement prepared before a table it reads changed shape.
func (c *stmtCache) reset() {
	c.mu.Lock()
	defer c.mu.Unlock()
	for q, st := range c.stmts {
		_ = st.Close()
		delete(c.stmts, q)
	}
	clear(c.pending)
	c.gen++
}
