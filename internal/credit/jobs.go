package credit

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/riverqueue/river"

	"yingshang/internal/auth"
	"yingshang/internal/jobs"
)

// ExpireArgs is the daily job that ends publicity at the maximum end.
type ExpireArgs struct{}

// Kind names the job.
func (ExpireArgs) Kind() string { return "credit.expire" }

// WarnDueArgs is the job that warns departments about review deadlines.
type WarnDueArgs struct{}

// Kind names the job.
func (WarnDueArgs) Kind() string { return "credit.warn_due" }

type expireWorker struct {
	river.WorkerDefaults[ExpireArgs]
	s *Service
}

func (w *expireWorker) Work(ctx context.Context, _ *river.Job[ExpireArgs]) error {
	_, err := w.s.Expire(auth.WithActor(ctx, auth.System("credit.expire")))
	return err
}

type warnWorker struct {
	river.WorkerDefaults[WarnDueArgs]
	s *Service
}

func (w *warnWorker) Work(ctx context.Context, _ *river.Job[WarnDueArgs]) error {
	ctx = auth.WithActor(ctx, auth.System("credit.warn_due"))
	if _, err := w.s.WarnDue(ctx); err != nil {
		return err
	}
	_, err := w.s.WarnSteps(ctx)
	return err
}

// RegisterJobs registers the module's jobs: the expiry once a day (and at
// start, so that a restart after a pause catches up), the deadline
// warnings every hour (both idempotent), and the recomputation of every
// grade that a change of the grade table enqueues.
func (s *Service) RegisterJobs(q *jobs.Queue) {
	s.jobs = q
	jobs.Register[RecomputeArgs](q, &recomputeWorker{s: s})
	jobs.Register[ExpireArgs](q, &expireWorker{s: s})
	jobs.Register[WarnDueArgs](q, &warnWorker{s: s})
	q.Every(24*time.Hour, func() river.JobArgs { return ExpireArgs{} }, true)
	q.Every(time.Hour, func() river.JobArgs { return WarnDueArgs{} }, true)
	s.registerRemindJob(q)
	s.registerGovernanceJob(q)
}

// expireBatch is how many records one expiry transaction ends.
const expireBatch = 1000

// Expire ends the publicity of every record whose maximum end has come
// (status expired), tells the webhooks and recomputes the grades of the
// entities concerned. It works in batches, one transaction each, and
// returns how many records it ended.
func (s *Service) Expire(ctx context.Context) (int, error) {
	if _, err := auth.Require(ctx, auth.PlatformAdmin); err != nil {
		return 0, err
	}
	today := s.today().String()
	total := 0
	for {
		n, err := s.expireBatch(ctx, today)
		total += n
		if err != nil || n < expireBatch {
			return total, err
		}
	}
}

func (s *Service) expireBatch(ctx context.Context, today string) (int, error) {
	n := 0
	err := s.DB.WithTx(ctx, func(ctx context.Context) error {
		rows, err := s.DB.Q(ctx).Query(ctx, fmt.Sprintf(`SELECT id, entity_id FROM credit_records
			WHERE status IN ('published', 'unpublished') AND max_end <> '' AND max_end <= $1 ORDER BY id LIMIT %d`, expireBatch), today)
		if err != nil {
			return err
		}
		var ids []int64
		entities := map[int64]bool{}
		var order []int64
		for rows.Next() {
			var id, e int64
			if err := rows.Scan(&id, &e); err != nil {
				rows.Close()
				return err
			}
			ids = append(ids, id)
			if !entities[e] {
				entities[e] = true
				order = append(order, e)
			}
		}
		rows.Close()
		if len(ids) == 0 {
			return nil
		}
		marks := make([]string, len(ids))
		args := []any{s.now()}
		for i, id := range ids {
			args = append(args, id)
			marks[i] = fmt.Sprintf("$%d", i+2)
		}
		if _, err := s.DB.Q(ctx).Exec(ctx, "UPDATE credit_records SET status = 'expired', ended_at = $1, updated_at = $1 WHERE id IN ("+strings.Join(marks, ",")+")", args...); err != nil {
			return err
		}
		for _, id := range ids {
			if err := s.event(ctx, TypeRecordExpired, id); err != nil {
				return err
			}
		}
		for _, e := range order {
			if _, err := s.recompute(ctx, e, "publicity ended"); err != nil {
				return err
			}
		}
		n = len(ids)
		return s.Audit.Record(ctx, "credit.expire", "credit_record", fmt.Sprintf("%d..%d", ids[0], ids[len(ids)-1]), nil, ids, "publicity reached its maximum end")
	})
	return n, err
}
