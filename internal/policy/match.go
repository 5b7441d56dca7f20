package policy

import (
	"context"
	"slices"
	"strings"

	"yingshang/internal/auth"
	"yingshang/internal/calendar"
	"yingshang/internal/policy/rules"
	"yingshang/internal/refdata"
	"yingshang/internal/yserr"
)

// Match is one policy's decision for one entity: whether it is eligible,
// why (the trace), what stands in the way (misses) and the amount.
type Match struct {
	PolicyID   int64        `json:"policy_id"`
	Title      string       `json:"title"`
	Department string       `json:"department"`
	Category   string       `json:"category"`
	Mode       string       `json:"mode"`
	Version    int          `json:"version" doc:"the policy version the decision was made under"`
	EntityID   int64        `json:"entity_id,omitempty"`
	Entity     string       `json:"entity,omitempty"`
	Eligible   bool         `json:"eligible"`
	NearMiss   bool         `json:"near_miss"`
	AmountFen  int64        `json:"amount_fen"`
	AmountText string       `json:"amount_text" doc:"the amount with thousands separators, e.g. ¥12,345.00"`
	AmountHow  rules.Line   `json:"amount_how"`
	Steps      []rules.Step `json:"steps"`
	Misses     []rules.Step `json:"misses,omitempty"`
}

func (s *Service) env() *rules.Env { return rules.NewEnv(s.Clock.Now().In(calendar.Shanghai)) }

func decide(p *Policy, prog *rules.Program, f *rules.Facts, env *rules.Env) Match {
	r := prog.Explain(f, env)
	m := Match{PolicyID: p.ID, Title: p.Title, Department: p.DepartmentName, Category: p.Category, Mode: p.Mode, Version: p.Version,
		EntityID: f.EntityID, Eligible: r.Eligible, NearMiss: r.NearMiss(), AmountFen: r.AmountFen, AmountHow: r.Amount,
		Steps: r.Steps, Misses: r.Misses}
	if !r.Eligible && prog.HasAmount() {
		// What the entity would get if it qualified: shown with near misses.
		m.AmountFen, m.AmountHow = prog.Estimate(f)
	}
	m.AmountText = rules.Fen(m.AmountFen)
	return m
}

// live returns the published policies in force today.
func (s *Service) live(ctx context.Context) ([]*Policy, error) {
	list, err := s.List(auth.WithActor(ctx, nil), Filter{Status: StatusPublished})
	if err != nil {
		return nil, err
	}
	today := s.Clock.Now().In(calendar.Shanghai).Format("2006-01-02")
	return slices.DeleteFunc(list, func(p *Policy) bool { return p.ValidFrom > today || p.ValidTo < today }), nil
}

// matchAll decides every live policy for the facts of each of its fact
// years; it keeps eligible policies and near misses (all when every is
// true), eligible first.
func (s *Service) matchAll(ctx context.Context, facts func(year int) (*rules.Facts, error), every bool) ([]Match, error) {
	list, err := s.live(ctx)
	if err != nil {
		return nil, err
	}
	env := s.env()
	byYear := map[int]*rules.Facts{}
	var out []Match
	for _, p := range list {
		prog, err := s.program(ctx, p.ID, p.Version)
		if err != nil {
			return nil, err
		}
		f := byYear[p.FactYear]
		if f == nil {
			if f, err = facts(p.FactYear); err != nil {
				return nil, err
			}
			byYear[p.FactYear] = f
		}
		m := decide(p, prog, f, env)
		if m.Eligible || m.NearMiss || every {
			out = append(out, m)
		}
	}
	slices.SortStableFunc(out, func(a, b Match) int {
		if a.Eligible != b.Eligible {
			if a.Eligible {
				return -1
			}
			return 1
		}
		return int(b.AmountFen - a.AmountFen)
	})
	return out, nil
}

// ForEntity returns the policies for an entity ("policies for you"):
// eligible ones with reasons and amounts, and near misses with the
// condition that fails and by how much. The enterprise user bound to the
// entity and department staff may ask.
func (s *Service) ForEntity(ctx context.Context, entityID int64) ([]Match, error) {
	a, err := auth.Require(ctx, auth.PlatformAdmin, auth.DeptAdmin, auth.DeptStaff, auth.Supervisor, auth.Enterprise)
	if err != nil {
		return nil, err
	}
	if a.Has(auth.Enterprise) && !a.Has(auth.PlatformAdmin, auth.DeptAdmin, auth.DeptStaff, auth.Supervisor) && a.EntityID != entityID {
		return nil, yserr.ErrNotFound("经营主体", "market entity")
	}
	return s.matchAll(ctx, func(year int) (*rules.Facts, error) { return s.factsOf(ctx, entityID, year) }, false)
}

// Answers are the questions of the public calculator, for a visitor who
// does not give a credit code. Blank answers are unknown facts.
type Answers struct {
	Industry    string   `json:"industry" doc:"GB/T 4754 code at any level, e.g. C3741 or 3741"`
	Size        string   `json:"size" enum:",large,medium,small,micro"`
	Region      string   `json:"region" doc:"GB/T 2260 code"`
	FoundedYear int      `json:"founded_year"`
	RevenueWan  *float64 `json:"revenue_wan"`
	Employees   *float64 `json:"employees"`
	RDWan       *float64 `json:"rd_spending_wan"`
	Graduates   *float64 `json:"graduates_hired"`
	LoanWan     *float64 `json:"loan_interest_wan"`
	HighTech    bool     `json:"high_tech"`
	Tags        []string `json:"tags"`
}

// CalcInput asks the calculator: a credit code, or answers.
type CalcInput struct {
	USCC    string  `json:"uscc,omitempty"`
	Answers Answers `json:"answers"`
}

// CalcResult is the calculator's answer.
type CalcResult struct {
	Entity   string  `json:"entity,omitempty" doc:"the entity's name when a credit code was given"`
	Matches  []Match `json:"matches"`
	Eligible int     `json:"eligible"`
	TotalFen int64   `json:"total_fen" doc:"the estimated total of the eligible policies"`
	Total    string  `json:"total"`
}

// Calculate is the public policy calculator (政策计算器): anyone, signed in
// or not. With a credit code it decides on the registry and the imported
// facts but, for a caller who is not the entity or staff, shows only
// which conditions held (no figures); with answers it decides on them.
func (s *Service) Calculate(ctx context.Context, in CalcInput) (*CalcResult, error) {
	res := &CalcResult{}
	var facts func(int) (*rules.Facts, error)
	hide := false
	if code := strings.ToUpper(strings.TrimSpace(in.USCC)); code != "" {
		ref, err := s.Entities.Ref(ctx, 0, code)
		if err != nil {
			return nil, yserr.Field("uscc", "没有找到该统一社会信用代码的经营主体", "no market entity has this credit code")
		}
		res.Entity = ref.Name
		a := auth.From(ctx)
		hide = !(a != nil && (a.EntityID == ref.ID || a.Has(auth.PlatformAdmin, auth.DeptAdmin, auth.DeptStaff, auth.Supervisor)))
		facts = func(year int) (*rules.Facts, error) { return s.factsOf(ctx, ref.ID, year) }
	} else {
		f, err := answerFacts(in.Answers)
		if err != nil {
			return nil, err
		}
		facts = func(year int) (*rules.Facts, error) { c := *f; c.Year = year; return &c, nil }
	}
	ms, err := s.matchAll(ctx, facts, false)
	if err != nil {
		return nil, err
	}
	for i := range ms {
		if hide {
			hideFigures(&ms[i])
		}
		if ms[i].Eligible {
			res.Eligible++
			res.TotalFen += ms[i].AmountFen
		}
	}
	res.Matches = ms
	if res.Matches == nil {
		res.Matches = []Match{}
	}
	res.Total = rules.Fen(res.TotalFen)
	return res, nil
}

// hideFigures removes an entity's own figures from a match shown to the
// public: which conditions held stays, the values and amounts go.
func hideFigures(m *Match) {
	for _, l := range [][]rules.Step{m.Steps, m.Misses} {
		for i := range l {
			l[i].Actual, l[i].Gap, l[i].GapText = "", 0, rules.Line{}
		}
	}
	m.AmountFen, m.AmountText, m.AmountHow = 0, "", rules.Line{ZH: "金额以审核结果为准", EN: "the amount is set at review"}
}

func answerFacts(a Answers) (*rules.Facts, error) {
	var v yserr.Validation
	f := &rules.Facts{}
	f.Str[rules.StrStatus] = "active"
	if code := strings.ToUpper(strings.TrimSpace(a.Industry)); code != "" {
		n := refdata.NormalizeIndustryCode(code)
		in, ok := refdata.Industry(n)
		if !ok {
			v.Add("industry", "未知的行业代码", "unknown industry code")
		} else {
			f.Str[rules.StrIndustry], f.Str[rules.StrSection] = in.Code, in.Section
		}
	}
	if a.Size != "" {
		if !slices.Contains([]string{"large", "medium", "small", "micro"}, a.Size) {
			v.Add("size", "企业规模应为大型、中型、小型或微型", "size must be large, medium, small or micro")
		}
		f.Str[rules.StrSize] = a.Size
	}
	if a.Region != "" {
		if len(a.Region) != 6 || strings.Trim(a.Region, "0123456789") != "" {
			v.Add("region", "区划代码应为 6 位数字", "a region code is 6 digits")
		}
		f.Str[rules.StrRegion] = a.Region
	}
	if a.FoundedYear != 0 {
		if a.FoundedYear < 1949 || a.FoundedYear > 2100 {
			v.Add("founded_year", "成立年份不正确", "the founding year is not valid")
		} else {
			d, _ := rules.ParseDay(itoa(int64(a.FoundedYear)) + "-01-01")
			f.Founded = d
		}
	}
	num := func(field string, p *float64, i int) {
		if p == nil {
			return
		}
		if *p < 0 || *p > 1e10 {
			v.Add(field, "应为非负数", "must be a number not below 0")
			return
		}
		f.SetNum(i, *p)
	}
	num("revenue_wan", a.RevenueWan, rules.NumRevenue)
	num("employees", a.Employees, rules.NumEmployees)
	num("rd_spending_wan", a.RDWan, rules.NumRD)
	num("graduates_hired", a.Graduates, rules.NumGraduates)
	num("loan_interest_wan", a.LoanWan, rules.NumLoanInt)
	f.HighTech = a.HighTech
	if len(a.Tags) > 20 {
		v.Add("tags", "标签过多", "too many tags")
	}
	f.Tags = a.Tags
	return f, v.Err()
}

// Preview is what a policy would do now: how many entities match, a
// sample with the reason for each, and the total amount.
type Preview struct {
	PolicyID  int64   `json:"policy_id"`
	Version   int     `json:"version"`
	Evaluated int     `json:"evaluated"`
	Matched   int     `json:"matched"`
	NearMiss  int     `json:"near_miss"`
	TotalFen  int64   `json:"total_fen"`
	Total     string  `json:"total"`
	Sample    []Match `json:"sample"`
}

// SampleSize is how many matches a preview shows.
const SampleSize = 10

// Preview runs a policy's current version over every entity (its editors
// only). It writes nothing.
func (s *Service) Preview(ctx context.Context, id int64) (*Preview, error) {
	p, err := s.get(ctx, id)
	if err != nil {
		return nil, err
	}
	if _, err := editor(ctx, p.DepartmentID); err != nil {
		if !auth.From(ctx).Has(auth.Supervisor) {
			return nil, err
		}
	}
	prog, err := s.program(ctx, p.ID, p.Version)
	if err != nil {
		return nil, err
	}
	env := s.env()
	pv := &Preview{PolicyID: p.ID, Version: p.Version, Sample: []Match{}}
	err = s.EachFacts(ctx, p.FactYear, needsCredit(prog), func(f *rules.Facts) error {
		pv.Evaluated++
		if !prog.Match(f, env) {
			return nil
		}
		pv.Matched++
		m := decide(p, prog, f, env)
		pv.TotalFen += m.AmountFen
		if len(pv.Sample) < SampleSize {
			pv.Sample = append(pv.Sample, m)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	if err := s.entityNames(ctx, pv.Sample); err != nil {
		return nil, err
	}
	pv.Total = rules.Fen(pv.TotalFen)
	return pv, nil
}

func (s *Service) entityNames(ctx context.Context, ms []Match) error {
	var ids []int64
	for _, m := range ms {
		ids = append(ids, m.EntityID)
	}
	refs, err := s.Entities.Refs(ctx, ids)
	if err != nil {
		return err
	}
	for i := range ms {
		ms[i].Entity = refs[ms[i].EntityID].Name
	}
	return nil
}

// MatchCount is the outcome of MatchPolicies for one policy.
type MatchCount struct {
	PolicyID int64  `json:"policy_id"`
	Title    string `json:"title"`
	Matched  int    `json:"matched"`
	TotalFen int64  `json:"total_fen"`
}

// MatchPolicies decides the policies (all live ones when ids is empty)
// for every entity in one pass over the facts per fact year: the full
// match behind the CLI and the benchmark. Staff only.
func (s *Service) MatchPolicies(ctx context.Context, ids []int64) ([]MatchCount, int, error) {
	if _, err := auth.Require(ctx, auth.PlatformAdmin, auth.DeptAdmin, auth.DeptStaff, auth.Supervisor); err != nil {
		return nil, 0, err
	}
	var list []*Policy
	if len(ids) == 0 {
		l, err := s.live(ctx)
		if err != nil {
			return nil, 0, err
		}
		list = l
	}
	for _, id := range ids {
		p, err := s.Get(ctx, id)
		if err != nil {
			return nil, 0, err
		}
		list = append(list, p)
	}
	type compiled struct {
		prog *rules.Program
		i    int
	}
	byYear := map[int][]compiled{}
	credit := map[int]bool{}
	out := make([]MatchCount, len(list))
	for i, p := range list {
		prog, err := s.program(ctx, p.ID, p.Version)
		if err != nil {
			return nil, 0, err
		}
		out[i] = MatchCount{PolicyID: p.ID, Title: p.Title}
		byYear[p.FactYear] = append(byYear[p.FactYear], compiled{prog, i})
		credit[p.FactYear] = credit[p.FactYear] || needsCredit(prog)
	}
	env := s.env()
	entities := 0
	for year, progs := range byYear {
		n := 0
		err := s.EachFacts(ctx, year, credit[year], func(f *rules.Facts) error {
			n++
			for _, c := range progs {
				if c.prog.Match(f, env) {
					out[c.i].Matched++
					out[c.i].TotalFen += c.prog.AmountFen(f)
				}
			}
			return nil
		})
		if err != nil {
			return nil, 0, err
		}
		entities = max(entities, n)
	}
	return out, entities, nil
}
