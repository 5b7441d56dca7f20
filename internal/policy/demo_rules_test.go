package policy_test

import (
	"testing"
	"time"

	"yingshang/internal/policy"
	"yingshang/internal/policy/rules"
)

// TestDemoPolicies: each demo policy's rule with an eligible entity (and
// its hand-computed amount), an entity that is not eligible, and a near
// miss naming the failing condition and the gap.
func TestDemoPolicies(t *testing.T) {
	today := time.Date(2026, 11, 23, 0, 0, 0, 0, time.UTC)
	env := rules.NewEnv(today)
	day := func(s string) int32 { d, _ := rules.ParseDay(s); return d }
	base := func() *rules.Facts {
		f := &rules.Facts{EntityID: 1, Year: 2025, Founded: day("2015-04-01")}
		f.Str[rules.StrIndustry], f.Str[rules.StrSection] = "3431", "C"
		f.Str[rules.StrSize], f.Str[rules.StrStatus], f.Str[rules.StrRegion] = "small", "active", "411082"
		return f
	}
	type want struct {
		fen  int64
		path string // the near miss's condition
		gap  float64
	}
	cases := map[string]struct {
		eligible, not, near func(*rules.Facts)
		w                   want
	}{
		"企业研发费用后补助": { // 10% of 380 万元 = 380,000 yuan
			eligible: func(f *rules.Facts) { f.SetNum(rules.NumRD, 380) },
			not: func(f *rules.Facts) {
				f.Str[rules.StrSection], f.Str[rules.StrIndustry] = "F", "5191"
				f.SetNum(rules.NumRD, 10)
			},
			near: func(f *rules.Facts) { f.SetNum(rules.NumRD, 42) },
			w:    want{38_000_000, "condition$.all[1]", 8},
		},
		"高新技术企业认定奖励": {
			eligible: func(f *rules.Facts) { f.HighTech = true },
			not:      func(f *rules.Facts) { f.Founded = day("2026-06-01") },
			near:     func(f *rules.Facts) { f.HighTech = true; f.Founded = day("2026-06-01") },
			w:        want{20_000_000, "condition$.all[1]", 190}, // 2025-11-23 is the latest founding date
		},
		"首次升规入统工业企业奖励": {
			eligible: func(f *rules.Facts) { f.SetNum(rules.NumRevenue, 2300) },
			not:      func(f *rules.Facts) { f.Str[rules.StrSection] = "I"; f.SetNum(rules.NumRevenue, 100) },
			near:     func(f *rules.Facts) { f.SetNum(rules.NumRevenue, 1850) },
			w:        want{10_000_000, "condition$.all[1]", 150},
		},
		"吸纳高校毕业生就业补贴": { // 7 x 1,500 = 10,500 yuan
			eligible: func(f *rules.Facts) { f.SetNum(rules.NumGraduates, 7) },
			not:      func(f *rules.Facts) { f.Str[rules.StrSize] = "large"; f.SetNum(rules.NumGraduates, 0) },
			near:     func(f *rules.Facts) { f.SetNum(rules.NumGraduates, 0) },
			w:        want{1_050_000, "condition$.all[0]", 1},
		},
		"中小微企业贷款贴息": { // 50% of 12 万元 = 60,000 yuan
			eligible: func(f *rules.Facts) { f.SetNum(rules.NumLoanInt, 12) },
			not:      func(f *rules.Facts) { f.Str[rules.StrSize] = "medium" },
			near:     func(f *rules.Facts) { f.SetNum(rules.NumLoanInt, 0.6) },
			w:        want{6_000_000, "condition$.all[1]", 0.4},
		},
		"专精特新企业奖励": {
			eligible: func(f *rules.Facts) { f.Tags = []string{"专精特新"} },
			not:      func(f *rules.Facts) { f.Str[rules.StrSize] = "large" },
			near:     func(f *rules.Facts) {},
			w:        want{30_000_000, "condition$.all[0]", 0},
		},
		"纳税信用A级企业激励": { // 620 万元 tax: tier 2, 50,000 yuan
			eligible: func(f *rules.Facts) { f.Str[rules.StrTaxGrade] = "A"; f.SetNum(rules.NumTaxPaid, 620) },
			not:      func(f *rules.Facts) { f.Str[rules.StrTaxGrade] = "C"; f.SetNum(rules.NumTaxPaid, 10) },
			near:     func(f *rules.Facts) { f.Str[rules.StrTaxGrade] = "A"; f.SetNum(rules.NumTaxPaid, 96.5) },
			w:        want{5_000_000, "condition$.all[1]", 3.5},
		},
		"小微企业稳岗返还": { // 36 x 300 = 10,800 yuan
			eligible: func(f *rules.Facts) { f.SetNum(rules.NumInsured, 36) },
			not:      func(f *rules.Facts) { f.Str[rules.StrSize] = "medium"; f.SetNum(rules.NumInsured, 2) },
			near:     func(f *rules.Facts) { f.SetNum(rules.NumInsured, 4) },
			w:        want{1_080_000, "condition$.all[1]", 1},
		},
		"新设立科技型小微企业创业补贴": {
			eligible: func(f *rules.Facts) {
				f.Founded = day("2025-03-01")
				f.Str[rules.StrSection], f.Str[rules.StrIndustry] = "I", "6513"
			},
			not: func(f *rules.Facts) {},
			near: func(f *rules.Facts) {
				f.Founded = day("2023-11-13") // today-3y is 2023-11-23: ten days early
				f.Str[rules.StrSection], f.Str[rules.StrIndustry] = "M", "7320"
			},
			w: want{3_000_000, "condition$.all[0]", 10},
		},
		"工业企业技术改造补助": { // 8% of 3,000 万元 = 2,400,000, capped at 2,000,000
			eligible: func(f *rules.Facts) { f.SetNum(rules.NumInvestment, 3000) },
			not:      func(f *rules.Facts) { f.SetNum(rules.NumInvestment, 100); f.Str[rules.StrSection] = "F" },
			near:     func(f *rules.Facts) { f.SetNum(rules.NumInvestment, 480) },
			w:        want{200_000_000, "condition$.all[1]", 20},
		},
	}
	demo := policy.DemoPolicies(2025, "2026-11-23")
	if len(demo) != 10 {
		t.Fatalf("%d demo policies, want 10", len(demo))
	}
	for _, dp := range demo {
		c, ok := cases[dp.Title]
		if !ok {
			t.Errorf("no test case for %s", dp.Title)
			continue
		}
		p, err := rules.Compile(dp.Condition, dp.Amount)
		if err != nil {
			t.Fatalf("%s: %v", dp.Title, err)
		}
		f := base()
		c.eligible(f)
		r := p.Explain(f, env)
		if !r.Eligible || r.AmountFen != c.w.fen {
			t.Errorf("%s eligible: %v, %d fen (%s), want %d", dp.Title, r.Eligible, r.AmountFen, r.Amount.ZH, c.w.fen)
		}
		f = base()
		c.not(f)
		if r := p.Explain(f, env); r.Eligible || r.NearMiss() {
			t.Errorf("%s not eligible: %+v", dp.Title, r.Misses)
		}
		f = base()
		c.near(f)
		r = p.Explain(f, env)
		if r.Eligible || !r.NearMiss() || r.Misses[0].Path != c.w.path || r.Misses[0].Gap != c.w.gap {
			t.Errorf("%s near miss: eligible %v, misses %+v, want %s short by %v", dp.Title, r.Eligible, r.Misses, c.w.path, c.w.gap)
		}
	}
}
