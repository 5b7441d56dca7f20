package notifications_test

import (
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"yingshang/internal/account"
	"yingshang/internal/auth"
	"yingshang/internal/db"
	"yingshang/internal/notify"
	"yingshang/internal/site/sitetest"
)

// engines are the databases every scenario runs on.
var engines = []db.Dialect{db.SQLite, db.Postgres}

// sendTest sends a test message through the API as the admin and returns
// the ids of the rows created.
func sendTest(t *testing.T, env *sitetest.Env, to notify.Recipient, note string, channels ...string) []int64 {
	t.Helper()
	r := env.API(t, env.Token(t, "admin"), "POST", "/api/v1/notifications/test", map[string]any{"to": to, "channels": channels, "note": note})
	if r.StatusCode != http.StatusCreated {
		t.Fatalf("send test: %d %s", r.StatusCode, r.Body)
	}
	var res struct {
		IDs []int64 `json:"ids"`
	}
	r.JSON(t, &res)
	return res.IDs
}

// get reads a notification through the API as the admin.
func get(t *testing.T, env *sitetest.Env, id int64) notify.Notification {
	t.Helper()
	r := env.API(t, env.Token(t, "admin"), "GET", fmt.Sprintf("/api/v1/notifications/%d", id), nil)
	if r.StatusCode != http.StatusOK {
		t.Fatalf("get %d: %d %s", id, r.StatusCode, r.Body)
	}
	var n notify.Notification
	r.JSON(t, &n)
	return n
}

// waitStatus waits (at most 30 s) for the delivery job to bring a row to
// status.
func waitStatus(t *testing.T, env *sitetest.Env, id int64, status string) notify.Notification {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for {
		n := get(t, env, id)
		if n.Status == status {
			return n
		}
		if time.Now().After(deadline) {
			t.Fatalf("notification %d: status %s (%s), want %s", id, n.Status, n.LastError, status)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// userWithoutPhone creates a staff account with no phone number.
func userWithoutPhone(t *testing.T, env *sitetest.Env) int64 {
	t.Helper()
	u, err := env.App.Accounts.CreateUser(sitetest.System(), accountInput(env, ""))
	if err != nil {
		t.Fatal(err)
	}
	return u.ID
}

func setPhone(t *testing.T, env *sitetest.Env, id int64, phone string) {
	t.Helper()
	if _, err := env.App.Accounts.UpdateUser(sitetest.System(), id, accountInput(env, phone)); err != nil {
		t.Fatal(err)
	}
}

// form builds url.Values from pairs.
func form(kv ...string) url.Values {
	v := url.Values{}
	for i := 0; i+1 < len(kv); i += 2 {
		v.Add(kv[i], kv[i+1])
	}
	return v
}

func contains(t *testing.T, what, body string, wants ...string) {
	t.Helper()
	for _, w := range wants {
		if !strings.Contains(body, w) {
			t.Errorf("%s lacks %q", what, w)
		}
	}
	if t.Failed() {
		t.Logf("%s:\n%s", what, body)
		t.FailNow()
	}
}

var secretRe = regexp.MustCompile(`whsec_[0-9a-f]+`)

// accountInput describes the account "nophone" of the market-regulation
// bureau, with the given phone number.
func accountInput(env *sitetest.Env, phone string) account.UserInput {
	return account.UserInput{Username: "nophone", DisplayName: "无手机号用户", Password: sitetest.Password, Phone: phone,
		DepartmentID: env.Depts["XC-SJJ"], Roles: []auth.Role{auth.DeptStaff}}
}
