package db

import (
	"context"
	"database/sql"
	"strings"
	"sync"
)

// stmtCache keeps prepared statements of one SQLite handle (the writer or
// the readers) by SQL text. The modernc driver parses a statement on every
// call otherwise: on the single writer connection that parsing happens
// while the write lock is held (a quarter of the CPU of an appeal intake,
// issue 17). database/sql prepares a cached *sql.Stmt once per connection
// and re-prepares it on a new connection; inside a transaction the
// statement is bound to the transaction's connection with Tx.StmtContext,
// which reuses the connection's prepared statement.
//
// Only single statements are cached (no ';' inside), and at most
// stmtCacheSize of them per handle: SQL built with a variable number of
// parameters (IN lists, multi-row inserts) would otherwise fill it, so
// once full, further statements run unprepared as before.
type stmtCache struct {
	db    *sql.DB
	mu    sync.RWMutex
	stmts map[string]*sql.Stmt
}

const stmtCacheSize = 1024

func newStmtCache(d *sql.DB) *stmtCache {
	return &stmtCache{db: d, stmts: map[string]*sql.Stmt{}}
}

// cacheable reports whether query is one statement.
func cacheable(query string) bool {
	q := strings.TrimRight(strings.TrimSpace(query), ";")
	return q != "" && !strings.Contains(q, ";")
}

// lookup returns the prepared statement for query, or nil.
func (c *stmtCache) lookup(query string) *sql.Stmt {
	if c == nil {
		return nil
	}
	c.mu.RLock()
	defer c.mu.RUnlock()
	return c.stmts[query]
}

// prepare prepares query on the handle and caches it, when it is
// cacheable and there is room; errors are dropped (the statement then
// runs unprepared and the driver reports them). It needs a connection of
// the handle: never call it while holding the writer's only connection
// (inside a transaction: see Tx.unprepared).
func (c *stmtCache) prepare(ctx context.Context, query string) *sql.Stmt {
	if c == nil || !cacheable(query) {
		return nil
	}
	c.mu.RLock()
	st, ok := c.stmts[query]
	n := len(c.stmts)
	c.mu.RUnlock()
	if ok {
		return st
	}
	if n >= stmtCacheSize {
		return nil
	}
	st, err := c.db.PrepareContext(context.WithoutCancel(ctx), query)
	if err != nil {
		return nil
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if old, ok := c.stmts[query]; ok {
		st.Close()
		return old
	}
	c.stmts[query] = st
	return st
}

func (c *stmtCache) close() {
	if c == nil {
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	for q, st := range c.stmts {
		st.Close()
		delete(c.stmts, q)
	}
}

// stmtRunner runs a prepared statement through the sqlRunner interface
// (the query text is already in the statement).
type stmtRunner struct{ st *sql.Stmt }

func (s stmtRunner) ExecContext(ctx context.Context, _ string, args ...any) (sql.Result, error) {
	return s.st.ExecContext(ctx, args...)
}

func (s stmtRunner) QueryContext(ctx context.Context, _ string, args ...any) (*sql.Rows, error) {
	return s.st.QueryContext(ctx, args...)
}

func (s stmtRunner) QueryRowContext(ctx context.Context, _ string, args ...any) *sql.Row {
	return s.st.QueryRowContext(ctx, args...)
}
