package draw

import (
	"context"
	"time"

	"github.com/riverqueue/river"

	"yingshang/internal/jobs"
)

// ExpireArgs is the periodic job that lapses unanswered invitations and
// calls reserves.
type ExpireArgs struct{}

// Kind names the job.
func (ExpireArgs) Kind() string { return "draw.expire" }

// ExpireInterval is how often the job runs.
const ExpireInterval = 5 * time.Minute

// RegisterJobs adds the worker and the periodic job. Call before q.Start.
func (s *Service) RegisterJobs(q *jobs.Queue) {
	jobs.Register[ExpireArgs](q, &expireWorker{s: s})
	q.Every(ExpireInterval, func() river.JobArgs { return ExpireArgs{} }, true)
}

type expireWorker struct {
	river.WorkerDefaults[ExpireArgs]
	s *Service
}

func (w *expireWorker) Work(ctx context.Context, _ *river.Job[ExpireArgs]) error {
	_, err := w.s.ExpireDue(ctx)
	return err
}
