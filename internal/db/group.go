package db

import (
	"context"
	"fmt"
	"log/slog"
	"runtime/debug"
	"slices"
	"sync"
	"sync/atomic"
)

// Group commit (issue 17). A request's write transaction costs the
// database a commit: on SQLite the WAL frames of every page it dirtied,
// written one pwrite each, under the only writer; on PostgreSQL BEGIN,
// COMMIT, a WAL flush and a round trip. When many requests of the same
// kind arrive at once (appeal intake at a busy 12345 centre) a Group runs
// the write functions of the callers waiting at that moment one after the
// other in one transaction and commits them together, as a database's own
// group commit does for WAL flushes.
//
// Nothing waits for company: a caller that finds a free slot starts a
// transaction at once with whoever is already queued; callers arriving
// while every slot is busy queue, and the next transaction takes them all
// (up to Max). Under light load every transaction holds one call.
//
// Each call sees the shared transaction in its context (TxFrom, Q, W,
// Defer, AfterCommit) and everything else from its own context (the actor,
// the request's values); its statements run as they would in a
// transaction of its own. When the shared transaction fails (one call's
// error, a commit that fails, a deadlock), nothing of it is kept and
// every call of it runs again alone, in a transaction of its own, and gets
// its own result: a call's error never fails another call. A function
// may therefore run twice and must keep no effect of a failed run outside
// the transaction (as any function given to WithTx).
type Group struct {
	d *DB
	// Max is the most calls one transaction holds; Slots how many
	// transactions run at once (SQLite: 1, its single writer).
	Max, Slots int

	mu      sync.Mutex
	running int
	queue   []*groupCall

	// txs and calls count the transactions that decided their calls'
	// outcomes and the calls they held (a shared transaction that failed
	// is not counted, its calls' own transactions are).
	txs, calls atomic.Int64
}

// Waiting is how many calls wait for a transaction now.
func (g *Group) Waiting() int {
	g.mu.Lock()
	defer g.mu.Unlock()
	return len(g.queue)
}

// Stats returns how many transactions the group has run and how many
// calls they held: calls ÷ txs is the mean calls per commit.
func (g *Group) Stats() (txs, calls int64) { return g.txs.Load(), g.calls.Load() }

type groupCall struct {
	ctx context.Context
	fn  func(ctx context.Context) error
	// wake receives true when the call is to lead the next transaction,
	// false when its result (err) is ready.
	wake chan bool
	err  error
}

// NewGroup returns a group of write transactions on d: at most max calls
// in one transaction; on PostgreSQL slots transactions at once (SQLite
// has one writer: always 1).
func (d *DB) NewGroup(max, slots int) *Group {
	if d.Dialect != Postgres || slots < 1 {
		slots = 1
	}
	return &Group{d: d, Max: max, Slots: slots}
}

// Do runs fn in a write transaction, which it may share with the
// functions of other concurrent callers, and returns once that
// transaction (or, after a failure, fn's own) has committed or failed.
// Inside a transaction already (ctx), fn joins it, as with WithTx.
func (g *Group) Do(ctx context.Context, fn func(ctx context.Context) error) error {
	if _, ok := TxFrom(ctx); ok || g.Max <= 1 {
		return g.d.WithTx(ctx, fn)
	}
	if err := ctx.Err(); err != nil {
		return err
	}
	c := &groupCall{ctx: ctx, fn: fn, wake: make(chan bool, 1)}
	g.mu.Lock()
	if g.running < g.Slots {
		g.running++
		g.mu.Unlock()
		g.lead(c)
		return c.err
	}
	g.queue = append(g.queue, c)
	g.mu.Unlock()
	var lead bool
	select {
	case lead = <-c.wake:
	case <-ctx.Done():
		g.mu.Lock()
		if i := slices.Index(g.queue, c); i >= 0 {
			// Not taken yet: leave without a trace.
			g.queue = slices.Delete(g.queue, i, i+1)
			g.mu.Unlock()
			return ctx.Err()
		}
		g.mu.Unlock()
		// Already in a transaction (or chosen to lead one): its
		// outcome decides whether fn's writes are kept.
		lead = <-c.wake
	}
	if lead {
		g.lead(c)
	}
	return c.err
}

// lead runs a transaction of first and the calls queued behind it, hands
// the results out, then hands the slot to the next queued call (or frees
// it).
func (g *Group) lead(first *groupCall) {
	g.mu.Lock()
	n := min(len(g.queue), g.Max-1)
	batch := make([]*groupCall, 0, n+1)
	batch = append(batch, first)
	batch = append(batch, g.queue[:n]...)
	g.queue = slices.Delete(g.queue, 0, n)
	g.mu.Unlock()

	g.run(batch)
	for _, c := range batch[1:] {
		c.wake <- false
	}

	g.mu.Lock()
	if len(g.queue) > 0 {
		next := g.queue[0]
		g.queue = slices.Delete(g.queue, 0, 1)
		g.mu.Unlock()
		next.wake <- true
		return
	}
	g.running--
	g.mu.Unlock()
}

// run runs the calls of batch in one transaction or, when that fails,
// each in its own.
func (g *Group) run(batch []*groupCall) {
	if len(batch) == 1 {
		batch[0].err = g.safe(batch[0].ctx, batch[0].fn)
		g.txs.Add(1)
		g.calls.Add(1)
		return
	}
	err := g.safe(batch[0].ctx, func(ctx context.Context) error {
		tx, _ := TxFrom(ctx)
		tx.calls = len(batch)
		for _, c := range batch {
			if err := c.fn(callCtx{Context: ctx, vals: c.ctx, tx: tx}); err != nil {
				return err
			}
		}
		return nil
	})
	if err == nil {
		g.txs.Add(1)
		g.calls.Add(int64(len(batch)))
		return
	}
	for _, c := range batch {
		c.err = g.safe(c.ctx, c.fn)
		g.txs.Add(1)
		g.calls.Add(1)
	}
}

// safe is WithTx that turns a panic of fn into an error: the leader runs
// other callers' functions, which must not be left waiting.
func (g *Group) safe(ctx context.Context, fn func(ctx context.Context) error) (err error) {
	defer func() {
		if p := recover(); p != nil {
			slog.Error("db: panic in a group transaction", "panic", p, "stack", string(debug.Stack()))
			err = fmt.Errorf("db: panic in a group transaction: %v", p)
		}
	}()
	return g.d.WithTx(ctx, fn)
}

// GroupSize is how many Group calls share the transaction in ctx (1 for
// any other transaction, or none): a call that draws numbers for all of
// them at once (one statement instead of one each) asks it.
func GroupSize(ctx context.Context) int {
	if tx, ok := TxFrom(ctx); ok && tx.calls > 1 {
		return tx.calls
	}
	return 1
}

// callCtx is a call's context inside a shared transaction: the shared
// transaction and its cancellation, the call's own values.
type callCtx struct {
	context.Context // the transaction's
	vals            context.Context
	tx              *Tx
}

func (c callCtx) Value(k any) any {
	if _, ok := k.(txKey); ok {
		return c.tx
	}
	return c.vals.Value(k)
}
