package rules

import (
	"testing"

	"yingshang/internal/yserr"
)

// FuzzCompile: any input compiles or is refused with a positioned,
// bilingual error; a compiled rule evaluates (fast and traced, agreeing)
// without panicking.
func FuzzCompile(f *testing.F) {
	f.Add(`{"all":[{"fact":"rd_spending_wan","op":">=","value":100},{"not":{"fact":"industry","op":"prefix","value":["K"]}}]}`, `{"kind":"rate","fact":"rd_spending_wan","rate":0.1,"cap":500000}`)
	f.Add(`{"any":[{"fact":"founded_on","op":">=","value":"today-5y"},{"fact":"tags","op":"has","value":"专精特新"}]}`, `{"kind":"fixed","amount":1000}`)
	f.Add(`{"fact":"employees","op":"between","value":[10,300]}`, `{"kind":"tiers","fact":"employees","tiers":[{"from":10,"amount":1},{"from":50,"rate":2}]}`)
	f.Add(`{"fact":"founded_on","op":"<","value":"today+99999d"}`, ``)
	f.Add(`{"all":[{"all":[{"all":[]}]}]}`, `null`)
	f.Fuzz(func(t *testing.T, cond, amount string) {
		p, err := Compile([]byte(cond), []byte(amount))
		if err != nil {
			e := yserr.As(err)
			if e.Field == "" || e.ZH == "" || e.EN == "" {
				t.Fatalf("error without position or text: %#v", e)
			}
			return
		}
		env := NewEnv(today)
		for _, x := range []*Facts{facts(), {}} {
			fast := p.Match(x, env)
			r := p.Explain(x, env)
			if r.Eligible != fast {
				t.Fatalf("trace %v, fast %v", r.Eligible, fast)
			}
			if r.Eligible && r.AmountFen != p.AmountFen(x) {
				t.Fatalf("traced amount %d, fast amount %d", r.AmountFen, p.AmountFen(x))
			}
			if r.AmountFen < 0 {
				t.Fatalf("negative amount %d", r.AmountFen)
			}
		}
	})
}
