// Package licenses serves the licence expiry reminder module ("许证闹钟"):
// the department's reminder catalogue and ledger import, the licence list
// and detail, the staff follow-up list, the dashboard, and the holder's
// "my licences" page, plus the JSON API. Authorisation is decided in
// package license; handlers only parse and render.
package licenses

import (
	"net/http"
	"net/url"
	"strconv"

	"yingshang/internal/auth"
	"yingshang/internal/license"
	"yingshang/internal/server"
	"yingshang/internal/web"
	"yingshang/internal/yserr"
)

const (
	viewList      = "license/list"
	viewDetail    = "license/detail"
	viewCatalogue = "license/catalogue"
	viewTypeForm  = "license/type_form"
	viewImport    = "license/import"
	viewFollowups = "license/followups"
	viewDashboard = "license/dashboard"
	viewMine      = "license/mine"
)

var (
	staff      = []auth.Role{auth.PlatformAdmin, auth.DeptAdmin, auth.DeptStaff, auth.Supervisor}
	writers    = []auth.Role{auth.PlatformAdmin, auth.DeptAdmin, auth.DeptStaff}
	admins     = []auth.Role{auth.PlatformAdmin, auth.DeptAdmin}
	dashboards = []auth.Role{auth.PlatformAdmin, auth.Supervisor, auth.DeptAdmin}
)

type handlers struct {
	s   *server.Server
	svc *license.Service
}

// Mount registers the pages and API operations.
func Mount(s *server.Server, svc *license.Service) {
	h := &handlers{s: s, svc: svc}
	s.UsesViews(viewList, viewDetail, viewCatalogue, viewTypeForm, viewImport, viewFollowups, viewDashboard, viewMine)
	s.Page("GET /licenses", h.list, staff...)
	s.Page("GET /licenses/{id}", h.detail, staff...)
	s.Page("POST /licenses/{id}/status", h.setStatus, writers...)
	s.Page("POST /licenses/{id}/confirm", h.confirm, writers...)
	s.Page("POST /licenses/{id}/contacts", h.contact, writers...)
	s.Page("GET /licenses/catalogue", h.catalogue, staff...)
	s.Page("POST /licenses/catalogue/review", h.review, admins...)
	s.Page("GET /licenses/catalogue/new", h.typeForm, admins...)
	s.Page("GET /licenses/catalogue/types/{id}", h.typeForm, admins...)
	s.Page("POST /licenses/catalogue/types", h.saveType, admins...)
	s.Page("POST /licenses/catalogue/types/{id}", h.saveType, admins...)
	s.Page("GET /licenses/import", h.importForm, admins...)
	s.Page("POST /licenses/import", h.importFile, admins...)
	s.Page("GET /licenses/import/template.xlsx", h.template, admins...)
	s.Page("GET /licenses/followups", h.followups, writers...)
	s.Page("GET /licenses/dashboard", h.dashboard, dashboards...)
	s.Page("GET /my/licenses", h.mine, auth.Enterprise)
	s.Page("POST /my/licenses/{id}/answer", h.answer, auth.Enterprise)
	h.mountAPI()
	h.mountHolder()
	h.mountPublicCatalogue()
	h.mountAssign()
}

func pathID(r *http.Request) (int64, error) {
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil || id <= 0 {
		return 0, yserr.ErrNotFound("证照", "licence")
	}
	return id, nil
}

func atoi(s string) int {
	n, _ := strconv.Atoi(s)
	return n
}

func atoi64(s string) int64 {
	n, _ := strconv.ParseInt(s, 10, 64)
	return n
}

// Option is a select option.
type Option struct {
	Value, Label string
	Selected     bool
}

func statusOptions(v *web.View, sel string) []Option {
	out := []Option{{Value: "", Label: v.T("全部状态", "All statuses")}}
	for _, st := range []string{license.StatusActive, license.StatusRenewed, license.StatusLapsed, license.StatusRevoked, license.StatusCancelled} {
		out = append(out, Option{Value: st, Label: statusLabel(v, st), Selected: st == sel})
	}
	return out
}

func statusLabel(v *web.View, st string) string { return license.StatusLabel(st, v.Lang) }

func stageLabel(v *web.View, st string) string { return license.StageLabel(st, v.Lang) }

func outcomeLabel(v *web.View, o string) string { return license.OutcomeLabel(o, v.Lang) }

func answerLabel(v *web.View, a string) string { return license.AnswerLabel(a, v.Lang) }

// back returns to a page inside the module.
func back(r *http.Request, def string) string {
	if b := r.PostFormValue("back"); b != "" {
		if u, err := url.Parse(b); err == nil && u.Host == "" && len(b) > 1 && b[0] == '/' && b[1] != '/' {
			return b
		}
	}
	return def
}
