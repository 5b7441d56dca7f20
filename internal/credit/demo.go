package credit

import (
	"context"
	"fmt"

	"yingshang/internal/auth"
)

// LoadDemo adds the credit demo data (ctx carries the system actor):
// department classification tables, entities with published, repaired and
// expired records, a serious-list entry, an abnormal-list entry, positive
// records, a pending repair application, a commitment, logged checks and
// every entity's grade.
func (s *Service) LoadDemo(ctx context.Context) error {
	dept := map[string]int64{}
	for _, code := range []string{"XC-SJJ", "WD-SJJ", "XC-SWJ", "XC-FGW"} {
		id, err := s.DepartmentByCode(ctx, code)
		if err != nil {
			return fmt.Errorf("credit demo: department %s: %w", code, err)
		}
		dept[code] = id
	}
	for _, code := range []string{"XC-SJJ", "WD-SJJ"} {
		if err := s.SetDeptClasses(ctx, dept[code], map[string]string{
			ClassMinor:   "初次违法且危害后果轻微并及时改正，或仅处警告、通报批评",
			ClassGeneral: "罚款金额在10万元以下，或没收违法所得",
			ClassSerious: "罚款金额10万元以上，或责令停产停业、吊销许可证件",
		}); err != nil {
			return err
		}
	}
	ents, err := s.demoEntities(ctx)
	if err != nil {
		return err
	}
	if err := s.demoModelsAndScenes(ctx); err != nil {
		return err
	}
	today := s.today()
	day := func(n int) string { return today.AddDays(-n).String() }
	pen := func(e int64, d, no, class, basis string, fine float64, daysAgo int) Input {
		ps := []Penalty{{Type: "warning"}}
		if fine > 0 {
			ps = []Penalty{{Type: "fine", Amount: fine}}
		}
		return Input{EntityID: e, DepartmentID: dept[d], Kind: KindPenalty, Content: Content{DecisionNo: no, DecidedOn: day(daysAgo), LegalBasis: basis,
			Facts: "经营过程中存在违法行为，已依法处理。", Penalties: ps, Class: class}}
	}
	food := "《中华人民共和国食品安全法》第一百二十六条"
	ad := "《中华人民共和国广告法》第五十五条"
	inputs := []Input{
		// The demo enterprise: a licence (positive) and a minor warning (not published).
		{EntityID: ents[0], DepartmentID: dept["WD-SJJ"], Kind: KindLicence, Content: Content{DecisionNo: "魏市监许〔" + today.AddDays(-400).String()[:4] + "〕0311号", DecidedOn: day(400), Title: "食品经营许可证"}},
		pen(ents[0], "WD-SJJ", "魏市监罚〔"+today.AddDays(-30).String()[:4]+"〕0107号", ClassMinor, food, 0, 30),
		// Published, eligible and with a pending repair application.
		pen(ents[1], "XC-SJJ", "许市监罚〔"+today.AddDays(-120).String()[:4]+"〕0233号", ClassGeneral, food, 20000, 120),
		// To be repaired below.
		pen(ents[2], "XC-SJJ", "许市监罚〔"+today.AddDays(-200).String()[:4]+"〕0158号", ClassGeneral, ad, 50000, 200),
		// Decided four years ago: publicity ended.
		pen(ents[3], "XC-SJJ", "许工商处字〔"+today.AddDays(-1500).String()[:4]+"〕第021号", ClassGeneral, ad, 10000, 1500),
		// Serious penalty and a serious-dishonesty list entry.
		pen(ents[4], "XC-SJJ", "许市监罚〔"+today.AddDays(-60).String()[:4]+"〕0412号", ClassSerious, food, 300000, 60),
		{EntityID: ents[4], DepartmentID: dept["XC-FGW"], Kind: KindSeriousList, Content: Content{DecisionNo: "许发改信用〔" + today.AddDays(-45).String()[:4] + "〕12号",
			DecidedOn: day(45), LegalBasis: "《失信行为纠正后的信用信息修复管理办法》", Title: "列入严重失信主体名单"}},
		// A repeat penalty: three adverse records within a year make it a
		// high-frequency dishonest enterprise (governance ledger, issue 18).
		pen(ents[4], "XC-SJJ", "许市监罚〔"+today.AddDays(-20).String()[:4]+"〕0533号", ClassGeneral, food, 50000, 20),
		{EntityID: ents[5], DepartmentID: dept["WD-SJJ"], Kind: KindAbnormal, Content: Content{DecidedOn: day(90), LegalBasis: "《市场主体登记管理条例》：未按规定报送年度报告"}},
		{EntityID: ents[6], DepartmentID: dept["XC-SWJ"], Kind: KindTaxGrade, Content: Content{DecidedOn: day(200), TaxGrade: "A", TaxYear: today.Year() - 1}},
		{EntityID: ents[6], DepartmentID: dept["XC-FGW"], Kind: KindCommendation, Content: Content{DecidedOn: day(150), Title: "许昌市守合同重信用企业"}},
		{EntityID: ents[7], DepartmentID: dept["XC-SWJ"], Kind: KindTaxGrade, Content: Content{DecidedOn: day(200), TaxGrade: "C", TaxYear: today.Year() - 1}},
	}
	ids := make([]int64, len(inputs))
	for i, in := range inputs {
		r, err := s.Create(ctx, in)
		if err != nil {
			return fmt.Errorf("credit demo record %d: %w", i, err)
		}
		ids[i] = r.ID
	}
	if err := s.SetObligations(ctx, ids[3], true, "罚款已于缴款期限内缴清"); err != nil {
		return err
	}
	as := func(e int64) context.Context {
		return auth.WithActor(ctx, &auth.Actor{Username: "demo", Name: "demo", Roles: []auth.Role{auth.Enterprise}, EntityID: e, Via: "system"})
	}
	proof := []Upload{{Name: "缴款凭证.pdf", Data: NewPDF("缴款凭证").Bytes()}}
	if _, err := s.Apply(as(ents[1]), ids[2], ApplyInput{Statement: "已缴清罚款并完成整改，申请信用修复。", SignCommitment: true, Files: proof}); err != nil {
		return fmt.Errorf("credit demo apply: %w", err)
	}
	rp, err := s.Apply(as(ents[2]), ids[3], ApplyInput{Statement: "已整改广告内容并缴清罚款。", SignCommitment: true})
	if err != nil {
		return fmt.Errorf("credit demo apply: %w", err)
	}
	if _, err := s.Review(ctx, rp.ID, ReviewInput{Decision: "approve", Reason: "材料齐全，符合修复条件"}); err != nil {
		return err
	}
	if _, err := s.Sign(ctx, CommitmentInput{EntityID: ents[1], DepartmentID: dept["XC-SJJ"], Kind: "missing_material", Process: "食品经营许可变更",
		Text: "承诺在20个工作日内补交场所平面图，逾期未补交的自愿承担相应责任。", DeadlineOn: today.AddDays(20).String()}); err != nil {
		return err
	}
	for i, e := range []int64{ents[0], ents[4], ents[1], ents[5]} {
		if _, err := s.Check(ctx, CheckInput{EntityID: e, Scene: Scenes[i%2], Purpose: fmt.Sprintf("演示项目 XCCG-%d", 2026000+i)}); err != nil {
			return err
		}
	}
	if err := s.demoGovernance(ctx, ents, dept); err != nil {
		return err
	}
	if _, err = s.RecomputeAll(ctx); err != nil {
		return err
	}
	return s.loadStagedDemo(ctx, dept, ents, ids, as)
}

// demoEntities picks the demo enterprise's entity first, then seven more.
func (s *Service) demoEntities(ctx context.Context) ([]int64, error) {
	own, err := s.Accounts.UserEntity(ctx, "enterprise")
	if err != nil {
		return nil, err
	}
	// One more than needed, in case the demo enterprise's entity is among them.
	ids, err := s.Entities.IDsWithStatus(ctx, 9, "active", "operating")
	if err != nil {
		return nil, err
	}
	var out []int64
	if own != 0 {
		out = append(out, own)
	}
	for _, id := range ids {
		if id != own {
			out = append(out, id)
		}
	}
	if len(out) < 8 {
		return nil, fmt.Errorf("credit demo: need 8 entities, have %d", len(out))
	}
	return out[:8], nil
}
