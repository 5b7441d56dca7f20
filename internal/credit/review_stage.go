package credit

import (
	"context"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"yingshang/internal/auth"
	"yingshang/internal/calendar"
	"yingshang/internal/db"
	"yingshang/internal/notify"
	"yingshang/internal/yserr"
)

// Staged review (issue 18 item 8). A repair application may pass through
// an optional first review (初审) by the credit office before the deciding
// department, and may be routed to a body the platform does not decide for
// (the deciding body of another city, the provincial 信用中国 site): that
// external step is tracked with its clock (10 working days by default) and
// the outcome is recorded when it comes back. Which kinds of record get a
// first review, and which go outside, is the route table
// credit_review_routes; the default routes serious-dishonesty list entries
// through a first review and everything else straight to the department.

// Review stages.
const (
	StageAssisted    = "assisted"     // prepared by a service point, confirmed by the enterprise
	StageFirstReview = "first_review" // 初审 by the credit office
	StageDecide      = "decide"       // the deciding department
	StageExternal    = "external"     // outside the platform
	StageDone        = "done"
)

// StageLabel names a stage in the language.
func StageLabel(st, lang string) string {
	return pick(stageLabels, st, lang)
}

// StepOutcomeLabel names a step outcome in the language.
func StepOutcomeLabel(o, lang string) string {
	return pick(stepOutcomeLabels, o, lang)
}

// Route is the review route of a record kind.
type Route struct {
	Kind         string `json:"kind"`
	FirstReview  bool   `json:"first_review"`
	ExternalBody string `json:"external_body,omitempty" doc:"the body that decides outside the platform; empty: the recording department decides"`
	ExternalDays int    `json:"external_days" doc:"working days the external step takes (default 10)"`
}

func (s *Service) route(ctx context.Context, kind string) (Route, error) {
	rt := DefaultRoute(kind)
	err := s.DB.Q(ctx).QueryRow(ctx, "SELECT first_review, external_body, external_days FROM credit_review_routes WHERE kind = $1", kind).
		Scan(&rt.FirstReview, &rt.ExternalBody, &rt.ExternalDays)
	if db.IsNoRows(err) {
		return rt, nil
	}
	return rt, err
}

// Routes lists the configured review routes.
func (s *Service) Routes(ctx context.Context) ([]Route, error) {
	if _, _, err := reader(ctx); err != nil {
		return nil, err
	}
	rows, err := s.DB.Q(ctx).Query(ctx, "SELECT kind, first_review, external_body, external_days FROM credit_review_routes ORDER BY kind")
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []Route{}
	for rows.Next() {
		var rt Route
		if err := rows.Scan(&rt.Kind, &rt.FirstReview, &rt.ExternalBody, &rt.ExternalDays); err != nil {
			return nil, err
		}
		out = append(out, rt)
	}
	return out, rows.Err()
}

// RouteKinds are the record kinds a repair application can concern (the
// adverse ones), in the order the routes page lists them.
var RouteKinds = []string{KindPenalty, KindSeriousList, KindAbnormal, KindBreach}

// DefaultRoute is the route of a kind without a row: a first review for
// serious-list entries, the recording department for the rest.
func DefaultRoute(kind string) Route {
	return Route{Kind: kind, FirstReview: kind == KindSeriousList, ExternalDays: 10}
}

// MaxExternalBody is the longest name of an external deciding body.
const MaxExternalBody = 80

// SetRoute configures the route of a record kind: the credit office or
// platform admins.
func (s *Service) SetRoute(ctx context.Context, rt Route) (*Route, error) {
	if _, err := s.office(ctx); err != nil {
		return nil, err
	}
	rt.ExternalBody = strings.TrimSpace(rt.ExternalBody)
	var v yserr.Validation
	if !slices.Contains(RouteKinds, rt.Kind) {
		v.Add("kind", "请选择信息类别（行政处罚、严重失信主体名单、经营异常名录或违背信用承诺）", "choose a record kind: penalty, serious list, abnormal list or breached commitment")
	}
	if n := len([]rune(rt.ExternalBody)); n > MaxExternalBody {
		v.Add("external_body", fmt.Sprintf("外部审核机构名称过长（最多 %d 字）", MaxExternalBody), fmt.Sprintf("the external body's name is too long (at most %d characters)", MaxExternalBody))
	}
	if rt.ExternalDays == 0 {
		rt.ExternalDays = 10
	}
	if rt.ExternalDays < 1 || rt.ExternalDays > 60 {
		v.Add("external_days", "外部审核时限须为 1 至 60 个工作日", "the external clock must be 1 to 60 working days")
	}
	if err := v.Err(); err != nil {
		return nil, err
	}
	err := s.DB.WithTx(ctx, func(ctx context.Context) error {
		if _, err := s.DB.Q(ctx).Exec(ctx, "DELETE FROM credit_review_routes WHERE kind = $1", rt.Kind); err != nil {
			return err
		}
		if _, err := s.DB.Q(ctx).Exec(ctx, "INSERT INTO credit_review_routes (kind, first_review, external_body, external_days) VALUES ($1, $2, $3, $4)",
			rt.Kind, rt.FirstReview, rt.ExternalBody, rt.ExternalDays); err != nil {
			return err
		}
		return s.Audit.Record(ctx, "credit.route_set", "credit_review_route", rt.Kind, nil, rt, "")
	})
	if err != nil {
		return nil, err
	}
	return &rt, nil
}

// ResetRoute removes a kind's configured route (the credit office or
// platform admins): the kind goes back to DefaultRoute. NotFound when the
// kind has no configured route.
func (s *Service) ResetRoute(ctx context.Context, kind string) error {
	if _, err := s.office(ctx); err != nil {
		return err
	}
	return s.DB.WithTx(ctx, func(ctx context.Context) error {
		old, err := s.route(ctx, kind)
		if err != nil {
			return err
		}
		n, err := s.DB.Q(ctx).Exec(ctx, "DELETE FROM credit_review_routes WHERE kind = $1", kind)
		if err != nil {
			return err
		}
		if n == 0 {
			return yserr.ErrNotFound("审核路径", "review route")
		}
		return s.Audit.Record(ctx, "credit.route_reset", "credit_review_route", kind, old, DefaultRoute(kind), "")
	})
}

// officeID is the credit office's department (CreditOfficeCode), 0 when
// none is configured: then platform admins do the first review.
func (s *Service) officeID(ctx context.Context) (int64, error) {
	if s.CreditOfficeCode == "" {
		return 0, nil
	}
	return s.DepartmentByCode(ctx, s.CreditOfficeCode)
}

// office returns the actor if it may act for the credit office: platform
// admins, or staff of the configured credit office department.
func (s *Service) office(ctx context.Context) (*auth.Actor, error) {
	a, err := auth.Require(ctx, auth.PlatformAdmin, auth.DeptAdmin, auth.DeptStaff)
	if err != nil {
		return nil, err
	}
	if a.Has(auth.PlatformAdmin) || a.IsSystem() {
		return a, nil
	}
	id, err := s.officeID(ctx)
	if err != nil {
		return nil, err
	}
	if id == 0 || a.DepartmentID != id {
		return nil, yserr.New(yserr.Forbidden, "仅信用办（社会信用体系建设牵头部门）可办理", "only the credit office may do this")
	}
	return a, nil
}

// openStage starts the review of a new application: a first review when
// its record's kind is routed so, an external step when the platform does
// not decide, else the deciding department (due is its deadline).
func (s *Service) openStage(ctx context.Context, repairID int64, r *Record, due time.Time) error {
	rt, err := s.route(ctx, r.Kind)
	if err != nil {
		return err
	}
	switch {
	case rt.FirstReview:
		return s.startStep(ctx, repairID, StageFirstReview, "", due)
	case rt.ExternalBody != "":
		return s.startExternal(ctx, repairID, rt.ExternalBody, rt.ExternalDays)
	}
	return s.startStep(ctx, repairID, StageDecide, "", due)
}

func (s *Service) startStep(ctx context.Context, repairID int64, stage, body string, due time.Time) error {
	now := s.now()
	if _, err := s.DB.Q(ctx).Exec(ctx, "INSERT INTO credit_repair_steps (repair_id, stage, body, started_at, due_at) VALUES ($1, $2, $3, $4, $5)",
		repairID, stage, body, now, due); err != nil {
		return err
	}
	st := stage
	if stage == StageDecide {
		st = ""
	}
	_, err := s.DB.Q(ctx).Exec(ctx, "UPDATE credit_repairs SET stage = $1, due_at = $2, warned = FALSE, updated_at = $3 WHERE id = $4", st, due, now, repairID)
	return err
}

func (s *Service) startExternal(ctx context.Context, repairID int64, body string, days int) error {
	cal, err := s.Calendar.Calendar(ctx)
	if err != nil {
		return err
	}
	if days <= 0 {
		days = 10
	}
	return s.startStep(ctx, repairID, StageExternal, body, cal.Deadline(s.now(), days))
}

// endSteps closes the open step of an application with its outcome.
func (s *Service) endSteps(ctx context.Context, repairID int64, outcome, note string) error {
	_, err := s.DB.Q(ctx).Exec(ctx, "UPDATE credit_repair_steps SET ended_at = $1, outcome = $2, note = $3, actor_id = $4 WHERE repair_id = $5 AND ended_at IS NULL",
		s.now(), outcome, note, actorID(auth.From(ctx)), repairID)
	return err
}

func (s *Service) stage(ctx context.Context, repairID int64) (string, error) {
	var st string
	err := s.DB.Q(ctx).QueryRow(ctx, "SELECT stage FROM credit_repairs WHERE id = $1", repairID).Scan(&st)
	return st, err
}

// repairFor returns an application to those who may see it: besides
// GetRepair's readers, the credit office (which reviews across departments).
func (s *Service) repairFor(ctx context.Context, id int64) (*Repair, error) {
	if a := auth.From(ctx); a != nil && a.Has(auth.DeptAdmin, auth.DeptStaff) {
		if _, err := s.office(ctx); err == nil {
			return s.GetRepair(auth.WithActor(ctx, auth.System("credit.office")), id)
		}
	}
	return s.GetRepair(ctx, id)
}

// ReadRepair returns an application to its readers and to the credit
// office.
func (s *Service) ReadRepair(ctx context.Context, id int64) (*Repair, error) {
	return s.repairFor(ctx, id)
}

// IsOffice reports whether the caller may act for the credit office.
func (s *Service) IsOffice(ctx context.Context) bool {
	_, err := s.office(ctx)
	return err == nil
}

// OpenStage is the stage of an application's open step ("" when none).
func (s *Service) OpenStage(ctx context.Context, id int64) (string, error) {
	steps, err := s.Steps(ctx, id)
	if err != nil {
		return "", err
	}
	for _, st := range steps {
		if st.EndedAt == nil {
			return st.Stage, nil
		}
	}
	return "", nil
}

// officeRepairAt loads a repair application for the credit office and
// refuses it with wrong unless it is open at stage.
func (s *Service) officeRepairAt(ctx context.Context, repairID int64, stage string, wrong error) (*Repair, error) {
	if _, err := s.office(ctx); err != nil {
		return nil, err
	}
	rp, err := s.repairFor(ctx, repairID)
	if err != nil {
		return nil, err
	}
	st, err := s.stage(ctx, repairID)
	if err != nil {
		return nil, err
	}
	if st != stage || rp.Status != RepairSubmitted {
		return nil, wrong
	}
	return rp, nil
}

// FirstReviewInput is the credit office's first review.
type FirstReviewInput struct {
	Decision     string `json:"decision" enum:"pass,reject"`
	Route        string `json:"route,omitempty" enum:",department,external" doc:"where a passed application goes; default: the kind's route"`
	ExternalBody string `json:"external_body,omitempty" doc:"route external: the deciding body, e.g. 信用中国（河南）"`
	Note         string `json:"note,omitempty" doc:"required to reject"`
}

// FirstReview records the credit office's first review: reject closes
// the application; pass sends it to the deciding department (with a new
// review deadline) or to the external body (with its clock).
func (s *Service) FirstReview(ctx context.Context, repairID int64, in FirstReviewInput) (*Repair, error) {
	rp, err := s.officeRepairAt(ctx, repairID, StageFirstReview, yserr.New(yserr.Conflict, "该申请不在初审阶段", "the application is not at the first review"))
	if err != nil {
		return nil, err
	}
	r, err := s.recordByID(ctx, rp.RecordID)
	if err != nil {
		return nil, err
	}
	rt, err := s.route(ctx, r.Kind)
	if err != nil {
		return nil, err
	}
	in.Note, in.ExternalBody = strings.TrimSpace(in.Note), strings.TrimSpace(in.ExternalBody)
	if in.Route == "" {
		in.Route = "department"
		if rt.ExternalBody != "" {
			in.Route, in.ExternalBody = "external", rt.ExternalBody
		}
	}
	var v yserr.Validation
	switch {
	case in.Decision != "pass" && in.Decision != "reject":
		v.Add("decision", "请选择初审通过或不通过", "choose pass or reject")
	case in.Decision == "reject" && in.Note == "":
		v.Add("note", "请填写初审不通过的理由", "give the reason for the rejection")
	case in.Decision == "pass" && in.Route != "department" && in.Route != "external":
		v.Add("route", "请选择转送决定部门或外部机构", "choose department or external")
	case in.Decision == "pass" && in.Route == "external" && in.ExternalBody == "":
		v.Add("external_body", "请填写外部决定机构（如 信用中国（河南））", "name the external body")
	}
	if err := v.Err(); err != nil {
		return nil, err
	}
	err = s.DB.WithTx(ctx, func(ctx context.Context) error {
		if in.Decision == "reject" {
			return s.close(ctx, rp, r, RepairRejected, "【初审】"+in.Note)
		}
		if err := s.endSteps(ctx, repairID, "pass", in.Note); err != nil {
			return err
		}
		if in.Route == "external" {
			if err := s.startExternal(ctx, repairID, in.ExternalBody, rt.ExternalDays); err != nil {
				return err
			}
		} else {
			cal, err := s.Calendar.Calendar(ctx)
			if err != nil {
				return err
			}
			due := cal.Deadline(s.now(), s.reviewDays())
			if err := s.startStep(ctx, repairID, StageDecide, "", due); err != nil {
				return err
			}
			if err := s.tellDepartment(ctx, r, due); err != nil {
				return err
			}
		}
		return s.Audit.Record(ctx, "credit.repair_first_review", "credit_repair", strconv.FormatInt(repairID, 10), StageFirstReview,
			map[string]any{"decision": in.Decision, "route": in.Route, "external_body": in.ExternalBody}, in.Note)
	})
	if err != nil {
		return nil, err
	}
	return s.repairFor(ctx, repairID)
}

// ExternalInput is the outcome of an external step when it comes back.
type ExternalInput struct {
	Outcome string `json:"outcome" enum:"approve,reject"`
	Note    string `json:"note" doc:"the body's reply (document number, reason)"`
}

// RecordExternal records the outcome of the external step (credit office
// or platform admins): approve repairs the record on the platform too,
// reject closes the application with the body's reason.
func (s *Service) RecordExternal(ctx context.Context, repairID int64, in ExternalInput) (*Repair, error) {
	rp, err := s.officeRepairAt(ctx, repairID, StageExternal, yserr.New(yserr.Conflict, "该申请没有待回复的外部审核", "the application has no external step waiting"))
	if err != nil {
		return nil, err
	}
	in.Note = strings.TrimSpace(in.Note)
	var v yserr.Validation
	if in.Outcome != "approve" && in.Outcome != "reject" {
		v.Add("outcome", "请选择外部审核结果：同意或不同意", "choose approve or reject")
	}
	if in.Note == "" {
		v.Add("note", "请填写外部机构的答复（文号、理由）", "record the body's reply")
	}
	if err := v.Err(); err != nil {
		return nil, err
	}
	r, err := s.recordByID(ctx, rp.RecordID)
	if err != nil {
		return nil, err
	}
	err = s.DB.WithTx(ctx, func(ctx context.Context) error {
		if err := s.Audit.Record(ctx, "credit.repair_external", "credit_repair", strconv.FormatInt(repairID, 10), StageExternal, in.Outcome, in.Note); err != nil {
			return err
		}
		if in.Outcome == "approve" {
			return s.approve(ctx, rp, r, "【外部审核】"+in.Note)
		}
		return s.close(ctx, rp, r, RepairRejected, "【外部审核】"+in.Note)
	})
	if err != nil {
		return nil, err
	}
	return s.repairFor(ctx, repairID)
}

// Step is one step of an application's review.
type Step struct {
	Stage     string     `json:"stage" enum:"assisted,first_review,decide,external"`
	Body      string     `json:"body,omitempty"`
	StartedAt time.Time  `json:"started_at"`
	DueAt     *time.Time `json:"due_at,omitempty"`
	EndedAt   *time.Time `json:"ended_at,omitempty"`
	Outcome   string     `json:"outcome,omitempty"`
	Note      string     `json:"note,omitempty"`
	Overdue   bool       `json:"overdue"`
	// LeftDays is the working days left on an open step's clock (negative:
	// overdue by that many).
	LeftDays int `json:"left_days"`
}

// Steps lists the steps of an application, oldest first, to those who may
// see it.
func (s *Service) Steps(ctx context.Context, repairID int64) ([]Step, error) {
	if _, err := s.repairFor(ctx, repairID); err != nil {
		return nil, err
	}
	rows, err := s.DB.Q(ctx).Query(ctx, "SELECT stage, body, started_at, due_at, ended_at, outcome, note FROM credit_repair_steps WHERE repair_id = $1 ORDER BY CASE WHEN stage = 'assisted' THEN 0 ELSE 1 END, id", repairID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []Step{}
	for rows.Next() {
		var st Step
		if err := rows.Scan(&st.Stage, &st.Body, &st.StartedAt, &st.DueAt, &st.EndedAt, &st.Outcome, &st.Note); err != nil {
			return nil, err
		}
		out = append(out, st)
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	cal, err := s.Calendar.Calendar(ctx)
	if err != nil {
		return nil, err
	}
	for i := range out {
		if out[i].EndedAt == nil && out[i].DueAt != nil {
			out[i].Overdue = s.Clock.Now().After(*out[i].DueAt)
			out[i].LeftDays = cal.WorkdaysBetween(s.today(), calendarDate(*out[i].DueAt))
		}
	}
	return out, nil
}

// WarnSteps warns the credit office about first reviews and external steps
// whose clock ends within two working days or has passed (once per step;
// the department's own deadline is WarnDue). It returns how many steps were
// warned.
func (s *Service) WarnSteps(ctx context.Context) (int, error) {
	cal, err := s.Calendar.Calendar(ctx)
	if err != nil {
		return 0, err
	}
	soon := cal.Deadline(s.now(), 2)
	rows, err := s.DB.Q(ctx).Query(ctx, `SELECT id, repair_id, stage, body, due_at FROM credit_repair_steps
		WHERE ended_at IS NULL AND warned = FALSE AND stage IN ('first_review', 'external') AND due_at <= $1 ORDER BY id`, soon)
	if err != nil {
		return 0, err
	}
	type step struct {
		id, repair  int64
		stage, body string
		due         time.Time
	}
	var list []step
	for rows.Next() {
		var x step
		if err := rows.Scan(&x.id, &x.repair, &x.stage, &x.body, &x.due); err != nil {
			rows.Close()
			return 0, err
		}
		list = append(list, x)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return 0, err
	}
	office, err := s.officeID(ctx)
	if err != nil {
		return 0, err
	}
	for _, x := range list {
		err := s.DB.WithTx(ctx, func(ctx context.Context) error {
			n, err := s.DB.Q(ctx).Exec(ctx, "UPDATE credit_repair_steps SET warned = TRUE WHERE id = $1 AND warned = FALSE", x.id)
			if err != nil || n == 0 {
				return err
			}
			if err := s.Audit.Record(ctx, "credit.repair_step_warn", "credit_repair", strconv.FormatInt(x.repair, 10), nil,
				map[string]any{"stage": x.stage, "body": x.body, "due_at": x.due}, ""); err != nil {
				return err
			}
			if office == 0 {
				return nil
			}
			to, err := s.deptUsers(ctx, office)
			if err != nil || len(to) == 0 {
				return err
			}
			p, err := s.repairByID(ctx, x.repair)
			if err != nil {
				return err
			}
			_, err = s.Notify.Send(ctx, notify.Message{Type: TypeStepDue, To: to, Channels: []string{notify.ChannelInApp},
				ObjectType: "credit_repair", ObjectID: strconv.FormatInt(x.repair, 10), Link: recordLink(p.RecordID),
				Data: map[string]any{"entity": p.EntityName, "decision_no": p.DecisionNo, "stage_zh": StageLabel(x.stage, "zh"), "stage_en": StageLabel(x.stage, "en"),
					"body": x.body, "due": x.due.In(cst).Format("2006-01-02")}})
			return err
		})
		if err != nil {
			return 0, err
		}
	}
	return len(list), nil
}

// BarItem is one stage of the step bar on the repair page.
type BarItem struct {
	Stage string `json:"stage"`
	Body  string `json:"body,omitempty"`
	State string `json:"state" enum:"done,current,todo"`
	// Outcome of a done stage.
	Outcome string     `json:"outcome,omitempty"`
	DueAt   *time.Time `json:"due_at,omitempty"`
	Overdue bool       `json:"overdue"`
}

// StepBar lays out an application's stages for display: the steps taken,
// the current one and the ones still to come (the department, or the
// route's external body, then closed).
func (s *Service) StepBar(ctx context.Context, repairID int64) ([]BarItem, error) {
	steps, err := s.Steps(ctx, repairID)
	if err != nil {
		return nil, err
	}
	rp, err := s.repairFor(ctx, repairID)
	if err != nil {
		return nil, err
	}
	out := []BarItem{{Stage: "submitted", State: "done"}}
	last := ""
	for _, st := range steps {
		it := BarItem{Stage: st.Stage, Body: st.Body, Outcome: st.Outcome, State: "done"}
		if st.EndedAt == nil {
			it.State, it.DueAt, it.Overdue = "current", st.DueAt, st.Overdue
		}
		out = append(out, it)
		last = st.Stage
	}
	closed := rp.Status == RepairApproved || rp.Status == RepairRejected
	if !closed && (last == StageFirstReview || last == StageAssisted || last == "") {
		out = append(out, BarItem{Stage: StageDecide, State: "todo"})
	}
	done := BarItem{Stage: StageDone, State: "todo"}
	if closed {
		done.State, done.Outcome = "done", rp.Status
	}
	return append(out, done), nil
}

// Message types of assisted repair and staged review.
const (
	TypeAssistedConfirm = "credit.assisted_confirm"
	TypeStepDue         = "credit.repair_step_due"
)

func registerStaged() {
	notify.RegisterType(notify.MessageType{Key: TypeAssistedConfirm, NameZH: "代办信用修复申请待确认", NameEN: "Assisted credit repair to confirm",
		Variables: []notify.Variable{
			{Name: "entity", ZH: "企业名称", EN: "entity name", Example: "许昌瑞丰商贸有限公司"},
			{Name: "decision_no", ZH: "决定文书号", EN: "decision number", Example: "许市监罚〔2026〕88号"},
			{Name: "point", ZH: "代办服务点", EN: "service point", Example: "许昌市政务服务中心信用窗口"}},
		Defaults: map[string]map[string]notify.Template{notify.ChannelInApp: {
			notify.LangZH: {Subject: "代办信用修复申请待您确认", Body: "{{.entity}}：{{.point}}已受贵单位委托，代为提交记录（{{.decision_no}}）的信用修复申请。请登录平台核对并确认（签署信用修复承诺书）或说明不同意的理由；确认后方进入审核。"},
			notify.LangEN: {Subject: "Assisted credit repair application to confirm", Body: "{{.entity}}: {{.point}} prepared a credit repair application for {{.decision_no}} on your behalf. Sign in to confirm it (signing the credit commitment) or refuse it; it goes to review only once you confirm."},
		}, notify.ChannelSMS: {
			notify.LangZH: {Body: "【营商】{{.entity}}：{{.point}}代办的信用修复申请（{{.decision_no}}）待您登录平台确认。"},
			notify.LangEN: {Body: "[Yingshang] {{.entity}}: confirm the repair application {{.point}} prepared for {{.decision_no}}."},
		}}})
	notify.RegisterType(notify.MessageType{Key: TypeStepDue, NameZH: "信用修复审核环节即将到期", NameEN: "Credit repair review step due",
		Variables: []notify.Variable{
			{Name: "entity", ZH: "企业名称", EN: "entity name", Example: "许昌瑞丰商贸有限公司"},
			{Name: "decision_no", ZH: "决定文书号", EN: "decision number", Example: "许市监罚〔2026〕88号"},
			{Name: "stage_zh", ZH: "环节（中文）", EN: "stage in Chinese", Example: "外部审核"},
			{Name: "stage_en", ZH: "环节（英文）", EN: "stage in English", Example: "external review"},
			{Name: "body", ZH: "外部机构", EN: "external body", Example: "信用中国（河南）"},
			{Name: "due", ZH: "期限", EN: "deadline", Example: "2026-10-15"}},
		Defaults: map[string]map[string]notify.Template{notify.ChannelInApp: {
			notify.LangZH: {Subject: "信用修复审核环节即将到期", Body: "{{.entity}}的信用修复申请（{{.decision_no}}）{{.stage_zh}}{{if .body}}（{{.body}}）{{end}}期限为{{.due}}，请跟进。"},
			notify.LangEN: {Subject: "Credit repair step due", Body: "The credit repair application of {{.entity}} ({{.decision_no}}): {{.stage_en}}{{if .body}} ({{.body}}){{end}} is due {{.due}}; please follow up."},
		}}})
}

func calendarDate(t time.Time) calendar.Date { return calendar.FromTime(t, calendar.Shanghai) }
