package credits

import (
	"io"
	"mime/multipart"
	"net/http"
	"strconv"
	"time"

	"yingshang/internal/auth"
	"yingshang/internal/credit"
	"yingshang/internal/yserr"
)

type repairRow struct {
	credit.Repair
	StatusLabel string
	Overdue     bool
}

func repairRows(lang string, now time.Time, ps []credit.Repair) []repairRow {
	out := make([]repairRow, len(ps))
	for i, p := range ps {
		out[i] = repairRow{Repair: p, StatusLabel: credit.RepairLabel(p.Status, lang), Overdue: p.Overdue(now)}
	}
	return out
}

// uploads reads the "files" parts of a multipart form.
func uploads(r *http.Request, limit int64) ([]credit.Upload, error) {
	if err := r.ParseMultipartForm(limit); err != nil {
		if err == http.ErrNotMultipart {
			return nil, nil
		}
		return nil, yserr.New(yserr.TooLarge, "上传内容过大", "the upload is too large").Wrap(err)
	}
	var out []credit.Upload
	for _, fh := range r.MultipartForm.File["files"] {
		if fh.Size == 0 && fh.Filename == "" {
			continue
		}
		b, err := readPart(fh)
		if err != nil {
			return nil, err
		}
		out = append(out, credit.Upload{Name: fh.Filename, Data: b})
	}
	return out, nil
}

func readPart(fh *multipart.FileHeader) ([]byte, error) {
	f, err := fh.Open()
	if err != nil {
		return nil, err
	}
	defer f.Close()
	return io.ReadAll(f)
}

func (h *handlers) applyView(r *http.Request, id int64) (map[string]any, error) {
	rec, err := h.svc.Get(r.Context(), id)
	if err != nil {
		return nil, err
	}
	el, err := h.svc.Eligibility(r.Context(), id)
	if err != nil {
		return nil, err
	}
	return map[string]any{"R": row(h.s.View(r, "").Lang, *rec), "Eligibility": el, "Commitment": credit.RepairCommitment}, nil
}

func (h *handlers) applyForm(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	v := h.s.View(r, "")
	v.Title = v.T("申请信用修复", "Apply for credit repair")
	if v.Data, err = h.applyView(r, id); err != nil {
		return err
	}
	return h.s.Render(w, r, http.StatusOK, viewApply, v)
}

func (h *handlers) apply(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	v := h.s.View(r, "")
	v.Title = v.T("申请信用修复", "Apply for credit repair")
	if v.Data, err = h.applyView(r, id); err != nil {
		return err
	}
	files, err := uploads(r, h.s.App.Cfg.UploadLimit)
	if err != nil {
		return h.s.FormError(w, r, viewApply, v, err)
	}
	p, err := h.svc.Apply(r.Context(), id, credit.ApplyInput{Statement: r.PostFormValue("statement"), SignCommitment: r.PostFormValue("sign_commitment") == "on", Files: files})
	if err != nil {
		return h.s.FormError(w, r, viewApply, v, err)
	}
	return h.s.Redirect(w, r, "/credit/repairs/"+strconv.FormatInt(p.ID, 10), v.T("修复申请已提交，部门将在3个工作日内审核", "Application submitted: the department reviews it within 3 working days"))
}

func (h *handlers) repairs(w http.ResponseWriter, r *http.Request) error {
	status := r.URL.Query().Get("status")
	list, err := h.svc.Repairs(r.Context(), credit.RepairFilter{Status: status})
	if err != nil {
		return err
	}
	v := h.s.View(r, "")
	v.Title = v.T("信用修复申请", "Credit repair applications")
	v.Data = map[string]any{"Rows": repairRows(v.Lang, h.s.App.Clock.Now(), list), "Status": status,
		"Statuses": options(v.Lang, []string{credit.RepairSubmitted, credit.RepairMoreInfo, credit.RepairApproved, credit.RepairRejected}, credit.RepairLabel)}
	return h.s.Render(w, r, http.StatusOK, viewRepairs, v)
}

func (h *handlers) repairView(r *http.Request, id int64) (map[string]any, error) {
	p, err := h.svc.ReadRepair(r.Context(), id)
	if err != nil {
		return nil, err
	}
	stage, err := h.svc.OpenStage(r.Context(), id)
	if err != nil {
		return nil, err
	}
	a := auth.From(r.Context())
	lang := h.s.View(r, "").Lang
	steps, err := h.repairSteps(r.Context(), lang, p)
	if err != nil {
		return nil, err
	}
	return map[string]any{"Steps": steps, "P": repairRows(lang, h.s.App.Clock.Now(), []credit.Repair{*p})[0], "Commitment": credit.RepairCommitment,
		"CanReview": a.Has(writeRoles...) && a.InScope(p.DepartmentID) && (p.Status == credit.RepairSubmitted || p.Status == credit.RepairMoreInfo) &&
			stage != credit.StageFirstReview && stage != credit.StageExternal,
		"CanFirstReview": stage == credit.StageFirstReview && p.Status == credit.RepairSubmitted && h.svc.IsOffice(r.Context()),
		"CanExternal":    stage == credit.StageExternal && p.Status == credit.RepairSubmitted && h.svc.IsOffice(r.Context()),
		"CanSupplement":  a.Has(auth.Enterprise) && a.EntityID == p.EntityID && p.Status == credit.RepairMoreInfo}, nil
}

func (h *handlers) repair(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	v := h.s.View(r, "")
	v.Title = v.T("信用修复申请", "Credit repair application") + " #" + strconv.FormatInt(id, 10)
	if v.Data, err = h.repairView(r, id); err != nil {
		return err
	}
	return h.s.Render(w, r, http.StatusOK, viewRepair, v)
}

func (h *handlers) review(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	v := h.s.View(r, "")
	v.Title = v.T("信用修复申请", "Credit repair application") + " #" + strconv.FormatInt(id, 10)
	if v.Data, err = h.repairView(r, id); err != nil {
		return err
	}
	p, err := h.svc.Review(r.Context(), id, credit.ReviewInput{Decision: r.PostFormValue("decision"), Reason: r.PostFormValue("reason")})
	if err != nil {
		return h.s.FormError(w, r, viewRepair, v, err)
	}
	return h.s.Redirect(w, r, "/credit/repairs/"+strconv.FormatInt(id, 10), v.T("审核结果：", "Decision: ")+credit.RepairLabel(p.Status, v.Lang))
}

func (h *handlers) supplement(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	v := h.s.View(r, "")
	v.Title = v.T("补充材料", "Add material")
	if v.Data, err = h.repairView(r, id); err != nil {
		return err
	}
	files, err := uploads(r, h.s.App.Cfg.UploadLimit)
	if err == nil {
		_, err = h.svc.Supplement(r.Context(), id, credit.ApplyInput{Statement: r.PostFormValue("statement"), Files: files})
	}
	if err != nil {
		return h.s.FormError(w, r, viewRepair, v, err)
	}
	return h.s.Redirect(w, r, "/credit/repairs/"+strconv.FormatInt(id, 10), v.T("已补充材料，申请回到审核", "Material added: the application is back in review"))
}

func (h *handlers) file(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	fid, err := pathID(r, "file")
	if err != nil {
		return err
	}
	f, rc, err := h.svc.RepairFile(r.Context(), id, fid)
	if err != nil {
		return err
	}
	defer rc.Close()
	return h.s.ServeFile(w, r, f.Name, f.ContentType, f.Size, false, rc)
}

func (h *handlers) mine(w http.ResponseWriter, r *http.Request) error {
	a := auth.From(r.Context())
	v := h.s.View(r, "")
	v.Title = v.T("我的信用", "My credit")
	if a.EntityID == 0 {
		v.Data = map[string]any{"Unbound": true}
		return h.s.Render(w, r, http.StatusOK, viewMine, v)
	}
	ctx := r.Context()
	recs, _, err := h.svc.List(ctx, credit.Filter{PerPage: 200})
	if err != nil {
		return err
	}
	g, err := h.svc.GradeOf(ctx, a.EntityID)
	if err != nil {
		return err
	}
	hist, err := h.svc.GradeHistory(ctx, a.EntityID)
	if err != nil {
		return err
	}
	repairs, err := h.svc.Repairs(ctx, credit.RepairFilter{})
	if err != nil {
		return err
	}
	commitments, err := h.svc.Commitments(ctx, "")
	if err != nil {
		return err
	}
	type eligible struct {
		recordRow
		Eligible  bool
		Earliest  string
		HasNotice bool
	}
	var list []eligible
	for _, rec := range recs {
		el, err := h.svc.Eligibility(ctx, rec.ID)
		if err != nil {
			return err
		}
		hasNotice := rec.Kind == credit.KindPenalty || rec.Kind == credit.KindSeriousList || rec.Kind == credit.KindBreach
		list = append(list, eligible{row(v.Lang, rec), el.Eligible, el.EarliestOn, hasNotice})
	}
	pub, err := h.svc.PublicOf(ctx, a.EntityID)
	if err != nil {
		return err
	}
	v.Data = map[string]any{"EntityID": a.EntityID, "Entity": pub.Name, "USCC": pub.USCC, "Records": list, "Grade": g, "Colour": credit.ColourLabel(g.Colour, v.Lang), "History": hist,
		"Repairs": repairRows(v.Lang, h.s.App.Clock.Now(), repairs), "Commitments": commitmentRows(v.Lang, commitments)}
	return h.s.Render(w, r, http.StatusOK, viewMine, v)
}

func (h *handlers) report(w http.ResponseWriter, r *http.Request) error {
	a := auth.From(r.Context())
	ver, pdf, err := h.svc.Report(r.Context(), a.EntityID)
	if err != nil {
		return err
	}
	writePDF(w, "credit-report-"+ver.Code+".pdf", pdf)
	return nil
}

type commitmentRow struct {
	credit.Commitment
	KindLabel, StatusLabel string
}

func commitmentRows(lang string, cs []credit.Commitment) []commitmentRow {
	out := make([]commitmentRow, len(cs))
	for i, c := range cs {
		out[i] = commitmentRow{c, credit.CommitmentKindLabel(c.Kind, lang), credit.CommitmentStatusLabel(c.Status, lang)}
	}
	return out
}
