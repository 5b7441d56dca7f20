package credit

import (
	"context"
	"strconv"
	"sync"

	"yingshang/internal/notify"
)

// Message types of the module. The four events go to webhooks; the
// others reach people in-app and by SMS.
const (
	TypeRecordPublished = "credit.record_published"
	TypeRecordRepaired  = "credit.record_repaired"
	TypeRecordExpired   = "credit.record_expired"
	TypeGradeChanged    = "credit.grade_changed"
	TypeRepairNotice    = "credit.repair_notice"
	TypeRepairResult    = "credit.repair_result"
	TypeRepairDue       = "credit.repair_due"
)

var registerOnce sync.Once

// RegisterMessages registers the module's message types (once per process).
func RegisterMessages() {
	registerOnce.Do(registerTypes)
}

func registerTypes() {
	registerRepairOpen()
	registerStaged()
	rec := []notify.Variable{
		{Name: "record_id", ZH: "记录编号", EN: "record id", Example: 1024},
		{Name: "uscc", ZH: "统一社会信用代码", EN: "unified social credit code", Example: "91411002MA9XK1QR11"},
		{Name: "entity", ZH: "企业名称", EN: "entity name", Example: "许昌瑞丰商贸有限公司"},
		{Name: "kind", ZH: "信息类别", EN: "kind of record", Example: "penalty"},
		{Name: "decision_no", ZH: "决定文书号", EN: "decision number", Example: "许市监罚〔2026〕88号"},
	}
	for _, t := range []struct{ key, zh, en string }{
		{TypeRecordPublished, "信用信息开始公示", "Credit record published"},
		{TypeRecordRepaired, "信用信息已修复（停止公示、共享、使用）", "Credit record repaired (stop publishing, sharing, using)"},
		{TypeRecordExpired, "信用信息公示期满或移出", "Credit record publicity ended"},
	} {
		notify.RegisterType(notify.MessageType{Key: t.key, NameZH: t.zh, NameEN: t.en, Variables: rec})
	}
	notify.RegisterType(notify.MessageType{Key: TypeGradeChanged, NameZH: "信用等级变化", NameEN: "Credit grade changed",
		Variables: []notify.Variable{rec[1], rec[2],
			{Name: "grade", ZH: "新等级", EN: "new grade", Example: "B"},
			{Name: "previous", ZH: "原等级", EN: "previous grade", Example: "A"},
			{Name: "colour", ZH: "颜色", EN: "colour", Example: "red"}}})

	notice := map[string]notify.Template{
		notify.LangZH: {Subject: "信用修复告知书", Body: "{{.entity}}：{{.department}}已对贵单位作出行政处罚决定（{{.decision_no}}）。根据两书同达制度，同步送达《信用修复告知书》：最早可于{{.earliest}}申请信用修复。请登录平台查看告知书（编号 {{.code}}）。"},
		notify.LangEN: {Subject: "Credit repair notice", Body: "{{.entity}}: {{.department}} has issued penalty decision {{.decision_no}}. With it we serve the credit repair notice: you may apply for repair from {{.earliest}}. Sign in to read notice {{.code}}."},
	}
	notify.RegisterType(notify.MessageType{Key: TypeRepairNotice, NameZH: "信用修复告知书（两书同达）", NameEN: "Credit repair notice",
		Variables: []notify.Variable{rec[2], rec[4],
			{Name: "department", ZH: "决定部门", EN: "deciding department", Example: "许昌市市场监督管理局"},
			{Name: "earliest", ZH: "最早可申请修复日期", EN: "earliest repair date", Example: "2027-02-28"},
			{Name: "code", ZH: "告知书编号", EN: "notice code", Example: "7KQ2-M9XD-4TBR-P3WH"}},
		Defaults: map[string]map[string]notify.Template{notify.ChannelInApp: notice, notify.ChannelSMS: {
			notify.LangZH: {Body: "【营商】{{.entity}}：{{.department}}处罚决定（{{.decision_no}}）的信用修复告知书已送达，最早可于{{.earliest}}申请信用修复，请登录平台查看。"},
			notify.LangEN: {Body: "[Yingshang] {{.entity}}: the credit repair notice for decision {{.decision_no}} was served; repair possible from {{.earliest}}. Sign in to read it."},
		}}})

	result := map[string]notify.Template{
		notify.LangZH: {Subject: "信用修复申请结果", Body: "{{.entity}}：您对记录（{{.decision_no}}）的信用修复申请{{.result_zh}}。{{if .reason}}说明：{{.reason}}{{end}}"},
		notify.LangEN: {Subject: "Credit repair application", Body: "{{.entity}}: your credit repair application for {{.decision_no}} was {{.result_en}}.{{if .reason}} Note: {{.reason}}{{end}}"},
	}
	notify.RegisterType(notify.MessageType{Key: TypeRepairResult, NameZH: "信用修复申请结果", NameEN: "Credit repair result",
		Variables: []notify.Variable{rec[2], rec[4],
			{Name: "result_zh", ZH: "结果（中文）", EN: "result in Chinese", Example: "已通过"},
			{Name: "result_en", ZH: "结果（英文）", EN: "result in English", Example: "approved"},
			{Name: "reason", ZH: "理由", EN: "reason", Example: "材料齐全"}},
		Defaults: map[string]map[string]notify.Template{notify.ChannelInApp: result, notify.ChannelSMS: {
			notify.LangZH: {Body: "【营商】{{.entity}}：信用修复申请（{{.decision_no}}）{{.result_zh}}。{{.reason}}"},
			notify.LangEN: {Body: "[Yingshang] {{.entity}}: repair application {{.decision_no}} {{.result_en}}. {{.reason}}"},
		}}})

	due := map[string]notify.Template{
		notify.LangZH: {Subject: "信用修复申请即将到期", Body: "{{.entity}}的信用修复申请（{{.decision_no}}）须在{{.due}}前审核完毕。"},
		notify.LangEN: {Subject: "Credit repair review due", Body: "The credit repair application of {{.entity}} ({{.decision_no}}) must be reviewed by {{.due}}."},
	}
	notify.RegisterType(notify.MessageType{Key: TypeRepairDue, NameZH: "信用修复审核到期提醒", NameEN: "Credit repair review due",
		Variables: []notify.Variable{rec[2], rec[4], {Name: "due", ZH: "审核期限", EN: "review deadline", Example: "2026-12-03 23:59"}},
		Defaults:  map[string]map[string]notify.Template{notify.ChannelInApp: due, notify.ChannelSMS: {notify.LangZH: {Body: "【营商】{{.entity}}信用修复申请须在{{.due}}前审核。"}, notify.LangEN: {Body: "[Yingshang] Repair application of {{.entity}} due {{.due}}."}}}})
}

// event tells the webhooks about a record (no personal recipients).
func (s *Service) event(ctx context.Context, typ string, recordID int64) error {
	// The record's status changed: its audit event carries the new state
	// for the deep check.
	if err := s.Audit.Record(ctx, typ, "credit_record", strconv.FormatInt(recordID, 10), nil, nil, ""); err != nil {
		return err
	}
	var ent int64
	var kind, content string
	err := s.DB.Q(ctx).QueryRow(ctx, `SELECT r.entity_id, r.kind, v.content FROM credit_records r
		JOIN credit_record_versions v ON v.record_id = r.id AND v.version = r.current_version WHERE r.id = $1`, recordID).Scan(&ent, &kind, &content)
	if err != nil {
		return err
	}
	e, err := s.Entities.Ref(ctx, ent, "")
	if err != nil {
		return err
	}
	uscc, name := e.USCC, e.Name
	c, err := parseContent(content)
	if err != nil {
		return err
	}
	_, err = s.Notify.Send(ctx, notify.Message{Type: typ, ObjectType: "credit_record", ObjectID: strconv.FormatInt(recordID, 10), Link: recordLink(recordID),
		Data: map[string]any{"record_id": recordID, "uscc": uscc, "entity": name, "kind": kind, "decision_no": c.DecisionNo}})
	return err
}
