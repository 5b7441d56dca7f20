// Package credits serves the public credit module on the web and in the
// JSON API: records and their forms, the credit repair notice (page and
// PDF), repair applications and their review, the enterprise's own
// credit, credit checks with statistics, commitments, the public credit
// pages and report verification. Every decision about who may see or do
// what is made by the credit service.
package credits

import (
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"yingshang/internal/auth"
	"yingshang/internal/credit"
	"yingshang/internal/server"
	"yingshang/internal/web"
	"yingshang/internal/yserr"
)

var (
	readRoles  = []auth.Role{auth.PlatformAdmin, auth.DeptAdmin, auth.DeptStaff, auth.Supervisor}
	writeRoles = []auth.Role{auth.PlatformAdmin, auth.DeptAdmin, auth.DeptStaff}
	allRoles   = []auth.Role{auth.PlatformAdmin, auth.DeptAdmin, auth.DeptStaff, auth.Supervisor, auth.Enterprise}
)

const (
	viewList        = "credit/list"
	viewForm        = "credit/form"
	viewRecord      = "credit/record"
	viewNotice      = "credit/notice"
	viewApply       = "credit/apply"
	viewRepairs     = "credit/repairs"
	viewRepair      = "credit/repair"
	viewMine        = "credit/mine"
	viewChecks      = "credit/checks"
	viewCommitments = "credit/commitments"
	viewPublic      = "credit/public"
	viewPublicOne   = "credit/public_entity"
	viewVerify      = "credit/verify"
)

type handlers struct {
	s   *server.Server
	svc *credit.Service
}

// Mount registers the pages and API operations of the credit area.
func Mount(s *server.Server, svc *credit.Service) {
	h := &handlers{s: s, svc: svc}
	s.UsesViews(viewList, viewForm, viewRecord, viewNotice, viewApply, viewRepairs, viewRepair, viewMine, viewChecks, viewCommitments,
		viewPublic, viewPublicOne, viewVerify, viewImport, viewImportResult)
	h.mountIssue18()
	s.Page("GET /credit", h.list, readRoles...)
	s.Page("GET /credit/new", h.newForm, writeRoles...)
	s.Page("POST /credit/new", h.create, writeRoles...)
	s.Page("GET /credit/export", h.export, readRoles...)
	s.Page("GET /credit/import", h.importForm, writeRoles...)
	s.Page("POST /credit/import", h.importFile, writeRoles...)
	s.Page("GET /credit/import/template.xlsx", h.importTemplate, writeRoles...)
	s.Page("GET /credit/records/{id}", h.record, allRoles...)
	s.Page("GET /credit/records/{id}/correct", h.correctForm, writeRoles...)
	s.Page("POST /credit/records/{id}/correct", h.correct, writeRoles...)
	s.Page("POST /credit/records/{id}/obligations", h.obligations, writeRoles...)
	s.Page("GET /credit/records/{id}/notice", h.notice, allRoles...)
	s.Page("GET /credit/records/{id}/notice.pdf", h.noticePDF, allRoles...)
	s.Page("GET /credit/records/{id}/apply", h.applyForm, auth.Enterprise)
	s.Page("POST /credit/records/{id}/apply", h.apply, auth.Enterprise)
	s.Page("GET /credit/repairs", h.repairs, allRoles...)
	s.Page("GET /credit/repairs/{id}", h.repair, allRoles...)
	s.Page("POST /credit/repairs/{id}/review", h.review, writeRoles...)
	s.Page("POST /credit/repairs/{id}/supplement", h.supplement, auth.Enterprise)
	s.Page("GET /credit/repairs/{id}/files/{file}", h.file, allRoles...)
	s.Page("GET /credit/checks", h.checks, readRoles...)
	s.Page("POST /credit/checks", h.check, readRoles...)
	s.Page("GET /credit/commitments", h.commitments, allRoles...)
	s.Page("POST /credit/commitments/{id}/resolve", h.resolve, writeRoles...)
	s.Page("GET /my/credit", h.mine, auth.Enterprise)
	s.Page("POST /my/credit/report", h.report, auth.Enterprise)
	// Public, rate limited, no sign-in.
	s.Page("GET /public/credit", h.publicSearch)
	s.Page("GET /public/credit/verify", h.verify)
	s.Page("GET /public/credit/{uscc}", h.publicEntity)
	h.mountAPI()
	h.mountStagedAPI()
	h.mountStagedPages()
	h.mountRules()
}

// recordRow is a record with its labels for templates.
type recordRow struct {
	credit.Record
	KindLabel, ClassLabel, StatusLabel, Penalties string
}

func rows(lang string, rs []credit.Record) []recordRow {
	out := make([]recordRow, len(rs))
	for i, r := range rs {
		out[i] = row(lang, r)
	}
	return out
}

func row(lang string, r credit.Record) recordRow {
	return recordRow{Record: r, KindLabel: credit.KindLabel(r.Kind, lang), ClassLabel: credit.ClassLabel(r.Class, lang),
		StatusLabel: credit.StatusLabel(r.Status, lang), Penalties: penaltyText(lang, r.Content.Penalties)}
}

func penaltyText(lang string, ps []credit.Penalty) string {
	var parts []string
	for _, p := range ps {
		s := credit.PenaltyTypeLabel(p.Type, lang)
		if p.Amount > 0 {
			s += " " + strconv.FormatFloat(p.Amount, 'f', -1, 64) + map[bool]string{true: " yuan", false: "元"}[lang == "en"]
		}
		parts = append(parts, s)
	}
	return strings.Join(parts, "；")
}

// option is one entry of a <select>.
type option struct{ Value, Label string }

func options(lang string, keys []string, label func(string, string) string) []option {
	out := make([]option, len(keys))
	for i, k := range keys {
		out[i] = option{k, label(k, lang)}
	}
	return out
}

func pathID(r *http.Request, name string) (int64, error) {
	n, err := strconv.ParseInt(r.PathValue(name), 10, 64)
	if err != nil || n < 1 {
		return 0, yserr.ErrNotFound("页面", "page")
	}
	return n, nil
}

func (h *handlers) list(w http.ResponseWriter, r *http.Request) error {
	v := h.s.View(r, "")
	v.Title = v.T("信用信息", "Credit records")
	q := r.URL.Query()
	f := credit.Filter{Kind: q.Get("kind"), Status: q.Get("status")}
	f.Page, _ = strconv.Atoi(q.Get("page"))
	if code := strings.TrimSpace(q.Get("uscc")); code != "" {
		hits, err := h.svc.PublicSearch(r.Context(), code)
		if err != nil {
			return err
		}
		f.EntityID = -1
		if len(hits) > 0 {
			if e, err := h.s.App.Entities.GetByUSCC(r.Context(), hits[0].USCC); err == nil {
				f.EntityID = e.ID
			}
		}
	}
	items, total, err := h.svc.List(r.Context(), f)
	if err != nil {
		return err
	}
	v.Data = map[string]any{"Rows": rows(v.Lang, items), "Total": total, "Kinds": options(v.Lang, credit.Kinds, credit.KindLabel),
		"Statuses": options(v.Lang, []string{credit.StatusPublished, credit.StatusUnpublished, credit.StatusRepaired, credit.StatusExpired, credit.StatusRemoved}, credit.StatusLabel),
		"CanWrite": auth.From(r.Context()).Has(writeRoles...), "Page": max(f.Page, 1), "More": int64(max(f.Page, 1)*50) < total}
	return h.s.Render(w, r, http.StatusOK, viewList, v)
}

func (h *handlers) export(w http.ResponseWriter, r *http.Request) error {
	format := r.URL.Query().Get("format")
	if format == "" {
		format = "csv"
	}
	ct := map[string]string{"csv": "text/csv; charset=utf-8", "json": "application/json"}[format]
	if ct == "" {
		return yserr.Field("format", "格式须为 csv 或 json", "format must be csv or json")
	}
	w.Header().Set("Content-Type", ct)
	w.Header().Set("Content-Disposition", `attachment; filename="credit-records.`+format+`"`)
	return h.svc.ExportWithHeader(r.Context(), w, format, sinceParam(r), credit.ExportHeader(h.s.View(r, "").Lang))
}

// formView prepares the record form (new or correction).
func (h *handlers) formView(r *http.Request, rec *credit.Record) *web.View {
	v := h.s.View(r, "")
	v.Title = v.T("录入信用信息", "Record credit information")
	action := "/credit/new"
	if rec != nil {
		v.Title = v.T("更正信用信息", "Correct a credit record")
		action = "/credit/records/" + strconv.FormatInt(rec.ID, 10) + "/correct"
	}
	var sectors []option
	for _, k := range []string{"special_equipment", "work_safety", "fire"} {
		sectors = append(sectors, option{k, map[bool]string{true: credit.Sectors[k][1], false: credit.Sectors[k][0]}[v.Lang == "en"]})
	}
	v.Data = map[string]any{"Record": rec, "Action": action, "Kinds": options(v.Lang, credit.Kinds, credit.KindLabel),
		"Classes": options(v.Lang, credit.Classes, credit.ClassLabel), "Types": options(v.Lang, credit.PenaltyTypes, credit.PenaltyTypeLabel),
		"Sectors": sectors, "TaxGrades": credit.TaxGrades}
	return v
}

func (h *handlers) newForm(w http.ResponseWriter, r *http.Request) error {
	v := h.formView(r, nil)
	v.Form = url.Values{"kind": {credit.KindPenalty}, "uscc": {r.URL.Query().Get("uscc")}}
	return h.s.Render(w, r, http.StatusOK, viewForm, v)
}

// contentFrom reads the record form.
func contentFrom(f url.Values) (credit.Content, error) {
	c := credit.Content{DecisionNo: f.Get("decision_no"), DecidedOn: strings.TrimSpace(f.Get("decided_on")), Title: f.Get("title"),
		LegalBasis: f.Get("legal_basis"), Facts: f.Get("facts"), Class: f.Get("class"), Sector: f.Get("sector"), TaxGrade: f.Get("tax_grade")}
	for i, suffix := range []string{"", "2"} {
		t := f.Get("penalty_type" + suffix)
		if t == "" {
			continue
		}
		p := credit.Penalty{Type: t}
		if a := strings.TrimSpace(f.Get("penalty_amount" + suffix)); a != "" {
			n, err := strconv.ParseFloat(a, 64)
			if err != nil {
				return c, yserr.Field("penalties["+strconv.Itoa(i)+"]", "金额须为数字", "the amount must be a number")
			}
			p.Amount = n
		}
		c.Penalties = append(c.Penalties, p)
	}
	if s := f.Get("removes_id"); s != "" {
		n, err := strconv.ParseInt(s, 10, 64)
		if err != nil {
			return c, yserr.Field("removes_id", "须为记录编号", "must be a record number")
		}
		c.RemovesID = n
	}
	return c, nil
}

func (h *handlers) create(w http.ResponseWriter, r *http.Request) error {
	v := h.formView(r, nil)
	if err := r.ParseForm(); err != nil {
		return err
	}
	c, err := contentFrom(r.PostForm)
	if err != nil {
		return h.s.FormError(w, r, viewForm, v, err)
	}
	in := credit.Input{USCC: r.PostFormValue("uscc"), Kind: r.PostFormValue("kind"), Content: c, ObligationsMet: r.PostFormValue("obligations_met") == "on"}
	if strings.TrimSpace(in.USCC) == "" {
		return h.s.FormError(w, r, viewForm, v, yserr.Field("uscc", "请填写统一社会信用代码", "the credit code is required"))
	}
	rec, err := h.svc.Create(r.Context(), in)
	if err != nil {
		if e := yserr.As(err); e != nil && e.Field == "entity_id" {
			err = yserr.Field("uscc", e.ZH, e.EN)
		}
		return h.s.FormError(w, r, viewForm, v, err)
	}
	msg := v.T("已录入", "Recorded")
	if rec.Kind == credit.KindPenalty {
		msg = v.T("已录入并向企业送达信用修复告知书（两书同达）", "Recorded; the credit repair notice was delivered to the business")
	}
	return h.s.Redirect(w, r, "/credit/records/"+strconv.FormatInt(rec.ID, 10), msg)
}

func (h *handlers) correctForm(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	rec, err := h.svc.Get(r.Context(), id)
	if err != nil {
		return err
	}
	if err := h.svc.MayWrite(r.Context(), rec.DepartmentID); err != nil {
		return err
	}
	v := h.formView(r, rec)
	c := rec.Content
	v.Form = url.Values{"kind": {rec.Kind}, "uscc": {rec.USCC}, "decision_no": {c.DecisionNo}, "decided_on": {c.DecidedOn}, "title": {c.Title},
		"legal_basis": {c.LegalBasis}, "facts": {c.Facts}, "class": {c.Class}, "sector": {c.Sector}, "tax_grade": {c.TaxGrade}}
	for i, p := range c.Penalties {
		suffix := map[int]string{0: "", 1: "2"}[i]
		v.Form.Set("penalty_type"+suffix, p.Type)
		if p.Amount > 0 {
			v.Form.Set("penalty_amount"+suffix, strconv.FormatFloat(p.Amount, 'f', -1, 64))
		}
	}
	return h.s.Render(w, r, http.StatusOK, viewForm, v)
}

func (h *handlers) correct(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	rec, err := h.svc.Get(r.Context(), id)
	if err != nil {
		return err
	}
	if err := h.svc.MayWrite(r.Context(), rec.DepartmentID); err != nil {
		return err
	}
	v := h.formView(r, rec)
	if err := r.ParseForm(); err != nil {
		return err
	}
	c, err := contentFrom(r.PostForm)
	if err == nil {
		c.RemovesID = rec.Content.RemovesID
		_, err = h.svc.Correct(r.Context(), id, c, r.PostFormValue("reason"))
	}
	if err != nil {
		return h.s.FormError(w, r, viewForm, v, err)
	}
	return h.s.Redirect(w, r, "/credit/records/"+strconv.FormatInt(id, 10), v.T("已更正（新版本）", "Corrected (new version)"))
}

func (h *handlers) record(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	ctx := r.Context()
	rec, err := h.svc.Get(ctx, id)
	if err != nil {
		return err
	}
	versions, err := h.svc.Versions(ctx, id)
	if err != nil {
		return err
	}
	notices, err := h.svc.Notices(ctx, id)
	if err != nil {
		return err
	}
	repairs, err := h.svc.Repairs(ctx, credit.RepairFilter{RecordID: id})
	if err != nil {
		return err
	}
	el, err := h.svc.Eligibility(ctx, id)
	if err != nil {
		return err
	}
	a := auth.From(ctx)
	v := h.s.View(r, "")
	v.Title = credit.KindLabel(rec.Kind, v.Lang) + " " + rec.Content.DecisionNo
	v.Data = map[string]any{"R": row(v.Lang, *rec), "Versions": versions, "Notices": notices, "Repairs": repairRows(v.Lang, h.s.App.Clock.Now(), repairs), "Eligibility": el,
		"CanWrite": a.Has(writeRoles...) && a.InScope(rec.DepartmentID), "IsEnterprise": a.Has(auth.Enterprise) && a.EntityID == rec.EntityID}
	return h.s.Render(w, r, http.StatusOK, viewRecord, v)
}

func (h *handlers) obligations(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	if err := h.svc.SetObligations(r.Context(), id, r.PostFormValue("met") == "on", r.PostFormValue("note")); err != nil {
		return err
	}
	return h.s.Redirect(w, r, "/credit/records/"+strconv.FormatInt(id, 10), h.s.View(r, "").T("已记录履行义务情况", "Obligations recorded"))
}

func (h *handlers) notice(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	n, err := h.svc.LatestNotice(r.Context(), id)
	if err != nil {
		return err
	}
	v := h.s.View(r, "")
	v.Title = v.T("信用修复告知书", "Credit repair notice")
	v.Data = map[string]any{"N": n, "ClassLabel": credit.ClassLabel(n.Class, v.Lang)}
	return h.s.Render(w, r, http.StatusOK, viewNotice, v)
}

func (h *handlers) noticePDF(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	n, err := h.svc.LatestNotice(r.Context(), id)
	if err != nil {
		return err
	}
	writePDF(w, "notice-"+n.Code+".pdf", credit.NoticePDF(n, h.s.App.Cfg.BaseURL))
	return nil
}

func writePDF(w http.ResponseWriter, name string, b []byte) {
	w.Header().Set("Content-Type", "application/pdf")
	w.Header().Set("Content-Disposition", `inline; filename="`+name+`"`)
	w.Header().Set("Cache-Control", "no-store")
	_, _ = w.Write(b)
}
