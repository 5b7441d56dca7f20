package appeal

import (
	"context"
	"fmt"
	"time"

	"yingshang/internal/auth"
	"yingshang/internal/calendar"
	"yingshang/internal/yserr"
)

// LoadDemo creates demo appeals in every state, some near their deadline,
// some overdue, one published typical case, and two appeals registered by
// the 12345 hotline. It expects the core demo (departments XC-YSJ, XC-SJJ,
// XC-SWJ, users sjj-staff, swj-staff, hotline and the user "enterprise"
// bound to an entity); it does nothing when they are missing or appeals
// exist already.
func (s *Service) LoadDemo(ctx context.Context) error {
	var n int64
	if err := s.DB.Q(ctx).QueryRow(ctx, `SELECT COUNT(*) FROM appeals`).Scan(&n); err != nil || n > 0 {
		return err
	}
	ent, err := s.demoActor(ctx, "enterprise")
	if err != nil || ent == nil || ent.EntityID == 0 {
		return err
	}
	staff, err := s.demoActor(ctx, "sjj-staff")
	if err != nil || staff == nil {
		return err
	}
	sjj, err := s.Accounts.DepartmentByCode(ctx, "XC-SJJ")
	if err != nil {
		return err
	}
	swj, err := s.Accounts.DepartmentByCode(ctx, "XC-SWJ")
	if err != nil {
		return err
	}
	if sjj == 0 {
		return nil
	}
	if _, err := s.AddRoute(ctx, Route{Topic: "纳税", DeptID: swj}); err != nil && swj != 0 {
		return err
	}
	if _, err := s.AddRoute(ctx, Route{Topic: "开办企业", DeptID: sjj}); err != nil {
		return err
	}
	d := &demo{s: s, sys: ctx, ent: auth.WithActor(ctx, ent), staff: auth.WithActor(ctx, staff), sjj: sjj}
	if err := d.run(); err != nil {
		return err
	}
	if err := d.runTerms(); err != nil {
		return err
	}
	// The 12345 hotline operator (core demo user "hotline", when present)
	// registers two appeals that came by phone: one for the demo
	// enterprise, which then finds it in "my appeals" with a message, and
	// one for a caller who is not a registered business.
	hotline, err := s.demoActor(ctx, "hotline")
	if err != nil || hotline == nil {
		return err
	}
	h := auth.WithActor(ctx, hotline)
	e, err := s.Entities.Get(ctx, ent.EntityID)
	if err != nil {
		return err
	}
	if _, err := s.Create(h, Input{USCC: e.USCC, Channel: "hotline12345", Kind: Help, Topic: "获得电力", Title: "临时用电接入进度查询",
		Description: "企业来电：新租厂房申请临时用电已两周，供电公司尚未上门勘查，请协调加快。", ContactPref: "sms"}); err != nil {
		return fmt.Errorf("demo appeal by phone: %w", err)
	}
	if _, err := s.Create(h, Input{PersonName: "张先生", PersonPhone: "13937400099", Channel: "hotline12345", Kind: Consult,
		Topic: "开办企业", Title: "个体工商户登记咨询", Description: "来电人想开一家小吃店，询问个体工商户登记和食品经营许可怎么办。"}); err != nil {
		return fmt.Errorf("demo appeal by phone: %w", err)
	}
	return nil
}

type demo struct {
	s               *Service
	sys, ent, staff context.Context
	sjj             int64
	err             error
}

func (d *demo) submit(kind Kind, topic, title, desc string, daysAgo int) int64 {
	if d.err != nil {
		return 0
	}
	a, err := d.s.Create(d.ent, Input{Kind: kind, Topic: topic, Title: title, Description: desc, Publishable: true, ContactPref: "inapp"})
	if err != nil {
		d.err = fmt.Errorf("demo appeal %q: %w", title, err)
		return 0
	}
	if daysAgo > 0 {
		d.err = d.s.backdate(d.sys, a.ID, daysAgo)
	}
	return a.ID
}

func (d *demo) step(ctx context.Context, id int64, acts ...Act) {
	for _, act := range acts {
		if d.err != nil {
			return
		}
		if _, err := d.s.Transition(ctx, id, act); err != nil {
			d.err = fmt.Errorf("demo appeal %d %s: %w", id, act.Action, err)
		}
	}
}

func (d *demo) run() error {
	accept, assign := Act{Action: ActAccept}, Act{Action: ActAssign, DeptID: d.sjj}
	claim := Act{Action: ActClaim}
	d.submit(Help, "开办企业", "新设分公司能否当天领取营业执照", "我公司计划在魏都区设立分公司，材料已在网上提交，请问能否当天领取营业执照？需要到哪个窗口？", 0)
	id := d.submit(Consult, "纳税", "小规模纳税人季度申报期限咨询", "请问小规模纳税人第四季度增值税申报截止日期是哪天，遇节假日是否顺延？", 0)
	d.step(d.sys, id, accept)
	id = d.submit(Complaint, "执法检查", "同一月内被多个部门重复检查", "本月内市场监管、消防、环保先后三次上门检查，内容重复，影响正常生产，希望推行综合查一次。", 0)
	d.step(d.sys, id, accept, assign)
	// Near its deadline: a consultation submitted yesterday.
	id = d.submit(Consult, "开办企业", "经营范围变更是否需要重新刻章", "公司经营范围变更后，原有公章是否还能继续使用？", 1)
	d.step(d.sys, id, accept, assign)
	d.step(d.staff, id, claim)
	// Overdue: a help request submitted eight working days ago.
	id = d.submit(Help, "获得电力", "厂房扩建用电增容迟迟未批复", "我公司厂房扩建需要增容至800千伏安，申请已提交一个多月，至今没有答复。", 12)
	d.step(d.sys, id, accept, assign)
	d.step(d.staff, id, claim)
	id = d.submit(Help, "政策兑现", "技改补贴申报材料需补充什么", "去年的技术改造项目补贴申报被告知材料不全，不清楚还需补充哪些材料。", 0)
	d.step(d.sys, id, accept, assign)
	d.step(d.staff, id, claim, Act{Action: ActRequestInfo, Note: "请补充项目竣工验收报告和设备发票清单。"})
	id = d.submit(Suggestion, "其他", "建议延长政务服务大厅周六开放时间", "很多小微企业工作日难以抽身，建议政务服务大厅周六全天开放。", 0)
	d.step(d.sys, id, accept, assign)
	d.step(d.staff, id, claim, Act{Action: ActReply, Note: "感谢建议。自下月起，市政务服务大厅周六上午开放综合窗口。"})
	id = d.submit(Consult, "融资", "创业担保贷款申请条件", "请问小微企业申请创业担保贷款需要满足哪些条件？", 0)
	d.step(d.sys, id, accept, assign)
	d.step(d.staff, id, claim, Act{Action: ActReply, Note: "需满足：成立两年内、吸纳就业人数达标、无不良信用记录。"})
	d.step(d.ent, id, Act{Action: ActRate, Rating: Unsatisfied, Note: "没有说明额度和办理地点。"})
	id = d.submit(Complaint, "执法检查", "执法人员未出示证件", "上周检查时执法人员未出示执法证件，也未说明检查依据。", 0)
	d.step(d.sys, id, accept, assign)
	d.step(d.staff, id, claim, Act{Action: ActReply, Note: "已核实，对相关人员批评教育，今后检查一律扫码亮证。"})
	d.step(d.ent, id, Act{Action: ActRate, Rating: Unsatisfied, Note: "希望给出书面处理结果。"}, Act{Action: ActReopen})
	id = d.submit(Help, "开办企业", "企业开办全程网办遇到电子签名问题", "企业开办全程网办时股东电子签名一直失败，无法提交。", 0)
	d.step(d.sys, id, accept, assign)
	d.step(d.staff, id, claim, Act{Action: ActReply, Note: "系统已修复签名组件，并安排专人电话指导，已于当日完成提交。"})
	d.step(d.ent, id, Act{Action: ActRate, Rating: Satisfied, Note: "很及时。"})
	d.step(d.sys, id, Act{Action: ActFollowUp, Note: "电话回访，企业表示满意。"}, Act{Action: ActClose})
	if d.err == nil {
		_, d.err = d.s.Publish(d.sys, id, CaseInput{Title: "全程网办电子签名故障当日解决",
			Summary: "某商贸企业在企业开办全程网办中遇到股东电子签名失败。市场监管部门当日定位并修复签名组件，安排专人电话指导，企业当天完成提交并领取电子营业执照。"})
	}
	id = d.submit(Complaint, "政策兑现", "稳岗补贴迟迟未到账", "去年申报的稳岗补贴审核通过已三个月，至今未到账。", 0)
	d.step(d.sys, id, accept, assign)
	d.step(d.staff, id, claim, Act{Action: ActReply, Note: "已转财政部门，预计本月底前拨付。"})
	d.step(d.ent, id, Act{Action: ActRate, Rating: Unsatisfied, Note: "已多次答复月底拨付，仍未到账。"}, Act{Action: ActEscalate, Note: "请求领导督办。"})
	id = d.submit(Consult, "纳税", "研发费用加计扣除政策咨询", "今年研发费用加计扣除比例是多少，如何在预缴时享受？", 0)
	d.step(d.sys, id, accept, assign)
	d.step(d.staff, id, claim, Act{Action: ActReply, Note: "科技型中小企业按100%加计扣除，可在10月预缴时选择享受。"})
	d.step(d.ent, id, Act{Action: ActRate, Rating: Basic})
	d.step(d.sys, id, Act{Action: ActFollowUp, Note: "电话回访，企业基本满意，建议增加操作指引。"})
	first := d.submit(Help, "开办企业", "新设分公司能否当天领取营业执照", "我公司计划在魏都区设立分公司，材料已在网上提交，请问能否当天领到营业执照？", 0)
	if d.err == nil {
		var orig int64
		d.err = d.s.DB.Q(d.sys).QueryRow(d.sys, `SELECT MIN(id) FROM appeals`).Scan(&orig)
		d.step(d.sys, first, Act{Action: ActMerge, TargetID: orig})
	}
	id = d.submit(Praise, "其他", "表扬税务局窗口服务", "税务局窗口工作人员耐心细致，一次就办好了业务。", 0)
	d.step(d.sys, id, Act{Action: ActReject, Note: "表扬已转达相关部门，无需办理。"})
	return d.err
}

// backdate moves a fresh demo appeal's submission back by n working days
// and recomputes its deadlines.
func (s *Service) backdate(ctx context.Context, id int64, n int) error {
	cal, err := s.Calendar.Calendar(ctx)
	if err != nil {
		return err
	}
	st, err := s.Settings(ctx)
	if err != nil {
		return err
	}
	a, err := s.load(ctx, id)
	if err != nil {
		return err
	}
	day := cal.AddWorkdays(calendar.FromTime(a.SubmittedAt, shanghai), -n)
	at := day.Time(shanghai).Add(10 * time.Hour).UTC()
	before := *a
	a.SubmittedAt, a.ClockStart = at, at
	if err := s.computeDeadlines(ctx, cal, st, a); err != nil {
		return err
	}
	return s.DB.WithTx(ctx, func(ctx context.Context) error {
		_, err := s.DB.W(ctx).Exec(ctx, `UPDATE appeals SET submitted_at = $1, clock_start = $1, created_at = $1, first_response_due = $2, reply_due = $3
		WHERE id = $4`, at, a.FirstResponseDue, a.ReplyDue, id)
		if err == nil {
			// The day of submission moved: so does the appeal in the dashboard rollup.
			err = s.rollupMove(ctx, &before, a)
		}
		if err == nil {
			_, err = s.DB.W(ctx).Exec(ctx, `UPDATE appeal_events SET created_at = $1 WHERE appeal_id = $2`, at, id)
		}
		return err
	})
}

// demoActor builds the actor of a demo user, nil when it does not exist.
func (s *Service) demoActor(ctx context.Context, username string) (*auth.Actor, error) {
	a, err := s.Accounts.ActorOf(ctx, username, "session")
	if yserr.Is(err, yserr.NotFound) {
		return nil, nil
	}
	return a, err
}
