package credit

// Repair reminders (修复提醒, issue 18 item 7): a daily scan finds the
// adverse records whose minimum publicity period has ended and tells the
// enterprise, once, that it can now apply for credit repair, with the
// steps and a link to the application. A record whose obligations are
// recorded as performed later gets one more reminder (no proof needed any
// more). Each (record, stage) is claimed with INSERT ... ON CONFLICT DO
// NOTHING RETURNING, so two scans never send twice.

import (
	"context"
	"fmt"
	"strconv"
	"time"

	"github.com/riverqueue/river"

	"yingshang/internal/auth"
	"yingshang/internal/db"
	"yingshang/internal/jobs"
	"yingshang/internal/notify"
)

// Repair reminder stages.
const (
	RemindPeriod = "period" // minimum period ended; obligations still to be proved
	RemindReady  = "ready"  // minimum period ended and obligations recorded as performed
)

// TypeRepairOpen is the message telling an enterprise it may apply.
const TypeRepairOpen = "credit.repair_open"

// remindBatch is how many records one reminder transaction handles.
const remindBatch = 200

// RemindRepairArgs is the daily repair-reminder job.
type RemindRepairArgs struct{}

// Kind names the job.
func (RemindRepairArgs) Kind() string { return "credit.repair_remind" }

type remindWorker struct {
	river.WorkerDefaults[RemindRepairArgs]
	s *Service
}

func (w *remindWorker) Work(ctx context.Context, _ *river.Job[RemindRepairArgs]) error {
	_, err := w.s.RemindRepairable(auth.WithActor(ctx, auth.System("credit.repair_remind")))
	return err
}

// registerRemindJob registers the job: every 6 hours and at start (so a
// record marked fulfilled in the morning is told the same day).
func (s *Service) registerRemindJob(q *jobs.Queue) {
	jobs.Register[RemindRepairArgs](q, &remindWorker{s: s})
	q.Every(6*time.Hour, func() river.JobArgs { return RemindRepairArgs{} }, true)
}

func registerRepairOpen() {
	inapp := map[string]notify.Template{
		notify.LangZH: {Subject: "可以申请信用修复了", Body: "{{.entity}}：{{.department}}作出的{{.decision_no}}最短公示期已于{{.earliest}}届满，贵单位现在可以申请信用修复。步骤：{{.steps_zh}}申请入口：{{.link}}"},
		notify.LangEN: {Subject: "You can now apply for credit repair", Body: "{{.entity}}: the minimum publicity period of {{.decision_no}} by {{.department}} ended on {{.earliest}}; you can now apply for credit repair. Steps: {{.steps_en}} Apply at {{.link}}"},
	}
	notify.RegisterType(notify.MessageType{Key: TypeRepairOpen, NameZH: "信用修复提醒（可申请修复）", NameEN: "Credit repair reminder (you may apply)",
		Variables: []notify.Variable{
			{Name: "entity", ZH: "企业名称", EN: "entity name", Example: "许昌瑞丰商贸有限公司"},
			{Name: "decision_no", ZH: "决定文书号", EN: "decision number", Example: "许市监罚〔2026〕88号"},
			{Name: "department", ZH: "决定部门", EN: "deciding department", Example: "许昌市市场监督管理局"},
			{Name: "earliest", ZH: "最短公示期届满日", EN: "end of the minimum period", Example: "2027-02-20"},
			{Name: "steps_zh", ZH: "办理步骤（中文）", EN: "steps in Chinese", Example: "1. 登录平台……"},
			{Name: "steps_en", ZH: "办理步骤（英文）", EN: "steps in English", Example: "1. Sign in …"},
			{Name: "link", ZH: "申请入口网址", EN: "application address", Example: "https://yingshang.example.gov.cn/credit/records/1/apply"},
		},
		Defaults: map[string]map[string]notify.Template{notify.ChannelInApp: inapp, notify.ChannelSMS: {
			notify.LangZH: {Body: "【营商】{{.entity}}：{{.decision_no}}最短公示期已满，现可申请信用修复，请登录平台办理：{{.link}}"},
			notify.LangEN: {Body: "[Yingshang] {{.entity}}: the minimum period of {{.decision_no}} has ended; apply for credit repair at {{.link}}"},
		}}})
}

// RepairSteps are the steps a reminder lists: with proof to upload when
// the department has not recorded the obligations as performed.
func RepairSteps(stage string) (zh, en string) {
	if stage == RemindReady {
		return "1. 登录平台进入“我的信用”；2. 选择该记录点击“申请信用修复”；3. 填写申请说明并在线签署信用修复承诺书（决定部门已确认履行义务，无需再上传证明）；4. 提交后决定部门在规定工作日内审核，结果以站内消息和短信告知。",
			"1. Sign in and open My credit; 2. choose the record and click Apply for repair; 3. write a statement and sign the credit commitment online (the department has recorded the obligations as performed: no proof needed); 4. the department reviews within the set working days and tells you in-app and by SMS."
	}
	return "1. 登录平台进入“我的信用”；2. 选择该记录点击“申请信用修复”；3. 填写申请说明、在线签署信用修复承诺书，并上传履行义务的证明（罚款缴纳凭证、整改报告等，PDF 或图片）；4. 提交后决定部门在规定工作日内审核，结果以站内消息和短信告知。",
		"1. Sign in and open My credit; 2. choose the record and click Apply for repair; 3. write a statement, sign the credit commitment online and upload proof the obligations are performed (fine receipt, correction report; PDF or image); 4. the department reviews within the set working days and tells you in-app and by SMS."
}

// RemindRepairable sends the due repair reminders and returns how many
// records were reminded per stage. Due: an adverse record in force (not a
// business-abnormal listing, which leaves the list by its own procedure)
// whose minimum end has come (Asia/Shanghai date), without an open repair
// application; stage ready when its obligations are recorded as performed,
// period otherwise. Platform admins and the system only.
func (s *Service) RemindRepairable(ctx context.Context) (map[string]int, error) {
	if _, err := auth.Require(ctx, auth.PlatformAdmin); err != nil {
		return nil, err
	}
	today := s.today().String()
	out := map[string]int{RemindPeriod: 0, RemindReady: 0}
	var after int64
	for {
		last, err := s.remindBatch(ctx, today, after, out)
		if err != nil || last == 0 {
			return out, err
		}
		after = last
	}
}

type remindRow struct {
	id, entity, dept int64
	met              bool
}

// remindBatch handles the due records with id > after in one transaction
// and returns the last id looked at (0 when none were left).
func (s *Service) remindBatch(ctx context.Context, today string, after int64, out map[string]int) (int64, error) {
	var last int64
	err := s.DB.WithTx(ctx, func(ctx context.Context) error {
		rows, err := s.DB.Q(ctx).Query(ctx, fmt.Sprintf(`SELECT r.id, r.entity_id, r.department_id, r.obligations_met FROM credit_records r
			WHERE r.negative = $1 AND r.status IN ('published', 'unpublished') AND r.kind <> 'abnormal'
			  AND r.min_end <> '' AND r.min_end <= $2 AND r.id > $3
			  AND NOT EXISTS (SELECT 1 FROM credit_repairs p WHERE p.record_id = r.id AND p.status IN ('submitted', 'more_info'))
			  AND NOT EXISTS (SELECT 1 FROM credit_repair_reminders m WHERE m.record_id = r.id
			                  AND m.stage = CASE WHEN r.obligations_met THEN 'ready' ELSE 'period' END)
			ORDER BY r.id LIMIT %d`, remindBatch), true, today, after)
		if err != nil {
			return err
		}
		var due []remindRow
		for rows.Next() {
			var x remindRow
			if err := rows.Scan(&x.id, &x.entity, &x.dept, &x.met); err != nil {
				rows.Close()
				return err
			}
			due = append(due, x)
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return err
		}
		for _, x := range due {
			last = x.id
			stage := RemindPeriod
			if x.met {
				stage = RemindReady
			}
			var claimed int64
			err := s.DB.Q(ctx).QueryRow(ctx, `INSERT INTO credit_repair_reminders (record_id, stage, scan_day, created_at) VALUES ($1, $2, $3, $4)
				ON CONFLICT (record_id, stage) DO NOTHING RETURNING id`, x.id, stage, today, s.now()).Scan(&claimed)
			if err != nil {
				if db.IsNoRows(err) {
					continue // another scan sent it
				}
				return err
			}
			n, err := s.sendRepairOpen(ctx, x.id, stage)
			if err != nil {
				return err
			}
			if _, err := s.DB.Q(ctx).Exec(ctx, "UPDATE credit_repair_reminders SET messages = $1 WHERE id = $2", n, claimed); err != nil {
				return err
			}
			if err := s.Audit.Record(ctx, "credit.repair_remind", "credit_record", strconv.FormatInt(x.id, 10), nil,
				map[string]any{"stage": stage, "messages": n}, "repair reminder: the minimum publicity period has ended"); err != nil {
				return err
			}
			out[stage]++
		}
		return nil
	})
	return last, err
}

// sendRepairOpen tells the entity's accounts (in-app and SMS) and returns
// how many messages were created.
func (s *Service) sendRepairOpen(ctx context.Context, recordID int64, stage string) (int, error) {
	r, err := s.recordByID(ctx, recordID)
	if err != nil {
		return 0, err
	}
	to, err := s.entityUsers(ctx, r.EntityID)
	if err != nil || len(to) == 0 {
		return 0, err
	}
	zh, en := RepairSteps(stage)
	earliest := r.MinEnd
	if earliest < r.Start {
		earliest = r.Start
	}
	ids, err := s.Notify.Send(ctx, notify.Message{Type: TypeRepairOpen, To: to, Channels: []string{notify.ChannelInApp, notify.ChannelSMS},
		ObjectType: "credit_record", ObjectID: strconv.FormatInt(r.ID, 10), Link: fmt.Sprintf("/credit/records/%d/apply", r.ID),
		Data: map[string]any{"entity": r.EntityName, "decision_no": r.Content.DecisionNo, "department": r.DepartmentName, "earliest": earliest,
			"steps_zh": zh, "steps_en": en, "link": fmt.Sprintf("%s/credit/records/%d/apply", s.BaseURL, r.ID)}})
	return len(ids), err
}
