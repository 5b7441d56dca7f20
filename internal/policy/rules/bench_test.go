package rules

import (
	"slices"
	"strconv"
	"testing"
	"time"
)

// benchRule is an R&D subsidy condition: manufacturing or software,
// small or medium, R&D at least 100 万元, founded in the last ten years,
// not on the serious-dishonesty list, and either 高新 or a 专精特新 tag.
const benchRule = `{"all":[
	{"fact":"industry","op":"prefix","value":["C","I65"]},
	{"fact":"size","op":"in","value":["small","medium"]},
	{"fact":"rd_spending_wan","op":">=","value":100},
	{"fact":"founded_on","op":">=","value":"today-10y"},
	{"fact":"serious_list","op":"=","value":false},
	{"any":[{"fact":"high_tech","op":"=","value":true},{"fact":"tags","op":"has","value":"专精特新"}]}]}`

// handWritten is benchRule as a Go function: the baseline.
func handWritten(f *Facts, tenYearsAgo int32) bool {
	if !(f.Str[StrSection] == "C" || len(f.Str[StrIndustry]) >= 2 && f.Str[StrIndustry][:2] == "65") {
		return false
	}
	if f.Str[StrSize] != "small" && f.Str[StrSize] != "medium" {
		return false
	}
	if !f.Known(NumRD) || f.Num[NumRD] < 100 {
		return false
	}
	if f.Founded == 0 || f.Founded < tenYearsAgo {
		return false
	}
	if f.SeriousList {
		return false
	}
	return f.HighTech || slices.Contains(f.Tags, "专精特新")
}

func benchFacts(n int) []Facts {
	sections := []string{"C", "I", "F", "C", "M"}
	sizes := []string{"small", "medium", "micro", "large"}
	out := make([]Facts, n)
	base, _ := ParseDay("2010-01-01")
	for i := range out {
		f := &out[i]
		f.Str[StrSection] = sections[i%len(sections)]
		f.Str[StrIndustry] = map[string]string{"C": "3741", "I": "6510", "F": "5110", "M": "7320"}[f.Str[StrSection]]
		f.Str[StrSize] = sizes[i%len(sizes)]
		f.Founded = base + int32(i*37%6000)
		f.SetNum(NumRD, float64(i%300))
		f.HighTech = i%3 == 0
		if i%5 == 0 {
			f.Tags = []string{"专精特新"}
		}
		f.SeriousList = i%97 == 0
		f.Str[StrRegion] = "41100" + strconv.Itoa(i%3)
	}
	return out
}

// BenchmarkRuleVsGo times the compiled rule and the hand-written function
// over the same facts in one run and reports their ratio (x-go); the
// issue's target is at most 5.
func BenchmarkRuleVsGo(b *testing.B) {
	p, err := Compile([]byte(benchRule), nil)
	if err != nil {
		b.Fatal(err)
	}
	fs := benchFacts(4096)
	env := NewEnv(today)
	ago := DayNumber(today.AddDate(-10, 0, 0))
	var goTime, ruleTime time.Duration
	var hitsGo, hitsRule int
	for b.Loop() {
		t0 := time.Now()
		for i := range fs {
			if handWritten(&fs[i], ago) {
				hitsGo++
			}
		}
		t1 := time.Now()
		for i := range fs {
			if p.Match(&fs[i], env) {
				hitsRule++
			}
		}
		t2 := time.Now()
		goTime += t1.Sub(t0)
		ruleTime += t2.Sub(t1)
	}
	if hitsGo != hitsRule {
		b.Fatalf("the rule and the function disagree: %d vs %d", hitsRule, hitsGo)
	}
	evals := float64(b.N) * float64(len(fs))
	b.ReportMetric(float64(ruleTime.Nanoseconds())/evals, "rule-ns/eval")
	b.ReportMetric(float64(goTime.Nanoseconds())/evals, "go-ns/eval")
	b.ReportMetric(ruleTime.Seconds()/goTime.Seconds(), "x-go")
}

// BenchmarkExplain is the traced evaluation (what the enterprise view and
// the calculator use), for scale.
func BenchmarkExplain(b *testing.B) {
	p, err := Compile([]byte(benchRule), []byte(`{"kind":"rate","fact":"rd_spending_wan","rate":0.1,"cap":500000}`))
	if err != nil {
		b.Fatal(err)
	}
	fs := benchFacts(256)
	env := NewEnv(today)
	i := 0
	for b.Loop() {
		p.Explain(&fs[i%len(fs)], env)
		i++
	}
}

// TestRuleAgreesWithGo keeps the benchmark's two sides honest.
func TestRuleAgreesWithGo(t *testing.T) {
	p, err := Compile([]byte(benchRule), nil)
	if err != nil {
		t.Fatal(err)
	}
	env := NewEnv(today)
	ago := DayNumber(today.AddDate(-10, 0, 0))
	hits := 0
	for i, f := range benchFacts(2000) {
		if p.Match(&f, env) != handWritten(&f, ago) {
			t.Fatalf("facts %d: rule %v, function %v", i, p.Match(&f, env), handWritten(&f, ago))
		}
		if p.Match(&f, env) {
			hits++
		}
	}
	if hits == 0 || hits == 2000 {
		t.Fatalf("the sample should have both outcomes, %d hits", hits)
	}
}
