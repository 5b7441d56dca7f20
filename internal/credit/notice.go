package credit

import (
	"context"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"time"

	"yingshang/internal/notify"
	"yingshang/internal/yserr"
)

// Line is a text in both languages.
type Line struct {
	ZH string `json:"zh"`
	EN string `json:"en"`
}

// Notice is the credit repair notice (信用修复告知书) served with a
// penalty decision (两书同达).
type Notice struct {
	Code        string     `json:"code"`
	RecordID    int64      `json:"record_id"`
	Version     int        `json:"version"`
	Entity      string     `json:"entity"`
	USCC        string     `json:"uscc"`
	Department  string     `json:"department"`
	DecisionNo  string     `json:"decision_no"`
	DecidedOn   string     `json:"decided_on"`
	Class       string     `json:"class"`
	EarliestOn  string     `json:"earliest_on" doc:"earliest date a repair may be applied for"`
	MaxEnd      string     `json:"max_end" doc:"publicity ends at the latest on this date"`
	Published   bool       `json:"published"`
	Conditions  []Line     `json:"conditions"`
	Materials   []Line     `json:"materials"`
	Where       []Line     `json:"where"`
	IssuedAt    time.Time  `json:"issued_at"`
	DeliveredAt *time.Time `json:"delivered_at,omitempty"`
	Delivery    []int64    `json:"delivery,omitempty" doc:"notification ids (in-app, SMS) of the delivery"`
}

func parseContent(s string) (Content, error) {
	var c Content
	err := json.Unmarshal([]byte(s), &c)
	return c, err
}

// issueNotice writes the repair notice for the record's current version
// and sends it to the entity's accounts in-app and by SMS, recording the
// delivery. It runs in the caller's transaction.
func (s *Service) issueNotice(ctx context.Context, id int64) error {
	r, err := s.recordByID(ctx, id)
	if err != nil {
		return err
	}
	n := s.composeNotice(r)
	to, err := s.entityUsers(ctx, r.EntityID)
	if err != nil {
		return err
	}
	var ids []int64
	if len(to) > 0 {
		ids, err = s.Notify.Send(ctx, notify.Message{Type: TypeRepairNotice, To: to, Channels: []string{notify.ChannelInApp, notify.ChannelSMS},
			ObjectType: "credit_record", ObjectID: strconv.FormatInt(id, 10), Link: recordLink(id) + "/notice",
			Data: map[string]any{"entity": r.EntityName, "decision_no": r.Content.DecisionNo, "department": r.DepartmentName, "earliest": n.EarliestOn, "code": n.Code}})
		if err != nil {
			return err
		}
		at := s.now()
		n.DeliveredAt, n.Delivery = &at, ids
	}
	body, err := json.Marshal(n)
	if err != nil {
		return err
	}
	if _, err := s.DB.Q(ctx).Exec(ctx, `INSERT INTO credit_notices (record_id, version, code, earliest_on, body, delivered_at, notifications, created_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`, id, r.Version, n.Code, n.EarliestOn, string(body), n.DeliveredAt, joinIDs(ids), n.IssuedAt); err != nil {
		return err
	}
	return s.Audit.Record(ctx, "credit.notice_issue", "credit_record", strconv.FormatInt(id, 10), nil,
		map[string]any{"code": n.Code, "earliest_on": n.EarliestOn, "delivery": ids}, "两书同达")
}

func joinIDs(ids []int64) string {
	s := make([]string, len(ids))
	for i, id := range ids {
		s[i] = strconv.FormatInt(id, 10)
	}
	return strings.Join(s, ",")
}

func (s *Service) composeNotice(r *Record) Notice {
	earliest := r.MinEnd
	if earliest < r.Start {
		earliest = r.Start
	}
	n := Notice{Code: newCode(), RecordID: r.ID, Version: r.Version, Entity: r.EntityName, USCC: r.USCC, Department: r.DepartmentName,
		DecisionNo: r.Content.DecisionNo, DecidedOn: r.Content.DecidedOn, Class: r.Class, EarliestOn: earliest, MaxEnd: r.MaxEnd,
		Published: r.Status == StatusPublished, IssuedAt: s.now()}
	n.Conditions = []Line{
		{fmt.Sprintf("自 %s 起（最短公示期满）可以申请信用修复；公示期最长至 %s，期满自动停止公示。", earliest, r.MaxEnd),
			fmt.Sprintf("You may apply for credit repair from %s (end of the minimum publicity period); publicity ends automatically on %s at the latest.", earliest, r.MaxEnd)},
		{"已经纠正失信行为、履行行政处罚决定规定的义务（如缴清罚款、没收款项，完成整改）。", "The misconduct has been corrected and the obligations of the decision performed (fines paid, corrections made)."},
		{"作出信用承诺：签署《信用修复承诺书》，承诺所提交材料真实、今后依法诚信经营。", "A credit commitment is signed in the system: the materials are true and the business will operate lawfully."},
	}
	if !n.Published {
		n.Conditions[0] = Line{"该轻微失信信息依规不予公示；履行义务后即可申请修复。", "This minor record is not published; you may apply for repair as soon as the obligations are performed."}
	}
	n.Materials = []Line{
		{"信用修复申请说明（在平台内填写）。", "A statement of the application (written in the platform)."},
		{"履行义务的证明：缴款凭证、整改报告、复查意见等（PDF 或图片）。", "Proof of performed obligations: payment receipts, correction reports, inspection results (PDF or images)."},
		{"信用修复承诺书（在平台内在线签署，无须另行提交纸质件）。", "The credit commitment (signed online in the platform; no paper copy needed)."},
	}
	n.Where = []Line{
		{"线上：登录营商平台“我的信用”栏目，在该条记录下点击“申请信用修复”；或通过“信用中国”网站一站式办理。", "Online: sign in to the platform, open My credit and choose Apply for repair on the record; or use the Credit China single window."},
		{"线下：各级政务服务大厅信用修复窗口。谁认定、谁修复：由" + r.DepartmentName + "在 3 个工作日内作出决定。", "In person: the credit repair window of any government service hall. The deciding department (" + r.DepartmentName + ") decides within 3 working days."},
	}
	return n
}

// Notices lists a record's notices, newest first.
func (s *Service) Notices(ctx context.Context, recordID int64) ([]Notice, error) {
	if _, err := s.Get(ctx, recordID); err != nil {
		return nil, err
	}
	rows, err := s.DB.Q(ctx).Query(ctx, "SELECT body FROM credit_notices WHERE record_id = $1 ORDER BY id DESC", recordID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []Notice
	for rows.Next() {
		var b string
		if err := rows.Scan(&b); err != nil {
			return nil, err
		}
		var n Notice
		if err := json.Unmarshal([]byte(b), &n); err != nil {
			return nil, err
		}
		out = append(out, n)
	}
	return out, rows.Err()
}

// LatestNotice returns the record's current notice.
func (s *Service) LatestNotice(ctx context.Context, recordID int64) (*Notice, error) {
	ns, err := s.Notices(ctx, recordID)
	if err != nil {
		return nil, err
	}
	if len(ns) == 0 {
		return nil, yserr.ErrNotFound("信用修复告知书", "credit repair notice")
	}
	return &ns[0], nil
}

// NoticePDF renders a notice as a PDF.
func NoticePDF(n *Notice, baseURL string) []byte {
	p := NewPDF("信用修复告知书 " + n.Code)
	p.Heading(20, "信用修复告知书")
	p.Heading(11, "Credit repair notice · 编号 No. "+n.Code)
	p.Rule()
	p.Para(12, 0, n.Entity+"（统一社会信用代码："+n.USCC+"）：")
	p.Para(12, 24, fmt.Sprintf("%s于 %s 对你单位作出行政处罚决定（%s）。根据“两书同达”制度，现将信用修复有关事项告知如下：", n.Department, n.DecidedOn, n.DecisionNo))
	p.Gap(4)
	section := func(title string, lines []Line) {
		p.Para(13, 0, title)
		for i, l := range lines {
			p.Para(12, 12, fmt.Sprintf("%d. %s", i+1, l.ZH))
			p.Para(9, 24, l.EN)
		}
		p.Gap(4)
	}
	section("一、修复条件 Conditions", n.Conditions)
	section("二、申请材料 Materials", n.Materials)
	section("三、申请途径 Where to apply", n.Where)
	p.Rule()
	p.Para(11, 0, "最早可申请修复日期 Earliest repair date："+n.EarliestOn)
	p.Para(11, 0, "公示期最长至 Publicity ends at the latest："+n.MaxEnd)
	p.Para(11, 0, "送达方式 Delivered：站内消息、短信 in-app message and SMS，"+n.IssuedAt.In(cst).Format("2006-01-02 15:04"))
	p.Gap(12)
	p.Para(12, 260, n.Department)
	p.Para(12, 260, n.IssuedAt.In(cst).Format("2006年1月2日"))
	p.Gap(12)
	p.Para(9, 0, "本告知书与行政处罚决定书同时送达。核验 Verify: "+strings.TrimRight(baseURL, "/")+"/public/credit/verify?code="+n.Code)
	return p.Bytes()
}

var cst = time.FixedZone("CST", 8*3600)
