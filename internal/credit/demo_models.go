package credit

import (
	"context"
	"fmt"
)

// demoModelsAndScenes adds the two demo grade models and the demo scenes
// with their rules (issue 18 items 9 and 10), before the demo records so
// that every record change grades its entity under its sector's model.
func (s *Service) demoModelsAndScenes(ctx context.Context) error {
	for _, m := range DemoGradeModels() {
		if _, err := s.SaveGradeModel(ctx, m); err != nil {
			return fmt.Errorf("credit demo model %s: %w", m.Code, err)
		}
	}
	scenes, rules := DemoScenes()
	for _, sc := range scenes {
		if _, err := s.SaveScene(ctx, sc); err != nil {
			return fmt.Errorf("credit demo scene %s: %w", sc.Code, err)
		}
	}
	old, err := s.SceneRules(ctx)
	if err != nil {
		return err
	}
	return s.SetSceneRules(ctx, append(old, rules...))
}

// demoGovernance pushes inputs from other modules, scans the key-governance
// ledger (the serious-list entity has three adverse records in a year, see
// the repeat penalty in LoadDemo), adds an entry by hand and asks checks in
// the new scenes (items 9, 10, 12).
func (s *Service) demoGovernance(ctx context.Context, ents []int64, dept map[string]int64) error {
	inputs := []GradeInput{
		{EntityID: ents[0], Indicator: "inspection_result", Value: 100, Source: "inspect", Reason: "双随机抽查未发现问题（XC-SJJ-2026-0412）"},
		{EntityID: ents[0], Indicator: "contract_performance", Value: 95, Source: "contract", Reason: "合同按期履约，五色评价绿色"},
		{EntityID: ents[1], Indicator: "inspection_result", Value: 60, Source: "inspect", Reason: "抽查发现问题，已责令整改（XC-SJJ-2026-0377）"},
		{EntityID: ents[2], Indicator: "procurement_rating", Value: 90, Source: "procure", Reason: "政府采购项目履约评价优秀"},
	}
	for _, in := range inputs {
		if _, err := s.RecordInput(ctx, in); err != nil {
			return fmt.Errorf("credit demo input: %w", err)
		}
	}
	if _, err := s.ScanHighFrequency(ctx); err != nil {
		return err
	}
	e, err := s.Entities.Ref(ctx, ents[5], "")
	if err != nil {
		return err
	}
	if _, err := s.AddLedgerEntry(ctx, LedgerInput{USCC: e.USCC, DepartmentID: dept["WD-SJJ"], Measures: "信用约谈；指导补报年度报告并申请移出经营异常名录", Note: "已约谈法定代表人"}); err != nil {
		return err
	}
	for i, sc := range []string{"financing", "supervision", "approval", "bond"} {
		if _, err := s.Check(ctx, CheckInput{EntityID: ents[i%3], Scene: sc, Purpose: fmt.Sprintf("演示 %s-%d", sc, i+1)}); err != nil {
			return err
		}
	}
	return nil
}
