package accounts_test

import (
	"encoding/base32"
	"regexp"
	"testing"
	"time"

	"net/url"

	"yingshang/internal/auth"
	"yingshang/internal/db"
	"yingshang/internal/site/sitetest"
)

// TestTOTPPages: an admin enrols an authenticator on its page and then
// signs in with password and code; an enterprise user has no such page.
func TestTOTPPages(t *testing.T) {
	env := sitetest.New(t, db.SQLite)
	admin := env.Login(t, "admin")
	want(t, "page", admin.Get(t, "/account/totp"), 200, `data-testid="totp-begin"`)
	r := admin.PostForm(t, "/account/totp", url.Values{})
	want(t, "begin", r, 200, `data-testid="totp-uri"`, "otpauth://totp/")
	m := regexp.MustCompile(`data-testid="totp-secret">([A-Z2-7]+)<`).FindStringSubmatch(r.Body)
	if m == nil {
		t.Fatalf("no secret on the page:\n%s", r.Body)
	}
	secret, _ := base32.StdEncoding.WithPadding(base32.NoPadding).DecodeString(m[1])
	code := func() string { return auth.TOTPCode(secret, auth.TOTPStepAt(env.Clock.Now())) }
	want(t, "confirm", admin.PostForm(t, "/account/totp/confirm", url.Values{"totp_code": {code()}}), 200, `data-testid="recovery-codes"`)
	anon := env.Anonymous()
	want(t, "no code", anon.PostForm(t, "/login", url.Values{"username": {"admin"}, "password": {sitetest.Password}}), 400, "totp_code-err")
	env.Clock.Advance(31 * time.Second)
	location(t, "with the code", anon.PostForm(t, "/login", url.Values{"username": {"admin"}, "password": {sitetest.Password}, "totp_code": {code()}}))
	want(t, "enterprise", env.Login(t, "ent").Get(t, "/account/totp"), 403)
}
