package db

import (
	"context"
	"sync"
	"sync/atomic"
	"time"
)

// Changes keeps in-memory caches of rarely written rows (who a token
// belongs to, a module's settings, the message templates) true across
// transactions, instances and processes (issue 17: an appeal intake read
// eight such rows before its write transaction).
//
// A module that writes rows some cache holds calls Changed(ctx, topic) in
// the writing transaction. That does two things:
//   - it bumps the topic's generation in the change_gens table, in the same
//     transaction, so that every other instance on the database (and a CLI
//     process on the same SQLite file) sees the change at its next poll
//     (pollInterval, 200 ms);
//   - once the transaction commits, this instance forgets the topic's
//     cached values at once, so that the next read on this instance
//     already sees the change (a revoked token fails on the next request).
//
// A cache is used only while the poller is live (its last poll of
// change_gens succeeded): before the first poll, while the database is
// unreachable and after Close every read goes to the database. Inside a
// transaction that has changed one of a cache's topics the cache is not
// used either: the transaction reads its own uncommitted writes.
type Changes struct {
	d *DB

	// pollMu makes polls one at a time, so that an older read of
	// change_gens is never applied after a newer one.
	pollMu sync.Mutex
	mu     sync.Mutex
	gens   map[string]uint64 // local generation per topic
	seen   map[string]int64  // change_gens as last read
	// all is bumped when every topic is to be forgotten (poller lost the
	// database, or started).
	all  uint64
	live atomic.Bool

	start   sync.Once
	started atomic.Bool
	stop    chan struct{}
	done    chan struct{}
}

// pollInterval is how often every instance reads change_gens: how long
// another instance's change may take to reach this one's caches.
const pollInterval = 200 * time.Millisecond

func newChanges(d *DB) *Changes {
	return &Changes{d: d, gens: map[string]uint64{}, seen: map[string]int64{},
		stop: make(chan struct{}), done: make(chan struct{})}
}

// Changes returns the database's change hub.
func (d *DB) Changes() *Changes { return d.changes }

// changeGensDDL creates change_gens: one row per topic with the number of
// committed changes. It is the database layer's own table, made with the
// migration bookkeeping (it holds no data of any module).
const changeGensDDL = `CREATE TABLE IF NOT EXISTS change_gens (topic TEXT PRIMARY KEY, gen BIGINT NOT NULL)`

// Changed records that rows cached under topic change in the transaction
// in ctx (or now, without one). See Changes.
func (d *DB) Changed(ctx context.Context, topic string) error {
	const bump = `INSERT INTO change_gens (topic, gen) VALUES ($1, 1) ON CONFLICT (topic) DO UPDATE SET gen = change_gens.gen + 1`
	// A cancelled context fails here as itself (database/sql may report
	// a statement of the transaction it is rolling back as closed).
	if err := ctx.Err(); err != nil {
		return err
	}
	if err := d.Defer(ctx, bump, topic); err != nil {
		return err
	}
	if tx, ok := TxFrom(ctx); ok {
		if tx.changed == nil {
			tx.changed = map[string]bool{}
		}
		tx.changed[topic] = true
	}
	if c := d.changes; c != nil {
		AfterCommit(ctx, func() { c.forget(topic) })
	}
	return nil
}

// forget drops topic's cached values on this instance.
func (c *Changes) forget(topic string) {
	c.mu.Lock()
	c.gens[topic]++
	c.mu.Unlock()
}

// gen is the generation of topics together: it changes whenever one of
// them changes (or everything is forgotten).
func (c *Changes) gen(topics []string) uint64 {
	c.mu.Lock()
	defer c.mu.Unlock()
	g := c.all
	for _, t := range topics {
		// Every count only grows, so the sum changes whenever one does.
		g += c.gens[t]
	}
	return g
}

// ensure starts the poller the first time a cache needs it.
func (c *Changes) ensure() {
	c.start.Do(func() {
		select {
		case <-c.stop:
			return // closed
		default:
		}
		c.started.Store(true)
		go c.run()
	})
}

func (c *Changes) run() {
	defer close(c.done)
	t := time.NewTicker(pollInterval)
	defer t.Stop()
	for {
		select {
		case <-c.stop:
			c.live.Store(false)
			return
		default:
		}
		c.poll()
		select {
		case <-c.stop:
			c.live.Store(false)
			return
		case <-t.C:
		}
	}
}

// poll reads change_gens and forgets the topics that moved since the last
// poll. A failed poll makes the caches unused until one succeeds again,
// which forgets everything (changes in between were not seen).
func (c *Changes) poll() {
	c.pollMu.Lock()
	defer c.pollMu.Unlock()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	q := c.d.Q(ctx)
	if c.d.poller != nil {
		q = sqlQ{r: c.d.poller, c: c.d.pollerStmts}
	}
	rows, err := q.Query(ctx, `SELECT topic, gen FROM change_gens`)
	now := map[string]int64{}
	if err == nil {
		for rows.Next() {
			var topic string
			var gen int64
			if err = rows.Scan(&topic, &gen); err != nil {
				break
			}
			now[topic] = gen
		}
		if err == nil {
			err = rows.Err()
		}
		rows.Close()
	}
	if err != nil {
		if c.live.Swap(false) {
			c.mu.Lock()
			c.all++
			c.mu.Unlock()
		}
		return
	}
	c.mu.Lock()
	if !c.live.Load() {
		c.all++
	} else {
		for topic, gen := range now {
			if c.seen[topic] != gen {
				c.gens[topic]++
			}
		}
	}
	c.seen = now
	c.mu.Unlock()
	c.live.Store(true)
}

// close stops the poller; the caches are unused from then on.
func (c *Changes) close() {
	select {
	case <-c.stop:
		return
	default:
	}
	close(c.stop)
	c.start.Do(func() {}) // a poller not started by now never will be
	if c.started.Load() {
		<-c.done
	}
	c.live.Store(false)
}

// Sync reads change_gens now, after any poll in flight (tests use it to
// see another instance's change, or to let the poller catch up with this
// instance's, without waiting for the next tick).
func (c *Changes) Sync() { c.poll() }

// Hold keeps the poller from reading change_gens until the returned
// function is called (a poll due meanwhile waits for it): a test that
// counts the statements of one request leaves the poller's read, which
// runs on its own goroutine every pollInterval, out of them.
func (c *Changes) Hold() (release func()) {
	c.pollMu.Lock()
	return c.pollMu.Unlock
}

// Cache holds values of type V by key K, read through fill and forgotten
// whenever one of its topics changes (Changes). It keeps at most Max
// values (forgetting them all when full: the caches hold small sets such
// as the active tokens of a city's users).
type Cache[K comparable, V any] struct {
	d      *DB
	topics []string
	max    int

	mu  sync.Mutex
	gen uint64
	m   map[K]V
}

// NewCache returns a cache of at most max values forgotten on any of
// topics.
func NewCache[K comparable, V any](d *DB, max int, topics ...string) *Cache[K, V] {
	return &Cache[K, V]{d: d, topics: topics, max: max, m: map[K]V{}}
}

// Get returns the value for k: the cached one, or fill's (cached when no
// topic changed while fill ran). Inside a transaction that changed one of
// the topics, while the change poller is not live, or on a database
// without a change hub, it is always fill's.
func (c *Cache[K, V]) Get(ctx context.Context, k K, fill func() (V, error)) (V, error) {
	ch := c.d.changes
	if ch == nil {
		return fill()
	}
	ch.ensure()
	if !ch.live.Load() {
		return fill()
	}
	if tx, ok := TxFrom(ctx); ok {
		for _, t := range c.topics {
			if tx.changed[t] {
				return fill()
			}
		}
	}
	g := ch.gen(c.topics)
	c.mu.Lock()
	if c.gen != g {
		clear(c.m)
		c.gen = g
	}
	v, ok := c.m[k]
	c.mu.Unlock()
	if ok {
		return v, nil
	}
	v, err := fill()
	if err != nil {
		return v, err
	}
	// Stored only if nothing changed since g was read (before fill's
	// read): a change committed meanwhile may not be in v.
	if ch.live.Load() && ch.gen(c.topics) == g {
		c.mu.Lock()
		if c.gen == g {
			if len(c.m) >= c.max {
				clear(c.m)
			}
			c.m[k] = v
		}
		c.mu.Unlock()
	}
	return v, nil
}

// Update replaces k's cached value, if any, with v (for a write that
// keeps a cached value true, such as a token's last use).
func (c *Cache[K, V]) Update(k K, fn func(v V) V) {
	c.mu.Lock()
	if v, ok := c.m[k]; ok {
		c.m[k] = fn(v)
	}
	c.mu.Unlock()
}

// Lazy holds a value made on first use (a service's caches, which need the
// service's DB set first).
type Lazy[T any] struct {
	once sync.Once
	v    T
}

// Get returns the value, making it with mk the first time.
func (l *Lazy[T]) Get(mk func() T) T {
	l.once.Do(func() { l.v = mk() })
	return l.v
}
