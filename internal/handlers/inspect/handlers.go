package inspect

import (
	"context"
	"fmt"
	"net/http"
	"strconv"
	"strings"

	"yingshang/internal/api"
	"yingshang/internal/auth"
	"yingshang/internal/calendar"
	"yingshang/internal/inspect"
	"yingshang/internal/server"
	"yingshang/internal/web"
	"yingshang/internal/yserr"
)

type handlers struct {
	s   *server.Server
	svc *inspect.Service
}

func (m *mod) Mount(s *server.Server) {
	h := &handlers{s: s, svc: m.svc}
	h.mountAPI(s)
	h.mountPages(s)
}

func (h *handlers) thisYear() int {
	return calendar.FromTime(h.s.App.Clock.Now(), calendar.Shanghai).Year()
}

func (h *handlers) planStep(fn func(ctx context.Context, id int64) (*inspect.Plan, error)) api.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) error {
		id, err := api.PathInt64(r, "id")
		if err != nil {
			return err
		}
		return write(w, http.StatusOK)(fn(r.Context(), id))
	}
}

func (h *handlers) taskStep(fn func(r *http.Request, id int64) (any, error)) api.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) error {
		id, err := api.PathInt64(r, "id")
		if err != nil {
			return err
		}
		return write(w, http.StatusOK)(fn(r, id))
	}
}

func (h *handlers) apiImport(w http.ResponseWriter, r *http.Request) error {
	f, _, err := r.FormFile("file")
	if err != nil {
		return yserr.Field("file", "请选择 .xlsx 文件", "choose an .xlsx file")
	}
	defer f.Close()
	return write(w, http.StatusOK)(h.svc.ImportInspectors(r.Context(), f))
}

func (h *handlers) upload(r *http.Request, id int64) (*inspect.TaskFile, error) {
	f, hdr, err := r.FormFile("file")
	if err != nil {
		return nil, yserr.Field("file", "请选择文件", "choose a file")
	}
	defer f.Close()
	resultID, _ := strconv.ParseInt(r.FormValue("result_id"), 10, 64)
	return h.svc.AddFile(r.Context(), id, resultID, r.FormValue("kind"), hdr.Filename, hdr.Header.Get("Content-Type"), f)
}

func (h *handlers) apiUpload(w http.ResponseWriter, r *http.Request) error {
	id, err := api.PathInt64(r, "id")
	if err != nil {
		return err
	}
	return write(w, http.StatusCreated)(h.upload(r, id))
}

func (h *handlers) apiDownload(w http.ResponseWriter, r *http.Request) error {
	id, err := api.PathInt64(r, "id")
	if err != nil {
		return err
	}
	fid, err := api.PathInt64(r, "file")
	if err != nil {
		return err
	}
	f, rc, err := h.svc.File(r.Context(), id, fid)
	if err != nil {
		return err
	}
	defer rc.Close()
	return h.s.ServeFile(w, r, f.Name, f.MediaType, f.Size, f.MediaType != "application/pdf", rc)
}

// Labels of the codes shown on pages (no raw codes in the UI).
var labels = map[string]web.Text{
	"draft": {ZH: "草稿", EN: "Draft"}, "submitted": {ZH: "待备案", EN: "Awaiting filing"}, "filed": {ZH: "已备案", EN: "Filed"},
	"committed": {ZH: "名录已冻结", EN: "Directory frozen"}, "sampled": {ZH: "已抽取", EN: "Sampled"},
	"assigned": {ZH: "待检查", EN: "To inspect"}, "entered": {ZH: "已扫码入企", EN: "Entered (scanned)"}, "closed": {ZH: "已办结", EN: "Closed"},
	"ok": {ZH: "未发现问题", EN: "No problem"}, "problem": {ZH: "发现问题", EN: "Problem found"}, "rectify": {ZH: "责令限期整改", EN: "Ordered to rectify"},
	"case": {ZH: "立案查处", EN: "Case opened"}, "onsite": {ZH: "现场检查", EN: "On-site"}, "documents": {ZH: "书面检查", EN: "Documents"},
	"sampling": {ZH: "抽样检测", EN: "Sampling"}, "online": {ZH: "网络监测", EN: "Online"}, "low": {ZH: "低", EN: "Low"}, "medium": {ZH: "中", EN: "Medium"},
	"high": {ZH: "高", EN: "High"}, "photo": {ZH: "照片", EN: "Photo"}, "document": {ZH: "文书", EN: "Document"}, "proof": {ZH: "整改证明", EN: "Rectification proof"},
	"safety": {ZH: "安全生产", EN: "Safety"}, "environment": {ZH: "生态环境", EN: "Environment"}, "complaint": {ZH: "投诉举报", EN: "Complaint"},
	"assigned_ex": {ZH: "上级交办", EN: "Assigned by a superior"}, "yes": {ZH: "是", EN: "Yes"}, "no": {ZH: "否", EN: "No"},
	"proof_submitted": {ZH: "整改材料待审核", EN: "Proof to review"}, "proof_accepted": {ZH: "整改通过", EN: "Rectification accepted"},
	"proof_returned": {ZH: "整改材料退回", EN: "Proof returned"},
}

func label(v *web.View, code string) string {
	if l, ok := labels[code]; ok {
		return v.T(l.ZH, l.EN)
	}
	return code
}

// pageData carries a page's data with its labeller.
type pageData struct {
	L     func(string) string
	Num   func(int) string
	Plan  *inspect.Plan
	Plans []inspect.Plan
	Task  *inspect.Task
	Tasks []inspect.Task
	Items []inspect.Item
	Stats *inspect.Stats
	Frame *inspect.Frame
	Depts map[int64]string
	Pub   []inspect.PublicResult
	Err   string
	// ItemResult maps an item id to its result on Task.
	ItemResult map[int64]inspect.Result
	Mine       bool
	Outcomes   []string
	// The enterprise's rating and complaints of Task.
	Rating     *inspect.Rating
	Complaints []inspect.Complaint
	// Failed names the task page's form whose submission was refused
	// ("rate" or "complain"): only that form shows the error and the input.
	Failed string
	// The monthly page: quiet-day exceptions and unscanned checks.
	Month      string
	Exceptions []inspect.Exception
}

func thousands(n int) string {
	s := strconv.Itoa(n)
	if n < 0 {
		return "-" + thousands(-n)
	}
	var b strings.Builder
	for i, c := range s {
		if i > 0 && (len(s)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(c)
	}
	return b.String()
}

func (h *handlers) data(v *web.View) *pageData {
	return &pageData{L: func(c string) string { return label(v, c) }, Num: thousands, Outcomes: inspect.Outcomes}
}

func (h *handlers) deptNames(r *http.Request, ids []int64) map[int64]string {
	out := map[int64]string{}
	refs, err := h.s.App.Accounts.DepartmentRefs(r.Context(), ids)
	if err == nil {
		for id, d := range refs {
			out[id] = d.Name
		}
	}
	return out
}

func (h *handlers) mountPages(s *server.Server) {
	s.UsesViews("inspect/index", "inspect/plan", "inspect/tasks", "inspect/task", "inspect/public", "inspect/monthly")
	staff := []auth.Role{auth.PlatformAdmin, auth.DeptAdmin, auth.DeptStaff, auth.Supervisor}
	s.Page("GET /inspect", h.index, staff...)
	s.Page("POST /inspect/plans", h.createPlan, auth.DeptAdmin, auth.DeptStaff)
	s.Page("GET /inspect/plans/{id}", h.plan, staff...)
	s.Page("POST /inspect/plans/{id}/{action}", h.planAction, auth.PlatformAdmin, auth.DeptAdmin, auth.DeptStaff)
	s.Page("GET /inspect/tasks", h.tasks, auth.DeptAdmin, auth.DeptStaff)
	s.Page("GET /inspect/visits", h.visits, auth.Enterprise)
	s.SignedIn("GET /inspect/tasks/{id}", h.task)
	s.SignedIn("POST /inspect/tasks/{id}/{action}", h.taskAction)
	s.Page("GET /public/inspect", h.public)
	s.Page("GET /inspect/monthly", h.monthly, auth.PlatformAdmin, auth.Supervisor)
	s.Page("GET /inspect/export/{what}", func(w http.ResponseWriter, r *http.Request) error { return h.export(w, r, r.PathValue("what")) }, staff...)
}

// monthly is the office's and supervisors' monthly page: every quiet-day
// exception of the month and the checks recorded without a scan.
func (h *handlers) monthly(w http.ResponseWriter, r *http.Request) error {
	v := h.s.View(r, "")
	v.Title = v.T("宁静日例外与未扫码检查月报", "Quiet-day exceptions and unscanned checks by month")
	d := h.data(v)
	d.Month = r.URL.Query().Get("month")
	if d.Month == "" {
		d.Month = calendar.FromTime(h.s.App.Clock.Now(), calendar.Shanghai).String()[:7]
	}
	var err error
	if d.Exceptions, err = h.svc.Exceptions(r.Context(), d.Month); err != nil {
		return err
	}
	if d.Tasks, err = h.svc.Unscanned(r.Context(), d.Month); err != nil {
		return err
	}
	v.Data = d
	return h.s.Render(w, r, http.StatusOK, "inspect/monthly", v)
}

func (h *handlers) index(w http.ResponseWriter, r *http.Request) error {
	v := h.s.View(r, "")
	if err := h.fillIndex(r, v); err != nil {
		return err
	}
	return h.s.Render(w, r, http.StatusOK, "inspect/index", v)
}

// fillIndex sets the plans page's title and data: the plans, the check
// items with their departments' names, and the year's figures.
func (h *handlers) fillIndex(r *http.Request, v *web.View) error {
	v.Title = v.T("抽查计划", "Inspection plans")
	d := h.data(v)
	var err error
	if d.Plans, err = h.svc.Plans(r.Context()); err != nil {
		return err
	}
	if d.Items, err = h.svc.Items(r.Context()); err != nil {
		return err
	}
	if d.Stats, err = h.svc.Stats(r.Context(), h.thisYear()); err != nil {
		return err
	}
	var ids []int64
	for _, p := range d.Plans {
		ids = append(ids, p.Departments...)
	}
	for _, it := range d.Items {
		ids = append(ids, it.DepartmentID)
	}
	d.Depts = h.deptNames(r, ids)
	v.Data = d
	return nil
}

func (h *handlers) createPlan(w http.ResponseWriter, r *http.Request) error {
	if err := r.ParseForm(); err != nil {
		return err
	}
	in := inspect.PlanInput{Code: r.FormValue("code"), Title: r.FormValue("title"), StartsOn: r.FormValue("starts_on"), EndsOn: r.FormValue("ends_on"),
		Ratios: r.FormValue("ratios"), ExceptionKind: r.FormValue("exception_kind"), ExceptionReason: r.FormValue("exception_reason"),
		Regions: strings.Split(r.FormValue("regions"), ","), Industries: strings.Split(r.FormValue("industries"), ",")}
	routine := r.FormValue("exception_kind") == ""
	in.Routine = &routine
	for _, x := range r.Form["items"] {
		if id, err := strconv.ParseInt(x, 10, 64); err == nil {
			in.Items = append(in.Items, id)
		}
	}
	for _, x := range r.Form["departments"] {
		if id, err := strconv.ParseInt(x, 10, 64); err == nil {
			in.Departments = append(in.Departments, id)
		}
	}
	in.TeamSize, _ = strconv.Atoi(r.FormValue("team_size"))
	p, err := h.svc.CreatePlan(r.Context(), in)
	if err != nil {
		v := h.s.View(r, "")
		if ferr := h.fillIndex(r, v); ferr != nil {
			return ferr
		}
		return h.s.FormError(w, r, "inspect/index", v, err)
	}
	v := h.s.View(r, "")
	return h.s.Redirect(w, r, fmt.Sprintf("/inspect/plans/%d", p.ID), v.T("计划已保存", "Plan saved"))
}

func (h *handlers) plan(w http.ResponseWriter, r *http.Request) error {
	id, err := api.PathInt64(r, "id")
	if err != nil {
		return err
	}
	v := h.s.View(r, "")
	d := h.data(v)
	if d.Plan, err = h.svc.Plan(r.Context(), id); err != nil {
		return err
	}
	v.Title = d.Plan.Title
	if d.Tasks, err = h.svc.Tasks(r.Context(), inspect.TaskFilter{PlanID: id}); err != nil {
		return err
	}
	if d.Plan.Status == inspect.PlanFiled || d.Plan.Status == inspect.PlanSubmitted || d.Plan.Status == inspect.PlanDraft {
		f, err := h.svc.DryRun(r.Context(), id)
		d.Frame = f
		if err != nil {
			d.Err = yserr.As(err).Message(v.Lang)
		}
	}
	items, _ := h.svc.Items(r.Context())
	for _, it := range items {
		for _, pid := range d.Plan.Items {
			if it.ID == pid {
				d.Items = append(d.Items, it)
			}
		}
	}
	d.Depts = h.deptNames(r, d.Plan.Departments)
	v.Data = d
	return h.s.Render(w, r, http.StatusOK, "inspect/plan", v)
}

func (h *handlers) planAction(w http.ResponseWriter, r *http.Request) error {
	id, err := api.PathInt64(r, "id")
	if err != nil {
		return err
	}
	v := h.s.View(r, "")
	ctx := r.Context()
	var msg string
	switch r.PathValue("action") {
	case "submit":
		_, err = h.svc.SubmitPlan(ctx, id)
		msg = v.T("已报送备案", "Submitted for filing")
	case "file":
		_, err = h.svc.FilePlan(ctx, id, r.FormValue("filing_no"))
		msg = v.T("已备案", "Filed")
	case "commit":
		_, err = h.svc.CommitPlan(ctx, id)
		msg = v.T("名录已冻结，抽取已承诺", "Directory frozen and the draw committed")
	case "sample":
		_, err = h.svc.Sample(ctx, id, inspect.SampleInput{WitnessName: r.FormValue("witness_name"), WitnessValue: r.FormValue("witness_value")})
		msg = v.T("抽取完成，任务已派发", "Sampled: tasks assigned")
	default:
		return yserr.ErrNotFound("操作", "action")
	}
	if err != nil {
		if yserr.CodeOf(err) == yserr.Internal {
			return err
		}
		return h.s.Redirect(w, r, fmt.Sprintf("/inspect/plans/%d", id), yserr.As(err).Message(v.Lang))
	}
	return h.s.Redirect(w, r, fmt.Sprintf("/inspect/plans/%d", id), msg)
}

func (h *handlers) tasks(w http.ResponseWriter, r *http.Request) error {
	v := h.s.View(r, "")
	v.Title = v.T("我的检查任务", "My inspection tasks")
	d := h.data(v)
	d.Mine = true
	var err error
	if d.Tasks, err = h.svc.Tasks(r.Context(), inspect.TaskFilter{Mine: true}); err != nil {
		return err
	}
	v.Data = d
	return h.s.Render(w, r, http.StatusOK, "inspect/tasks", v)
}

func (h *handlers) visits(w http.ResponseWriter, r *http.Request) error {
	v := h.s.View(r, "")
	v.Title = v.T("涉企检查记录", "Inspection visits")
	d := h.data(v)
	var err error
	if d.Tasks, err = h.svc.Tasks(r.Context(), inspect.TaskFilter{}); err != nil {
		return err
	}
	v.Data = d
	return h.s.Render(w, r, http.StatusOK, "inspect/tasks", v)
}

func (h *handlers) task(w http.ResponseWriter, r *http.Request) error {
	id, err := api.PathInt64(r, "id")
	if err != nil {
		return err
	}
	v, err := h.taskView(r, id)
	if err != nil {
		return err
	}
	return h.s.Render(w, r, http.StatusOK, "inspect/task", v)
}

// taskView is the task page's view: the task with its results, the
// departments' names, and the enterprise's rating and complaints.
func (h *handlers) taskView(r *http.Request, id int64) (*web.View, error) {
	v := h.s.View(r, "")
	d := h.data(v)
	var err error
	if d.Task, err = h.svc.Task(r.Context(), id); err != nil {
		return nil, err
	}
	v.Title = d.Task.EntityName
	d.ItemResult = map[int64]inspect.Result{}
	for _, res := range d.Task.Results {
		d.ItemResult[res.ItemID] = res
	}
	d.Depts = h.deptNames(r, d.Task.Departments)
	if d.Rating, err = h.svc.RatingOf(r.Context(), id); err != nil {
		return nil, err
	}
	if d.Complaints, err = h.svc.Complaints(r.Context(), id); err != nil {
		return nil, err
	}
	v.Data = d
	return v, nil
}

func (h *handlers) taskAction(w http.ResponseWriter, r *http.Request) error {
	id, err := api.PathInt64(r, "id")
	if err != nil {
		return err
	}
	v := h.s.View(r, "")
	ctx := r.Context()
	back := fmt.Sprintf("/inspect/tasks/%d", id)
	var msg string
	switch r.PathValue("action") {
	case "scan":
		_, err = h.svc.ScanEntry(ctx, id, inspect.ScanInput{Code: r.FormValue("code"), Latitude: r.FormValue("latitude"), Longitude: r.FormValue("longitude")})
		msg = v.T("已扫码入企", "Scanned: entry recorded")
	case "result":
		item, _ := strconv.ParseInt(r.FormValue("item_id"), 10, 64)
		in := inspect.ResultInput{ItemID: item, Outcome: r.FormValue("outcome"), Note: r.FormValue("note"), RectifyBy: r.FormValue("rectify_by")}
		if r.FormValue("decision_no") != "" {
			amount, _ := strconv.ParseFloat(strings.ReplaceAll(r.FormValue("amount"), ",", ""), 64)
			in.Penalty = &inspect.PenaltyInput{DecisionNo: r.FormValue("decision_no"), Type: r.FormValue("penalty_type"), Amount: amount, Class: r.FormValue("penalty_class")}
		}
		_, err = h.svc.RecordResult(ctx, id, in)
		msg = v.T("结果已记录", "Result recorded")
	case "close":
		_, err = h.svc.CloseTask(ctx, id)
		msg = v.T("任务已办结", "Task closed")
	case "confirm":
		rating, _ := strconv.Atoi(r.FormValue("rating"))
		_, err = h.svc.Confirm(ctx, id, inspect.ConfirmInput{Text: r.FormValue("text"), Signer: r.FormValue("signer"), Rating: rating})
		msg = v.T("确认已记录", "Confirmation recorded")
	case "publish":
		_, err = h.svc.PublishTask(ctx, id)
		msg = v.T("结果已公示", "Result published")
	case "files":
		_, err = h.upload(r, id)
		msg = v.T("文件已上传", "File uploaded")
	case "rate":
		rating, _ := strconv.Atoi(r.FormValue("rating"))
		_, err = h.svc.Rate(ctx, id, inspect.RatingInput{Rating: rating, Comment: r.FormValue("comment")})
		msg = v.T("评价已保存", "Rating saved")
	case "complain":
		var c *inspect.Complaint
		c, err = h.svc.Complain(ctx, id, inspect.ComplaintInput{Text: r.FormValue("text")})
		if err == nil {
			msg = v.T("投诉已提交，诉求编号 ", "Complaint filed as appeal ") + c.AppealNumber
		}
	case "review":
		result, _ := strconv.ParseInt(r.FormValue("result_id"), 10, 64)
		_, err = h.svc.ReviewProof(ctx, id, result, inspect.ProofReview{Accept: r.FormValue("accept") == "yes", Note: r.FormValue("note")})
		msg = v.T("审核已记录", "Review recorded")
	case "penalty":
		result, _ := strconv.ParseInt(r.FormValue("result_id"), 10, 64)
		amount, _ := strconv.ParseFloat(strings.ReplaceAll(r.FormValue("amount"), ",", ""), 64)
		_, err = h.svc.PenaltyForOverdue(ctx, id, result, inspect.PenaltyInput{DecisionNo: r.FormValue("decision_no"), Type: r.FormValue("penalty_type"),
			Amount: amount, Class: r.FormValue("penalty_class")})
		msg = v.T("处罚已记录并记入信用", "Penalty recorded as a credit record")
	default:
		return yserr.ErrNotFound("操作", "action")
	}
	if err != nil {
		if c := yserr.CodeOf(err); c == yserr.Internal || c == yserr.NotFound {
			return err
		}
		if action := r.PathValue("action"); action == "rate" || action == "complain" {
			// The enterprise's forms are shown again with the error at the
			// field and what was typed kept.
			page, perr := h.taskView(r, id)
			if perr != nil {
				return perr
			}
			page.Data.(*pageData).Failed = action
			return h.s.FormError(w, r, "inspect/task", page, err)
		}
		return h.s.Redirect(w, r, back, yserr.As(err).Message(v.Lang))
	}
	return h.s.Redirect(w, r, back, msg)
}

func (h *handlers) public(w http.ResponseWriter, r *http.Request) error {
	v := h.s.View(r, "")
	v.Title = v.T("双随机抽查结果公示", "Random inspection results")
	d := h.data(v)
	plan, _ := strconv.ParseInt(r.URL.Query().Get("plan"), 10, 64)
	var err error
	if d.Pub, err = h.svc.PublicResults(r.Context(), plan, r.URL.Query().Get("uscc")); err != nil {
		return err
	}
	v.Data = d
	return h.s.Render(w, r, http.StatusOK, "inspect/public", v)
}
