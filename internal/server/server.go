// Package server is the HTTP front of Yingshang: the router, the
// middleware every request passes (request id, logging, metrics, security
// headers, authentication, CSRF, rate limits) and the helpers that HTML
// and JSON handlers share. Handlers for each area live in their own
// packages under internal/handlers and mount themselves on a *Server.
package server

import (
	"context"
	"errors"
	"io/fs"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"strings"
	"time"

	"yingshang/internal/api"
	"yingshang/internal/app"
	"yingshang/internal/auth"
	"yingshang/internal/web"
	"yingshang/internal/yserr"
)

// Server routes requests.
type Server struct {
	App     *app.App
	Web     *web.Renderer
	API     *api.Registry
	Mux     *http.ServeMux
	Log     *slog.Logger
	metrics *metrics
	public  *limiter
	login   *limiter
	views   []string

	// Nav and Public are the switched-on modules' side-menu groups and
	// landing-page links (set by internal/site).
	Nav    []web.NavGroup
	Public []web.Link
	// Cards give the modules' home-page cards for a signed-in actor.
	Cards []func(ctx context.Context, a *auth.Actor) ([]web.Card, error)
	// Searchers give the modules' hits in the global search.
	Searchers []func(ctx context.Context, a *auth.Actor, q string) (*web.SearchGroup, error)
}

// HandlerFunc is an HTML handler that returns its error for the server to render.
type HandlerFunc func(w http.ResponseWriter, r *http.Request) error

// New builds a server with the core routes (static files, health,
// metrics, the OpenAPI document). Areas mount their own routes afterwards.
func New(a *app.App, templates ...fs.FS) (*Server, error) {
	rd, err := web.New(a.Version, templates...)
	if err != nil {
		return nil, err
	}
	per := a.Cfg.PublicRateLimit
	if per <= 0 {
		per = 60
	}
	s := &Server{
		App:     a,
		Web:     rd,
		API:     api.NewRegistry("Yingshang API", a.Version),
		Mux:     http.NewServeMux(),
		Log:     a.Log,
		metrics: newMetrics(),
		public:  newLimiter(per, time.Minute),
		login:   newLimiter(max(per/3, 10), time.Minute),
	}
	s.Mux.Handle("GET /static/{hash}/{path...}", rd.StaticHandler())
	s.Mux.HandleFunc("GET /healthz", s.healthz)
	s.Mux.HandleFunc("GET /readyz", s.readyz)
	s.Mux.HandleFunc("GET /metrics", s.serveMetrics)
	s.API.License = "MIT"
	s.Mux.HandleFunc("GET /api/openapi.json", s.API.ServeDocument)
	// Anything no route matches: the branded 404 page, not Go's plain text.
	s.Page("/", s.NotFound)
	return s, nil
}

// Check fails when a view named by a mounted page does not exist.
func (s *Server) Check() error { return s.Web.Check(s.views...) }

// UsesViews records the views a handler renders, for the start-up check.
func (s *Server) UsesViews(names ...string) { s.views = append(s.views, names...) }

// Page registers an HTML route. With roles, the caller must be signed in
// (else redirected to the login page) and hold one of them (else 403).
// With no roles the page is public and rate limited per client.
func (s *Server) Page(pattern string, h HandlerFunc, roles ...auth.Role) {
	s.Mux.Handle(pattern, s.wrap(h, roles, len(roles) == 0))
}

// SignedIn registers an HTML route open to every signed-in user.
func (s *Server) SignedIn(pattern string, h HandlerFunc) {
	s.Mux.Handle(pattern, s.wrap(h, []auth.Role{}, false))
}

func (s *Server) wrap(h HandlerFunc, roles []auth.Role, public bool) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if public && !s.limitPublic(w, r) {
			return
		}
		if !public {
			a := auth.From(r.Context())
			if a == nil {
				http.Redirect(w, r, "/login?next="+url.QueryEscape(r.URL.RequestURI()), http.StatusSeeOther)
				return
			}
			if len(roles) > 0 && !a.Has(roles...) {
				s.Fail(w, r, yserr.ErrForbidden())
				return
			}
		}
		if err := h(w, r); err != nil {
			s.Fail(w, r, err)
		}
	})
}

// LoginLimited reports whether a sign-in style request from this client
// may proceed (a stricter limit than other public pages).
func (s *Server) LoginLimited(r *http.Request) bool { return !s.login.allow(s.clientIP(r)) }

// View returns the base view for a request.
func (s *Server) View(r *http.Request, title string) *web.View {
	info := infoFrom(r.Context())
	v := &web.View{Title: title, Lang: api.Lang(r), Path: r.URL.Path, Query: r.URL.Query(), Version: s.App.Version, Now: s.App.Clock.Now()}
	if info != nil {
		v.Actor, v.CSRF, v.Flash = info.actor, info.csrf, info.flash
	}
	v.Public = s.Public
	if v.Actor != nil {
		v.Nav = web.FilterNav(s.Nav, v.Actor)
	}
	if v.Actor != nil && s.App.Notify != nil {
		if _, _, unread, err := s.App.Notify.Inbox(r.Context(), true, 1, 1); err == nil {
			v.Unread = unread
		}
	}
	return v
}

// Render writes a page.
func (s *Server) Render(w http.ResponseWriter, r *http.Request, status int, name string, v *web.View) error {
	return s.Web.Render(w, status, name, v)
}

// FormError re-renders a form page with the error's field messages and
// the submitted values. Errors that are not the user's fault are passed on.
func (s *Server) FormError(w http.ResponseWriter, r *http.Request, name string, v *web.View, err error) error {
	e := yserr.As(err)
	if e.Code == yserr.Internal || e.Code == yserr.Unauthorized {
		return err
	}
	v.Error = e
	v.Errors = map[string]string{}
	for _, f := range e.Fields {
		if _, seen := v.Errors[f.Field]; !seen {
			v.Errors[f.Field] = v.T(f.ZH, f.EN)
		}
	}
	if e.Field != "" && v.Errors[e.Field] == "" {
		v.Errors[e.Field] = e.Message(v.Lang)
	}
	if r.Form != nil {
		v.Form = r.Form
	}
	return s.Render(w, r, api.StatusOf(e.Code), name, v)
}

// Fail renders err: RFC 9457 JSON under /api and /open311, an error page otherwise.
func (s *Server) Fail(w http.ResponseWriter, r *http.Request, err error) {
	if isAPI(r) {
		api.WriteProblem(w, r, err)
		return
	}
	e := yserr.As(err)
	status := api.StatusOf(e.Code)
	if e.Code == yserr.Internal {
		s.Log.ErrorContext(r.Context(), "request failed", "err", err, "path", r.URL.Path, "request_id", RequestID(r.Context()))
	}
	if e.Code == yserr.Unauthorized && r.Method == http.MethodGet {
		http.Redirect(w, r, "/login?next="+url.QueryEscape(r.URL.RequestURI()), http.StatusSeeOther)
		return
	}
	v := s.View(r, "")
	v.Error = e
	head := errorHeading(status)
	v.Title = head.In(v.Lang)
	v.Data = map[string]any{"Status": status, "RequestID": RequestID(r.Context()), "Heading": v.Title,
		"Hint": errorHint(status).In(v.Lang), "Back": backLink(r), "Next": e.Next}
	if rerr := s.Web.Render(w, status, "core/error", v); rerr != nil {
		http.Error(w, e.Message(v.Lang), status)
	}
}

// errorHeading names what went wrong, by HTTP status, for the error page.
func errorHeading(status int) web.Text {
	switch status {
	case http.StatusBadRequest:
		return web.Text{ZH: "填写的内容有误", EN: "Something in the request is not right"}
	case http.StatusForbidden:
		return web.Text{ZH: "没有权限", EN: "Not allowed"}
	case http.StatusNotFound:
		return web.Text{ZH: "页面不存在", EN: "Page not found"}
	case http.StatusConflict:
		return web.Text{ZH: "内容已有变化", EN: "This has changed meanwhile"}
	case http.StatusRequestEntityTooLarge:
		return web.Text{ZH: "文件或内容过大", EN: "Too large"}
	case http.StatusTooManyRequests:
		return web.Text{ZH: "操作过于频繁", EN: "Too many requests"}
	case http.StatusServiceUnavailable:
		return web.Text{ZH: "服务暂时不可用", EN: "Service unavailable"}
	case http.StatusInternalServerError:
		return web.Text{ZH: "系统出错了", EN: "Something went wrong on our side"}
	}
	return web.Text{ZH: "出错了", EN: "Error"}
}

// errorHint tells the user what to do next, by HTTP status.
func errorHint(status int) web.Text {
	switch status {
	case http.StatusForbidden:
		return web.Text{ZH: "您当前的账户不能查看或执行此项。如需使用其他账户，请退出后重新登录。", EN: "The account you are signed in with may not see or do this. To use another account, sign out and sign in again."}
	case http.StatusNotFound:
		return web.Text{ZH: "链接可能已失效或输入有误。可以返回上一页，或从首页重新进入。", EN: "The link may be out of date or mistyped. Go back, or start again from the home page."}
	case http.StatusConflict:
		return web.Text{ZH: "在您操作期间，这一项已被处理或状态已变化。请返回查看最新情况后再操作。", EN: "While you were working, this item was handled or its state changed. Go back to see it as it is now, then try again."}
	case http.StatusTooManyRequests:
		return web.Text{ZH: "请稍候一分钟再试。", EN: "Please wait a minute and try again."}
	case http.StatusInternalServerError, http.StatusServiceUnavailable:
		return web.Text{ZH: "您填写的内容未丢失的部分可返回上一页查看；请稍后再试，如仍出错请把下方请求编号告知管理员。", EN: "Go back to the previous page and try again later; if it keeps failing, give the request id below to the administrator."}
	}
	return web.Text{ZH: "请返回上一页修改后再试。", EN: "Go back to the previous page, correct it and try again."}
}

// backLink is where "back" on an error page leads: the page the request
// came from when it is on this site (the form or the item), else "".
func backLink(r *http.Request) string {
	ref, err := url.Parse(r.Referer())
	if err != nil || ref.Host != r.Host || ref.Path == "" || !strings.HasPrefix(ref.Path, "/") || strings.HasPrefix(ref.Path, "//") {
		return ""
	}
	if r.Method == http.MethodGet && ref.Path == r.URL.Path {
		return ""
	}
	ref.Scheme, ref.Host, ref.User = "", "", nil
	return ref.String()
}

// NotFound renders the branded 404 page (JSON problem details under /api).
func (s *Server) NotFound(w http.ResponseWriter, r *http.Request) error {
	return yserr.New(yserr.NotFound, "未找到页面："+r.URL.Path, "no page at "+r.URL.Path)
}

func isAPI(r *http.Request) bool {
	return strings.HasPrefix(r.URL.Path, "/api/") || strings.HasPrefix(r.URL.Path, "/open311/")
}

// Redirect sends the browser to target with a one-time flash message.
func (s *Server) Redirect(w http.ResponseWriter, r *http.Request, target, flash string) error {
	if flash != "" {
		http.SetCookie(w, &http.Cookie{Name: "ys_flash", Value: url.QueryEscape(flash), Path: "/", HttpOnly: true, SameSite: http.SameSiteLaxMode, Secure: s.secure(r), MaxAge: 60})
	}
	http.Redirect(w, r, target, http.StatusSeeOther)
	return nil
}

func (s *Server) secure(r *http.Request) bool {
	switch s.App.Cfg.SecureCookies {
	case "true":
		return true
	case "false":
		return false
	}
	return r.TLS != nil || (s.App.Cfg.TrustProxy && r.Header.Get("X-Forwarded-Proto") == "https")
}

// SetSession sets (or with an empty id, clears) the session cookie.
func (s *Server) SetSession(w http.ResponseWriter, r *http.Request, id string) {
	c := &http.Cookie{Name: SessionCookie, Value: id, Path: "/", HttpOnly: true, SameSite: http.SameSiteLaxMode, Secure: s.secure(r)}
	if id == "" {
		c.MaxAge = -1
	}
	http.SetCookie(w, c)
}

// SetCookie sets (or with an empty value, clears) an HttpOnly, SameSite=Lax
// cookie for path, Secure when the server's cookies are; maxAge in seconds.
func (s *Server) SetCookie(w http.ResponseWriter, r *http.Request, name, value, path string, maxAge int) {
	c := &http.Cookie{Name: name, Value: value, Path: path, HttpOnly: true, SameSite: http.SameSiteLaxMode, Secure: s.secure(r), MaxAge: maxAge}
	if value == "" {
		c.MaxAge = -1
	}
	http.SetCookie(w, c)
}

// SessionCookie is the name of the session cookie.
const SessionCookie = "ys_session"

func (s *Server) clientIP(r *http.Request) string {
	if s.App.Cfg.TrustProxy {
		if xff := r.Header.Get("X-Forwarded-For"); xff != "" {
			first, _, _ := strings.Cut(xff, ",")
			return strings.TrimSpace(first)
		}
		if xr := r.Header.Get("X-Real-IP"); xr != "" {
			return xr
		}
	}
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		return r.RemoteAddr
	}
	return host
}

// ClientIP returns the caller's address (for audit details).
func (s *Server) ClientIP(r *http.Request) string { return s.clientIP(r) }

func (s *Server) healthz(w http.ResponseWriter, r *http.Request) {
	api.WriteJSON(w, http.StatusOK, map[string]string{"status": "ok"})
}

func (s *Server) readyz(w http.ResponseWriter, r *http.Request) {
	ctx, cancel := context.WithTimeout(r.Context(), 3*time.Second)
	defer cancel()
	checks := map[string]string{}
	ok := true
	if err := s.App.DB.Ping(ctx); err != nil {
		checks["database"], ok = "unreachable: "+err.Error(), false
	} else {
		checks["database"] = "ok"
		if err := s.App.CheckCurrent(ctx); err != nil {
			checks["migrations"], ok = err.Error(), false
		} else {
			checks["migrations"] = "ok"
		}
	}
	status := http.StatusOK
	if !ok {
		status = http.StatusServiceUnavailable
	}
	api.WriteJSON(w, status, map[string]any{"ready": ok, "checks": checks})
}

// Serve listens on addr until ctx is cancelled, then shuts down gracefully.
func (s *Server) Serve(ctx context.Context, addr string, ready func(net.Addr)) error {
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return err
	}
	hs := &http.Server{Handler: s.Handler(), ReadHeaderTimeout: 10 * time.Second, IdleTimeout: 120 * time.Second,
		ErrorLog: slog.NewLogLogger(s.Log.Handler(), slog.LevelWarn)}
	return serveUntil(ctx, ln, hs, ready, 20*time.Second)
}

// serveUntil serves hs on ln until ctx is cancelled, telling ready the
// bound address first, then shuts down, letting requests in flight finish
// within grace.
func serveUntil(ctx context.Context, ln net.Listener, hs *http.Server, ready func(net.Addr), grace time.Duration) error {
	if ready != nil {
		ready(ln.Addr())
	}
	errc := make(chan error, 1)
	go func() { errc <- hs.Serve(ln) }()
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	sctx, cancel := context.WithTimeout(context.Background(), grace)
	defer cancel()
	if err := hs.Shutdown(sctx); err != nil && !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	return nil
}
