package appeal_test

import (
	"fmt"
	"slices"
	"strings"
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
	shared := f.submitShared(t, sharedHelp(4))
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
	f.submitShared(t, sharedHelp(3))
	f.env.Clock.Set(time.Date(2026, 12, 31, 17, 0, 0, 0, time.UTC)) // 2027-01-01 01:00 in Shanghai
	if a := f.submit(t, appeal.Help); a.Number != "YS-2027-000001" {
		t.Fatalf("first appeal of 2027: %s", a.Number)
	}
}

// sharedHelp is n help requests of the enterprise user.
func sharedHelp(n int) []intakeCase {
	out := make([]intakeCase, n)
	for i := range out {
		out[i] = intakeCase{"ent", appeal.Input{Kind: appeal.Help, Topic: "纳税", Title: fmt.Sprintf("发票额度调整 %d", i), Description: "季度开票额度不够用。"}}
	}
	return out
}
