package appeal_test

import (
	"fmt"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"yingshang/internal/appeal"
	"yingshang/internal/db"
)

// TestIntakeNumberReserve (PostgreSQL): a transaction shared by several
// intakes draws their numbers and three times as many again; the next
// intakes take theirs from that reserve without a statement before their
// writes, the numbers stay consecutive and in the order of the commits,
// and when the year turns the old year's reserve is dropped, not used for
// the new year's appeals. An intake alone draws only its own.
func TestIntakeNumberReserve(t *testing.T) {
	f := newFixture(t, db.Postgres)
	f.env.Clock.Set(time.Date(2026, 11, 23, 1, 0, 0, 0, time.UTC))
	num := func(a *appeal.Appeal) int {
		t.Helper()
		var y, n int
		if _, err := fmt.Sscanf(a.Number, "YS-%d-%d", &y, &n); err != nil {
			t.Fatal(err)
		}
		return n
	}
	// draws counts the number draws (nextval) of one intake.
	draws := func(fn func()) int {
		t.Helper()
		n := 0
		stop := db.Trace(func(q string) {
			if strings.Contains(q, "nextval") {
				n++
			}
		})
		defer stop()
		fn()
		return n
	}
	var first *appeal.Appeal
	if n := draws(func() { first = f.submit(t, appeal.Help) }); n != 1 {
		t.Fatalf("an intake alone: %d draws, want 1", n)
	}
	if n := draws(func() { f.submit(t, appeal.Help) }); n != 1 {
		t.Fatalf("an intake alone keeps nothing ahead: the next drew %d times, want 1", n)
	}
	shared := f.submitShared(t, 4)
	want := num(first) + 2
	var got []int
	for _, a := range shared {
		got = append(got, num(a))
	}
	slices.Sort(got)
	if !slices.Equal(got, []int{want, want + 1, want + 2, want + 3}) {
		t.Fatalf("shared transaction's numbers %v, want %d..%d", got, want, want+3)
	}
	// 12 ahead: the next 12 intakes draw nothing, in order.
	next := want + 4
	for i := range 12 {
		var a *appeal.Appeal
		if n := draws(func() { a = f.submit(t, appeal.Help) }); n != 0 {
			t.Fatalf("intake %d after the shared transaction drew %d times, want 0 (reserve)", i, n)
		}
		if num(a) != next+i {
			t.Fatalf("intake %d after the shared transaction: %s, want number %d", i, a.Number, next+i)
		}
	}
	var a *appeal.Appeal
	if n := draws(func() { a = f.submit(t, appeal.Help) }); n != 1 || num(a) != next+12 {
		t.Fatalf("reserve used up: %d draws, %s, want 1 and number %d", n, a.Number, next+12)
	}
	// A reserve left at the year's end is not the next year's.
	f.submitShared(t, 3)
	f.env.Clock.Set(time.Date(2026, 12, 31, 17, 0, 0, 0, time.UTC)) // 2027-01-01 01:00 in Shanghai
	if a := f.submit(t, appeal.Help); a.Number != "YS-2027-000001" {
		t.Fatalf("first appeal of 2027: %s", a.Number)
	}
}

// submitShared submits n intakes that share one transaction: the intake
// slots are held until all n wait.
func (f *fixture) submitShared(t *testing.T, n int) []*appeal.Appeal {
	t.Helper()
	g := f.svc.IntakeGroup()
	release, held := holdSlots(g)
	txs0, _ := g.Stats()
	out := make([]*appeal.Appeal, n)
	errs := make([]error, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			out[i], errs[i] = f.svc.Create(f.ctx["ent"], appeal.Input{Kind: appeal.Help, Topic: "纳税",
				Title: fmt.Sprintf("发票额度调整 %d", i), Description: "季度开票额度不够用。"})
		}()
	}
	deadline := time.Now().Add(time.Minute)
	for g.Waiting() < n {
		if time.Now().After(deadline) {
			t.Fatalf("%d intakes waiting, want %d", g.Waiting(), n)
		}
		time.Sleep(time.Millisecond)
	}
	for _, rel := range release {
		close(rel)
	}
	wg.Wait()
	held()
	for i, err := range errs {
		if err != nil {
			t.Fatalf("shared intake %d: %v", i, err)
		}
	}
	if txs, _ := g.Stats(); txs-txs0 != int64(g.Slots+1) {
		t.Fatalf("%d transactions, want the holders' %d and one shared", txs-txs0, g.Slots)
	}
	return out
}
