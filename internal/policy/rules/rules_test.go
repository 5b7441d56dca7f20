package rules

import (
	"strings"
	"testing"
	"time"

	"yingshang/internal/yserr"
)

var today = time.Date(2026, 6, 15, 0, 0, 0, 0, time.UTC)

func facts() *Facts {
	f := &Facts{EntityID: 1, Str: [StrCount]string{StrType: "有限责任公司", StrIndustry: "3741", StrSection: "C", StrSize: "small", StrRegion: "411002",
		StrStatus: "active", StrTaxGrade: "A", StrCreditGrade: "A"}, Tags: []string{"专精特新", "科技型中小企业"}, HighTech: true, Year: 2025}
	f.Founded, _ = ParseDay("2022-03-01")
	f.SetNum(NumRevenue, 4200)
	f.SetNum(NumRD, 380)
	f.SetNum(NumEmployees, 120)
	f.SetNum(NumGraduates, 7)
	return f
}

func mustCompile(t *testing.T, cond, amount string) *Program {
	t.Helper()
	p, err := Compile([]byte(cond), []byte(amount))
	if err != nil {
		t.Fatalf("compile %s: %v", cond, err)
	}
	return p
}

func TestOperators(t *testing.T) {
	cases := []struct {
		cond string
		want bool
	}{
		{`{"fact":"revenue_wan","op":">=","value":2000}`, true},
		{`{"fact":"revenue_wan","op":"<","value":2000}`, false},
		{`{"fact":"revenue_wan","op":"between","value":[4000,5000]}`, true},
		{`{"fact":"tax_paid_wan","op":"exists"}`, false},
		{`{"fact":"tax_paid_wan","op":">=","value":0}`, false}, // unknown never holds
		{`{"fact":"rd_spending_wan","op":"!=","value":380}`, false},
		{`{"fact":"size","op":"in","value":["small","micro"]}`, true},
		{`{"fact":"size","op":"not_in","value":["small","micro"]}`, false},
		{`{"fact":"status","op":"=","value":"active"}`, true},
		{`{"fact":"industry","op":"prefix","value":["C"]}`, true},
		{`{"fact":"industry","op":"prefix","value":["C37"]}`, true},
		{`{"fact":"industry","op":"prefix","value":["I65","38"]}`, false},
		{`{"fact":"industry","op":"not_prefix","value":["K"]}`, true},
		{`{"fact":"region","op":"prefix","value":["4110"]}`, true},
		{`{"fact":"region","op":"=","value":"411003"}`, false},
		{`{"fact":"founded_on","op":">=","value":"today-5y"}`, true},
		{`{"fact":"founded_on","op":">=","value":"today-3y"}`, false},
		{`{"fact":"founded_on","op":"<","value":"2023-01-01"}`, true},
		{`{"fact":"founded_on","op":">","value":"today-52m"}`, true},
		{`{"fact":"high_tech","op":"=","value":true}`, true},
		{`{"fact":"serious_list","op":"=","value":false}`, true},
		{`{"fact":"tags","op":"has","value":"专精特新"}`, true},
		{`{"fact":"tags","op":"has_any","value":["瞪羚企业","科技型中小企业"]}`, true},
		{`{"fact":"tags","op":"has_none","value":["专精特新"]}`, false},
		{`{"all":[]}`, true},
		{`{"any":[]}`, false},
		{`{"not":{"fact":"size","op":"=","value":"large"}}`, true},
		{`{"any":[{"fact":"size","op":"=","value":"large"},{"fact":"employees","op":">","value":100}]}`, true},
		{`{"all":[{"fact":"size","op":"=","value":"small"},{"fact":"employees","op":">","value":200},{"fact":"high_tech","op":"=","value":true}]}`, false},
	}
	env := NewEnv(today)
	for _, c := range cases {
		p := mustCompile(t, c.cond, "")
		if got := p.Match(facts(), env); got != c.want {
			t.Errorf("%s: Match = %v, want %v", c.cond, got, c.want)
		}
		// The trace agrees with the fast path.
		if r := p.Explain(facts(), env); r.Eligible != c.want {
			t.Errorf("%s: Explain.Eligible = %v, want %v", c.cond, r.Eligible, c.want)
		}
	}
}

func TestCompileErrorsNamePosition(t *testing.T) {
	cases := []struct{ cond, amount, field string }{
		{`{"all":[{"fact":"revenue_wan","op":">=","value":1},{"fact":"nope","op":"=","value":1}]}`, "", "condition$.all[1].fact"},
		{`{"all":[{"any":[{"fact":"size","op":">=","value":"small"}]}]}`, "", "condition$.all[0].any[0].op"},
		{`{"fact":"revenue_wan","op":">=","value":"many"}`, "", "condition$.value"},
		{`{"fact":"founded_on","op":">=","value":"yesterday"}`, "", "condition$.value"},
		{`{"fact":"industry","op":"prefix","value":["C","3x"]}`, "", "condition$.value[1]"},
		{`{"all":{"fact":"size"}}`, "", "condition$.all"},
		{`{"all":[],"any":[]}`, "", "condition$"},
		{`{"fact":"size","op":"=","value":"small","extra":1}`, "", "condition$.extra"},
		{`[1,2]`, "", "condition$"},
		{`{"all":[`, "", "condition$"},
		{`{"all":[]}`, `{"kind":"rate","fact":"size","rate":1}`, "amount$.fact"},
		{`{"all":[]}`, `{"kind":"tiers","fact":"employees","tiers":[{"from":10,"amount":1},{"from":5,"amount":2}]}`, "amount$.tiers[1].from"},
		{`{"all":[]}`, `{"kind":"tiers","fact":"employees","tiers":[{"from":10,"amount":1,"rate":2}]}`, "amount$.tiers[0]"},
		{`{"all":[]}`, `{"kind":"fixed","amount":-5}`, "amount$.amount"},
		{`{"all":[]}`, `{"kind":"lump"}`, "amount$.kind"},
	}
	for _, c := range cases {
		_, err := Compile([]byte(c.cond), []byte(c.amount))
		if err == nil {
			t.Errorf("%s / %s: compiled, want an error at %s", c.cond, c.amount, c.field)
			continue
		}
		e := yserr.As(err)
		if e.Field != c.field || e.ZH == "" || e.EN == "" {
			t.Errorf("%s / %s: error at %q (%s / %s), want %q", c.cond, c.amount, e.Field, e.ZH, e.EN, c.field)
		}
	}
	deep := strings.Repeat(`{"not":`, MaxDepth+2) + `{"all":[]}` + strings.Repeat(`}`, MaxDepth+2)
	if _, err := Compile([]byte(deep), nil); err == nil || !strings.Contains(yserr.As(err).EN, "nested") {
		t.Errorf("deep nesting: %v", err)
	}
}

func TestTraceAndNearMiss(t *testing.T) {
	p := mustCompile(t, `{"all":[
		{"fact":"industry","op":"prefix","value":["C"]},
		{"fact":"rd_spending_wan","op":">=","value":400},
		{"any":[{"fact":"high_tech","op":"=","value":true},{"fact":"tags","op":"has","value":"瞪羚企业"}]}]}`,
		`{"kind":"rate","fact":"rd_spending_wan","rate":0.1,"cap":500000}`)
	env := NewEnv(today)
	r := p.Explain(facts(), env)
	if r.Eligible || !r.NearMiss() {
		t.Fatalf("want a near miss, got %+v", r)
	}
	m := r.Misses[0]
	if m.Path != "condition$.all[1]" || m.Gap != 20 || m.Actual != "380" || !strings.Contains(m.GapText.ZH, "20 万元") {
		t.Errorf("miss = %+v", m)
	}
	if len(r.Steps) != 6 || r.Steps[0].Held || !r.Steps[1].Held || r.Steps[2].Held || !r.Steps[3].Held || !r.Steps[4].Held || r.Steps[5].Held {
		t.Errorf("steps = %+v", r.Steps)
	}
	if r.AmountFen != 0 {
		t.Errorf("amount of a non-eligible entity = %d", r.AmountFen)
	}
	f := facts()
	f.SetNum(NumRD, 450)
	r = p.Explain(f, env)
	// 450 万元 x 10,000 x 0.1 = 450,000 yuan, under the 500,000 cap.
	if !r.Eligible || r.AmountFen != 45_000_000 || len(r.Misses) != 0 {
		t.Errorf("eligible: %+v", r)
	}
	f.SetNum(NumRD, 800) // 800,000 capped to 500,000
	if r = p.Explain(f, env); r.AmountFen != 50_000_000 || !strings.Contains(r.Amount.EN, "capped") {
		t.Errorf("capped: %+v", r)
	}
	// Two failures: not a near miss.
	f = facts()
	f.Str[StrSection], f.Str[StrIndustry] = "I", "6510"
	if r = p.Explain(f, env); r.NearMiss() || len(r.Misses) != 2 {
		t.Errorf("two misses: %+v", r.Misses)
	}
	// An any: the cheapest branch is the miss.
	f = facts()
	f.SetNum(NumRD, 500)
	f.HighTech = false
	if r = p.Explain(f, env); !r.NearMiss() || r.Misses[0].Path != "condition$.all[2].any[0]" {
		t.Errorf("any miss: %+v", r.Misses)
	}
}

func TestDateGap(t *testing.T) {
	p := mustCompile(t, `{"fact":"founded_on","op":">=","value":"today-3y"}`, "")
	r := p.Explain(facts(), NewEnv(today))
	// today-3y = 2023-06-15; founded 2022-03-01: 471 days early.
	if r.Eligible || r.Misses[0].Gap != 471 {
		t.Errorf("%+v", r.Misses)
	}
}

func TestFormulas(t *testing.T) {
	f := facts() // employees 120, graduates 7, revenue 4200 万元
	cases := []struct {
		amount string
		fen    int64
	}{
		{`{"kind":"fixed","amount":200000}`, 20_000_000},
		{`{"kind":"rate","fact":"graduates_hired","rate":2000}`, 1_400_000},
		{`{"kind":"rate","fact":"graduates_hired","rate":2000,"cap":10000}`, 1_000_000},
		{`{"kind":"rate","fact":"revenue_wan","rate":0.001}`, 4_200_000},
		{`{"kind":"tiers","fact":"employees","tiers":[{"from":20,"amount":50000},{"from":100,"amount":100000},{"from":300,"amount":200000}]}`, 10_000_000},
		{`{"kind":"tiers","fact":"employees","tiers":[{"from":200,"amount":50000}]}`, 0},
		{`{"kind":"tiers","fact":"employees","tiers":[{"from":0,"rate":500},{"from":100,"rate":800}],"cap":90000}`, 9_000_000},
		{`{"kind":"rate","fact":"loan_interest_wan","rate":0.5}`, 0}, // unknown fact
	}
	for _, c := range cases {
		p := mustCompile(t, `{"all":[]}`, c.amount)
		if r := p.Explain(f, NewEnv(today)); r.AmountFen != c.fen || p.AmountFen(f) != c.fen || r.Amount.ZH == "" || r.Amount.EN == "" {
			t.Errorf("%s: %d (%s), want %d", c.amount, r.AmountFen, r.Amount.EN, c.fen)
		}
	}
}

func TestFormatting(t *testing.T) {
	for in, want := range map[int64]string{0: "¥0.00", 5: "¥0.05", 123456789: "¥1,234,567.89", -100000: "-¥1,000.00"} {
		if got := Fen(in); got != want {
			t.Errorf("Fen(%d) = %s, want %s", in, got, want)
		}
	}
	if got := Thousands(1234.5); got != "1,234.5" {
		t.Errorf("Thousands = %s", got)
	}
}

func TestDescribeAndFacts(t *testing.T) {
	p := mustCompile(t, `{"all":[{"fact":"rd_spending_wan","op":">=","value":100},{"fact":"founded_on","op":">=","value":"today-5y"}]}`,
		`{"kind":"rate","fact":"rd_spending_wan","rate":0.1}`)
	d := p.Describe()
	if len(d) != 3 || d[1].Text.ZH != "研发费用 ≥ 100 万元" || d[2].Text.EN != "founding date ≥ today -5 years" {
		t.Errorf("describe: %+v", d)
	}
	if strings.Join(p.Facts, ",") != "founded_on,rd_spending_wan" {
		t.Errorf("facts: %v", p.Facts)
	}
}
