package notify_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"yingshang/internal/db"
	"yingshang/internal/db/dbtest"
	"yingshang/internal/notify"
)

// TestDeliveriesBatched: a backlog of SMS committed at once is delivered
// by the workers with their outcomes written in batched UPDATEs, each
// message exactly once (one line in the SMS log per row, one attempt,
// the row's own provider id), on both engines.
func TestDeliveriesBatched(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		sms := logSMS(t)
		e := newEnv(t, d, func(s *notify.Service) { s.SMS = sms })
		const n = 300
		var ids []int64
		err := d.WithTx(context.Background(), func(ctx context.Context) error {
			for i := range n {
				got, err := e.s.Send(ctx, notify.Message{Type: notify.TypeTest, Channels: []string{notify.ChannelSMS},
					To:   []notify.Recipient{{Phone: "13937451234"}},
					Data: map[string]any{"sender": "test", "time": "2026-11-23 09:00", "note": fmt.Sprint("第", i, "条")}})
				if err != nil {
					return err
				}
				ids = append(ids, got...)
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
		if len(ids) != n {
			t.Fatalf("%d rows for %d messages", len(ids), n)
		}
		deadline := time.Now().Add(2 * time.Minute)
		for e.count("SELECT COUNT(*) FROM notifications WHERE status = 'queued'") > 0 {
			if time.Now().After(deadline) {
				t.Fatalf("still queued after 2 minutes: %d", e.count("SELECT COUNT(*) FROM notifications WHERE status = 'queued'"))
			}
			time.Sleep(20 * time.Millisecond)
		}
		for _, id := range ids {
			if r := e.get(id); r.Status != notify.StatusSent || r.Attempts != 1 || r.SentAt == nil || r.ProviderID != fmt.Sprint(id) {
				t.Fatalf("row %d: %+v", id, r)
			}
		}
		sent := map[string]int{}
		for _, l := range readLog(t, sms.Path) {
			sent[l.ID]++
		}
		for _, id := range ids {
			if sent[fmt.Sprint(id)] != 1 {
				t.Fatalf("notification %d sent %d times", id, sent[fmt.Sprint(id)])
			}
		}
		if len(sent) != n {
			t.Fatalf("%d messages in the SMS log, want %d", len(sent), n)
		}
		batches, rows := e.s.DeliveryBatches()
		t.Logf("%d rows in %d batched UPDATEs", rows, batches)
		if rows != n || batches >= rows {
			t.Fatalf("%d rows in %d batches: not batched", rows, batches)
		}
	})
}
