package credits

// The credit office's admin pages of issue 18: assisted-repair service
// points (帮办代办点) and the review routes of staged review (初审, the
// deciding body outside the platform). Everyone on staff reads them; the
// credit office and platform admins change them (the service decides).

import (
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"

	"yingshang/internal/credit"
	"yingshang/internal/web"
	"yingshang/internal/yserr"
)

const (
	viewServicePoints = "credit/service_points"
	viewReviewRoutes  = "credit/review_routes"
)

func (h *handlers) mountAdminPages() {
	s := h.s
	s.UsesViews(viewServicePoints, viewReviewRoutes)
	s.Page("GET /credit/service-points", h.servicePoints, readRoles...)
	s.Page("POST /credit/service-points", h.saveServicePoint, writeRoles...)
	s.Page("POST /credit/service-points/{id}/active", h.servicePointActive, writeRoles...)
	s.Page("GET /credit/review-routes", h.reviewRoutes, readRoles...)
	s.Page("POST /credit/review-routes", h.saveReviewRoute, writeRoles...)
	s.Page("POST /credit/review-routes/{kind}/reset", h.resetReviewRoute, writeRoles...)
}

type pointRow struct {
	credit.ServicePoint
	DeptName, KindLabel string
}

func (h *handlers) pointsView(r *http.Request) (*web.View, error) {
	v := h.s.View(r, "")
	v.Title = v.T("帮办代办服务点", "Assisted-repair service points")
	ctx := r.Context()
	points, err := h.svc.ServicePoints(ctx)
	if err != nil {
		return nil, err
	}
	deps, err := h.s.App.Accounts.ListDepartments(ctx)
	if err != nil {
		return nil, err
	}
	names := map[int64]string{}
	for _, d := range deps {
		names[d.ID] = d.Name
	}
	rows := make([]pointRow, len(points))
	for i, p := range points {
		rows[i] = pointRow{p, names[p.DepartmentID], credit.PointKindLabel(p.Kind, v.Lang)}
	}
	kinds := make([]option, len(credit.PointKinds))
	for i, k := range credit.PointKinds {
		kinds[i] = option{Value: k, Label: credit.PointKindLabel(k, v.Lang)}
	}
	v.Data = map[string]any{"Tab": "points", "Rows": rows, "Departments": deps, "Kinds": kinds, "CanEdit": h.svc.IsOffice(ctx)}
	return v, nil
}

func (h *handlers) servicePoints(w http.ResponseWriter, r *http.Request) error {
	v, err := h.pointsView(r)
	if err != nil {
		return err
	}
	v.Form = url.Values{"active": {"on"}}
	if id, _ := strconv.ParseInt(r.URL.Query().Get("edit"), 10, 64); id != 0 {
		for _, p := range v.Data.(map[string]any)["Rows"].([]pointRow) {
			if p.DepartmentID == id {
				v.Form = url.Values{"department_id": {strconv.FormatInt(id, 10)}, "kind": {p.Kind}, "label": {p.Label}}
				if p.Active {
					v.Form.Set("active", "on")
				}
			}
		}
	}
	return h.s.Render(w, r, http.StatusOK, viewServicePoints, v)
}

func (h *handlers) saveServicePoint(w http.ResponseWriter, r *http.Request) error {
	if err := r.ParseForm(); err != nil {
		return err
	}
	in := credit.ServicePoint{Kind: r.PostForm.Get("kind"), Label: r.PostForm.Get("label"), Active: r.PostForm.Get("active") != ""}
	// A missing or bad department stays 0: the service names the field
	// (after deciding whether the caller may change service points).
	in.DepartmentID, _ = strconv.ParseInt(strings.TrimSpace(r.PostForm.Get("department_id")), 10, 64)
	_, err := h.svc.SetServicePoint(r.Context(), in)
	if err == nil {
		v := h.s.View(r, "")
		return h.s.Redirect(w, r, "/credit/service-points", v.T("已保存服务点", "Service point saved"))
	}
	v, verr := h.pointsView(r)
	if verr != nil {
		return verr
	}
	return h.s.FormError(w, r, viewServicePoints, v, err)
}

func (h *handlers) servicePointActive(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	if !h.svc.IsOffice(r.Context()) {
		return yserr.ErrForbidden()
	}
	if err := r.ParseForm(); err != nil {
		return err
	}
	points, err := h.svc.ServicePoints(r.Context())
	if err != nil {
		return err
	}
	i := slices.IndexFunc(points, func(p credit.ServicePoint) bool { return p.DepartmentID == id })
	if i < 0 {
		return yserr.ErrNotFound("服务点", "service point")
	}
	p := points[i]
	p.Active = r.PostForm.Get("active") == "true"
	if _, err := h.svc.SetServicePoint(r.Context(), p); err != nil {
		return err
	}
	v := h.s.View(r, "")
	msg := v.T("已停用服务点", "Service point disabled")
	if p.Active {
		msg = v.T("已启用服务点", "Service point enabled")
	}
	return h.s.Redirect(w, r, "/credit/service-points", msg)
}

type routeRow struct {
	credit.Route
	KindLabel  string
	Configured bool
}

func (h *handlers) routesView(r *http.Request) (*web.View, error) {
	v := h.s.View(r, "")
	v.Title = v.T("信用修复审核路径", "Repair review routes")
	ctx := r.Context()
	set, err := h.svc.Routes(ctx)
	if err != nil {
		return nil, err
	}
	var rows []routeRow
	var kinds []option
	for _, k := range credit.RouteKinds {
		row := routeRow{Route: credit.DefaultRoute(k), KindLabel: credit.KindLabel(k, v.Lang)}
		if i := slices.IndexFunc(set, func(rt credit.Route) bool { return rt.Kind == k }); i >= 0 {
			row.Route, row.Configured = set[i], true
		}
		rows = append(rows, row)
		kinds = append(kinds, option{Value: k, Label: row.KindLabel})
	}
	v.Data = map[string]any{"Tab": "routes", "Rows": rows, "Kinds": kinds, "CanEdit": h.svc.IsOffice(ctx)}
	return v, nil
}

func (h *handlers) reviewRoutes(w http.ResponseWriter, r *http.Request) error {
	v, err := h.routesView(r)
	if err != nil {
		return err
	}
	v.Form = url.Values{"external_days": {"10"}}
	if k := r.URL.Query().Get("edit"); k != "" {
		for _, row := range v.Data.(map[string]any)["Rows"].([]routeRow) {
			if row.Kind == k {
				v.Form = url.Values{"kind": {k}, "external_body": {row.ExternalBody}, "external_days": {strconv.Itoa(row.ExternalDays)}}
				if row.FirstReview {
					v.Form.Set("first_review", "on")
				}
			}
		}
	}
	return h.s.Render(w, r, http.StatusOK, viewReviewRoutes, v)
}

func (h *handlers) saveReviewRoute(w http.ResponseWriter, r *http.Request) error {
	if err := r.ParseForm(); err != nil {
		return err
	}
	in := credit.Route{Kind: r.PostForm.Get("kind"), FirstReview: r.PostForm.Get("first_review") != "", ExternalBody: r.PostForm.Get("external_body")}
	if d := strings.TrimSpace(r.PostForm.Get("external_days")); d != "" {
		var err error
		if in.ExternalDays, err = strconv.Atoi(d); err != nil {
			in.ExternalDays = -1 // not a number: the service names the field and its range
		}
	}
	_, err := h.svc.SetRoute(r.Context(), in)
	if err == nil {
		v := h.s.View(r, "")
		return h.s.Redirect(w, r, "/credit/review-routes", v.T("已保存审核路径", "Review route saved"))
	}
	v, verr := h.routesView(r)
	if verr != nil {
		return verr
	}
	return h.s.FormError(w, r, viewReviewRoutes, v, err)
}

func (h *handlers) resetReviewRoute(w http.ResponseWriter, r *http.Request) error {
	if err := h.svc.ResetRoute(r.Context(), r.PathValue("kind")); err != nil {
		return err
	}
	v := h.s.View(r, "")
	return h.s.Redirect(w, r, "/credit/review-routes", v.T("已停用该审核路径，恢复默认", "Route removed; the default applies again"))
}
