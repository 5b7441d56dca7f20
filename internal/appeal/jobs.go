package appeal

import (
	"context"
	"time"

	"github.com/riverqueue/river"

	"yingshang/internal/auth"
	"yingshang/internal/jobs"
)

// ScanArgs is the periodic SLA scan job.
type ScanArgs struct{}

// Kind names the job.
func (ScanArgs) Kind() string { return "appeal.scan" }

// ScanInterval is how often the SLA scan runs.
const ScanInterval = 10 * time.Minute

// RegisterJobs adds the scan worker and schedules it every ScanInterval
// (and once at start). Call before q.Start.
func (s *Service) RegisterJobs(q *jobs.Queue) {
	jobs.Register[ScanArgs](q, &scanWorker{s: s})
	q.Every(ScanInterval, func() river.JobArgs { return ScanArgs{} }, true)
}

type scanWorker struct {
	river.WorkerDefaults[ScanArgs]
	s *Service
}

func (w *scanWorker) Work(ctx context.Context, _ *river.Job[ScanArgs]) error {
	_, err := w.s.Scan(auth.WithActor(ctx, auth.System("appeal.scan")))
	return err
}
