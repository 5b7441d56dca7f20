package inspect

import (
	"context"
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
	"time"

	"yingshang/internal/auth"
	"yingshang/internal/calendar"
	"yingshang/internal/clock"
	"yingshang/internal/entity"
	"yingshang/internal/ident"
	"yingshang/internal/yserr"
)

// asInspectorKey lets the demo loader (a system actor in this package) act
// as a given inspector: the demo's inspectors have no accounts.
type asInspectorKey struct{}

func (s *Service) demoInspector(ctx context.Context) (*Inspector, bool, error) {
	id, ok := ctx.Value(asInspectorKey{}).(int64)
	if !ok || !auth.From(ctx).IsSystem() {
		return nil, false, nil
	}
	in, err := scanInspector(s.DB.Q(ctx).QueryRow(ctx, "SELECT "+inspectorCols+" FROM inspect_inspectors WHERE id = $1", id))
	return in, true, err
}

var demoSurnames = []rune("王李张刘陈杨赵黄周吴徐孙胡朱高林何郭马罗梁宋郑谢韩唐冯于董萧")
var demoGiven = []string{"建军", "秀英", "志刚", "丽华", "海峰", "晓静", "国强", "红梅", "永生", "春燕", "卫东", "玉兰", "新华", "雪梅", "振宇"}

// LoadDemo loads two departments' item lists (market regulation and tax),
// 60 inspectors, a filed joint plan over the demo entities with graded
// classes sampled by a witnessed draw, some tasks done with scans and
// results, one rectification under way, and one quiet-day exception plan.
// The plan ran last month (a clock set to the 21st, after the quiet days).
func (s *Service) LoadDemo(ctx context.Context) error {
	ctx = auth.WithActor(ctx, auth.System("inspect.demo"))
	sjj, err := s.Accounts.DepartmentByCode(ctx, "XC-SJJ")
	if err != nil || sjj == 0 {
		return err
	}
	swj, err := s.Accounts.DepartmentByCode(ctx, "XC-SWJ")
	if err != nil || swj == 0 {
		return err
	}
	items := []Item{
		{DepartmentID: sjj, Code: "SJJ-01", Name: "营业执照（登记事项）公示情况检查", LegalBasis: "《市场主体登记管理条例》第三十五条", Method: "onsite", RiskLevel: "low", FirstOffence: true},
		{DepartmentID: sjj, Code: "SJJ-02", Name: "年度报告公示信息检查", LegalBasis: "《企业信息公示暂行条例》第八条、第十二条", Method: "documents", RiskLevel: "medium", FirstOffence: true},
		{DepartmentID: sjj, Code: "SJJ-03", Name: "食品经营许可及经营过程检查", LegalBasis: "《食品安全法》第三十五条、第一百一十条", Method: "onsite", Industries: []string{"F52", "H62"}, RiskLevel: "high"},
		{DepartmentID: sjj, Code: "SJJ-04", Name: "产品质量监督抽查", LegalBasis: "《产品质量法》第十五条", Method: "sampling", Industries: []string{"C"}, RiskLevel: "high"},
		{DepartmentID: swj, Code: "SWJ-01", Name: "发票使用和管理情况检查", LegalBasis: "《发票管理办法》第三十五条", Method: "documents", RiskLevel: "medium"},
		{DepartmentID: swj, Code: "SWJ-02", Name: "纳税申报真实性检查", LegalBasis: "《税收征收管理法》第五十四条", Method: "documents", RiskLevel: "medium"},
		{DepartmentID: swj, Code: "SWJ-03", Name: "税务登记信息变更检查", LegalBasis: "《税收征收管理法》第十六条", Method: "online", RiskLevel: "low", FirstOffence: true},
	}
	var itemIDs []int64
	for _, it := range items {
		saved, err := s.SaveItem(ctx, it)
		if err != nil {
			return fmt.Errorf("inspect demo: item %s: %w", it.Code, err)
		}
		itemIDs = append(itemIDs, saved.ID)
	}
	targets, err := s.Entities.Targets(ctx, entity.TargetFilter{Regions: []string{"4110"}})
	if err != nil {
		return err
	}
	var regions []string
	for _, t := range targets {
		if !slices.Contains(regions, t.Region) {
			regions = append(regions, t.Region)
		}
	}
	slices.Sort(regions)
	if len(regions) == 0 {
		return nil
	}
	r := rand.New(rand.NewPCG(2026, 15))
	for i := range 60 {
		dept, prefix, sp := sjj, "41100020", []string{"食品安全", "产品质量", "登记监管"}[i%3]
		if i >= 30 {
			dept, prefix, sp = swj, "41100030", []string{"发票管理", "纳税评估", "税务登记"}[i%3]
		}
		in := Inspector{DepartmentID: dept, Name: fmt.Sprintf("%c%s", demoSurnames[r.IntN(len(demoSurnames))], demoGiven[r.IntN(len(demoGiven))]),
			CertNo: fmt.Sprintf("%s%04d", prefix, i+1), Status: "active", Specialties: []string{sp}, Region: regions[i%len(regions)]}
		if i%29 == 7 {
			in.Status = "suspended"
		}
		if i == 3 && len(targets) > 0 {
			in.Relations = []string{targets[0].USCC} // a declared relation (回避)
		}
		if _, err := s.SaveInspector(ctx, in); err != nil {
			return fmt.Errorf("inspect demo: inspector %d: %w", i, err)
		}
	}
	// Last month, from the 21st (after the quiet days).
	now := s.Clock.Now().In(calendar.Shanghai)
	first := time.Date(now.Year(), now.Month(), 1, 9, 0, 0, 0, calendar.Shanghai)
	then := first.AddDate(0, -1, 20)
	past := *s
	past.Clock = clock.NewFixed(then.UTC())
	staff := &auth.Actor{Username: "inspect.demo", Name: "inspect.demo", Via: "system", Roles: []auth.Role{auth.DeptStaff}, DepartmentID: sjj, DeptScope: []int64{sjj}}
	pctx := auth.WithActor(ctx, staff)
	day := calendar.FromTime(then, calendar.Shanghai)
	plan, err := past.CreatePlan(pctx, PlanInput{Code: fmt.Sprintf("SSJ-%d-LH01", day.Year()), Title: "市场监管与税务联合双随机抽查（综合查一次）",
		Departments: []int64{swj}, Items: itemIDs, StartsOn: day.String(), EndsOn: day.AddDays(8).String(), Regions: []string{"4110"}, Ratios: "A:100,B:300,C:600,D:1000"})
	if err != nil {
		return fmt.Errorf("inspect demo: plan: %w", err)
	}
	if _, err := past.SubmitPlan(pctx, plan.ID); err != nil {
		return err
	}
	if _, err := past.FilePlan(ctx, plan.ID, fmt.Sprintf("许营商备〔%d〕15号", day.Year())); err != nil {
		return err
	}
	if _, err := past.CommitPlan(pctx, plan.ID); err != nil {
		return fmt.Errorf("inspect demo: commit: %w", err)
	}
	if _, err := past.Sample(pctx, plan.ID, SampleInput{WitnessName: "见证员孙丽", WitnessValue: "502714"}); err != nil {
		return fmt.Errorf("inspect demo: sample: %w", err)
	}
	tasks, err := past.Tasks(ctx, TaskFilter{PlanID: plan.ID})
	if err != nil {
		return err
	}
	// Work on the D and C classes first (the dashboard's problem-finding
	// rate then has a closed D check whatever order the tasks were
	// inserted in), newest first within a class.
	slices.SortFunc(tasks, func(a, b Task) int {
		if a.Class != b.Class {
			return strings.Compare(b.Class, a.Class)
		}
		return int(b.ID - a.ID)
	})
	rectifying := false
	for i, t := range tasks {
		if i >= 6 {
			break
		}
		ictx := context.WithValue(ctx, asInspectorKey{}, t.Inspectors[0].ID)
		if i != 4 { // one check recorded without a scan: flagged
			if _, err := past.ScanEntry(ictx, t.ID, ScanInput{Code: "https://ys.example.gov.cn/e/" + t.USCC, Latitude: "34.03580", Longitude: "113.85210"}); err != nil {
				return fmt.Errorf("inspect demo: scan: %w", err)
			}
		}
		for j, it := range t.Items {
			res := ResultInput{ItemID: it.ID, Outcome: OutcomeOK}
			if i == 1 && j == 1 && !rectifying {
				res = ResultInput{ItemID: it.ID, Outcome: OutcomeRectify, Note: "年度报告中从业人数与社保缴纳人数不一致"}
				rectifying = true
			}
			if _, err := past.RecordResult(ictx, t.ID, res); err != nil {
				return fmt.Errorf("inspect demo: result: %w", err)
			}
		}
		if _, err := past.Confirm(ictx, t.ID, ConfirmInput{Text: "对检查结果无异议", Signer: "企业负责人"}); err != nil {
			return err
		}
		if i < 3 {
			if _, err := past.CloseTask(ictx, t.ID); err != nil {
				return fmt.Errorf("inspect demo: close: %w", err)
			}
			if _, err := past.PublishTask(pctx, t.ID); err != nil {
				return err
			}
		}
	}
	// The demo accounts sjj-staff and swj-staff are inspectors on open tasks
	// (the phone flow can be tried with them).
	linked := map[int64]bool{}
	for _, t := range tasks[6:] {
		for _, m := range t.Inspectors {
			in, err := scanInspector(s.DB.Q(ctx).QueryRow(ctx, "SELECT "+inspectorCols+" FROM inspect_inspectors WHERE id = $1", m.ID))
			if err != nil {
				return err
			}
			user := map[int64]string{sjj: "sjj-staff", swj: "swj-staff"}[in.DepartmentID]
			if user == "" || linked[in.DepartmentID] || in.Status != "active" {
				continue
			}
			in.Username = user
			if _, err := s.SaveInspector(ctx, *in); err != nil {
				return fmt.Errorf("inspect demo: link %s: %w", user, err)
			}
			linked[in.DepartmentID] = true
		}
	}
	// A complaint-triggered check may run during the quiet days (audited).
	if len(targets) > 0 {
		ex, err := s.CreatePlan(pctx, PlanInput{Code: fmt.Sprintf("TS-%d-%02d01", now.Year(), int(now.Month())), Title: "投诉举报核查（宁静日例外）",
			Items: itemIDs[2:3], Routine: new(bool), ExceptionKind: "complaint", ExceptionReason: "12345 热线转办：消费者反映食品过期销售",
			StartsOn: calendar.FromTime(now, calendar.Shanghai).String(), EndsOn: calendar.FromTime(now, calendar.Shanghai).AddDays(5).String(),
			Regions: []string{targets[0].Region}, Industries: []string{"F52"}, Ratios: "A:1000,B:1000,C:1000,D:1000"})
		if err != nil && !yserr.Is(err, yserr.Invalid) {
			return fmt.Errorf("inspect demo: exception plan: %w", err)
		}
		_ = ex
	}
	return nil
}

var _ = strings.TrimSpace
var _ = ident.NormalizeUSCC
