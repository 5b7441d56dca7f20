package credit

import (
	"context"
	"fmt"

	"yingshang/internal/auth"
	"yingshang/internal/calendar"
)

// loadStagedDemo adds the demo data of issue 18 items 6, 8 and 11 after
// the grades are computed: the tax hall registered as a service point with
// an assisted application awaiting the demo enterprise's confirmation (on
// its minor warning), a serious-list entry whose repair passed the first
// review and waits at 信用中国（河南） with its clock, the same staged
// review for an application of the demo enterprise (demoOwnStaged), a
// fulfilled and a broken commitment, a published red list and a draft
// black list.
func (s *Service) loadStagedDemo(ctx context.Context, dept map[string]int64, ents, ids []int64, as func(int64) context.Context) error {
	today := s.today()
	if _, err := s.SetServicePoint(ctx, ServicePoint{DepartmentID: dept["XC-SWJ"], Kind: "hall", Label: "许昌市税务局办税服务厅信用修复窗口", Active: true}); err != nil {
		return err
	}
	window := auth.WithActor(ctx, &auth.Actor{Username: "demo", Name: "demo", Roles: []auth.Role{auth.DeptStaff}, DepartmentID: dept["XC-SWJ"],
		DeptScope: []int64{dept["XC-SWJ"]}, Via: "system"})
	if _, err := s.ApplyAssisted(window, AssistedInput{RecordID: ids[1], Statement: "企业已当场改正并接受警告，委托办税服务厅窗口代为申请信用修复。",
		Authorisation: &Upload{Name: "授权委托书.pdf", Data: NewPDF("授权委托书").Bytes()}}); err != nil {
		return fmt.Errorf("credit demo assisted: %w", err)
	}
	// Staged review: a serious-list entry of ents[3], decided 400 days ago
	// (the one-year minimum has passed), goes through the first review to
	// the provincial site.
	sl, err := s.Create(ctx, Input{EntityID: ents[3], DepartmentID: dept["XC-FGW"], Kind: KindSeriousList, Content: Content{
		DecisionNo: "许发改信用〔" + today.AddDays(-400).String()[:4] + "〕07号", DecidedOn: today.AddDays(-400).String(),
		LegalBasis: "《失信行为纠正后的信用信息修复管理办法》", Title: "列入严重失信主体名单"}})
	if err != nil {
		return fmt.Errorf("credit demo serious list: %w", err)
	}
	rp, err := s.Apply(as(ents[3]), sl.ID, ApplyInput{Statement: "已履行法定义务并完成整改，申请移出严重失信主体名单。", SignCommitment: true,
		Files: []Upload{{Name: "整改报告.pdf", Data: NewPDF("整改报告").Bytes()}}})
	if err != nil {
		return fmt.Errorf("credit demo staged apply: %w", err)
	}
	if _, err := s.FirstReview(ctx, rp.ID, FirstReviewInput{Decision: "pass", Route: "external", ExternalBody: "信用中国（河南）", Note: "材料齐全，报送省级信用网站"}); err != nil {
		return fmt.Errorf("credit demo first review: %w", err)
	}
	if err := s.demoOwnStaged(ctx, dept, ents[0], as); err != nil {
		return fmt.Errorf("credit demo: the demo enterprise's staged repair: %w", err)
	}
	// Commitments: one kept, one broken (which becomes a record).
	for i, c := range []struct {
		ent    int64
		breach bool
		text   string
	}{{ents[6], false, "承诺自取得许可之日起3个月内完成消防验收备案。"}, {ents[7], true, "承诺30日内补交环境影响登记表。"}} {
		cm, err := s.Sign(ctx, CommitmentInput{EntityID: c.ent, DepartmentID: dept["XC-SJJ"], Kind: "missing_material", Process: fmt.Sprintf("食品经营许可 XCSP-%d", 2026100+i),
			Text: c.text, DeadlineOn: today.AddDays(10).String()})
		if err != nil {
			return err
		}
		note := ""
		if c.breach {
			note = "逾期未补交环境影响登记表"
		}
		if _, err := s.Resolve(ctx, cm.ID, c.breach, note); err != nil {
			return err
		}
	}
	red, err := s.DraftList(ctx, ListInput{Kind: ListRed, Title: fmt.Sprintf("%d年度诚信经营红榜", calendar.FromTime(s.now(), calendar.Shanghai).Year()),
		Criteria: "无公示中的失信信息，且有行政许可、表彰奖励等守信信息，信用等级为A级的市场主体。", Grades: "A"})
	if err != nil {
		return err
	}
	if _, err := s.PublishList(ctx, red.ID); err != nil {
		return err
	}
	_, err = s.DraftList(ctx, ListInput{Kind: ListBlack, Title: "严重失信主体黑榜（待确认）", Criteria: "列入严重失信主体名单，或信用等级为D级的市场主体。", Grades: "D"})
	return err
}

// demoOwnStaged gives the demo enterprise (ent) an application of its own
// at the external step, so that signing in as `enterprise` shows the
// staged review: submitted, first review passed, 信用中国（河南） with its
// 10-working-day clock, closed.
//
// The record is an earlier minor warning (a warning, not published), so
// the enterprise's grade and credit checks stay as the other demo flows
// expect (a published adverse record would lower them). A minor penalty
// goes straight to the department under the default routes, so the demo
// routes penalties through the first review while the application comes
// in (an application takes the route in force when it is made) and puts
// the default route back at once: later penalty applications in the demo
// go to the department as before. Both route changes are audited like any
// other.
func (s *Service) demoOwnStaged(ctx context.Context, dept map[string]int64, ent int64, as func(int64) context.Context) error {
	today := s.today()
	warn, err := s.Create(ctx, Input{EntityID: ent, DepartmentID: dept["WD-SJJ"], Kind: KindPenalty, Content: Content{
		DecisionNo: "魏市监罚〔" + today.AddDays(-40).String()[:4] + "〕0062号", DecidedOn: today.AddDays(-40).String(),
		LegalBasis: "《中华人民共和国广告法》第五十五条", Facts: "店招宣传用语使用“最佳”等绝对化用语，已当场改正。",
		Penalties: []Penalty{{Type: "warning"}}, Class: ClassMinor}})
	if err != nil {
		return err
	}
	if _, err := s.SetRoute(ctx, Route{Kind: KindPenalty, FirstReview: true, ExternalDays: 10}); err != nil {
		return err
	}
	rp, err := s.Apply(as(ent), warn.ID, ApplyInput{Statement: "已更换店招并完成广告合规自查，申请信用修复。", SignCommitment: true,
		Files: []Upload{{Name: "整改情况说明.pdf", Data: NewPDF("整改情况说明").Bytes()}}})
	if err != nil {
		return err
	}
	if err := s.ResetRoute(ctx, KindPenalty); err != nil {
		return err
	}
	_, err = s.FirstReview(ctx, rp.ID, FirstReviewInput{Decision: "pass", Route: "external", ExternalBody: "信用中国（河南）", Note: "材料齐全，报送省级信用网站"})
	return err
}
