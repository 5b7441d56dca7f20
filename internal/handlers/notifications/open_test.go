package notifications_test

import (
	"fmt"
	"net/http"
	"strings"
	"testing"

	"yingshang/internal/notify"
	"yingshang/internal/site/sitetest"
)

// Opening a message from the inbox marks it read and leads to its item;
// another user's message does not open; the API shows the message's
// times in Asia/Shanghai with their offset (issue 13).
func TestOpenMarksReadAndLeadsToTheItem(t *testing.T) {
	for _, e := range engines {
		t.Run(string(e), func(t *testing.T) {
			env := sitetest.New(t, e)
			ids, err := env.App.Notify.Send(sitetest.System(), notify.Message{Type: notify.TypeBindingApproved,
				To: []notify.Recipient{{UserID: env.Users["sjj-staff"]}}, Channels: []string{notify.ChannelInApp}, Link: "/register/status",
				Data: map[string]any{"entity": "许昌市示例科技有限公司", "uscc": "91411000MA44XXXX0X"}})
			if err != nil || len(ids) != 1 {
				t.Fatalf("send: %v %v", ids, err)
			}
			if n := get(t, env, ids[0]); n.ReadAt != nil {
				t.Fatal("read before it was opened")
			}
			if r := env.Login(t, "ent").Get(t, fmt.Sprintf("/inbox/%d/open", ids[0])); r.StatusCode != http.StatusNotFound {
				t.Fatalf("another user opens it: %d", r.StatusCode)
			}
			if n := get(t, env, ids[0]); n.ReadAt != nil {
				t.Fatal("another user's open marked it read")
			}
			staff := env.Login(t, "sjj-staff")
			r := staff.Get(t, fmt.Sprintf("/inbox/%d/open", ids[0]))
			if r.StatusCode != http.StatusSeeOther || r.Header.Get("Location") != "/register/status" {
				t.Fatalf("open: %d %q", r.StatusCode, r.Header.Get("Location"))
			}
			if n := get(t, env, ids[0]); n.ReadAt == nil {
				t.Fatal("not marked read")
			}
			api := env.API(t, env.Token(t, "admin"), "GET", fmt.Sprintf("/api/v1/notifications/%d", ids[0]), nil)
			if !strings.Contains(api.Body, `+08:00"`) || strings.Contains(api.Body, `Z"`) {
				t.Errorf("API times not in Asia/Shanghai: %s", api.Body)
			}
		})
	}
}
