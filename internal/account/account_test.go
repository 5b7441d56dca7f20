package account_test

import (
	"context"
	"testing"
	"time"

	"yingshang/internal/account"
	"yingshang/internal/audit"
	"yingshang/internal/auth"
	"yingshang/internal/clock"
	"yingshang/internal/db"
	"yingshang/internal/db/dbtest"
	"yingshang/internal/secret"
	"yingshang/internal/yserr"
)

func newService(t *testing.T, d *db.DB) (*account.Service, *clock.Fake) {
	t.Helper()
	keys, err := secret.Parse("k1:" + secret.NewKey())
	if err != nil {
		t.Fatal(err)
	}
	c := clock.NewFixed(time.Date(2026, 11, 23, 9, 0, 0, 0, time.UTC))
	return &account.Service{DB: d, Audit: &audit.Log{DB: d, Clock: c}, Keys: keys, Clock: c, MaxFailures: 3, Lockout: 10 * time.Minute}, c
}

var sys = auth.WithActor(context.Background(), auth.System("test"))

func TestLoginLockoutAndSessions(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		s, c := newService(t, d)
		ctx := context.Background()
		if _, _, err := s.EnsureAdmin(ctx, "admin", "管理员", "Passw0rd-123", false); err != nil {
			t.Fatal(err)
		}
		_, errUnknown := s.Login(ctx, "nobody", "x", "127.0.0.1", "")
		_, errWrong := s.Login(ctx, "admin", "wrong-pass-1", "127.0.0.1", "")
		if errUnknown == nil || errWrong == nil || errUnknown.Error() != errWrong.Error() {
			t.Fatalf("unknown user and wrong password must give the same error: %v / %v", errUnknown, errWrong)
		}
		s.Login(ctx, "admin", "wrong-pass-2", "127.0.0.1", "")
		s.Login(ctx, "admin", "wrong-pass-3", "127.0.0.1", "")
		if _, err := s.Login(ctx, "admin", "Passw0rd-123", "127.0.0.1", ""); !yserr.Is(err, yserr.TooMany) {
			t.Fatalf("locked account let in: %v", err)
		}
		c.Advance(11 * time.Minute)
		sess, err := s.Login(ctx, "admin", "Passw0rd-123", "127.0.0.1", "")
		if err != nil {
			t.Fatal(err)
		}
		a, csrf, err := s.SessionActor(ctx, sess.ID)
		if err != nil || !a.Has(auth.PlatformAdmin) || csrf != sess.CSRF {
			t.Fatalf("session: %+v %v", a, err)
		}
		c.Advance(13 * time.Hour)
		if _, _, err := s.SessionActor(ctx, sess.ID); !yserr.Is(err, yserr.Unauthorized) {
			t.Fatalf("expired session accepted: %v", err)
		}
	})
}

func TestDepartmentScopeAndTokens(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		s, _ := newService(t, d)
		city, err := s.CreateDepartment(sys, account.DepartmentInput{Code: "XC", Name: "许昌市人民政府", Kind: "city", RegionCode: "411000"})
		if err != nil {
			t.Fatal(err)
		}
		amr, _ := s.CreateDepartment(sys, account.DepartmentInput{ParentID: city.ID, Code: "XC-SJJ", Name: "许昌市市场监督管理局", Kind: "bureau"})
		tax, _ := s.CreateDepartment(sys, account.DepartmentInput{ParentID: city.ID, Code: "XC-SWJ", Name: "许昌市税务局", Kind: "bureau"})
		if _, err := s.UpdateDepartment(sys, city.ID, account.DepartmentInput{ParentID: amr.ID, Code: "XC", Name: "x", Kind: "city"}); err == nil {
			t.Fatal("department moved below its own child")
		}
		adm, err := s.CreateUser(sys, account.UserInput{Username: "amr-admin", DisplayName: "王敏", Password: "Passw0rd-123", DepartmentID: amr.ID, Roles: []auth.Role{auth.DeptAdmin}})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := s.CreateUser(sys, account.UserInput{Username: "amr-admin", DisplayName: "重名", Password: "Passw0rd-123", Roles: []auth.Role{auth.Supervisor}}); !yserr.Is(err, yserr.Conflict) {
			t.Fatalf("duplicate username: %v", err)
		}
		sess, err := s.Login(context.Background(), "amr-admin", "Passw0rd-123", "", "")
		if err != nil {
			t.Fatal(err)
		}
		ctx := auth.WithActor(context.Background(), sess.Actor)
		// A department admin manages users of its own department only...
		if _, err := s.CreateUser(ctx, account.UserInput{Username: "amr-staff", DisplayName: "李强", Password: "Passw0rd-123", DepartmentID: amr.ID, Roles: []auth.Role{auth.DeptStaff}, Phone: "13812345678"}); err != nil {
			t.Fatal(err)
		}
		if _, err := s.CreateUser(ctx, account.UserInput{Username: "tax-staff", DisplayName: "赵六", Password: "Passw0rd-123", DepartmentID: tax.ID, Roles: []auth.Role{auth.DeptStaff}}); !yserr.Is(err, yserr.Forbidden) {
			t.Fatalf("admin created a user in another department: %v", err)
		}
		// ...and cannot grant platform-wide roles.
		if _, err := s.CreateUser(ctx, account.UserInput{Username: "sneaky", DisplayName: "某", Password: "Passw0rd-123", DepartmentID: amr.ID, Roles: []auth.Role{auth.PlatformAdmin}}); !yserr.Is(err, yserr.Forbidden) {
			t.Fatalf("dept admin granted platform admin: %v", err)
		}
		users, total, err := s.ListUsers(ctx, account.UserFilter{})
		if err != nil || total != 2 || len(users) != 2 {
			t.Fatalf("scoped list: %d %v", total, err)
		}
		for _, u := range users {
			if u.Phone != "" && u.Phone != "138****5678" {
				t.Fatalf("phone not masked: %q", u.Phone)
			}
		}
		// Tokens: shown once, hashed, revocable.
		raw, tok, err := s.CreateToken(ctx, adm.ID, "12345 系统对接", nil)
		if err != nil {
			t.Fatal(err)
		}
		a, err := s.TokenActor(context.Background(), raw)
		if err != nil || a.UserID != adm.ID || a.Via != "token" {
			t.Fatalf("token actor: %+v %v", a, err)
		}
		var stored string
		d.Q(context.Background()).QueryRow(context.Background(), "SELECT token_hash FROM api_tokens WHERE id=$1", tok.ID).Scan(&stored)
		if stored == raw || stored == "" {
			t.Fatal("token stored in clear")
		}
		if err := s.RevokeToken(ctx, tok.ID); err != nil {
			t.Fatal(err)
		}
		if _, err := s.TokenActor(context.Background(), raw); !yserr.Is(err, yserr.Unauthorized) {
			t.Fatalf("revoked token accepted: %v", err)
		}
	})
}
