package account_test

import (
	"context"
	"crypto/rand"
	"crypto/rsa"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"github.com/coreos/go-oidc/v3/oidc"
	"github.com/coreos/go-oidc/v3/oidc/oidctest"

	"yingshang/internal/account"
	"yingshang/internal/db"
	"yingshang/internal/site/sitetest"
	"yingshang/internal/yserr"
)

func TestSSOStartAndState(t *testing.T) {
	env := sitetest.New(t, db.SQLite)
	key, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	disc := &oidctest.Server{PublicKeys: []oidctest.PublicKey{{PublicKey: key.Public(), KeyID: "k1", Algorithm: oidc.RS256}}}
	srv := httptest.NewServer(disc)
	defer srv.Close()
	disc.SetIssuer(srv.URL)
	sso := &account.SSO{Accounts: env.App.Accounts, Issuer: srv.URL, ClientID: "yingshang", ClientSecret: "s", RedirectURL: "http://yingshang.test/auth/oidc/callback"}
	ctx := context.Background()
	authURL, sealed, err := sso.Start(ctx, "/admin/users")
	if err != nil {
		t.Fatal(err)
	}
	u, err := url.Parse(authURL)
	if err != nil {
		t.Fatal(err)
	}
	q := u.Query()
	if u.Path != "/auth" || q.Get("client_id") != "yingshang" || q.Get("code_challenge_method") != "S256" || q.Get("code_challenge") == "" ||
		q.Get("nonce") == "" || q.Get("state") == "" || q.Get("redirect_uri") != sso.RedirectURL || q.Get("scope") != "openid profile email" {
		t.Fatalf("authorisation URL: %s", authURL)
	}
	// The sealed state reveals nothing and must match.
	for _, s := range []string{q.Get("state"), q.Get("nonce"), "/admin/users"} {
		if contains(sealed, s) {
			t.Fatalf("sealed state shows %q", s)
		}
	}
	for name, c := range map[string][2]string{
		"other state": {sealed, "other"},
		"no cookie":   {"", q.Get("state")},
		"tampered":    {sealed[:len(sealed)-2] + "AA", q.Get("state")},
	} {
		if _, _, err := sso.Finish(ctx, c[0], c[1], "code"); !yserr.Is(err, yserr.Invalid) {
			t.Errorf("%s: %v", name, err)
		}
	}
	// Two starts give different states.
	_, sealed2, _ := sso.Start(ctx, "/")
	if sealed2 == sealed {
		t.Fatal("state reused")
	}
	// An unreachable provider is "unavailable", not an internal error.
	down := &account.SSO{Accounts: env.App.Accounts, Issuer: "http://127.0.0.1:1", ClientID: "x"}
	if _, _, err := down.Start(ctx, "/"); !yserr.Is(err, yserr.Unavailable) {
		t.Fatalf("provider down: %v", err)
	}
}

func contains(s, sub string) bool { return sub != "" && strings.Contains(s, sub) }
