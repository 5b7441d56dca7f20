package jobs_test

import (
	"context"
	"io"
	"log/slog"
	"sync"
	"testing"
	"time"

	"github.com/riverqueue/river"

	"yingshang/internal/db"
	"yingshang/internal/db/dbtest"
	"yingshang/internal/jobs"
)

type tallyArgs struct {
	N int `json:"n"`
}

func (tallyArgs) Kind() string { return "test.tally" }

// tally records which instance ran which job.
type tally struct {
	mu    sync.Mutex
	runs  map[int]int
	by    map[string]int
	delay time.Duration
}

type tallyWorker struct {
	river.WorkerDefaults[tallyArgs]
	t        *tally
	instance string
}

func (w *tallyWorker) Work(ctx context.Context, job *river.Job[tallyArgs]) error {
	time.Sleep(w.t.delay) // a job that takes a while, as a delivery does
	w.t.mu.Lock()
	defer w.t.mu.Unlock()
	w.t.runs[job.Args.N]++
	w.t.by[w.instance]++
	return nil
}

// TestTwoInstancesShareJobs: two application instances (two queues, each
// with its own connection pool) on one PostgreSQL database share the jobs
// one of them inserts: every job runs exactly once, and both instances
// work.
func TestTwoInstancesShareJobs(t *testing.T) {
	url, err := dbtest.NewPostgresURL(t)
	if err != nil {
		t.Skipf("PostgreSQL unavailable: %v", err)
	}
	ctx := context.Background()
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	tl := &tally{runs: map[int]int{}, by: map[string]int{}, delay: 2 * time.Millisecond}
	var queues []*jobs.Queue
	for _, name := range []string{"one", "two"} {
		d, err := db.Open(ctx, url, "")
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(d.Close)
		q := jobs.New(d, log)
		q.Test, q.Workers = true, 8
		jobs.Register[tallyArgs](q, &tallyWorker{t: tl, instance: name})
		qctx, cancel := context.WithCancel(ctx)
		if err := q.Start(qctx); err != nil {
			cancel()
			t.Fatal(err)
		}
		t.Cleanup(func() {
			sctx, c := context.WithTimeout(context.Background(), 10*time.Second)
			defer c()
			_ = q.Stop(sctx)
			cancel()
		})
		queues = append(queues, q)
	}
	const n = 400
	params := make([]river.InsertManyParams, n)
	for i := range params {
		params[i] = river.InsertManyParams{Args: tallyArgs{N: i}}
	}
	if err := queues[0].EnqueueMany(ctx, params); err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(2 * time.Minute)
	for {
		st, err := queues[0].Stats(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if st["completed"] == n {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("jobs after 2 minutes: %v", st)
		}
		time.Sleep(20 * time.Millisecond)
	}
	tl.mu.Lock()
	defer tl.mu.Unlock()
	for i := range n {
		if tl.runs[i] != 1 {
			t.Fatalf("job %d ran %d times", i, tl.runs[i])
		}
	}
	t.Logf("jobs run per instance: %v", tl.by)
	if tl.by["one"] == 0 || tl.by["two"] == 0 || tl.by["one"]+tl.by["two"] != n {
		t.Fatalf("the instances did not share the jobs: %v", tl.by)
	}
}
