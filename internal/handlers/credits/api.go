package credits

import (
	"bytes"
	"net/http"

	"yingshang/internal/api"
	"yingshang/internal/calendar"
	"yingshang/internal/credit"
	"yingshang/internal/yserr"
)

const (
	authRead  = "platform_admin,dept_admin,dept_staff,supervisor,enterprise"
	authStaff = "platform_admin,dept_admin,dept_staff,supervisor"
	authWrite = "platform_admin,dept_admin,dept_staff"
)

// IDPath documents an {id} path parameter.
type IDPath struct {
	ID int64 `path:"id"`
}

// CorrectInput is a correction: the new content and its reason.
type CorrectInput struct {
	Content credit.Content `json:"content"`
	Reason  string         `json:"reason"`
}

// ObligationsInput records whether the obligations were performed.
type ObligationsInput struct {
	Met  bool   `json:"met"`
	Note string `json:"note,omitempty"`
}

// ApplyForm documents the form fields of a repair application besides
// the files (up to 5 parts named "files": PDF, PNG or JPEG).
type ApplyForm struct {
	Statement      string `json:"statement"`
	SignCommitment bool   `json:"sign_commitment" doc:"on/true: the applicant signs the credit commitment"`
}

// ResolveInput closes a commitment.
type ResolveInput struct {
	Outcome string `json:"outcome" enum:"fulfilled,breached"`
	Note    string `json:"note,omitempty"`
}

// PeriodQuery asks the period table.
type PeriodQuery struct {
	Decided string `query:"decided" doc:"YYYY-MM-DD"`
	Class   string `query:"class" enum:"minor,general,serious"`
	Sector  string `query:"sector" enum:",special_equipment,work_safety,fire"`
}

// ExportQuery selects the exchange export.
type ExportQuery struct {
	Format string `query:"format" enum:"csv,json" doc:"default csv"`
	Since  string `query:"since" doc:"YYYY-MM-DD: only records changed since"`
}

// CodePath documents a verification code.
type CodePath struct {
	Code string `path:"code"`
}

// USCCPath documents a credit code.
type USCCPath struct {
	USCC string `path:"uscc"`
}

// ListQuery documents the record filter.
type ListQuery struct {
	EntityID     int64  `query:"entity_id"`
	DepartmentID int64  `query:"department_id"`
	Kind         string `query:"kind"`
	Status       string `query:"status" enum:",published,unpublished,repaired,expired,removed"`
	Page         int    `query:"page"`
	PerPage      int    `query:"per_page"`
}

// StatusQuery filters by status.
type StatusQuery struct {
	Status string `query:"status"`
}

func (h *handlers) mountAPI() {
	reg, mux := h.s.API, h.s.Mux
	tags := []string{"credit"}
	reg.DescribeTag("credit", "公共信用：信用记录、两书同达、信用修复、信用等级、逢办必查、信用承诺 / Public credit: records, repair notices, repair, grades, checks, commitments")
	op := func(method, path, id, summary, auth string, query, body, resp any, status int, fn func(w http.ResponseWriter, r *http.Request) error) {
		reg.Handle(mux, api.Op{Method: method, Path: path, ID: id, Summary: summary, Tags: tags, Auth: auth, Query: query, Body: body, Resp: resp, Status: status}, fn)
	}
	op("GET", "/api/v1/credit/records", "listCreditRecords", "信用记录 / Credit records", authRead, ListQuery{}, nil, api.Page[credit.Record]{}, 0, h.apiList)
	op("POST", "/api/v1/credit/records", "createCreditRecord", "录入信用信息（处罚同时送达信用修复告知书） / Record credit information", authWrite, nil, credit.Input{}, credit.Record{}, http.StatusCreated, h.apiCreate)
	reg.Handle(mux, api.Op{Method: "POST", Path: "/api/v1/credit/records/import", ID: "importCreditRecords", Tags: tags, Auth: authWrite,
		Summary: "批量导入信用信息（.xlsx/.csv） / Import credit records from .xlsx or .csv",
		Description: "Multipart form: file (the layout of GET /api/v1/credit/records/import/template), mode, dry_run, department_id. " +
			"Every row is validated as the form validates; the report lists each bad row with its row number, column and reason in Chinese and English. " +
			"committed says whether the records were written (false for a dry run and for an all_or_nothing import with bad rows). " +
			"Each record gets the form's side effects (repair notice delivered for penalties, webhooks); grades are recomputed once per entity.",
		Multipart: true, Body: ImportForm{}, Resp: credit.ImportReport{}}, h.apiImport)
	reg.Handle(mux, api.Op{Method: "GET", Path: "/api/v1/credit/records/import/template", ID: "getCreditImportTemplate", Tags: tags, Auth: authWrite,
		Summary: "信用信息导入模板 / The import template (.xlsx)", RespContentType: xlsxType}, h.importTemplate)
	op("GET", "/api/v1/credit/records/{id}", "getCreditRecord", "信用记录 / A credit record", authRead, IDPath{}, nil, credit.Record{}, 0, h.apiGet)
	op("GET", "/api/v1/credit/records/{id}/versions", "listCreditRecordVersions", "记录的全部版本 / Every version of a record", authRead, IDPath{}, nil, []credit.Version{}, 0, h.apiVersions)
	op("POST", "/api/v1/credit/records/{id}/versions", "correctCreditRecord", "更正（新增版本） / Correct a record (new version)", authWrite, IDPath{}, CorrectInput{}, credit.Record{}, http.StatusCreated, h.apiCorrect)
	op("PUT", "/api/v1/credit/records/{id}/obligations", "setCreditObligations", "履行义务情况 / Obligations performed", authWrite, IDPath{}, ObligationsInput{}, nil, http.StatusNoContent, h.apiObligations)
	op("GET", "/api/v1/credit/records/{id}/notice", "getCreditRepairNotice", "信用修复告知书 / The credit repair notice", authRead, IDPath{}, nil, credit.Notice{}, 0, h.apiNotice)
	op("GET", "/api/v1/credit/records/{id}/eligibility", "getCreditRepairEligibility", "修复条件 / Repair eligibility", authRead, IDPath{}, nil, credit.Eligibility{}, 0, h.apiEligibility)
	reg.Handle(mux, api.Op{Method: "POST", Path: "/api/v1/credit/records/{id}/repairs", ID: "applyCreditRepair", Tags: tags, Auth: "enterprise",
		Summary: "申请信用修复 / Apply for credit repair", Multipart: true, Query: IDPath{}, Body: ApplyForm{}, Resp: credit.Repair{}, Status: http.StatusCreated,
		Description: "Multipart form: statement, sign_commitment and up to 5 parts named files (PDF, PNG, JPEG). Refused before the earliest date (the message names it)."}, h.apiApply)
	op("GET", "/api/v1/credit/repairs", "listCreditRepairs", "修复申请 / Repair applications", authRead, credit.RepairFilter{}, nil, []credit.Repair{}, 0, h.apiRepairs)
	op("GET", "/api/v1/credit/repairs/{id}", "getCreditRepair", "修复申请 / A repair application", authRead, IDPath{}, nil, credit.Repair{}, 0, h.apiRepair)
	op("POST", "/api/v1/credit/repairs/{id}/review", "reviewCreditRepair", "审核修复申请 / Review a repair application", authWrite, IDPath{}, credit.ReviewInput{}, credit.Repair{}, 0, h.apiReview)
	op("GET", "/api/v1/credit/entities/{id}/grade", "getCreditGrade", "信用等级及理由 / Grade with its explanation", authRead, IDPath{}, nil, credit.Grade{}, 0, h.apiGrade)
	op("GET", "/api/v1/credit/entities/{id}/grade/history", "listCreditGradeHistory", "等级变化历史 / Grade history", authRead, IDPath{}, nil, []credit.GradeChange{}, 0, h.apiGradeHistory)
	reg.Handle(mux, api.Op{Method: "POST", Path: "/api/v1/credit/entities/{id}/report", ID: "createCreditReport", Tags: tags, Auth: authRead,
		Summary: "生成信用报告（PDF，含核验码） / Credit report PDF with a verification code", Query: IDPath{}, RespContentType: "application/pdf"}, h.apiReport)
	op("POST", "/api/v1/credit/checks", "creditCheck", "信用核查（逢办必查） / Credit check", authStaff, nil, credit.CheckInput{}, credit.CheckResult{}, 0, h.apiCheck)
	op("GET", "/api/v1/credit/checks/stats", "creditCheckStats", "核查统计（按场景） / Check statistics per scene", authStaff, nil, nil, []credit.SceneStats{}, 0, h.apiCheckStats)
	op("GET", "/api/v1/credit/commitments", "listCreditCommitments", "信用承诺 / Commitments", authRead, StatusQuery{}, nil, []credit.Commitment{}, 0, h.apiCommitments)
	op("POST", "/api/v1/credit/commitments", "signCreditCommitment", "签署信用承诺 / Sign a commitment", "enterprise", nil, credit.CommitmentInput{}, credit.Commitment{}, http.StatusCreated, h.apiSign)
	op("POST", "/api/v1/credit/commitments/{id}/resolve", "resolveCreditCommitment", "承诺履行或违背 / Fulfilled or breached", authWrite, IDPath{}, ResolveInput{}, credit.Commitment{}, 0, h.apiResolve)
	op("GET", "/api/v1/credit/periods", "getCreditPeriods", "公示期限计算 / Publicity window from the rule table", "public", PeriodQuery{}, nil, credit.Period{}, 0, h.apiPeriods)
	op("GET", "/api/v1/credit/public/{uscc}", "getPublicCredit", "信用公示（仅公示中的记录） / Public credit page", "public", USCCPath{}, nil, credit.PublicProfile{}, 0, h.apiPublic)
	op("GET", "/api/v1/credit/verify/{code}", "verifyCreditCode", "核验信用报告或告知书 / Verify a report or notice code", "public", CodePath{}, nil, credit.Verification{}, 0, h.apiVerify)
	reg.Handle(mux, api.Op{Method: "GET", Path: "/api/v1/credit/export", ID: "exportCreditRecords", Tags: tags, Auth: authStaff,
		Summary:     "交换导出（省级平台） / Export for the provincial platform",
		Description: "CSV (default, UTF-8 with BOM) or JSON array; columns: " + joinCols() + ". Repaired and expired records are included with their status.",
		Query:       ExportQuery{}, RespContentType: "text/csv"}, h.apiExport)
}

func joinCols() string {
	var b bytes.Buffer
	for i, c := range credit.ExportColumns {
		if i > 0 {
			b.WriteString(", ")
		}
		b.WriteString(c)
	}
	return b.String()
}

func (h *handlers) apiList(w http.ResponseWriter, r *http.Request) error {
	var q ListQuery
	if err := api.DecodeQuery(r, &q); err != nil {
		return err
	}
	f := credit.Filter{EntityID: q.EntityID, DepartmentID: q.DepartmentID, Kind: q.Kind, Status: q.Status, Page: max(q.Page, 1), PerPage: q.PerPage}
	if f.PerPage <= 0 || f.PerPage > 200 {
		f.PerPage = 50
	}
	items, total, err := h.svc.List(r.Context(), f)
	if err != nil {
		return err
	}
	api.WriteJSON(w, http.StatusOK, api.NewPage(items, total, f.Page, f.PerPage))
	return nil
}

func (h *handlers) apiCreate(w http.ResponseWriter, r *http.Request) error {
	var in credit.Input
	if err := api.Decode(r, &in); err != nil {
		return err
	}
	rec, err := h.svc.Create(r.Context(), in)
	if err != nil {
		return err
	}
	api.WriteJSON(w, http.StatusCreated, rec)
	return nil
}

func (h *handlers) withID(w http.ResponseWriter, r *http.Request, fn func(id int64) (any, error)) error {
	id, err := api.PathInt64(r, "id")
	if err != nil {
		return err
	}
	v, err := fn(id)
	if err != nil {
		return err
	}
	api.WriteJSON(w, http.StatusOK, v)
	return nil
}

func (h *handlers) apiGet(w http.ResponseWriter, r *http.Request) error {
	return h.withID(w, r, func(id int64) (any, error) { return h.svc.Get(r.Context(), id) })
}

func (h *handlers) apiVersions(w http.ResponseWriter, r *http.Request) error {
	return h.withID(w, r, func(id int64) (any, error) { return h.svc.Versions(r.Context(), id) })
}

func (h *handlers) apiCorrect(w http.ResponseWriter, r *http.Request) error {
	id, err := api.PathInt64(r, "id")
	if err != nil {
		return err
	}
	var in CorrectInput
	if err := api.Decode(r, &in); err != nil {
		return err
	}
	rec, err := h.svc.Correct(r.Context(), id, in.Content, in.Reason)
	if err != nil {
		return err
	}
	api.WriteJSON(w, http.StatusCreated, rec)
	return nil
}

func (h *handlers) apiObligations(w http.ResponseWriter, r *http.Request) error {
	id, err := api.PathInt64(r, "id")
	if err != nil {
		return err
	}
	var in ObligationsInput
	if err := api.Decode(r, &in); err != nil {
		return err
	}
	if err := h.svc.SetObligations(r.Context(), id, in.Met, in.Note); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

func (h *handlers) apiNotice(w http.ResponseWriter, r *http.Request) error {
	return h.withID(w, r, func(id int64) (any, error) { return h.svc.LatestNotice(r.Context(), id) })
}

func (h *handlers) apiEligibility(w http.ResponseWriter, r *http.Request) error {
	return h.withID(w, r, func(id int64) (any, error) { return h.svc.Eligibility(r.Context(), id) })
}

func (h *handlers) apiApply(w http.ResponseWriter, r *http.Request) error {
	id, err := api.PathInt64(r, "id")
	if err != nil {
		return err
	}
	files, err := uploads(r, h.s.App.Cfg.UploadLimit)
	if err != nil {
		return err
	}
	sign := r.FormValue("sign_commitment")
	p, err := h.svc.Apply(r.Context(), id, credit.ApplyInput{Statement: r.FormValue("statement"), SignCommitment: sign == "on" || sign == "true", Files: files})
	if err != nil {
		return err
	}
	api.WriteJSON(w, http.StatusCreated, p)
	return nil
}

func (h *handlers) apiRepairs(w http.ResponseWriter, r *http.Request) error {
	var f credit.RepairFilter
	if err := api.DecodeQuery(r, &f); err != nil {
		return err
	}
	list, err := h.svc.Repairs(r.Context(), f)
	if err != nil {
		return err
	}
	api.WriteJSON(w, http.StatusOK, list)
	return nil
}

func (h *handlers) apiRepair(w http.ResponseWriter, r *http.Request) error {
	return h.withID(w, r, func(id int64) (any, error) { return h.svc.GetRepair(r.Context(), id) })
}

func (h *handlers) apiReview(w http.ResponseWriter, r *http.Request) error {
	id, err := api.PathInt64(r, "id")
	if err != nil {
		return err
	}
	var in credit.ReviewInput
	if err := api.Decode(r, &in); err != nil {
		return err
	}
	p, err := h.svc.Review(r.Context(), id, in)
	if err != nil {
		return err
	}
	api.WriteJSON(w, http.StatusOK, p)
	return nil
}

func (h *handlers) apiGrade(w http.ResponseWriter, r *http.Request) error {
	return h.withID(w, r, func(id int64) (any, error) { return h.svc.GradeOf(r.Context(), id) })
}

func (h *handlers) apiGradeHistory(w http.ResponseWriter, r *http.Request) error {
	return h.withID(w, r, func(id int64) (any, error) { return h.svc.GradeHistory(r.Context(), id) })
}

func (h *handlers) apiReport(w http.ResponseWriter, r *http.Request) error {
	id, err := api.PathInt64(r, "id")
	if err != nil {
		return err
	}
	v, pdf, err := h.svc.Report(r.Context(), id)
	if err != nil {
		return err
	}
	w.Header().Set("X-Verification-Code", v.Code)
	writePDF(w, "credit-report-"+v.Code+".pdf", pdf)
	return nil
}

func (h *handlers) apiCheck(w http.ResponseWriter, r *http.Request) error {
	var in credit.CheckInput
	if err := api.Decode(r, &in); err != nil {
		return err
	}
	res, err := h.svc.Check(r.Context(), in)
	if err != nil {
		return err
	}
	api.WriteJSON(w, http.StatusOK, res)
	return nil
}

func (h *handlers) apiCheckStats(w http.ResponseWriter, r *http.Request) error {
	st, err := h.svc.CheckStats(r.Context())
	if err != nil {
		return err
	}
	api.WriteJSON(w, http.StatusOK, st)
	return nil
}

func (h *handlers) apiCommitments(w http.ResponseWriter, r *http.Request) error {
	list, err := h.svc.Commitments(r.Context(), r.URL.Query().Get("status"))
	if err != nil {
		return err
	}
	api.WriteJSON(w, http.StatusOK, list)
	return nil
}

func (h *handlers) apiSign(w http.ResponseWriter, r *http.Request) error {
	var in credit.CommitmentInput
	if err := api.Decode(r, &in); err != nil {
		return err
	}
	c, err := h.svc.Sign(r.Context(), in)
	if err != nil {
		return err
	}
	api.WriteJSON(w, http.StatusCreated, c)
	return nil
}

func (h *handlers) apiResolve(w http.ResponseWriter, r *http.Request) error {
	id, err := api.PathInt64(r, "id")
	if err != nil {
		return err
	}
	var in ResolveInput
	if err := api.Decode(r, &in); err != nil {
		return err
	}
	if in.Outcome != "fulfilled" && in.Outcome != "breached" {
		return yserr.Field("outcome", "须为 fulfilled 或 breached", "must be fulfilled or breached")
	}
	c, err := h.svc.Resolve(r.Context(), id, in.Outcome == "breached", in.Note)
	if err != nil {
		return err
	}
	api.WriteJSON(w, http.StatusOK, c)
	return nil
}

func (h *handlers) apiPeriods(w http.ResponseWriter, r *http.Request) error {
	var q PeriodQuery
	if err := api.DecodeQuery(r, &q); err != nil {
		return err
	}
	d, err := calendar.ParseDate(q.Decided)
	if err != nil {
		return yserr.Field("decided", "日期格式应为 YYYY-MM-DD", "date must be YYYY-MM-DD")
	}
	p, err := h.svc.Periods(r.Context(), d, q.Class, q.Sector)
	if err != nil {
		return err
	}
	api.WriteJSON(w, http.StatusOK, p)
	return nil
}

func (h *handlers) apiPublic(w http.ResponseWriter, r *http.Request) error {
	p, err := h.svc.Public(r.Context(), r.PathValue("uscc"))
	if err != nil {
		return err
	}
	api.WriteJSON(w, http.StatusOK, p)
	return nil
}

func (h *handlers) apiVerify(w http.ResponseWriter, r *http.Request) error {
	v, err := h.svc.Verify(r.Context(), r.PathValue("code"))
	if err != nil {
		return err
	}
	api.WriteJSON(w, http.StatusOK, v)
	return nil
}

func (h *handlers) apiExport(w http.ResponseWriter, r *http.Request) error {
	var q ExportQuery
	if err := api.DecodeQuery(r, &q); err != nil {
		return err
	}
	return h.export(w, r)
}
