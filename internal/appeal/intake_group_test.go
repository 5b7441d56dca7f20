package appeal_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"reflect"
	"slices"
	"sync"
	"testing"
	"time"

	"yingshang/internal/appeal"
	"yingshang/internal/site/sitetest"
)

// TestIntakeShared: intakes that arrive while the intake transactions are
// busy share the next one (db.Group, issue 17), and each comes out as it
// would alone: the appeal returned is what a reload reads, numbers are
// unique (and on SQLite without gaps), every appeal has its timeline step
// and its audit event with the state digest the deep check reads, and the
// dashboard rollup written once for all of them (in one shard) equals the
// backfill and the straightforward computation, also after transitions
// move the shared transaction's appeals in their own shards.
func TestIntakeShared(t *testing.T) {
	for _, e := range engines {
		t.Run(string(e), func(t *testing.T) {
			f := newFixture(t, e)
			f.env.Clock.Set(time.Date(2026, 11, 23, 1, 0, 0, 0, time.UTC))
			first := f.submit(t, appeal.Help) // caches warm
			// The rollup is built on the first dashboard read: read it now,
			// so that what follows is kept by the writes alone.
			if _, err := f.svc.Stats(f.ctx["admin"], appeal.Filter{}, "zh"); err != nil {
				t.Fatal(err)
			}
			got := f.submitShared(t, intakeCases)
			cases := intakeCases
			var numbers []string
			for i, a := range got {
				want, err := f.svc.Get(sitetest.System(), a.ID)
				if err != nil {
					t.Fatal(err)
				}
				gj, _ := json.Marshal(a)
				wj, _ := json.Marshal(want)
				if !bytes.Equal(gj, wj) {
					t.Fatalf("case %d: Create returned\n%s\na reload reads\n%s", i, gj, wj)
				}
				steps, err := f.svc.Timeline(sitetest.System(), a.ID)
				if err != nil || len(steps) != 1 {
					t.Fatalf("case %d: timeline %v, %v", i, steps, err)
				}
				numbers = append(numbers, a.Number)
			}
			slices.Sort(numbers)
			if len(slices.Compact(slices.Clone(numbers))) != len(numbers) {
				t.Fatalf("numbers not unique: %v", numbers)
			}
			if e == "sqlite" {
				// One after the first appeal's, without gaps.
				want := []string{}
				var n int
				if _, err := fmt.Sscanf(first.Number, "YS-2026-%d", &n); err != nil {
					t.Fatal(err)
				}
				for i := range cases {
					want = append(want, fmt.Sprintf("YS-2026-%06d", n+1+i))
				}
				if !reflect.DeepEqual(numbers, want) {
					t.Fatalf("numbers %v, want %v", numbers, want)
				}
			}
			res, err := f.env.App.Audit.CheckState(f.ctx["admin"])
			if err != nil {
				t.Fatal(err)
			}
			for _, is := range res.Issues {
				if is.Kind == "appeal" {
					t.Errorf("%s %s: %s", is.Problem, is.ID, is.Reason)
				}
			}
			var audited int
			ctx := context.Background()
			if err := f.env.App.DB.Q(ctx).QueryRow(ctx, `SELECT COUNT(*) FROM audit_events WHERE action = 'appeal.submit' AND state_digest <> ''`).Scan(&audited); err != nil {
				t.Fatal(err)
			}
			if audited != len(cases)+1 {
				t.Fatalf("%d submissions audited with a state digest, want %d", audited, len(cases)+1)
			}
			check := func(stage string) {
				t.Helper()
				for _, flt := range []appeal.Filter{{}, {Kind: "help"}, {Topic: "纳税"}} {
					want, err := f.svc.StatsBefore(f.ctx["admin"], flt, "zh")
					if err != nil {
						t.Fatal(err)
					}
					st, err := f.svc.Stats(f.ctx["admin"], flt, "zh")
					if err != nil {
						t.Fatal(err)
					}
					normStats(want)
					normStats(st)
					if !reflect.DeepEqual(st, want) {
						t.Fatalf("%s %+v:\n got  %+v\n want %+v", stage, flt, st, want)
					}
				}
				rollupMatchesBackfill(t, f, stage)
			}
			// Before the check rebuilds the rollup: move some of the
			// shared transaction's appeals (each in its own shard).
			for _, a := range got[:3] {
				f.do(t, "admin", a.ID, appeal.Act{Action: appeal.ActAccept, Note: "受理"})
			}
			f.do(t, "admin", got[4].ID, appeal.Act{Action: appeal.ActReject, Note: "不予受理"})
			check("transitions")
			f.env.Clock.Advance(30 * time.Hour)
			check("a day later")
		})
	}
}

// intakeCase is one intake: who submits what.
type intakeCase struct {
	user string
	in   appeal.Input
}

// submitShared submits cases at once so that they share one transaction:
// every intake slot is held until all of them wait, then one slot is
// freed (the first freed takes them all). It fails unless they all
// succeeded in one transaction.
func (f *fixture) submitShared(t *testing.T, cases []intakeCase) []*appeal.Appeal {
	t.Helper()
	g := f.svc.IntakeGroup()
	var release []chan struct{}
	var held sync.WaitGroup
	for range g.Slots {
		started, rel := make(chan struct{}), make(chan struct{})
		release = append(release, rel)
		held.Add(1)
		go func() {
			defer held.Done()
			_ = g.Do(context.Background(), func(context.Context) error {
				close(started)
				<-rel
				return nil
			})
		}()
		<-started
	}
	txs0, calls0 := g.Stats()
	got := make([]*appeal.Appeal, len(cases))
	errs := make([]error, len(cases))
	var wg sync.WaitGroup
	for i, c := range cases {
		wg.Add(1)
		go func() {
			defer wg.Done()
			got[i], errs[i] = f.svc.Create(f.ctx[c.user], c.in)
		}()
	}
	deadline := time.Now().Add(time.Minute)
	for g.Waiting() < len(cases) {
		if time.Now().After(deadline) {
			t.Fatalf("%d intakes waiting, want %d", g.Waiting(), len(cases))
		}
		time.Sleep(time.Millisecond)
	}
	close(release[0])
	wg.Wait()
	for _, rel := range release[1:] {
		close(rel)
	}
	held.Wait()
	for i, err := range errs {
		if err != nil {
			t.Fatalf("case %d: %v", i, err)
		}
	}
	txs, calls := g.Stats()
	// The holders' transactions and one for all the intakes.
	if calls-calls0 != int64(g.Slots+len(cases)) || txs-txs0 != int64(g.Slots+1) {
		t.Fatalf("%d calls in %d transactions, want %d in %d", calls-calls0, txs-txs0, g.Slots+len(cases), g.Slots+1)
	}
	return got
}
