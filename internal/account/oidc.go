package account

// Single sign-on through an OpenID Connect provider (统一身份认证), for
// cities whose staff already have accounts in a government identity
// system. It is off unless an issuer is configured.
//
// The flow is the authorisation code flow with PKCE: Start returns the
// provider's URL and a sealed state (state, nonce, PKCE verifier) that the
// browser keeps in a short-lived HttpOnly cookie; Finish checks the state,
// exchanges the code, verifies the ID token (signature, issuer, audience,
// expiry on the service clock, nonce) and finds the account. Accounts are
// never created here: a provider identity is matched by users.oidc_subject,
// or the first time by preferred_username (the platform username) or a
// verified e-mail address of exactly one account, and the subject is then
// stored on that account.

import (
	"context"
	"crypto/subtle"
	"encoding/base64"
	"encoding/json"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/coreos/go-oidc/v3/oidc"
	"golang.org/x/oauth2"

	"yingshang/internal/auth"
	"yingshang/internal/db"
	"yingshang/internal/yserr"
)

// SSOStateTTL is how long a sign-in may take at the provider.
const SSOStateTTL = 10 * time.Minute

// SSO signs users in through an OpenID Connect provider. The provider's
// discovery document is fetched on first use (and again after a failure),
// so the platform starts while the provider is unreachable.
type SSO struct {
	Accounts     *Service
	Issuer       string
	ClientID     string
	ClientSecret string
	RedirectURL  string
	HTTP         *http.Client // nil: a client with a 15 s timeout

	mu       sync.Mutex
	provider *oidc.Provider
}

// ssoState travels in the sealed cookie.
type ssoState struct {
	State    string    `json:"s"`
	Nonce    string    `json:"n"`
	Verifier string    `json:"v"`
	Next     string    `json:"next"`
	Expires  time.Time `json:"exp"`
}

// SSOIdentity is what the provider says about the person.
type SSOIdentity struct {
	Subject           string
	PreferredUsername string `json:"preferred_username"`
	Email             string `json:"email"`
	EmailVerified     *bool  `json:"email_verified"`
	Name              string `json:"name"`
}

func (o *SSO) client() *http.Client {
	if o.HTTP != nil {
		return o.HTTP
	}
	return &http.Client{Timeout: 15 * time.Second}
}

func errSSOUnavailable(err error) error {
	return yserr.New(yserr.Unavailable, "统一身份认证服务暂时无法访问，请稍后再试或使用用户名密码登录",
		"the single sign-on provider cannot be reached: try again later or sign in with your password").Wrap(err)
}

// discover returns the provider, fetching its discovery document once.
func (o *SSO) discover() (*oidc.Provider, error) {
	o.mu.Lock()
	defer o.mu.Unlock()
	if o.provider != nil {
		return o.provider, nil
	}
	ctx, cancel := context.WithTimeout(oidc.ClientContext(context.Background(), o.client()), 15*time.Second)
	defer cancel()
	p, err := oidc.NewProvider(ctx, o.Issuer)
	if err != nil {
		return nil, errSSOUnavailable(err)
	}
	o.provider = p
	return p, nil
}

func (o *SSO) oauth(p *oidc.Provider) *oauth2.Config {
	return &oauth2.Config{ClientID: o.ClientID, ClientSecret: o.ClientSecret, RedirectURL: o.RedirectURL,
		Endpoint: p.Endpoint(), Scopes: []string{oidc.ScopeOpenID, "profile", "email"}}
}

// Start returns the provider's authorisation URL and the sealed state for
// the cookie. next is where to go after signing in (checked by the caller).
func (o *SSO) Start(ctx context.Context, next string) (authURL, sealed string, err error) {
	p, err := o.discover()
	if err != nil {
		return "", "", err
	}
	st := ssoState{State: randomToken(24), Nonce: randomToken(24), Verifier: oauth2.GenerateVerifier(), Next: next,
		Expires: o.Accounts.now().Add(SSOStateTTL)}
	b, err := json.Marshal(st)
	if err != nil {
		return "", "", err
	}
	sealed = base64.RawURLEncoding.EncodeToString(o.Accounts.Keys.Encrypt(string(b)))
	authURL = o.oauth(p).AuthCodeURL(st.State, oidc.Nonce(st.Nonce), oauth2.S256ChallengeOption(st.Verifier))
	return authURL, sealed, nil
}

func errSSOState() error {
	return yserr.New(yserr.Invalid, "登录请求已失效或不匹配，请重新发起统一身份认证登录",
		"the sign-in request expired or does not match: start the single sign-on again")
}

func (o *SSO) open(sealed, state string) (*ssoState, error) {
	raw, err := base64.RawURLEncoding.DecodeString(sealed)
	if err != nil || sealed == "" {
		return nil, errSSOState()
	}
	plain, err := o.Accounts.Keys.Decrypt(raw)
	if err != nil {
		return nil, errSSOState()
	}
	var st ssoState
	if err := json.Unmarshal([]byte(plain), &st); err != nil {
		return nil, errSSOState()
	}
	if !st.Expires.After(o.Accounts.now()) || subtle.ConstantTimeCompare([]byte(st.State), []byte(state)) != 1 {
		return nil, errSSOState()
	}
	return &st, nil
}

// Finish completes a sign-in: it checks the state against the sealed
// cookie, exchanges the code, verifies the ID token and returns the
// account and where to go next. The caller starts the session.
func (o *SSO) Finish(ctx context.Context, sealed, state, code string) (userID int64, next string, err error) {
	st, err := o.open(sealed, state)
	if err != nil {
		return 0, "", err
	}
	p, err := o.discover()
	if err != nil {
		return 0, "", err
	}
	id, err := o.exchange(ctx, p, st, code)
	if err != nil {
		return 0, "", err
	}
	userID, err = o.Accounts.userForSSO(ctx, id)
	return userID, st.Next, err
}

// exchange trades the code for tokens and verifies the ID token.
func (o *SSO) exchange(ctx context.Context, p *oidc.Provider, st *ssoState, code string) (*SSOIdentity, error) {
	hctx := oidc.ClientContext(ctx, o.client())
	tok, err := o.oauth(p).Exchange(hctx, code, oauth2.VerifierOption(st.Verifier))
	if err != nil {
		return nil, yserr.New(yserr.Unauthorized, "统一身份认证未能完成登录（授权码无效或已过期）",
			"single sign-on failed: the authorisation code was refused").Wrap(err)
	}
	raw, _ := tok.Extra("id_token").(string)
	if raw == "" {
		return nil, yserr.New(yserr.Unauthorized, "统一身份认证未返回身份令牌", "the provider returned no ID token")
	}
	v := p.VerifierContext(hctx, &oidc.Config{ClientID: o.ClientID, Now: o.Accounts.Clock.Now})
	idt, err := v.Verify(hctx, raw)
	if err != nil {
		return nil, yserr.New(yserr.Unauthorized, "身份令牌校验失败", "the ID token did not verify").Wrap(err)
	}
	if subtle.ConstantTimeCompare([]byte(idt.Nonce), []byte(st.Nonce)) != 1 {
		return nil, yserr.New(yserr.Unauthorized, "身份令牌与本次登录请求不符（nonce）", "the ID token belongs to another sign-in (nonce)")
	}
	id := &SSOIdentity{}
	if err := idt.Claims(id); err != nil {
		return nil, yserr.New(yserr.Unauthorized, "身份令牌内容无法读取", "the ID token claims cannot be read").Wrap(err)
	}
	id.Subject = idt.Subject
	return id, nil
}

// userForSSO finds the account of a provider identity and, on the first
// sign-in, stores the subject on it.
func (s *Service) userForSSO(ctx context.Context, id *SSOIdentity) (int64, error) {
	var userID int64
	err := s.DB.WithTx(ctx, func(ctx context.Context) error {
		q := s.DB.Q(ctx)
		var status string
		err := q.QueryRow(ctx, "SELECT id, status FROM users WHERE oidc_subject = $1", id.Subject).Scan(&userID, &status)
		if err == nil {
			return checkActive(status)
		}
		if !db.IsNoRows(err) {
			return err
		}
		var subject *string
		userID, subject, err = s.ssoCandidate(ctx, id)
		if err != nil {
			return err
		}
		if subject != nil && *subject != id.Subject {
			return yserr.New(yserr.Conflict, "该平台账户已关联另一个统一身份认证账号，请联系平台管理员",
				"this account is linked to another single sign-on identity: contact the platform admin")
		}
		if err := q.QueryRow(ctx, "SELECT status FROM users WHERE id = $1", userID).Scan(&status); err != nil {
			return err
		}
		if err := checkActive(status); err != nil {
			return err
		}
		if _, err := q.Exec(ctx, "UPDATE users SET oidc_subject=$1, updated_at=$2 WHERE id=$3", id.Subject, s.now(), userID); err != nil {
			return err
		}
		actx := auth.WithActor(ctx, &auth.Actor{UserID: userID, Username: id.PreferredUsername})
		return s.Audit.Record(actx, "user.oidc_link", "user", strconv.FormatInt(userID, 10), nil, nil, "linked to single sign-on subject "+id.Subject)
	})
	return userID, err
}

func checkActive(status string) error {
	if status != "active" {
		return yserr.New(yserr.Forbidden, "该账户已停用，请联系管理员", "this account is disabled: contact your admin")
	}
	return nil
}

// ssoCandidate matches by username, then by a verified e-mail address
// held by exactly one account.
func (s *Service) ssoCandidate(ctx context.Context, id *SSOIdentity) (int64, *string, error) {
	q := s.DB.Q(ctx)
	var userID int64
	var subject *string
	if u := strings.TrimSpace(id.PreferredUsername); u != "" {
		err := q.QueryRow(ctx, "SELECT id, oidc_subject FROM users WHERE username = $1", u).Scan(&userID, &subject)
		if err == nil || !db.IsNoRows(err) {
			return userID, subject, err
		}
	}
	if e := strings.TrimSpace(id.Email); e != "" && (id.EmailVerified == nil || *id.EmailVerified) {
		rows, err := q.Query(ctx, "SELECT id, oidc_subject FROM users WHERE LOWER(email) = LOWER($1) ORDER BY id LIMIT 2", e)
		if err != nil {
			return 0, nil, err
		}
		n := 0
		for rows.Next() {
			n++
			if err := rows.Scan(&userID, &subject); err != nil {
				rows.Close()
				return 0, nil, err
			}
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return 0, nil, err
		}
		if n == 1 {
			return userID, subject, nil
		}
	}
	who := id.PreferredUsername
	if who == "" {
		who = id.Email
	}
	if who == "" {
		who = id.Subject
	}
	return 0, nil, yserr.Newf(yserr.Forbidden, "统一身份认证账号“%s”尚未开通本平台账户。平台不会自动创建账户，请联系平台管理员开通后再登录。",
		"the single sign-on identity %q has no account on this platform. Accounts are not created automatically: ask the platform admin to open one.", who)
}
