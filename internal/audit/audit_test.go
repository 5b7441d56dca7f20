package audit_test

import (
	"context"
	"crypto/rand"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"golang.org/x/mod/sumdb/note"

	"yingshang/internal/audit"
	"yingshang/internal/auth"
	"yingshang/internal/clock"
	"yingshang/internal/db"
	"yingshang/internal/db/dbtest"
)

func seed(t *testing.T, d *db.DB, n int) *audit.Log {
	t.Helper()
	l := newLog(t, d, clock.NewFixed(time.Date(2026, 11, 23, 9, 0, 0, 123456789, time.UTC)))
	ctx := auth.WithActor(context.Background(), &auth.Actor{UserID: 0, Username: "tester", Via: "system"})
	for i := 0; i < n; i++ {
		if err := l.Record(ctx, "entity.update", "entity", fmt.Sprint(i), map[string]any{"v": i}, map[string]any{"v": i + 1}, ""); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := l.IntegrateAll(ctx); err != nil {
		t.Fatal(err)
	}
	return l
}

var testKey = func() string {
	skey, _, err := note.GenerateKey(rand.Reader, "audit.test.example/audit")
	if err != nil {
		panic(err)
	}
	return skey
}()

func newLog(t testing.TB, d *db.DB, clk clock.Clock) *audit.Log {
	t.Helper()
	k, err := audit.ParseKey(testKey)
	if err != nil {
		t.Fatal(err)
	}
	return &audit.Log{DB: d, Clock: clk, Signer: k, States: &audit.States{}}
}

func TestLogDetectsTampering(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		l := seed(t, d, 10)
		res, err := l.Verify(ctx)
		if err != nil || !res.OK || res.Events != 10 {
			t.Fatalf("fresh chain: %+v %v", res, err)
		}
		cases := []struct {
			name, sql string
			broken    int64
			reason    string
		}{
			{"altered", "UPDATE audit_events SET detail = 'x' WHERE seq = 4", 4, "altered"},
			{"removed", "DELETE FROM audit_events WHERE seq = 6", 7, "missing"},
			{"truncated", "DELETE FROM audit_events WHERE seq = 10", 0, "missing"},
			{"state", "UPDATE audit_events SET state_digest = 'x' WHERE seq = 3", 3, "altered"},
			{"moved", "UPDATE audit_events SET leaf_index = 99 WHERE seq = 10", 0, "missing"},
		}
		for _, c := range cases {
			t.Run(c.name, func(t *testing.T) {
				d := dbtest.New(t, d.Dialect)
				l := seed(t, d, 10)
				if _, err := d.W(ctx).Exec(ctx, c.sql); err != nil {
					t.Fatal(err)
				}
				res, err := l.Verify(ctx)
				if err != nil {
					t.Fatal(err)
				}
				if res.OK || res.BrokenAt != c.broken || !strings.Contains(res.Reason, c.reason) {
					t.Fatalf("got %+v, want broken at %d (%s)", res, c.broken, c.reason)
				}
			})
		}
	})
}

func TestConcurrentAppendsAllIntegrated(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		l := newLog(t, d, clock.Real{})
		var wg sync.WaitGroup
		errs := make(chan error, 40)
		for i := 0; i < 40; i++ {
			wg.Add(1)
			go func(i int) {
				defer wg.Done()
				errs <- l.Record(context.Background(), "x", "y", fmt.Sprint(i), nil, i, "")
			}(i)
		}
		wg.Wait()
		close(errs)
		for err := range errs {
			if err != nil {
				t.Fatal(err)
			}
		}
		if _, err := l.IntegrateAll(context.Background()); err != nil {
			t.Fatal(err)
		}
		res, err := l.Verify(context.Background())
		if err != nil || !res.OK || res.Events != 40 {
			t.Fatalf("%+v %v", res, err)
		}
	})
}

func TestListNeedsRole(t *testing.T) {
	d := dbtest.New(t, db.SQLite)
	l := seed(t, d, 3)
	staff := auth.WithActor(context.Background(), &auth.Actor{UserID: 5, Roles: []auth.Role{auth.DeptStaff}})
	if _, err := l.List(staff, audit.Filter{}); err == nil {
		t.Fatal("staff read the audit trail")
	}
	sup := auth.WithActor(context.Background(), &auth.Actor{UserID: 6, Roles: []auth.Role{auth.Supervisor}})
	ev, err := l.List(sup, audit.Filter{Limit: 2})
	if err != nil || len(ev) != 2 || ev[0].Seq != 3 {
		t.Fatalf("%v %v", ev, err)
	}
}
