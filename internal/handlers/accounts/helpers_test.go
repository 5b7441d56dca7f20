package accounts_test

import (
	"context"
	"net/http"
	"strings"
	"testing"

	"yingshang/internal/account"
	"yingshang/internal/auth"
	"yingshang/internal/db"
	"yingshang/internal/site/sitetest"
)

// engines runs fn on a fresh site per database engine.
func engines(t *testing.T, fn func(t *testing.T, env *sitetest.Env)) {
	for _, e := range []db.Dialect{db.SQLite, db.Postgres} {
		t.Run(string(e), func(t *testing.T) { fn(t, sitetest.New(t, e)) })
	}
}

// want fails unless the response has the status and contains every text.
func want(t *testing.T, what string, r *sitetest.Response, status int, texts ...string) {
	t.Helper()
	if r.StatusCode != status {
		t.Fatalf("%s: status %d, want %d\n%s", what, r.StatusCode, status, r.Body)
	}
	for _, s := range texts {
		if !strings.Contains(r.Body, s) {
			t.Fatalf("%s: body lacks %q\n%s", what, s, r.Body)
		}
	}
}

// location fails unless r redirects and returns the target.
func location(t *testing.T, what string, r *sitetest.Response) string {
	t.Helper()
	if r.StatusCode != http.StatusSeeOther {
		t.Fatalf("%s: status %d, want a redirect\n%s", what, r.StatusCode, r.Body)
	}
	return r.Header.Get("Location")
}

// lastCode reads the newest SMS code sent to phone from the outbox.
func lastCode(t *testing.T, env *sitetest.Env, phone string) string {
	t.Helper()
	return env.LastSMSCode(t, phone)
}

// count runs a COUNT(*) query.
func count(t *testing.T, env *sitetest.Env, query string, args ...any) int {
	t.Helper()
	ctx := context.Background()
	var n int
	if err := env.App.DB.Q(ctx).QueryRow(ctx, query, args...).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

// addUser creates an account as the system.
func addUser(t *testing.T, env *sitetest.Env, in account.UserInput) int64 {
	t.Helper()
	if in.Password == "" {
		in.Password = sitetest.Password
	}
	u, err := env.App.Accounts.CreateUser(sitetest.System(), in)
	if err != nil {
		t.Fatal(err)
	}
	env.Users[in.Username] = u.ID
	return u.ID
}

// wdAdmin adds a department admin of WD-SJJ, which manages USCCA.
func wdAdmin(t *testing.T, env *sitetest.Env) {
	t.Helper()
	addUser(t, env, account.UserInput{Username: "wd-admin", DisplayName: "魏都区市监局管理员", DepartmentID: env.Depts["WD-SJJ"],
		Roles: []auth.Role{auth.DeptAdmin}, Phone: "13700000001"})
}
