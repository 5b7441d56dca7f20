package inspect_test

import (
	"context"
	"fmt"
	"math/rand/v2"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"yingshang/internal/auth"
	"yingshang/internal/calendar"
	"yingshang/internal/credit"
	"yingshang/internal/db"
	"yingshang/internal/db/dbtest"
	"yingshang/internal/draw"
	"yingshang/internal/entity"
	"yingshang/internal/ident"
	"yingshang/internal/inspect"
	"yingshang/internal/modules"
	"yingshang/internal/site/sitetest"
)

type fixture struct {
	env   *sitetest.Env
	svc   *inspect.Service
	tok   map[string]string
	ents  map[string][]string // class -> credit codes in 411002
	items []int64
}

func as(t *testing.T, f *fixture, username string) context.Context {
	t.Helper()
	a, err := f.env.App.Accounts.ActorOf(sitetest.System(), username, "session")
	if err != nil {
		t.Fatal(err)
	}
	return auth.WithActor(context.Background(), a)
}

// setup: 40 more entities in 魏都区 (411002) graded 20 A, 10 C, 10 D (the
// bound enterprise USCCA is D too), items of both departments, and
// inspectors of both departments in 411002 and 411082.
func setup(t *testing.T, e db.Dialect) *fixture {
	env := sitetest.New(t, e)
	ctx := sitetest.System()
	f := &fixture{env: env, svc: modules.Get[*inspect.Service](env.Modules), tok: map[string]string{}, ents: map[string][]string{}}
	for _, u := range []string{"admin", "supervisor", "sjj-admin", "sjj-staff", "swj-staff", "wd-staff", "ent"} {
		f.tok[u] = env.Token(t, u)
	}
	r := rand.New(rand.NewPCG(15, 2026))
	grade := func(id int64, g string) {
		if _, err := env.App.DB.W(ctx).Exec(ctx, "INSERT INTO credit_grades (entity_id, grade, explanation, computed_at) VALUES ($1, $2, '{}', $3)", id, g, time.Now()); err != nil {
			t.Fatal(err)
		}
	}
	for i := range 40 {
		class := "A"
		if i >= 20 {
			class = []string{"C", "D"}[i%2]
		}
		code := ident.GenerateUSCC(r, "411002")
		en, err := env.App.Entities.Create(ctx, entity.Input{USCC: code, Name: fmt.Sprintf("许昌测试商贸%02d有限公司", i), Type: "有限责任公司",
			RegionCode: "411002", IndustryCode: "5191", FoundedOn: "2018-01-01", LegalRepName: "张三"})
		if err != nil {
			t.Fatal(err)
		}
		grade(en.ID, class)
		f.ents[class] = append(f.ents[class], code)
	}
	grade(env.Entities[sitetest.USCCA], "D")
	f.ents["D"] = append(f.ents["D"], sitetest.USCCA)
	// Items: the department admin adds its own; the platform admin names the department.
	res := env.API(t, f.tok["sjj-admin"], "POST", "/api/v1/inspect/items", map[string]any{"code": "SJJ-01", "name": "年度报告公示信息检查",
		"legal_basis": "《企业信息公示暂行条例》第八条", "method": "documents", "risk_level": "medium", "first_offence": true})
	if res.StatusCode != http.StatusCreated {
		t.Fatalf("item: %d %s", res.StatusCode, res.Body)
	}
	var it inspect.Item
	res.JSON(t, &it)
	f.items = append(f.items, it.ID)
	res = env.API(t, f.tok["sjj-admin"], "POST", "/api/v1/inspect/items", map[string]any{"code": "SJJ-02", "name": "产品质量检查",
		"legal_basis": "《产品质量法》第十五条", "method": "sampling", "risk_level": "high"})
	res.JSON(t, &it)
	f.items = append(f.items, it.ID)
	// Bad input names the field.
	if res := env.API(t, f.tok["sjj-admin"], "POST", "/api/v1/inspect/items", map[string]any{"code": "x", "method": "phone"}); res.StatusCode != 400 ||
		!strings.Contains(res.Body, "legal_basis") || !strings.Contains(res.Body, "method") {
		t.Fatalf("bad item: %d %s", res.StatusCode, res.Body)
	}
	swjItem, err := f.svc.SaveItem(as(t, f, "admin"), inspect.Item{DepartmentID: env.Depts["XC-SWJ"], Code: "SWJ-01", Name: "发票使用和管理情况检查",
		LegalBasis: "《发票管理办法》第三十五条", Method: "documents", RiskLevel: "medium"})
	if err != nil {
		t.Fatal(err)
	}
	f.items = append(f.items, swjItem.ID)
	return f
}

func addInspectors(t *testing.T, f *fixture, region string, n int, dept string) []inspect.Inspector {
	var out []inspect.Inspector
	batch := ""
	if d, b, ok := strings.Cut(dept, "-2"); ok {
		dept, batch = d, "B"+b
	}
	for i := range n {
		in, err := f.svc.SaveInspector(as(t, f, "admin"), inspect.Inspector{DepartmentID: f.env.Depts[dept], Name: fmt.Sprintf("执法员%s%d", dept, i),
			CertNo: fmt.Sprintf("%s-%s-%s%02d", strings.TrimPrefix(dept, "XC-"), region, batch, i), Region: region, Status: "active"})
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, *in)
	}
	return out
}

func planInput(code, start string, items []int64, depts ...int64) inspect.PlanInput {
	return inspect.PlanInput{Code: code, Title: "联合抽查 " + code, Departments: depts, Items: items, StartsOn: start,
		EndsOn: "2026-11-30", Regions: []string{"411002"}, Ratios: "A:100,B:0,C:500,D:1000"}
}

func TestInspectionPlanSamplingAndPhoneFlow(t *testing.T) {
	for _, e := range dbtest.Engines {
		t.Run(string(e), func(t *testing.T) { testFlow(t, e) })
	}
}

func testFlow(t *testing.T, e db.Dialect) {
	f := setup(t, e)
	env, svc := f.env, f.svc
	sjj, swj := as(t, f, "sjj-staff"), as(t, f, "swj-staff")
	// Quiet days (1-20 by default): a routine plan starting on the 5th is
	// refused naming the field; an exception needs its kind and reason.
	res := env.API(t, f.tok["sjj-staff"], "POST", "/api/v1/inspect/plans", planInput("Q-1", "2026-12-05", f.items))
	if res.StatusCode != 400 || !strings.Contains(res.Body, "starts_on") || !strings.Contains(res.Body, "宁静日") {
		t.Fatalf("quiet day: %d %s", res.StatusCode, res.Body)
	}
	no := false
	ex := planInput("Q-2", "2026-12-05", f.items[:1])
	ex.Routine, ex.EndsOn = &no, "2026-12-10"
	if _, err := svc.CreatePlan(sjj, ex); err == nil || !strings.Contains(err.Error(), "exception") {
		t.Fatalf("exception without kind: %v", err)
	}
	ex.ExceptionKind, ex.ExceptionReason = "complaint", "12345 转办投诉核查"
	if _, err := svc.CreatePlan(sjj, ex); err != nil {
		t.Fatalf("exception plan: %v", err)
	}
	var n int
	if err := env.App.DB.Q(context.Background()).QueryRow(context.Background(), "SELECT COUNT(*) FROM audit_events WHERE action = 'inspect.quiet.exception'").Scan(&n); err != nil || n != 1 {
		t.Fatalf("exception audited: %d %v", n, err)
	}

	// A joint plan of both departments.
	res = env.API(t, f.tok["sjj-staff"], "POST", "/api/v1/inspect/plans", planInput("LH-1", "2026-11-24", f.items, env.Depts["XC-SWJ"]))
	if res.StatusCode != http.StatusCreated {
		t.Fatalf("plan: %d %s", res.StatusCode, res.Body)
	}
	var plan inspect.Plan
	res.JSON(t, &plan)
	if !plan.Joint || len(plan.Departments) != 2 {
		t.Fatalf("joint: %+v", plan)
	}
	// Authorisation: both departments see it, another department and the enterprise do not.
	path := fmt.Sprintf("/api/v1/inspect/plans/%d", plan.ID)
	for who, want := range map[string]int{"swj-staff": 200, "sjj-admin": 200, "supervisor": 200, "wd-staff": 404, "ent": 403} {
		if res := env.API(t, f.tok[who], "GET", path, nil); res.StatusCode != want {
			t.Errorf("GET plan as %s: %d, want %d", who, res.StatusCode, want)
		}
	}
	if res := env.API(t, f.tok["wd-staff"], "GET", "/api/v1/inspect/plans", nil); strings.Contains(res.Body, "LH-1") {
		t.Error("another department lists the plan")
	}
	if res := env.API(t, f.tok["swj-staff"], "POST", path+"/submit", nil); res.StatusCode != 403 {
		t.Errorf("participant submits: %d", res.StatusCode)
	}
	if res := env.API(t, f.tok["sjj-staff"], "POST", path+"/commit", nil); res.StatusCode != 409 {
		t.Errorf("commit before filing: %d", res.StatusCode)
	}
	if res := env.API(t, f.tok["sjj-staff"], "POST", path+"/submit", nil); res.StatusCode != 200 {
		t.Fatalf("submit: %d %s", res.StatusCode, res.Body)
	}
	if res := env.API(t, f.tok["sjj-staff"], "POST", path+"/file", map[string]string{"filing_no": "x"}); res.StatusCode != 403 {
		t.Errorf("department files its own plan: %d", res.StatusCode)
	}
	if res := env.API(t, f.tok["admin"], "POST", path+"/file", map[string]string{"filing_no": "许营商备〔2026〕15号"}); res.StatusCode != 200 {
		t.Fatalf("file: %d %s", res.StatusCode, res.Body)
	}

	// Too few inspectors: refused before commitment, per target and rule.
	one := addInspectors(t, f, "411002", 1, "XC-SJJ")
	res = env.API(t, f.tok["sjj-staff"], "POST", path+"/commit", nil)
	if res.StatusCode != 409 || !strings.Contains(res.Body, "411002") || !strings.Contains(res.Body, "少于 2 名") {
		t.Fatalf("team shortfall: %d %s", res.StatusCode, res.Body)
	}
	insp := append(one, addInspectors(t, f, "411002", 3, "XC-SWJ")...)
	insp = append(insp, addInspectors(t, f, "411002", 2, "XC-SJJ")...)
	addInspectors(t, f, "411082", 2, "XC-SJJ")
	// A declared relation to a D-class enterprise (every D is sampled).
	rel := insp[1]
	rel.Relations = []string{f.ents["D"][0]}
	if _, err := svc.SaveInspector(as(t, f, "admin"), rel); err != nil {
		t.Fatal(err)
	}
	// A suspended inspector is excluded with its reason.
	sus := insp[5]
	sus.Status = "suspended"
	if _, err := svc.SaveInspector(as(t, f, "admin"), sus); err != nil {
		t.Fatal(err)
	}
	res = env.API(t, f.tok["sjj-staff"], "POST", path+"/commit", nil)
	if res.StatusCode != 200 {
		t.Fatalf("commit: %d %s", res.StatusCode, res.Body)
	}
	res.JSON(t, &plan)
	want := map[string][3]int{"A": {20, 100, 2}, "B": {0, 0, 0}, "C": {10, 500, 5}, "D": {11, 1000, 11}}
	for _, st := range plan.Strata {
		if w := want[st.Class]; st.Size != w[0] || st.Permille != w[1] || st.Count != w[2] {
			t.Errorf("stratum %+v, want %v", st, w)
		}
	}
	res = env.API(t, f.tok["sjj-staff"], "POST", path+"/sample", map[string]string{"witness_name": "见证员孙丽", "witness_value": "271828"})
	if res.StatusCode != 200 {
		t.Fatalf("sample: %d %s", res.StatusCode, res.Body)
	}
	var rec draw.Record
	res.JSON(t, &rec)
	if d := draw.Verify(&rec); len(d) > 0 {
		t.Fatalf("record does not verify: %v", d)
	}
	if !slices.ContainsFunc(rec.Candidates.Excluded, func(x draw.Exclusion) bool { return x.ID == "I-"+sus.CertNo && x.Reasons[0] == draw.ReasonNotActive }) {
		t.Errorf("suspended inspector not excluded: %+v", rec.Candidates.Excluded)
	}
	tasks, err := svc.Tasks(sjj, inspect.TaskFilter{PlanID: plan.ID})
	if err != nil {
		t.Fatal(err)
	}
	byClass := map[string]int{}
	for _, tk := range tasks {
		byClass[tk.Class]++
		if len(tk.Inspectors) != 2 {
			t.Fatalf("task %d has %d inspectors", tk.ID, len(tk.Inspectors))
		}
		for _, m := range tk.Inspectors {
			if m.ID == sus.ID {
				t.Error("suspended inspector drawn")
			}
			if m.ID == rel.ID && tk.USCC == f.ents["D"][0] {
				t.Error("inspector with a declared relation drawn")
			}
			if strings.Contains(m.CertNo, "411082") {
				t.Error("inspector of another region drawn")
			}
		}
	}
	if byClass["A"] != 2 || byClass["C"] != 5 || byClass["D"] != 11 || len(tasks) != 18 {
		t.Fatalf("tasks by class: %v", byClass)
	}
	// Both participants see the tasks; another department sees none.
	if l, _ := svc.Tasks(swj, inspect.TaskFilter{PlanID: plan.ID}); len(l) != 18 {
		t.Errorf("participant sees %d tasks", len(l))
	}
	if l, _ := svc.Tasks(as(t, f, "wd-staff"), inspect.TaskFilter{PlanID: plan.ID}); len(l) != 0 {
		t.Errorf("other department sees %d tasks", len(l))
	}

	// The enterprise's task: link an account to its first inspector.
	ti := slices.IndexFunc(tasks, func(tk inspect.Task) bool { return tk.USCC == sitetest.USCCA })
	task := tasks[ti]
	first := task.Inspectors[0]
	var rec1 inspect.Inspector
	for _, in := range insp {
		if in.ID == first.ID {
			rec1 = in
		}
	}
	user := "sjj-staff"
	if rec1.DepartmentID == env.Depts["XC-SWJ"] {
		user = "swj-staff"
	}
	rec1.Username, rec1.Status = user, "active"
	if _, err := svc.SaveInspector(as(t, f, "admin"), rec1); err != nil {
		t.Fatal(err)
	}
	tok := f.tok[user]
	tp := fmt.Sprintf("/api/v1/inspect/tasks/%d", task.ID)
	// Scan of another enterprise's code: refused.
	if res := env.API(t, tok, "POST", tp+"/scan", map[string]string{"code": "https://ys.example.gov.cn/e/" + sitetest.USCCB}); res.StatusCode != 409 {
		t.Fatalf("other enterprise's code: %d %s", res.StatusCode, res.Body)
	}
	if res := env.API(t, f.tok["wd-staff"], "POST", tp+"/scan", map[string]string{"code": sitetest.USCCA}); res.StatusCode != 404 {
		t.Errorf("non-member scans: %d", res.StatusCode)
	}
	res = env.API(t, tok, "POST", tp+"/scan", map[string]string{"code": "https://ys.example.gov.cn/e/" + sitetest.USCCA, "latitude": "34.0358", "longitude": "113.8521"})
	if res.StatusCode != 200 || !strings.Contains(res.Body, `"status":"entered"`) {
		t.Fatalf("scan: %d %s", res.StatusCode, res.Body)
	}
	// Cannot close without every item.
	if res := env.API(t, tok, "POST", tp+"/close", nil); res.StatusCode != 409 || !strings.Contains(res.Body, "SJJ-01") {
		t.Fatalf("close without results: %d %s", res.StatusCode, res.Body)
	}
	// 首违不罚: a first finding on a listed item is rectification, no penalty.
	res = env.API(t, tok, "POST", tp+"/results", map[string]any{"item_id": f.items[0], "outcome": "case", "note": "年报未按期公示",
		"penalty": map[string]any{"decision_no": "许市监罚〔2026〕1号", "type": "fine", "amount": 2000, "class": "minor"}})
	if res.StatusCode != 200 {
		t.Fatalf("first offence: %d %s", res.StatusCode, res.Body)
	}
	var got inspect.Task
	res.JSON(t, &got)
	r0 := got.Results[slices.IndexFunc(got.Results, func(r inspect.Result) bool { return r.ItemID == f.items[0] })]
	if !r0.FirstOffence || r0.Outcome != "rectify" || r0.CreditRecordID != 0 || r0.RectifyBy != "2026-12-08" || r0.WithoutScan {
		t.Fatalf("first offence result: %+v", r0)
	}
	// A penalty on an item not on the list becomes a credit record (the
	// deciding department's staff).
	penDept := "sjj-staff"
	if user != penDept {
		// The member is tax staff: the market-regulation item's penalty is
		// recorded by an SJJ member; link one.
		t.Log("tax inspector: penalty test uses the SWJ item")
	}
	itemForPenalty := f.items[1]
	if user == "swj-staff" {
		itemForPenalty = f.items[2]
	}
	res = env.API(t, tok, "POST", tp+"/results", map[string]any{"item_id": itemForPenalty, "outcome": "case", "note": "抽检不合格",
		"penalty": map[string]any{"decision_no": "许罚〔2026〕8号", "type": "fine", "amount": 5000, "class": "general"}})
	if res.StatusCode != 200 {
		t.Fatalf("penalty: %d %s", res.StatusCode, res.Body)
	}
	res.JSON(t, &got)
	rp := got.Results[slices.IndexFunc(got.Results, func(r inspect.Result) bool { return r.ItemID == itemForPenalty })]
	cr, err := modules.Get[*credit.Service](env.Modules).Get(as(t, f, "admin"), rp.CreditRecordID)
	if err != nil || cr.Kind != credit.KindPenalty || cr.EntityID != env.Entities[sitetest.USCCA] {
		t.Fatalf("credit record: %+v %v", cr, err)
	}
	for _, id := range f.items {
		if id != f.items[0] && id != itemForPenalty {
			if res := env.API(t, tok, "POST", tp+"/results", map[string]any{"item_id": id, "outcome": "ok"}); res.StatusCode != 200 {
				t.Fatalf("ok result: %d %s", res.StatusCode, res.Body)
			}
		}
	}
	// The demo grade models are in force: USCCA (industry 5191) is graded
	// by the trade model, its inspection indicator (weight 30) at the
	// default 80 until the task closes.
	crs := modules.Get[*credit.Service](env.Modules)
	for _, m := range credit.DemoGradeModels() {
		if _, err := crs.SaveGradeModel(as(t, f, "admin"), m); err != nil {
			t.Fatal(err)
		}
	}
	gradePath := fmt.Sprintf("/api/v1/credit/entities/%d/model-grade", env.Entities[sitetest.USCCA])
	var before, after credit.ModelGrade
	env.API(t, f.tok["admin"], "GET", gradePath, nil).JSON(t, &before)
	res = env.API(t, tok, "POST", tp+"/close", nil)
	if res.StatusCode != 200 {
		t.Fatalf("close: %d %s", res.StatusCode, res.Body)
	}
	res.JSON(t, &got)
	// Closing sent the result to credit in the same transaction: a case was
	// opened, so the value is 30; the score falls by (80 - 30) × 30% = 15
	// and the level is recomputed, the source and reason shown.
	res = env.API(t, f.tok["admin"], "GET", gradePath, nil)
	res.JSON(t, &after)
	ii := slices.IndexFunc(after.Breakdown, func(l credit.IndicatorScore) bool { return l.Code == "inspection_result" })
	if before.ModelCode != "trade" || ii < 0 || after.Breakdown[ii].Source != "inspect" || after.Breakdown[ii].Value != 30 || after.Breakdown[ii].Weight != 30 ||
		!strings.Contains(after.Breakdown[ii].Reason, "LH-1") || !strings.Contains(after.Breakdown[ii].Reason, "立案查处") ||
		after.Score != before.Score-15 || after.Level == before.Level {
		t.Fatalf("model grade after the inspection: before %+v\nafter %s", before, res.Body)
	}
	res = env.API(t, f.tok["admin"], "GET", gradePath+"/history", nil)
	if res.StatusCode != 200 || !strings.Contains(res.Body, "input inspection_result from inspect") {
		t.Fatalf("model grade history: %d %s", res.StatusCode, res.Body)
	}
	cal, _ := env.App.Calendar.Calendar(context.Background())
	if wantBy := cal.AddWorkdays(calendar.MustParseDate("2026-11-23"), 20).String(); got.EndedOn != "2026-11-23" || got.PublishBy != wantBy || !got.Problem {
		t.Fatalf("publicity deadline %s, want %s (20 working days): %+v", got.PublishBy, wantBy, got)
	}
	// The enterprise sees its visit, confirms and rates it; other tasks are not found.
	res = env.API(t, f.tok["ent"], "GET", "/api/v1/inspect/tasks", nil)
	var mine []inspect.Task
	res.JSON(t, &mine)
	if len(mine) != 1 || mine[0].ID != task.ID || mine[0].ScannedAt == nil {
		t.Fatalf("enterprise visits: %s", res.Body)
	}
	other := tasks[(ti+1)%len(tasks)]
	if res := env.API(t, f.tok["ent"], "GET", fmt.Sprintf("/api/v1/inspect/tasks/%d", other.ID), nil); res.StatusCode != 404 {
		t.Errorf("enterprise reads another visit: %d", res.StatusCode)
	}
	if res := env.API(t, f.tok["ent"], "POST", tp+"/confirm", map[string]any{"text": "无异议", "rating": 5}); res.StatusCode != 200 {
		t.Fatalf("confirm: %d %s", res.StatusCode, res.Body)
	}
	// Publication: public results list it with the sampling draw.
	if res := env.API(t, f.tok["sjj-staff"], "POST", tp+"/publish", nil); res.StatusCode != 200 {
		t.Fatalf("publish: %d %s", res.StatusCode, res.Body)
	}
	res = env.API(t, "", "GET", "/api/v1/public/inspect/results?uscc="+sitetest.USCCA, nil)
	if res.StatusCode != 200 || !strings.Contains(res.Body, fmt.Sprintf(`"draw_id":%d`, plan.DrawID)) {
		t.Fatalf("public results: %d %s", res.StatusCode, res.Body)
	}

	// Scan flagging: a result on another task without a scan.
	var flagged inspect.Task
	for _, tk := range tasks {
		if tk.ID != task.ID && slices.ContainsFunc(tk.Inspectors, func(m inspect.TeamMember) bool { return m.ID == rec1.ID }) {
			flagged = tk
			break
		}
	}
	if flagged.ID != 0 {
		res = env.API(t, tok, "POST", fmt.Sprintf("/api/v1/inspect/tasks/%d/results", flagged.ID), map[string]any{"item_id": f.items[1], "outcome": "ok"})
		if res.StatusCode != 200 || !strings.Contains(res.Body, `"unscanned":true`) {
			t.Fatalf("unscanned result: %d %s", res.StatusCode, res.Body)
		}
		res = env.API(t, f.tok["supervisor"], "GET", "/api/v1/inspect/unscanned?month=2026-11", nil)
		if res.StatusCode != 200 || !strings.Contains(res.Body, fmt.Sprintf(`"id":%d`, flagged.ID)) {
			t.Fatalf("monthly unscanned list: %d %s", res.StatusCode, res.Body)
		}
		if res := env.API(t, f.tok["sjj-staff"], "GET", "/api/v1/inspect/unscanned?month=2026-11", nil); res.StatusCode != 403 {
			t.Errorf("staff reads the supervisors' list: %d", res.StatusCode)
		}
	}

	// Dashboard: the problem-finding rate by class.
	res = env.API(t, f.tok["admin"], "GET", "/api/v1/inspect/stats?year=2026", nil)
	var st inspect.Stats
	res.JSON(t, &st)
	if st.Rates[3].Class != "D" || st.Rates[3].Checked != 1 || st.Rates[3].Problems != 1 || st.Checks != 18 {
		t.Fatalf("stats: %s", res.Body)
	}

	// Frequency caps across departments, and the last inspectors avoided
	// (a tax-only plan: three tax inspectors left two short where both
	// were last time, so two more join).
	addInspectors(t, f, "411002", 2, "XC-SWJ-2")
	if _, err := svc.CreatePlan(swj, planInput("SW-2", "2026-11-25", f.items[2:])); err != nil {
		t.Fatal(err)
	}
	plans, _ := svc.Plans(swj)
	second := plans[0]
	fr, err := svc.DryRun(swj, second.ID)
	if err != nil {
		t.Fatalf("second plan frame: %v", err)
	}
	if fr.Capped != 0 {
		t.Errorf("capped with a cap of 2 after one joint check: %d", fr.Capped)
	}
	av := fr.Spec.Teams.Avoid[sitetest.USCCA]
	for _, m := range task.Inspectors {
		if !strings.HasPrefix(m.CertNo, "SWJ") {
			continue // not in the tax-only plan's frame
		}
		if !slices.ContainsFunc(av, func(x draw.Exclusion) bool {
			return x.ID == "I-"+m.CertNo && slices.Contains(x.Reasons, inspect.ReasonLastInspector)
		}) {
			t.Errorf("last inspector %s not avoided: %+v", m.CertNo, av)
		}
	}
	svc.Settings.YearCap = 1
	fr, err = svc.DryRun(swj, second.ID)
	svc.Settings.YearCap = 2
	if err != nil || fr.Capped != 18 || fr.Targets != 41-18 {
		t.Fatalf("cap of 1: capped %d, targets %d, %v", fr.Capped, fr.Targets, err)
	}
}
