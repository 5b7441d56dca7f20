package rules

import (
	"encoding/json"
	"fmt"
	"math"
	"slices"
)

// An amount formula is JSON, one of:
//
//	{"kind": "fixed", "amount": 200000}
//	{"kind": "rate",  "fact": "rd_spending_wan", "rate": 0.1, "cap": 1000000}
//	{"kind": "tiers", "fact": "employees", "tiers": [{"from": 10, "amount": 20000},
//	                  {"from": 50, "rate": 1000}], "cap": 300000}
//
// Amounts and caps are in yuan. A rate multiplies the fact's value in
// yuan: facts in 万元 (unit "wan") are converted (x 10,000) first; counts
// (persons) are taken as they are, so {"rate": 2000} of graduates_hired
// is 2,000 yuan per graduate. Tiers: the tier with the highest "from" not
// above the fact's value applies, with its fixed amount or its rate; below
// the first tier the amount is 0. The cap, when given, limits the result.
// Results are rounded to the fen.

// MaxYuan bounds every amount, rate and cap (a trillion yuan), so that
// no formula overflows the fen it is kept in.
const MaxYuan = 1e12

// Formula is a compiled amount formula.
type Formula struct {
	Kind   string  `json:"kind"`
	Amount float64 `json:"amount,omitempty"`
	Fact   string  `json:"fact,omitempty"`
	Rate   float64 `json:"rate,omitempty"`
	Tiers  []Tier  `json:"tiers,omitempty"`
	Cap    float64 `json:"cap,omitempty"`
	def    FactDef
}

// Tier is one step of a tiered formula.
type Tier struct {
	From   float64  `json:"from"`
	Amount *float64 `json:"amount,omitempty"`
	Rate   *float64 `json:"rate,omitempty"`
}

func compileFormula(b []byte, c *compiler) (*Formula, error) {
	var raw map[string]json.RawMessage
	if err := decodeStrict(b, &raw); err != nil {
		return nil, errAt("amount$", "金额公式不是有效的 JSON 对象："+err.Error(), "the amount formula is not a valid JSON object: "+err.Error())
	}
	for k := range raw {
		if !slices.Contains([]string{"kind", "amount", "fact", "rate", "tiers", "cap"}, k) {
			return nil, errAt("amount$."+k, "未知的键“"+k+"”", "unknown key \""+k+"\"")
		}
	}
	var f Formula
	num := func(key string, dst *float64, required bool) error {
		v, ok := raw[key]
		if !ok {
			if required {
				return errAt("amount$."+key, "请填写 "+key, "give "+key)
			}
			return nil
		}
		if err := json.Unmarshal(v, dst); err != nil || math.IsNaN(*dst) || math.IsInf(*dst, 0) || *dst < 0 || *dst > MaxYuan {
			return errAt("amount$."+key, key+" 应为 0 到 1e12 之间的数", key+" must be a number from 0 to 1e12")
		}
		return nil
	}
	if err := json.Unmarshal(raw["kind"], &f.Kind); err != nil {
		return nil, errAt("amount$.kind", "kind 应为 fixed、rate 或 tiers", "kind must be fixed, rate or tiers")
	}
	if err := num("cap", &f.Cap, false); err != nil {
		return nil, err
	}
	factOf := func() error {
		var name string
		if err := json.Unmarshal(raw["fact"], &name); err != nil {
			return errAt("amount$.fact", "请给出计算依据的数值事实", "give the numeric fact the amount is computed from")
		}
		d, ok := byName[name]
		if !ok || d.Kind != KindNumber {
			return errAt("amount$.fact", "“"+name+"”不是数值事实", "\""+name+"\" is not a numeric fact")
		}
		f.Fact, f.def = name, *d
		c.facts[name] = true
		return nil
	}
	switch f.Kind {
	case "fixed":
		if err := num("amount", &f.Amount, true); err != nil {
			return nil, err
		}
	case "rate":
		if err := factOf(); err != nil {
			return nil, err
		}
		if err := num("rate", &f.Rate, true); err != nil {
			return nil, err
		}
	case "tiers":
		if err := factOf(); err != nil {
			return nil, err
		}
		if err := json.Unmarshal(raw["tiers"], &f.Tiers); err != nil || len(f.Tiers) == 0 {
			return nil, errAt("amount$.tiers", "tiers 应为非空列表，每档含 from 与 amount 或 rate", "tiers must be a non-empty list, each with from and amount or rate")
		}
		for i, t := range f.Tiers {
			p := fmt.Sprintf("amount$.tiers[%d]", i)
			if (t.Amount == nil) == (t.Rate == nil) {
				return nil, errAt(p, "每档须且只能有 amount 或 rate 之一", "each tier needs exactly one of amount or rate")
			}
			if t.Amount != nil && (*t.Amount < 0 || *t.Amount > MaxYuan) || t.Rate != nil && (*t.Rate < 0 || *t.Rate > MaxYuan) {
				return nil, errAt(p, "金额或比例不能为负", "an amount or rate cannot be negative")
			}
			if i > 0 && t.From <= f.Tiers[i-1].From {
				return nil, errAt(p+".from", "各档起点须递增", "tiers must start at increasing values")
			}
		}
	default:
		return nil, errAt("amount$.kind", "kind 应为 fixed、rate 或 tiers", "kind must be fixed, rate or tiers")
	}
	return &f, nil
}

// yuanOf is the fact's value as a base for a rate: yuan for 万元 facts.
func (f *Formula) yuanOf(v float64) float64 {
	if f.def.Unit == "wan" {
		return v * 10000
	}
	return v
}

// Compute returns the amount in fen for the facts and how it was reached.
// A fact the formula needs but does not have gives 0.
func (f *Formula) Compute(x *Facts) (fen int64, how Line) {
	var yuan float64
	switch f.Kind {
	case "fixed":
		yuan = f.Amount
		how = Line{ZH: "定额 " + Yuan(f.Amount), EN: "fixed " + Yuan(f.Amount)}
	case "rate", "tiers":
		i := f.def.num
		if !x.Known(i) {
			return 0, Line{ZH: "缺少事实“" + f.def.ZH + "”，金额为 0", EN: "no value for " + f.def.EN + ": amount 0"}
		}
		v := x.Num[i]
		if f.Kind == "rate" {
			yuan = f.yuanOf(v) * f.Rate
			how = Line{ZH: fmt.Sprintf("%s %s × %s", f.def.ZH, unitText(f.def, v, "zh"), formatNum(f.Rate)),
				EN: fmt.Sprintf("%s %s × %s", f.def.EN, unitText(f.def, v, "en"), formatNum(f.Rate))}
			break
		}
		t := -1
		for k := range f.Tiers {
			if f.Tiers[k].From <= v {
				t = k
			}
		}
		if t < 0 {
			return 0, Line{ZH: fmt.Sprintf("%s %s 低于最低档 %s", f.def.ZH, unitText(f.def, v, "zh"), formatNum(f.Tiers[0].From)),
				EN: fmt.Sprintf("%s %s is below the first tier (%s)", f.def.EN, unitText(f.def, v, "en"), formatNum(f.Tiers[0].From))}
		}
		tier := f.Tiers[t]
		if tier.Amount != nil {
			yuan = *tier.Amount
			how = Line{ZH: fmt.Sprintf("%s %s，适用第 %d 档（≥%s）定额 %s", f.def.ZH, unitText(f.def, v, "zh"), t+1, formatNum(tier.From), Yuan(yuan)),
				EN: fmt.Sprintf("%s %s: tier %d (from %s), fixed %s", f.def.EN, unitText(f.def, v, "en"), t+1, formatNum(tier.From), Yuan(yuan))}
		} else {
			yuan = f.yuanOf(v) * *tier.Rate
			how = Line{ZH: fmt.Sprintf("%s %s，适用第 %d 档（≥%s）× %s", f.def.ZH, unitText(f.def, v, "zh"), t+1, formatNum(tier.From), formatNum(*tier.Rate)),
				EN: fmt.Sprintf("%s %s: tier %d (from %s) × %s", f.def.EN, unitText(f.def, v, "en"), t+1, formatNum(tier.From), formatNum(*tier.Rate))}
		}
	}
	if f.Cap > 0 && yuan > f.Cap {
		how.ZH += "，超过上限按 " + Yuan(f.Cap)
		how.EN += ", capped at " + Yuan(f.Cap)
		yuan = f.Cap
	}
	if yuan > MaxYuan || math.IsNaN(yuan) {
		yuan = MaxYuan
	}
	fen = int64(math.Round(yuan * 100))
	how.ZH += " = " + Fen(fen)
	how.EN += " = " + Fen(fen)
	return fen, how
}

func unitText(d FactDef, v float64, lang string) string {
	switch d.Unit {
	case "wan":
		if lang == "en" {
			return Thousands(v) + " wan yuan"
		}
		return Thousands(v) + " 万元"
	case "person":
		if lang == "en" {
			return Thousands(v) + " persons"
		}
		return Thousands(v) + " 人"
	}
	return Thousands(v)
}

// Thousands formats a number with thousands separators (1,234,567.5).
func Thousands(v float64) string {
	neg := v < 0
	if neg {
		v = -v
	}
	s := formatNum(math.Round(v*100) / 100)
	intPart, frac := s, ""
	for i := 0; i < len(s); i++ {
		if s[i] == '.' {
			intPart, frac = s[:i], s[i:]
			break
		}
	}
	var out []byte
	for i := range len(intPart) {
		if i > 0 && (len(intPart)-i)%3 == 0 {
			out = append(out, ',')
		}
		out = append(out, intPart[i])
	}
	if neg {
		return "-" + string(out) + frac
	}
	return string(out) + frac
}

// Yuan formats an amount in yuan: ¥1,234.50.
func Yuan(v float64) string { return Fen(int64(math.Round(v * 100))) }

// Fen formats an amount in fen as yuan with separators: ¥1,234.50.
func Fen(fen int64) string {
	neg := fen < 0
	if neg {
		fen = -fen
	}
	s := Thousands(float64(fen/100)) + fmt.Sprintf(".%02d", fen%100)
	if neg {
		return "-¥" + s
	}
	return "¥" + s
}

// Fen is Compute without the explanation: the amount in fen (the fast
// path of a full match).
func (f *Formula) Fen(x *Facts) int64 {
	var yuan float64
	switch f.Kind {
	case "fixed":
		yuan = f.Amount
	default:
		i := f.def.num
		if !x.Known(i) {
			return 0
		}
		v := x.Num[i]
		if f.Kind == "rate" {
			yuan = f.yuanOf(v) * f.Rate
			break
		}
		t := -1
		for k := range f.Tiers {
			if f.Tiers[k].From <= v {
				t = k
			}
		}
		if t < 0 {
			return 0
		}
		if a := f.Tiers[t].Amount; a != nil {
			yuan = *a
		} else {
			yuan = f.yuanOf(v) * *f.Tiers[t].Rate
		}
	}
	if f.Cap > 0 && yuan > f.Cap {
		yuan = f.Cap
	}
	if yuan > MaxYuan || math.IsNaN(yuan) {
		yuan = MaxYuan
	}
	return int64(math.Round(yuan * 100))
}

// AmountFen returns the amount the facts give (0 without a formula),
// without the explanation.
func (p *Program) AmountFen(x *Facts) int64 {
	if p.amount == nil {
		return 0
	}
	return p.amount.Fen(x)
}
