package policy

import (
	"context"
	"strconv"
	"time"

	"github.com/riverqueue/river"

	"yingshang/internal/auth"
	"yingshang/internal/calendar"
	"yingshang/internal/jobs"
	"yingshang/internal/notify"
	"yingshang/internal/workflow"
)

// Review clock alerts: a pass over the applications under review raises,
// once per level and step, the warning (one working day before the step's
// deadline) and the overdue alert to the staff of the departments whose
// part is still pending, with a timeline entry (not shown to the
// enterprise) and an audit event, in one transaction per application.

// MsgAppAlert is the reviewer's alert message type.
const MsgAppAlert = "policy.application_alert"

// AppAlertInterval is how often the alert pass runs.
const AppAlertInterval = 15 * time.Minute

// AppAlertArgs is the alert pass job.
type AppAlertArgs struct{}

// Kind names the job.
func (AppAlertArgs) Kind() string { return "policy.application_alerts" }

// RegisterApplyJobs registers the alert pass (every AppAlertInterval).
func (s *Service) RegisterApplyJobs(q *jobs.Queue) {
	jobs.Register[AppAlertArgs](q, &appAlertWorker{s: s})
	q.Every(AppAlertInterval, func() river.JobArgs { return AppAlertArgs{} }, true)
}

type appAlertWorker struct {
	river.WorkerDefaults[AppAlertArgs]
	s *Service
}

func (w *appAlertWorker) Work(ctx context.Context, _ *river.Job[AppAlertArgs]) error {
	_, err := w.s.AlertApplications(system(ctx))
	return err
}

func registerAppAlertMessages() {
	vars := []notify.Variable{
		{Name: "policy", ZH: "政策名称", EN: "policy", Example: "中小微企业贷款贴息"},
		{Name: "entity", ZH: "申请企业", EN: "enterprise", Example: "许昌瑞丰商贸有限公司"},
		{Name: "step", ZH: "审核环节", EN: "review step", Example: "联合审核"},
		{Name: "level_zh", ZH: "预警级别（中文）", EN: "level (Chinese)", Example: "即将到期"},
		{Name: "level_en", ZH: "预警级别（英文）", EN: "level (English)", Example: "due soon"},
		{Name: "due", ZH: "时限", EN: "deadline", Example: "2026-10-15"},
	}
	notify.RegisterType(notify.MessageType{Key: MsgAppAlert, NameZH: "政策申请审核时限预警", NameEN: "Policy application review alert", Variables: vars,
		Defaults: map[string]map[string]notify.Template{
			notify.ChannelSMS: {
				notify.LangZH: {Body: "【惠企政策】{{.entity}}申请的“{{.policy}}”在“{{.step}}”环节{{.level_zh}}（时限 {{.due}}），请及时审核。"},
				notify.LangEN: {Body: "Policy application \"{{.policy}}\" ({{.entity}}), step \"{{.step}}\": {{.level_en}} (due {{.due}})."},
			},
			notify.ChannelInApp: {
				notify.LangZH: {Subject: "政策申请审核{{.level_zh}}：{{.policy}}", Body: "{{.entity}}申请的“{{.policy}}”在“{{.step}}”环节{{.level_zh}}，时限 {{.due}}。"},
				notify.LangEN: {Subject: "Policy application review {{.level_en}}: {{.policy}}", Body: "The application of {{.entity}} under \"{{.policy}}\" is {{.level_en}} at step \"{{.step}}\" (due {{.due}})."},
			},
		}})
}

// AlertApplications runs the alert pass once and returns how many alerts
// it raised.
func (s *Service) AlertApplications(ctx context.Context) (int, error) {
	xs, err := s.apps(ctx, "a.state = $1 AND a.paused_at IS NULL", string(AppReviewing))
	if err != nil {
		return 0, err
	}
	cal, err := s.cal(ctx)
	if err != nil {
		return 0, err
	}
	now := s.Clock.Now()
	n := 0
	for _, x := range xs {
		if x.Due == nil {
			continue
		}
		raised, err := appLadder.Escalate(cal, *x.Due, now, x.AlertLevel, func(level int) error {
			return s.raiseAlert(ctx, x, level)
		})
		if err != nil {
			return n, err
		}
		if raised {
			n++
		}
	}
	return n, nil
}

func (s *Service) raiseAlert(ctx context.Context, x *Application, level int) error {
	lv := appLadder.Label(level)
	due := x.Due.In(calendar.Shanghai).Format(time.DateOnly)
	step := x.Steps[x.Step].Name
	return s.DB.WithTx(ctx, func(ctx context.Context) error {
		n, err := s.DB.Q(ctx).Exec(ctx, "UPDATE policy_applications SET alert_level = $1 WHERE id = $2 AND rev = $3 AND alert_level < $1", level, x.ID, x.Rev)
		if err != nil || n != 1 {
			return err // changed meanwhile: the next pass looks again
		}
		if err := s.event(ctx, x.ID, nil, workflow.Entry{At: s.now(), ActorName: "", Action: "alert", From: string(x.State), To: string(x.State),
			Note: lv.Zh + " / " + lv.En + " " + due}); err != nil {
			return err
		}
		if err := s.Audit.Record(ctx, "policy.application.alert", "policy_application", strconv.FormatInt(x.ID, 10), nil,
			map[string]any{"level": appLadder[level-1].Name, "step": x.Step, "due": due}, ""); err != nil {
			return err
		}
		if s.Notify == nil || s.Accounts == nil {
			return nil
		}
		var to []notify.Recipient
		for _, t := range x.Tasks {
			if t.Step != x.Step || t.Status != TaskPending {
				continue
			}
			users, err := s.Accounts.DeptUsers(ctx, t.DepartmentID, auth.DeptStaff, auth.DeptAdmin)
			if err != nil {
				return err
			}
			for _, u := range users {
				to = append(to, notify.Recipient{UserID: u})
			}
		}
		if len(to) == 0 {
			return nil
		}
		_, err = s.Notify.Send(ctx, notify.Message{Type: MsgAppAlert, To: to, Channels: []string{notify.ChannelInApp, notify.ChannelSMS},
			Data:       map[string]any{"policy": x.Policy, "entity": x.Entity, "step": step, "level_zh": lv.Zh, "level_en": lv.En, "due": due},
			ObjectType: "policy_application_alert", ObjectID: strconv.FormatInt(x.ID, 10), Link: "/policy-applications/" + strconv.FormatInt(x.ID, 10)})
		return err
	})
}
