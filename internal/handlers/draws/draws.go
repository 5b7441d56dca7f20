// Package draws serves the draw module: the public list of draws, each
// draw's verification page and JSON record, the expert's answer page, the
// trading centre's project pages (the six randoms) and the pools, plus the
// JSON API. Authorisation is decided in package draw.
package draws

import (
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"yingshang/internal/auth"
	"yingshang/internal/draw"
	"yingshang/internal/server"
	"yingshang/internal/web"
	"yingshang/internal/yserr"
)

const (
	viewPublic   = "draw/public_list"
	viewVerify   = "draw/verify"
	viewAnswer   = "draw/answer"
	viewProjects = "draw/projects"
	viewForm     = "draw/project_form"
	viewProject  = "draw/project"
	viewPools    = "draw/pools"
)

var (
	centre  = []auth.Role{auth.PlatformAdmin, auth.DeptAdmin, auth.DeptStaff}
	readers = []auth.Role{auth.PlatformAdmin, auth.DeptAdmin, auth.DeptStaff, auth.Supervisor}
)

type handlers struct {
	s   *server.Server
	svc *draw.Service
}

// Mount registers the pages and API operations.
func Mount(s *server.Server, svc *draw.Service) {
	h := &handlers{s: s, svc: svc}
	s.UsesViews(viewPublic, viewVerify, viewAnswer, viewProjects, viewForm, viewProject, viewPools)
	s.Page("GET /public/draws", h.publicList)
	s.Page("GET /public/draws/{id}/verify", h.verify)
	s.Page("GET /draws/answer/{token}", h.answerForm)
	s.Page("POST /draws/answer/{token}", h.answer)
	s.SignedIn("GET /draws", h.projects)
	s.Page("GET /draws/projects/new", h.projectForm, append(centre, auth.Enterprise)...)
	s.Page("POST /draws/projects", h.createProject, append(centre, auth.Enterprise)...)
	s.SignedIn("GET /draws/projects/{id}", h.project)
	s.Page("POST /draws/projects/{id}/commit", h.commit, centre...)
	s.Page("POST /draws/run/{id}", h.execute, centre...)
	s.Page("POST /draws/seats", h.seats, centre...)
	s.Page("GET /draws/pools", h.pools, readers...)
	s.Page("POST /draws/pools/experts", h.addExpert, centre...)
	s.Page("POST /draws/pools/experts/{id}/status", h.expertStatus, centre...)
	s.Page("POST /draws/pools/people", h.addPerson, centre...)
	s.Page("POST /draws/pools/import", h.importExperts, centre...)
	s.Page("POST /draws/pools/rooms", h.addRoom, centre...)
	h.mountAPI()
	h.mountRooms()
}

func pathID(r *http.Request) (int64, error) {
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil || id <= 0 {
		return 0, yserr.ErrNotFound("记录", "record")
	}
	return id, nil
}

// groupDigits writes n with thousands separators (12500000 -> 12,500,000).
func groupDigits(n int64) string {
	s := strconv.FormatInt(n, 10)
	neg := strings.HasPrefix(s, "-")
	s = strings.TrimPrefix(s, "-")
	var b strings.Builder
	if neg {
		b.WriteByte('-')
	}
	for i, c := range s {
		if i > 0 && (len(s)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(c)
	}
	return b.String()
}

// publicList: GET /public/draws.
func (h *handlers) publicList(w http.ResponseWriter, r *http.Request) error {
	v := h.s.View(r, "")
	v.Title = v.T("随机抽取公示", "Public draws")
	page, _ := strconv.Atoi(r.URL.Query().Get("page"))
	list, total, err := h.svc.Draws(r.Context(), 0, page, 50)
	if err != nil {
		return err
	}
	type row struct {
		draw.Draw
		Purpose, StatusText string
	}
	rows := make([]row, len(list))
	for i, d := range list {
		rows[i] = row{Draw: d, Purpose: purposeLabel(v, d.Purpose), StatusText: statusLabel(v, d.Status)}
	}
	v.Data = map[string]any{"Rows": rows, "Total": total}
	return h.s.Render(w, r, http.StatusOK, viewPublic, v)
}

// verify: GET /public/draws/{id}/verify recomputes the record.
func (h *handlers) verify(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	v := h.s.View(r, "")
	if err := h.verifyData(r, v, id); err != nil {
		return err
	}
	return h.s.Render(w, r, http.StatusOK, viewVerify, v)
}

// verifyData fills v with the verification page of draw id.
func (h *handlers) verifyData(r *http.Request, v *web.View, id int64) error {
	v.Title = v.T("抽取验证", "Draw verification") + " #" + strconv.FormatInt(id, 10)
	rec, err := h.svc.PublicRecord(r.Context(), id)
	if err != nil {
		return err
	}
	d, err := h.svc.Draw(r.Context(), id)
	if err != nil {
		return err
	}
	var diffs []string
	if rec.Seed != "" {
		diffs = draw.Verify(rec)
	}
	var ids []string
	for _, p := range rec.Picks {
		ids = append(ids, p.ID)
	}
	names, err := h.svc.Names(r.Context(), id, ids)
	if err != nil {
		return err
	}
	v.Data = map[string]any{"D": d, "R": rec, "Drawn": rec.Seed != "", "OK": rec.Seed != "" && len(diffs) == 0, "Diffs": diffs,
		"Purpose": purposeLabel(v, d.Purpose), "Names": names, "CanRun": auth.From(r.Context()).Has(centre...) && rec.Seed == "" && !d.Sealed,
		"Reason": func(code string) string { return draw.ReasonLabel(code, v.Lang) }}
	return nil
}

// answerForm: GET /draws/answer/{token}, the link sent to a drawn expert.
func (h *handlers) answerForm(w http.ResponseWriter, r *http.Request) error {
	inv, err := h.svc.Invitation(r.Context(), r.PathValue("token"))
	if err != nil {
		return err
	}
	v := h.s.View(r, "")
	v.Title = v.T("评标专家抽中确认", "Confirm your selection as expert")
	v.Data = map[string]any{"I": inv, "Token": r.PathValue("token"), "StatusText": statusLabel(v, inv.Status)}
	return h.s.Render(w, r, http.StatusOK, viewAnswer, v)
}

// answer: POST /draws/answer/{token} with accept=yes|no.
func (h *handlers) answer(w http.ResponseWriter, r *http.Request) error {
	token := r.PathValue("token")
	accept := r.FormValue("accept") == "yes"
	if err := h.svc.Answer(r.Context(), token, accept); err != nil {
		return err
	}
	v := h.s.View(r, "")
	msg := v.T("已确认参加评标，谢谢。", "Confirmed. Thank you.")
	if !accept {
		msg = v.T("已谢绝，系统将按抽取顺序通知候补专家。", "Declined; the next reserve in drawn order will be called.")
	}
	return h.s.Redirect(w, r, "/draws/answer/"+token, msg)
}

// projects: GET /draws.
func (h *handlers) projects(w http.ResponseWriter, r *http.Request) error {
	list, err := h.svc.Projects(r.Context())
	if err != nil {
		return err
	}
	v := h.s.View(r, "")
	v.Title = v.T("六随机项目", "Six-randoms projects")
	a := auth.From(r.Context())
	type prow struct {
		draw.Project
		StatusLabel, Budget string
	}
	rows := make([]prow, len(list))
	for i, p := range list {
		rows[i] = prow{Project: p, StatusLabel: projectStatusLabel(v, p.Status), Budget: groupDigits(p.BudgetYuan)}
	}
	v.Data = map[string]any{"Projects": rows, "CanCreate": a.Has(auth.Enterprise, auth.PlatformAdmin, auth.DeptAdmin, auth.DeptStaff),
		"IsCentre": a.Has(centre...)}
	return h.s.Render(w, r, http.StatusOK, viewProjects, v)
}

func (h *handlers) projectForm(w http.ResponseWriter, r *http.Request) error {
	v := h.s.View(r, "")
	v.Title = v.T("登记项目", "Register a project")
	v.Data = map[string]any{"Specialties": draw.Specialties}
	if u := h.svc.OwnUSCC(r.Context()); u != "" {
		v.Form = url.Values{"tenderer_uscc": {u}}
	}
	return h.s.Render(w, r, http.StatusOK, viewForm, v)
}

func splitForm(s string) []string {
	return strings.FieldsFunc(s, func(r rune) bool { return r == ',' || r == ' ' || r == '，' || r == '\n' || r == '\r' })
}

// createProject: POST /draws/projects.
func (h *handlers) createProject(w http.ResponseWriter, r *http.Request) error {
	budget, _ := strconv.ParseFloat(r.FormValue("budget_wan"), 64)
	committee, _ := strconv.Atoi(r.FormValue("committee"))
	in := draw.ProjectInput{Name: r.FormValue("name"), Kind: r.FormValue("kind"), BudgetYuan: int64(budget * 10000),
		Specialties: r.Form["specialties"], TendererUSCC: r.FormValue("tenderer_uscc"), BidderUSCCs: splitForm(r.FormValue("bidder_usccs")),
		Region: r.FormValue("region_code"), CrossRegion: r.FormValue("cross_region") == "on", OpeningAt: r.FormValue("opening_at"),
		Committee: committee}
	p, err := h.svc.CreateProject(r.Context(), in)
	if err != nil {
		v := h.s.View(r, "")
		v.Title = v.T("登记项目", "Register a project")
		v.Data = map[string]any{"Specialties": draw.Specialties}
		if yserr.Is(err, yserr.Invalid) {
			return h.s.FormError(w, r, viewForm, v, err)
		}
		return err
	}
	v := h.s.View(r, "")
	return h.s.Redirect(w, r, "/draws/projects/"+strconv.FormatInt(p.ID, 10), v.T("项目已登记：", "Project registered: ")+p.Code)
}

// project: GET /draws/projects/{id}: the six randoms of one project.
func (h *handlers) project(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	v := h.s.View(r, "")
	if err := h.projectData(r, v, id); err != nil {
		return err
	}
	return h.s.Render(w, r, http.StatusOK, viewProject, v)
}

// projectData fills v with project id's page.
func (h *handlers) projectData(r *http.Request, v *web.View, id int64) error {
	ctx := r.Context()
	p, err := h.svc.Project(ctx, id)
	if err != nil {
		return err
	}
	v.Title = p.Name
	asg, err := h.svc.Assignments(ctx, id)
	if err != nil {
		return err
	}
	people, err := h.svc.ProjectPeople(ctx, id)
	if err != nil {
		return err
	}
	bookings, err := h.svc.Bookings(ctx, id)
	if err != nil {
		return err
	}
	list, _, err := h.svc.Draws(ctx, id, 1, 100)
	if err != nil {
		return err
	}
	type drow struct {
		draw.Draw
		Purpose, StatusText string
	}
	draws := make([]drow, len(list))
	done := map[string]bool{}
	pending := 0
	for i, d := range list {
		draws[i] = drow{Draw: d, Purpose: purposeLabel(v, d.Purpose), StatusText: statusLabel(v, d.Status)}
		done[d.Purpose] = true
		if d.Status == "committed" {
			pending++
		}
	}
	type arow struct {
		draw.Assignment
		StatusLabel string
	}
	arows := make([]arow, len(asg))
	for i, a := range asg {
		arows[i] = arow{Assignment: a, StatusLabel: statusLabel(v, a.Status)}
	}
	a := auth.From(ctx)
	v.Data = map[string]any{"P": p, "Draws": draws, "Assignments": arows, "People": people, "Bookings": bookings,
		"Done": done, "Pending": pending, "IsCentre": a.Has(centre...) && a.InScope(p.DepartmentID),
		"Sealed": len(asg) > 0 && asg[0].Name == "", "Opening": p.OpeningAt.In(time.FixedZone("CST", 8*3600)).Format("2006-01-02T15:04:05Z07:00")}
	return nil
}

// commit: POST /draws/projects/{id}/commit with purpose.
func (h *handlers) commit(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	ctx := r.Context()
	var d *draw.Draw
	switch r.FormValue("purpose") {
	case "staff":
		d, err = h.svc.CommitPeople(ctx, id, "staff", 1)
	case "witnesses":
		d, err = h.svc.CommitPeople(ctx, id, "witness", 2)
	case "venues":
		n, _ := strconv.Atoi(r.FormValue("secondary"))
		d, err = h.svc.CommitVenues(ctx, id, n)
	case "experts":
		reserves, _ := strconv.Atoi(r.FormValue("reserves"))
		d, err = h.svc.CommitExperts(ctx, id, draw.ExpertDrawInput{Reserves: reserves, Beacon: r.FormValue("beacon") == "on"})
	default:
		return yserr.Field("purpose", "未知的抽取类型", "unknown draw purpose")
	}
	if err != nil {
		return err
	}
	v := h.s.View(r, "")
	return h.s.Redirect(w, r, "/draws/projects/"+strconv.FormatInt(id, 10)+"#draw-"+strconv.FormatInt(d.ID, 10),
		v.T("候选名单已冻结并公布承诺，请由见证人输入随机值后抽取。", "The candidate list is frozen and the commitment published; let the witness enter a value and draw."))
}

// execute: POST /draws/run/{id}.
func (h *handlers) execute(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	in := draw.DrawInput{WitnessName: r.FormValue("witness_name"), WitnessValue: r.FormValue("witness_value")}
	if sig := strings.TrimSpace(r.FormValue("beacon_signature")); sig != "" {
		in.Beacon = &draw.Beacon{Signature: sig}
	}
	if _, err := h.svc.Execute(r.Context(), id, in); err != nil {
		return h.runError(w, r, id, err)
	}
	d, err := h.svc.Draw(r.Context(), id)
	if err != nil {
		return err
	}
	v := h.s.View(r, "")
	target := "/public/draws/" + strconv.FormatInt(id, 10) + "/verify"
	if d.ProjectID != 0 {
		target = "/draws/projects/" + strconv.FormatInt(d.ProjectID, 10) + "#draw-" + strconv.FormatInt(id, 10)
	}
	return h.s.Redirect(w, r, target, v.T("抽取完成，记录已公布。", "Drawn; the record is published."))
}

// runError shows a draw that could not run (an empty witness name or
// value) on the page its form was on (the project's, or the draw's
// verification page), with the message beside the field and what was typed
// kept. Other errors are passed on.
func (h *handlers) runError(w http.ResponseWriter, r *http.Request, id int64, err error) error {
	if !yserr.Is(err, yserr.Invalid) {
		return err
	}
	d, derr := h.svc.Draw(r.Context(), id)
	if derr != nil {
		return err
	}
	v := h.s.View(r, "")
	view := viewVerify
	if d.ProjectID != 0 {
		view = viewProject
		if derr := h.projectData(r, v, d.ProjectID); derr != nil {
			return err
		}
	} else if derr := h.verifyData(r, v, id); derr != nil {
		return err
	}
	v.Data.(map[string]any)["ErrDraw"] = id
	return h.s.FormError(w, r, view, v, err)
}

// seats: POST /draws/seats with starts_at (RFC 3339): commit the seat draw
// of a session.
func (h *handlers) seats(w http.ResponseWriter, r *http.Request) error {
	at, err := time.Parse(time.RFC3339, r.FormValue("starts_at"))
	if err != nil {
		return yserr.Field("starts_at", "场次时间格式不正确", "bad session time")
	}
	d, err := h.svc.CommitSeats(r.Context(), at)
	if err != nil {
		return err
	}
	v := h.s.View(r, "")
	return h.s.Redirect(w, r, "/public/draws/"+strconv.FormatInt(d.ID, 10)+"/verify",
		v.T("席位抽取已承诺，请在项目页面或此处执行。", "Seat draw committed."))
}
