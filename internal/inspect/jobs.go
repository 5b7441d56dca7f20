package inspect

import (
	"context"
	"fmt"
	"strconv"
	"sync"
	"time"

	"github.com/riverqueue/river"

	"yingshang/internal/auth"
	"yingshang/internal/calendar"
	"yingshang/internal/jobs"
	"yingshang/internal/notify"
)

// Message types of the module.
const (
	msgRectify        = "inspect.rectify"         // the enterprise: a rectification deadline (with a link)
	msgRectifyRemind  = "inspect.rectify_remind"  // the enterprise: the deadline is near
	msgProof          = "inspect.proof"           // the enterprise: its proof was accepted or returned
	msgProofSubmitted = "inspect.proof_submitted" // the department: proof to review
	msgOverdue        = "inspect.overdue"         // the department: a 首违不罚 deadline passed, open a case
	msgUnscanned      = "inspect.unscanned"       // supervisors: last month's checks without a scan
	msgPublishDue     = "inspect.publish_due"     // the departments: a closed task's publicity deadline is near
)

// RemindDays is how many days before a rectification deadline the
// enterprise is reminded; PublishWarnWorkdays how many working days
// before the publicity deadline the departments are warned.
const (
	RemindDays          = 3
	PublishWarnWorkdays = 3
)

var registerOnce sync.Once

// RegisterMessages registers the module's message types (once per process).
func RegisterMessages() {
	registerOnce.Do(func() {
		task := notify.Variable{Name: "task", ZH: "任务编号", EN: "task number", Example: "12"}
		item := notify.Variable{Name: "item", ZH: "检查事项", EN: "check item", Example: "年度报告公示信息检查"}
		deadline := notify.Variable{Name: "deadline", ZH: "期限", EN: "deadline", Example: "2026-12-08"}
		status := notify.Variable{Name: "status", ZH: "审核结果", EN: "review result (Chinese)", Example: "已通过审核"}
		statusEN := notify.Variable{Name: "status_en", ZH: "审核结果（英文）", EN: "review result (English)", Example: "accepted"}
		note := notify.Variable{Name: "note", ZH: "意见", EN: "note", Example: "照片不清晰"}
		month := notify.Variable{Name: "month", ZH: "月份", EN: "month", Example: "2026-11"}
		count := notify.Variable{Name: "count", ZH: "数量", EN: "count", Example: "3"}
		plan := notify.Variable{Name: "plan", ZH: "计划编号", EN: "plan code", Example: "LH-2026-01"}
		both := func(zhS, zhB, enS, enB string) map[string]map[string]notify.Template {
			return map[string]map[string]notify.Template{
				notify.ChannelInApp: {notify.LangZH: {Subject: zhS, Body: zhB}, notify.LangEN: {Subject: enS, Body: enB}},
				notify.ChannelSMS:   {notify.LangZH: {Body: zhB}, notify.LangEN: {Body: enB}},
			}
		}
		reg := func(key, zh, en string, vars []notify.Variable, d map[string]map[string]notify.Template) {
			notify.RegisterType(notify.MessageType{Key: key, NameZH: zh, NameEN: en, Variables: vars, Defaults: d})
		}
		reg(msgRectify, "检查整改通知", "Rectification order", []notify.Variable{task, item, deadline},
			both("请于 {{.deadline}} 前完成整改", "检查任务 {{.task}} 的事项「{{.item}}」责令整改，请于 {{.deadline}} 前整改并在平台上传整改材料。",
				"Rectify by {{.deadline}}", "Inspection task {{.task}}: the item \"{{.item}}\" must be rectified by {{.deadline}}; upload the proof on the platform."))
		reg(msgRectifyRemind, "整改期限提醒", "Rectification deadline reminder", []notify.Variable{task, item, deadline},
			both("整改期限 {{.deadline}} 临近", "检查任务 {{.task}} 的事项「{{.item}}」整改期限 {{.deadline}} 临近，请尽快上传整改材料。",
				"Rectification due {{.deadline}}", "Inspection task {{.task}}: the rectification of \"{{.item}}\" is due {{.deadline}}; upload the proof soon."))
		reg(msgProof, "整改材料审核结果", "Rectification proof reviewed", []notify.Variable{task, item, status, statusEN, note, deadline},
			both("整改材料{{.status}}", "检查任务 {{.task}} 的事项「{{.item}}」整改材料{{.status}}。{{.note}}",
				"Rectification proof {{.status_en}}", "Inspection task {{.task}}: the proof for \"{{.item}}\" was {{.status_en}}. {{.note}}"))
		reg(msgProofSubmitted, "整改材料待审核", "Rectification proof to review", []notify.Variable{task, item},
			both("整改材料待审核", "检查任务 {{.task}} 的事项「{{.item}}」企业已上传整改材料，请审核。",
				"Proof to review", "Inspection task {{.task}}: the enterprise uploaded proof for \"{{.item}}\"; please review it."))
		reg(msgOverdue, "首违不罚逾期未整改", "First offence not rectified in time", []notify.Variable{task, item, deadline},
			both("逾期未整改，请依法立案", "检查任务 {{.task}} 的事项「{{.item}}」适用首违不罚，整改期限 {{.deadline}} 已过仍未整改到位，请依法立案处理。",
				"Not rectified: open a case", "Inspection task {{.task}}: the first-offence item \"{{.item}}\" was not rectified by {{.deadline}}; open a case."))
		reg(msgUnscanned, "未扫码检查月报", "Monthly list of unscanned checks", []notify.Variable{month, count},
			both("{{.month}} 未扫码检查 {{.count}} 项", "{{.month}} 共有 {{.count}} 项检查未扫码入企即记录结果，请查看清单。",
				"{{.month}}: {{.count}} unscanned checks", "In {{.month}}, {{.count}} checks recorded results without a scan before entry; see the list."))
		reg(msgPublishDue, "检查结果公示期限临近", "Publicity deadline near", []notify.Variable{task, plan, deadline},
			both("检查结果须于 {{.deadline}} 前公示", "计划 {{.plan}} 检查任务 {{.task}} 已办结，结果须于 {{.deadline}} 前公示。",
				"Publish by {{.deadline}}", "Plan {{.plan}}, task {{.task}} is closed; its result must be published by {{.deadline}}."))
	})
}

// notice records that a notice of kind about ref was sent; false when it
// was already (so that a job run twice sends nothing twice).
func (s *Service) notice(ctx context.Context, kind, ref string) (bool, error) {
	n, err := s.DB.Q(ctx).Exec(ctx, "INSERT INTO inspect_notices (kind, ref, sent_at) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING", kind, ref, s.now())
	return n == 1, err
}

func (s *Service) send(ctx context.Context, typ string, users []int64, data map[string]any, objectID int64, link string) error {
	if s.Notify == nil || len(users) == 0 {
		return nil
	}
	to := make([]notify.Recipient, len(users))
	for i, u := range users {
		to[i] = notify.Recipient{UserID: u}
	}
	msg := notify.Message{Type: typ, To: to, Channels: []string{notify.ChannelInApp}, Data: data, Link: link}
	if objectID != 0 {
		msg.ObjectType, msg.ObjectID = "inspect_task", idText(objectID)
	}
	_, err := s.Notify.Send(ctx, msg)
	return err
}

// tellEntity tells the inspected entity's users about a task.
func (s *Service) tellEntity(ctx context.Context, t *Task, typ string, data map[string]any, _ string) error {
	if s.Notify == nil {
		return nil
	}
	users, err := s.Accounts.EntityUsers(ctx, []int64{t.EntityID}, auth.Enterprise)
	if err != nil {
		return err
	}
	return s.send(ctx, typ, users[t.EntityID], data, t.ID, fmt.Sprintf("/inspect/tasks/%d", t.ID))
}

// tellDepartment tells the staff and admins of the department whose item
// a result is about.
func (s *Service) tellDepartment(ctx context.Context, t *Task, resultID int64, typ string, _ string) error {
	if s.Notify == nil {
		return nil
	}
	for _, r := range t.Results {
		if r.ID != resultID {
			continue
		}
		for _, it := range t.Items {
			if it.ID == r.ItemID {
				users, err := s.Accounts.DeptUsers(ctx, it.DepartmentID, auth.DeptAdmin, auth.DeptStaff)
				if err != nil {
					return err
				}
				return s.send(ctx, typ, users, map[string]any{"task": t.ID, "item": it.Name, "deadline": r.RectifyBy}, t.ID, fmt.Sprintf("/inspect/tasks/%d", t.ID))
			}
		}
	}
	return nil
}

// JobReport counts what one run of the daily job did.
type JobReport struct {
	Reminded  int `json:"reminded" doc:"rectification reminders sent"`
	Overdue   int `json:"overdue" doc:"首违不罚 findings marked overdue (departments told to open a case)"`
	Unscanned int `json:"unscanned" doc:"monthly unscanned lists sent (0 or 1)"`
	Publicity int `json:"publicity" doc:"publicity deadline warnings"`
}

// RunJobs is the module's daily pass (idempotent: a second run the same
// day sends nothing again):
//   - reminds the enterprise RemindDays before a rectification deadline
//     while no proof is pending or accepted;
//   - marks a 首违不罚 finding overdue when its deadline passed without
//     accepted (or pending) proof, audits it and tells the item's
//     department to open a case (PenaltyForOverdue then records the
//     penalty through the credit module);
//   - on or after the first working day of a month (platform calendar),
//     sends last month's list of unscanned checks to the supervisors,
//     linking to the monthly page;
//   - warns the participating departments of a closed, unpublished task
//     PublishWarnWorkdays working days before its publicity deadline.
func (s *Service) RunJobs(ctx context.Context) (*JobReport, error) {
	ctx = auth.WithActor(ctx, auth.System("inspect.jobs"))
	rep := &JobReport{}
	today := s.today()
	cal, err := s.Calendar.Calendar(ctx)
	if err != nil {
		return nil, err
	}
	err = s.DB.WithTx(ctx, func(ctx context.Context) error {
		// Reminders.
		ids, err := s.resultTasks(ctx, `SELECT r.id, r.task_id FROM inspect_results r WHERE r.outcome = 'rectify' AND r.proof_status IN ('', 'returned')
			AND NOT r.overdue AND r.rectify_by >= $1 AND r.rectify_by <= $2 ORDER BY r.id`, today.String(), today.AddDays(RemindDays).String())
		if err != nil {
			return err
		}
		for _, p := range ids {
			ok, err := s.notice(ctx, "rectify_remind", idText(p[0]))
			if err != nil || !ok {
				if err != nil {
					return err
				}
				continue
			}
			t, _, err := s.loadTask(ctx, p[1])
			if err != nil {
				return err
			}
			if err := s.tellEntity(ctx, t, msgRectifyRemind, s.resultData(t, p[0]), ""); err != nil {
				return err
			}
			rep.Reminded++
		}
		// 首违不罚 past the deadline.
		ids, err = s.resultTasks(ctx, `SELECT r.id, r.task_id FROM inspect_results r WHERE r.first_offence AND r.outcome = 'rectify'
			AND r.proof_status NOT IN ('submitted', 'accepted') AND NOT r.overdue AND r.rectify_by <> '' AND r.rectify_by < $1 ORDER BY r.id`, today.String())
		if err != nil {
			return err
		}
		for _, p := range ids {
			n, err := s.DB.Q(ctx).Exec(ctx, "UPDATE inspect_results SET overdue = TRUE WHERE id = $1 AND NOT overdue", p[0])
			if err != nil {
				return err
			}
			if n == 0 {
				continue
			}
			t, _, err := s.loadTask(ctx, p[1])
			if err != nil {
				return err
			}
			if err := s.Audit.Record(ctx, "inspect.rectify.overdue", "inspect_task", idText(t.ID), nil, map[string]any{"result_id": p[0]},
				"首违不罚逾期未整改 / first offence not rectified in time"); err != nil {
				return err
			}
			if ok, err := s.notice(ctx, "overdue", idText(p[0])); err != nil {
				return err
			} else if ok {
				if err := s.tellDepartment(ctx, t, p[0], msgOverdue, ""); err != nil {
					return err
				}
			}
			rep.Overdue++
		}
		// The monthly unscanned list, on or after the month's first working day.
		y, m, _ := today.Date()
		first := calendar.NewDate(y, m, 1)
		if cal.AddWorkdays(first, 0).Compare(today) <= 0 {
			prev := calendar.NewDate(y, m-1, 1)
			if m == 1 {
				prev = calendar.NewDate(y-1, 12, 1)
			}
			month := prev.String()[:7]
			ok, err := s.notice(ctx, "unscanned", month)
			if err != nil {
				return err
			}
			if ok {
				list, err := s.Unscanned(ctx, month)
				if err != nil {
					return err
				}
				users, err := s.Accounts.UsersWithRole(ctx, auth.Supervisor)
				if err != nil {
					return err
				}
				if err := s.send(ctx, msgUnscanned, users, map[string]any{"month": month, "count": strconv.Itoa(len(list))}, 0, "/inspect/monthly?month="+month); err != nil {
					return err
				}
				rep.Unscanned++
			}
		}
		// Publicity deadlines.
		warnBy := cal.AddWorkdays(today, PublishWarnWorkdays)
		tids, err := s.resultTasks(ctx, `SELECT id, plan_id FROM inspect_tasks WHERE status = 'closed' AND published_at IS NULL AND publish_by <> ''
			AND publish_by <= $1 ORDER BY id`, warnBy.String())
		if err != nil {
			return err
		}
		for _, p := range tids {
			ok, err := s.notice(ctx, "publish_due", idText(p[0]))
			if err != nil {
				return err
			}
			if !ok {
				continue
			}
			t, pl, err := s.loadTask(ctx, p[0])
			if err != nil {
				return err
			}
			var users []int64
			for _, d := range pl.Departments {
				u, err := s.Accounts.DeptUsers(ctx, d, auth.DeptAdmin, auth.DeptStaff)
				if err != nil {
					return err
				}
				users = append(users, u...)
			}
			if err := s.send(ctx, msgPublishDue, users, map[string]any{"task": t.ID, "plan": pl.Code, "deadline": t.PublishBy}, t.ID,
				fmt.Sprintf("/inspect/tasks/%d", t.ID)); err != nil {
				return err
			}
			rep.Publicity++
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return rep, nil
}

func (s *Service) resultData(t *Task, resultID int64) map[string]any {
	data := map[string]any{"task": t.ID}
	for _, r := range t.Results {
		if r.ID == resultID {
			data["deadline"] = r.RectifyBy
			for _, it := range t.Items {
				if it.ID == r.ItemID {
					data["item"] = it.Name
				}
			}
		}
	}
	return data
}

// resultTasks reads pairs of ids.
func (s *Service) resultTasks(ctx context.Context, q string, args ...any) ([][2]int64, error) {
	rows, err := s.DB.Q(ctx).Query(ctx, q, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out [][2]int64
	for rows.Next() {
		var p [2]int64
		if err := rows.Scan(&p[0], &p[1]); err != nil {
			return nil, err
		}
		out = append(out, p)
	}
	return out, rows.Err()
}

// JobArgs is the module's periodic job.
type JobArgs struct{}

// Kind names the job.
func (JobArgs) Kind() string { return "inspect.daily" }

// JobInterval is how often the pass runs (it is idempotent; hourly so a
// day's work is done early in the day).
const JobInterval = time.Hour

// RegisterJobs adds the worker and schedules the pass every JobInterval
// (and once at start). Call before q.Start.
func (s *Service) RegisterJobs(q *jobs.Queue) {
	jobs.Register[JobArgs](q, &jobWorker{s: s})
	q.Every(JobInterval, func() river.JobArgs { return JobArgs{} }, true)
}

type jobWorker struct {
	river.WorkerDefaults[JobArgs]
	s *Service
}

func (w *jobWorker) Work(ctx context.Context, _ *river.Job[JobArgs]) error {
	_, err := w.s.RunJobs(ctx)
	return err
}
