package accounts_test

import (
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/coreos/go-oidc/v3/oidc"
	"github.com/coreos/go-oidc/v3/oidc/oidctest"

	"yingshang/internal/account"
	"yingshang/internal/auth"
	"yingshang/internal/db"
	"yingshang/internal/site/sitetest"
)

// idp is an in-process OpenID Connect provider: discovery and JWKS (from
// oidctest), an authorisation endpoint that signs the configured person
// in at once, and a token endpoint that checks the client secret and PKCE.
type idp struct {
	t     *testing.T
	srv   *httptest.Server
	key   *rsa.PrivateKey
	clock func() time.Time

	mu     sync.Mutex
	claims map[string]any // the next person to sign in
	nonce  string         // when set, replaces the request's nonce
	ttl    time.Duration  // ID token lifetime
	grants map[string]grant
	pkce   int // token requests whose verifier matched
}

type grant struct{ nonce, challenge, redirect string }

const (
	clientID     = "yingshang"
	clientSecret = "s3cret-value"
)

func newIdP(t *testing.T, clock func() time.Time) *idp {
	key, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	p := &idp{t: t, key: key, clock: clock, grants: map[string]grant{}, ttl: time.Hour}
	disc := &oidctest.Server{PublicKeys: []oidctest.PublicKey{{PublicKey: key.Public(), KeyID: "k1", Algorithm: oidc.RS256}}}
	mux := http.NewServeMux()
	mux.Handle("/.well-known/openid-configuration", disc)
	mux.Handle("/keys", disc)
	mux.HandleFunc("/auth", p.authorize)
	mux.HandleFunc("/token", p.token)
	p.srv = httptest.NewServer(mux)
	t.Cleanup(p.srv.Close)
	disc.SetIssuer(p.srv.URL)
	return p
}

func (p *idp) as(claims map[string]any) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.claims, p.nonce = claims, ""
}

func (p *idp) authorize(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	if q.Get("client_id") != clientID || q.Get("response_type") != "code" || q.Get("code_challenge_method") != "S256" || q.Get("nonce") == "" {
		http.Error(w, "bad authorisation request", http.StatusBadRequest)
		return
	}
	code := fmt.Sprintf("code-%d", time.Now().UnixNano())
	p.mu.Lock()
	p.grants[code] = grant{nonce: q.Get("nonce"), challenge: q.Get("code_challenge"), redirect: q.Get("redirect_uri")}
	p.mu.Unlock()
	http.Redirect(w, r, q.Get("redirect_uri")+"?"+url.Values{"code": {code}, "state": {q.Get("state")}}.Encode(), http.StatusFound)
}

func (p *idp) token(w http.ResponseWriter, r *http.Request) {
	id, secret, ok := r.BasicAuth()
	if !ok {
		id, secret = r.PostFormValue("client_id"), r.PostFormValue("client_secret")
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	g, found := p.grants[r.PostFormValue("code")]
	delete(p.grants, r.PostFormValue("code"))
	sum := sha256.Sum256([]byte(r.PostFormValue("code_verifier")))
	switch {
	case id != clientID || secret != clientSecret:
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusUnauthorized)
		_, _ = w.Write([]byte(`{"error":"invalid_client"}`))
		return
	case !found || g.redirect != r.PostFormValue("redirect_uri") || base64.RawURLEncoding.EncodeToString(sum[:]) != g.challenge:
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusBadRequest)
		_, _ = w.Write([]byte(`{"error":"invalid_grant"}`))
		return
	}
	p.pkce++
	now := p.clock()
	claims := map[string]any{"iss": p.srv.URL, "aud": clientID, "iat": now.Unix(), "exp": now.Add(p.ttl).Unix(), "nonce": g.nonce}
	if p.nonce != "" {
		claims["nonce"] = p.nonce
	}
	for k, v := range p.claims {
		claims[k] = v
	}
	b, _ := json.Marshal(claims)
	idToken := oidctest.SignIDToken(p.key, "k1", oidc.RS256, string(b))
	w.Header().Set("Content-Type", "application/json")
	_ = json.NewEncoder(w).Encode(map[string]any{"access_token": "at", "token_type": "Bearer", "expires_in": 3600, "id_token": idToken})
}

// ssoSignIn runs the browser's side: start, the provider, the callback.
func ssoSignIn(t *testing.T, env *sitetest.Env, c *sitetest.Client, next string) *sitetest.Response {
	t.Helper()
	r := c.Get(t, "/auth/oidc/start?next="+url.QueryEscape(next))
	if r.StatusCode != http.StatusSeeOther {
		t.Fatalf("start: %d %s", r.StatusCode, r.Body)
	}
	if ck := r.Header.Get("Set-Cookie"); !strings.Contains(ck, "ys_oidc=") || !strings.Contains(ck, "HttpOnly") || !strings.Contains(ck, "Max-Age=600") {
		t.Fatalf("state cookie: %s", ck)
	}
	resp, err := c.HTTP.Get(r.Header.Get("Location"))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	back, err := url.Parse(resp.Header.Get("Location"))
	if err != nil || resp.StatusCode != http.StatusFound {
		t.Fatalf("provider: %d %v", resp.StatusCode, err)
	}
	return c.Get(t, back.RequestURI())
}

func TestSingleSignOn(t *testing.T) {
	engines(t, func(t *testing.T, env *sitetest.Env) {
		want(t, "off", env.Anonymous().Get(t, "/auth/oidc/start"), 404, "本平台未启用统一身份认证登录")
		p := newIdP(t, env.Clock.Now)
		cfg := env.App.Cfg
		cfg.OIDCIssuer, cfg.OIDCClientID, cfg.OIDCClientSecret, cfg.OIDCRedirectURL = p.srv.URL, clientID, clientSecret, env.HTTP.URL+"/auth/oidc/callback"
		want(t, "login page", env.Anonymous().Get(t, "/login"), 200, "/auth/oidc/start")
		users := count(t, env, "SELECT COUNT(*) FROM users")

		// First sign-in: matched by username, the subject stored.
		p.as(map[string]any{"sub": "gov-1001", "preferred_username": "sjj-staff", "name": "市监局工作人员"})
		c := env.Anonymous()
		r := ssoSignIn(t, env, c, "/admin/tokens")
		if loc := location(t, "callback", r); loc != "/admin/tokens" {
			t.Fatalf("after sign-in: %s", loc)
		}
		if u, _ := me(t, c); u != "sjj-staff" {
			t.Fatalf("signed in as %q", u)
		}
		if n := count(t, env, "SELECT COUNT(*) FROM users WHERE username = 'sjj-staff' AND oidc_subject = 'gov-1001'"); n != 1 {
			t.Fatal("subject not stored")
		}
		if n := count(t, env, "SELECT COUNT(*) FROM audit_events WHERE action = 'user.oidc_link'"); n != 1 {
			t.Fatalf("link audit events: %d", n)
		}
		// Later: the subject decides, whatever the username claim says; next stays on the site.
		p.as(map[string]any{"sub": "gov-1001", "preferred_username": "renamed"})
		c = env.Anonymous()
		if loc := location(t, "second", ssoSignIn(t, env, c, "//evil.example/")); loc != "/" {
			t.Fatalf("open redirect: %s", loc)
		}
		if u, _ := me(t, c); u != "sjj-staff" {
			t.Fatalf("second sign-in as %q", u)
		}
		// By a verified e-mail address held by one account.
		addUser(t, env, account.UserInput{Username: "swj-li", DisplayName: "李税务", DepartmentID: env.Depts["XC-SWJ"], Roles: []auth.Role{auth.DeptStaff}, Email: "li.shui@xcs.gov.cn"})
		p.as(map[string]any{"sub": "gov-2002", "email": "LI.SHUI@xcs.gov.cn", "email_verified": false})
		users++
		want(t, "unverified e-mail", ssoSignIn(t, env, env.Anonymous(), "/"), 403, "尚未开通本平台账户", "用户名密码登录")
		p.as(map[string]any{"sub": "gov-2002", "email": "LI.SHUI@xcs.gov.cn", "email_verified": true})
		c = env.Anonymous()
		location(t, "by e-mail", ssoSignIn(t, env, c, "/"))
		if u, _ := me(t, c); u != "swj-li" {
			t.Fatalf("e-mail sign-in as %q", u)
		}
		// An e-mail address shared by two accounts identifies nobody.
		for _, u := range []string{"dup-1", "dup-2"} {
			addUser(t, env, account.UserInput{Username: u, DisplayName: "同邮箱", Roles: []auth.Role{auth.Supervisor}, Email: "office@xcs.gov.cn"})
			users++
		}
		p.as(map[string]any{"sub": "gov-4004", "email": "office@xcs.gov.cn", "email_verified": true})
		want(t, "shared e-mail", ssoSignIn(t, env, env.Anonymous(), "/"), 403, "尚未开通本平台账户")
		// Unknown people get an explanation, never an account.
		p.as(map[string]any{"sub": "gov-9999", "preferred_username": "stranger"})
		want(t, "unknown", ssoSignIn(t, env, env.Anonymous(), "/"), 403, "统一身份认证账号“stranger”尚未开通本平台账户", "平台不会自动创建账户")
		if n := count(t, env, "SELECT COUNT(*) FROM users"); n != users {
			t.Fatalf("users: %d, want %d", n, users)
		}
		// An account linked to another subject is not taken over.
		p.as(map[string]any{"sub": "gov-3003", "preferred_username": "sjj-staff"})
		want(t, "other subject", ssoSignIn(t, env, env.Anonymous(), "/"), 409, "已关联另一个统一身份认证账号")
		// A disabled account stays out.
		if err := env.App.Accounts.SetStatus(sitetest.System(), env.Users["sjj-staff"], "disabled"); err != nil {
			t.Fatal(err)
		}
		p.as(map[string]any{"sub": "gov-1001"})
		want(t, "disabled", ssoSignIn(t, env, env.Anonymous(), "/"), 403, "该账户已停用")
		if p.pkce < 6 {
			t.Fatalf("token requests with a matching PKCE verifier: %d", p.pkce)
		}
	})
}

func TestSingleSignOnRefusals(t *testing.T) {
	env := sitetest.New(t, db.SQLite)
	p := newIdP(t, env.Clock.Now)
	cfg := env.App.Cfg
	cfg.OIDCIssuer, cfg.OIDCClientID, cfg.OIDCClientSecret, cfg.OIDCRedirectURL = p.srv.URL, clientID, clientSecret, env.HTTP.URL+"/auth/oidc/callback"
	p.as(map[string]any{"sub": "gov-1", "preferred_username": "admin"})

	// The state must match the cookie of the browser that started.
	c := env.Anonymous()
	r := c.Get(t, "/auth/oidc/start")
	resp, err := c.HTTP.Get(r.Header.Get("Location"))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	back, _ := url.Parse(resp.Header.Get("Location"))
	q := back.Query()
	forged := "/auth/oidc/callback?" + url.Values{"code": {q.Get("code")}, "state": {"forged"}}.Encode()
	want(t, "forged state", c.Get(t, forged), 400, "登录请求已失效或不匹配")
	want(t, "other browser", env.Anonymous().Get(t, back.RequestURI()), 400, "登录请求已失效或不匹配")

	// The state expires.
	c = env.Anonymous()
	r = c.Get(t, "/auth/oidc/start")
	resp, _ = c.HTTP.Get(r.Header.Get("Location"))
	resp.Body.Close()
	back, _ = url.Parse(resp.Header.Get("Location"))
	env.Clock.Advance(account.SSOStateTTL + time.Second)
	want(t, "late", c.Get(t, back.RequestURI()), 400, "登录请求已失效或不匹配")

	// A token for another sign-in (nonce), an expired token, a refusal at the provider.
	p.mu.Lock()
	p.nonce = "someone-else"
	p.mu.Unlock()
	want(t, "nonce", ssoSignIn(t, env, env.Anonymous(), "/"), 401, "nonce")
	p.as(map[string]any{"sub": "gov-1", "preferred_username": "admin"})
	p.mu.Lock()
	p.ttl = -time.Minute
	p.mu.Unlock()
	want(t, "expired token", ssoSignIn(t, env, env.Anonymous(), "/"), 401, "身份令牌校验失败")
	want(t, "provider error", env.Anonymous().Get(t, "/auth/oidc/callback?error=access_denied&error_description=user+cancelled"), 401, "user cancelled")
	if n := count(t, env, "SELECT COUNT(*) FROM users WHERE oidc_subject IS NOT NULL"); n != 0 {
		t.Fatalf("linked after refusals: %d", n)
	}
	// The provider is down: a clear 503.
	p.srv.Close()
	env2 := sitetest.New(t, db.SQLite)
	env2.App.Cfg.OIDCIssuer, env2.App.Cfg.OIDCClientID = p.srv.URL, clientID
	want(t, "down", env2.Anonymous().Get(t, "/auth/oidc/start"), 503, "统一身份认证服务暂时无法访问")
}
