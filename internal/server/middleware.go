package server

import (
	"context"
	"crypto/rand"
	"crypto/subtle"
	"encoding/hex"
	"fmt"
	"math"
	"net/http"
	"net/url"
	"regexp"
	"runtime/debug"
	"strconv"
	"strings"
	"sync"
	"time"

	"yingshang/internal/api"
	"yingshang/internal/auth"
	"yingshang/internal/yserr"
)

type infoKey struct{}

// reqInfo is what the middleware learns about a request.
type reqInfo struct {
	id    string
	actor *auth.Actor
	csrf  string
	flash string
	route string
}

func infoFrom(ctx context.Context) *reqInfo {
	i, _ := ctx.Value(infoKey{}).(*reqInfo)
	return i
}

// RequestID returns the request's id.
func RequestID(ctx context.Context) string {
	if i := infoFrom(ctx); i != nil {
		return i.id
	}
	return ""
}

// CSRF returns the session's CSRF token (for handlers that build forms in code).
func CSRF(ctx context.Context) string {
	if i := infoFrom(ctx); i != nil {
		return i.csrf
	}
	return ""
}

var requestIDRe = regexp.MustCompile(`^[A-Za-z0-9._-]{8,64}$`)

type statusWriter struct {
	http.ResponseWriter
	status int
	bytes  int64
}

func (w *statusWriter) WriteHeader(code int) {
	if w.status == 0 {
		w.status = code
	}
	w.ResponseWriter.WriteHeader(code)
}

func (w *statusWriter) Write(b []byte) (int, error) {
	if w.status == 0 {
		w.status = http.StatusOK
	}
	n, err := w.ResponseWriter.Write(b)
	w.bytes += int64(n)
	return n, err
}

func (w *statusWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }

// Handler returns the router wrapped in the middleware chain.
func (s *Server) Handler() http.Handler {
	cop := http.NewCrossOriginProtection()
	cop.SetDenyHandler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s.Fail(w, r, yserr.New(yserr.Forbidden, "跨站请求被拒绝", "cross-origin request refused"))
	}))
	public := s.publicRoutes()
	routed := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if _, pattern := s.Mux.Handler(r); public[pattern] && !s.limitPublic(w, r) {
			infoFrom(r.Context()).route = pattern
			return
		}
		s.Mux.ServeHTTP(w, r)
		// ServeMux records the matched pattern on the request it was given.
		infoFrom(r.Context()).route = r.Pattern
	})
	inner := cop.Handler(s.authenticate(s.csrf(routed)))
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		id := r.Header.Get("X-Request-ID")
		if !requestIDRe.MatchString(id) {
			b := make([]byte, 8)
			_, _ = rand.Read(b)
			id = hex.EncodeToString(b)
		}
		info := &reqInfo{id: id}
		w.Header().Set("X-Request-ID", id)
		securityHeaders(w.Header())
		sw := &statusWriter{ResponseWriter: w}
		r = r.WithContext(context.WithValue(r.Context(), infoKey{}, info))
		defer func() {
			if p := recover(); p != nil {
				s.Log.ErrorContext(r.Context(), "panic", "panic", fmt.Sprint(p), "stack", string(debug.Stack()), "request_id", id)
				if sw.status == 0 {
					s.Fail(sw, r, fmt.Errorf("panic: %v", p))
				}
			}
			d := time.Since(start)
			route := info.route
			if route == "" {
				route = "unmatched"
			}
			if sw.status == 0 {
				sw.status = http.StatusOK
			}
			s.metrics.observe(r.Method, route, sw.status, d)
			attrs := []any{"request_id", id, "method", r.Method, "path", r.URL.Path, "route", route, "status", sw.status,
				"bytes", sw.bytes, "duration_ms", float64(d.Microseconds()) / 1000, "ip", s.clientIP(r)}
			if info.actor != nil {
				attrs = append(attrs, "user", info.actor.Username)
			}
			if route != "GET /healthz" && route != "GET /metrics" && !strings.HasPrefix(route, "GET /static/") {
				s.Log.InfoContext(r.Context(), "request", attrs...)
			}
		}()
		inner.ServeHTTP(sw, r)
	})
}

func securityHeaders(h http.Header) {
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("X-Frame-Options", "DENY")
	h.Set("Referrer-Policy", "same-origin")
	h.Set("Content-Security-Policy", "default-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline'; script-src 'self'; object-src 'none'; frame-ancestors 'none'; base-uri 'self'; form-action 'self'")
}

// authenticate resolves a bearer token or the session cookie to the actor.
// A bad bearer token is refused outright; a stale cookie is just cleared.
func (s *Server) authenticate(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		info := infoFrom(r.Context())
		ctx := r.Context()
		if r.URL.Path == "/metrics" {
			// The scraper's bearer token is the metrics token, not an API
			// token: serveMetrics checks it.
			next.ServeHTTP(w, r)
			return
		}
		if h := r.Header.Get("Authorization"); h != "" {
			tok, ok := strings.CutPrefix(h, "Bearer ")
			if !ok {
				api.WriteProblem(w, r, yserr.New(yserr.Unauthorized, "Authorization 头须为 Bearer 令牌", "the Authorization header must be a Bearer token"))
				return
			}
			a, err := s.App.Accounts.TokenActor(ctx, strings.TrimSpace(tok))
			if err != nil {
				if yserr.CodeOf(err) == yserr.Unauthorized {
					err = yserr.New(yserr.Unauthorized, "API 令牌无效、已过期或已撤销", "the API token is invalid, expired or revoked")
				}
				api.WriteProblem(w, r, err)
				return
			}
			info.actor = a
			ctx = auth.WithActor(ctx, a)
		} else if c, err := r.Cookie(SessionCookie); err == nil && c.Value != "" {
			a, csrf, err := s.App.Accounts.SessionActor(ctx, c.Value)
			if err == nil {
				info.actor, info.csrf = a, csrf
				ctx = auth.WithActor(ctx, a)
			} else if yserr.CodeOf(err) == yserr.Unauthorized {
				s.SetSession(w, r, "")
			} else {
				s.Fail(w, r, err)
				return
			}
		}
		if a := info.actor; a != nil && a.MustChangePassword && !passwordChangeAllowed(r) {
			// An administrator chose this password: nothing else until
			// the user has chosen a new one.
			if isAPI(r) {
				api.WriteProblem(w, r, yserr.New(yserr.Forbidden, "请先修改管理员设置的初始密码", "change the password an administrator set before anything else"))
				return
			}
			http.Redirect(w, r, "/account/password", http.StatusSeeOther)
			return
		}
		if c, err := r.Cookie("ys_flash"); err == nil {
			info.flash, _ = url.QueryUnescape(c.Value)
			http.SetCookie(w, &http.Cookie{Name: "ys_flash", Path: "/", MaxAge: -1})
		}
		next.ServeHTTP(w, r.WithContext(ctx))
	})
}

// passwordChangeAllowed lists what a session that must change its
// password may still reach: the change itself, signing out, assets.
func passwordChangeAllowed(r *http.Request) bool {
	p := r.URL.Path
	return p == "/account/password" || p == "/logout" || p == "/lang" || strings.HasPrefix(p, "/static/")
}

// csrf requires the session's token on every unsafe request made with the
// session cookie (form field _csrf or header X-CSRF-Token). Requests with
// a bearer token carry no ambient authority and need none.
func (s *Server) csrf(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		info := infoFrom(r.Context())
		switch r.Method {
		case http.MethodGet, http.MethodHead, http.MethodOptions:
			next.ServeHTTP(w, r)
			return
		}
		if info.actor == nil || info.actor.Via != "session" {
			next.ServeHTTP(w, r)
			return
		}
		got := r.Header.Get("X-CSRF-Token")
		if got == "" {
			if strings.HasPrefix(r.Header.Get("Content-Type"), "multipart/form-data") {
				// Bound what is read before the token is known: an upload
				// over the limit is refused by the handler with a clear
				// message, but never read in full here.
				r.Body = http.MaxBytesReader(w, r.Body, s.App.Cfg.UploadLimit+1<<20)
				_ = r.ParseMultipartForm(32 << 20)
			}
			got = r.PostFormValue("_csrf")
		}
		if got == "" || subtle.ConstantTimeCompare([]byte(got), []byte(info.csrf)) != 1 {
			s.Fail(w, r, yserr.New(yserr.Forbidden, "表单已过期，请刷新页面后重试", "the form has expired: reload the page and try again"))
			return
		}
		next.ServeHTTP(w, r)
	})
}

// limiter is a fixed-window counter per key.
type limiter struct {
	mu     sync.Mutex
	limit  int
	window time.Duration
	start  time.Time
	counts map[string]int
}

func newLimiter(limit int, window time.Duration) *limiter {
	return &limiter{limit: limit, window: window, counts: map[string]int{}}
}

func (l *limiter) allow(key string) bool {
	ok, _ := l.take(key)
	return ok
}

// take counts a request of key and reports whether it is within the limit
// and, when it is not, how long until the window starts again.
func (l *limiter) take(key string) (bool, time.Duration) {
	l.mu.Lock()
	defer l.mu.Unlock()
	now := time.Now()
	if now.Sub(l.start) >= l.window {
		l.start, l.counts = now, map[string]int{}
	}
	l.counts[key]++
	if l.counts[key] <= l.limit {
		return true, 0
	}
	return false, l.window - now.Sub(l.start)
}

// limitPublic applies the public rate limit to the client of r: false
// (after writing 429 with Retry-After) when it is over the limit.
func (s *Server) limitPublic(w http.ResponseWriter, r *http.Request) bool {
	ok, wait := s.public.take(s.clientIP(r))
	if ok {
		return true
	}
	w.Header().Set("Retry-After", strconv.Itoa(max(1, int(math.Ceil(wait.Seconds())))))
	s.Fail(w, r, yserr.New(yserr.TooMany, "请求过于频繁，请稍后再试", "too many requests, please wait a moment"))
	return false
}

// publicRoutes returns the set of mux patterns ("GET /api/v1/draws") of
// the API operations open to anonymous callers, plus the OpenAPI
// document: every one of them is rate limited per client like the public
// pages, so a public operation added later is limited without a line of
// its own. Built once, when the handler chain is built (after mounting).
func (s *Server) publicRoutes() map[string]bool {
	set := map[string]bool{"GET /api/openapi.json": true}
	for _, op := range s.API.Ops() {
		if op.Auth == api.AuthPublic {
			set[op.Method+" "+op.Path] = true
		}
	}
	return set
}
