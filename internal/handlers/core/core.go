// Package core serves the pages every user meets: sign-in and sign-out,
// the language switch, the dashboard, the audit trail and its public head.
package core

import (
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"yingshang/internal/api"
	"yingshang/internal/audit"
	"yingshang/internal/auth"
	"yingshang/internal/server"
	"yingshang/internal/yserr"
)

// Mount registers the routes.
func Mount(s *server.Server) {
	h := &handlers{s: s}
	s.UsesViews("core/login", "core/home", "core/landing", "core/error", "core/audit", "core/audit_public", "core/audit_object", "core/api_docs", "core/search")
	s.Page("GET /login", h.loginForm)
	s.Page("POST /login", h.login)
	s.SignedIn("POST /logout", h.logout)
	s.Page("GET /lang", h.lang)
	s.Page("GET /{$}", h.home)
	s.Page("GET /search", h.searchPage, searchRoles...)
	s.Page("GET /public/audit", h.auditPublic)
	s.Page("GET /public/audit/object/{type}/{id}", h.auditObject)
	s.Page("GET /api/docs", h.apiDocs)
	s.Page("GET /audit", h.auditList, auth.PlatformAdmin, auth.Supervisor)
	s.Page("POST /audit/verify", h.auditVerify, auth.PlatformAdmin, auth.Supervisor)
	s.Page("POST /audit/state", h.auditState, auth.PlatformAdmin, auth.Supervisor)

	reg, mux := s.API, s.Mux
	reg.DescribeTag("audit", "审计留痕：SHA-256 哈希链的事件、校验与链头（见 docs/audit.md） / Audit trail: events of the SHA-256 hash chain, verification and the chain head (see docs/audit.md)")
	reg.Handle(mux, api.Op{Method: "GET", Path: "/api/v1/me", ID: "getMe", Summary: "The signed-in user", Tags: []string{"account"}, Auth: "user", Resp: Me{}}, h.apiMe)
	reg.Handle(mux, api.Op{Method: "GET", Path: "/api/v1/audit/events", ID: "listAuditEvents", Summary: "Audit events, newest first",
		Tags: []string{"audit"}, Auth: "platform_admin,supervisor", Query: AuditQuery{}, Resp: api.Page[audit.Event]{}}, h.apiAuditEvents)
	reg.Handle(mux, api.Op{Method: "POST", Path: "/api/v1/audit/verify", ID: "verifyAudit", Summary: "Verify the whole hash chain",
		Description: "Walks the chain and reports the first event that was altered, removed or inserted.",
		Tags:        []string{"audit"}, Auth: "platform_admin,supervisor", Resp: audit.Result{}}, h.apiAuditVerify)
	reg.Handle(mux, api.Op{Method: "GET", Path: "/api/v1/audit/head", ID: "getAuditHead", Summary: "The chain head, for outside witnesses",
		Tags: []string{"audit"}, Auth: "public", Resp: Head{}}, h.apiAuditHead)
	reg.Handle(mux, api.Op{Method: "GET", Path: "/api/v1/search", ID: "globalSearch", Tags: []string{"account"}, Auth: "platform_admin,dept_admin,dept_staff,supervisor",
		Summary:     "全局搜索 / Global search",
		Description: "One box for an appeal number, a credit code or company name, a licence number or a project code: the hits of each module, grouped, only those the caller may see.",
		Query:       SearchQuery{}, Resp: SearchResult{}}, h.apiSearch)
	h.routeLog(reg, mux)
}

type handlers struct{ s *server.Server }

// Me is the signed-in user as the API reports it.
type Me struct {
	ID           int64       `json:"id"`
	Username     string      `json:"username"`
	Name         string      `json:"name"`
	Roles        []auth.Role `json:"roles"`
	DepartmentID int64       `json:"department_id,omitempty"`
	EntityID     int64       `json:"entity_id,omitempty"`
	Via          string      `json:"via" enum:"session,token"`
}

// Head is the published log head.
type Head struct {
	Events     int64  `json:"events" doc:"the log's tree size"`
	Hash       string `json:"hash" doc:"the tree's root hash (hex)"`
	At         string `json:"at" doc:"when the head was read (RFC 3339)"`
	PublicKey  string `json:"public_key" doc:"the verifier key of the checkpoints (signed-note format)"`
	Checkpoint string `json:"checkpoint,omitempty" doc:"the latest signed checkpoint"`
}

// AuditQuery filters audit events.
type AuditQuery struct {
	ObjectType string `query:"object_type" doc:"e.g. entity, user, department"`
	ObjectID   string `query:"object_id"`
	Action     string `query:"action" doc:"e.g. entity.update"`
	ActorID    int64  `query:"actor_id"`
	Before     int64  `query:"before" doc:"cursor: only events with a smaller sequence number"`
	Limit      int    `query:"limit" doc:"1-500, default 50"`
}

func (h *handlers) loginForm(w http.ResponseWriter, r *http.Request) error {
	if auth.From(r.Context()) != nil {
		return h.s.Redirect(w, r, "/", "")
	}
	v := h.s.View(r, "")
	v.Title = v.T("登录", "Sign in")
	v.Data = map[string]string{"Next": safeNext(r.URL.Query().Get("next")), "OIDC": h.s.App.Cfg.OIDCIssuer}
	return h.s.Render(w, r, http.StatusOK, "core/login", v)
}

func (h *handlers) login(w http.ResponseWriter, r *http.Request) error {
	v := h.s.View(r, "")
	v.Title = v.T("登录", "Sign in")
	next := safeNext(r.PostFormValue("next"))
	v.Data = map[string]string{"Next": next, "OIDC": h.s.App.Cfg.OIDCIssuer}
	if h.s.LoginLimited(r) {
		return h.s.FormError(w, r, "core/login", v, yserr.New(yserr.TooMany, "尝试过于频繁，请一分钟后再试", "too many attempts: try again in a minute"))
	}
	sess, err := h.s.App.Accounts.LoginCode(r.Context(), r.PostFormValue("username"), r.PostFormValue("password"), r.PostFormValue("totp_code"), h.s.ClientIP(r), r.UserAgent())
	if err != nil {
		r.Form.Del("totp_code")
		r.Form.Del("password")
		return h.s.FormError(w, r, "core/login", v, err)
	}
	h.s.SetSession(w, r, sess.ID)
	http.Redirect(w, r, next, http.StatusSeeOther)
	return nil
}

// safeNext keeps redirects on this site.
func safeNext(next string) string {
	if next == "" || !strings.HasPrefix(next, "/") || strings.HasPrefix(next, "//") || strings.HasPrefix(next, "/\\") {
		return "/"
	}
	return next
}

func (h *handlers) logout(w http.ResponseWriter, r *http.Request) error {
	if c, err := r.Cookie(server.SessionCookie); err == nil {
		if err := h.s.App.Accounts.Logout(r.Context(), c.Value); err != nil {
			return err
		}
	}
	h.s.SetSession(w, r, "")
	// next (e.g. from the error page of another business's QR code): sign
	// in again and go on there.
	if next := r.FormValue("next"); next != "" && safeNext(next) == next {
		return h.s.Redirect(w, r, "/login?next="+url.QueryEscape(next), "")
	}
	return h.s.Redirect(w, r, "/login", "")
}

func (h *handlers) lang(w http.ResponseWriter, r *http.Request) error {
	to := r.URL.Query().Get("to")
	if to != "en" {
		to = "zh-CN"
	}
	http.SetCookie(w, &http.Cookie{Name: "lang", Value: to, Path: "/", MaxAge: 365 * 24 * 3600, SameSite: http.SameSiteLaxMode})
	http.Redirect(w, r, safeNext(r.URL.Query().Get("back")), http.StatusSeeOther)
	return nil
}

func (h *handlers) apiDocs(w http.ResponseWriter, r *http.Request) error {
	v := h.s.View(r, "API")
	v.Data = h.s.API.Ops()
	return h.s.Render(w, r, http.StatusOK, "core/api_docs", v)
}

func (h *handlers) apiMe(w http.ResponseWriter, r *http.Request) error {
	a, err := auth.Require(r.Context())
	if err != nil {
		return err
	}
	api.WriteJSON(w, http.StatusOK, Me{ID: a.UserID, Username: a.Username, Name: a.Name, Roles: a.Roles, DepartmentID: a.DepartmentID, EntityID: a.EntityID, Via: a.Via})
	return nil
}

func auditFilter(q url.Values) (audit.Filter, error) {
	f := audit.Filter{ObjectType: q.Get("object_type"), ObjectID: q.Get("object_id"), Action: q.Get("action")}
	for name, dst := range map[string]*int64{"actor_id": &f.ActorID, "before": &f.BeforeSeq} {
		if s := q.Get(name); s != "" {
			n, err := strconv.ParseInt(s, 10, 64)
			if err != nil || n < 0 {
				return f, yserr.Field(name, "须为非负整数", "must be a non-negative whole number")
			}
			*dst = n
		}
	}
	if s := q.Get("limit"); s != "" {
		n, err := strconv.Atoi(s)
		if err != nil || n < 1 || n > 500 {
			return f, yserr.Field("limit", "须为 1-500 的整数", "must be a whole number from 1 to 500")
		}
		f.Limit = n
	}
	return f, nil
}

func (h *handlers) apiAuditEvents(w http.ResponseWriter, r *http.Request) error {
	f, err := auditFilter(r.URL.Query())
	if err != nil {
		return err
	}
	ev, err := h.s.App.Audit.List(r.Context(), f)
	if err != nil {
		return err
	}
	p := api.Page[audit.Event]{Items: ev}
	if ev == nil {
		p.Items = []audit.Event{}
	}
	if n := len(ev); n > 0 && (f.Limit == 0 && n == 50 || n == f.Limit) {
		p.NextCursor = strconv.FormatInt(ev[n-1].Seq, 10)
	}
	total, err := h.s.App.Audit.Count(r.Context())
	if err != nil {
		return err
	}
	p.Total = total
	api.WriteJSON(w, http.StatusOK, p)
	return nil
}

func (h *handlers) apiAuditVerify(w http.ResponseWriter, r *http.Request) error {
	if _, err := auth.Require(r.Context(), auth.PlatformAdmin, auth.Supervisor); err != nil {
		return err
	}
	res, err := h.s.App.Audit.Verify(r.Context())
	if err != nil {
		return err
	}
	api.WriteJSON(w, http.StatusOK, res)
	return nil
}

func (h *handlers) head(r *http.Request) (Head, error) {
	seq, hash, err := h.s.App.Audit.Head(r.Context())
	hd := Head{Events: seq, Hash: hash, At: h.s.App.Clock.Now().UTC().Format("2006-01-02T15:04:05Z")}
	if k := h.s.App.Audit.Signer; k != nil {
		hd.PublicKey = k.Public
	}
	if err == nil && seq > 0 {
		cp, cerr := h.s.App.Audit.SignedCheckpoint(r.Context())
		if cerr != nil {
			return hd, cerr
		}
		hd.Checkpoint = string(cp)
	}
	return hd, err
}

// auditState runs the deep state check and shows what it found.
func (h *handlers) auditState(w http.ResponseWriter, r *http.Request) error {
	res, err := h.s.App.Audit.CheckState(r.Context())
	if err != nil {
		return err
	}
	p, err := h.auditData(r)
	if err != nil {
		return err
	}
	p.State = &res
	v := h.s.View(r, "")
	v.Title = v.T("审计留痕", "Audit trail")
	v.Data = p
	return h.s.Render(w, r, http.StatusOK, "core/audit", v)
}

func (h *handlers) apiAuditHead(w http.ResponseWriter, r *http.Request) error {
	hd, err := h.head(r)
	if err != nil {
		return err
	}
	api.WriteJSON(w, http.StatusOK, hd)
	return nil
}

func (h *handlers) auditPublic(w http.ResponseWriter, r *http.Request) error {
	hd, err := h.head(r)
	if err != nil {
		return err
	}
	v := h.s.View(r, "")
	v.Title = v.T("审计链公示", "Audit chain head")
	v.Data = hd
	return h.s.Render(w, r, http.StatusOK, "core/audit_public", v)
}

type auditPage struct {
	Events []audit.Event
	Filter audit.Filter
	Result *audit.Result
	State  *audit.StateResult
	Head   Head
	Next   int64
}

func (h *handlers) auditData(r *http.Request) (*auditPage, error) {
	f, err := auditFilter(r.URL.Query())
	if err != nil {
		return nil, err
	}
	if f.Limit == 0 {
		f.Limit = 50
	}
	ev, err := h.s.App.Audit.List(r.Context(), f)
	if err != nil {
		return nil, err
	}
	p := &auditPage{Events: ev, Filter: f}
	if len(ev) == f.Limit {
		p.Next = ev[len(ev)-1].Seq
	}
	p.Head, err = h.head(r)
	return p, err
}

func (h *handlers) auditList(w http.ResponseWriter, r *http.Request) error {
	p, err := h.auditData(r)
	if err != nil {
		return err
	}
	v := h.s.View(r, "")
	v.Title = v.T("审计留痕", "Audit trail")
	v.Data = p
	return h.s.Render(w, r, http.StatusOK, "core/audit", v)
}

func (h *handlers) auditVerify(w http.ResponseWriter, r *http.Request) error {
	res, err := h.s.App.Audit.Verify(r.Context())
	if err != nil {
		return err
	}
	p, err := h.auditData(r)
	if err != nil {
		return err
	}
	p.Result = &res
	v := h.s.View(r, "")
	v.Title = v.T("审计留痕", "Audit trail")
	v.Data = p
	return h.s.Render(w, r, http.StatusOK, "core/audit", v)
}
