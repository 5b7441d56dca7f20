package policy

import (
	"context"
	"encoding/json"
	"fmt"
	"hash/fnv"
	"maps"
	"slices"
	"strconv"
	"strings"
	"time"

	"yingshang/internal/auth"
	"yingshang/internal/calendar"
	"yingshang/internal/entity"
	"yingshang/internal/policy/rules"
	"yingshang/internal/yserr"
)

// DemoPolicy is one of the demo policies of a prefecture city.
type DemoPolicy struct {
	Dept string // department code
	Input
}

// DemoPolicies are ten realistic policies of a prefecture city (Xuchang).
// factYear is the year of the facts they read; today the day they start.
func DemoPolicies(factYear int, today string) []DemoPolicy {
	y := strconv.Itoa(factYear)
	to := strconv.Itoa(factYear+2) + "-12-31"
	p := func(dept, title, docNo, basis, cat, mode string, budgetYuan int64, cond, amount, summary string) DemoPolicy {
		return DemoPolicy{Dept: dept, Input: Input{Title: title, DocNo: docNo, LegalBasis: basis, Category: cat, Mode: mode,
			Summary: summary, Guide: "符合条件的企业无需提交材料，由发文部门依据共享数据核定；如有疑问请在“政策兑现”诉求中提出。",
			ValidFrom: today, ValidTo: to, FactYear: factYear, BudgetFen: budgetYuan * 100, ReviewDays: 5,
			Condition: json.RawMessage(cond), Amount: json.RawMessage(amount)}}
	}
	return []DemoPolicy{
		p("XC-FGW", "企业研发费用后补助", "许政〔"+y+"〕18号", "《许昌市支持科技创新若干政策》第三条", "innovation", ModeAuto, 20_000_000,
			`{"all":[{"fact":"industry","op":"prefix","value":["C","I","M"]},{"fact":"rd_spending_wan","op":">=","value":50},{"fact":"status","op":"in","value":["active","operating"]}]}`,
			`{"kind":"rate","fact":"rd_spending_wan","rate":0.1,"cap":500000}`, "按上年度研发费用的10%给予后补助，单个企业最高50万元。"),
		p("XC-FGW", "高新技术企业认定奖励", "许政〔"+y+"〕18号", "《许昌市支持科技创新若干政策》第五条", "innovation", ModeAuto, 100_000_000,
			`{"all":[{"fact":"high_tech","op":"=","value":true},{"fact":"founded_on","op":"<=","value":"today-1y"}]}`,
			`{"kind":"fixed","amount":200000}`, "对有效期内的高新技术企业一次性奖励20万元。"),
		p("XC-FGW", "首次升规入统工业企业奖励", "许政办〔"+y+"〕23号", "《许昌市促进工业企业升规入统实施办法》", "industry", ModeAuto, 5_000_000,
			`{"all":[{"fact":"industry","op":"prefix","value":["B","C","D"]},{"fact":"revenue_wan","op":"between","value":[2000,4000]}]}`,
			`{"kind":"fixed","amount":100000}`, "上年度主营业务收入首次达到2000万元的工业企业，一次性奖励10万元。"),
		p("XC-YSJ", "吸纳高校毕业生就业补贴", "许人社〔"+y+"〕9号", "《就业补助资金管理办法》（财社〔2017〕164号）", "talent", ModeInstant, 3_000_000,
			`{"all":[{"fact":"graduates_hired","op":">=","value":1},{"fact":"size","op":"in","value":["medium","small","micro"]}]}`,
			`{"kind":"rate","fact":"graduates_hired","rate":1500,"cap":150000}`, "中小微企业吸纳离校2年内高校毕业生并签订1年以上劳动合同的，按每人1500元给予一次性补贴。"),
		p("XC-FGW", "中小微企业贷款贴息", "许金融〔"+y+"〕4号", "《许昌市中小微企业融资支持办法》", "finance", ModeReview, 8_000_000,
			`{"all":[{"fact":"size","op":"in","value":["small","micro"]},{"fact":"loan_interest_wan","op":">=","value":1}]}`,
			`{"kind":"rate","fact":"loan_interest_wan","rate":0.5,"cap":300000}`, "按实际支付贷款利息的50%给予贴息，单户最高30万元。"),
		p("XC-FGW", "专精特新企业奖励", "许政〔"+y+"〕18号", "《许昌市支持科技创新若干政策》第七条", "innovation", ModeAuto, 6_000_000,
			`{"all":[{"fact":"tags","op":"has","value":"专精特新"},{"fact":"size","op":"in","value":["medium","small","micro"]}]}`,
			`{"kind":"fixed","amount":300000}`, "对认定为省级专精特新的中小企业一次性奖励30万元。"),
		p("XC-SWJ", "纳税信用A级企业激励", "许税发〔"+y+"〕31号", "《纳税信用管理办法》第二十九条", "finance", ModeAuto, 4_000_000,
			`{"all":[{"fact":"tax_grade","op":"=","value":"A"},{"fact":"tax_paid_wan","op":">=","value":100}]}`,
			`{"kind":"tiers","fact":"tax_paid_wan","tiers":[{"from":100,"amount":20000},{"from":500,"amount":50000},{"from":1000,"amount":100000}]}`,
			"纳税信用A级且上年度纳税100万元以上的企业，按纳税额分档奖励。"),
		p("XC-YSJ", "小微企业稳岗返还", "许人社〔"+y+"〕12号", "《失业保险条例》", "talent", ModeAuto, 3_000_000,
			`{"all":[{"fact":"size","op":"in","value":["small","micro"]},{"fact":"insured_employees","op":">=","value":5}]}`,
			`{"kind":"rate","fact":"insured_employees","rate":300,"cap":50000}`, "不裁员或少裁员的小微企业，按参保职工每人300元返还失业保险费。"),
		p("XC-SJJ", "新设立科技型小微企业创业补贴", "许市监〔"+y+"〕6号", "《许昌市优化营商环境条例》", "startup", ModeInstant, 2_000_000,
			`{"all":[{"fact":"founded_on","op":">=","value":"today-3y"},{"fact":"industry","op":"prefix","value":["I","M"]},{"fact":"size","op":"in","value":["small","micro"]}]}`,
			`{"kind":"fixed","amount":30000}`, "成立3年内的信息技术、科技服务类小微企业，给予3万元创业补贴。"),
		p("XC-FGW", "工业企业技术改造补助", "许工信〔"+y+"〕15号", "《许昌市工业企业技术改造专项资金管理办法》", "industry", ModeReview, 30_000_000,
			`{"all":[{"fact":"industry","op":"prefix","value":["C"]},{"fact":"investment_wan","op":">=","value":500}]}`,
			`{"kind":"rate","fact":"investment_wan","rate":0.08,"cap":2000000}`, "技术改造设备投资500万元以上的，按投资额的8%给予补助，最高200万元。"),
	}
}

// demoFacts derives an entity's yearly facts from its attributes and a
// hash of its id (the same every time the demo loads).
func demoFacts(a *entity.Attrs) map[string]float64 {
	h := fnv.New64a()
	fmt.Fprint(h, a.ID, a.USCC)
	x := h.Sum64()
	next := func(n uint64) uint64 { v := x % n; x = x/n ^ (x << 7); return v }
	rev := map[string]float64{"large": 80000, "medium": 12000, "small": 1800, "micro": 200}[a.SizeClass]
	if rev == 0 {
		rev = 500
	}
	if a.RevenueWan != nil && *a.RevenueWan > 0 {
		rev = *a.RevenueWan
	} else {
		rev = rev * float64(50+next(100)) / 100
	}
	emp := float64(map[string]int{"large": 1200, "medium": 300, "small": 60, "micro": 8}[a.SizeClass])
	if a.Employees != nil {
		emp = float64(*a.Employees)
	}
	f := map[string]float64{
		"revenue_wan":       float64(int(rev*10)) / 10,
		"tax_paid_wan":      float64(int(rev*float64(2+next(5)))) / 100,
		"rd_spending_wan":   float64(int(rev*float64(next(6)))) / 100,
		"insured_employees": float64(int(emp * float64(70+next(30)) / 100)),
		"graduates_hired":   float64(next(9)),
		"loan_interest_wan": float64(next(40)),
	}
	if len(a.IndustryCode) > 0 && sectionOf(a.IndustryCode) == "C" {
		f["investment_wan"] = float64(next(3000))
	}
	if next(100) < 12 {
		f["high_tech"] = 1
	}
	return f
}

// LoadDemo loads the demo data (ctx carries the system actor): yearly
// facts for every entity, the ten policies (published), and a completed
// grant round of the automatic ones: granted, confirmed and paid, with the
// intercepted grants and their reasons.
func (s *Service) LoadDemo(ctx context.Context) error {
	now := s.Clock.Now().In(calendar.Shanghai)
	year := now.Year() - 1
	grades := []string{"A", "A", "A", "B", "B", "B", "B", "M", "M", "C"}
	type row struct {
		id    int64
		facts map[string]float64
		grade string
	}
	var all []row
	err := s.Entities.EachAttrs(ctx, 0, 2000, func(a *entity.Attrs) error {
		all = append(all, row{a.ID, demoFacts(a), grades[a.ID%int64(len(grades))]})
		return nil
	})
	if err != nil {
		return err
	}
	// The demo enterprise qualifies for several policies.
	if own, err := s.Accounts.UserEntity(ctx, "enterprise"); err == nil && own != 0 {
		for i := range all {
			if all[i].id == own {
				all[i].facts["rd_spending_wan"] = 180
				all[i].facts["graduates_hired"] = 4
				all[i].facts["insured_employees"] = 36
				all[i].facts["high_tech"] = 1
				all[i].grade = "A"
			}
		}
	}
	err = s.DB.WithTx(ctx, func(ctx context.Context) error {
		ts := s.now()
		// Multi-row inserts of up to 100 facts (500 parameters).
		var ph []string
		var args []any
		flush := func() error {
			if len(ph) == 0 {
				return nil
			}
			_, err := s.DB.Q(ctx).Exec(ctx, `INSERT INTO policy_facts (entity_id, year, fact, value_num, value_text, source, updated_at) VALUES `+strings.Join(ph, ", "), args...)
			ph, args = ph[:0], args[:0]
			return err
		}
		add := func(id int64, fact string, num any, text, source string) error {
			k := len(args)
			ph = append(ph, fmt.Sprintf("($%d, %d, $%d, $%d, $%d, $%d, $%d)", k+1, year, k+2, k+3, k+4, k+5, k+6))
			args = append(args, id, fact, num, text, source, ts)
			if len(ph) == 80 {
				return flush()
			}
			return nil
		}
		for _, r := range all {
			for _, k := range slices.Sorted(maps.Keys(r.facts)) {
				if err := add(r.id, k, r.facts[k], "", "演示数据 demo"); err != nil {
					return err
				}
			}
			if err := add(r.id, "tax_grade", nil, r.grade, "国家税务总局许昌市税务局 · 演示数据"); err != nil {
				return err
			}
		}
		return flush()
	})
	if err != nil {
		return fmt.Errorf("policy demo facts: %w", err)
	}
	var auto []*Policy
	byTitle := map[string]*Policy{}
	for _, dp := range DemoPolicies(year, now.Format("2006-01-02")) {
		dept, err := s.Accounts.DepartmentByCode(ctx, dp.Dept)
		if err != nil {
			return fmt.Errorf("policy demo: department %s: %w", dp.Dept, err)
		}
		dp.DepartmentID = dept
		// Push by tags (标签推送): the 专精特新 reward goes to tagged firms that
		// meet it; the start-up subsidy tells every 科技型中小企业 about itself.
		switch dp.Title {
		case "专精特新企业奖励":
			dp.TargetTags, dp.PushScope = []string{"专精特新"}, ScopeMatch
		case "新设立科技型小微企业创业补贴":
			dp.TargetTags, dp.PushScope = []string{"科技型中小企业"}, ScopeNotice
		}
		p, err := s.Create(ctx, dp.Input)
		if err != nil {
			return fmt.Errorf("policy demo %s: %w", dp.Title, err)
		}
		if p, err = s.Publish(ctx, p.ID); err != nil {
			return err
		}
		byTitle[p.Title] = p
		// The round: two automatic policies with a few hundred grants
		// between them (enough for statements and the dashboard, quick to load).
		if p.Title == "高新技术企业认定奖励" || p.Title == "纳税信用A级企业激励" {
			auto = append(auto, p)
		}
	}
	// A completed round: granted (受理), confirmed (审核) and paid (到账).
	for i, p := range auto {
		if _, err := s.GrantRun(ctx, p.ID, strconv.Itoa(year), false); err != nil {
			return fmt.Errorf("policy demo grant run %s: %w", p.Title, err)
		}
		if _, err := s.Confirm(ctx, p.ID, strconv.Itoa(year)); err != nil {
			return err
		}
		gs, err := s.Grants(ctx, p.ID, strconv.Itoa(year))
		if err != nil {
			return err
		}
		var ids []int64
		for _, g := range gs {
			if g.Status == GrantApproved {
				ids = append(ids, g.ID)
			}
		}
		if _, err := s.RecordPayment(ctx, ids, fmt.Sprintf("XCCZ-%d-%03d", year+1, i+1)); err != nil {
			return err
		}
	}
	if err := s.demoPushes(ctx); err != nil {
		return fmt.Errorf("policy demo pushes: %w", err)
	}
	_ = rules.Fen
	return s.loadApplyDemo(ctx, byTitle)
}

// demoPushes gives the dashboard's read rate and the enterprise's
// messages data: the publish pass (run here rather than left to the job,
// so the state is known); the demo enterprise's pushes are dated back
// eight days, as if they went out last week, and it has read all but one of its
// messages, and that one, unread for more than RepushDays, is pushed
// again; then the pushes the weekly cap held last week go out, unread.
func (s *Service) demoPushes(ctx context.Context) error {
	published, err := s.live(ctx)
	if err != nil {
		return err
	}
	for _, p := range published {
		if _, err := s.RunPushes(ctx, p.ID); err != nil {
			return err
		}
	}
	if s.Notify == nil || s.Accounts == nil {
		return nil
	}
	own, err := s.Accounts.UserEntity(ctx, "enterprise")
	if err != nil && !yserr.Is(err, yserr.NotFound) {
		return err
	}
	if own == 0 {
		return nil // no demo enterprise: nothing to read
	}
	a, err := s.Accounts.ActorOf(ctx, "enterprise", "demo")
	if err != nil {
		return err
	}
	// The demo enterprise's pushes went out last week.
	back := 8 * 24 * time.Hour
	rows, err := s.pushRows(ctx, "SELECT id, policy_id, entity_id FROM policy_pushes WHERE status = 'sent' AND entity_id = $1 ORDER BY id", own)
	if err != nil {
		return err
	}
	for _, r := range rows {
		if _, err := s.DB.W(ctx).Exec(ctx, "UPDATE policy_pushes SET created_at = $1, sent_at = $1 WHERE id = $2", s.now().Add(-back), r.id); err != nil {
			return err
		}
	}
	actx := auth.WithActor(ctx, a)
	items, _, _, err := s.Notify.Inbox(actx, false, 1, 100)
	if err != nil {
		return err
	}
	var push []int64
	for _, n := range items {
		if n.ObjectType == PushObject {
			push = append(push, n.ID)
		}
	}
	// All but the oldest read (the inbox is newest first).
	for i := 0; i < len(push)-1; i++ {
		if err := s.Notify.MarkRead(actx, push[i]); err != nil {
			return err
		}
	}
	// The re-push first, while the enterprise's week has room, then the
	// held pushes (RunPushes would release first and could fill the week).
	list, err := s.live(ctx)
	if err != nil {
		return err
	}
	byID := map[int64]*Policy{}
	for _, p := range list {
		if err := s.loadTargets(ctx, p); err != nil {
			return err
		}
		byID[p.ID] = p
	}
	res := &PushResult{}
	if err := s.repush(ctx, byID, res); err != nil {
		return err
	}
	return s.releaseHeld(ctx, byID, res)
}
