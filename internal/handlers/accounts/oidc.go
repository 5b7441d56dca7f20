package accounts

import (
	"net/http"
	"strings"

	"yingshang/internal/account"
	"yingshang/internal/api"
	"yingshang/internal/yserr"
)

// ssoCookie holds the sealed state of a sign-in in progress.
const ssoCookie = "ys_oidc"

func (h *handlers) mountSSO() {
	h.s.Page("GET /auth/oidc/start", h.ssoStart)
	h.s.Page("GET /auth/oidc/callback", h.ssoCallback)
}

// singleSignOn returns the SSO client for the configured provider, or
// NotFound when single sign-on is off. It is built on first use, so the
// configuration is read when the first person signs in.
func (h *handlers) singleSignOn() (*account.SSO, error) {
	cfg := h.s.App.Cfg
	if cfg.OIDCIssuer == "" {
		return nil, yserr.New(yserr.NotFound, "本平台未启用统一身份认证登录", "single sign-on is not enabled on this platform")
	}
	h.ssoMu.Lock()
	defer h.ssoMu.Unlock()
	if h.sso == nil || h.sso.Issuer != cfg.OIDCIssuer || h.sso.ClientID != cfg.OIDCClientID || h.sso.RedirectURL != cfg.OIDCRedirectURL {
		h.sso = &account.SSO{Accounts: h.s.App.Accounts, Issuer: cfg.OIDCIssuer, ClientID: cfg.OIDCClientID,
			ClientSecret: cfg.OIDCClientSecret, RedirectURL: cfg.OIDCRedirectURL}
	}
	return h.sso, nil
}

// secure mirrors the server's rule for the Secure cookie flag.
func (h *handlers) secure(r *http.Request) bool {
	switch h.s.App.Cfg.SecureCookies {
	case "true":
		return true
	case "false":
		return false
	}
	return r.TLS != nil || (h.s.App.Cfg.TrustProxy && r.Header.Get("X-Forwarded-Proto") == "https")
}

func (h *handlers) setSSOCookie(w http.ResponseWriter, r *http.Request, value string) {
	c := &http.Cookie{Name: ssoCookie, Value: value, Path: "/auth/oidc/", HttpOnly: true, SameSite: http.SameSiteLaxMode,
		Secure: h.secure(r), MaxAge: int(account.SSOStateTTL.Seconds())}
	if value == "" {
		c.MaxAge = -1
	}
	http.SetCookie(w, c)
}

// safeNext keeps the redirect after sign-in on this site.
func safeNext(next string) string {
	if next == "" || !strings.HasPrefix(next, "/") || strings.HasPrefix(next, "//") || strings.HasPrefix(next, "/\\") {
		return "/"
	}
	return next
}

func (h *handlers) ssoStart(w http.ResponseWriter, r *http.Request) error {
	sso, err := h.singleSignOn()
	if err != nil {
		return h.ssoError(w, r, err)
	}
	authURL, sealed, err := sso.Start(r.Context(), safeNext(r.URL.Query().Get("next")))
	if err != nil {
		return h.ssoError(w, r, err)
	}
	h.setSSOCookie(w, r, sealed)
	http.Redirect(w, r, authURL, http.StatusSeeOther)
	return nil
}

func (h *handlers) ssoCallback(w http.ResponseWriter, r *http.Request) error {
	sso, err := h.singleSignOn()
	if err != nil {
		return h.ssoError(w, r, err)
	}
	var sealed string
	if c, err := r.Cookie(ssoCookie); err == nil {
		sealed = c.Value
	}
	h.setSSOCookie(w, r, "")
	q := r.URL.Query()
	if e := q.Get("error"); e != "" {
		desc := strings.TrimSpace(q.Get("error_description"))
		if desc == "" {
			desc = e
		}
		return h.ssoError(w, r, yserr.Newf(yserr.Unauthorized, "统一身份认证未完成登录：%s", "single sign-on did not complete: %s", desc))
	}
	userID, next, err := sso.Finish(r.Context(), sealed, q.Get("state"), q.Get("code"))
	if err != nil {
		return h.ssoError(w, r, err)
	}
	sess, err := h.s.App.Accounts.StartSession(r.Context(), userID, h.s.ClientIP(r), r.UserAgent(), "single sign-on")
	if err != nil {
		return h.ssoError(w, r, err)
	}
	h.s.SetSession(w, r, sess.ID)
	http.Redirect(w, r, safeNext(next), http.StatusSeeOther)
	return nil
}

// ssoError shows why single sign-on failed, with the way back to the
// password sign-in. Internal errors go to the server's error page.
func (h *handlers) ssoError(w http.ResponseWriter, r *http.Request, err error) error {
	e := yserr.As(err)
	if e.Code == yserr.Internal {
		return err
	}
	v := h.view(r, "统一身份认证登录失败", "Single sign-on failed")
	v.Error = e
	return h.s.Render(w, r, api.StatusOf(e.Code), "accounts/sso_error", v)
}
