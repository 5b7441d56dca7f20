package db_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"yingshang/internal/db"
	"yingshang/internal/db/dbtest"
)

// settingValue reads a key of the settings table ("" when absent).
func settingValue(t *testing.T, d *db.DB, key string) string {
	t.Helper()
	ctx := context.Background()
	var v string
	err := d.Q(ctx).QueryRow(ctx, `SELECT value FROM settings WHERE key = $1`, key).Scan(&v)
	if db.IsNoRows(err) {
		return ""
	}
	if err != nil {
		t.Fatal(err)
	}
	return v
}

// waitFor polls cond (a condition, never a fixed sleep) for up to a
// minute: the machine may be busy.
func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(time.Minute)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(time.Millisecond)
	}
}

type ctxName struct{}

// TestGroup: calls queued behind a running transaction share the next
// one (one commit); each sees its own context values and the shared
// transaction; a call that fails gets its own error and keeps nothing
// while the others of its transaction commit (they run again alone); a
// panicking call does not leave the others waiting; a call cancelled
// while queued never runs; inside a transaction Do joins it.
func TestGroup(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		now := time.Date(2026, 12, 7, 1, 0, 0, 0, time.UTC)
		g := d.NewGroup(16, 1)
		ins := func(ctx context.Context, key string) error {
			return d.Append(ctx, "settings", []string{"key", "value", "updated_at"}, key, fmt.Sprint(ctx.Value(ctxName{})), now)
		}
		// The leader holds its transaction open until the others queue.
		release := make(chan struct{})
		var wg sync.WaitGroup
		errs := make([]error, 6)
		var started atomic.Bool
		wg.Add(1)
		go func() {
			defer wg.Done()
			errs[0] = g.Do(context.WithValue(ctx, ctxName{}, "lead"), func(ctx context.Context) error {
				started.Store(true)
				<-release
				return ins(ctx, "g0")
			})
		}()
		waitFor(t, "the leader's transaction", started.Load)
		var mu sync.Mutex
		txs := map[*db.Tx]bool{}
		for i := 1; i < 6; i++ {
			wg.Add(1)
			go func() {
				defer wg.Done()
				cctx := context.WithValue(ctx, ctxName{}, fmt.Sprintf("call%d", i))
				errs[i] = g.Do(cctx, func(ctx context.Context) error {
					tx, _ := db.TxFrom(ctx)
					mu.Lock()
					txs[tx] = true
					mu.Unlock()
					if err := ins(ctx, fmt.Sprintf("g%d", i)); err != nil {
						return err
					}
					switch i {
					case 3:
						return errors.New("call 3 fails")
					case 4:
						panic("call 4 panics")
					}
					return nil
				})
			}()
		}
		waitFor(t, "five queued calls", func() bool { return g.Waiting() == 5 })
		close(release)
		wg.Wait()
		if errs[0] != nil || errs[1] != nil || errs[2] != nil || errs[5] != nil {
			t.Fatalf("errors: %v", errs)
		}
		if errs[3] == nil || errs[3].Error() != "call 3 fails" {
			t.Fatalf("call 3: %v, want its own error", errs[3])
		}
		if errs[4] == nil || !strings.Contains(errs[4].Error(), "call 4 panics") {
			t.Fatalf("call 4: %v, want the panic as an error", errs[4])
		}
		for i, want := range []string{"lead", "call1", "call2", "", "", "call5"} {
			if got := settingValue(t, d, fmt.Sprintf("g%d", i)); got != want {
				t.Errorf("g%d = %q, want %q", i, got, want)
			}
		}
		// The five ran first in one shared transaction (which failed),
		// then each alone: six different transactions in all.
		if len(txs) != 6 {
			t.Errorf("the queued calls ran in %d transactions, want 6 (one shared, five alone)", len(txs))
		}
		if txs, calls := g.Stats(); txs != 6 || calls != 6 {
			t.Errorf("stats: %d transactions, %d calls; want 6 and 6", txs, calls)
		}

		// A shared transaction that commits: one commit for all.
		release = make(chan struct{})
		started.Store(false)
		seen := map[*db.Tx]int{}
		wg.Add(1)
		go func() {
			defer wg.Done()
			errs[0] = g.Do(context.WithValue(ctx, ctxName{}, "lead2"), func(ctx context.Context) error {
				started.Store(true)
				<-release
				return ins(ctx, "h0")
			})
		}()
		waitFor(t, "the second leader", started.Load)
		for i := 1; i < 4; i++ {
			wg.Add(1)
			go func() {
				defer wg.Done()
				errs[i] = g.Do(context.WithValue(ctx, ctxName{}, fmt.Sprintf("v%d", i)), func(ctx context.Context) error {
					tx, _ := db.TxFrom(ctx)
					mu.Lock()
					seen[tx]++
					mu.Unlock()
					return ins(ctx, fmt.Sprintf("h%d", i))
				})
			}()
		}
		waitFor(t, "three queued calls", func() bool { return g.Waiting() == 3 })
		// A call cancelled while queued leaves and never runs.
		cctx, cancel := context.WithCancel(ctx)
		cancelled := make(chan error)
		go func() {
			cancelled <- g.Do(cctx, func(ctx context.Context) error { return ins(ctx, "never") })
		}()
		waitFor(t, "the fourth queued call", func() bool { return g.Waiting() == 4 })
		cancel()
		if err := <-cancelled; !errors.Is(err, context.Canceled) {
			t.Fatalf("cancelled call: %v", err)
		}
		close(release)
		wg.Wait()
		for i := range 4 {
			if errs[i] != nil {
				t.Fatalf("call %d: %v", i, errs[i])
			}
			if got := settingValue(t, d, fmt.Sprintf("h%d", i)); got == "" {
				t.Errorf("h%d missing", i)
			}
		}
		if len(seen) != 1 {
			t.Errorf("three queued calls ran in %d transactions, want 1", len(seen))
		}
		if settingValue(t, d, "never") != "" {
			t.Error("the cancelled call ran")
		}
		if txs, calls := g.Stats(); txs != 8 || calls != 10 {
			t.Errorf("stats: %d transactions, %d calls; want 8 and 10", txs, calls)
		}

		// Inside a transaction Do joins it (rolled back with it).
		_ = d.WithTx(ctx, func(ctx context.Context) error {
			if err := g.Do(ctx, func(ctx context.Context) error { return ins(ctx, "joined") }); err != nil {
				t.Fatal(err)
			}
			return errors.New("roll back")
		})
		if settingValue(t, d, "joined") != "" {
			t.Error("Do inside a transaction did not join it")
		}
	})
}
