package policy

import (
	"context"
	"encoding/json"
	"io"
	"slices"
	"strconv"
	"strings"
	"time"

	"yingshang/internal/auth"
	"yingshang/internal/calendar"
	"yingshang/internal/db"
	"yingshang/internal/filestore"
	"yingshang/internal/notify"
	"yingshang/internal/workflow"
	"yingshang/internal/yserr"
)

// Applications with review (申请审核): the enterprise applies with the
// policy's materials; the application goes through the policy's review
// steps (each with its reviewer departments, who all approve in parallel,
// and a time limit in working days on the platform calendar); reviewers
// approve, return for supplement (the clock stands still until the
// enterprise supplements) or reject with a reason; the last approval
// records the grant (checks before money again, amount by the formula of
// the version applied under), which goes to the payment batches. The
// state machine is internal/workflow's; the timeline is
// policy_application_events.

// AppState is where an application is.
type AppState string

// Application states.
const (
	AppReviewing   AppState = "reviewing"   // 审核中
	AppSupplement  AppState = "supplement"  // 待补正
	AppApproved    AppState = "approved"    // 审核通过（资金已核定）
	AppIntercepted AppState = "intercepted" // 通过审核但被资金发放前核查拦截
	AppRejected    AppState = "rejected"    // 未通过
	AppWithdrawn   AppState = "withdrawn"   // 企业撤回（决定作出前）
)

// AppAction is a step a party takes on an application.
type AppAction string

// Application actions (also "submit" and "alert", timeline entries
// outside the table).
const (
	ActApprove    AppAction = "approve"    // reviewer department: approve its part of the step
	ActReturn     AppAction = "return"     // reviewer department: return for supplement (reason)
	ActReject     AppAction = "reject"     // reviewer department: reject (reason)
	ActSupplement AppAction = "supplement" // enterprise: supplement materials
	ActWithdraw   AppAction = "withdraw"   // enterprise: withdraw before the decision (reason)
)

// Task statuses.
const (
	TaskPending  = "pending"
	TaskApproved = "approved"
)

// Application limits.
const (
	MaxMaterialBytes = 20 << 20
	maxSteps         = 10
	maxStepDays      = 60
)

// MaterialTypes are the accepted types of application materials.
var MaterialTypes = []string{filestore.PDF, filestore.JPEG, filestore.PNG}

// Material is one document an application must (or may) carry.
type Material struct {
	Key      string `json:"key" doc:"a short code, e.g. audit_report"`
	Name     string `json:"name"`
	Required bool   `json:"required"`
}

// ReviewStep is one step of a policy's review: every listed department
// approves (in parallel) within Days working days.
type ReviewStep struct {
	Name        string   `json:"name"`
	Departments []int64  `json:"departments"`
	Names       []string `json:"department_names,omitempty" doc:"read only"`
	Days        int      `json:"days" doc:"time limit in working days"`
}

// ReviewDef is a policy's materials and review steps.
type ReviewDef struct {
	PolicyID  int64        `json:"policy_id"`
	Materials []Material   `json:"materials"`
	Steps     []ReviewStep `json:"steps"`
}

// Task is one reviewer department's part of a step.
type Task struct {
	Step         int        `json:"step"`
	DepartmentID int64      `json:"department_id"`
	Department   string     `json:"department"`
	Status       string     `json:"status" enum:"pending,approved"`
	DecidedAt    *time.Time `json:"decided_at,omitempty"`
	Note         string     `json:"note,omitempty"`
}

// AppFile is an uploaded material.
type AppFile struct {
	ID        int64     `json:"id"`
	Material  string    `json:"material"`
	FileID    int64     `json:"file_id"`
	Name      string    `json:"name"`
	MediaType string    `json:"media_type"`
	Size      int64     `json:"size"`
	CreatedAt time.Time `json:"created_at"`
}

// Application is an application for a review-mode policy.
type Application struct {
	ID         int64        `json:"id"`
	PolicyID   int64        `json:"policy_id"`
	Policy     string       `json:"policy"`
	Version    int          `json:"version" doc:"the policy version it was made under (kept when the policy changes)"`
	Period     string       `json:"period"`
	EntityID   int64        `json:"entity_id"`
	Entity     string       `json:"entity"`
	State      AppState     `json:"state" enum:"reviewing,supplement,approved,intercepted,rejected,withdrawn"`
	Step       int          `json:"step" doc:"the current step (0-based)"`
	Steps      []ReviewStep `json:"steps" doc:"the review steps as they were at submission"`
	Rev        int          `json:"rev" doc:"send it back with a decision: a stale one is refused"`
	GrantID    *int64       `json:"grant_id,omitempty"`
	AmountFen  int64        `json:"amount_fen"`
	AmountText string       `json:"amount_text"`
	Reason     string       `json:"reason,omitempty" doc:"why rejected, intercepted or withdrawn"`
	CreatedAt  time.Time    `json:"created_at"`
	UpdatedAt  time.Time    `json:"updated_at"`
	ClosedAt   *time.Time   `json:"closed_at,omitempty"`
	// The current step's clock.
	ClockStart time.Time  `json:"clock_start"`
	PausedAt   *time.Time `json:"paused_at,omitempty" doc:"set while waiting for the enterprise's supplement"`
	Due        *time.Time `json:"due,omitempty" doc:"the current step's deadline"`
	DaysLeft   int        `json:"days_left" doc:"working days left in the current step (negative: overdue)"`
	Alert      string     `json:"alert,omitempty" enum:",warning,overdue"`
	AlertLevel int        `json:"-"`
	// The extension (once per application, to the step current then).
	ExtensionDays int  `json:"extension_days,omitempty" doc:"working days added to the extended step's limit"`
	ExtendedStep  *int `json:"extended_step,omitempty" doc:"the step that was extended (0-based); absent: never extended"`
	// Detail only.
	Tasks    []Task           `json:"tasks,omitempty"`
	Files    []AppFile        `json:"files,omitempty"`
	Timeline []workflow.Entry `json:"timeline,omitempty"`
	Allowed  []AppAction      `json:"allowed,omitempty" doc:"what the caller may do now"`
	// CanExtend and CanReassign: whether the caller may extend the time
	// limit or reassign a pending task now (detail only).
	CanExtend   bool `json:"can_extend,omitempty"`
	CanReassign bool `json:"can_reassign,omitempty"`

	pauses []workflow.Span
	dept   int64 // the policy's department
}

// Upload is one material file in an application or a supplement.
type Upload struct {
	Material string
	Name     string
	Type     string // the declared type, "" when unknown
	Data     io.Reader
}

// Decision is a reviewer's or the enterprise's step.
type Decision struct {
	Action AppAction `json:"action" enum:"approve,return,reject,supplement,withdraw"`
	Note   string    `json:"note" doc:"the reason (required to return, reject or withdraw)"`
	Rev    int       `json:"rev" doc:"the rev the caller saw; 0 skips the check"`
}

// appWho is the caller as the workflow sees it.
type appWho struct{ a *auth.Actor }

// appItem is an application being moved.
type appItem struct {
	app      *Application
	dec      Decision
	dept     int64 // the reviewer department acting
	complete bool  // approve: the step is complete with this approval
}

var appMachine = &workflow.Definition[AppState, AppAction, *appWho, *appItem]{
	Name: "policy_application",
	Noun: workflow.L("申请", "application"),
	States: []workflow.StateDef[AppState]{
		{ID: AppReviewing, Label: workflow.L("审核中", "under review")},
		{ID: AppSupplement, Label: workflow.L("待补正", "waiting for supplement")},
		{ID: AppApproved, Label: workflow.L("审核通过", "approved"), Closed: true},
		{ID: AppIntercepted, Label: workflow.L("核查拦截", "intercepted"), Closed: true},
		{ID: AppRejected, Label: workflow.L("未通过", "rejected"), Closed: true},
		{ID: AppWithdrawn, Label: workflow.L("已撤回", "withdrawn"), Closed: true},
	},
	Actions: []workflow.ActionDef[AppAction]{
		{ID: ActApprove, Label: workflow.L("审核通过", "approve")},
		{ID: ActReturn, Label: workflow.L("退回补正", "return for supplement")},
		{ID: ActReject, Label: workflow.L("不予通过", "reject")},
		{ID: ActSupplement, Label: workflow.L("补正材料", "supplement")},
		{ID: ActWithdraw, Label: workflow.L("撤回申请", "withdraw")},
	},
	Parties: []workflow.Party[*appWho, *appItem]{
		{Name: "reviewer", Label: workflow.L("本环节审核部门", "a reviewer department of the step"),
			Is: func(w *appWho, it *appItem) bool { return it.reviewerDept(w.a) != 0 }},
		{Name: "owner", Label: workflow.L("申请企业", "the applying enterprise"),
			Is: func(w *appWho, it *appItem) bool {
				return w.a.Has(auth.Enterprise) && w.a.EntityID != 0 && w.a.EntityID == it.app.EntityID
			}},
	},
	Transitions: []workflow.Transition[AppState, AppAction, *appWho, *appItem]{
		{Action: ActApprove, From: []AppState{AppReviewing}, Who: []string{"reviewer"}, Public: true,
			Apply: func(it *appItem) error {
				it.complete = true
				for _, t := range it.app.Tasks {
					if t.Step == it.app.Step && t.Status == TaskPending && t.DepartmentID != it.dept {
						it.complete = false
					}
				}
				return nil
			},
			Next: func(it *appItem) AppState {
				if it.complete && it.app.Step == len(it.app.Steps)-1 {
					return AppApproved
				}
				return AppReviewing
			}},
		{Action: ActReturn, From: []AppState{AppReviewing}, To: AppSupplement, Who: []string{"reviewer"}, Public: true, Apply: needNote},
		{Action: ActReject, From: []AppState{AppReviewing}, To: AppRejected, Who: []string{"reviewer"}, Public: true, Apply: needNote},
		{Action: ActSupplement, From: []AppState{AppSupplement}, To: AppReviewing, Who: []string{"owner"}, Public: true},
		{Action: ActWithdraw, From: []AppState{AppReviewing, AppSupplement}, To: AppWithdrawn, Who: []string{"owner"}, Public: true, Apply: needNote},
	},
	State:    func(it *appItem) AppState { return it.app.State },
	SetState: func(it *appItem, s AppState) { it.app.State = s },
	Version:  func(it *appItem) int { return it.app.Rev },
}

// noteMissing says which reason is missing, per action: the field's
// message names what the form asks for.
var noteMissing = map[AppAction][2]string{
	ActReturn:   {"请填写退回补正的原因", "give the reason for returning it for supplement"},
	ActReject:   {"请填写不予通过的理由", "give the reason for the rejection"},
	ActWithdraw: {"请填写撤回理由", "give the reason for the withdrawal"},
}

func needNote(it *appItem) error {
	if strings.TrimSpace(it.dec.Note) == "" {
		if m, ok := noteMissing[it.dec.Action]; ok {
			return yserr.Field("note", m[0], m[1])
		}
		return yserr.Field("note", "请填写原因", "give the reason")
	}
	return nil
}

// reviewerDept is the department through which a is a reviewer of the
// current step (a pending task of a department in its scope), or 0.
func (it *appItem) reviewerDept(a *auth.Actor) int64 {
	if !a.Has(auth.DeptStaff, auth.DeptAdmin) {
		return 0
	}
	var found int64
	for _, t := range it.app.Tasks {
		if t.Step != it.app.Step || t.Status != TaskPending || !a.InScope(t.DepartmentID) {
			continue
		}
		if t.DepartmentID == a.DepartmentID {
			return t.DepartmentID
		}
		if found == 0 {
			found = t.DepartmentID
		}
	}
	return found
}

// AppMachine returns the application workflow's table (API and docs).
func AppMachine() []workflow.Row { return appMachine.Table() }

// AppStateLabel and AppActionLabel name states and actions (and the
// timeline's "submit" and "alert") in lang.
func AppStateLabel(s string, lang string) string { return appMachine.StateLabel(AppState(s)).In(lang) }

// AppActionLabel names an application action in lang.
func AppActionLabel(a string, lang string) string {
	switch a {
	case "submit":
		return workflow.L("提交申请（受理）", "submitted (accepted)").In(lang)
	case "alert":
		return workflow.L("时限预警", "time-limit alert").In(lang)
	case "intercept":
		return workflow.L("资金发放前核查拦截", "intercepted before money").In(lang)
	case "grant":
		return workflow.L("核定资金", "grant recorded").In(lang)
	case "extend":
		return workflow.L("延长审核时限", "time limit extended").In(lang)
	case "reassign":
		return workflow.L("改派审核部门", "review reassigned").In(lang)
	}
	return appMachine.ActionLabel(AppAction(a)).In(lang)
}

// ---- review definitions ----

// ReviewOf returns a policy's materials and review steps (whoever may
// read the policy).
func (s *Service) ReviewOf(ctx context.Context, policyID int64) (*ReviewDef, error) {
	if _, err := s.Get(ctx, policyID); err != nil {
		return nil, err
	}
	return s.reviewDef(ctx, policyID)
}

func (s *Service) reviewDef(ctx context.Context, policyID int64) (*ReviewDef, error) {
	d := &ReviewDef{PolicyID: policyID, Materials: []Material{}, Steps: []ReviewStep{}}
	var mats, steps string
	err := s.DB.Q(ctx).QueryRow(ctx, "SELECT materials, steps FROM policy_review_defs WHERE policy_id = $1", policyID).Scan(&mats, &steps)
	if db.IsNoRows(err) {
		return d, nil
	}
	if err != nil {
		return nil, err
	}
	if err := json.Unmarshal([]byte(mats), &d.Materials); err != nil {
		return nil, err
	}
	if err := json.Unmarshal([]byte(steps), &d.Steps); err != nil {
		return nil, err
	}
	return d, s.stepNames(ctx, d.Steps)
}

func (s *Service) stepNames(ctx context.Context, steps []ReviewStep) error {
	var ids []int64
	for _, st := range steps {
		ids = append(ids, st.Departments...)
	}
	refs, err := s.Accounts.DepartmentRefs(ctx, ids)
	if err != nil {
		return err
	}
	for i := range steps {
		steps[i].Names = nil
		for _, d := range steps[i].Departments {
			steps[i].Names = append(steps[i].Names, refs[d].Name)
		}
	}
	return nil
}

// SetReview sets a review-mode policy's materials and steps: its own
// department's policy staff (or the platform admin). Applications already
// made keep the steps they were made under.
func (s *Service) SetReview(ctx context.Context, policyID int64, d ReviewDef) (*ReviewDef, error) {
	p, err := s.get(ctx, policyID)
	if err != nil {
		return nil, err
	}
	if _, err := editor(ctx, p.DepartmentID); err != nil {
		return nil, err
	}
	if p.Mode != ModeReview {
		return nil, yserr.New(yserr.Conflict, "只有“申请审核”方式的政策设置审核环节", "only policies delivered by application with review have review steps")
	}
	keys := map[string]bool{}
	for i := range d.Materials {
		m := &d.Materials[i]
		m.Key, m.Name = strings.TrimSpace(m.Key), strings.TrimSpace(m.Name)
		f := "materials[" + strconv.Itoa(i) + "]"
		if m.Key == "" || m.Name == "" || strings.ContainsAny(m.Key, " |/") {
			return nil, yserr.Field(f, "第 "+strconv.Itoa(i+1)+" 项材料缺少代码或名称（代码不含空格）", "material "+strconv.Itoa(i+1)+": give a code (no spaces) and a name")
		}
		if keys[m.Key] {
			return nil, yserr.Field(f+".key", "材料代码重复："+m.Key, "material code used twice: "+m.Key)
		}
		keys[m.Key] = true
	}
	if len(d.Steps) == 0 || len(d.Steps) > maxSteps {
		return nil, yserr.Field("steps", "请设置 1 到 10 个审核环节", "give 1 to 10 review steps")
	}
	var all []int64
	for i := range d.Steps {
		st := &d.Steps[i]
		st.Name = strings.TrimSpace(st.Name)
		f, n := "steps["+strconv.Itoa(i)+"]", strconv.Itoa(i+1)
		if st.Name == "" {
			return nil, yserr.Field(f+".name", "第 "+n+" 个环节缺少名称", "step "+n+": give a name")
		}
		if st.Days < 1 || st.Days > maxStepDays {
			return nil, yserr.Field(f+".days", "第 "+n+" 个环节的时限应为 1 到 60 个工作日", "step "+n+": the time limit is 1 to 60 working days")
		}
		slices.Sort(st.Departments)
		st.Departments = slices.Compact(st.Departments)
		if len(st.Departments) == 0 {
			return nil, yserr.Field(f+".departments", "第 "+n+" 个环节缺少审核部门", "step "+n+": name the reviewer departments")
		}
		all = append(all, st.Departments...)
	}
	refs, err := s.Accounts.DepartmentRefs(ctx, all)
	if err != nil {
		return nil, err
	}
	for i, st := range d.Steps {
		for _, id := range st.Departments {
			if _, ok := refs[id]; !ok {
				return nil, yserr.Field("steps["+strconv.Itoa(i)+"].departments", "部门不存在："+strconv.FormatInt(id, 10), "no such department: "+strconv.FormatInt(id, 10))
			}
		}
	}
	d.PolicyID = policyID
	mats, _ := json.Marshal(d.Materials)
	for i := range d.Steps {
		d.Steps[i].Names = nil
	}
	steps, _ := json.Marshal(d.Steps)
	old, err := s.reviewDef(ctx, policyID)
	if err != nil {
		return nil, err
	}
	a := auth.From(ctx)
	err = s.DB.WithTx(ctx, func(ctx context.Context) error {
		if _, err := s.DB.Q(ctx).Exec(ctx, "DELETE FROM policy_review_defs WHERE policy_id = $1", policyID); err != nil {
			return err
		}
		if _, err := s.DB.Q(ctx).Exec(ctx, "INSERT INTO policy_review_defs (policy_id, materials, steps, updated_by, updated_at) VALUES ($1, $2, $3, $4, $5)",
			policyID, string(mats), string(steps), userID(a), s.now()); err != nil {
			return err
		}
		return s.Audit.Record(ctx, "policy.review.set", "policy", strconv.FormatInt(policyID, 10), old, d, "")
	})
	if err != nil {
		return nil, err
	}
	return &d, s.stepNames(ctx, d.Steps)
}

// ---- applying ----

// checkUploads checks every upload's material and type before the
// transaction; required materials must be present when required is set.
func (s *Service) checkUploads(def *ReviewDef, ups []Upload, required bool) ([]*filestore.Upload, error) {
	have := map[string]bool{}
	var out []*filestore.Upload
	for _, u := range ups {
		i := slices.IndexFunc(def.Materials, func(m Material) bool { return m.Key == u.Material })
		if i < 0 {
			return nil, yserr.Field("material", "未知的材料："+u.Material, "unknown material: "+u.Material)
		}
		if s.Files == nil {
			return nil, yserr.New(yserr.Unavailable, "文件存储不可用", "the file store is not available")
		}
		fu, err := s.Files.Check(u.Name, u.Type, u.Data, filestore.Options{MaxBytes: MaxMaterialBytes, Allowed: MaterialTypes, Field: "material." + u.Material})
		if err != nil {
			return nil, err
		}
		have[u.Material] = true
		out = append(out, fu)
	}
	if required {
		for _, m := range def.Materials {
			if m.Required && !have[m.Key] {
				return nil, yserr.Field("material."+m.Key, "缺少必需材料："+m.Name, "a required material is missing: "+m.Name)
			}
		}
	}
	return out, nil
}

// Apply applies for a review-mode policy for the caller's entity with the
// policy's materials (PDF, JPEG or PNG, at most 20 MiB each). The entity
// must match the rule now; one application per policy and period. The
// application is accepted (受理) at once: the first step's reviewers get
// it with the clock started, and the enterprise is told.
func (s *Service) Apply(ctx context.Context, policyID int64, ups []Upload) (*Application, error) {
	a, err := enterprise(ctx)
	if err != nil {
		return nil, err
	}
	p, err := s.get(ctx, policyID)
	if err != nil {
		return nil, err
	}
	if err := s.inForce(p, ModeReview); err != nil {
		return nil, err
	}
	def, err := s.reviewDef(ctx, p.ID)
	if err != nil {
		return nil, err
	}
	if len(def.Steps) == 0 {
		return nil, yserr.New(yserr.Conflict, "该政策尚未设置审核环节，暂不能申请", "the policy has no review steps yet: applications are not open")
	}
	period := strconv.Itoa(p.FactYear)
	if err := s.already(ctx, p.ID, period, a.EntityID); err != nil {
		return nil, err
	}
	prog, err := s.program(ctx, p.ID, p.Version)
	if err != nil {
		return nil, err
	}
	f, err := s.factsOf(ctx, a.EntityID, p.FactYear)
	if err != nil {
		return nil, err
	}
	if r := prog.Explain(f, s.env()); !r.Eligible {
		return nil, notEligible(r)
	}
	checked, err := s.checkUploads(def, ups, true)
	if err != nil {
		return nil, err
	}
	for i := range def.Steps {
		def.Steps[i].Names = nil
	}
	steps, _ := json.Marshal(def.Steps)
	now := s.now()
	var id int64
	err = s.DB.WithTx(ctx, func(ctx context.Context) error {
		if err := s.already(ctx, p.ID, period, a.EntityID); err != nil {
			return err
		}
		// After a withdrawal the same record is submitted again (one per
		// policy, period and entity): a fresh start at step 1 under the
		// current version and steps; its timeline and earlier materials stay.
		var withdrawn int64
		err := s.DB.Q(ctx).QueryRow(ctx, "SELECT id FROM policy_applications WHERE policy_id = $1 AND period = $2 AND entity_id = $3 AND state = $4",
			p.ID, period, a.EntityID, string(AppWithdrawn)).Scan(&withdrawn)
		if err != nil && !db.IsNoRows(err) {
			return err
		}
		note := ""
		if withdrawn != 0 {
			id, note = withdrawn, "撤回后重新申请 / submitted again after the withdrawal"
			n, err := s.DB.Q(ctx).Exec(ctx, `UPDATE policy_applications SET version = $1, state = $2, step = 0, steps = $3, rev = rev + 1, clock_start = $4,
				paused_at = NULL, pauses = '[]', alert_level = 0, grant_id = NULL, reason = '', submitted_by = $5, created_at = $4, updated_at = $4,
				closed_at = NULL, extension_days = 0, extended_step = NULL WHERE id = $6 AND state = $7`,
				p.Version, string(AppReviewing), string(steps), now, userID(a), id, string(AppWithdrawn))
			if err != nil {
				return err
			}
			if n != 1 {
				return appMachine.StaleWrite()
			}
			if _, err := s.DB.Q(ctx).Exec(ctx, "DELETE FROM policy_application_tasks WHERE application_id = $1", id); err != nil {
				return err
			}
		} else if err := s.DB.Q(ctx).QueryRow(ctx, `INSERT INTO policy_applications (policy_id, version, period, entity_id, state, step, steps, clock_start,
			submitted_by, created_at, updated_at) VALUES ($1, $2, $3, $4, $5, 0, $6, $7, $8, $7, $7) RETURNING id`,
			p.ID, p.Version, period, a.EntityID, string(AppReviewing), string(steps), now, userID(a)).Scan(&id); err != nil {
			return err
		}
		if err := s.addTasks(ctx, id, 0, def.Steps[0].Departments); err != nil {
			return err
		}
		if err := s.saveFiles(ctx, id, ups, checked, now); err != nil {
			return err
		}
		from := ""
		if withdrawn != 0 {
			from = string(AppWithdrawn)
		}
		if err := s.event(ctx, id, a, workflow.Entry{At: now, Action: "submit", From: from, To: string(AppReviewing), Note: note, Public: true}); err != nil {
			return err
		}
		if err := s.Audit.Record(ctx, "policy.application.submit", "policy_application", strconv.FormatInt(id, 10), nil,
			map[string]any{"policy_id": p.ID, "version": p.Version, "period": period, "entity_id": a.EntityID, "again": withdrawn != 0}, ""); err != nil {
			return err
		}
		return s.appNotice(ctx, p.Title, id, a.EntityID, "submit", "")
	})
	if err != nil {
		return nil, err
	}
	return s.Application(ctx, id)
}

func (s *Service) addTasks(ctx context.Context, appID int64, step int, depts []int64) error {
	for _, d := range depts {
		if _, err := s.DB.Q(ctx).Exec(ctx, "INSERT INTO policy_application_tasks (application_id, step, department_id, status) VALUES ($1, $2, $3, 'pending')",
			appID, step, d); err != nil {
			return err
		}
	}
	return nil
}

func (s *Service) saveFiles(ctx context.Context, appID int64, ups []Upload, checked []*filestore.Upload, now time.Time) error {
	for i, u := range checked {
		f, err := s.Files.Save(ctx, "policy", u)
		if err != nil {
			return err
		}
		if _, err := s.DB.Q(ctx).Exec(ctx, `INSERT INTO policy_application_files (application_id, material, file_id, name, media_type, size, created_at)
			VALUES ($1, $2, $3, $4, $5, $6, $7)`, appID, ups[i].Material, f.ID, f.Name, f.MediaType, f.Size, now); err != nil {
			return err
		}
	}
	return nil
}

func (s *Service) event(ctx context.Context, appID int64, a *auth.Actor, e workflow.Entry) error {
	name := ""
	var uid any
	if a != nil {
		name, uid = a.Name, userID(a)
		if name == "" {
			name = a.Username
		}
	}
	_, err := s.DB.Q(ctx).Exec(ctx, `INSERT INTO policy_application_events (application_id, at, actor_id, actor_name, action, from_state, to_state, note, public)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)`, appID, e.At, uid, name, e.Action, e.From, e.To, e.Note, e.Public)
	return err
}

// ---- reading ----

const appCols = `a.id, a.policy_id, p.title, p.department_id, a.version, a.period, a.entity_id, a.state, a.step, a.steps, a.rev,
	a.clock_start, a.paused_at, a.pauses, a.alert_level, a.grant_id, a.reason, a.created_at, a.updated_at, a.closed_at,
	COALESCE(g.amount_fen, 0), a.extension_days, a.extended_step`

const appFrom = ` FROM policy_applications a JOIN policy_policies p ON p.id = a.policy_id LEFT JOIN policy_grants g ON g.id = a.grant_id`

func (s *Service) apps(ctx context.Context, where string, args ...any) ([]*Application, error) {
	rows, err := s.DB.Q(ctx).Query(ctx, "SELECT "+appCols+appFrom+" WHERE "+where+" ORDER BY a.id DESC LIMIT 500", args...)
	if err != nil {
		return nil, err
	}
	var out []*Application
	for rows.Next() {
		x := &Application{}
		var steps, pauses, state string
		if err := rows.Scan(&x.ID, &x.PolicyID, &x.Policy, &x.dept, &x.Version, &x.Period, &x.EntityID, &state, &x.Step, &steps, &x.Rev,
			&x.ClockStart, &x.PausedAt, &pauses, &x.AlertLevel, &x.GrantID, &x.Reason, &x.CreatedAt, &x.UpdatedAt, &x.ClosedAt, &x.AmountFen,
			&x.ExtensionDays, &x.ExtendedStep); err != nil {
			rows.Close()
			return nil, err
		}
		x.State = AppState(state)
		if err := json.Unmarshal([]byte(steps), &x.Steps); err != nil {
			rows.Close()
			return nil, err
		}
		if err := json.Unmarshal([]byte(pauses), &x.pauses); err != nil {
			rows.Close()
			return nil, err
		}
		x.AmountText = rulesFen(x.AmountFen)
		out = append(out, x)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}
	var ids, tasksOf []int64
	for _, x := range out {
		ids = append(ids, x.EntityID)
		tasksOf = append(tasksOf, x.ID)
	}
	refs, err := s.Entities.Refs(ctx, ids)
	if err != nil {
		return nil, err
	}
	tasks, err := s.tasks(ctx, tasksOf)
	if err != nil {
		return nil, err
	}
	cal, err := s.cal(ctx)
	if err != nil {
		return nil, err
	}
	now := s.Clock.Now()
	var all []ReviewStep
	for _, x := range out {
		all = append(all, x.Steps...)
	}
	if err := s.stepNames(ctx, all); err != nil {
		return nil, err
	}
	for _, x := range out {
		x.Entity = refs[x.EntityID].Name
		x.Tasks = tasks[x.ID]
		x.Steps, all = all[:len(x.Steps):len(x.Steps)], all[len(x.Steps):]
		x.clock(cal, now)
	}
	return out, nil
}

func (s *Service) cal(ctx context.Context) (*calendar.Calendar, error) {
	if s.Calendar == nil {
		return calendar.New(nil), nil
	}
	return s.Calendar.Calendar(ctx)
}

// appLadder is the alert ladder of a step's clock: a warning one working
// day (two half days) before the deadline, then overdue.
var appLadder = workflow.Ladder{
	workflow.Warning(2, workflow.L("即将到期", "due soon")),
	workflow.Overdue(workflow.L("已超期", "overdue")),
}

// clock fills the current step's deadline, working days left and alert.
func (x *Application) clock(cal *calendar.Calendar, now time.Time) {
	if appMachine.Closed(x.State) || x.Step >= len(x.Steps) {
		return
	}
	c := workflow.Clock{Start: x.ClockStart, Days: x.Steps[x.Step].Days, Extension: x.stepExtension(), Pauses: x.pauses, Paused: x.PausedAt}
	due, ok := c.Due(cal)
	if !ok {
		return
	}
	x.Due = &due
	x.DaysLeft = cal.WorkdaysBetween(calendar.FromTime(now, calendar.Shanghai), calendar.FromTime(due, calendar.Shanghai))
	if x.PausedAt == nil {
		if lv := appLadder.At(cal, due, now); lv > 0 {
			x.Alert = appLadder[lv-1].Name
		}
	}
}

func (s *Service) tasks(ctx context.Context, apps []int64) (map[int64][]Task, error) {
	out := map[int64][]Task{}
	if len(apps) == 0 {
		return out, nil
	}
	q, args := inList("application_id", apps)
	rows, err := s.DB.Q(ctx).Query(ctx, "SELECT application_id, step, department_id, status, decided_at, note FROM policy_application_tasks WHERE "+q+
		" ORDER BY application_id, step, department_id", args...)
	if err != nil {
		return nil, err
	}
	var depts []int64
	for rows.Next() {
		var app int64
		var t Task
		if err := rows.Scan(&app, &t.Step, &t.DepartmentID, &t.Status, &t.DecidedAt, &t.Note); err != nil {
			rows.Close()
			return nil, err
		}
		out[app] = append(out[app], t)
		depts = append(depts, t.DepartmentID)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}
	refs, err := s.Accounts.DepartmentRefs(ctx, depts)
	if err != nil {
		return nil, err
	}
	for _, ts := range out {
		for i := range ts {
			ts[i].Department = refs[ts[i].DepartmentID].Name
		}
	}
	return out, nil
}

// inList is "col IN ($1, ...)" with its arguments.
func inList(col string, ids []int64) (string, []any) {
	var b strings.Builder
	args := make([]any, len(ids))
	b.WriteString(col + " IN (")
	for i, id := range ids {
		if i > 0 {
			b.WriteString(", ")
		}
		b.WriteString("$" + strconv.Itoa(i+1))
		args[i] = id
	}
	b.WriteString(")")
	return b.String(), args
}

// mayReadApp: the entity's own users; staff of the policy's department or
// of a reviewer department of any step; the platform admin and
// supervisors.
func mayReadApp(a *auth.Actor, x *Application) bool {
	if a.IsSystem() || a.Has(auth.PlatformAdmin, auth.Supervisor) {
		return true
	}
	if a.Has(auth.Enterprise) && a.EntityID != 0 && a.EntityID == x.EntityID {
		return true
	}
	if !a.Has(auth.DeptAdmin, auth.DeptStaff) {
		return false
	}
	if a.InScope(x.dept) {
		return true
	}
	for _, st := range x.Steps {
		for _, d := range st.Departments {
			if a.InScope(d) {
				return true
			}
		}
	}
	return false
}

// Application returns one application with its tasks, files, timeline
// (the enterprise sees the public entries) and what the caller may do.
// NotFound for a caller who may not read it.
func (s *Service) Application(ctx context.Context, id int64) (*Application, error) {
	a := auth.From(ctx)
	if a == nil {
		return nil, yserr.New(yserr.Unauthorized, "请先登录", "sign in first")
	}
	xs, err := s.apps(ctx, "a.id = $1", id)
	if err != nil {
		return nil, err
	}
	if len(xs) == 0 || !mayReadApp(a, xs[0]) {
		return nil, yserr.ErrNotFound("申请", "application")
	}
	x := xs[0]
	if x.Files, err = s.appFiles(ctx, id); err != nil {
		return nil, err
	}
	if x.Timeline, err = s.timeline(ctx, id); err != nil {
		return nil, err
	}
	if a.Has(auth.Enterprise) && !a.Has(auth.PlatformAdmin, auth.DeptAdmin, auth.DeptStaff, auth.Supervisor) {
		x.Timeline = workflow.Visible(x.Timeline)
	}
	x.Allowed = appMachine.Allowed(&appWho{a}, &appItem{app: x})
	x.CanExtend = x.extendable(a, s.Clock.Now()) == nil
	x.CanReassign = x.reassignable(a) == nil
	return x, nil
}

func (s *Service) appFiles(ctx context.Context, id int64) ([]AppFile, error) {
	rows, err := s.DB.Q(ctx).Query(ctx, "SELECT id, material, file_id, name, media_type, size, created_at FROM policy_application_files WHERE application_id = $1 ORDER BY id", id)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []AppFile
	for rows.Next() {
		var f AppFile
		if err := rows.Scan(&f.ID, &f.Material, &f.FileID, &f.Name, &f.MediaType, &f.Size, &f.CreatedAt); err != nil {
			return nil, err
		}
		out = append(out, f)
	}
	return out, rows.Err()
}

func (s *Service) timeline(ctx context.Context, id int64) ([]workflow.Entry, error) {
	rows, err := s.DB.Q(ctx).Query(ctx, `SELECT at, COALESCE(actor_id, 0), actor_name, action, from_state, to_state, note, public
		FROM policy_application_events WHERE application_id = $1 ORDER BY id`, id)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []workflow.Entry
	for rows.Next() {
		var e workflow.Entry
		if err := rows.Scan(&e.At, &e.ActorID, &e.ActorName, &e.Action, &e.From, &e.To, &e.Note, &e.Public); err != nil {
			return nil, err
		}
		out = append(out, e)
	}
	return out, rows.Err()
}

// ApplicationFile returns a material's content to whoever may read the
// application.
func (s *Service) ApplicationFile(ctx context.Context, appID, fileID int64) (*AppFile, []byte, error) {
	x, err := s.Application(ctx, appID)
	if err != nil {
		return nil, nil, err
	}
	for _, f := range x.Files {
		if f.ID == fileID {
			_, data, err := s.Files.Get(ctx, "policy", f.FileID)
			return &f, data, err
		}
	}
	return nil, nil, yserr.ErrNotFound("材料", "material")
}

// MyApplications lists the caller's entity's applications.
func (s *Service) MyApplications(ctx context.Context) ([]*Application, error) {
	a, err := enterprise(ctx)
	if err != nil {
		return nil, err
	}
	return s.apps(ctx, "a.entity_id = $1", a.EntityID)
}

// ReviewQueue lists the applications waiting for a decision of a
// department in the caller's scope (a pending task of the current step),
// most urgent first. The scope is applied in SQL.
func (s *Service) ReviewQueue(ctx context.Context) ([]*Application, error) {
	a, err := auth.Require(ctx, auth.DeptAdmin, auth.DeptStaff)
	if err != nil {
		return nil, err
	}
	if len(a.DeptScope) == 0 {
		return []*Application{}, nil
	}
	q, args := inList("t.department_id", a.DeptScope)
	args = append(args, string(AppReviewing))
	xs, err := s.apps(ctx, `a.id IN (SELECT t.application_id FROM policy_application_tasks t JOIN policy_applications b ON b.id = t.application_id
		WHERE `+q+` AND t.status = 'pending' AND t.step = b.step AND b.state = $`+strconv.Itoa(len(args))+`)`, args...)
	if err != nil {
		return nil, err
	}
	slices.SortStableFunc(xs, func(x, y *Application) int {
		if x.Due == nil || y.Due == nil {
			return 0
		}
		return x.Due.Compare(*y.Due)
	})
	return xs, nil
}

// ---- deciding ----

// Decide takes a step on an application: a reviewer department of the
// current step approves its part (the step completes when every
// department of it has approved; the last step's completion records the
// grant), returns it for supplement or rejects it (both with a reason);
// the enterprise supplements (with ups). Errors are the workflow's:
// Forbidden for a caller who is no party, Conflict for a wrong state or a
// stale rev.
func (s *Service) Decide(ctx context.Context, id int64, d Decision, ups []Upload) (*Application, error) {
	a := auth.From(ctx)
	if a == nil {
		return nil, yserr.New(yserr.Unauthorized, "请先登录", "sign in first")
	}
	xs, err := s.apps(ctx, "a.id = $1", id)
	if err != nil {
		return nil, err
	}
	if len(xs) == 0 || !mayReadApp(a, xs[0]) {
		return nil, yserr.ErrNotFound("申请", "application")
	}
	x := xs[0]
	d.Note = strings.TrimSpace(d.Note)
	it := &appItem{app: x, dec: d, dept: (&appItem{app: x}).reviewerDept(a)}
	p, err := s.get(ctx, x.PolicyID)
	if err != nil {
		return nil, err
	}
	var checked []*filestore.Upload
	if d.Action == ActSupplement {
		def := &ReviewDef{}
		if def, err = s.reviewDef(ctx, x.PolicyID); err != nil {
			return nil, err
		}
		if checked, err = s.checkUploads(def, ups, false); err != nil {
			return nil, err
		}
		if d.Note == "" && len(checked) == 0 {
			return nil, yserr.Field("note", "请说明补正内容或上传材料", "describe the supplement or upload a material")
		}
	}
	from := x.State
	step, err := appMachine.Fire(&appWho{a}, it, d.Action, d.Rev)
	if err != nil {
		return nil, err
	}
	now := s.now()
	err = s.DB.WithTx(ctx, func(ctx context.Context) error {
		stage := string(d.Action)
		switch d.Action {
		case ActApprove:
			if n, err := s.DB.Q(ctx).Exec(ctx, `UPDATE policy_application_tasks SET status = 'approved', decided_by = $1, decided_at = $2, note = $3
				WHERE application_id = $4 AND step = $5 AND department_id = $6 AND status = 'pending'`, userID(a), now, d.Note, x.ID, x.Step, it.dept); err != nil {
				return err
			} else if n != 1 {
				return appMachine.StaleWrite()
			}
			if it.complete && x.Step < len(x.Steps)-1 {
				x.Step++
				x.ClockStart, x.pauses, x.PausedAt, x.AlertLevel = now, nil, nil, 0
				if err := s.addTasks(ctx, x.ID, x.Step, x.Steps[x.Step].Departments); err != nil {
					return err
				}
			}
		case ActReturn:
			x.PausedAt = &now
			if _, err := s.DB.Q(ctx).Exec(ctx, `UPDATE policy_application_tasks SET status = 'pending', decided_by = NULL, decided_at = NULL
				WHERE application_id = $1 AND step = $2`, x.ID, x.Step); err != nil {
				return err
			}
		case ActReject:
			x.Reason = d.Note
			x.ClosedAt = &now
		case ActWithdraw:
			// Closed: the clock stops (a closed application has no
			// deadline) and the step's tasks leave the queues.
			x.Reason, x.ClosedAt = d.Note, &now
			if x.PausedAt != nil {
				c := workflow.Clock{Pauses: x.pauses, Paused: x.PausedAt}
				c.Resume(now)
				x.pauses, x.PausedAt = c.Pauses, nil
			}
		case ActSupplement:
			c := workflow.Clock{Pauses: x.pauses, Paused: x.PausedAt}
			c.Resume(now)
			x.pauses, x.PausedAt = c.Pauses, nil
			x.AlertLevel = 0 // the deadline moved: its alerts are due afresh
			if err := s.saveFiles(ctx, x.ID, ups, checked, now); err != nil {
				return err
			}
		}
		if err := s.event(ctx, x.ID, a, step.Entry(now, 0, "", d.Note)); err != nil {
			return err
		}
		if x.State == AppApproved {
			x.ClosedAt = &now
			if err := s.finalGrant(ctx, p, x, a, now); err != nil {
				return err
			}
			if x.State == AppIntercepted {
				stage = "intercept"
			} else {
				stage = "grant"
			}
		}
		pauses, _ := json.Marshal(x.pauses)
		if x.pauses == nil {
			pauses = []byte("[]")
		}
		n, err := s.DB.Q(ctx).Exec(ctx, `UPDATE policy_applications SET state = $1, step = $2, rev = rev + 1, clock_start = $3, paused_at = $4, pauses = $5,
			alert_level = $6, grant_id = $7, reason = $8, updated_at = $9, closed_at = $10 WHERE id = $11 AND rev = $12`,
			string(x.State), x.Step, x.ClockStart, x.PausedAt, string(pauses), x.AlertLevel, x.GrantID, x.Reason, now, x.ClosedAt, x.ID, x.Rev)
		if err != nil {
			return err
		}
		if n != 1 {
			return appMachine.StaleWrite()
		}
		if err := s.Audit.Record(ctx, "policy.application."+string(d.Action), "policy_application", strconv.FormatInt(x.ID, 10),
			map[string]any{"state": from}, map[string]any{"state": x.State, "step": x.Step, "department_id": it.dept, "note": d.Note}, ""); err != nil {
			return err
		}
		if d.Action == ActSupplement {
			return nil // the enterprise's own step: no message to itself
		}
		if d.Action == ActWithdraw {
			// The reviewers of the current step are told; the enterprise
			// acted itself.
			return s.staffNotice(ctx, x, x.Steps[x.Step].Departments, "withdraw", d.Note, "")
		}
		if d.Action == ActApprove && x.State == AppReviewing && !it.complete {
			return nil // a parallel reviewer's part: told when the step completes
		}
		return s.appNotice(ctx, p.Title, x.ID, x.EntityID, stage, d.Note)
	})
	if err != nil {
		return nil, err
	}
	return s.Application(ctx, id)
}

// finalGrant records the grant of an application whose last step was
// approved: the rule of the version applied under, evaluated now, gives
// the amount; the checks before money run again. An intercepted grant
// turns the application intercepted with the reason.
func (s *Service) finalGrant(ctx context.Context, p *Policy, x *Application, a *auth.Actor, now time.Time) error {
	prog, err := s.program(ctx, p.ID, x.Version)
	if err != nil {
		return err
	}
	f, err := s.factsOf(ctx, x.EntityID, p.FactYear)
	if err != nil {
		return err
	}
	r := prog.Explain(f, s.env())
	var g *Grant
	if !r.Eligible {
		// The facts changed since the application: record the grant as
		// excluded with the failing conditions.
		e := yserr.As(notEligible(r))
		g, err = s.recordExcluded(ctx, p, x, r, e.ZH, e.EN)
	} else {
		g, err = s.grantChecked(ctx, p, x.Version, x.Period, x.EntityID, r, "policy.grant.application")
	}
	if err != nil {
		return err
	}
	x.GrantID, x.AmountFen, x.AmountText = &g.ID, g.AmountFen, g.AmountText
	if g.Status == GrantExcluded {
		x.State, x.Reason = AppIntercepted, g.Reason.ZH+"|"+g.Reason.EN
		return s.event(ctx, x.ID, a, workflow.Entry{At: now, Action: "intercept", From: string(AppApproved), To: string(AppIntercepted), Note: g.Reason.ZH, Public: true})
	}
	return s.event(ctx, x.ID, a, workflow.Entry{At: now, Action: "grant", From: string(AppApproved), To: string(AppApproved), Note: g.AmountText, Public: true})
}

func (s *Service) recordExcluded(ctx context.Context, p *Policy, x *Application, r *rulesResult, zh, en string) (*Grant, error) {
	g := &Grant{PolicyID: p.ID, Policy: p.Title, Version: x.Version, Period: x.Period, EntityID: x.EntityID, Entity: x.Entity,
		AmountFen: r.AmountFen, AmountText: rulesFen(r.AmountFen), Status: GrantExcluded, Reason: ruleLine(zh, en)}
	trace, _ := json.Marshal(r.Steps)
	return g, s.recordGrant(ctx, p, g, string(trace))
}

// Message types of applications.
const (
	MsgApplication = "policy.application" // accepted, each decision, the grant
)

func registerApplicationMessages() {
	registerAppAlertMessages()
	registerAppStaffMessages()
	vars := []notify.Variable{
		{Name: "policy", ZH: "政策名称", EN: "policy", Example: "首次升规奖励"},
		{Name: "stage_zh", ZH: "环节（中文）", EN: "stage (Chinese)", Example: "已受理"},
		{Name: "stage_en", ZH: "环节（英文）", EN: "stage (English)", Example: "accepted"},
		{Name: "note", ZH: "说明", EN: "note", Example: "请补充审计报告"},
	}
	notify.RegisterType(notify.MessageType{Key: MsgApplication, NameZH: "惠企政策申请进度", NameEN: "Policy application progress", Variables: vars,
		Defaults: map[string]map[string]notify.Template{
			notify.ChannelSMS: {
				notify.LangZH: {Body: "【惠企政策】您申请的“{{.policy}}”{{.stage_zh}}。{{.note}}"},
				notify.LangEN: {Body: "Policy application \"{{.policy}}\": {{.stage_en}}. {{.note}}"},
			},
			notify.ChannelInApp: {
				notify.LangZH: {Subject: "政策申请“{{.policy}}”{{.stage_zh}}", Body: "您申请的“{{.policy}}”{{.stage_zh}}。{{.note}}"},
				notify.LangEN: {Subject: "Policy application {{.stage_en}}: {{.policy}}", Body: "Your application under \"{{.policy}}\" is {{.stage_en}}. {{.note}}"},
			},
		}})
}

var appStages = map[string][2]string{
	"submit":           {"已受理，进入审核", "accepted and under review"},
	string(ActApprove): {"通过本环节审核，进入下一环节", "through a review step, on to the next"},
	string(ActReturn):  {"被退回补正", "returned for supplement"},
	string(ActReject):  {"未通过审核", "rejected"},
	"grant":            {"审核通过，资金已核定，待拨付", "approved: the grant is recorded and waits for payment"},
	"intercept":        {"审核通过但资金发放前核查未通过", "approved but stopped by a check before money"},
	"extend":           {"审核时限已延长", "given more time for review"},
}

// appNotice tells the entity's users about a stage of an application (in
// the caller's transaction), with a link to it.
func (s *Service) appNotice(ctx context.Context, title string, appID, entityID int64, stage, note string) error {
	if s.Notify == nil || s.Accounts == nil {
		return nil
	}
	users, err := s.Accounts.EntityUsers(ctx, []int64{entityID}, auth.Enterprise)
	if err != nil {
		return err
	}
	var to []notify.Recipient
	for _, u := range users[entityID] {
		to = append(to, notify.Recipient{UserID: u})
	}
	if len(to) == 0 {
		return nil
	}
	st := appStages[stage]
	_, err = s.Notify.Send(ctx, notify.Message{Type: MsgApplication, To: to, Channels: []string{notify.ChannelInApp, notify.ChannelSMS},
		Data:       map[string]any{"policy": title, "stage_zh": st[0], "stage_en": st[1], "note": note},
		ObjectType: "policy_application", ObjectID: strconv.FormatInt(appID, 10), Link: "/my/policy-applications/" + strconv.FormatInt(appID, 10)})
	return err
}
