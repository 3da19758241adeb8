package storage

import (
	"cmp"
	"context"
	"database/sql"
	"errors"
	"fmt"
	"reflect"
	"strings"
	"time"

	"github.com/jmoiron/sqlx"
	"github.com/lib/pq"
	"modernc.org/sqlite"
	sqlite3 "modernc.org/sqlite/lib"

	"github.com/deskbot/deskbot/domain"
)

var _ domain.Store = (*DB)(nil)
var _ domain.Tx = (*Tx)(nil)

// Tx is one transaction (or, for View on SQLite, one read) with its clock fixed.
type Tx struct {
	q     sqlx.ExtContext
	stx   *sqlx.Tx // nil for a View
	d     *DB
	now   time.Time
	write bool
	// customers are the customers read so far in a write transaction,
	// nil for not found (customers.go).
	customers map[string]*domain.Customer
	// scope limits what a customer's reads return (scope.go).
	scope domain.Scope
	// enqueued are the outbox kinds queued, told after commit (enqueued.go).
	enqueued []string
}

// Now is the time of the transaction, UTC, at the precision both databases keep.
func (tx *Tx) Now() time.Time { return tx.now }

// Update runs fn in a read-write transaction. Serialization failures and
// deadlocks, which PostgreSQL may raise under contention, are retried.
func (d *DB) Update(ctx context.Context, fn func(domain.Tx) error) error {
	var err error
	for attempt := 0; attempt < 5; attempt++ {
		if err = d.update(ctx, fn); !retryable(err) {
			return err
		}
		d.log.Debug("store: retrying transaction", "attempt", attempt+1, "err", err)
	}
	return err
}

func (d *DB) update(ctx context.Context, fn func(domain.Tx) error) error {
	return d.writing(ctx, false, func() error { return d.updateLocked(ctx, fn) })
}

func (d *DB) updateLocked(ctx context.Context, fn func(domain.Tx) error) (err error) {
	stx, err := d.db.BeginTxx(ctx, nil)
	if err != nil {
		return fmt.Errorf("store: unable to begin transaction: %w", err)
	}
	defer func() {
		if p := recover(); p != nil {
			_ = stx.Rollback()
			panic(p)
		}
	}()
	tx := &Tx{q: stx, stx: stx, d: d, now: d.clock(), write: true}
	if err := fn(tx); err != nil {
		_ = stx.Rollback()
		return err
	}
	if err := stx.Commit(); err != nil {
		return fmt.Errorf("store: unable to commit: %w", err)
	}
	d.enqueued(tx.enqueued)
	return nil
}

// readTx runs fn in a read-only transaction on one connection: for a
// View's reads that need one snapshot or settings local to a transaction.
func (tx *Tx) readTx(ctx context.Context, fn func(*Tx) error) error {
	stx, err := tx.d.db.BeginTxx(ctx, &sql.TxOptions{ReadOnly: true})
	if err != nil {
		return fmt.Errorf("store: unable to begin read: %w", err)
	}
	defer stx.Rollback()
	if err := fn(&Tx{q: stx, stx: stx, d: tx.d, now: tx.now, scope: tx.scope}); err != nil {
		return err
	}
	return stx.Commit()
}

// View runs fn with read-only access.
func (d *DB) View(ctx context.Context, fn func(domain.Tx) error) error {
	return fn(&Tx{q: d.db, d: d, now: d.clock()})
}

// ViewAs runs fn with read-only access limited to scope.
func (d *DB) ViewAs(ctx context.Context, scope domain.Scope, fn func(domain.Tx) error) error {
	return fn(&Tx{q: d.db, d: d, now: d.clock(), scope: scope})
}

func (d *DB) clock() time.Time { return ts(d.now()) }

// ts normalises a time for storage: UTC (SQLite compares times as text)
// and microseconds (what PostgreSQL keeps), so values read back equal.
func ts(t time.Time) time.Time { return t.UTC().Truncate(time.Microsecond) }

func tsp(t *time.Time) *time.Time {
	if t == nil {
		return nil
	}
	v := ts(*t)
	return &v
}

func (tx *Tx) rebind(q string) string { return tx.d.db.Rebind(q) }

// stmt is q prepared on this transaction's connection (stmts.go), or nil
// while it is not prepared yet.
func (tx *Tx) stmt(ctx context.Context, q string) *sqlx.Stmt {
	st := tx.d.stmts.get(q)
	if st == nil || tx.stx == nil {
		return st
	}
	return tx.stx.StmtxContext(ctx, st)
}

// exec runs a statement that returns no rows.
func (tx *Tx) exec(ctx context.Context, q string, args ...any) (sql.Result, error) {
	if err := tx.checkArgs(q, args); err != nil {
		return nil, err
	}
	q = tx.rebind(q)
	if st := tx.stmt(ctx, q); st != nil {
		return st.ExecContext(ctx, args...)
	}
	return tx.q.ExecContext(ctx, q, args...)
}

// get reads one row into dest; sql.ErrNoRows when there is none.
func (tx *Tx) get(ctx context.Context, dest any, q string, args ...any) error {
	if err := tx.checkArgs(q, args); err != nil {
		return err
	}
	var err error
	q = tx.rebind(q)
	if st := tx.stmt(ctx, q); st != nil {
		err = st.GetContext(ctx, dest, args...)
	} else {
		err = sqlx.GetContext(ctx, tx.q, dest, q, args...)
	}
	if err == nil && tx.d.dialect == SQLite {
		inUTC(reflect.ValueOf(dest))
	}
	return err
}

// selectAll reads every row into dest, a pointer to a slice.
func (tx *Tx) selectAll(ctx context.Context, dest any, q string, args ...any) error {
	if err := tx.checkArgs(q, args); err != nil {
		return err
	}
	var err error
	q = tx.rebind(q)
	if st := tx.stmt(ctx, q); st != nil {
		err = st.SelectContext(ctx, dest, args...)
	} else {
		err = sqlx.SelectContext(ctx, tx.q, dest, q, args...)
	}
	if err == nil && tx.d.dialect == SQLite {
		inUTC(reflect.ValueOf(dest))
	}
	return err
}

var timeType = reflect.TypeOf(time.Time{})

// inUTC sets every time read from SQLite to the UTC location: the driver
// parses "+00:00" as Local, and a time that reads back in another
// location than it was written in is not the same value to a caller.
func inUTC(v reflect.Value) {
	switch v.Kind() {
	case reflect.Pointer:
		if !v.IsNil() {
			inUTC(v.Elem())
		}
	case reflect.Slice:
		for i := 0; i < v.Len(); i++ {
			inUTC(v.Index(i))
		}
	case reflect.Struct:
		if v.Type() == timeType {
			if v.CanSet() {
				v.Set(reflect.ValueOf(v.Interface().(time.Time).UTC()))
			}
			return
		}
		for i := 0; i < v.NumField(); i++ {
			if f := v.Field(i); f.CanSet() {
				inUTC(f)
			}
		}
	}
}

// checkArgs refuses a value neither database would store (guard.go),
// logging it once, here, where the statement is known.
func (tx *Tx) checkArgs(q string, args []any) error {
	err := checkArgs(q, args)
	if err != nil {
		tx.d.log.Warn("store: refused a value no database should receive", "field", domain.ErrorField(err), "rule", domain.ErrorMessage(err))
	}
	return err
}

// insert runs an INSERT and returns the new row's id, or sql.ErrNoRows
// when it inserted none (INSERT … SELECT): on PostgreSQL with RETURNING
// id (lib/pq has no LastInsertId), on SQLite from the connection, without
// reading a row back.
func (tx *Tx) insert(ctx context.Context, q string, args ...any) (int64, error) {
	if tx.d.dialect == SQLite {
		res, err := tx.exec(ctx, q, args...)
		if err != nil {
			return 0, err
		}
		if n, err := res.RowsAffected(); err != nil || n == 0 {
			return 0, cmp.Or(err, sql.ErrNoRows)
		}
		return res.LastInsertId()
	}
	var id int64
	err := tx.get(ctx, &id, q+" RETURNING id", args...)
	return id, err
}

// forUpdate locks rows read in a write transaction on PostgreSQL; SQLite
// holds the database write lock for the whole transaction anyway.
func (tx *Tx) forUpdate() string {
	if tx.write && tx.d.dialect == Postgres {
		return " FOR UPDATE"
	}
	return ""
}

func isUniqueViolation(err error) bool {
	var pe *pq.Error
	if errors.As(err, &pe) {
		return pe.Code == "23505"
	}
	var se *sqlite.Error
	if errors.As(err, &se) {
		return se.Code() == sqlite3.SQLITE_CONSTRAINT_UNIQUE || se.Code() == sqlite3.SQLITE_CONSTRAINT_PRIMARYKEY
	}
	return false
}

func isForeignKeyViolation(err error) bool {
	var pe *pq.Error
	if errors.As(err, &pe) {
		return pe.Code == "23503"
	}
	var se *sqlite.Error
	if errors.As(err, &se) {
		return se.Code() == sqlite3.SQLITE_CONSTRAINT_FOREIGNKEY
	}
	return false
}

func retryable(err error) bool {
	var pe *pq.Error
	if errors.As(err, &pe) {
		return pe.Code == "40001" || pe.Code == "40P01"
	}
	var se *sqlite.Error
	if errors.As(err, &se) {
		return se.Code()&0xff == sqlite3.SQLITE_BUSY
	}
	return false
}

func notFound(what string, err error) error {
	if errors.Is(err, sql.ErrNoRows) {
		return domain.Errorf(domain.ENOTFOUND, "%s not found.", what)
	}
	return err
}

// inList returns "(?,?,?)" and the args for an IN clause.
func inList[T any](vals []T) (string, []any) {
	args := make([]any, len(vals))
	for i, v := range vals {
		args[i] = v
	}
	return "(" + strings.TrimSuffix(strings.Repeat("?,", len(vals)), ",") + ")", args
}
