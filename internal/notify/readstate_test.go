package notify_test

import (
	"context"
	"testing"
	"time"

	"yingshang/internal/db"
	"yingshang/internal/db/dbtest"
	"yingshang/internal/notify"
)

// The read state a module asks about its own objects: the first read of
// any in-app message of each object, and the objects reached and read.
func TestReadByObject(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		e := newEnv(t, d, nil)
		alice := e.user("alice", "13812345678", "", "zh-CN")
		bob := e.user("bob", "13912345678", "", "zh-CN")
		data := map[string]any{"entity": "许昌市示例科技有限公司", "uscc": "91411000MA44XXXX0X"}
		send := func(obj string, to ...int64) []int64 {
			var rs []notify.Recipient
			for _, u := range to {
				rs = append(rs, notify.Recipient{UserID: u})
			}
			return e.send(notify.Message{Type: notify.TypeBindingApproved, To: rs, Channels: []string{notify.ChannelInApp},
				Data: data, ObjectType: "thing", ObjectID: obj})
		}
		one := send("1", alice, bob)
		send("2", alice)
		e.send(notify.Message{Type: notify.TypeBindingApproved, To: []notify.Recipient{{UserID: bob}}, Channels: []string{notify.ChannelInApp},
			Data: data, ObjectType: "other", ObjectID: "1"})
		ctx := context.Background()
		read, err := e.s.ReadByObject(ctx, "thing", []string{"1", "2", "3"})
		if err != nil || len(read) != 0 {
			t.Fatalf("nothing read yet: %v %v", read, err)
		}
		e.clk.Advance(time.Hour)
		first := e.clk.Now()
		if err := e.s.MarkRead(as(bob), one[1]); err != nil {
			t.Fatal(err)
		}
		e.clk.Advance(time.Hour)
		if err := e.s.MarkRead(as(alice), one[0]); err != nil {
			t.Fatal(err)
		}
		read, err = e.s.ReadByObject(ctx, "thing", []string{"1", "2"})
		if err != nil || len(read) != 1 || !read["1"].Equal(first) {
			t.Fatalf("read state: %v %v (want 1 at %v)", read, err, first)
		}
		reached, nread, err := e.s.ReadCounts(ctx, "thing")
		if err != nil || reached != 2 || nread != 1 {
			t.Fatalf("counts: %d %d %v", reached, nread, err)
		}
	})
}
