package db_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"yingshang/internal/db"
	"yingshang/internal/db/dbtest"
)

func TestDialectPlaceholders(t *testing.T) {
	if got := db.SQLite.List(3, 3); got != "($3,$4,$5)" {
		t.Errorf("SQLite list: %s", got)
	}
	if got := db.SQLite.List(1, 3); got != "(?,?,?)" {
		t.Errorf("SQLite list from 1: %s", got)
	}
	if got := db.Postgres.Values(2, 2, 2, "'x'"); got != "($2,$3,'x'),($4,$5,'x')" {
		t.Errorf("PostgreSQL values: %s", got)
	}
	if got := db.SQLite.Values(1, 2, 2); got != "(?,?),(?,?)" {
		t.Errorf("SQLite values: %s", got)
	}
	a := db.Postgres.Args("k")
	if p, in := a.Add(1), a.In(); p != "$2" || in != "(NULL)" {
		t.Errorf("args: %s %s", p, in)
	}
	if in := a.In("a", "b"); in != "($3,$4)" || len(a.List()) != 4 {
		t.Errorf("args in: %s %v", in, a.List())
	}
}

func TestDialectHelpers(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		// Multi-row VALUES with a constant column, after one plain argument.
		utc := func(s string) time.Time { v, _ := time.Parse("2006-01-02 15:04", s); return v }
		rows := []any{
			"a", `{"grade":"A","n":1}`, utc("2026-09-30 15:59"), // 23:59 on Sep 30 in Shanghai
			"b", `{"grade":"B"}`, utc("2026-09-30 16:00"), // 00:00 on Oct 1 in Shanghai
			"c", `{}`, utc("2026-10-31 16:30"), // Nov 1 in Shanghai
		}
		if _, err := d.W(ctx).Exec(ctx, "INSERT INTO settings (key, value, updated_at) VALUES "+d.Dialect.Values(1, 3, 3), rows...); err != nil {
			t.Fatal(err)
		}
		// A long IN list after a $1 argument.
		a := d.Dialect.Args("{}")
		keys := []any{"a", "b", "c"}
		for i := range 1000 {
			keys = append(keys, fmt.Sprintf("none-%d", i))
		}
		var n int
		if err := d.Q(ctx).QueryRow(ctx, "SELECT COUNT(*) FROM settings WHERE value <> $1 AND key IN "+a.In(keys...), a.List()...).Scan(&n); err != nil || n != 2 {
			t.Fatalf("IN: n=%d err=%v", n, err)
		}
		// A list from argument 1 followed by another placeholder.
		c := d.Dialect.Args()
		q := "SELECT COUNT(*) FROM settings WHERE key IN " + c.In(keys...) + " AND value <> " + c.Add("{}")
		if err := d.Q(ctx).QueryRow(ctx, q, c.List()...).Scan(&n); err != nil || n != 2 {
			t.Fatalf("IN first: n=%d err=%v", n, err)
		}
		b := d.Dialect.Args()
		if err := d.Q(ctx).QueryRow(ctx, "SELECT COUNT(*) FROM settings WHERE key IN "+b.In(db.InValues([]string{})...), b.List()...).Scan(&n); err != nil || n != 0 {
			t.Fatalf("empty IN: n=%d err=%v", n, err)
		}
		// JSON field.
		got := map[string]string{}
		r, err := d.Q(ctx).Query(ctx, "SELECT key, COALESCE("+d.Dialect.JSONText("value", "grade")+", '-') FROM settings ORDER BY key")
		if err != nil {
			t.Fatal(err)
		}
		for r.Next() {
			var k, g string
			if err := r.Scan(&k, &g); err != nil {
				t.Fatal(err)
			}
			got[k] = g
		}
		r.Close()
		if got["a"] != "A" || got["b"] != "B" || got["c"] != "-" {
			t.Fatalf("JSON: %v", got)
		}
		// Month and day in Asia/Shanghai.
		for _, c := range []struct {
			expr   string
			format func(any) string
			want   map[string]int
		}{
			{d.Dialect.GroupMonth("updated_at"), db.MonthOf, map[string]int{"2026-09": 1, "2026-10": 1, "2026-11": 1}},
			{d.Dialect.GroupDay("updated_at"), db.DayOf, map[string]int{"2026-09-30": 1, "2026-10-01": 1, "2026-11-01": 1}},
		} {
			r, err := d.Q(ctx).Query(ctx, "SELECT "+c.expr+", COUNT(*) FROM settings GROUP BY 1 ORDER BY 1")
			if err != nil {
				t.Fatal(err)
			}
			seen := map[string]int{}
			for r.Next() {
				var k any
				var n int
				if err := r.Scan(&k, &n); err != nil {
					t.Fatal(err)
				}
				seen[c.format(k)] = n
			}
			r.Close()
			if fmt.Sprint(seen) != fmt.Sprint(c.want) {
				t.Errorf("%s: %v, want %v", c.expr, seen, c.want)
			}
		}
		// Planner statistics: runs (PostgreSQL) or does nothing (SQLite), in a transaction too.
		if err := d.WithTx(ctx, func(ctx context.Context) error { return d.RefreshStats(ctx, "settings") }); err != nil {
			t.Fatal(err)
		}
	})
}
