package credits

import (
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"

	"yingshang/internal/auth"
	"yingshang/internal/credit"
)

const (
	viewAssisted          = "credit/assisted"
	viewAssistedOne       = "credit/assisted_one"
	viewRedBlack          = "credit/redblack"
	viewRedBlackOne       = "credit/redblack_one"
	viewPublicity         = "credit/publicity"
	viewPublicCommitments = "credit/public_commitments"
	viewPublicLists       = "credit/public_lists"
)

// mountStagedPages registers the pages of assisted repair, staged review,
// red and black lists, public commitments and the 双公示 report.
func (h *handlers) mountStagedPages() {
	s := h.s
	s.UsesViews(viewAssisted, viewAssistedOne, viewRedBlack, viewRedBlackOne, viewPublicity, viewPublicCommitments, viewPublicLists)
	s.Page("GET /credit/assisted", h.assisted, allRoles...)
	s.Page("POST /credit/assisted", h.assistedApply, auth.DeptAdmin, auth.DeptStaff)
	s.Page("GET /credit/assisted/{id}", h.assistedOne, allRoles...)
	s.Page("GET /credit/assisted/{id}/authorisation", h.assistedFile, allRoles...)
	s.Page("POST /credit/assisted/{id}/answer", h.assistedAnswer, auth.Enterprise)
	s.Page("POST /credit/repairs/{id}/first-review", h.firstReview, writeRoles...)
	s.Page("POST /credit/repairs/{id}/external", h.external, writeRoles...)
	s.Page("GET /credit/lists", h.redBlack, readRoles...)
	s.Page("POST /credit/lists", h.redBlackDraft, writeRoles...)
	s.Page("GET /credit/lists/{id}", h.redBlackOne, readRoles...)
	s.Page("POST /credit/lists/{id}/entries", h.redBlackEntry, writeRoles...)
	s.Page("POST /credit/lists/{id}/publish", h.redBlackPublish, writeRoles...)
	s.Page("GET /credit/publicity", h.publicity, readRoles...)
	s.Page("GET /public/credit/commitments", h.publicCommitments)
	s.Page("GET /public/credit/lists", h.publicLists)
	s.Page("GET /public/credit/lists/{id}", h.publicList)
	h.mountAdminPages()
}

type assistedRow struct {
	credit.Assisted
	StatusLabel string
}

func (h *handlers) assistedData(r *http.Request) (map[string]any, error) {
	lang := h.s.View(r, "").Lang
	list, err := h.svc.AssistedList(r.Context(), "")
	if err != nil {
		return nil, err
	}
	rows := make([]assistedRow, len(list))
	for i, x := range list {
		rows[i] = assistedRow{x, credit.AssistedLabel(x.Status, lang)}
	}
	d := map[string]any{"Rows": rows}
	a := auth.From(r.Context())
	if a.Has(auth.DeptAdmin, auth.DeptStaff) {
		points, err := h.svc.ServicePoints(r.Context())
		if err != nil {
			return nil, err
		}
		for _, p := range points {
			if p.Active && p.DepartmentID == a.DepartmentID {
				d["Point"] = p
			}
		}
	}
	return d, nil
}

func (h *handlers) assisted(w http.ResponseWriter, r *http.Request) error {
	v := h.s.View(r, "")
	v.Title = v.T("代办信用修复", "Assisted credit repair")
	d, err := h.assistedData(r)
	if err != nil {
		return err
	}
	v.Data = d
	return h.s.Render(w, r, http.StatusOK, viewAssisted, v)
}

func (h *handlers) assistedApply(w http.ResponseWriter, r *http.Request) error {
	v := h.s.View(r, "")
	v.Title = v.T("代办信用修复", "Assisted credit repair")
	in, err := assistedInput(r, h.s.App.Cfg.UploadLimit)
	if err == nil {
		var x *credit.Assisted
		if x, err = h.svc.ApplyAssisted(r.Context(), in); err == nil {
			return h.s.Redirect(w, r, "/credit/assisted/"+strconv.FormatInt(x.ID, 10), v.T("已提交，待企业确认", "Submitted; waiting for the enterprise's confirmation"))
		}
	}
	d, derr := h.assistedData(r)
	if derr != nil {
		return derr
	}
	v.Data = d
	return h.s.FormError(w, r, viewAssisted, v, err)
}

func (h *handlers) assistedView(r *http.Request, id int64) (map[string]any, error) {
	x, err := h.svc.GetAssisted(r.Context(), id)
	if err != nil {
		return nil, err
	}
	a := auth.From(r.Context())
	lang := h.s.View(r, "").Lang
	return map[string]any{"X": x, "StatusLabel": credit.AssistedLabel(x.Status, lang), "Commitment": credit.RepairCommitment,
		"CanAnswer": a.Has(auth.Enterprise) && a.EntityID == x.EntityID && x.Status == credit.AssistedPending}, nil
}

func (h *handlers) assistedOne(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	v := h.s.View(r, "")
	v.Title = v.T("代办信用修复申请", "Assisted credit repair application")
	if v.Data, err = h.assistedView(r, id); err != nil {
		return err
	}
	return h.s.Render(w, r, http.StatusOK, viewAssistedOne, v)
}

func (h *handlers) assistedAnswer(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	v := h.s.View(r, "")
	v.Title = v.T("代办信用修复申请", "Assisted credit repair application")
	if v.Data, err = h.assistedView(r, id); err != nil {
		return err
	}
	in := credit.AnswerInput{Confirm: r.PostFormValue("answer") != "refuse", SignCommitment: r.PostFormValue("sign_commitment") != "", Note: r.PostFormValue("note")}
	x, err := h.svc.AnswerAssisted(r.Context(), id, in)
	if err != nil {
		return h.s.FormError(w, r, viewAssistedOne, v, err)
	}
	return h.s.Redirect(w, r, "/credit/assisted/"+strconv.FormatInt(id, 10), credit.AssistedLabel(x.Status, v.Lang))
}

func (h *handlers) assistedFile(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	f, rc, err := h.svc.AssistedFile(r.Context(), id)
	if err != nil {
		return err
	}
	defer rc.Close()
	w.Header().Set("Content-Type", f.ContentType)
	w.Header().Set("Content-Disposition", "attachment; filename*=UTF-8''"+url.PathEscape(f.Name))
	w.Header().Set("X-Content-Type-Options", "nosniff")
	_, err = io.Copy(w, rc)
	return err
}

func (h *handlers) firstReview(w http.ResponseWriter, r *http.Request) error {
	return h.stageForm(w, r, func(id int64) (*credit.Repair, error) {
		return h.svc.FirstReview(r.Context(), id, credit.FirstReviewInput{Decision: r.PostFormValue("decision"), Route: r.PostFormValue("route"),
			ExternalBody: r.PostFormValue("external_body"), Note: r.PostFormValue("note")})
	})
}

func (h *handlers) external(w http.ResponseWriter, r *http.Request) error {
	return h.stageForm(w, r, func(id int64) (*credit.Repair, error) {
		return h.svc.RecordExternal(r.Context(), id, credit.ExternalInput{Outcome: r.PostFormValue("outcome"), Note: r.PostFormValue("note")})
	})
}

func (h *handlers) stageForm(w http.ResponseWriter, r *http.Request, fn func(id int64) (*credit.Repair, error)) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	v := h.s.View(r, "")
	v.Title = v.T("信用修复申请", "Credit repair application") + " #" + strconv.FormatInt(id, 10)
	if v.Data, err = h.repairView(r, id); err != nil {
		return err
	}
	p, err := fn(id)
	if err != nil {
		return h.s.FormError(w, r, viewRepair, v, err)
	}
	return h.s.Redirect(w, r, "/credit/repairs/"+strconv.FormatInt(id, 10), v.T("已登记：", "Recorded: ")+credit.RepairLabel(p.Status, v.Lang))
}

type listRow struct {
	credit.CreditList
	KindLabel, StatusLabel string
}

func listRows(lang string, ls []credit.CreditList) []listRow {
	out := make([]listRow, len(ls))
	for i, l := range ls {
		out[i] = listRow{l, credit.ListKindLabel(l.Kind, lang), credit.ListStatusLabel(l.Status, lang)}
	}
	return out
}

func (h *handlers) redBlackData(r *http.Request) (map[string]any, error) {
	ls, err := h.svc.Lists(r.Context())
	if err != nil {
		return nil, err
	}
	return map[string]any{"Rows": listRows(h.s.View(r, "").Lang, ls), "CanDraft": h.svc.IsOffice(r.Context())}, nil
}

func (h *handlers) redBlack(w http.ResponseWriter, r *http.Request) error {
	v := h.s.View(r, "")
	v.Title = v.T("红黑榜", "Red and black lists")
	d, err := h.redBlackData(r)
	if err != nil {
		return err
	}
	v.Data = d
	return h.s.Render(w, r, http.StatusOK, viewRedBlack, v)
}

func (h *handlers) redBlackDraft(w http.ResponseWriter, r *http.Request) error {
	v := h.s.View(r, "")
	v.Title = v.T("红黑榜", "Red and black lists")
	l, err := h.svc.DraftList(r.Context(), credit.ListInput{Kind: r.PostFormValue("kind"), Title: r.PostFormValue("title"),
		Criteria: r.PostFormValue("criteria"), Grades: r.PostFormValue("grades")})
	if err != nil {
		d, derr := h.redBlackData(r)
		if derr != nil {
			return derr
		}
		v.Data = d
		return h.s.FormError(w, r, viewRedBlack, v, err)
	}
	return h.s.Redirect(w, r, "/credit/lists/"+strconv.FormatInt(l.ID, 10), v.T("候选名单已生成，请确认后发布", "Candidates drafted; confirm and publish"))
}

func (h *handlers) renderList(w http.ResponseWriter, r *http.Request, l *credit.CreditList, back string, canEdit bool) error {
	v := h.s.View(r, "")
	v.Title = l.Title
	v.Data = map[string]any{"L": l, "KindLabel": credit.ListKindLabel(l.Kind, v.Lang), "StatusLabel": credit.ListStatusLabel(l.Status, v.Lang),
		"Back": back, "CanEdit": canEdit && l.Status == "draft"}
	return h.s.Render(w, r, http.StatusOK, viewRedBlackOne, v)
}

func (h *handlers) redBlackOne(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	l, err := h.svc.GetList(r.Context(), id)
	if err != nil {
		return err
	}
	return h.renderList(w, r, l, "/credit/lists", h.svc.IsOffice(r.Context()))
}

func (h *handlers) redBlackEntry(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	ent, _ := strconv.ParseInt(r.PostFormValue("entity_id"), 10, 64)
	if _, err := h.svc.SetListEntry(r.Context(), id, ent, r.PostFormValue("included") == "true"); err != nil {
		return err
	}
	v := h.s.View(r, "")
	return h.s.Redirect(w, r, "/credit/lists/"+strconv.FormatInt(id, 10), v.T("已更新", "Updated"))
}

func (h *handlers) redBlackPublish(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	if _, err := h.svc.PublishList(r.Context(), id); err != nil {
		return err
	}
	v := h.s.View(r, "")
	return h.s.Redirect(w, r, "/credit/lists/"+strconv.FormatInt(id, 10), v.T("榜单已发布", "List published"))
}

func pct(x float64) string { return fmt.Sprintf("%.1f%%", x*100) }

func (h *handlers) publicity(w http.ResponseWriter, r *http.Request) error {
	v := h.s.View(r, "")
	v.Title = v.T("双公示及时率", "Dual publicity timeliness")
	q := credit.PublicityQuery{From: r.URL.Query().Get("from"), To: r.URL.Query().Get("to")}
	rep, err := h.svc.Publicity(r.Context(), q)
	if err != nil {
		v.Form = r.URL.Query()
		v.Data = map[string]any{"R": &credit.PublicityReport{From: q.From, To: q.To}}
		return h.s.FormError(w, r, viewPublicity, v, err)
	}
	type pubRow struct {
		credit.PublicityRow
		Pct string
	}
	rows := make([]pubRow, len(rep.Rows))
	for i, x := range rep.Rows {
		rows[i] = pubRow{x, pct(x.Rate)}
	}
	v.Data = map[string]any{"R": rep, "Rows": rows, "TotalPct": pct(rep.Total.Rate)}
	return h.s.Render(w, r, http.StatusOK, viewPublicity, v)
}

func (h *handlers) publicCommitments(w http.ResponseWriter, r *http.Request) error {
	v := h.s.View(r, "")
	v.Title = v.T("信用承诺公示", "Public credit commitments")
	status := r.URL.Query().Get("status")
	page, _ := strconv.Atoi(r.URL.Query().Get("page"))
	type opt struct{ Key, Label string }
	var statuses []opt
	for _, k := range []string{"open", "fulfilled", "breached"} {
		statuses = append(statuses, opt{k, credit.PublicCommitmentLabel(k, v.Lang)})
	}
	d := map[string]any{"Status": status, "Statuses": statuses}
	list, total, err := h.svc.PublicCommitments(r.Context(), status, max(page, 1), 50)
	if err != nil {
		v.Form = r.URL.Query()
		v.Data = d
		return h.s.FormError(w, r, viewPublicCommitments, v, err)
	}
	type row struct {
		credit.PublicCommitment
		KindLabel, StatusLabel string
	}
	rows := make([]row, len(list))
	for i, c := range list {
		rows[i] = row{c, credit.CommitmentKindLabel(c.Kind, v.Lang), credit.PublicCommitmentLabel(c.Status, v.Lang)}
	}
	d["Rows"], d["Total"] = rows, total
	v.Data = d
	return h.s.Render(w, r, http.StatusOK, viewPublicCommitments, v)
}

func (h *handlers) publicLists(w http.ResponseWriter, r *http.Request) error {
	v := h.s.View(r, "")
	v.Title = v.T("红黑榜公示", "Red and black lists")
	ls, err := h.svc.PublicLists(r.Context())
	if err != nil {
		return err
	}
	v.Data = map[string]any{"Rows": listRows(v.Lang, ls)}
	return h.s.Render(w, r, http.StatusOK, viewPublicLists, v)
}

func (h *handlers) publicList(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	l, err := h.svc.PublicList(r.Context(), id)
	if err != nil {
		return err
	}
	return h.renderList(w, r, l, "/public/credit/lists", false)
}
