package draw_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"yingshang/internal/db"
	"yingshang/internal/db/dbtest"
	"yingshang/internal/draw"
)

// TestDrawnExpertWithAccountNotifiedOnce: an expert with both an account
// and a phone in the pool gets one in-app message and one SMS per
// assignment, and no message fails (two recipients used to get every
// channel each: an in-app message to the phone alone failed for want of
// an account, seen in the demo when a drawn member had a login).
func TestDrawnExpertWithAccountNotifiedOnce(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		e := newEnv(t, d)
		e.pool(12, 4)
		ctx := context.Background()
		// Every technical expert (they have phones) gets an account.
		for i := range 12 {
			uid := e.exec("INSERT INTO users (username, display_name, department_id, created_at, updated_at) VALUES ($1, $2, $3, $4, $4)",
				fmt.Sprintf("expert%02d", i), fmt.Sprintf("技术专家%d", i), e.centre, start)
			if _, err := d.W(ctx).Exec(ctx, "UPDATE draw_experts SET user_id = $1 WHERE id = (SELECT MIN(id) FROM draw_experts WHERE user_id IS NULL AND phone_enc IS NOT NULL)", uid); err != nil {
				t.Fatal(err)
			}
		}
		p := e.project()
		dr, err := e.s.CommitExperts(e.staff, p.ID, draw.ExpertDrawInput{Reserves: 2})
		if err != nil {
			t.Fatal(err)
		}
		e.clk.Advance(time.Minute)
		if _, err := e.s.Execute(e.staff, dr.ID, draw.DrawInput{WitnessName: "王见证", WitnessValue: "314159"}); err != nil {
			t.Fatal(err)
		}
		rows, err := d.Q(ctx).Query(ctx, `SELECT n.object_id, n.channel, n.status, n.last_error, COALESCE(n.user_id, 0) FROM notifications n
			WHERE n.msg_type = $1 ORDER BY n.id`, draw.MsgExpertDrawn)
		if err != nil {
			t.Fatal(err)
		}
		per := map[string]map[string]int{}
		withUser := 0
		for rows.Next() {
			var obj, channel, status, reason string
			var uid int64
			if err := rows.Scan(&obj, &channel, &status, &reason, &uid); err != nil {
				t.Fatal(err)
			}
			if status == "failed" {
				t.Errorf("assignment %s: %s message failed: %s", obj, channel, reason)
			}
			if per[obj] == nil {
				per[obj] = map[string]int{}
			}
			per[obj][channel]++
			if channel == "inapp" && uid != 0 {
				withUser++
			}
		}
		rows.Close()
		if len(per) == 0 || withUser == 0 {
			t.Fatalf("no drawn expert with an account was told: %v", per)
		}
		for obj, ch := range per {
			if ch["sms"] != 1 || ch["inapp"] > 1 {
				t.Errorf("assignment %s: messages per channel %v, want one SMS and at most one in-app", obj, ch)
			}
		}
	})
}
