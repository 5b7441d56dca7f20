package account_test

import (
	"context"
	"testing"
	"time"

	"yingshang/internal/account"
	"yingshang/internal/db"
	"yingshang/internal/site/sitetest"
	"yingshang/internal/yserr"
)

// TestPhoneCodes: codes of another purpose than registration are sent,
// limited and verified per purpose, once each.
func TestPhoneCodes(t *testing.T) {
	for _, e := range []db.Dialect{db.SQLite, db.Postgres} {
		t.Run(string(e), func(t *testing.T) {
			env := sitetest.New(t, e)
			ctx := context.Background()
			p := &account.PhoneCodes{Accounts: env.App.Accounts, Notify: env.App.Notify}
			if _, err := p.Send(ctx, "holder", "1391234", "zh-CN"); yserr.As(err).Field != "phone" {
				t.Fatalf("short number: %v", err)
			}
			if _, err := p.Send(ctx, account.PurposeRegister, "13912345678", "zh-CN"); err == nil {
				t.Fatal("the registration purpose is reserved for the Registrar")
			}
			masked, err := p.Send(ctx, "holder", "+86 139 1234 5678", "zh-CN")
			if err != nil || masked != "139****5678" {
				t.Fatalf("send: %q %v", masked, err)
			}
			code := sentCode(t, env)
			// One code a minute per phone and purpose; another purpose is separate.
			if _, err := p.Send(ctx, "holder", "13912345678", "zh-CN"); !yserr.Is(err, yserr.TooMany) {
				t.Fatalf("second code within a minute: %v", err)
			}
			if _, err := p.Send(ctx, "other_flow", "13912345678", "zh-CN"); err != nil {
				t.Fatalf("another purpose: %v", err)
			}
			otherCode := sentCode(t, env)
			if otherCode != code {
				if err := p.Verify(ctx, "holder", "13912345678", otherCode); yserr.As(err).Field != "code" {
					t.Fatalf("the other purpose's code: %v", err)
				}
			}
			if err := p.Verify(ctx, "holder", "13912345678", "12ab"); yserr.As(err).Field != "code" {
				t.Fatalf("malformed code: %v", err)
			}
			if err := p.Verify(ctx, "holder", "139-1234-5678", code); err != nil {
				t.Fatalf("right code: %v", err)
			}
			if err := p.Verify(ctx, "holder", "13912345678", code); yserr.As(err).Field != "code" {
				t.Fatalf("used code: %v", err)
			}
			// Expiry.
			env.Clock.Set(env.Clock.Now().Add(2 * time.Minute))
			if _, err := p.Send(ctx, "holder", "13912345678", "zh-CN"); err != nil {
				t.Fatal(err)
			}
			code = sentCode(t, env)
			env.Clock.Set(env.Clock.Now().Add(account.CodeTTL + time.Second))
			if err := p.Verify(ctx, "holder", "13912345678", code); yserr.As(err).Field != "code" {
				t.Fatalf("expired code: %v", err)
			}
		})
	}
}
