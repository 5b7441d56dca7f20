package policy

import (
	"cmp"
	"encoding/json"
	"net/http"
	"strconv"
	"strings"

	"yingshang/internal/auth"
	"yingshang/internal/policy"
	"yingshang/internal/policy/rules"
	"yingshang/internal/server"
	"yingshang/internal/web"
	"yingshang/internal/yserr"
)

var jsonMarshal = json.Marshal

type handlers struct {
	s   *server.Server
	svc *policy.Service
}

// Views.
const (
	viewList      = "policy/list"
	viewForm      = "policy/form"
	viewDetail    = "policy/detail"
	viewMine      = "policy/mine"
	viewStatement = "policy/statement"
	viewPublic    = "policy/public"
	viewCalc      = "policy/calculator"
	viewDashboard = "policy/dashboard"
)

func mount(s *server.Server, svc *policy.Service) {
	h := &handlers{s: s, svc: svc}
	s.UsesViews(viewVerify, viewBatch, viewFacts, viewList, viewForm, viewDetail, viewMine, viewStatement, viewPublic, viewCalc, viewDashboard)
	editors := []auth.Role{auth.PlatformAdmin, auth.DeptAdmin, auth.DeptStaff}
	s.Page("GET /policies", h.list, staff...)
	s.Page("GET /policies/new", h.newForm, editors...)
	s.Page("POST /policies", h.create, editors...)
	s.Page("GET /policies/facts/import", h.factsPage, editors...)
	s.Page("POST /policies/facts/import", h.factsImport, editors...)
	s.Page("GET /policies/dashboard", h.dashboard, auth.PlatformAdmin, auth.Supervisor, auth.DeptAdmin)
	s.Page("GET /policies/{id}", h.detail, staff...)
	s.Page("GET /policies/{id}/edit", h.editForm, editors...)
	s.Page("POST /policies/{id}", h.update, editors...)
	s.Page("POST /policies/{id}/publish", h.publish, editors...)
	s.Page("POST /policies/{id}/withdraw", h.withdraw, editors...)
	s.Page("POST /policies/{id}/grant-run", h.grantRun, editors...)
	s.Page("POST /policies/{id}/confirm", h.confirm, editors...)
	s.Page("POST /policies/{id}/pay", h.pay, editors...)
	s.Page("POST /policy-grants/{id}/exclude", h.exclude, editors...)
	s.Page("GET /my/policies", h.mine, auth.Enterprise)
	s.Page("GET /my/policies/statement", h.statement, auth.Enterprise)
	s.Page("GET /my/policies/statement.pdf", h.statementPDF, auth.Enterprise)
	s.Page("GET /my/policies/statement.xlsx", h.statementXLSX, auth.Enterprise)
	s.Page("GET /public/policy/verify", h.verify)
	s.Page("GET /policies/{id}/eligible.xlsx", h.eligibleXLSX, staff...)
	s.Page("GET /policies/{id}/grants.xlsx", h.grantsXLSX, staff...)
	s.Page("POST /policies/{id}/batches", h.createBatch, editors...)
	s.Page("GET /policy-batches/{id}", h.batch, staff...)
	s.Page("GET /policy-batches/{id}/bank.xlsx", h.bankFile, editors...)
	s.Page("POST /policy-batches/{id}/result", h.bankResult, editors...)
	s.Page("GET /policy-list", h.public)
	s.Page("GET /policy-list/{id}", h.publicDetail)
	s.Page("POST /policy-list/{id}/ask", h.ask, auth.Enterprise)
	s.Page("GET /policy-calculator", h.calculator)
	h.mountAPI()
	h.mountApply()
}

func pathID(r *http.Request) (int64, error) {
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil || id <= 0 {
		return 0, yserr.ErrNotFound("政策", "policy")
	}
	return id, nil
}

// Option is a select option.
type Option struct {
	Value, Label string
	Selected     bool
}

func options(v *web.View, codes []string, selected string, blank string) []Option {
	var out []Option
	if blank != "" {
		out = append(out, Option{Value: "", Label: blank, Selected: selected == ""})
	}
	for _, c := range codes {
		out = append(out, Option{Value: c, Label: policy.Label(c, v.Lang), Selected: c == selected})
	}
	return out
}

// Row is a policy prepared for display.
type Row struct {
	*policy.Policy
	CategoryLabel, ModeLabel, StatusLabel, Budget string
	PushScopeLabel                                string
}

func row(v *web.View, p *policy.Policy) Row {
	r := Row{Policy: p, CategoryLabel: policy.Label(p.Category, v.Lang), ModeLabel: policy.Label(p.Mode, v.Lang), StatusLabel: policy.Label(p.Status, v.Lang)}
	r.PushScopeLabel = policy.Label(p.PushScope, v.Lang)
	if p.BudgetFen > 0 {
		r.Budget = rules.Fen(p.BudgetFen)
	} else {
		r.Budget = v.T("不限", "no limit")
	}
	return r
}

func (h *handlers) filter(r *http.Request) policy.Filter {
	q := r.URL.Query()
	dept, _ := strconv.ParseInt(q.Get("department_id"), 10, 64)
	return policy.Filter{DepartmentID: dept, Category: q.Get("category"), Mode: q.Get("mode"), Status: q.Get("status"), Q: q.Get("q"), Industry: q.Get("industry")}
}

func (h *handlers) list(w http.ResponseWriter, r *http.Request) error {
	v := h.s.View(r, "")
	v.Title = v.T("政策管理", "Policies")
	f := h.filter(r)
	list, err := h.svc.List(r.Context(), f)
	if err != nil {
		return err
	}
	var rows []Row
	for _, p := range list {
		rows = append(rows, row(v, p))
	}
	v.Data = map[string]any{"Rows": rows, "Categories": options(v, policy.Categories, f.Category, v.T("全部类别", "All categories")),
		"Statuses":  options(v, policy.Statuses, f.Status, v.T("全部状态", "All statuses")),
		"CanCreate": v.Actor.Has(auth.PlatformAdmin, auth.DeptAdmin, auth.DeptStaff)}
	return h.s.Render(w, r, http.StatusOK, viewList, v)
}

// formData is the form page's data.
func (h *handlers) formData(v *web.View, p *policy.Policy) map[string]any {
	in := policy.Input{Category: "innovation", Mode: policy.ModeAuto, FactYear: v.Now.In(web.Shanghai).Year() - 1,
		ValidFrom: v.Now.In(web.Shanghai).Format("2006-01-02"), ValidTo: v.Now.In(web.Shanghai).AddDate(1, 0, 0).Format("2006-01-02"),
		Condition: json.RawMessage(`{"all":[]}`)}
	if p != nil {
		in = policy.Input{Title: p.Title, DocNo: p.DocNo, DocURL: p.DocURL, LegalBasis: p.LegalBasis, Category: p.Category, Mode: p.Mode,
			Summary: p.Summary, Guide: p.Guide, ValidFrom: p.ValidFrom, ValidTo: p.ValidTo, FactYear: p.FactYear, BudgetFen: p.BudgetFen,
			ReviewDays: p.ReviewDays, Condition: p.Condition, Amount: p.Amount, TargetTags: p.TargetTags, PushScope: p.PushScope}
	}
	budget := ""
	if in.BudgetFen > 0 {
		budget = strconv.FormatFloat(float64(in.BudgetFen)/100, 'f', -1, 64)
	}
	val := func(field, dflt string) string {
		if v.Form != nil {
			return v.Form.Get(field)
		}
		return dflt
	}
	cat, mode := val("category", in.Category), val("mode", in.Mode)
	var facts []map[string]string
	for _, d := range rules.Catalogue {
		facts = append(facts, map[string]string{"Name": d.Name, "Label": d.Label(v.Lang), "Type": d.Type})
	}
	return map[string]any{"Policy": p, "Categories": options(v, policy.Categories, cat, ""), "Modes": options(v, policy.Modes, mode, ""),
		"Title": val("title", in.Title), "DocNo": val("doc_no", in.DocNo), "DocURL": val("doc_url", in.DocURL), "LegalBasis": val("legal_basis", in.LegalBasis),
		"Summary": val("summary", in.Summary), "Guide": val("guide", in.Guide), "ValidFrom": val("valid_from", in.ValidFrom), "ValidTo": val("valid_to", in.ValidTo),
		"FactYear": val("fact_year", strconv.Itoa(in.FactYear)), "Budget": val("budget", budget), "ReviewDays": val("review_days", strconv.Itoa(in.ReviewDays)),
		"Condition": val("condition", string(in.Condition)), "Amount": val("amount", string(in.Amount)), "Facts": facts,
		"TargetTags": val("target_tags", strings.Join(in.TargetTags, "，")), "PushScopes": options(v, policy.PushScopes, val("push_scope", cmp.Or(in.PushScope, policy.ScopeMatch)), "")}
}

func (h *handlers) newForm(w http.ResponseWriter, r *http.Request) error {
	v := h.s.View(r, "")
	v.Title = v.T("新建政策", "New policy")
	v.Data = h.formData(v, nil)
	return h.s.Render(w, r, http.StatusOK, viewForm, v)
}

func (h *handlers) editForm(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	p, err := h.svc.Get(r.Context(), id)
	if err != nil {
		return err
	}
	v := h.s.View(r, "")
	v.Title = v.T("修改政策", "Edit policy")
	v.Data = h.formData(v, p)
	return h.s.Render(w, r, http.StatusOK, viewForm, v)
}

// formInput reads the form; a bad number is a field error.
func formInput(r *http.Request) (policy.Input, error) {
	if err := r.ParseForm(); err != nil {
		return policy.Input{}, yserr.New(yserr.Invalid, "表单无法读取", "the form could not be read")
	}
	f := r.PostForm
	in := policy.Input{Title: f.Get("title"), DocNo: strings.TrimSpace(f.Get("doc_no")), DocURL: strings.TrimSpace(f.Get("doc_url")),
		LegalBasis: f.Get("legal_basis"), Category: f.Get("category"), Mode: f.Get("mode"), Summary: f.Get("summary"), Guide: f.Get("guide"),
		ValidFrom: strings.TrimSpace(f.Get("valid_from")), ValidTo: strings.TrimSpace(f.Get("valid_to")), Note: f.Get("note"),
		Condition: json.RawMessage(f.Get("condition")), Amount: json.RawMessage(strings.TrimSpace(f.Get("amount"))),
		TargetTags: []string{f.Get("target_tags")}, PushScope: f.Get("push_scope")}
	var v yserr.Validation
	if n, err := strconv.Atoi(strings.TrimSpace(f.Get("fact_year"))); err != nil {
		v.Add("fact_year", "请填写依据数据的年度（如 2025）", "give the year of the facts (e.g. 2025)")
	} else {
		in.FactYear = n
	}
	if b := strings.ReplaceAll(strings.TrimSpace(f.Get("budget")), ",", ""); b != "" {
		x, err := strconv.ParseFloat(b, 64)
		if err != nil || x < 0 || x > 1e12 {
			v.Add("budget", "预算应为金额（元）", "the budget must be an amount in yuan")
		} else {
			in.BudgetFen = int64(x*100 + 0.5)
		}
	}
	if d := strings.TrimSpace(f.Get("review_days")); d != "" {
		n, err := strconv.Atoi(d)
		if err != nil {
			v.Add("review_days", "办理时限应为工作日天数", "the time limit is a number of working days")
		}
		in.ReviewDays = n
	}
	return in, v.Err()
}

func (h *handlers) create(w http.ResponseWriter, r *http.Request) error {
	in, err := formInput(r)
	var p *policy.Policy
	if err == nil {
		p, err = h.svc.Create(r.Context(), in)
	}
	if err != nil {
		v := h.s.View(r, "")
		v.Title = v.T("新建政策", "New policy")
		v.Form = r.PostForm
		v.Data = h.formData(v, nil)
		return h.s.FormError(w, r, viewForm, v, err)
	}
	return h.s.Redirect(w, r, "/policies/"+strconv.FormatInt(p.ID, 10), "政策已保存 / Policy saved")
}

func (h *handlers) update(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	in, err := formInput(r)
	if err == nil {
		_, err = h.svc.Update(r.Context(), id, in)
	}
	if err != nil {
		p, gerr := h.svc.Get(r.Context(), id)
		if gerr != nil {
			return gerr
		}
		v := h.s.View(r, "")
		v.Title = v.T("修改政策", "Edit policy")
		v.Form = r.PostForm
		v.Data = h.formData(v, p)
		return h.s.FormError(w, r, viewForm, v, err)
	}
	return h.s.Redirect(w, r, "/policies/"+strconv.FormatInt(id, 10), "政策已保存 / Policy saved")
}

// StepView is a trace step in the view's language.
type StepView struct {
	Indent int
	Held   bool
	Text   string
	Actual string
	Gap    string
}

func steps(v *web.View, list []rules.Step) []StepView {
	out := make([]StepView, len(list))
	for i, s := range list {
		lang := "zh"
		if strings.HasPrefix(v.Lang, "en") {
			lang = "en"
		}
		out[i] = StepView{Indent: s.Depth * 16, Held: s.Held, Text: v.T(s.Text.ZH, s.Text.EN), Actual: rules.CodeLabel(s.Fact, s.Actual, lang), Gap: v.T(s.GapText.ZH, s.GapText.EN)}
	}
	return out
}

// MatchView is a match in the view's language.
type MatchView struct {
	policy.Match
	CategoryLabel, ModeLabel, How, Badge string
	Steps, Misses                        []StepView
}

func matchViews(v *web.View, ms []policy.Match) []MatchView {
	out := make([]MatchView, len(ms))
	for i, m := range ms {
		out[i] = MatchView{Match: m, CategoryLabel: policy.Label(m.Category, v.Lang), ModeLabel: policy.Label(m.Mode, v.Lang),
			How: v.T(m.AmountHow.ZH, m.AmountHow.EN), Steps: steps(v, m.Steps), Misses: steps(v, m.Misses)}
		switch {
		case m.Eligible && m.AmountText != "":
			out[i].Badge = v.T("可享受 ", "eligible ") + m.AmountText
		case m.Eligible:
			out[i].Badge = v.T("可享受", "eligible")
		default:
			out[i].Badge = v.T("差一项条件", "one condition short")
		}
	}
	return out
}

// GrantView is a grant in the view's language.
type GrantView struct {
	policy.Grant
	StatusLabel, ReasonText string
}

func grantViews(v *web.View, gs []policy.Grant) []GrantView {
	out := make([]GrantView, len(gs))
	for i, g := range gs {
		out[i] = GrantView{Grant: g, StatusLabel: policy.Label(g.Status, v.Lang), ReasonText: v.T(g.Reason.ZH, g.Reason.EN)}
	}
	return out
}

// PushView is a push with its labels.
type PushView struct {
	policy.Push
	StatusLabel, CauseLabel string
}

func pushViews(v *web.View, ps []policy.Push) []PushView {
	out := make([]PushView, len(ps))
	for i, p := range ps {
		out[i] = PushView{Push: p, StatusLabel: policy.Label(p.Status, v.Lang), CauseLabel: policy.Label(p.Cause, v.Lang)}
	}
	return out
}

func (h *handlers) detail(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	ctx := r.Context()
	p, err := h.svc.Get(ctx, id)
	if err != nil {
		return err
	}
	v := h.s.View(r, p.Title)
	prog, err := rules.Compile(p.Condition, p.Amount)
	if err != nil {
		return err
	}
	versions, err := h.svc.Versions(ctx, id)
	if err != nil {
		return err
	}
	data := map[string]any{"P": row(v, p), "Rule": steps(v, prog.Describe()), "Versions": versions,
		"CanEdit": h.svc.MayEdit(ctx, p)}
	if r.URL.Query().Get("preview") == "1" {
		pv, err := h.svc.Preview(ctx, id)
		if err != nil {
			return err
		}
		data["Preview"] = pv
		data["Sample"] = matchViews(v, pv.Sample)
	}
	if res := r.URL.Query().Get("run"); res != "" {
		data["RunNote"] = res
	}
	// The long lists come a page at a time (detailPage rows, each list its
	// own page parameter), so the page stays usable with thousands of grants.
	if n, err := h.svc.GrantCount(ctx, id); err == nil {
		lo, hi, pg := web.Paginate(v, r, "gpage", "grants", n, detailPage)
		if gs, err := h.svc.GrantsPage(ctx, id, hi-lo, lo); err == nil {
			data["Grants"], data["GrantPager"] = grantViews(v, gs), pg
		}
	}
	if bs, err := h.svc.Batches(ctx, id); err == nil && len(bs) > 0 {
		lo, hi, pg := web.Paginate(v, r, "bpage", "batches", len(bs), detailPage)
		bs, data["BatchPager"] = bs[lo:hi], pg
		type batchRow struct {
			policy.Batch
			StatusLabel string
		}
		var rows []batchRow
		for _, b := range bs {
			rows = append(rows, batchRow{b, policy.Label(b.Status, v.Lang)})
		}
		data["Batches"] = rows
	}
	if ps, err := h.svc.Pushes(ctx, id); err == nil && len(ps) > 0 {
		lo, hi, pg := web.Paginate(v, r, "ppage", "pushes", len(ps), detailPage)
		data["Pushes"], data["PushPager"] = pushViews(v, ps[lo:hi]), pg
	}
	v.Data = data
	return h.s.Render(w, r, http.StatusOK, viewDetail, v)
}

// detailPage is how many rows of each long list the policy page shows.
const detailPage = 50

func (h *handlers) publish(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	if _, err := h.svc.Publish(r.Context(), id); err != nil {
		return err
	}
	return h.s.Redirect(w, r, "/policies/"+strconv.FormatInt(id, 10), "政策已发布 / Policy published")
}

func (h *handlers) withdraw(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	if _, err := h.svc.Withdraw(r.Context(), id); err != nil {
		return err
	}
	return h.s.Redirect(w, r, "/policies/"+strconv.FormatInt(id, 10), "政策已撤回 / Policy withdrawn")
}

func (h *handlers) grantRun(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	if err := r.ParseForm(); err != nil {
		return yserr.New(yserr.Invalid, "表单无法读取", "the form could not be read")
	}
	res, err := h.svc.GrantRun(r.Context(), id, r.PostForm.Get("period"), r.PostForm.Get("dry_run") == "1")
	if err != nil {
		return err
	}
	msg := "兑现批次：受理 " + strconv.Itoa(res.Granted) + "，拦截 " + strconv.Itoa(res.Excluded) + "，已处理 " + strconv.Itoa(res.Already) +
		" / Grant round: " + strconv.Itoa(res.Granted) + " granted, " + strconv.Itoa(res.Excluded) + " intercepted, " + strconv.Itoa(res.Already) + " already decided"
	return h.s.Redirect(w, r, "/policies/"+strconv.FormatInt(id, 10), msg)
}

func (h *handlers) confirm(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	if err := r.ParseForm(); err != nil {
		return yserr.New(yserr.Invalid, "表单无法读取", "the form could not be read")
	}
	n, err := h.svc.Confirm(r.Context(), id, r.PostForm.Get("period"))
	if err != nil {
		return err
	}
	return h.s.Redirect(w, r, "/policies/"+strconv.FormatInt(id, 10), "已审核 "+strconv.Itoa(n)+" 笔 / "+strconv.Itoa(n)+" grants approved")
}

func (h *handlers) pay(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	if err := r.ParseForm(); err != nil {
		return yserr.New(yserr.Invalid, "表单无法读取", "the form could not be read")
	}
	gs, err := h.svc.Grants(r.Context(), id, "")
	if err != nil {
		return err
	}
	var ids []int64
	for _, g := range gs {
		if g.Status == policy.GrantApproved {
			ids = append(ids, g.ID)
		}
	}
	n, err := h.svc.RecordPayment(r.Context(), ids, r.PostForm.Get("payment_ref"))
	if err != nil {
		return err
	}
	return h.s.Redirect(w, r, "/policies/"+strconv.FormatInt(id, 10), "已记录到账 "+strconv.Itoa(n)+" 笔 / "+strconv.Itoa(n)+" payments recorded")
}

func (h *handlers) exclude(w http.ResponseWriter, r *http.Request) error {
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil {
		return yserr.ErrNotFound("兑现记录", "grant")
	}
	if err := r.ParseForm(); err != nil {
		return yserr.New(yserr.Invalid, "表单无法读取", "the form could not be read")
	}
	if err := h.svc.Exclude(r.Context(), id, r.PostForm.Get("reason")); err != nil {
		return err
	}
	back := r.PostForm.Get("back")
	if !strings.HasPrefix(back, "/policies/") {
		back = "/policies"
	}
	return h.s.Redirect(w, r, back, "已排除 / Excluded")
}

func (h *handlers) mine(w http.ResponseWriter, r *http.Request) error {
	v := h.s.View(r, "")
	v.Title = v.T("为我推荐的政策", "Policies for you")
	ms, err := h.svc.ForEntity(r.Context(), v.Actor.EntityID)
	if err != nil {
		return err
	}
	v.Data = map[string]any{"Matches": matchViews(v, ms)}
	return h.s.Render(w, r, http.StatusOK, viewMine, v)
}

func (h *handlers) statement(w http.ResponseWriter, r *http.Request) error {
	v := h.s.View(r, "")
	v.Title = v.T("红利账单", "Benefit statement")
	year, _ := strconv.Atoi(r.URL.Query().Get("year"))
	if year == 0 {
		year = v.Now.In(web.Shanghai).Year()
	}
	st, err := h.svc.StatementOf(r.Context(), v.Actor.EntityID, year)
	if err != nil {
		return err
	}
	v.Data = map[string]any{"S": st, "Grants": grantViews(v, st.Grants), "Year": year, "Prev": year - 1, "Next": year + 1}
	return h.s.Render(w, r, http.StatusOK, viewStatement, v)
}

func (h *handlers) public(w http.ResponseWriter, r *http.Request) error {
	v := h.s.View(r, "")
	v.Title = v.T("涉企政策清单", "Business policy list")
	f := h.filter(r)
	f.Status = policy.StatusPublished
	list, err := h.svc.List(r.Context(), f)
	if err != nil {
		return err
	}
	var rows []Row
	for _, p := range list {
		rows = append(rows, row(v, p))
	}
	v.Data = map[string]any{"Rows": rows, "Categories": options(v, policy.Categories, f.Category, v.T("全部类别", "All categories"))}
	return h.s.Render(w, r, http.StatusOK, viewPublic, v)
}

func (h *handlers) publicDetail(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	p, err := h.svc.Get(r.Context(), id)
	if err != nil {
		return err
	}
	if p.Status != policy.StatusPublished {
		return yserr.ErrNotFound("政策", "policy")
	}
	prog, err := rules.Compile(p.Condition, p.Amount)
	if err != nil {
		return err
	}
	v := h.s.View(r, p.Title)
	v.Data = map[string]any{"P": row(v, p), "Rule": steps(v, prog.Describe()), "Public": true,
		"CanAsk": v.Actor != nil && v.Actor.Has(auth.Enterprise) && v.Actor.EntityID != 0}
	return h.s.Render(w, r, http.StatusOK, viewDetail, v)
}

// calcInput reads the calculator's questions from the query string.
func calcInput(r *http.Request) policy.CalcInput {
	q := r.URL.Query()
	num := func(k string) *float64 {
		s := strings.ReplaceAll(strings.TrimSpace(q.Get(k)), ",", "")
		if s == "" {
			return nil
		}
		x, err := strconv.ParseFloat(s, 64)
		if err != nil {
			x = -1 // refused by the service, naming the field
		}
		return &x
	}
	year, _ := strconv.Atoi(q.Get("founded_year"))
	var tags []string
	for _, t := range strings.FieldsFunc(q.Get("tags"), func(r rune) bool { return r == ',' || r == '，' || r == ' ' }) {
		tags = append(tags, t)
	}
	return policy.CalcInput{USCC: q.Get("uscc"), Answers: policy.Answers{Industry: q.Get("industry"), Size: q.Get("size"), Region: q.Get("region"),
		FoundedYear: year, RevenueWan: num("revenue_wan"), Employees: num("employees"), RDWan: num("rd_spending_wan"),
		Graduates: num("graduates_hired"), LoanWan: num("loan_interest_wan"), HighTech: q.Get("high_tech") == "1", Tags: tags}}
}

func (h *handlers) calculator(w http.ResponseWriter, r *http.Request) error {
	v := h.s.View(r, "")
	v.Title = v.T("政策计算器", "Policy calculator")
	v.Form = r.URL.Query()
	data := map[string]any{"Sizes": []Option{{"", v.T("未填写", "not given"), false}, {"large", v.T("大型", "large"), false},
		{"medium", v.T("中型", "medium"), false}, {"small", v.T("小型", "small"), false}, {"micro", v.T("微型", "micro"), false}}}
	for i, o := range data["Sizes"].([]Option) {
		data["Sizes"].([]Option)[i].Selected = o.Value == r.URL.Query().Get("size")
	}
	v.Data = data
	if r.URL.Query().Get("go") == "1" {
		res, err := h.svc.Calculate(r.Context(), calcInput(r))
		if err != nil {
			return h.s.FormError(w, r, viewCalc, v, err)
		}
		data["Result"] = res
		data["Matches"] = matchViews(v, res.Matches)
	}
	return h.s.Render(w, r, http.StatusOK, viewCalc, v)
}

func (h *handlers) dashboard(w http.ResponseWriter, r *http.Request) error {
	v := h.s.View(r, "")
	v.Title = v.T("政策兑现看板", "Policy dashboard")
	d, err := h.svc.Dashboard(r.Context())
	if err != nil {
		return err
	}
	v.Data = d
	return h.s.Render(w, r, http.StatusOK, viewDashboard, v)
}
