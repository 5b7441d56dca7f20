package account_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"yingshang/internal/account"
	"yingshang/internal/auth"
	"yingshang/internal/db"
	"yingshang/internal/db/dbtest"
	"yingshang/internal/yserr"
)

// TestStrangerCannotLockOut (issue 11, item 8): a stranger guessing from
// one address is slowed down with growing waits, but the holder signs in
// from its own address at once; an unknown username gets exactly the same
// answers as a real one.
func TestStrangerCannotLockOut(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		s, c := newService(t, d) // MaxFailures 3, Lockout 10 minutes
		ctx := context.Background()
		if _, _, err := s.EnsureAdmin(ctx, "admin", "管理员", "Passw0rd-123", false); err != nil {
			t.Fatal(err)
		}
		answers := func(username string) []string {
			var out []string
			for i := range 12 {
				_, err := s.Login(ctx, username, fmt.Sprintf("guess-%d", i), "203.0.113.66", "")
				e := yserr.As(err)
				out = append(out, fmt.Sprintf("%s %s %s", e.Code, e.ZH, e.EN))
				c.Advance(time.Second)
			}
			return out
		}
		real := answers("admin")
		if _, err := s.Login(ctx, "admin", "Passw0rd-123", "203.0.113.66", ""); !yserr.Is(err, yserr.TooMany) {
			t.Fatalf("the guessing address is not made to wait: %v", err)
		}
		unknown := answers("no-such-user")
		for i := range real {
			if real[i] != unknown[i] {
				t.Fatalf("try %d: the answers tell the names apart:\n%s\n%s", i+1, real[i], unknown[i])
			}
		}
		if real[0] != real[1] || real[len(real)-1] == real[0] {
			t.Fatalf("no growing wait: %v", real)
		}
		// The holder, elsewhere, is not locked out.
		if _, err := s.Login(ctx, "admin", "Passw0rd-123", "198.51.100.7", ""); err != nil {
			t.Fatalf("the holder is locked out by a stranger: %v", err)
		}
		// The wait doubles and is capped at Lockout.
		c.Advance(10*time.Minute + time.Second)
		if _, err := s.Login(ctx, "admin", "Passw0rd-123", "203.0.113.66", ""); err != nil {
			t.Fatalf("still waiting after the longest wait: %v", err)
		}
	})
}

// TestAccountLockNeedsManyAddresses: only many failures in a row from all
// addresses lock the account; while locked, the answer is the ordinary one.
func TestAccountLockNeedsManyAddresses(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		s, _ := newService(t, d)
		s.LockFailures = 4
		ctx := context.Background()
		if _, _, err := s.EnsureAdmin(ctx, "admin", "管理员", "Passw0rd-123", false); err != nil {
			t.Fatal(err)
		}
		for i := range 4 {
			if _, err := s.Login(ctx, "admin", "wrong-pass", fmt.Sprintf("203.0.113.%d", i+1), ""); !yserr.Is(err, yserr.Unauthorized) {
				t.Fatalf("try %d: %v", i+1, err)
			}
		}
		_, err := s.Login(ctx, "admin", "Passw0rd-123", "198.51.100.7", "")
		_, wrong := s.Login(ctx, "no-such-user", "Passw0rd-123", "198.51.100.7", "")
		if err == nil || err.Error() != wrong.Error() {
			t.Fatalf("locked account: %v (want the ordinary answer %v)", err, wrong)
		}
		u, _ := s.GetUser(sys, 1)
		if u == nil || u.LockedUntil == nil {
			t.Fatalf("account not locked: %+v", u)
		}
	})
}

// TestResetEndsSessions (issue 11, item 9): `admin create` on an existing
// account ends its sessions and revokes its tokens unless told to keep them.
func TestResetEndsSessions(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		s, _ := newService(t, d)
		ctx := context.Background()
		u, _, err := s.EnsureAdmin(ctx, "admin", "管理员", "Passw0rd-123", false)
		if err != nil {
			t.Fatal(err)
		}
		for _, keep := range []bool{false, true} {
			sess, err := s.Login(ctx, "admin", "Passw0rd-123", "127.0.0.1", "")
			if err != nil {
				t.Fatal(err)
			}
			raw, _, err := s.CreateToken(sys, u.ID, fmt.Sprintf("t-%v", keep), nil)
			if err != nil {
				t.Fatal(err)
			}
			if _, _, err := s.EnsureAdmin(ctx, "admin", "管理员", "Passw0rd-123", keep); err != nil {
				t.Fatal(err)
			}
			if _, _, err := s.SessionActor(ctx, sess.ID); !yserr.Is(err, yserr.Unauthorized) {
				t.Fatalf("keep=%v: a session survived the reset: %v", keep, err)
			}
			_, err = s.TokenActor(ctx, raw)
			if keep != (err == nil) {
				t.Fatalf("keep=%v: token after the reset: %v", keep, err)
			}
		}
	})
}

// TestAdminChosenPasswordMustChange: an account an administrator created
// must change its password before anything else; the platform's own
// accounts (demo, command line) are not forced.
func TestAdminChosenPasswordMustChange(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		s, _ := newService(t, d)
		ctx := context.Background()
		admin, _, err := s.EnsureAdmin(ctx, "admin", "管理员", "Passw0rd-123", false)
		if err != nil {
			t.Fatal(err)
		}
		sess, err := s.Login(ctx, "admin", "Passw0rd-123", "127.0.0.1", "")
		if err != nil || sess.Actor.MustChangePassword {
			t.Fatalf("the command line's admin is forced: %v %+v", err, sess)
		}
		actx := auth.WithActor(ctx, sess.Actor)
		if _, err := s.CreateUser(actx, account.UserInput{Username: "clerk", DisplayName: "职员", Password: "Initial-12345", Roles: []auth.Role{auth.Supervisor}}); err != nil {
			t.Fatal(err)
		}
		cs, err := s.Login(ctx, "clerk", "Initial-12345", "127.0.0.1", "")
		if err != nil || !cs.Actor.MustChangePassword {
			t.Fatalf("an admin's user is not forced: %v", err)
		}
		other, _ := s.Login(ctx, "clerk", "Initial-12345", "127.0.0.2", "")
		a, _, _ := s.SessionActor(ctx, cs.ID)
		if a == nil || !a.MustChangePassword {
			t.Fatal("the session does not carry the forced change")
		}
		cctx := auth.WithActor(ctx, a)
		if err := s.ChangePassword(cctx, "wrong-current-1", "Chosen-by-me-9", cs.ID); !yserr.Is(err, yserr.Invalid) {
			t.Fatalf("wrong current password: %v", err)
		}
		if err := s.ChangePassword(cctx, "Initial-12345", "Chosen-by-me-9", cs.ID); err != nil {
			t.Fatal(err)
		}
		if a, _, err := s.SessionActor(ctx, cs.ID); err != nil || a.MustChangePassword {
			t.Fatalf("after the change: %+v %v", a, err)
		}
		if _, _, err := s.SessionActor(ctx, other.ID); !yserr.Is(err, yserr.Unauthorized) {
			t.Fatalf("the other session survived the change: %v", err)
		}
		_ = admin
	})
}
