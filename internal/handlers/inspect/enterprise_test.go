package inspect_test

import (
	"bytes"
	"context"
	"fmt"
	"image"
	"image/png"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"

	"yingshang/internal/appeal"
	"yingshang/internal/calendar"
	"yingshang/internal/credit"
	"yingshang/internal/db"
	"yingshang/internal/db/dbtest"
	"yingshang/internal/inspect"
	"yingshang/internal/modules"
	"yingshang/internal/notify"
	"yingshang/internal/site/sitetest"
	"yingshang/internal/workcal"
	"yingshang/internal/yserr"
)

// sampled files, commits and samples a joint plan of both departments and
// returns the enterprise's (USCCA) task and the context of its first
// inspector (linked to sjj-staff or swj-staff).
func sampled(t *testing.T, f *fixture) (inspect.Task, context.Context, string) {
	t.Helper()
	svc := f.svc
	sjj := as(t, f, "sjj-staff")
	p, err := svc.CreatePlan(sjj, planInput("LH-9", "2026-11-24", f.items, f.env.Depts["XC-SWJ"]))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := svc.SubmitPlan(sjj, p.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := svc.FilePlan(as(t, f, "admin"), p.ID, "许营商备〔2026〕19号"); err != nil {
		t.Fatal(err)
	}
	insp := append(addInspectors(t, f, "411002", 3, "XC-SJJ"), addInspectors(t, f, "411002", 3, "XC-SWJ")...)
	if _, err := svc.CommitPlan(sjj, p.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := svc.Sample(sjj, p.ID, inspect.SampleInput{WitnessName: "见证员", WitnessValue: "31415"}); err != nil {
		t.Fatal(err)
	}
	tasks, err := svc.Tasks(sjj, inspect.TaskFilter{PlanID: p.ID})
	if err != nil {
		t.Fatal(err)
	}
	task := tasks[slices.IndexFunc(tasks, func(tk inspect.Task) bool { return tk.USCC == sitetest.USCCA })]
	in := insp[slices.IndexFunc(insp, func(i inspect.Inspector) bool { return i.ID == task.Inspectors[0].ID })]
	user := "sjj-staff"
	if in.DepartmentID == f.env.Depts["XC-SWJ"] {
		user = "swj-staff"
	}
	in.Username = user
	if _, err := svc.SaveInspector(as(t, f, "admin"), in); err != nil {
		t.Fatal(err)
	}
	return task, as(t, f, user), user
}

func pngBytes(t *testing.T) []byte {
	var b bytes.Buffer
	if err := png.Encode(&b, image.NewRGBA(image.Rect(0, 0, 4, 4))); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

// messages counts the outbox rows of a message type.
func messages(t *testing.T, f *fixture, typ string) []notify.Notification {
	t.Helper()
	list, _, err := f.env.App.Notify.Outbox(as(t, f, "admin"), notify.Filter{Type: typ, PerPage: 200})
	if err != nil {
		t.Fatal(err)
	}
	return list
}

func at(f *fixture, day string) {
	d := calendar.MustParseDate(day)
	f.env.Clock.Set(d.Time(calendar.Shanghai).Add(9 * time.Hour))
}

// TestEnterpriseRatingComplaintRectificationAndJobs: issue 15's
// enterprise side and jobs on both engines: the rating (one per task and
// entity), a complaint that becomes an appeal of topic 执法检查 through
// the appeal module, the rectification notice, proof returned and
// accepted, the reminder, the overdue 首违不罚 finding turned into a
// penalty (credit record), the monthly unscanned list on the first
// working day after a holiday and the publicity warning, every job run
// twice without duplicates.
func TestEnterpriseRatingComplaintRectificationAndJobs(t *testing.T) {
	for _, e := range dbtest.Engines {
		t.Run(string(e), func(t *testing.T) { testEnterprise(t, e) })
	}
}

func testEnterprise(t *testing.T, e db.Dialect) {
	f := setup(t, e)
	env, svc := f.env, f.svc
	task, me, _ := sampled(t, f)
	ent := as(t, f, "ent")
	// Not started: no rating yet.
	if _, err := svc.Rate(ent, task.ID, inspect.RatingInput{Rating: 4}); !yserr.Is(err, yserr.Conflict) {
		t.Fatalf("rating before the visit: %v", err)
	}
	if _, err := svc.ScanEntry(me, task.ID, inspect.ScanInput{Code: sitetest.USCCA}); err != nil {
		t.Fatal(err)
	}
	// A first offence: rectification; the enterprise is told with a link.
	got, err := svc.RecordResult(me, task.ID, inspect.ResultInput{ItemID: f.items[0], Outcome: "rectify", Note: "年报未公示"})
	if err != nil {
		t.Fatal(err)
	}
	r0 := got.Results[slices.IndexFunc(got.Results, func(r inspect.Result) bool { return r.ItemID == f.items[0] })]
	if !r0.FirstOffence || r0.RectifyBy != "2026-12-08" {
		t.Fatalf("first offence: %+v", r0)
	}
	if m := messages(t, f, "inspect.rectify"); len(m) != 1 || m[0].Link != fmt.Sprintf("/inspect/tasks/%d", task.ID) || !strings.Contains(m[0].Body, "2026-12-08") ||
		m[0].UserID != env.Users["ent"] {
		t.Fatalf("rectification notice: %+v", m)
	}
	for _, id := range f.items[1:] {
		if _, err := svc.RecordResult(me, task.ID, inspect.ResultInput{ItemID: id, Outcome: "ok"}); err != nil {
			t.Fatal(err)
		}
	}
	closed, err := svc.CloseTask(me, task.ID)
	if err != nil {
		t.Fatal(err)
	}

	// Rating: only the inspected entity's users; one per task (replaced).
	if _, err := svc.Rate(as(t, f, "sjj-staff"), task.ID, inspect.RatingInput{Rating: 5}); !yserr.Is(err, yserr.Forbidden) {
		t.Errorf("staff rates: %v", err)
	}
	if _, err := svc.Rate(ent, task.ID, inspect.RatingInput{Rating: 7}); !yserr.Is(err, yserr.Invalid) || !strings.Contains(err.Error(), "rating") {
		t.Errorf("rating 7: %v", err)
	}
	tp := fmt.Sprintf("/api/v1/inspect/tasks/%d", task.ID)
	if res := env.API(t, f.tok["ent"], "PUT", tp+"/rating", map[string]any{"rating": 2, "comment": "等候时间长"}); res.StatusCode != 200 {
		t.Fatalf("rate: %d %s", res.StatusCode, res.Body)
	}
	if res := env.API(t, f.tok["ent"], "PUT", tp+"/rating", map[string]any{"rating": 4, "comment": "检查规范"}); res.StatusCode != 200 {
		t.Fatalf("rate again: %d %s", res.StatusCode, res.Body)
	}
	var n int
	if err := env.App.DB.Q(context.Background()).QueryRow(context.Background(), "SELECT COUNT(*) FROM inspect_ratings WHERE task_id = $1", task.ID).Scan(&n); err != nil || n != 1 {
		t.Fatalf("ratings stored: %d %v", n, err)
	}
	for who, want := range map[string]int{"sjj-staff": 200, "swj-staff": 200, "supervisor": 200, "wd-staff": 404} {
		res := env.API(t, f.tok[who], "GET", tp+"/rating", nil)
		if res.StatusCode != want || want == 200 && !strings.Contains(res.Body, "检查规范") {
			t.Errorf("rating as %s: %d %s", who, res.StatusCode, res.Body)
		}
	}
	// Another task of the plan: not the enterprise's.
	others, _ := svc.Tasks(as(t, f, "sjj-staff"), inspect.TaskFilter{PlanID: task.PlanID})
	other := others[slices.IndexFunc(others, func(tk inspect.Task) bool { return tk.ID != task.ID })]
	if res := env.API(t, f.tok["ent"], "PUT", fmt.Sprintf("/api/v1/inspect/tasks/%d/rating", other.ID), map[string]any{"rating": 1}); res.StatusCode != 404 {
		t.Errorf("rating another enterprise's visit: %d", res.StatusCode)
	}

	// Complaint: an appeal of topic 执法检查 through the appeal module.
	if res := env.API(t, f.tok["ent"], "POST", tp+"/complaints", map[string]any{"text": ""}); res.StatusCode != 400 || !strings.Contains(res.Body, "text") {
		t.Errorf("empty complaint: %d %s", res.StatusCode, res.Body)
	}
	if res := env.API(t, f.tok["sjj-staff"], "POST", tp+"/complaints", map[string]any{"text": "x"}); res.StatusCode != 403 {
		t.Errorf("staff complains: %d", res.StatusCode)
	}
	if res := env.API(t, f.tok["ent"], "POST", fmt.Sprintf("/api/v1/inspect/tasks/%d/complaints", other.ID), map[string]any{"text": "x"}); res.StatusCode != 404 {
		t.Errorf("complaint about another visit: %d", res.StatusCode)
	}
	res := env.API(t, f.tok["ent"], "POST", tp+"/complaints", map[string]any{"text": "检查人员未出示执法证件"})
	if res.StatusCode != http.StatusCreated {
		t.Fatalf("complaint: %d %s", res.StatusCode, res.Body)
	}
	var c inspect.Complaint
	res.JSON(t, &c)
	ap, err := modules.Get[*appeal.Service](env.Modules).Get(as(t, f, "admin"), c.AppealID)
	if err != nil {
		t.Fatal(err)
	}
	if ap.Topic != inspect.AppealTopic || ap.Kind != appeal.Complaint || ap.EntityID != env.Entities[sitetest.USCCA] || ap.Number != c.AppealNumber ||
		!strings.Contains(ap.Description, fmt.Sprintf("检查任务 Task：%d", task.ID)) || !strings.Contains(ap.Description, "LH-9") ||
		!strings.Contains(ap.Description, "2026-11-23") || !strings.Contains(ap.Description, "市场监督管理局") {
		t.Fatalf("appeal: %+v", ap)
	}
	if res := env.API(t, f.tok["swj-staff"], "GET", tp+"/complaints", nil); res.StatusCode != 200 || !strings.Contains(res.Body, c.AppealNumber) {
		t.Errorf("participant sees the complaint: %d %s", res.StatusCode, res.Body)
	}

	// Proof: submitted, returned (with a note), submitted again, and the
	// department is asked to review; only the item's department reviews.
	upload := func() {
		t.Helper()
		if _, err := svc.AddFile(ent, task.ID, r0.ID, "proof", "proof.png", "image/png", bytes.NewReader(pngBytes(t))); err != nil {
			t.Fatalf("proof: %v", err)
		}
	}
	upload()
	if len(messages(t, f, "inspect.proof_submitted")) == 0 {
		t.Error("the department was not asked to review the proof")
	}
	if _, err := svc.ReviewProof(as(t, f, "wd-staff"), task.ID, r0.ID, inspect.ProofReview{Accept: true}); !yserr.Is(err, yserr.NotFound) {
		t.Errorf("other department reviews: %v", err)
	}
	if _, err := svc.ReviewProof(as(t, f, "sjj-staff"), task.ID, r0.ID, inspect.ProofReview{}); !yserr.Is(err, yserr.Invalid) {
		t.Errorf("return without a note: %v", err)
	}
	res = env.API(t, f.tok["sjj-staff"], "POST", fmt.Sprintf("%s/results/%d/review", tp, r0.ID), map[string]any{"accept": false, "note": "照片不清晰"})
	if res.StatusCode != 200 || !strings.Contains(res.Body, `"proof_status":"returned"`) {
		t.Fatalf("return: %d %s", res.StatusCode, res.Body)
	}
	if m := messages(t, f, "inspect.proof"); len(m) != 1 || !strings.Contains(m[0].Body, "照片不清晰") {
		t.Fatalf("proof returned notice: %+v", m)
	}

	// Jobs with a fake clock. 2026-12-01 is made a holiday: the monthly
	// unscanned list for November waits for the first working day, 12-02.
	if err := env.App.Calendar.Set(sitetest.System(), workcal.Day{Date: calendar.MustParseDate("2026-12-01"), Kind: calendar.Holiday, Name: "测试假日"}); err != nil {
		t.Fatal(err)
	}
	run := func(day string, want inspect.JobReport) {
		t.Helper()
		at(f, day)
		for i := range 2 {
			rep, err := svc.RunJobs(context.Background())
			if err != nil {
				t.Fatal(err)
			}
			if i == 1 {
				want = inspect.JobReport{}
			}
			if *rep != want {
				t.Fatalf("%s run %d: %+v, want %+v", day, i+1, *rep, want)
			}
		}
	}
	run("2026-12-01", inspect.JobReport{})
	run("2026-12-02", inspect.JobReport{Unscanned: 1})
	if m := messages(t, f, "inspect.unscanned"); len(m) != 1 || m[0].UserID != env.Users["supervisor"] || m[0].Link != "/inspect/monthly?month=2026-11" {
		t.Fatalf("unscanned list: %+v", m)
	}
	run("2026-12-06", inspect.JobReport{Reminded: 1})
	if m := messages(t, f, "inspect.rectify_remind"); len(m) != 1 || m[0].UserID != env.Users["ent"] {
		t.Fatalf("reminder: %+v", m)
	}
	// The deadline passes with the proof returned: overdue, the department told.
	run("2026-12-09", inspect.JobReport{Overdue: 1})
	if m := messages(t, f, "inspect.overdue"); len(m) == 0 || !slices.ContainsFunc(m, func(n notify.Notification) bool { return n.UserID == env.Users["sjj-staff"] }) {
		t.Fatalf("overdue notice: %+v", m)
	}
	tk, _ := svc.Task(ent, task.ID)
	if r := tk.Results[slices.IndexFunc(tk.Results, func(r inspect.Result) bool { return r.ID == r0.ID })]; !r.Overdue {
		t.Fatalf("not overdue: %+v", r)
	}
	// The department records the penalty: a credit record, the result a case.
	pp := fmt.Sprintf("%s/results/%d/penalty", tp, r0.ID)
	if res := env.API(t, f.tok["swj-staff"], "POST", pp, map[string]any{"decision_no": "x", "type": "warning", "class": "minor"}); res.StatusCode != 404 {
		t.Errorf("another department's penalty: %d %s", res.StatusCode, res.Body)
	}
	res = env.API(t, f.tok["sjj-staff"], "POST", pp, map[string]any{"decision_no": "许市监罚〔2026〕31号", "type": "warning", "class": "minor"})
	if res.StatusCode != 200 {
		t.Fatalf("penalty: %d %s", res.StatusCode, res.Body)
	}
	res.JSON(t, &tk)
	rp := tk.Results[slices.IndexFunc(tk.Results, func(r inspect.Result) bool { return r.ID == r0.ID })]
	cr, err := modules.Get[*credit.Service](env.Modules).Get(as(t, f, "admin"), rp.CreditRecordID)
	if err != nil || rp.Outcome != "case" || cr.Kind != credit.KindPenalty || cr.DepartmentID != env.Depts["XC-SJJ"] {
		t.Fatalf("penalty after overdue: %+v %+v %v", rp, cr, err)
	}
	if res := env.API(t, f.tok["sjj-staff"], "POST", pp, map[string]any{"decision_no": "y", "type": "warning", "class": "minor"}); res.StatusCode != 409 {
		t.Errorf("second penalty: %d", res.StatusCode)
	}
	// Publicity: warned three working days before the deadline, once.
	cal, _ := env.App.Calendar.Calendar(context.Background())
	warn := cal.AddWorkdays(calendar.MustParseDate(closed.PublishBy), -inspect.PublishWarnWorkdays)
	run(warn.AddDays(-1).String(), inspect.JobReport{})
	run(warn.String(), inspect.JobReport{Publicity: 1})
	if m := messages(t, f, "inspect.publish_due"); len(m) == 0 || !strings.Contains(m[0].Body, closed.PublishBy) {
		t.Fatalf("publicity warning: %+v", m)
	}
}

// TestAcceptedProofIsNotOverdue: proof accepted before the deadline ends
// the rectification; the job neither reminds nor marks it overdue.
func TestAcceptedProofIsNotOverdue(t *testing.T) {
	f := setup(t, db.SQLite)
	svc := f.svc
	task, me, _ := sampled(t, f)
	ent := as(t, f, "ent")
	if _, err := svc.ScanEntry(me, task.ID, inspect.ScanInput{Code: sitetest.USCCA}); err != nil {
		t.Fatal(err)
	}
	got, err := svc.RecordResult(me, task.ID, inspect.ResultInput{ItemID: f.items[0], Outcome: "rectify"})
	if err != nil {
		t.Fatal(err)
	}
	r0 := got.Results[0]
	if _, err := svc.AddFile(ent, task.ID, r0.ID, "proof", "p.png", "image/png", bytes.NewReader(pngBytes(t))); err != nil {
		t.Fatal(err)
	}
	got, err = svc.ReviewProof(as(t, f, "sjj-admin"), task.ID, r0.ID, inspect.ProofReview{Accept: true})
	if err != nil || got.Results[0].ProofStatus != inspect.ProofAccepted {
		t.Fatalf("accept: %v", err)
	}
	if _, err := svc.AddFile(ent, task.ID, r0.ID, "proof", "p.png", "image/png", bytes.NewReader(pngBytes(t))); !yserr.Is(err, yserr.Conflict) {
		t.Errorf("proof after acceptance: %v", err)
	}
	at(f, "2026-12-20")
	rep, err := svc.RunJobs(context.Background())
	if err != nil || rep.Overdue != 0 || rep.Reminded != 0 {
		t.Fatalf("jobs: %+v %v", rep, err)
	}
}

// TestQuietExceptionsMonthlyAndExports: the monthly exceptions page and
// its .xlsx, exports of plans, tasks and results with headers in the
// user's language, and the .xlsx import of check items with row errors.
func TestQuietExceptionsMonthlyAndExports(t *testing.T) {
	for _, e := range dbtest.Engines {
		t.Run(string(e), func(t *testing.T) { testMonthly(t, e) })
	}
}

func xlsxRows(t *testing.T, body string) [][]string {
	t.Helper()
	x, err := excelize.OpenReader(strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	defer x.Close()
	rows, err := x.GetRows(x.GetSheetName(0))
	if err != nil {
		t.Fatal(err)
	}
	return rows
}

func testMonthly(t *testing.T, e db.Dialect) {
	f := setup(t, e)
	env, svc := f.env, f.svc
	sjj := as(t, f, "sjj-staff")
	no := false
	ex := planInput("Q-7", "2026-12-05", f.items[:1])
	ex.Routine, ex.EndsOn, ex.ExceptionKind, ex.ExceptionReason = &no, "2026-12-10", "safety", "燃气泄漏隐患专项检查"
	p, err := svc.CreatePlan(sjj, ex)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := svc.Exceptions(sjj, "2026-12"); !yserr.Is(err, yserr.Forbidden) {
		t.Errorf("staff reads the exceptions: %v", err)
	}
	list, err := svc.Exceptions(as(t, f, "supervisor"), "2026-12")
	if err != nil || len(list) != 1 || list[0].PlanCode != "Q-7" || list[0].Kind != "safety" || list[0].ReasonText != "燃气泄漏隐患专项检查" ||
		!strings.Contains(list[0].Department, "市场监督管理局") || list[0].RecordedBy == "" || list[0].ApprovedAt != nil {
		t.Fatalf("exceptions: %+v %v", list, err)
	}
	if l, _ := svc.Exceptions(as(t, f, "admin"), "2026-11"); len(l) != 0 {
		t.Errorf("November: %+v", l)
	}
	if _, err := svc.SubmitPlan(sjj, p.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := svc.FilePlan(as(t, f, "admin"), p.ID, "许营商备〔2026〕20号"); err != nil {
		t.Fatal(err)
	}
	list, _ = svc.Exceptions(as(t, f, "admin"), "2026-12")
	if list[0].ApprovedAt == nil || list[0].ApprovedBy == "" {
		t.Fatalf("approval: %+v", list[0])
	}
	res := env.Login(t, "supervisor").Get(t, "/inspect/monthly?month=2026-12")
	if res.StatusCode != 200 || !strings.Contains(res.Body, "燃气泄漏隐患专项检查") || !strings.Contains(res.Body, "安全生产") {
		t.Fatalf("monthly page: %d", res.StatusCode)
	}
	res = env.API(t, f.tok["supervisor"], "GET", "/api/v1/inspect/export/exceptions?month=2026-12&lang=en", nil)
	if res.StatusCode != 200 {
		t.Fatalf("exceptions xlsx: %d %s", res.StatusCode, res.Body)
	}
	rows := xlsxRows(t, res.Body)
	if len(rows) != 2 || rows[0][0] != "Plan" || rows[1][0] != "Q-7" || rows[1][3] != "Safety" {
		t.Fatalf("exceptions sheet: %v", rows)
	}
	if res := env.API(t, f.tok["sjj-staff"], "GET", "/api/v1/inspect/export/exceptions?month=2026-12", nil); res.StatusCode != 403 {
		t.Errorf("staff exports the exceptions: %d", res.StatusCode)
	}

	// Exports of plans, tasks and results (the caller's plans only).
	task, me, _ := sampled(t, f)
	if _, err := svc.ScanEntry(me, task.ID, inspect.ScanInput{Code: sitetest.USCCA}); err != nil {
		t.Fatal(err)
	}
	if _, err := svc.RecordResult(me, task.ID, inspect.ResultInput{ItemID: f.items[0], Outcome: "rectify"}); err != nil {
		t.Fatal(err)
	}
	rows = xlsxRows(t, env.API(t, f.tok["sjj-staff"], "GET", "/api/v1/inspect/export/plans", nil).Body)
	if rows[0][0] != "计划编号" || len(rows) != 3 {
		t.Fatalf("plans sheet: %v", rows)
	}
	rows = xlsxRows(t, env.API(t, f.tok["sjj-staff"], "GET", fmt.Sprintf("/api/v1/inspect/export/tasks?plan=%d", task.PlanID), nil).Body)
	tasks, _ := svc.Tasks(sjj, inspect.TaskFilter{PlanID: task.PlanID})
	if len(rows) != len(tasks)+1 || rows[0][3] != "企业名称" {
		t.Fatalf("tasks sheet: %d rows for %d tasks: %v", len(rows), len(tasks), rows[0])
	}
	rows = xlsxRows(t, env.API(t, f.tok["sjj-staff"], "GET", "/api/v1/inspect/export/results?lang=en", nil).Body)
	if len(rows) != 2 || rows[0][6] != "Outcome" || rows[1][4] != "SJJ-01" || rows[1][6] != "Ordered to rectify" || rows[1][9] != "Yes" {
		t.Fatalf("results sheet: %v", rows)
	}
	if rows := xlsxRows(t, env.API(t, f.tok["wd-staff"], "GET", "/api/v1/inspect/export/results", nil).Body); len(rows) != 1 {
		t.Errorf("another department exports %d result rows", len(rows)-1)
	}

	// Import of check items: a bad row refuses the file naming row and column.
	sheet := func(rows ...[]any) *bytes.Reader {
		x := excelize.NewFile()
		for i, r := range rows {
			cell, _ := excelize.CoordinatesToCellName(1, i+1)
			if err := x.SetSheetRow("Sheet1", cell, &r); err != nil {
				t.Fatal(err)
			}
		}
		var b bytes.Buffer
		if err := x.Write(&b); err != nil {
			t.Fatal(err)
		}
		return bytes.NewReader(b.Bytes())
	}
	head := []any{"事项编码", "检查事项", "检查依据", "检查方式", "适用主体类型", "适用行业代码", "风险等级", "首违不罚"}
	good := []any{"SJJ-10", "广告发布检查", "《广告法》第四十九条", "现场检查", "", "F52", "中", "是"}
	_, err = svc.ImportItems(as(t, f, "sjj-admin"), sheet(head, good, []any{"SJJ-11", "计量器具检查", "《计量法》第九条", "电话检查", "", "", "低", "否"}))
	if !yserr.Is(err, yserr.Invalid) || !strings.Contains(yserr.As(err).ZH, "第 3 行「检查方式」") || !strings.Contains(err.Error(), "row 3") {
		t.Fatalf("bad row: %v", err)
	}
	if _, err := svc.ImportItems(as(t, f, "sjj-staff"), sheet(head, good)); !yserr.Is(err, yserr.Forbidden) {
		t.Errorf("staff imports: %v", err)
	}
	rep, err := svc.ImportItems(as(t, f, "sjj-admin"), sheet(head, good, []any{"SJJ-11", "计量器具检查", "《计量法》第九条", "抽样检测", "", "", "低", "否"}))
	if err != nil || rep.Saved != 2 {
		t.Fatalf("import: %+v %v", rep, err)
	}
	items, _ := svc.Items(as(t, f, "sjj-admin"))
	i := slices.IndexFunc(items, func(it inspect.Item) bool { return it.Code == "SJJ-10" })
	if i < 0 || !items[i].FirstOffence || items[i].Method != "onsite" || items[i].DepartmentID != env.Depts["XC-SJJ"] || items[i].Industries[0] != "F52" {
		t.Fatalf("imported item: %+v", items)
	}
}
