// Package jobs runs durable background work (notification delivery,
// scheduled scans, reminders) on River, which has drivers for both
// PostgreSQL and SQLite.
//
// Jobs are inserted in the caller's transaction when there is one in the
// context, so a state change and the work it causes commit together: a
// crash after "reply saved" still delivers the notification.
package jobs

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/riverqueue/river"
	"github.com/riverqueue/river/riverdriver/riverpgxv5"
	"github.com/riverqueue/river/riverdriver/riversqlite"
	"github.com/riverqueue/river/rivermigrate"
	"github.com/riverqueue/river/rivertype"

	"yingshang/internal/db"
)

// Queue wraps one River client for whichever engine is in use.
type Queue struct {
	db       *db.DB
	log      *slog.Logger
	workers  *river.Workers
	periodic []*river.PeriodicJob
	kinds    []string // registered job kinds, in registration order
	// Test makes the client poll fast and skip start-up jitter.
	Test bool
	// Workers is how many jobs run at once in this process and
	// FetchInterval how often an idle process looks for new ones; zero
	// takes the engine's default (Defaults).
	Workers       int
	FetchInterval time.Duration

	lite    *river.Client[*sql.Tx]
	pg      *river.Client[pgx.Tx]
	working bool
}

// New returns a queue on d. Register workers and periodic jobs, then call
// Init (insert-only) or Start (insert and work).
func New(d *db.DB, log *slog.Logger) *Queue {
	if log == nil {
		log = slog.Default()
	}
	return &Queue{db: d, log: log, workers: river.NewWorkers()}
}

// Register adds a worker. It must be called before Init or Start.
func Register[T river.JobArgs](q *Queue, w river.Worker[T]) {
	river.AddWorker(q.workers, w)
	var args T
	q.kinds = append(q.kinds, args.Kind())
}

// Kinds lists the registered job kinds (a switched-off module's are absent).
func (q *Queue) Kinds() []string { return slices.Clone(q.kinds) }

// Every schedules args to be enqueued every interval (by the elected leader
// only, so several instances do not duplicate it).
func (q *Queue) Every(interval time.Duration, args func() river.JobArgs, runOnStart bool) {
	q.periodic = append(q.periodic, river.NewPeriodicJob(river.PeriodicInterval(interval),
		func() (river.JobArgs, *river.InsertOpts) { return args(), nil },
		&river.PeriodicJobOpts{RunOnStart: runOnStart}))
}

// Defaults are the job settings of an engine: workers per process and
// the idle fetch interval. River fetches again as soon as a job finishes
// or (in this process) one is inserted, at most once per FetchCooldown;
// the interval only bounds how late an idle process notices jobs another
// process inserted. Throughput per process is about workers ÷ the time of
// one job, up to workers per cooldown (issue 17: River's defaults, 8
// workers and a 100 ms cooldown, capped deliveries near 80/s).
//
// SQLite: 32 workers (they share the one writer connection; more only
// queue on it) and 50 ms (a fetch is a write transaction, so an idle
// process polls a little). PostgreSQL: 64 workers and 100 ms (inserts
// from other processes wake it through LISTEN/NOTIFY anyway).
func Defaults(d db.Dialect) (workers int, fetchInterval time.Duration) {
	if d == db.Postgres {
		return 64, 100 * time.Millisecond
	}
	return 32, 50 * time.Millisecond
}

// FetchCooldown is the shortest time between two fetches of a process.
const FetchCooldown = 5 * time.Millisecond

// Settings are the effective workers and fetch interval.
func (q *Queue) Settings() (workers int, fetchInterval time.Duration) {
	workers, fetchInterval = Defaults(q.db.Dialect)
	if q.Workers > 0 {
		workers = q.Workers
	}
	if q.FetchInterval > 0 {
		fetchInterval = q.FetchInterval
	}
	if q.Test {
		fetchInterval = min(fetchInterval, 50*time.Millisecond)
	}
	return workers, fetchInterval
}

func (q *Queue) config(work bool) *river.Config {
	c := &river.Config{Logger: q.log, Workers: q.workers, TestOnly: q.Test}
	if work {
		workers, fetch := q.Settings()
		c.Queues = map[string]river.QueueConfig{river.QueueDefault: {MaxWorkers: workers}}
		c.PeriodicJobs = q.periodic
		c.JobTimeout = 5 * time.Minute
		c.FetchPollInterval = fetch
		c.FetchCooldown = min(FetchCooldown, fetch)
	}
	return c
}

// Init creates an insert-only client (for CLI commands).
func (q *Queue) Init() error { return q.init(false) }

// init creates the River client with the engine's driver. River has one
// driver per engine, with its own transaction type; this
// package is the adapter between db and River, so the choice of driver is
// its one dialect switch (here and in Migrate), which internal/db cannot
// hold without importing River.
func (q *Queue) init(work bool) error {
	var err error
	c := q.config(work)
	switch q.db.Dialect {
	case db.Postgres:
		q.pg, err = river.NewClient(riverpgxv5.New(q.db.Pool), c)
	default:
		q.lite, err = river.NewClient(riversqlite.New(q.db.Writer), c)
	}
	q.working = work
	return err
}

// Start creates a working client and starts it.
func (q *Queue) Start(ctx context.Context) error {
	if err := q.init(true); err != nil {
		return err
	}
	if q.pg != nil {
		return q.pg.Start(ctx)
	}
	return q.lite.Start(ctx)
}

// Stop waits for running jobs to finish (until ctx is done).
func (q *Queue) Stop(ctx context.Context) error {
	if !q.working {
		return nil
	}
	if q.pg != nil {
		return q.pg.Stop(ctx)
	}
	return q.lite.Stop(ctx)
}

// Enqueue inserts a job, inside the transaction in ctx when there is one.
func (q *Queue) Enqueue(ctx context.Context, args river.JobArgs, opts *river.InsertOpts) error {
	if q.pg == nil && q.lite == nil {
		return errors.New("jobs: queue not initialised")
	}
	var err error
	if tx, ok := db.TxFrom(ctx); ok {
		raw, derr := tx.Driver(ctx)
		if derr != nil {
			return derr
		}
		switch raw := raw.(type) {
		case pgx.Tx:
			_, err = q.pg.InsertTx(ctx, raw, args, opts)
		case *sql.Tx:
			_, err = q.lite.InsertTx(ctx, raw, args, opts)
		default:
			err = fmt.Errorf("jobs: unknown transaction type %T", raw)
		}
	} else if q.pg != nil {
		_, err = q.pg.Insert(ctx, args, opts)
	} else {
		_, err = q.lite.Insert(ctx, args, opts)
	}
	if err != nil {
		return fmt.Errorf("enqueue %s: %w", args.Kind(), err)
	}
	return nil
}

// EnqueueMany inserts jobs in one batch (River's InsertManyTx: one
// statement for all of them), inside the transaction in ctx when there is
// one. The jobs are the same as one Enqueue per element, in order.
func (q *Queue) EnqueueMany(ctx context.Context, params []river.InsertManyParams) error {
	if len(params) == 0 {
		return nil
	}
	if q.pg == nil && q.lite == nil {
		return errors.New("jobs: queue not initialised")
	}
	var err error
	if tx, ok := db.TxFrom(ctx); ok {
		raw, derr := tx.Driver(ctx)
		if derr != nil {
			return derr
		}
		switch raw := raw.(type) {
		case pgx.Tx:
			_, err = q.pg.InsertManyTx(ctx, raw, params)
		case *sql.Tx:
			_, err = q.lite.InsertManyTx(ctx, raw, params)
		default:
			err = fmt.Errorf("jobs: unknown transaction type %T", raw)
		}
	} else if q.pg != nil {
		_, err = q.pg.InsertMany(ctx, params)
	} else {
		_, err = q.lite.InsertMany(ctx, params)
	}
	if err != nil {
		return fmt.Errorf("enqueue %d jobs (%s...): %w", len(params), params[0].Args.Kind(), err)
	}
	return nil
}

// Subscribe returns a channel of completed/failed job events (for tests and
// the operations page). Call after Start.
func (q *Queue) Subscribe(kinds ...river.EventKind) (<-chan *river.Event, func()) {
	if q.pg != nil {
		return q.pg.Subscribe(kinds...)
	}
	return q.lite.Subscribe(kinds...)
}

// Stats counts jobs per state, for /metrics and the operations page.
func (q *Queue) Stats(ctx context.Context) (map[string]int64, error) {
	rows, err := q.db.Q(ctx).Query(ctx, "SELECT state, COUNT(*) FROM river_job GROUP BY state")
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	m := map[string]int64{}
	for rows.Next() {
		var s string
		var n int64
		if err := rows.Scan(&s, &n); err != nil {
			return nil, err
		}
		m[s] = n
	}
	return m, rows.Err()
}

// Migrate applies River's own schema migrations.
func Migrate(ctx context.Context, d *db.DB) error {
	var err error
	switch d.Dialect { // the driver switch, as in Queue.init
	case db.Postgres:
		var m *rivermigrate.Migrator[pgx.Tx]
		if m, err = rivermigrate.New(riverpgxv5.New(d.Pool), nil); err == nil {
			_, err = m.Migrate(ctx, rivermigrate.DirectionUp, nil)
		}
	default:
		var m *rivermigrate.Migrator[*sql.Tx]
		if m, err = rivermigrate.New(riversqlite.New(d.Writer), nil); err == nil {
			_, err = m.Migrate(ctx, rivermigrate.DirectionUp, nil)
		}
	}
	if err != nil {
		return fmt.Errorf("job queue migrations: %w", err)
	}
	return nil
}

// JobRow is re-exported for workers that need attempt information.
type JobRow = rivertype.JobRow
