package credits

import (
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"yingshang/internal/api"
	"yingshang/internal/auth"
	"yingshang/internal/calendar"
	"yingshang/internal/credit"
	"yingshang/internal/web"
	"yingshang/internal/yserr"
)

const (
	viewRulesPeriods = "credit/rules_periods"
	viewRulesClasses = "credit/rules_classes"
	viewRulesGrades  = "credit/rules_grades"
	viewRulesScenes  = "credit/rules_scenes"
)

func (h *handlers) mountRules() {
	s := h.s
	s.UsesViews(viewRulesPeriods, viewRulesClasses, viewRulesGrades, viewRulesScenes)
	s.Page("GET /credit/rules", h.rulesPeriods, readRoles...)
	s.Page("POST /credit/rules/periods", h.addPeriodRule, readRoles...)
	s.Page("POST /credit/rules/periods/{id}/delete", h.deletePeriodRule, readRoles...)
	s.Page("GET /credit/rules/classes", h.rulesClasses, readRoles...)
	s.Page("POST /credit/rules/classes", h.setClasses, readRoles...)
	s.Page("GET /credit/rules/grades", h.rulesGrades, readRoles...)
	s.Page("POST /credit/rules/grades", h.setGrades, readRoles...)
	s.Page("GET /credit/rules/scenes", h.rulesScenes, readRoles...)
	s.Page("POST /credit/rules/scenes", h.setScenes, readRoles...)

	reg, mux := s.API, s.Mux
	tags := []string{"credit"}
	op := func(method, path, id, summary, auth string, query, body, resp any, status int, fn func(w http.ResponseWriter, r *http.Request) error) {
		reg.Handle(mux, api.Op{Method: method, Path: path, ID: id, Summary: summary, Tags: tags, Auth: auth, Query: query, Body: body, Resp: resp, Status: status}, fn)
	}
	op("GET", "/api/v1/credit/rules/periods", "listCreditPeriodRules", "公示期限规则表（可按日期查看当时生效的规则） / Publicity period rules (optionally those in force on a date)",
		authStaff, OnQuery{}, nil, []credit.PeriodRule{}, 0, h.apiPeriodRules)
	op("POST", "/api/v1/credit/rules/periods", "addCreditPeriodRule", "新增公示期限规则（自以后某日起生效） / Add a period rule from a later date",
		"platform_admin", nil, credit.PeriodRuleInput{}, credit.PeriodRule{}, http.StatusCreated, h.apiAddPeriodRule)
	op("DELETE", "/api/v1/credit/rules/periods/{id}", "deleteCreditPeriodRule", "删除尚未生效的规则 / Delete a rule not yet in force",
		"platform_admin", IDPath{}, nil, nil, http.StatusNoContent, h.apiDeletePeriodRule)
	op("GET", "/api/v1/credit/rules/classes/{id}", "getCreditDeptClasses", "部门失信行为分类标准 / A department's severity classes",
		authStaff, IDPath{}, nil, DeptClasses{}, 0, h.apiDeptClasses)
	op("PUT", "/api/v1/credit/rules/classes/{id}", "setCreditDeptClasses", "修改部门失信行为分类标准 / Change a department's severity classes",
		"platform_admin,dept_admin", IDPath{}, DeptClassesInput{}, DeptClasses{}, 0, h.apiSetDeptClasses)
	op("GET", "/api/v1/credit/rules/grades", "listCreditGradeRules", "信用等级规则表 / Grade rules", authStaff, nil, nil, []credit.GradeRule{}, 0, h.apiGradeRules)
	op("PUT", "/api/v1/credit/rules/grades", "setCreditGradeRules", "修改等级规则表（保存后以后台任务重新评定全部等级） / Replace the grade rules (a durable job recomputes every grade)",
		"platform_admin", nil, GradeRulesInput{}, []credit.GradeRule{}, 0, h.apiSetGradeRules)
	op("GET", "/api/v1/credit/rules/grades/recompute", "getCreditGradeRecompute", "全部等级重新评定的进度（最近一次） / Progress of the latest recomputation of every grade",
		authStaff, nil, nil, credit.RecomputeRun{}, 0, h.apiGradeRecompute)
	op("POST", "/api/v1/credit/rules/grades/preview", "previewCreditGradeRules", "预览等级规则表的效果 / Preview the grades a table would give",
		"platform_admin", nil, GradeRulesInput{}, credit.GradePreview{}, 0, h.apiPreviewGradeRules)
	op("GET", "/api/v1/credit/rules/scenes", "listCreditSceneRules", "信用核查场景规则表 / Scene rules of the credit check", authStaff, nil, nil, []credit.SceneRule{}, 0, h.apiSceneRules)
	op("PUT", "/api/v1/credit/rules/scenes", "setCreditSceneRules", "修改场景规则表 / Replace the scene rules", "platform_admin", nil, SceneRulesInput{}, []credit.SceneRule{}, 0, h.apiSetSceneRules)
	op("GET", "/api/v1/credit/rules/history", "listCreditRuleChanges", "规则表变更记录 / Change history of a rule table", authStaff, HistoryQuery{}, nil, []credit.RuleChange{}, 0, h.apiRuleHistory)
}

// OnQuery selects the rules in force on a date.
type OnQuery struct {
	On string `query:"on" doc:"YYYY-MM-DD: only the rules in force for decisions on that date"`
}

// HistoryQuery names a rule table.
type HistoryQuery struct {
	Table string `query:"table" doc:"periods, grades, scenes or classes:<department id>"`
}

// DeptClasses is a department's classification table.
type DeptClasses struct {
	DepartmentID int64              `json:"department_id"`
	Configured   bool               `json:"configured" doc:"false: the department has no table and all three classes apply"`
	Classes      []credit.DeptClass `json:"classes"`
}

// DeptClassesInput sets a department's classification table.
type DeptClassesInput struct {
	Classes []credit.DeptClass `json:"classes" doc:"the classes used (used=true) with their criteria"`
}

// GradeRulesInput is a grade table.
type GradeRulesInput struct {
	Rules []credit.GradeRule `json:"rules"`
}

// SceneRulesInput is a scene-rule table.
type SceneRulesInput struct {
	Rules []credit.SceneRule `json:"rules"`
}

// rulesView starts a rule page with its tab and change history.
func (h *handlers) rulesView(r *http.Request, tab, table string) (*web.View, map[string]any, error) {
	v := h.s.View(r, "")
	v.Title = v.T("信用规则表", "Credit rule tables")
	hist, err := h.svc.RuleHistory(r.Context(), table)
	if err != nil {
		return nil, nil, err
	}
	a := auth.From(r.Context())
	d := map[string]any{"Tab": tab, "History": hist, "IsAdmin": a.Has(auth.PlatformAdmin)}
	v.Data = d
	return v, d, nil
}

func (h *handlers) periodsData(r *http.Request, v *web.View, d map[string]any) error {
	ctx := r.Context()
	all, err := h.svc.PeriodRules(ctx)
	if err != nil {
		return err
	}
	on := h.s.App.Clock.Now()
	day := calendar.FromTime(on, calendar.Shanghai)
	if q := r.URL.Query().Get("on"); q != "" {
		if p, err := calendar.ParseDate(q); err == nil {
			day = p
		}
	}
	today := calendar.FromTime(h.s.App.Clock.Now(), calendar.Shanghai).String()
	type ruleRow struct {
		credit.PeriodRule
		ClassText, SectorText string
		InForceOn, Future     bool
	}
	var rows []ruleRow
	for _, p := range all {
		cls := credit.ClassLabel(p.Class, v.Lang)
		if p.Class == "*" {
			cls = v.T("全部", "all")
		}
		sec := ""
		if l, ok := credit.Sectors[p.Sector]; ok {
			sec = v.T(l[0], l[1])
		}
		rows = append(rows, ruleRow{p, cls, sec, p.InForce(day), p.EffectiveFrom > today})
	}
	var sectors []option
	for _, k := range []string{"special_equipment", "work_safety", "fire"} {
		sectors = append(sectors, option{k, v.T(credit.Sectors[k][0], credit.Sectors[k][1])})
	}
	d["Rules"], d["On"], d["Sectors"] = rows, day.String(), sectors
	d["Classes"] = append([]option{{"*", v.T("全部", "all")}}, options(v.Lang, credit.Classes, credit.ClassLabel)...)
	d["Tomorrow"] = day.AddDays(1).String()
	if day.String() != today {
		d["Tomorrow"] = calendar.MustParseDate(today).AddDays(1).String()
	}
	return nil
}

func (h *handlers) rulesPeriods(w http.ResponseWriter, r *http.Request) error {
	v, d, err := h.rulesView(r, "periods", credit.TablePeriods)
	if err != nil {
		return err
	}
	if err := h.periodsData(r, v, d); err != nil {
		return err
	}
	v.Form = url.Values{"regime": {"order36"}, "min_months": {"3"}, "max_months": {"12"}, "publish": {"on"}, "class": {"general"}, "effective_from": {d["Tomorrow"].(string)}}
	return h.s.Render(w, r, http.StatusOK, viewRulesPeriods, v)
}

func atoiField(f url.Values, name string, v *yserr.Validation) int {
	s := strings.TrimSpace(f.Get(name))
	if s == "" {
		return 0
	}
	n, err := strconv.Atoi(s)
	if err != nil {
		v.Add(name, "须为整数", "must be a whole number")
	}
	return n
}

func (h *handlers) addPeriodRule(w http.ResponseWriter, r *http.Request) error {
	v, d, err := h.rulesView(r, "periods", credit.TablePeriods)
	if err != nil {
		return err
	}
	if err := r.ParseForm(); err != nil {
		return err
	}
	f := r.PostForm
	var bad yserr.Validation
	in := credit.PeriodRuleInput{EffectiveFrom: f.Get("effective_from"), Regime: f.Get("regime"), Class: f.Get("class"), Sector: f.Get("sector"),
		MinMonths: atoiField(f, "min_months", &bad), MaxMonths: atoiField(f, "max_months", &bad), Publish: f.Get("publish") == "on", Note: f.Get("note")}
	err = bad.Err()
	if err == nil {
		_, err = h.svc.AddPeriodRule(r.Context(), in)
	}
	if err != nil {
		if e := h.periodsData(r, v, d); e != nil {
			return e
		}
		return h.s.FormError(w, r, viewRulesPeriods, v, err)
	}
	return h.s.Redirect(w, r, "/credit/rules", v.T("已新增规则，自 "+in.EffectiveFrom+" 起生效", "Rule added, in force from "+in.EffectiveFrom))
}

func (h *handlers) deletePeriodRule(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	if err := h.svc.DeletePeriodRule(r.Context(), id); err != nil {
		return err
	}
	return h.s.Redirect(w, r, "/credit/rules", h.s.View(r, "").T("已删除尚未生效的规则", "The rule not yet in force was deleted"))
}

// classesDept is the department of the classes page: ?department=, else
// the caller's.
func (h *handlers) classesDept(r *http.Request) int64 {
	if n, err := strconv.ParseInt(r.FormValue("department"), 10, 64); err == nil && n > 0 {
		return n
	}
	return auth.From(r.Context()).DepartmentID
}

func (h *handlers) classesData(r *http.Request, v *web.View, d map[string]any, dept int64) error {
	ctx := r.Context()
	deps, err := h.s.App.Accounts.ListDepartments(ctx)
	if err != nil {
		return err
	}
	if dept == 0 && len(deps) > 0 {
		dept = deps[0].ID
	}
	rows, configured, err := h.svc.DeptClassTable(ctx, dept)
	if err != nil {
		return err
	}
	type classRow struct {
		credit.DeptClass
		Label string
	}
	var out []classRow
	for _, c := range rows {
		out = append(out, classRow{c, credit.ClassLabel(c.Class, v.Lang)})
	}
	hist, err := h.svc.RuleHistory(ctx, credit.TableClasses(dept))
	if err != nil {
		return err
	}
	d["Departments"], d["Dept"], d["Classes"], d["Configured"], d["History"] = deps, dept, out, configured, hist
	d["CanEdit"] = h.svc.MayEditClasses(ctx, dept)
	return nil
}

func (h *handlers) rulesClasses(w http.ResponseWriter, r *http.Request) error {
	v, d, err := h.rulesView(r, "classes", credit.TablePeriods)
	if err != nil {
		return err
	}
	if err := h.classesData(r, v, d, h.classesDept(r)); err != nil {
		return err
	}
	return h.s.Render(w, r, http.StatusOK, viewRulesClasses, v)
}

func (h *handlers) setClasses(w http.ResponseWriter, r *http.Request) error {
	v, d, err := h.rulesView(r, "classes", credit.TablePeriods)
	if err != nil {
		return err
	}
	if err := r.ParseForm(); err != nil {
		return err
	}
	dept := h.classesDept(r)
	classes := map[string]string{}
	for _, c := range credit.Classes {
		if r.PostForm.Get("use_"+c) == "on" {
			classes[c] = r.PostForm.Get("criteria_" + c)
		}
	}
	if err := h.svc.SetDeptClasses(r.Context(), dept, classes); err != nil {
		if yserr.CodeOf(err) != yserr.Invalid {
			return err
		}
		if e := h.classesData(r, v, d, dept); e != nil {
			return e
		}
		return h.s.FormError(w, r, viewRulesClasses, v, err)
	}
	return h.s.Redirect(w, r, "/credit/rules/classes?department="+strconv.FormatInt(dept, 10), v.T("已保存分类标准", "Classification saved"))
}

// gradeRow is a grade rule with its labels, for the editor.
type gradeRow struct {
	credit.GradeRule
	Index int
}

func gradeRows(rules []credit.GradeRule, blanks int) []gradeRow {
	var out []gradeRow
	for i, g := range rules {
		out = append(out, gradeRow{g, i})
	}
	for i := 0; i < blanks; i++ {
		out = append(out, gradeRow{credit.GradeRule{}, len(out)})
	}
	return out
}

// gradeRulesFrom reads the grade editor: one value per row for every
// column; a row without an order number is dropped.
func gradeRulesFrom(f url.Values) ([]credit.GradeRule, error) {
	var bad yserr.Validation
	col := func(name string, i int) string {
		if vals := f[name]; i < len(vals) {
			return strings.TrimSpace(vals[i])
		}
		return ""
	}
	num := func(name string, i int) int {
		s := col(name, i)
		if s == "" {
			return 0
		}
		n, err := strconv.Atoi(s)
		if err != nil {
			bad.Add("rules["+strconv.Itoa(i)+"]."+name, "须为整数", "must be a whole number")
		}
		return n
	}
	var out []credit.GradeRule
	for i := range f["seq"] {
		if col("seq", i) == "" {
			continue
		}
		out = append(out, credit.GradeRule{Seq: num("seq", i), Grade: col("grade", i), Colour: col("colour", i),
			MinSeriousList: num("min_serious_list", i), MinSerious: num("min_serious", i), MinGeneral: num("min_general", i), MinMinor: num("min_minor", i),
			MinAbnormal: num("min_abnormal", i), MinPositive: num("min_positive", i), TaxGrades: col("tax_grades", i),
			ExplainZH: col("explain_zh", i), ExplainEN: col("explain_en", i)})
	}
	return out, bad.Err()
}

func (h *handlers) gradesData(v *web.View, d map[string]any, rules []credit.GradeRule) {
	d["Rules"] = gradeRows(rules, 2)
	d["Grades"] = []string{"A", "B", "C", "D"}
	d["Colours"] = options(v.Lang, credit.Colours, credit.ColourLabel)
}

func (h *handlers) rulesGrades(w http.ResponseWriter, r *http.Request) error {
	v, d, err := h.rulesView(r, "grades", credit.TableGrades)
	if err != nil {
		return err
	}
	rules, err := h.svc.GradeRules(r.Context())
	if err != nil {
		return err
	}
	h.gradesData(v, d, rules)
	if d["Recompute"], err = h.svc.LatestRecompute(r.Context()); err != nil {
		return err
	}
	return h.s.Render(w, r, http.StatusOK, viewRulesGrades, v)
}

func (h *handlers) setGrades(w http.ResponseWriter, r *http.Request) error {
	v, d, err := h.rulesView(r, "grades", credit.TableGrades)
	if err != nil {
		return err
	}
	if err := r.ParseForm(); err != nil {
		return err
	}
	rules, err := gradeRulesFrom(r.PostForm)
	if err == nil {
		if r.PostForm.Get("action") == "preview" {
			var p *credit.GradePreview
			if p, err = h.svc.PreviewGradeRules(r.Context(), rules); err == nil {
				type countRow struct {
					credit.GradeCount
					ColourLabel string
				}
				var rows []countRow
				for _, c := range p.Counts {
					rows = append(rows, countRow{c, credit.ColourLabel(c.Colour, v.Lang)})
				}
				d["Preview"], d["PreviewRows"] = p, rows
				h.gradesData(v, d, rules)
				return h.s.Render(w, r, http.StatusOK, viewRulesGrades, v)
			}
		} else {
			err = h.svc.SetGradeRules(r.Context(), rules)
		}
	}
	if err != nil {
		if yserr.CodeOf(err) != yserr.Invalid {
			return err
		}
		h.gradesData(v, d, rules)
		return h.s.FormError(w, r, viewRulesGrades, v, err)
	}
	return h.s.Redirect(w, r, "/credit/rules/grades", v.T("已保存等级规则表；全部企业的信用等级正在后台重新评定", "Grade table saved; every grade is being recomputed in the background"))
}

type sceneRow struct {
	credit.SceneRule
	Index int
}

func sceneRulesFrom(f url.Values) []credit.SceneRule {
	col := func(name string, i int) string {
		if vals := f[name]; i < len(vals) {
			return strings.TrimSpace(vals[i])
		}
		return ""
	}
	var out []credit.SceneRule
	for i := range f["scene"] {
		if col("scene", i) == "" {
			continue
		}
		out = append(out, credit.SceneRule{Scene: col("scene", i), Grades: col("grades", i), Levels: col("levels", i), OnSeriousList: col("on_serious_list", i) == "yes",
			Outcome: col("outcome", i), Measure: col("measure", i), ReasonZH: col("reason_zh", i), ReasonEN: col("reason_en", i)})
	}
	return out
}

func (h *handlers) scenesData(r *http.Request, v *web.View, d map[string]any, rules []credit.SceneRule) error {
	var rows []sceneRow
	for i, r := range rules {
		rows = append(rows, sceneRow{r, i})
	}
	for i := 0; i < 2; i++ {
		rows = append(rows, sceneRow{credit.SceneRule{}, len(rows)})
	}
	codes, err := h.svc.SceneCodes(r.Context())
	if err != nil {
		return err
	}
	d["Rules"], d["Scenes"], d["Measures"] = rows, options(v.Lang, codes, credit.SceneLabel), options(v.Lang, credit.Measures, credit.MeasureLabel)
	return nil
}

func (h *handlers) rulesScenes(w http.ResponseWriter, r *http.Request) error {
	v, d, err := h.rulesView(r, "scenes", credit.TableScenes)
	if err != nil {
		return err
	}
	rules, err := h.svc.SceneRules(r.Context())
	if err != nil {
		return err
	}
	if err := h.scenesData(r, v, d, rules); err != nil {
		return err
	}
	return h.s.Render(w, r, http.StatusOK, viewRulesScenes, v)
}

func (h *handlers) setScenes(w http.ResponseWriter, r *http.Request) error {
	v, d, err := h.rulesView(r, "scenes", credit.TableScenes)
	if err != nil {
		return err
	}
	if err := r.ParseForm(); err != nil {
		return err
	}
	rules := sceneRulesFrom(r.PostForm)
	if err := h.svc.SetSceneRules(r.Context(), rules); err != nil {
		if yserr.CodeOf(err) != yserr.Invalid {
			return err
		}
		if err := h.scenesData(r, v, d, rules); err != nil {
			return err
		}
		return h.s.FormError(w, r, viewRulesScenes, v, err)
	}
	return h.s.Redirect(w, r, "/credit/rules/scenes", v.T("已保存场景规则表", "Scene table saved"))
}

// API

func (h *handlers) apiPeriodRules(w http.ResponseWriter, r *http.Request) error {
	var q OnQuery
	if err := api.DecodeQuery(r, &q); err != nil {
		return err
	}
	if _, err := auth.Require(r.Context(), auth.PlatformAdmin, auth.DeptAdmin, auth.DeptStaff, auth.Supervisor); err != nil {
		return err
	}
	var rules []credit.PeriodRule
	var err error
	if q.On == "" {
		rules, err = h.svc.PeriodRules(r.Context())
	} else {
		d, perr := calendar.ParseDate(q.On)
		if perr != nil {
			return yserr.Field("on", "日期格式应为 YYYY-MM-DD", "date must be YYYY-MM-DD")
		}
		rules, err = h.svc.PeriodRulesOn(r.Context(), d)
	}
	if err != nil {
		return err
	}
	if rules == nil {
		rules = []credit.PeriodRule{}
	}
	api.WriteJSON(w, http.StatusOK, rules)
	return nil
}

func (h *handlers) apiAddPeriodRule(w http.ResponseWriter, r *http.Request) error {
	var in credit.PeriodRuleInput
	if err := api.Decode(r, &in); err != nil {
		return err
	}
	p, err := h.svc.AddPeriodRule(r.Context(), in)
	if err != nil {
		return err
	}
	api.WriteJSON(w, http.StatusCreated, p)
	return nil
}

func (h *handlers) apiDeletePeriodRule(w http.ResponseWriter, r *http.Request) error {
	id, err := api.PathInt64(r, "id")
	if err != nil {
		return err
	}
	if err := h.svc.DeletePeriodRule(r.Context(), id); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

func (h *handlers) deptClasses(r *http.Request, dept int64) (*DeptClasses, error) {
	rows, configured, err := h.svc.DeptClassTable(r.Context(), dept)
	if err != nil {
		return nil, err
	}
	return &DeptClasses{DepartmentID: dept, Configured: configured, Classes: rows}, nil
}

func (h *handlers) apiDeptClasses(w http.ResponseWriter, r *http.Request) error {
	return h.withID(w, r, func(id int64) (any, error) { return h.deptClasses(r, id) })
}

func (h *handlers) apiSetDeptClasses(w http.ResponseWriter, r *http.Request) error {
	id, err := api.PathInt64(r, "id")
	if err != nil {
		return err
	}
	var in DeptClassesInput
	if err := api.Decode(r, &in); err != nil {
		return err
	}
	m := map[string]string{}
	for _, c := range in.Classes {
		if c.Used {
			m[c.Class] = c.Criteria
		}
	}
	if err := h.svc.SetDeptClasses(r.Context(), id, m); err != nil {
		return err
	}
	d, err := h.deptClasses(r, id)
	if err != nil {
		return err
	}
	api.WriteJSON(w, http.StatusOK, d)
	return nil
}

// apiGradeRecompute answers 404 when no recomputation ran yet.
func (h *handlers) apiGradeRecompute(w http.ResponseWriter, r *http.Request) error {
	run, err := h.svc.LatestRecompute(r.Context())
	if err != nil {
		return err
	}
	if run == nil {
		return yserr.ErrNotFound("重新评定", "recomputation")
	}
	api.WriteJSON(w, http.StatusOK, run)
	return nil
}

func (h *handlers) apiGradeRules(w http.ResponseWriter, r *http.Request) error {
	if _, err := auth.Require(r.Context(), auth.PlatformAdmin, auth.DeptAdmin, auth.DeptStaff, auth.Supervisor); err != nil {
		return err
	}
	rules, err := h.svc.GradeRules(r.Context())
	if err != nil {
		return err
	}
	api.WriteJSON(w, http.StatusOK, rules)
	return nil
}

func (h *handlers) apiSetGradeRules(w http.ResponseWriter, r *http.Request) error {
	var in GradeRulesInput
	if err := api.Decode(r, &in); err != nil {
		return err
	}
	if err := h.svc.SetGradeRules(r.Context(), in.Rules); err != nil {
		return err
	}
	return h.apiGradeRules(w, r)
}

func (h *handlers) apiPreviewGradeRules(w http.ResponseWriter, r *http.Request) error {
	var in GradeRulesInput
	if err := api.Decode(r, &in); err != nil {
		return err
	}
	p, err := h.svc.PreviewGradeRules(r.Context(), in.Rules)
	if err != nil {
		return err
	}
	api.WriteJSON(w, http.StatusOK, p)
	return nil
}

func (h *handlers) apiSceneRules(w http.ResponseWriter, r *http.Request) error {
	if _, err := auth.Require(r.Context(), auth.PlatformAdmin, auth.DeptAdmin, auth.DeptStaff, auth.Supervisor); err != nil {
		return err
	}
	rules, err := h.svc.SceneRules(r.Context())
	if err != nil {
		return err
	}
	api.WriteJSON(w, http.StatusOK, rules)
	return nil
}

func (h *handlers) apiSetSceneRules(w http.ResponseWriter, r *http.Request) error {
	var in SceneRulesInput
	if err := api.Decode(r, &in); err != nil {
		return err
	}
	if err := h.svc.SetSceneRules(r.Context(), in.Rules); err != nil {
		return err
	}
	return h.apiSceneRules(w, r)
}

func (h *handlers) apiRuleHistory(w http.ResponseWriter, r *http.Request) error {
	var q HistoryQuery
	if err := api.DecodeQuery(r, &q); err != nil {
		return err
	}
	list, err := h.svc.RuleHistory(r.Context(), q.Table)
	if err != nil {
		return err
	}
	api.WriteJSON(w, http.StatusOK, list)
	return nil
}
