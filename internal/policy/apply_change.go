package policy

import (
	"context"
	"encoding/json"
	"slices"
	"strconv"
	"strings"
	"time"

	"yingshang/internal/auth"
	"yingshang/internal/calendar"
	"yingshang/internal/notify"
	"yingshang/internal/workflow"
	"yingshang/internal/yserr"
)

// Changes to an application under review besides the decisions:
//
//   - withdrawal (撤回) by the enterprise before the decision is the
//     workflow action ActWithdraw (Decide): a reason, the application
//     closes (its clock stops), the reviewers of the current step are told;
//   - extension (延期) of the current step's time limit by the head (dept
//     admin) of one of its reviewer departments: once per application,
//     with a reason, at most the step's own limit, before the deadline has
//     passed; the new deadline is counted on the platform calendar in
//     working days and the enterprise is told;
//   - reassignment (改派) of a pending task of the current step to another
//     department by the office (platform admin), with a reason; the staff
//     of both departments are told.
//
// Each is one transaction with its timeline entry and audit event.

// Extension asks for more working days on the current step.
type Extension struct {
	Days   int    `json:"days" doc:"working days to add (1 to the step's own limit)"`
	Reason string `json:"reason"`
	Rev    int    `json:"rev" doc:"the rev the caller saw; 0 skips the check"`
}

// Reassignment moves a pending task of the current step to another
// department.
type Reassignment struct {
	From   int64  `json:"from_department_id" doc:"a department with a pending task in the current step"`
	To     int64  `json:"to_department_id" doc:"the department that takes it over (not already a reviewer of the step)"`
	Reason string `json:"reason"`
	Rev    int    `json:"rev" doc:"the rev the caller saw; 0 skips the check"`
}

// stepExtension is the extension of the current step's clock.
func (x *Application) stepExtension() int {
	if x.ExtendedStep != nil && *x.ExtendedStep == x.Step {
		return x.ExtensionDays
	}
	return 0
}

// extendable is nil when a may extend x's current step at now: a dept
// admin of a department with a pending task of the step, the application
// under review (not waiting for a supplement), never extended, not
// overdue.
func (x *Application) extendable(a *auth.Actor, now time.Time) error {
	if !a.Has(auth.DeptAdmin) || (&appItem{app: x}).reviewerDept(a) == 0 {
		return yserr.New(yserr.Forbidden, "只有本环节审核部门的负责人可以延长时限", "only the head of a reviewer department of the current step may extend its time limit")
	}
	if x.State != AppReviewing {
		return yserr.New(yserr.Conflict, "只有审核中的申请可以延长时限（当前："+AppStateLabel(string(x.State), "zh")+"）",
			"only an application under review can have its time limit extended (now: "+AppStateLabel(string(x.State), "en")+")")
	}
	if x.ExtendedStep != nil {
		return yserr.Newf(yserr.Conflict, "该申请已延长过一次时限（第 %d 个环节，%d 个工作日），不能再次延长",
			"the application's time limit was extended once already (step %d, %d working days)", *x.ExtendedStep+1, x.ExtensionDays)
	}
	if x.Due != nil && now.After(*x.Due) {
		return yserr.New(yserr.Conflict, "本环节已超期，不能再延长时限", "the step is overdue: its time limit can no longer be extended")
	}
	return nil
}

// reassignable is nil when a may reassign x's pending tasks: the office
// (platform admin), the application open with a pending task.
func (x *Application) reassignable(a *auth.Actor) error {
	if !a.Has(auth.PlatformAdmin) {
		return yserr.New(yserr.Forbidden, "只有营商环境办（平台管理员）可以改派审核任务", "only the office (platform admin) reassigns review tasks")
	}
	if x.State != AppReviewing && x.State != AppSupplement {
		return yserr.New(yserr.Conflict, "申请已办结，不能改派", "the application is closed: nothing to reassign")
	}
	return nil
}

// openApp reads an application for a change by the caller; NotFound for
// a caller who may not read it, Conflict for a stale rev.
func (s *Service) openApp(ctx context.Context, id int64, rev int) (*auth.Actor, *Application, error) {
	a := auth.From(ctx)
	if a == nil {
		return nil, nil, yserr.New(yserr.Unauthorized, "请先登录", "sign in first")
	}
	xs, err := s.apps(ctx, "a.id = $1", id)
	if err != nil {
		return nil, nil, err
	}
	if len(xs) == 0 || !mayReadApp(a, xs[0]) {
		return nil, nil, yserr.ErrNotFound("申请", "application")
	}
	if rev != 0 && rev != xs[0].Rev {
		return nil, nil, appMachine.StaleWrite()
	}
	return a, xs[0], nil
}

// Extend extends the current step's time limit by e.Days working days.
// Errors: NotFound for a caller who may not read the application,
// Forbidden for one who is not the head of a reviewer department of the
// step, Conflict when it is not under review, was extended before, is
// overdue (each said even when the rev is stale too) or the rev is stale,
// Invalid naming "days" or "reason".
func (s *Service) Extend(ctx context.Context, id int64, e Extension) (*Application, error) {
	// Whether it may be extended at all comes before a stale rev: a page
	// left open while the application was extended says so, rather than
	// only that the application changed.
	a, x, err := s.openApp(ctx, id, 0)
	if err != nil {
		return nil, err
	}
	now := s.Clock.Now()
	if err := x.extendable(a, now); err != nil {
		return nil, err
	}
	if e.Rev != 0 && e.Rev != x.Rev {
		return nil, appMachine.StaleWrite()
	}
	limit := x.Steps[x.Step].Days
	if e.Days < 1 || e.Days > limit {
		return nil, yserr.Field("days", "延长的工作日数应为 1 到 "+strconv.Itoa(limit)+"（不超过本环节原时限）",
			"the extension is 1 to "+strconv.Itoa(limit)+" working days (at most the step's own limit)")
	}
	e.Reason = strings.TrimSpace(e.Reason)
	if e.Reason == "" {
		return nil, yserr.Field("reason", "请填写延期理由", "give the reason for the extension")
	}
	if len([]rune(e.Reason)) > 500 {
		return nil, yserr.Field("reason", "延期理由不超过 500 字", "the reason is at most 500 characters")
	}
	cal, err := s.cal(ctx)
	if err != nil {
		return nil, err
	}
	oldDue := x.Due
	step := x.Step
	x.ExtendedStep, x.ExtensionDays = &step, e.Days
	x.clock(cal, now)
	newDue := x.Due.In(calendar.Shanghai).Format(time.DateOnly)
	dept := (&appItem{app: x}).reviewerDept(a)
	p, err := s.get(ctx, x.PolicyID)
	if err != nil {
		return nil, err
	}
	note := "延长 " + strconv.Itoa(e.Days) + " 个工作日，新时限 " + newDue + "：" + e.Reason
	err = s.DB.WithTx(ctx, func(ctx context.Context) error {
		// The deadline moved: its alerts are due afresh.
		n, err := s.DB.Q(ctx).Exec(ctx, `UPDATE policy_applications SET extension_days = $1, extended_step = $2, alert_level = 0, rev = rev + 1, updated_at = $3
			WHERE id = $4 AND rev = $5 AND extended_step IS NULL AND state = $6`, e.Days, step, s.now(), x.ID, x.Rev, string(AppReviewing))
		if err != nil {
			return err
		}
		if n != 1 {
			return appMachine.StaleWrite()
		}
		if err := s.event(ctx, x.ID, a, workflow.Entry{At: s.now(), Action: "extend", From: string(x.State), To: string(x.State), Note: note, Public: true}); err != nil {
			return err
		}
		var old any
		if oldDue != nil {
			old = map[string]any{"due": oldDue.In(calendar.Shanghai).Format(time.DateOnly)}
		}
		if err := s.Audit.Record(ctx, "policy.application.extend", "policy_application", strconv.FormatInt(x.ID, 10), old,
			map[string]any{"due": newDue, "days": e.Days, "step": step, "department_id": dept, "reason": e.Reason}, ""); err != nil {
			return err
		}
		return s.appNotice(ctx, p.Title, x.ID, x.EntityID, "extend", "新时限 / due "+newDue+"："+e.Reason)
	})
	if err != nil {
		return nil, err
	}
	return s.Application(ctx, id)
}

// Reassign moves the pending task of department r.From in the current
// step to department r.To. Errors: NotFound for a caller who may not read
// the application, Forbidden for anyone but the office, Conflict for a
// closed application or a stale rev, Invalid naming
// "from_department_id", "to_department_id" or "reason".
func (s *Service) Reassign(ctx context.Context, id int64, r Reassignment) (*Application, error) {
	a, x, err := s.openApp(ctx, id, r.Rev)
	if err != nil {
		return nil, err
	}
	if err := x.reassignable(a); err != nil {
		return nil, err
	}
	if !slices.ContainsFunc(x.Tasks, func(t Task) bool {
		return t.Step == x.Step && t.DepartmentID == r.From && t.Status == TaskPending
	}) {
		return nil, yserr.Field("from_department_id", "该部门在本环节没有待审核的任务", "the department has no pending task in the current step")
	}
	if r.To == r.From || slices.Contains(x.Steps[x.Step].Departments, r.To) {
		return nil, yserr.Field("to_department_id", "接收部门已是本环节的审核部门", "the receiving department is a reviewer of the step already")
	}
	refs, err := s.Accounts.DepartmentRefs(ctx, []int64{r.From, r.To})
	if err != nil {
		return nil, err
	}
	if _, ok := refs[r.To]; !ok || r.To == 0 {
		return nil, yserr.Field("to_department_id", "请选择接收部门", "choose the receiving department")
	}
	r.Reason = strings.TrimSpace(r.Reason)
	if r.Reason == "" {
		return nil, yserr.Field("reason", "请填写改派理由", "give the reason for the reassignment")
	}
	if len([]rune(r.Reason)) > 500 {
		return nil, yserr.Field("reason", "改派理由不超过 500 字", "the reason is at most 500 characters")
	}
	steps := slices.Clone(x.Steps)
	for i := range steps {
		steps[i].Names = nil
	}
	depts := slices.Clone(steps[x.Step].Departments)
	depts[slices.Index(depts, r.From)] = r.To
	slices.Sort(depts)
	steps[x.Step].Departments = depts
	stepsJSON, _ := json.Marshal(steps)
	from, to := refs[r.From].Name, refs[r.To].Name
	note := "由" + from + "改派至" + to + "：" + r.Reason
	now := s.now()
	err = s.DB.WithTx(ctx, func(ctx context.Context) error {
		n, err := s.DB.Q(ctx).Exec(ctx, "DELETE FROM policy_application_tasks WHERE application_id = $1 AND step = $2 AND department_id = $3 AND status = 'pending'",
			x.ID, x.Step, r.From)
		if err != nil {
			return err
		}
		if n != 1 {
			return appMachine.StaleWrite()
		}
		if err := s.addTasks(ctx, x.ID, x.Step, []int64{r.To}); err != nil {
			return err
		}
		if n, err = s.DB.Q(ctx).Exec(ctx, "UPDATE policy_applications SET steps = $1, rev = rev + 1, updated_at = $2 WHERE id = $3 AND rev = $4",
			string(stepsJSON), now, x.ID, x.Rev); err != nil {
			return err
		} else if n != 1 {
			return appMachine.StaleWrite()
		}
		if err := s.event(ctx, x.ID, a, workflow.Entry{At: now, Action: "reassign", From: string(x.State), To: string(x.State), Note: note}); err != nil {
			return err
		}
		if err := s.Audit.Record(ctx, "policy.application.reassign", "policy_application", strconv.FormatInt(x.ID, 10),
			map[string]any{"step": x.Step, "department_id": r.From}, map[string]any{"step": x.Step, "department_id": r.To, "reason": r.Reason}, ""); err != nil {
			return err
		}
		// The department that gave the task up can no longer open the
		// application: its message links to its queue.
		if err := s.staffNotice(ctx, x, []int64{r.From}, "reassign", note, "/policy-review"); err != nil {
			return err
		}
		return s.staffNotice(ctx, x, []int64{r.To}, "reassign", note, "")
	})
	if err != nil {
		return nil, err
	}
	return s.Application(ctx, id)
}

// MsgAppStaff tells reviewer departments about a change of an
// application they hold (withdrawn, reassigned).
const MsgAppStaff = "policy.application_staff"

func registerAppStaffMessages() {
	vars := []notify.Variable{
		{Name: "policy", ZH: "政策名称", EN: "policy", Example: "企业研发费用后补助"},
		{Name: "entity", ZH: "申请企业", EN: "enterprise", Example: "许昌瑞丰商贸有限公司"},
		{Name: "stage_zh", ZH: "变动（中文）", EN: "change (Chinese)", Example: "已由企业撤回"},
		{Name: "stage_en", ZH: "变动（英文）", EN: "change (English)", Example: "withdrawn by the enterprise"},
		{Name: "note", ZH: "说明", EN: "note", Example: "材料有误，重新准备"},
	}
	notify.RegisterType(notify.MessageType{Key: MsgAppStaff, NameZH: "政策申请审核任务变动", NameEN: "Policy application review change", Variables: vars,
		Defaults: map[string]map[string]notify.Template{
			notify.ChannelSMS: {
				notify.LangZH: {Body: "【惠企政策】{{.entity}}申请的“{{.policy}}”{{.stage_zh}}。{{.note}}"},
				notify.LangEN: {Body: "Policy application \"{{.policy}}\" ({{.entity}}): {{.stage_en}}. {{.note}}"},
			},
			notify.ChannelInApp: {
				notify.LangZH: {Subject: "政策申请{{.stage_zh}}：{{.policy}}", Body: "{{.entity}}申请的“{{.policy}}”{{.stage_zh}}。{{.note}}"},
				notify.LangEN: {Subject: "Policy application {{.stage_en}}: {{.policy}}", Body: "The application of {{.entity}} under \"{{.policy}}\": {{.stage_en}}. {{.note}}"},
			},
		}})
}

var staffStages = map[string][2]string{
	"withdraw": {"已由企业撤回，无需继续审核", "withdrawn by the enterprise: no further review needed"},
	"reassign": {"的审核任务已改派", "review task reassigned"},
}

// staffNotice tells the staff and admins of depts about a change of x (in
// the caller's transaction), linking to link or, when empty, to x.
func (s *Service) staffNotice(ctx context.Context, x *Application, depts []int64, stage, note, link string) error {
	if s.Notify == nil || s.Accounts == nil {
		return nil
	}
	var to []notify.Recipient
	seen := map[int64]bool{}
	for _, d := range depts {
		users, err := s.Accounts.DeptUsers(ctx, d, auth.DeptStaff, auth.DeptAdmin)
		if err != nil {
			return err
		}
		for _, u := range users {
			if !seen[u] {
				seen[u] = true
				to = append(to, notify.Recipient{UserID: u})
			}
		}
	}
	if len(to) == 0 {
		return nil
	}
	st := staffStages[stage]
	if link == "" {
		link = "/policy-applications/" + strconv.FormatInt(x.ID, 10)
	}
	_, err := s.Notify.Send(ctx, notify.Message{Type: MsgAppStaff, To: to, Channels: []string{notify.ChannelInApp, notify.ChannelSMS},
		Data:       map[string]any{"policy": x.Policy, "entity": x.Entity, "stage_zh": st[0], "stage_en": st[1], "note": note},
		ObjectType: "policy_application_staff", ObjectID: strconv.FormatInt(x.ID, 10), Link: link})
	return err
}
