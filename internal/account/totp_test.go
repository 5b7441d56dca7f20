package account_test

import (
	"context"
	"encoding/base32"
	"testing"
	"time"

	"yingshang/internal/auth"
	"yingshang/internal/db"
	"yingshang/internal/db/dbtest"
	"yingshang/internal/yserr"
)

// TestTOTPSecondFactor: an admin enrols, then needs a code to sign in; a
// code works once; a recovery code works once; an enterprise user cannot
// enrol; a command-line reset removes the factor.
func TestTOTPSecondFactor(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		s, c := newService(t, d)
		ctx := context.Background()
		if _, _, err := s.EnsureAdmin(ctx, "admin", "管理员", "Passw0rd-123", false); err != nil {
			t.Fatal(err)
		}
		sess, err := s.Login(ctx, "admin", "Passw0rd-123", "127.0.0.1", "")
		if err != nil {
			t.Fatal(err)
		}
		actx := auth.WithActor(ctx, sess.Actor)
		if _, err := s.ConfirmTOTP(actx, "123456"); !yserr.Is(err, yserr.Conflict) {
			t.Fatalf("confirm before begin: %v", err)
		}
		text, uri, err := s.BeginTOTP(actx)
		if err != nil || uri == "" {
			t.Fatal(err)
		}
		secret, _ := base32.StdEncoding.WithPadding(base32.NoPadding).DecodeString(text)
		code := func() string { return auth.TOTPCode(secret, auth.TOTPStepAt(c.Now())) }
		if _, err := s.ConfirmTOTP(actx, "000000"); !yserr.Is(err, yserr.Invalid) {
			t.Fatalf("wrong first code: %v", err)
		}
		recovery, err := s.ConfirmTOTP(actx, code())
		if err != nil || len(recovery) != 10 {
			t.Fatalf("confirm: %v %v", recovery, err)
		}
		if _, err := s.Login(ctx, "admin", "Passw0rd-123", "127.0.0.1", ""); yserr.As(err).Field != "totp_code" {
			t.Fatalf("sign-in without the code: %v", err)
		}
		c.Advance(31 * time.Second)
		now := code()
		if _, err := s.LoginCode(ctx, "admin", "Passw0rd-123", now, "127.0.0.1", ""); err != nil {
			t.Fatalf("sign-in with the code: %v", err)
		}
		if _, err := s.LoginCode(ctx, "admin", "Passw0rd-123", now, "127.0.0.1", ""); yserr.As(err).Field != "totp_code" {
			t.Fatalf("the same code twice: %v", err)
		}
		if _, err := s.LoginCode(ctx, "admin", "Passw0rd-123", recovery[0], "127.0.0.2", ""); err != nil {
			t.Fatalf("recovery code: %v", err)
		}
		if _, err := s.LoginCode(ctx, "admin", "Passw0rd-123", recovery[0], "127.0.0.3", ""); err == nil {
			t.Fatal("a recovery code worked twice")
		}
		ent := auth.WithActor(ctx, &auth.Actor{UserID: 99, Username: "ent", Roles: []auth.Role{auth.Enterprise}, Via: "session"})
		if _, _, err := s.BeginTOTP(ent); !yserr.Is(err, yserr.Forbidden) {
			t.Fatalf("enterprise enrolment: %v", err)
		}
		if _, _, err := s.EnsureAdmin(ctx, "admin", "管理员", "Passw0rd-456", false); err != nil {
			t.Fatal(err)
		}
		if _, err := s.Login(ctx, "admin", "Passw0rd-456", "127.0.0.4", ""); err != nil {
			t.Fatalf("after a command-line reset: %v", err)
		}
	})
}
