package demo_test

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"yingshang/internal/db"
	"yingshang/internal/db/dbtest"
	"yingshang/internal/demo"
	"yingshang/internal/site/sitetest"
)

// TestLoad loads the complete demo data set (core and every module) on a
// fresh database of each engine, as `serve --demo` does, and checks what a
// visitor of the demo relies on: every printed login works, loading twice
// creates nothing new, and no notification of the demo failed (a failed
// SMS on the dashboard of a fresh demo means a demo person lacks a phone).
func TestLoad(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		a, mods, _ := sitetest.Assemble(t, d)

		res, err := demo.Load(ctx, a, mods)
		if err != nil {
			t.Fatal(err)
		}
		if !res.Created || res.Entities == 0 || len(res.Logins) == 0 {
			t.Fatalf("first load: %+v", res)
		}
		for _, l := range res.Logins {
			if _, err := a.Accounts.Login(ctx, l.Username, l.Password, "127.0.0.1", "demo-test"); err != nil {
				t.Errorf("demo login %s (%s) does not work: %v", l.Username, l.Role, err)
			}
		}

		// Every failed notification, named (type, channel, object, reason).
		frows, err := d.Q(ctx).Query(ctx, "SELECT msg_type, channel, object_type, object_id, last_error FROM notifications WHERE status = 'failed' ORDER BY id LIMIT 20")
		if err != nil {
			t.Fatal(err)
		}
		var failed []string
		for frows.Next() {
			var typ, channel, objType, objID, reason string
			if err := frows.Scan(&typ, &channel, &objType, &objID, &reason); err != nil {
				t.Fatal(err)
			}
			failed = append(failed, fmt.Sprintf("%s/%s on %s %s: %s", typ, channel, objType, objID, reason))
		}
		frows.Close()
		if len(failed) != 0 {
			t.Errorf("%d demo notifications failed:\n%s", len(failed), strings.Join(failed, "\n"))
		}

		var entities int
		if err := d.Q(ctx).QueryRow(ctx, "SELECT COUNT(*) FROM entities").Scan(&entities); err != nil {
			t.Fatal(err)
		}
		again, err := demo.Load(ctx, a, mods)
		if err != nil {
			t.Fatal(err)
		}
		var after int
		if err := d.Q(ctx).QueryRow(ctx, "SELECT COUNT(*) FROM entities").Scan(&after); err != nil {
			t.Fatal(err)
		}
		if again.Created || after != entities {
			t.Errorf("second load created data: created=%v, entities %d -> %d", again.Created, entities, after)
		}
	})
}
