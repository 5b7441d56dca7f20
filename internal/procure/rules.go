package procure

import (
	"fmt"
	"math"
	"slices"
	"sort"
	"strconv"
	"strings"

	"golang.org/x/text/width"

	"yingshang/internal/calendar"
	"yingshang/internal/yserr"
)

// The rules of this file are pure: no I/O, no clock. They are the numbers of
// the law (docs/procure.md, "Rules") and are tested by hand-computed cases.

// Kinds of procurement, from the first letter of the category code of the
// government procurement catalogue (政府采购品目分类目录): A goods, B works,
// C services.
const (
	KindGoods    = "goods"
	KindWorks    = "works"
	KindServices = "services"
)

// KindOf returns the kind of a category code, or "" when the code is not a
// catalogue code (a letter A, B or C and 2 to 10 digits).
func KindOf(code string) string {
	if len(code) < 3 || len(code) > 11 || strings.Trim(code[1:], "0123456789") != "" {
		return ""
	}
	return map[byte]string{'A': KindGoods, 'B': KindWorks, 'C': KindServices}[code[0]]
}

// SetAside decisions (财库〔2020〕46号).
const (
	SetAsideFull    = "full"    // the whole project is reserved for SMEs (专门面向中小企业)
	SetAsidePartial = "partial" // a share is reserved (预留份额)
	SetAsideNone    = "none"    // not reserved, for an exception of Art. 6
)

// SetAsideExceptions are the exceptions of 财库〔2020〕46号 Art. 6 that allow a
// project not to be reserved.
var SetAsideExceptions = map[string][2]string{
	"non_enterprise":   {"法律法规和国家有关政策明确规定优先或者应当面向事业单位、社会组织等非企业主体采购", "law or policy requires non-enterprise suppliers"},
	"unique_source":    {"因不可替代的专利、专有技术或服务的唯一性，只能从中小企业之外的供应商处采购", "an irreplaceable patent, technology or unique service only non-SMEs provide"},
	"insufficient":     {"预留份额无法确保充分供应、充分竞争，或可能影响政府采购目标实现", "a reservation cannot ensure enough supply and competition"},
	"framework":        {"框架协议采购项目", "a framework-agreement procurement"},
	"provincial_other": {"省级以上人民政府财政部门规定的其他情形", "another case set by a provincial finance department"},
}

// SetAsideRule is the reservation rule of one kind: at or under
// FullUpToFen a project suitable for SMEs is reserved in full; above it at
// least SharePct of the budget is reserved, of which at least SmallMicroPct
// for small and micro enterprises.
type SetAsideRule struct {
	Kind          string `json:"kind"`
	FullUpToFen   int64  `json:"full_up_to_fen"`
	SharePct      int    `json:"share_pct"`
	SmallMicroPct int    `json:"small_micro_pct"`
	Source        string `json:"source"`
}

// NationalSetAside is the national rule: 财库〔2020〕46号 Art. 8-9 (goods and
// services up to 2 million yuan, works up to 4 million reserved in full;
// above, 30% of which 60% small/micro), with the 2022 temporary 40% for
// works (财库〔2022〕19号).
var NationalSetAside = []SetAsideRule{
	{Kind: KindGoods, FullUpToFen: 2_000_000_00, SharePct: 30, SmallMicroPct: 60, Source: "财库〔2020〕46号"},
	{Kind: KindServices, FullUpToFen: 2_000_000_00, SharePct: 30, SmallMicroPct: 60, Source: "财库〔2020〕46号"},
	{Kind: KindWorks, FullUpToFen: 4_000_000_00, SharePct: 40, SmallMicroPct: 60, Source: "财库〔2020〕46号; 财库〔2022〕19号 (40%)"},
}

// ParseSetAside reads local overrides of the national rule: entries
// "kind:full_up_to_wan:share_pct:small_micro_pct" separated by ";" (Baoji:
// "goods:200:40:70;services:200:40:70;works:400:40:70"). A local rule may
// only be stricter than the national one. Empty gives the national rules.
func ParseSetAside(s string) ([]SetAsideRule, error) {
	out := slices.Clone(NationalSetAside)
	for _, part := range strings.Split(s, ";") {
		part = strings.TrimSpace(part)
		if part == "" {
			continue
		}
		f := strings.Split(part, ":")
		if len(f) != 4 {
			return nil, fmt.Errorf("set-aside rule %q: want kind:full_up_to_wan:share_pct:small_micro_pct", part)
		}
		i := slices.IndexFunc(out, func(r SetAsideRule) bool { return r.Kind == f[0] })
		if i < 0 {
			return nil, fmt.Errorf("set-aside rule %q: unknown kind %q (goods, services, works)", part, f[0])
		}
		wan, e1 := strconv.ParseInt(f[1], 10, 64)
		share, e2 := strconv.Atoi(f[2])
		sm, e3 := strconv.Atoi(f[3])
		if e1 != nil || e2 != nil || e3 != nil || wan < 0 || share > 100 || sm > 100 {
			return nil, fmt.Errorf("set-aside rule %q: numbers expected (10k yuan, percent, percent)", part)
		}
		n := out[i]
		if wan*1_000_000 < n.FullUpToFen || share < n.SharePct || sm < n.SmallMicroPct {
			return nil, fmt.Errorf("set-aside rule %q: a local rule may not be below the national one (%d万, %d%%, %d%%)", part, n.FullUpToFen/1_000_000, n.SharePct, n.SmallMicroPct)
		}
		out[i] = SetAsideRule{Kind: n.Kind, FullUpToFen: wan * 1_000_000, SharePct: share, SmallMicroPct: sm, Source: n.Source + "; local"}
	}
	return out, nil
}

// SetAsideInput is a project's reservation decision.
type SetAsideInput struct {
	Decision      string `json:"set_aside" enum:"full,partial,none" doc:"mandatory: full (专门面向中小企业), partial (预留份额) or none (with an exception)"`
	SharePct      int    `json:"set_aside_share,omitempty" doc:"partial: percent of the budget reserved"`
	SmallMicroPct int    `json:"small_micro_share,omitempty" doc:"partial: percent of the reserved share for small and micro enterprises"`
	Exception     string `json:"set_aside_reason,omitempty" enum:"non_enterprise,unique_source,insufficient,framework,provincial_other" doc:"none: the exception of 财库〔2020〕46号 Art. 6"`
}

// CheckSetAside checks a decision against the rules for a kind and budget.
// The error names the field and quotes the rule.
func CheckSetAside(rules []SetAsideRule, kind string, budgetFen int64, in SetAsideInput) error {
	i := slices.IndexFunc(rules, func(r SetAsideRule) bool { return r.Kind == kind })
	if i < 0 {
		return yserr.Field("category_code", "无法确定采购类别（货物、工程、服务）", "the kind (goods, works, services) cannot be told")
	}
	r := rules[i]
	limit := Yuan(r.FullUpToFen)
	switch in.Decision {
	case "":
		return yserr.Field("set_aside", "须填写面向中小企业预留的决定（财库〔2020〕46号）", "the SME set-aside decision is mandatory (财库〔2020〕46号)")
	case SetAsideFull:
		return nil
	case SetAsideNone:
		if _, ok := SetAsideExceptions[in.Exception]; !ok {
			return yserr.Field("set_aside_reason", "不预留须说明财库〔2020〕46号第六条规定的情形", "a project not reserved must name an exception of 财库〔2020〕46号 Art. 6")
		}
		return nil
	case SetAsidePartial:
		if budgetFen <= r.FullUpToFen {
			return yserr.Field("set_aside", fmt.Sprintf("预算不超过%s元的%s项目应当专门面向中小企业采购（%s），不得只预留部分份额", limit, KindLabel(kind, "zh"), r.Source),
				fmt.Sprintf("%s projects up to %s yuan must be reserved in full for SMEs (%s), not only a share", kind, limit, r.Source))
		}
		var v yserr.Validation
		if in.SharePct < r.SharePct || in.SharePct > 100 {
			v.Add("set_aside_share", fmt.Sprintf("预留份额不得低于预算的%d%%（%s）", r.SharePct, r.Source), fmt.Sprintf("the reserved share must be at least %d%% of the budget (%s)", r.SharePct, r.Source))
		}
		if in.SmallMicroPct < r.SmallMicroPct || in.SmallMicroPct > 100 {
			v.Add("small_micro_share", fmt.Sprintf("预留份额中面向小微企业的比例不得低于%d%%（%s）", r.SmallMicroPct, r.Source), fmt.Sprintf("at least %d%% of the reserved share must go to small and micro enterprises (%s)", r.SmallMicroPct, r.Source))
		}
		return v.Err()
	}
	return yserr.Field("set_aside", "未知的预留方式", "unknown set-aside decision")
}

// Methods of procurement (政府采购法 Art. 26; 框架协议 by MoF Order 110).
var Methods = []string{"open_tender", "invited_tender", "competitive_negotiation", "competitive_consultation", "inquiry", "single_source", "framework"}

var methodLabels = map[string][2]string{
	"open_tender": {"公开招标", "open tender"}, "invited_tender": {"邀请招标", "invited tender"},
	"competitive_negotiation": {"竞争性谈判", "competitive negotiation"}, "competitive_consultation": {"竞争性磋商", "competitive consultation"},
	"inquiry": {"询价", "request for quotations"}, "single_source": {"单一来源", "single source"}, "framework": {"框架协议", "framework agreement"},
}

// Evaluation methods (MoF Order 87 Art. 53).
const (
	EvalLowestPrice   = "lowest_price"  // 最低评标价法
	EvalComprehensive = "comprehensive" // 综合评分法
)

// MinPriceWeight is the least price weight of comprehensive scoring (Order
// 87 Art. 55): 30 for goods, 10 for services; works follow the bidding law
// and have no minimum here.
func MinPriceWeight(kind string) int {
	switch kind {
	case KindGoods:
		return 30
	case KindServices:
		return 10
	}
	return 1
}

// CommitteeSize is the least evaluation committee: 5, or 7 when the budget
// is at least 10 million yuan (财库〔2016〕198号; Order 87 Art. 47).
func CommitteeSize(budgetFen int64) int {
	if budgetFen >= 10_000_000_00 {
		return 7
	}
	return 5
}

// CheckCommittee checks a committee size for a budget: odd and at least the
// minimum.
func CheckCommittee(budgetFen int64, n int) error {
	min := CommitteeSize(budgetFen)
	if n < min || n%2 == 0 {
		return yserr.Field("committee_size", fmt.Sprintf("评审委员会须为不少于%d人的单数（预算%s元）", min, Yuan(budgetFen)),
			fmt.Sprintf("the committee must be an odd number of at least %d (budget %s yuan)", min, Yuan(budgetFen)))
	}
	return nil
}

// Bid kinds for the price deduction (财库〔2022〕19号).
const (
	BidSingle     = "single"     // one supplier
	BidConsortium = "consortium" // a consortium or subcontracting with small/micro firms (联合体、分包)
)

// CheckDeduction checks a project's deduction percentages: 10-20 for
// small/micro bids and 4-6 for consortia and subcontracting; both 0 on a
// project reserved in full for SMEs (no deduction there).
func CheckDeduction(setAside string, pct, consortiumPct int) error {
	if setAside == SetAsideFull {
		if pct != 0 || consortiumPct != 0 {
			return yserr.Field("deduction_pct", "专门面向中小企业的项目不再执行价格扣除", "a project reserved in full for SMEs has no price deduction")
		}
		return nil
	}
	var v yserr.Validation
	if pct < 10 || pct > 20 {
		v.Add("deduction_pct", "小微企业价格扣除比例须为10%-20%（财库〔2022〕19号）", "the small/micro price deduction must be 10-20% (财库〔2022〕19号)")
	}
	if consortiumPct < 4 || consortiumPct > 6 {
		v.Add("consortium_pct", "联合体或分包的价格扣除比例须为4%-6%", "the consortium/subcontracting deduction must be 4-6%")
	}
	return v.Err()
}

// BidInput is what the evaluation needs of a valid bid.
type BidInput struct {
	ID           int64
	PriceFen     int64
	Tech         float64 // technical and other points (comprehensive scoring), from the committee
	SmallOrMicro bool    // a small or micro enterprise (declaration checked)
	Kind         string  // BidSingle or BidConsortium (a consortium with small/micro share)
}

// Scored is a bid's evaluation, as published.
type Scored struct {
	ID           int64   `json:"bid_id"`
	DeductionPct int     `json:"deduction_pct"`
	EvaluatedFen int64   `json:"evaluated_fen" doc:"price after the deduction, used only to evaluate"`
	PriceScore   float64 `json:"price_score"`
	Total        float64 `json:"total_score"`
	Rank         int     `json:"rank"`
}

// Evaluate ranks valid bids. The small/micro deduction (pct) or the
// consortium one (consortiumPct) lowers the evaluated price, never the
// contract price. Lowest evaluated price: rank by evaluated price. Comprehensive
// (Order 87 Art. 55): price score = lowest evaluated price ÷ evaluated price ×
// weight, total = technical points + price score, rank by total; ties go to
// the lower evaluated price, then the higher technical points, then the
// earlier bid. Scores are rounded to 2 decimals.
func Evaluate(method string, weight, pct, consortiumPct int, bids []BidInput) []Scored {
	out := make([]Scored, len(bids))
	if len(bids) == 0 {
		return out
	}
	var lowest int64 = math.MaxInt64
	for i, b := range bids {
		d := 0
		if b.SmallOrMicro && b.Kind != BidConsortium {
			d = pct
		} else if b.Kind == BidConsortium {
			d = consortiumPct
		}
		ev := b.PriceFen * int64(100-d) / 100
		out[i] = Scored{ID: b.ID, DeductionPct: d, EvaluatedFen: ev}
		lowest = min(lowest, ev)
	}
	for i, b := range bids {
		if method == EvalComprehensive && out[i].EvaluatedFen > 0 {
			out[i].PriceScore = round2(float64(lowest) / float64(out[i].EvaluatedFen) * float64(weight))
			out[i].Total = round2(b.Tech + out[i].PriceScore)
		}
	}
	idx := make([]int, len(bids))
	for i := range idx {
		idx[i] = i
	}
	sort.SliceStable(idx, func(x, y int) bool {
		a, b := idx[x], idx[y]
		if method == EvalComprehensive && out[a].Total != out[b].Total {
			return out[a].Total > out[b].Total
		}
		if out[a].EvaluatedFen != out[b].EvaluatedFen {
			return out[a].EvaluatedFen < out[b].EvaluatedFen
		}
		if bids[a].Tech != bids[b].Tech {
			return bids[a].Tech > bids[b].Tech
		}
		return bids[a].ID < bids[b].ID
	})
	for r, i := range idx {
		out[i].Rank = r + 1
	}
	return out
}

func round2(x float64) float64 { return math.Round(x*100) / 100 }

// NormalizeSpec gives the key pooling compares specifications by: full-width
// characters folded to half-width, lower case, attributes split on ; , or a
// new line, trimmed of spaces, sorted and joined by ";". "CPU i5；内存 16GB"
// and "内存16gb; cpu i5" have one key.
func NormalizeSpec(spec string) string {
	s := strings.ToLower(width.Fold.String(spec))
	parts := strings.FieldsFunc(s, func(r rune) bool { return r == ';' || r == ',' || r == '\n' || r == '、' })
	out := parts[:0]
	for _, p := range parts {
		p = strings.Join(strings.Fields(p), "")
		if p != "" {
			out = append(out, p)
		}
	}
	sort.Strings(out)
	return strings.Join(slices.Compact(out), ";")
}

// PlanLine is what pooling reads of a plan.
type PlanLine struct {
	ID           int64
	DepartmentID int64
	Category     string
	SpecKey      string
	WantedOn     string // YYYY-MM-DD
	Quantity     int64
	BudgetFen    int64
}

// Proposal is a proposed pooling group: lines of the same category and
// specification key whose wanted dates fall within one window, from at
// least two units.
type Proposal struct {
	Category    string  `json:"category_code"`
	SpecKey     string  `json:"spec_key"`
	From        string  `json:"period_from"`
	To          string  `json:"period_to"`
	PlanIDs     []int64 `json:"plan_ids"`
	Departments []int64 `json:"department_ids"`
	Quantity    int64   `json:"quantity"`
	BudgetFen   int64   `json:"budget_fen"`
}

// Proposer groups plan lines into proposals as they come, in the order
// (category, spec key, wanted date): a group starts at its first line's
// date and takes the lines wanted within windowDays of it. It holds one
// group at a time, so it runs over any number of lines in constant memory.
// Lines of different categories never share a group.
type Proposer struct {
	WindowDays int
	cur        *Proposal
	start      calendar.Date
	depts      map[int64]bool
	out        []Proposal
}

// Add takes the next line (in the order above).
func (p *Proposer) Add(l PlanLine) {
	d, err := calendar.ParseDate(l.WantedOn)
	if err != nil {
		return
	}
	if p.cur == nil || p.cur.Category != l.Category || p.cur.SpecKey != l.SpecKey || d.Sub(p.start) > p.WindowDays {
		p.flush()
		p.cur = &Proposal{Category: l.Category, SpecKey: l.SpecKey, From: l.WantedOn}
		p.start = d
		p.depts = map[int64]bool{}
	}
	c := p.cur
	c.To = l.WantedOn
	c.PlanIDs = append(c.PlanIDs, l.ID)
	if !p.depts[l.DepartmentID] {
		p.depts[l.DepartmentID] = true
		c.Departments = append(c.Departments, l.DepartmentID)
	}
	c.Quantity += l.Quantity
	c.BudgetFen += l.BudgetFen
}

func (p *Proposer) flush() {
	if p.cur != nil && len(p.cur.Departments) >= 2 {
		slices.Sort(p.cur.Departments)
		p.out = append(p.out, *p.cur)
	}
	p.cur = nil
}

// Done returns the proposals.
func (p *Proposer) Done() []Proposal {
	p.flush()
	return p.out
}

// Propose groups lines in any order (it sorts a copy first).
func Propose(lines []PlanLine, windowDays int) []Proposal {
	l := slices.Clone(lines)
	slices.SortFunc(l, func(a, b PlanLine) int {
		return cmpStrings(a.Category, b.Category, a.SpecKey, b.SpecKey, a.WantedOn, b.WantedOn)
	})
	p := &Proposer{WindowDays: windowDays}
	for _, x := range l {
		p.Add(x)
	}
	return p.Done()
}

func cmpStrings(pairs ...string) int {
	for i := 0; i+1 < len(pairs); i += 2 {
		if c := strings.Compare(pairs[i], pairs[i+1]); c != 0 {
			return c
		}
	}
	return 0
}

// Split divides an award among the units of a pooled project by their
// quantities: each unit pays award × its quantity ÷ the total, in fen, the
// rounding remainder going to the largest share so that the contracts add up
// to the award.
func Split(awardFen int64, quantities []int64) []int64 {
	var total int64
	for _, q := range quantities {
		total += q
	}
	out := make([]int64, len(quantities))
	if total == 0 {
		return out
	}
	var sum int64
	big := 0
	for i, q := range quantities {
		out[i] = awardFen * q / total
		sum += out[i]
		if q > quantities[big] {
			big = i
		}
	}
	out[big] += awardFen - sum
	return out
}

// Clocks (政府采购法 Art. 52, 53, 55, 56; its regulation Art. 50; Art. 46;
// 保障中小企业款项支付条例 Art. 8). Working days come from the platform calendar.

// ChallengeDue is the last day to challenge: 7 working days after the day
// the supplier knew (Art. 52).
func ChallengeDue(c *calendar.Calendar, known calendar.Date) calendar.Date {
	return c.AddWorkdays(known, 7)
}

// AnswerDue is the last day to answer a challenge: 7 working days (Art. 53).
func AnswerDue(c *calendar.Calendar, filed calendar.Date) calendar.Date {
	return c.AddWorkdays(filed, 7)
}

// ComplaintDue is the last day to complain: 15 working days after the
// answer (Art. 55).
func ComplaintDue(c *calendar.Calendar, answered calendar.Date) calendar.Date {
	return c.AddWorkdays(answered, 15)
}

// DecisionDue is the last day for the finance bureau's decision: 30
// working days (Art. 56).
func DecisionDue(c *calendar.Calendar, complained calendar.Date) calendar.Date {
	return c.AddWorkdays(complained, 30)
}

// ContractDue is the last day to sign: 30 days after the award notice (Art. 46).
func ContractDue(award calendar.Date) calendar.Date { return award.AddDays(30) }

// PublishDue is the last day to publish a signed contract: 2 working days
// (regulation Art. 50).
func PublishDue(c *calendar.Calendar, signed calendar.Date) calendar.Date {
	return c.AddWorkdays(signed, 2)
}

// PayDue is the last day to pay an SME: 30 days after acceptance.
func PayDue(accepted calendar.Date) calendar.Date { return accepted.AddDays(30) }

// Yuan formats fen as yuan with thousands separators: 123456789 -> "1,234,567.89".
func Yuan(fen int64) string {
	neg := fen < 0
	if neg {
		fen = -fen
	}
	y, f := fen/100, fen%100
	s := strconv.FormatInt(y, 10)
	var b strings.Builder
	for i, r := range s {
		if i > 0 && (len(s)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(r)
	}
	out := b.String()
	if f != 0 {
		out += fmt.Sprintf(".%02d", f)
	}
	if neg {
		out = "-" + out
	}
	return out
}

// ParseYuan reads an amount in yuan ("1,234.5", "1234") as fen; at most
// two decimals, not negative.
func ParseYuan(s string) (int64, bool) {
	s = strings.ReplaceAll(strings.TrimSpace(s), ",", "")
	if s == "" || strings.HasPrefix(s, "-") || strings.HasPrefix(s, "+") {
		return 0, false
	}
	whole, frac, _ := strings.Cut(s, ".")
	if len(frac) > 2 || whole == "" || strings.Trim(whole, "0123456789") != "" || strings.Trim(frac, "0123456789") != "" || len(whole) > 13 {
		return 0, false
	}
	y, err := strconv.ParseInt(whole, 10, 64)
	if err != nil {
		return 0, false
	}
	for len(frac) < 2 {
		frac += "0"
	}
	f, _ := strconv.ParseInt(frac, 10, 64)
	return y*100 + f, true
}
