package policy

import (
	"mime"
	"net/http"
	"strconv"
	"strings"
	"time"

	"yingshang/internal/api"
	"yingshang/internal/auth"
	"yingshang/internal/calendar"
	"yingshang/internal/policy"
	"yingshang/internal/web"
	"yingshang/internal/workflow"
	"yingshang/internal/yserr"
)

// Instant claims (即申即享) and applications with review (申请审核): the
// enterprise's claim button and application form, "my applications" with
// the step bar, the reviewer queue, the application page with its
// timeline and decision form, the steps editor; and their API.

const (
	viewApplyForm   = "policy/apply_form"
	viewApplyMine   = "policy/apply_mine"
	viewApplyDetail = "policy/apply_detail"
	viewApplyQueue  = "policy/apply_queue"
	viewApplySteps  = "policy/apply_steps"
)

const maxUploadForm = 5 * policy.MaxMaterialBytes

func (h *handlers) mountApply() {
	s := h.s
	s.UsesViews(viewApplyForm, viewApplyMine, viewApplyDetail, viewApplyQueue, viewApplySteps)
	editors := []auth.Role{auth.PlatformAdmin, auth.DeptAdmin, auth.DeptStaff}
	s.Page("POST /my/policies/{id}/claim", h.claim, auth.Enterprise)
	s.Page("GET /my/policies/{id}/apply", h.applyForm, auth.Enterprise)
	s.Page("POST /my/policies/{id}/apply", h.apply, auth.Enterprise)
	s.Page("GET /my/policy-applications", h.myApplications, auth.Enterprise)
	s.Page("GET /policy-applications/{id}", h.application, auth.Enterprise, auth.PlatformAdmin, auth.DeptAdmin, auth.DeptStaff, auth.Supervisor)
	s.Page("GET /policy-applications/{id}/files/{file}", h.applicationFile, auth.Enterprise, auth.PlatformAdmin, auth.DeptAdmin, auth.DeptStaff, auth.Supervisor)
	s.Page("POST /policy-applications/{id}/decide", h.decide, auth.Enterprise, auth.DeptAdmin, auth.DeptStaff)
	s.Page("GET /policy-review", h.queue, auth.DeptAdmin, auth.DeptStaff)
	s.Page("GET /policies/{id}/review", h.stepsForm, editors...)
	s.Page("POST /policies/{id}/review", h.saveSteps, editors...)
	h.mountApplyAPI()
	h.mountApplyChanges()
}

// uploads reads the material files of a multipart form: parts named
// material.<key> (several files per material allowed).
func uploads(r *http.Request) ([]policy.Upload, error) {
	ct, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
	if ct != "multipart/form-data" {
		return nil, r.ParseForm()
	}
	if err := r.ParseMultipartForm(maxUploadForm); err != nil {
		return nil, yserr.New(yserr.Invalid, "表单无法读取（材料过大？）", "the form could not be read (files too large?)")
	}
	var out []policy.Upload
	for field, fhs := range r.MultipartForm.File {
		key, ok := strings.CutPrefix(field, "material.")
		if !ok {
			continue
		}
		for _, fh := range fhs {
			f, err := fh.Open()
			if err != nil {
				return nil, err
			}
			out = append(out, policy.Upload{Material: key, Name: fh.Filename, Type: fh.Header.Get("Content-Type"), Data: f})
		}
	}
	return out, nil
}

func (h *handlers) claim(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	c, err := h.svc.Claim(r.Context(), id)
	if err != nil {
		return err
	}
	if c.Grant.Status == policy.GrantExcluded {
		return h.s.Redirect(w, r, "/my/policies", "申领未通过资金发放前核查："+c.Grant.Reason.ZH+" / The claim was stopped by a check before money: "+c.Grant.Reason.EN)
	}
	return h.s.Redirect(w, r, "/my/policies/statement", "已申领，资金已核定（"+c.Grant.AmountText+"），待拨付 / Claimed: "+c.Grant.AmountText+" approved, waiting for payment")
}

func (h *handlers) applyForm(w http.ResponseWriter, r *http.Request) error {
	v := h.s.View(r, "")
	return h.renderApply(w, r, v, http.StatusOK)
}

func (h *handlers) renderApply(w http.ResponseWriter, r *http.Request, v *web.View, status int) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	p, err := h.svc.Get(r.Context(), id)
	if err != nil {
		return err
	}
	def, err := h.svc.ReviewOf(r.Context(), id)
	if err != nil {
		return err
	}
	v.Title = v.T("申请政策：", "Apply: ") + p.Title
	v.Data = map[string]any{"P": p, "Def": def, "ModeLabel": policy.Label(p.Mode, v.Lang)}
	return h.s.Render(w, r, status, viewApplyForm, v)
}

func (h *handlers) apply(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	ups, err := uploads(r)
	if err != nil {
		return err
	}
	x, err := h.svc.Apply(r.Context(), id, ups)
	if err != nil {
		v := h.s.View(r, "")
		if e := yserr.As(err); e.Code == yserr.Invalid || e.Code == yserr.TooLarge || e.Code == yserr.Conflict {
			v.Error = e
			v.Errors = map[string]string{}
			for _, f := range e.Fields {
				v.Errors[f.Field] = v.T(f.ZH, f.EN)
			}
			if e.Field != "" {
				v.Errors[e.Field] = v.T(e.ZH, e.EN)
			}
			return h.renderApply(w, r, v, http.StatusUnprocessableEntity)
		}
		return err
	}
	return h.s.Redirect(w, r, "/policy-applications/"+strconv.FormatInt(x.ID, 10), "申请已受理 / Application accepted")
}

// AppView is an application in the page's language.
type AppView struct {
	*policy.Application
	StateLabel string
	StepName   string
	Steps      []web.StepView
	DueText    string
	AlertLabel string
	Tasks      []TaskView
	Timeline   []EntryView
	Actions    []ActionView // the decision form's buttons (withdrawal has a form of its own)
	Withdraw   bool         // the caller (the applying enterprise) may withdraw it now
	ReasonText string
	// Extended: working days the current step's limit was extended by (0:
	// not extended).
	Extended int
}

// TaskView is a reviewer department's part.
type TaskView struct {
	policy.Task
	StepName, StatusLabel, When string
}

// EntryView is a timeline line.
type EntryView struct {
	workflow.Entry
	When, ActionText, ToText string
}

// ActionView is an action the viewer may take.
type ActionView struct {
	Action, Label string
	NeedNote      bool
}

func appView(v *web.View, cal *calendar.Calendar, x *policy.Application) AppView {
	av := AppView{Application: x, StateLabel: policy.AppStateLabel(string(x.State), v.Lang)}
	if zh, en, ok := strings.Cut(x.Reason, "|"); ok {
		av.ReasonText = v.T(zh, en)
	} else {
		av.ReasonText = x.Reason
	}
	labels := []web.Text{{ZH: "受理", EN: "accepted"}}
	for _, st := range x.Steps {
		labels = append(labels, web.Text{ZH: st.Name, EN: st.Name})
	}
	labels = append(labels, web.Text{ZH: "资金核定", EN: "grant recorded"})
	cur, off := x.Step+1, false
	switch x.State {
	case policy.AppApproved:
		cur = len(labels)
	case policy.AppRejected, policy.AppWithdrawn:
		off = true
	case policy.AppIntercepted:
		cur, off = len(labels)-1, true
	}
	var due *time.Time
	if x.State == policy.AppReviewing {
		due = x.Due
	}
	av.Steps = web.Steps(v.Lang, labels, cur, off, cal, v.Now, due)
	if x.Step < len(x.Steps) {
		av.StepName = x.Steps[x.Step].Name
	}
	if x.Due != nil {
		av.DueText = x.Due.In(calendar.Shanghai).Format(time.DateOnly)
	}
	switch x.Alert {
	case "warning":
		av.AlertLabel = v.T("即将到期", "due soon")
	case "overdue":
		av.AlertLabel = v.T("已超期", "overdue")
	}
	for _, t := range x.Tasks {
		tv := TaskView{Task: t, StatusLabel: v.T("待审核", "pending")}
		switch {
		case t.Status == policy.TaskApproved:
			tv.StatusLabel = v.T("已通过", "approved")
		case x.State == policy.AppWithdrawn:
			// Closed before this department decided: nothing waits for it.
			tv.StatusLabel = v.T("已撤回，无需审核", "withdrawn: no review needed")
		case x.State == policy.AppRejected:
			tv.StatusLabel = v.T("已办结，无需审核", "closed: no review needed")
		}
		if t.Step < len(x.Steps) {
			tv.StepName = x.Steps[t.Step].Name
		}
		if t.DecidedAt != nil {
			tv.When = t.DecidedAt.In(calendar.Shanghai).Format("2006-01-02 15:04")
		}
		av.Tasks = append(av.Tasks, tv)
	}
	for _, e := range x.Timeline {
		ev := EntryView{Entry: e, When: e.At.In(calendar.Shanghai).Format("2006-01-02 15:04"), ActionText: policy.AppActionLabel(e.Action, v.Lang)}
		if e.To != "" {
			ev.ToText = policy.AppStateLabel(e.To, v.Lang)
		}
		av.Timeline = append(av.Timeline, ev)
	}
	if x.ExtendedStep != nil && *x.ExtendedStep == x.Step && x.State == policy.AppReviewing {
		av.Extended = x.ExtensionDays
	}
	for _, a := range x.Allowed {
		if a == policy.ActWithdraw {
			av.Withdraw = true
			continue
		}
		av.Actions = append(av.Actions, ActionView{Action: string(a), Label: policy.AppActionLabel(string(a), v.Lang),
			NeedNote: a == policy.ActReturn || a == policy.ActReject || a == policy.ActWithdraw})
	}
	return av
}

func (h *handlers) cal(r *http.Request) *calendar.Calendar {
	if h.svc.Calendar == nil {
		return calendar.New(nil)
	}
	c, err := h.svc.Calendar.Calendar(r.Context())
	if err != nil {
		return nil
	}
	return c
}

func (h *handlers) myApplications(w http.ResponseWriter, r *http.Request) error {
	v := h.s.View(r, "")
	v.Title = v.T("我的政策申请", "My policy applications")
	xs, err := h.svc.MyApplications(r.Context())
	return h.renderApplications(w, r, v, viewApplyMine, xs, err)
}

func (h *handlers) queue(w http.ResponseWriter, r *http.Request) error {
	v := h.s.View(r, "")
	v.Title = v.T("政策申请待审", "Policy applications to review")
	xs, err := h.svc.ReviewQueue(r.Context())
	return h.renderApplications(w, r, v, viewApplyQueue, xs, err)
}

// renderApplications shows a list of applications (the enterprise's own,
// or a reviewer's queue) with their steps and clocks.
func (h *handlers) renderApplications(w http.ResponseWriter, r *http.Request, v *web.View, page string, xs []*policy.Application, err error) error {
	if err != nil {
		return err
	}
	cal := h.cal(r)
	var rows []AppView
	for _, x := range xs {
		rows = append(rows, appView(v, cal, x))
	}
	v.Data = map[string]any{"Rows": rows}
	return h.s.Render(w, r, http.StatusOK, page, v)
}

func (h *handlers) application(w http.ResponseWriter, r *http.Request) error {
	v := h.s.View(r, "")
	return h.renderApplication(w, r, v, http.StatusOK)
}

func (h *handlers) renderApplication(w http.ResponseWriter, r *http.Request, v *web.View, status int) error {
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil {
		return yserr.ErrNotFound("申请", "application")
	}
	x, err := h.svc.Application(r.Context(), id)
	if err != nil {
		return err
	}
	def, err := h.svc.ReviewOf(auth.WithActor(r.Context(), auth.System("policy")), x.PolicyID)
	if err != nil {
		return err
	}
	v.Title = v.T("政策申请：", "Policy application: ") + x.Policy
	data := map[string]any{"A": appView(v, h.cal(r), x), "Def": def, "Owner": v.Actor.EntityID == x.EntityID, "FormKind": v.Form.Get("form_kind")}
	if x.CanExtend {
		data["StepLimit"] = x.Steps[x.Step].Days
	}
	if x.CanReassign {
		depts, err := h.s.App.Accounts.ListDepartments(r.Context())
		if err != nil {
			return err
		}
		var pending []policy.Task
		for _, t := range x.Tasks {
			if t.Step == x.Step && t.Status == policy.TaskPending {
				pending = append(pending, t)
			}
		}
		data["Depts"], data["Pending"] = depts, pending
	}
	v.Data = data
	return h.s.Render(w, r, status, viewApplyDetail, v)
}

func (h *handlers) applicationFile(w http.ResponseWriter, r *http.Request) error {
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil {
		return yserr.ErrNotFound("申请", "application")
	}
	fid, err := strconv.ParseInt(r.PathValue("file"), 10, 64)
	if err != nil {
		return yserr.ErrNotFound("材料", "material")
	}
	f, data, err := h.svc.ApplicationFile(r.Context(), id, fid)
	if err != nil {
		return err
	}
	w.Header().Set("Content-Type", f.MediaType)
	w.Header().Set("Content-Disposition", mime.FormatMediaType("attachment", map[string]string{"filename": f.Name}))
	w.Header().Set("X-Content-Type-Options", "nosniff")
	_, err = w.Write(data)
	return err
}

func decision(r *http.Request) policy.Decision {
	rev, _ := strconv.Atoi(r.FormValue("rev"))
	return policy.Decision{Action: policy.AppAction(r.FormValue("action")), Note: r.FormValue("note"), Rev: rev}
}

func (h *handlers) decide(w http.ResponseWriter, r *http.Request) error {
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil {
		return yserr.ErrNotFound("申请", "application")
	}
	ups, err := uploads(r)
	if err != nil {
		return err
	}
	d := decision(r)
	if _, err := h.svc.Decide(r.Context(), id, d, ups); err != nil {
		v := h.s.View(r, "")
		v.Form = r.Form
		// The withdrawal has a form of its own: the error and the input
		// go back to the form they came from.
		kind := "decide"
		if d.Action == policy.ActWithdraw {
			kind = "withdraw"
		}
		v.Form.Set("form_kind", kind)
		if e := yserr.As(err); e.Code == yserr.Invalid || e.Code == yserr.TooLarge {
			v.Error = e
			v.Errors = map[string]string{}
			if e.Field != "" {
				v.Errors[e.Field] = v.T(e.ZH, e.EN)
			}
			return h.renderApplication(w, r, v, http.StatusUnprocessableEntity)
		}
		return err
	}
	return h.s.Redirect(w, r, "/policy-applications/"+strconv.FormatInt(id, 10), "已提交 / Done")
}

// StepRow is one row of the steps form.
type StepRow struct {
	Index    int
	Name     string
	Days     string
	Selected map[int64]bool
}

// MaterialRow is one row of the materials form.
type MaterialRow struct {
	Index     int
	Key, Name string
	Required  bool
}

const formRows = 5

func (h *handlers) stepsForm(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	def, err := h.svc.ReviewOf(r.Context(), id)
	if err != nil {
		return err
	}
	v := h.s.View(r, "")
	return h.renderSteps(w, r, v, id, def, http.StatusOK)
}

func (h *handlers) renderSteps(w http.ResponseWriter, r *http.Request, v *web.View, id int64, def *policy.ReviewDef, status int) error {
	p, err := h.svc.Get(r.Context(), id)
	if err != nil {
		return err
	}
	depts, err := h.s.App.Accounts.ListDepartments(r.Context())
	if err != nil {
		return err
	}
	v.Title = v.T("申请材料与审核环节：", "Materials and review steps: ") + p.Title
	steps := make([]StepRow, formRows)
	for i := range steps {
		steps[i] = StepRow{Index: i, Selected: map[int64]bool{}}
		if i < len(def.Steps) {
			steps[i].Name, steps[i].Days = def.Steps[i].Name, strconv.Itoa(def.Steps[i].Days)
			for _, d := range def.Steps[i].Departments {
				steps[i].Selected[d] = true
			}
		}
	}
	mats := make([]MaterialRow, formRows)
	for i := range mats {
		mats[i] = MaterialRow{Index: i}
		if i < len(def.Materials) {
			mats[i].Key, mats[i].Name, mats[i].Required = def.Materials[i].Key, def.Materials[i].Name, def.Materials[i].Required
		}
	}
	v.Data = map[string]any{"P": p, "Steps": steps, "Materials": mats, "Depts": depts, "ModeLabel": policy.Label(p.Mode, v.Lang)}
	return h.s.Render(w, r, status, viewApplySteps, v)
}

func (h *handlers) saveSteps(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	if err := r.ParseForm(); err != nil {
		return yserr.New(yserr.Invalid, "表单无法读取", "the form could not be read")
	}
	var def policy.ReviewDef
	for i := range formRows {
		n := strconv.Itoa(i)
		if key, name := strings.TrimSpace(r.PostForm.Get("material_key_"+n)), strings.TrimSpace(r.PostForm.Get("material_name_"+n)); key != "" || name != "" {
			def.Materials = append(def.Materials, policy.Material{Key: key, Name: name, Required: r.PostForm.Get("material_required_"+n) != ""})
		}
		name, days := strings.TrimSpace(r.PostForm.Get("step_name_"+n)), strings.TrimSpace(r.PostForm.Get("step_days_"+n))
		ds := r.PostForm["step_depts_"+n]
		if name == "" && days == "" && len(ds) == 0 {
			continue
		}
		st := policy.ReviewStep{Name: name}
		st.Days, _ = strconv.Atoi(days)
		for _, d := range ds {
			if id, err := strconv.ParseInt(d, 10, 64); err == nil {
				st.Departments = append(st.Departments, id)
			}
		}
		def.Steps = append(def.Steps, st)
	}
	if _, err := h.svc.SetReview(r.Context(), id, def); err != nil {
		v := h.s.View(r, "")
		e := yserr.As(err)
		if e.Code != yserr.Invalid {
			return err
		}
		v.Error = e
		return h.renderSteps(w, r, v, id, &def, http.StatusUnprocessableEntity)
	}
	return h.s.Redirect(w, r, "/policies/"+strconv.FormatInt(id, 10), "审核环节已保存 / Review steps saved")
}

// ---- API ----

// ApplyForm documents the multipart form of an application.
type ApplyForm struct {
	Material string `json:"material.<key>" doc:"one or more files per material key of the policy (PDF, JPEG or PNG, at most 20 MiB each)"`
}

// DecisionForm documents the form of a decision (JSON is accepted too,
// without files).
type DecisionForm struct {
	Action   string `json:"action" enum:"approve,return,reject,supplement,withdraw"`
	Note     string `json:"note" doc:"the reason (required to return, reject or withdraw)"`
	Rev      int    `json:"rev" doc:"the rev the caller saw; 0 skips the check"`
	Material string `json:"material.<key>" doc:"supplement: files per material key"`
}

func (h *handlers) mountApplyAPI() {
	reg, mux := h.s.API, h.s.Mux
	tags := []string{"policy"}
	reg.Handle(mux, api.Op{Method: "POST", Path: "/api/v1/policies/{id}/claims", ID: "claimPolicy", Tags: tags, Auth: "enterprise",
		Summary: "即申即享申领 / Claim an instant policy",
		Description: "The rule is evaluated now with a trace and the checks before money run; the grant is recorded at once as approved (or excluded with the check that stopped it) " +
			"and goes to the payment batches. 409 when the entity is not eligible (naming the failing conditions) or already claimed in the period (naming the date).",
		Resp: policy.Claim{}, Status: http.StatusCreated}, func(w http.ResponseWriter, r *http.Request) error {
		id, err := pathID(r)
		if err != nil {
			return err
		}
		c, err := h.svc.Claim(r.Context(), id)
		if err != nil {
			return err
		}
		api.WriteJSON(w, http.StatusCreated, c)
		return nil
	})
	reg.Handle(mux, api.Op{Method: "GET", Path: "/api/v1/policies/{id}/review", ID: "getPolicyReview", Tags: tags, Auth: "public",
		Summary: "申请材料与审核环节 / A policy's materials and review steps", Resp: policy.ReviewDef{}}, func(w http.ResponseWriter, r *http.Request) error {
		id, err := pathID(r)
		if err != nil {
			return err
		}
		d, err := h.svc.ReviewOf(r.Context(), id)
		if err != nil {
			return err
		}
		api.WriteJSON(w, http.StatusOK, d)
		return nil
	})
	reg.Handle(mux, api.Op{Method: "PUT", Path: "/api/v1/policies/{id}/review", ID: "setPolicyReview", Tags: tags, Auth: "platform_admin,dept_admin,dept_staff",
		Summary:     "设置申请材料与审核环节 / Set a policy's materials and review steps",
		Description: "Review-mode policies of the caller's department only. Applications already made keep the steps they were made under.",
		Body:        policy.ReviewDef{}, Resp: policy.ReviewDef{}}, func(w http.ResponseWriter, r *http.Request) error {
		id, err := pathID(r)
		if err != nil {
			return err
		}
		var in policy.ReviewDef
		if err := api.Decode(r, &in); err != nil {
			return err
		}
		d, err := h.svc.SetReview(r.Context(), id, in)
		if err != nil {
			return err
		}
		api.WriteJSON(w, http.StatusOK, d)
		return nil
	})
	reg.Handle(mux, api.Op{Method: "POST", Path: "/api/v1/policies/{id}/applications", ID: "applyPolicy", Tags: tags, Auth: "enterprise",
		Summary:     "申请政策（申请审核） / Apply for a policy with review",
		Description: "Multipart form with the policy's materials as parts named material.<key>. The entity must match the rule now; one application per policy and period. Accepted (受理) at once.",
		Multipart:   true, Body: ApplyForm{}, Resp: policy.Application{}, Status: http.StatusCreated}, func(w http.ResponseWriter, r *http.Request) error {
		id, err := pathID(r)
		if err != nil {
			return err
		}
		ups, err := uploads(r)
		if err != nil {
			return err
		}
		x, err := h.svc.Apply(r.Context(), id, ups)
		if err != nil {
			return err
		}
		api.WriteJSON(w, http.StatusCreated, x)
		return nil
	})
	reg.Handle(mux, api.Op{Method: "GET", Path: "/api/v1/policy-applications", ID: "listMyPolicyApplications", Tags: tags, Auth: "enterprise",
		Summary: "我的政策申请 / My policy applications", Resp: []*policy.Application{}}, func(w http.ResponseWriter, r *http.Request) error {
		xs, err := h.svc.MyApplications(r.Context())
		if err != nil {
			return err
		}
		if xs == nil {
			xs = []*policy.Application{}
		}
		api.WriteJSON(w, http.StatusOK, xs)
		return nil
	})
	reg.Handle(mux, api.Op{Method: "GET", Path: "/api/v1/policy-review-queue", ID: "policyReviewQueue", Tags: tags, Auth: "dept_admin,dept_staff",
		Summary:     "政策申请待审队列 / Applications waiting for my departments",
		Description: "Applications whose current step has a pending task of a department in the caller's scope, the nearest deadline first.",
		Resp:        []*policy.Application{}}, func(w http.ResponseWriter, r *http.Request) error {
		xs, err := h.svc.ReviewQueue(r.Context())
		if err != nil {
			return err
		}
		if xs == nil {
			xs = []*policy.Application{}
		}
		api.WriteJSON(w, http.StatusOK, xs)
		return nil
	})
	reg.Handle(mux, api.Op{Method: "GET", Path: "/api/v1/policy-applications/{id}", ID: "getPolicyApplication", Tags: tags,
		Auth:    "enterprise,platform_admin,dept_admin,dept_staff,supervisor",
		Summary: "政策申请详情 / A policy application with its timeline", Resp: policy.Application{}}, func(w http.ResponseWriter, r *http.Request) error {
		id, err := pathID(r)
		if err != nil {
			return err
		}
		x, err := h.svc.Application(r.Context(), id)
		if err != nil {
			return err
		}
		api.WriteJSON(w, http.StatusOK, x)
		return nil
	})
	reg.Handle(mux, api.Op{Method: "POST", Path: "/api/v1/policy-applications/{id}/decisions", ID: "decidePolicyApplication", Tags: tags,
		Auth:    "enterprise,dept_admin,dept_staff",
		Summary: "审核或补正政策申请 / Decide on or supplement a policy application",
		Description: "Reviewer departments of the current step: approve (the step completes when all its departments approved; the last step records the grant), " +
			"return (for supplement) or reject, with a note. The enterprise: supplement, with files as parts named material.<key>, or withdraw (with a note) before the decision. " +
			"JSON without files is accepted too.",
		Multipart: true, Body: DecisionForm{}, Resp: policy.Application{}}, func(w http.ResponseWriter, r *http.Request) error {
		id, err := pathID(r)
		if err != nil {
			return err
		}
		var d policy.Decision
		var ups []policy.Upload
		if ct, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type")); ct == "application/json" {
			if err := api.Decode(r, &d); err != nil {
				return err
			}
		} else {
			if ups, err = uploads(r); err != nil {
				return err
			}
			d = decision(r)
		}
		x, err := h.svc.Decide(r.Context(), id, d, ups)
		if err != nil {
			return err
		}
		api.WriteJSON(w, http.StatusOK, x)
		return nil
	})
	reg.Handle(mux, api.Op{Method: "GET", Path: "/api/v1/policy-application-workflow", ID: "policyApplicationWorkflow", Tags: tags, Auth: "public",
		Summary: "政策申请审核流程表 / The application workflow's transition table", Resp: []workflow.Row{}}, func(w http.ResponseWriter, r *http.Request) error {
		api.WriteJSON(w, http.StatusOK, policy.AppMachine())
		return nil
	})
}

// applyLabels are the audit actions and codes of claims and applications.
var applyLabels = web.Labels{
	"audit.action": {
		"policy.grant.claim":            {ZH: "即申即享申领", EN: "instant claim"},
		"policy.grant.application":      {ZH: "申请审核通过核定资金", EN: "grant recorded after review"},
		"policy.application.submit":     {ZH: "提交政策申请", EN: "policy application submitted"},
		"policy.application.approve":    {ZH: "政策申请审核通过", EN: "policy application approved"},
		"policy.application.return":     {ZH: "政策申请退回补正", EN: "policy application returned for supplement"},
		"policy.application.reject":     {ZH: "政策申请不予通过", EN: "policy application rejected"},
		"policy.application.supplement": {ZH: "政策申请补正材料", EN: "policy application supplemented"},
		"policy.review.set":             {ZH: "设置审核环节", EN: "review steps set"},
		"policy.application.alert":      {ZH: "政策申请时限预警", EN: "policy application time-limit alert"},
		"policy.application.withdraw":   {ZH: "企业撤回政策申请", EN: "policy application withdrawn"},
		"policy.application.extend":     {ZH: "延长政策申请审核时限", EN: "policy application time limit extended"},
		"policy.application.reassign":   {ZH: "改派政策申请审核任务", EN: "policy application review reassigned"},
	},
	"audit.object": {
		"policy_application": {ZH: "政策申请", EN: "Policy application"},
		"policy.application": {ZH: "政策申请", EN: "Policy application"},
		"policy.review":      {ZH: "政策审核环节", EN: "Policy review steps"},
	},
	"policy.app_state": {
		string(policy.AppReviewing): {ZH: "审核中", EN: "under review"}, string(policy.AppSupplement): {ZH: "待补正", EN: "waiting for supplement"},
		string(policy.AppApproved): {ZH: "审核通过", EN: "approved"}, string(policy.AppIntercepted): {ZH: "核查拦截", EN: "intercepted"},
		string(policy.AppRejected): {ZH: "未通过", EN: "rejected"}, string(policy.AppWithdrawn): {ZH: "已撤回", EN: "withdrawn"},
	},
}
