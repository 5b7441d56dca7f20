package rules

import (
	"fmt"
	"math"
	"strings"
)

// Line is a text in both languages.
type Line struct {
	ZH string `json:"zh"`
	EN string `json:"en"`
}

// Step is one condition in a trace: what it says, whether it held, the
// entity's value and, for a failed number or date comparison, how far off
// the value is (Gap, in the fact's unit or in days).
type Step struct {
	Path    string  `json:"path" doc:"JSON path of the condition in the rule"`
	Fact    string  `json:"fact,omitempty" doc:"the fact a condition reads"`
	Depth   int     `json:"depth"`
	Held    bool    `json:"held"`
	Text    Line    `json:"text"`
	Actual  string  `json:"actual,omitempty" doc:"the entity's value; empty when unknown"`
	Gap     float64 `json:"gap,omitempty" doc:"for a failed comparison: how far the value is from meeting it"`
	GapText Line    `json:"gap_text,omitempty"`
}

// Result is a traced evaluation.
type Result struct {
	Eligible bool   `json:"eligible"`
	Steps    []Step `json:"steps"`
	// Misses are the fewest failed conditions that, if they held, would
	// make the entity eligible (empty when eligible). One miss is a near
	// miss.
	Misses    []Step `json:"misses,omitempty"`
	AmountFen int64  `json:"amount_fen"`
	Amount    Line   `json:"amount_how,omitempty"`
}

// NearMiss reports whether exactly one condition stands between the
// entity and the policy.
func (r *Result) NearMiss() bool { return !r.Eligible && len(r.Misses) == 1 }

// Explain evaluates with a trace, the misses and the amount (0 when not
// eligible).
func (p *Program) Explain(f *Facts, e *Env) *Result {
	r := &Result{}
	var held bool
	held, r.Misses = p.trace(p.root, f, e, 0, &r.Steps)
	r.Eligible = held
	if held {
		r.Misses = nil
		if p.amount != nil {
			r.AmountFen, r.Amount = p.amount.Compute(f)
		}
	}
	return r
}

// Estimate returns the amount the facts would give, eligible or not.
func (p *Program) Estimate(f *Facts) (int64, Line) {
	if p.amount == nil {
		return 0, Line{}
	}
	return p.amount.Compute(f)
}

// trace evaluates n, appends its steps and returns whether it held and,
// when it did not, the smallest set of failed leaves that would flip it.
func (p *Program) trace(n *node, f *Facts, e *Env, depth int, out *[]Step) (bool, []Step) {
	i := len(*out)
	*out = append(*out, Step{Path: n.path, Depth: depth, Text: describe(n)})
	switch n.kind {
	case nodeAll, nodeAny:
		var misses [][]Step
		all, any := true, false
		for _, k := range n.kids {
			ok, m := p.trace(k, f, e, depth+1, out)
			all = all && ok
			any = any || ok
			if !ok {
				misses = append(misses, m)
			}
		}
		if n.kind == nodeAll {
			(*out)[i].Held = all
			if all {
				return true, nil
			}
			var sum []Step
			for _, m := range misses {
				sum = append(sum, m...)
			}
			return false, sum
		}
		if len(n.kids) == 0 {
			any = false
		}
		(*out)[i].Held = any
		if any {
			return true, nil
		}
		var best []Step
		for _, m := range misses {
			if best == nil || len(m) < len(best) {
				best = m
			}
		}
		return false, best
	case nodeNot:
		ok, _ := p.trace(n.kids[0], f, e, depth+1, out)
		(*out)[i].Held = !ok
		if !ok {
			return true, nil
		}
		return false, []Step{(*out)[i]}
	}
	st := &(*out)[i]
	st.Held = n.fn(f, e)
	actual, v, known := n.actual(f, e)
	st.Actual, st.Fact = actual, n.fact.Name
	if !st.Held && known {
		gapOf(n, st, v, e)
	}
	if st.Held {
		return true, nil
	}
	return false, []Step{*st}
}

// gapOf fills how far a failed comparison is from holding.
func gapOf(n *node, st *Step, v float64, e *Env) {
	switch n.fact.Kind {
	case KindNumber:
		var gap float64
		switch n.op {
		case ">=", ">":
			gap = n.num - v
		case "<=", "<":
			gap = v - n.num
		case "between":
			if v < n.num {
				gap = n.num - v
			} else {
				gap = v - n.num2
			}
		default:
			return
		}
		gap = math.Round(gap*100) / 100
		if gap == 0 && (n.op == ">" || n.op == "<") {
			gap = 0.01
		}
		st.Gap = gap
		st.GapText = Line{ZH: "差 " + unitText(n.fact, gap, "zh"), EN: "short by " + unitText(n.fact, gap, "en")}
	case KindDate:
		t := n.date.day(e)
		var days int32
		switch n.op {
		case ">=", ">":
			days = t - int32(v)
		case "<=", "<":
			days = int32(v) - t
		}
		if days <= 0 {
			days = 1
		}
		st.Gap = float64(days)
		st.GapText = Line{ZH: fmt.Sprintf("相差 %d 天", days), EN: fmt.Sprintf("off by %d days", days)}
	}
}

var codeLabels = map[string]map[string]Line{
	"size":   {"large": {"大型", "large"}, "medium": {"中型", "medium"}, "small": {"小型", "small"}, "micro": {"微型", "micro"}},
	"status": {"active": {"存续", "active"}, "operating": {"在业", "operating"}, "revoked": {"吊销", "revoked"}, "cancelled": {"注销", "cancelled"}},
}

// CodeLabel names a coded value of a fact (size and status classes) in
// the language; other values are returned as they are (grades, tags and
// GB codes are shown as written).
func CodeLabel(fact, v, lang string) string {
	l, ok := codeLabels[fact][v]
	if !ok {
		return v
	}
	if lang == "en" {
		return l.EN
	}
	return l.ZH
}

var opText = map[string]Line{
	"=": {"为", "is"}, "!=": {"不为", "is not"}, "<": {"<", "<"}, "<=": {"≤", "≤"}, ">": {">", ">"}, ">=": {"≥", "≥"},
	"between": {"介于", "between"}, "exists": {"已知", "is known"}, "in": {"属于", "is one of"}, "not_in": {"不属于", "is none of"},
	"prefix": {"属于（含下级）", "is within"}, "not_prefix": {"不属于（含下级）", "is not within"},
	"has": {"含标签", "has tag"}, "has_any": {"含任一标签", "has any tag of"}, "has_none": {"不含标签", "has none of the tags"},
}

func describe(n *node) Line {
	switch n.kind {
	case nodeAll:
		return Line{"同时满足以下全部条件", "all of the following"}
	case nodeAny:
		return Line{"满足以下任一条件", "any of the following"}
	case nodeNot:
		return Line{"不满足以下条件", "not the following"}
	}
	op := opText[n.op]
	val := func(lang string) string {
		switch n.fact.Kind {
		case KindNumber:
			if n.op == "between" {
				return unitText(n.fact, n.num, lang) + " – " + unitText(n.fact, n.num2, lang)
			}
			return unitText(n.fact, n.num, lang)
		case KindDate:
			return dateText(n.date, lang)
		case KindBool:
			if n.b {
				return map[bool]string{true: "是", false: "yes"}[lang == "zh"]
			}
			return map[bool]string{true: "否", false: "no"}[lang == "zh"]
		}
		if len(n.strs) > 0 {
			sep := "、"
			if lang == "en" {
				sep = ", "
			}
			out := make([]string, len(n.strs))
			for i, v := range n.strs {
				out[i] = CodeLabel(n.fact.Name, v, lang)
			}
			return strings.Join(out, sep)
		}
		return CodeLabel(n.fact.Name, n.str, lang)
	}
	if n.op == "exists" {
		return Line{n.fact.ZH + "已知", n.fact.EN + " is known"}
	}
	return Line{ZH: n.fact.ZH + " " + op.ZH + " " + val("zh"), EN: n.fact.EN + " " + op.EN + " " + val("en")}
}

func dateText(d dateSpec, lang string) string {
	if !d.rel {
		return d.text
	}
	zh := lang == "zh"
	switch {
	case d.years != 0:
		if zh {
			return fmt.Sprintf("今天%+d年", d.years)
		}
		return fmt.Sprintf("today %+d years", d.years)
	case d.months != 0:
		if zh {
			return fmt.Sprintf("今天%+d个月", d.months)
		}
		return fmt.Sprintf("today %+d months", d.months)
	case d.days != 0:
		if zh {
			return fmt.Sprintf("今天%+d天", d.days)
		}
		return fmt.Sprintf("today %+d days", d.days)
	}
	if zh {
		return "今天"
	}
	return "today"
}

// Describe returns the rule as readable lines, one per condition, with
// their depth: what the policy page shows.
func (p *Program) Describe() []Step {
	var out []Step
	var walk func(n *node, depth int)
	walk = func(n *node, depth int) {
		out = append(out, Step{Path: n.path, Depth: depth, Text: describe(n)})
		for _, k := range n.kids {
			walk(k, depth+1)
		}
	}
	walk(p.root, 0)
	return out
}
