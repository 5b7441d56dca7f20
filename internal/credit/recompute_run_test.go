package credit_test

import (
	"context"
	"testing"

	"yingshang/internal/credit"
	"yingshang/internal/site/sitetest"
	"yingshang/internal/yserr"
)

// TestRecomputeRunProgress (issue 18, session 6): the recomputation of
// every grade keeps its progress in batches (the rules page's
// "recomputing (n/N)"), a run interrupted goes on where it stopped, redone
// batches change nothing, and a run under an older grade table is closed.
func TestRecomputeRunProgress(t *testing.T) {
	each(t, func(t *testing.T, env *sitetest.Env, svc *credit.Service) {
		sys := sitetest.System()
		if run, err := svc.LatestRecompute(sys); err != nil || run != nil {
			t.Fatalf("before any run: %+v %v", run, err)
		}
		n1, err := svc.RecomputeAll(sys)
		fatal(t, err)
		if n1 != len(env.Entities) {
			t.Fatalf("first run stored %d grades, want %d", n1, len(env.Entities))
		}
		r1, err := svc.LatestRecompute(sys)
		fatal(t, err)
		if r1 == nil || r1.Running() || r1.Total != 1 || r1.Done != 1 || r1.Changed != int64(n1) {
			t.Fatalf("finished run: %+v", r1)
		}
		exec := func(q string, args ...any) {
			t.Helper()
			fatal(t, env.App.DB.WithTx(sys, func(ctx context.Context) error {
				_, err := env.App.DB.Q(ctx).Exec(ctx, q, args...)
				return err
			}))
		}
		// Interrupted after its last batch: the retry finishes the same run
		// without redoing a batch and reports the count carried so far.
		exec("UPDATE credit_recompute_runs SET finished_at = NULL WHERE id = $1", r1.ID)
		if r, _ := svc.LatestRecompute(sys); !r.Running() {
			t.Fatalf("reopened run not running: %+v", r)
		}
		n2, err := svc.RecomputeAll(sys)
		fatal(t, err)
		r2, err := svc.LatestRecompute(sys)
		fatal(t, err)
		if n2 != n1 || r2.ID != r1.ID || r2.Running() {
			t.Fatalf("resumed run: %d %+v, want %d in run %d", n2, r2, n1, r1.ID)
		}
		// Interrupted before its batch committed: the batch runs again and
		// changes nothing (every grade is already stored).
		exec("UPDATE credit_recompute_runs SET finished_at = NULL, done = 0, changed = 0 WHERE id = $1", r1.ID)
		n3, err := svc.RecomputeAll(sys)
		fatal(t, err)
		if r3, _ := svc.LatestRecompute(sys); n3 != 0 || r3.ID != r1.ID || r3.Done != 1 {
			t.Fatalf("redone batch: %d %+v", n3, r3)
		}
		// A run left over from another grade table is closed; a new run covers everything.
		exec("UPDATE credit_recompute_runs SET finished_at = NULL, done = 0, rules_digest = 'older table' WHERE id = $1", r1.ID)
		n4, err := svc.RecomputeAll(sys)
		fatal(t, err)
		r4, err := svc.LatestRecompute(sys)
		fatal(t, err)
		if n4 != 0 || r4.ID == r1.ID || r4.Done != r4.Total || r4.Running() {
			t.Fatalf("run after a table change: %d %+v", n4, r4)
		}
		var open int
		fatal(t, env.App.DB.Q(sys).QueryRow(sys, "SELECT COUNT(*) FROM credit_recompute_runs WHERE finished_at IS NULL").Scan(&open))
		if open != 0 {
			t.Fatalf("%d runs left open", open)
		}
		if _, err := svc.LatestRecompute(entCtx(env, env.Entities[sitetest.USCCA])); !yserr.Is(err, yserr.Forbidden) {
			t.Fatalf("enterprise reads the progress: %v", err)
		}
	})
}
