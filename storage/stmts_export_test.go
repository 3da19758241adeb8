package storage

// PreparedStatements counts the statements the store keeps prepared.
func PreparedStatements(d *DB) int {
	d.stmts.mu.Lock()
	defer d.stmts.mu.Unlock()
	return len(d.stmts.stmts)
}

// LimitPreparedStatements bounds the cache, to test what happens past it.
func LimitPreparedStatements(d *DB, max int) { d.stmts.max = max }

// WaitPreparations waits for the preparations started so far to end.
func WaitPreparations(d *DB) { d.stmts.wait() }
