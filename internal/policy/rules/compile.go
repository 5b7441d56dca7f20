package rules

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"
	"sync/atomic"

	"yingshang/internal/yserr"
)

// A condition is JSON, one of:
//
//	{"all": [cond, ...]}            every condition holds (an empty list holds)
//	{"any": [cond, ...]}            at least one holds
//	{"not": cond}                   the condition does not hold
//	{"fact": name, "op": op, "value": v}
//
// The operators a fact takes depend on its kind (see Catalogue):
//
//	number  = != < <= > >= (a number), between ([lo, hi]), exists
//	string  = != (a string), in not_in (a list of strings), exists
//	code    = != in not_in, prefix not_prefix (a list of code prefixes; an
//	        industry prefix may start with its section letter: "C", "C37")
//	date    < <= > >= (YYYY-MM-DD, or relative: today-5y, today-6m, today+30d)
//	bool    = (true or false)
//	list    has (a string), has_any has_none (a list of strings)
//
// Errors name the JSON path of the bad part ($.all[2].value).

// Limits of a condition, against hostile or runaway input.
const (
	MaxDepth = 16
	MaxNodes = 256
)

type nodeKind int

const (
	nodeAll nodeKind = iota
	nodeAny
	nodeNot
	nodeLeaf
)

// node is a compiled condition: fn is the fast form; the other fields let
// Explain describe it.
type node struct {
	kind nodeKind
	path string
	kids []*node
	fn   func(*Facts, *Env) bool

	fact   FactDef
	op     string
	num    float64
	num2   float64
	str    string
	strs   []string
	b      bool
	date   dateSpec
	actual func(*Facts, *Env) (string, float64, bool) // shown value, numeric value, known
}

// dateSpec is an absolute day or a day relative to the evaluation day.
type dateSpec struct {
	abs                 int32
	rel                 bool
	years, months, days int
	text                string
}

func (d dateSpec) day(e *Env) int32 {
	if !d.rel {
		return d.abs
	}
	return DayNumber(e.Today.AddDate(d.years, d.months, d.days))
}

// Program is a compiled policy rule: its condition and its amount formula.
type Program struct {
	root   *node
	amount *Formula
	// Facts lists the facts the rule reads, sorted.
	Facts []string
	// needsDates: the condition has relative dates (computed per Env).
	nodes int
}

type compiler struct {
	nodes int
	facts map[string]bool
}

func errAt(path, zh, en string) error { return yserr.Field(path, zh, en) }

// Compile compiles a condition and an amount formula (both JSON; an empty
// amount means no money, e.g. a service policy). The error is a field
// error whose field is the JSON path of the problem, prefixed with
// "condition" or "amount".
func Compile(condition, amount []byte) (*Program, error) {
	c := &compiler{facts: map[string]bool{}}
	var raw any
	if err := decodeStrict(condition, &raw); err != nil {
		return nil, errAt("condition$", "条件不是有效的 JSON："+err.Error(), "the condition is not valid JSON: "+err.Error())
	}
	root, err := c.compile(raw, "condition$", 0)
	if err != nil {
		return nil, err
	}
	p := &Program{root: root, nodes: c.nodes}
	if len(bytes.TrimSpace(amount)) > 0 && string(bytes.TrimSpace(amount)) != "null" {
		f, err := compileFormula(amount, c)
		if err != nil {
			return nil, err
		}
		p.amount = f
	}
	for n := range c.facts {
		p.Facts = append(p.Facts, n)
	}
	slices.Sort(p.Facts)
	return p, nil
}

func decodeStrict(b []byte, v any) error {
	d := json.NewDecoder(bytes.NewReader(b))
	d.UseNumber()
	if err := d.Decode(v); err != nil {
		return err
	}
	if d.More() {
		return fmt.Errorf("extra data after the value")
	}
	return nil
}

func (c *compiler) compile(raw any, path string, depth int) (*node, error) {
	c.nodes++
	if c.nodes > MaxNodes {
		return nil, errAt(path, fmt.Sprintf("条件过多（上限 %d 个）", MaxNodes), fmt.Sprintf("too many conditions (at most %d)", MaxNodes))
	}
	if depth > MaxDepth {
		return nil, errAt(path, fmt.Sprintf("条件嵌套过深（上限 %d 层）", MaxDepth), fmt.Sprintf("conditions nested too deep (at most %d levels)", MaxDepth))
	}
	obj, ok := raw.(map[string]any)
	if !ok {
		return nil, errAt(path, "条件应为对象，如 {\"all\": [...]} 或 {\"fact\": ..., \"op\": ..., \"value\": ...}", `a condition must be an object such as {"all": [...]} or {"fact": ..., "op": ..., "value": ...}`)
	}
	for _, k := range []string{"all", "any"} {
		v, ok := obj[k]
		if !ok {
			continue
		}
		if len(obj) != 1 {
			return nil, errAt(path, "“"+k+"”不能与其他键同时出现", "\""+k+"\" cannot appear with other keys")
		}
		list, ok := v.([]any)
		if !ok {
			return nil, errAt(path+"."+k, "应为条件列表", "must be a list of conditions")
		}
		n := &node{kind: nodeAll, path: path}
		if k == "any" {
			n.kind = nodeAny
		}
		for i, item := range list {
			kid, err := c.compile(item, fmt.Sprintf("%s.%s[%d]", path, k, i), depth+1)
			if err != nil {
				return nil, err
			}
			n.kids = append(n.kids, kid)
		}
		n.fn = combine(n.kind, n.kids)
		return n, nil
	}
	if v, ok := obj["not"]; ok {
		if len(obj) != 1 {
			return nil, errAt(path, "“not”不能与其他键同时出现", "\"not\" cannot appear with other keys")
		}
		kid, err := c.compile(v, path+".not", depth+1)
		if err != nil {
			return nil, err
		}
		f := kid.fn
		return &node{kind: nodeNot, path: path, kids: []*node{kid}, fn: func(x *Facts, e *Env) bool { return !f(x, e) }}, nil
	}
	if _, ok := obj["fact"]; !ok {
		return nil, errAt(path, "条件须含 all、any、not 或 fact", "a condition needs all, any, not or fact")
	}
	return c.leaf(obj, path)
}

func combine(k nodeKind, kids []*node) func(*Facts, *Env) bool {
	fns := make([]func(*Facts, *Env) bool, len(kids))
	for i, k := range kids {
		fns[i] = k.fn
	}
	if k == nodeAll {
		switch len(fns) {
		case 0:
			return func(*Facts, *Env) bool { return true }
		case 1:
			return fns[0]
		case 2:
			a, b := fns[0], fns[1]
			return func(f *Facts, e *Env) bool { return a(f, e) && b(f, e) }
		}
		return func(f *Facts, e *Env) bool {
			for _, fn := range fns {
				if !fn(f, e) {
					return false
				}
			}
			return true
		}
	}
	switch len(fns) {
	case 0:
		return func(*Facts, *Env) bool { return false }
	case 1:
		return fns[0]
	case 2:
		a, b := fns[0], fns[1]
		return func(f *Facts, e *Env) bool { return a(f, e) || b(f, e) }
	}
	return func(f *Facts, e *Env) bool {
		for _, fn := range fns {
			if fn(f, e) {
				return true
			}
		}
		return false
	}
}

var opsByKind = map[Kind][]string{
	KindNumber: {"=", "!=", "<", "<=", ">", ">=", "between", "exists"},
	KindString: {"=", "!=", "in", "not_in", "exists"},
	KindCode:   {"=", "!=", "in", "not_in", "prefix", "not_prefix", "exists"},
	KindDate:   {"<", "<=", ">", ">=", "exists"},
	KindBool:   {"="},
	KindList:   {"has", "has_any", "has_none"},
}

func (c *compiler) leaf(obj map[string]any, path string) (*node, error) {
	for k := range obj {
		if k != "fact" && k != "op" && k != "value" {
			return nil, errAt(path+"."+k, "未知的键“"+k+"”（可用 fact、op、value）", "unknown key \""+k+"\" (use fact, op, value)")
		}
	}
	name, ok := obj["fact"].(string)
	if !ok {
		return nil, errAt(path+".fact", "fact 应为事实名称（字符串）", "fact must be a fact name (a string)")
	}
	d, ok := byName[name]
	if !ok {
		return nil, errAt(path+".fact", "未知的事实“"+name+"”", "unknown fact \""+name+"\"")
	}
	op, ok := obj["op"].(string)
	if !ok {
		return nil, errAt(path+".op", "请给出比较方式 op", "give the comparison op")
	}
	if !slices.Contains(opsByKind[d.Kind], op) {
		return nil, errAt(path+".op", "事实“"+d.ZH+"”不支持比较方式“"+op+"”（可用 "+strings.Join(opsByKind[d.Kind], " ")+"）",
			"fact \""+name+"\" does not take op \""+op+"\" (use "+strings.Join(opsByKind[d.Kind], " ")+")")
	}
	c.facts[name] = true
	n := &node{kind: nodeLeaf, path: path, fact: *d, op: op}
	val, hasVal := obj["value"]
	vpath := path + ".value"
	if op == "exists" {
		if hasVal {
			return nil, errAt(vpath, "exists 不需要 value", "exists takes no value")
		}
	} else if !hasVal {
		return nil, errAt(vpath, "请给出比较值 value", "give the value to compare with")
	}
	var err error
	switch d.Kind {
	case KindNumber:
		err = n.number(val, vpath)
	case KindString, KindCode:
		err = n.text(val, vpath)
	case KindDate:
		err = n.dateLeaf(val, vpath)
	case KindBool:
		b, ok := val.(bool)
		if !ok {
			return nil, errAt(vpath, "应为 true 或 false", "must be true or false")
		}
		n.b = b
		n.fn, n.actual = boolLeaf(name, b)
	case KindList:
		err = n.listLeaf(val, vpath)
	}
	if err != nil {
		return nil, err
	}
	return n, nil
}

func toNumber(v any) (float64, bool) {
	n, ok := v.(json.Number)
	if !ok {
		return 0, false
	}
	f, err := n.Float64()
	if err != nil || math.IsInf(f, 0) || math.IsNaN(f) {
		return 0, false
	}
	return f, true
}

func (n *node) number(val any, vpath string) error {
	i := n.fact.num
	bit := uint32(1) << i
	n.actual = func(f *Facts, _ *Env) (string, float64, bool) {
		if f.Has&bit == 0 {
			return "", 0, false
		}
		return formatNum(f.Num[i]), f.Num[i], true
	}
	if n.op == "exists" {
		n.fn = func(f *Facts, _ *Env) bool { return f.Has&bit != 0 }
		return nil
	}
	if n.op == "between" {
		list, ok := val.([]any)
		if !ok || len(list) != 2 {
			return errAt(vpath, "between 的值应为 [下限, 上限]", "between takes [low, high]")
		}
		lo, ok1 := toNumber(list[0])
		hi, ok2 := toNumber(list[1])
		if !ok1 || !ok2 || lo > hi {
			return errAt(vpath, "between 的值应为两个数且下限不大于上限", "between takes two numbers, low not above high")
		}
		n.num, n.num2 = lo, hi
		n.fn = func(f *Facts, _ *Env) bool { return f.Has&bit != 0 && f.Num[i] >= lo && f.Num[i] <= hi }
		return nil
	}
	v, ok := toNumber(val)
	if !ok {
		return errAt(vpath, "应为数字", "must be a number")
	}
	n.num = v
	switch n.op {
	case "=":
		n.fn = func(f *Facts, _ *Env) bool { return f.Has&bit != 0 && f.Num[i] == v }
	case "!=":
		n.fn = func(f *Facts, _ *Env) bool { return f.Has&bit != 0 && f.Num[i] != v }
	case "<":
		n.fn = func(f *Facts, _ *Env) bool { return f.Has&bit != 0 && f.Num[i] < v }
	case "<=":
		n.fn = func(f *Facts, _ *Env) bool { return f.Has&bit != 0 && f.Num[i] <= v }
	case ">":
		n.fn = func(f *Facts, _ *Env) bool { return f.Has&bit != 0 && f.Num[i] > v }
	case ">=":
		n.fn = func(f *Facts, _ *Env) bool { return f.Has&bit != 0 && f.Num[i] >= v }
	}
	return nil
}

var strIndex = map[string]int{"entity_type": StrType, "industry": StrIndustry, "size": StrSize, "region": StrRegion,
	"status": StrStatus, "tax_grade": StrTaxGrade, "credit_grade": StrCreditGrade}

func stringList(val any) ([]string, bool) {
	list, ok := val.([]any)
	if !ok || len(list) == 0 {
		return nil, false
	}
	out := make([]string, len(list))
	for i, v := range list {
		s, ok := v.(string)
		if !ok || strings.TrimSpace(s) == "" {
			return nil, false
		}
		out[i] = strings.TrimSpace(s)
	}
	return out, true
}

func (n *node) text(val any, vpath string) error {
	si := strIndex[n.fact.Name]
	get := func(f *Facts) string { return f.Str[si] }
	n.actual = func(f *Facts, _ *Env) (string, float64, bool) { s := f.Str[si]; return s, 0, s != "" }
	switch n.op {
	case "exists":
		n.fn = func(f *Facts, _ *Env) bool { return f.Str[si] != "" }
	case "=", "!=":
		s, ok := val.(string)
		if !ok {
			return errAt(vpath, "应为字符串", "must be a string")
		}
		n.str = s
		if n.op == "=" {
			n.fn = func(f *Facts, _ *Env) bool { return f.Str[si] == s }
		} else {
			n.fn = func(f *Facts, _ *Env) bool { return f.Str[si] != s }
		}
	case "in", "not_in":
		list, ok := stringList(val)
		if !ok {
			return errAt(vpath, "应为非空的字符串列表", "must be a non-empty list of strings")
		}
		n.strs = list
		// Code lists are short: a loop beats a map lookup.
		in := func(v string) bool {
			for _, s := range list {
				if s == v {
					return true
				}
			}
			return false
		}
		if len(list) > 16 {
			set := map[string]bool{}
			for _, s := range list {
				set[s] = true
			}
			in = func(v string) bool { return set[v] }
		}
		if n.op == "in" && len(list) <= 4 {
			var l [4]string
			copy(l[:], list)
			k := len(list)
			n.fn = func(f *Facts, _ *Env) bool {
				v := f.Str[si]
				for j := range k {
					if l[j] == v {
						return true
					}
				}
				return false
			}
		} else if n.op == "in" {
			n.fn = func(f *Facts, _ *Env) bool { return in(f.Str[si]) }
		} else {
			n.fn = func(f *Facts, _ *Env) bool { return !in(f.Str[si]) }
		}
	case "prefix", "not_prefix":
		list, ok := stringList(val)
		if !ok {
			return errAt(vpath, "应为非空的代码前缀列表", "must be a non-empty list of code prefixes")
		}
		n.strs = list
		var match func(f *Facts) bool
		if n.fact.Name == "industry" {
			var sections, prefixes []string
			for i, p := range list {
				p = strings.ToUpper(p)
				if p[0] >= 'A' && p[0] <= 'T' {
					if len(p) == 1 {
						sections = append(sections, p)
						continue
					}
					p = p[1:]
				}
				if strings.Trim(p, "0123456789") != "" {
					return errAt(fmt.Sprintf("%s[%d]", vpath, i), "行业代码前缀应为门类字母或数字，如 C、C37、3741", "an industry prefix is a section letter or digits, e.g. C, C37, 3741")
				}
				prefixes = append(prefixes, p)
			}
			match = func(f *Facts) bool {
				sec := f.Str[StrSection]
				for _, s := range sections {
					if sec == s {
						return true
					}
				}
				ind := f.Str[StrIndustry]
				for _, p := range prefixes {
					if len(ind) >= len(p) && ind[:len(p)] == p {
						return true
					}
				}
				return false
			}
		} else {
			for i, p := range list {
				if strings.Trim(p, "0123456789") != "" {
					return errAt(fmt.Sprintf("%s[%d]", vpath, i), "区划代码前缀应为数字", "a region prefix is digits")
				}
			}
			match = func(f *Facts) bool {
				r := get(f)
				for _, p := range list {
					if strings.HasPrefix(r, p) {
						return true
					}
				}
				return false
			}
		}
		if n.op == "prefix" {
			n.fn = func(f *Facts, _ *Env) bool { return match(f) }
			if n.fact.Name == "industry" {
				// The common case, inlined: one closure call per condition.
				var sections, prefixes []string
				for _, p := range list {
					p = strings.ToUpper(p)
					if len(p) == 1 {
						sections = append(sections, p)
					} else if p[0] >= 'A' && p[0] <= 'T' {
						prefixes = append(prefixes, p[1:])
					} else {
						prefixes = append(prefixes, p)
					}
				}
				n.fn = func(f *Facts, _ *Env) bool {
					sec := f.Str[StrSection]
					for _, s := range sections {
						if sec == s {
							return true
						}
					}
					ind := f.Str[StrIndustry]
					for _, p := range prefixes {
						if len(ind) >= len(p) && ind[:len(p)] == p {
							return true
						}
					}
					return false
				}
			}
		} else {
			n.fn = func(f *Facts, _ *Env) bool { return !match(f) }
		}
	}
	return nil
}

// parseDate reads YYYY-MM-DD or today±N(y|m|d).
func parseDate(s string) (dateSpec, bool) {
	s = strings.TrimSpace(s)
	if d, ok := ParseDay(s); ok {
		return dateSpec{abs: d, text: s}, true
	}
	if !strings.HasPrefix(s, "today") {
		return dateSpec{}, false
	}
	rest := s[len("today"):]
	ds := dateSpec{rel: true, text: s}
	if rest == "" {
		return ds, true
	}
	sign := 1
	switch rest[0] {
	case '+':
	case '-':
		sign = -1
	default:
		return dateSpec{}, false
	}
	rest = rest[1:]
	if len(rest) < 2 {
		return dateSpec{}, false
	}
	k, err := strconv.Atoi(rest[:len(rest)-1])
	if err != nil || k < 0 || k > 1000 || strings.ContainsAny(rest[:len(rest)-1], "+-") {
		return dateSpec{}, false
	}
	switch rest[len(rest)-1] {
	case 'y':
		ds.years = sign * k
	case 'm':
		ds.months = sign * k
	case 'd':
		if k > 100000 {
			return dateSpec{}, false
		}
		ds.days = sign * k
	default:
		return dateSpec{}, false
	}
	return ds, true
}

func (n *node) dateLeaf(val any, vpath string) error {
	n.actual = func(f *Facts, _ *Env) (string, float64, bool) {
		if f.Founded == 0 {
			return "", 0, false
		}
		return DayDate(f.Founded).Format("2006-01-02"), float64(f.Founded), true
	}
	if n.op == "exists" {
		n.fn = func(f *Facts, _ *Env) bool { return f.Founded != 0 }
		return nil
	}
	s, _ := val.(string)
	ds, ok := parseDate(s)
	if !ok {
		return errAt(vpath, "日期应为 YYYY-MM-DD 或相对日期（如 today-5y、today-6m、today+30d）", "a date is YYYY-MM-DD or relative (today-5y, today-6m, today+30d)")
	}
	n.date = ds
	var cmp func(a, b int32) bool
	switch n.op {
	case "<":
		cmp = func(a, b int32) bool { return a < b }
	case "<=":
		cmp = func(a, b int32) bool { return a <= b }
	case ">":
		cmp = func(a, b int32) bool { return a > b }
	case ">=":
		cmp = func(a, b int32) bool { return a >= b }
	}
	if !ds.rel {
		t := ds.abs
		switch n.op {
		case "<":
			n.fn = func(f *Facts, _ *Env) bool { return f.Founded != 0 && f.Founded < t }
		case "<=":
			n.fn = func(f *Facts, _ *Env) bool { return f.Founded != 0 && f.Founded <= t }
		case ">":
			n.fn = func(f *Facts, _ *Env) bool { return f.Founded != 0 && f.Founded > t }
		case ">=":
			n.fn = func(f *Facts, _ *Env) bool { return f.Founded != 0 && f.Founded >= t }
		}
		return nil
	}
	// A relative date depends on the evaluation day: each leaf keeps the
	// day it computed for the last Env it saw (atomically: a program is
	// shared by goroutines with their own Envs).
	var last atomic.Pointer[relCache]
	day := func(e *Env) int32 {
		if c := last.Load(); c != nil && c.env == e {
			return c.day
		}
		c := &relCache{env: e, day: e.rel(ds)}
		last.Store(c)
		return c.day
	}
	switch n.op {
	case ">=":
		n.fn = func(f *Facts, e *Env) bool { return f.Founded != 0 && f.Founded >= day(e) }
	case ">":
		n.fn = func(f *Facts, e *Env) bool { return f.Founded != 0 && f.Founded > day(e) }
	default:
		n.fn = func(f *Facts, e *Env) bool { return f.Founded != 0 && cmp(f.Founded, day(e)) }
	}
	return nil
}

type relCache struct {
	env *Env
	day int32
}

// rel returns a relative day for this Env, computed once per spec.
func (e *Env) rel(ds dateSpec) int32 {
	key := [3]int{ds.years, ds.months, ds.days}
	for i := range e.relKeys {
		if e.relKeys[i] == key {
			return e.relDays[i]
		}
	}
	d := DayNumber(e.Today.AddDate(ds.years, ds.months, ds.days))
	e.relKeys = append(e.relKeys, key)
	e.relDays = append(e.relDays, d)
	return d
}

func boolLeaf(name string, want bool) (func(*Facts, *Env) bool, func(*Facts, *Env) (string, float64, bool)) {
	get := func(f *Facts) bool { return f.HighTech }
	fn := func(f *Facts, _ *Env) bool { return f.HighTech == want }
	if name == "serious_list" {
		get = func(f *Facts) bool { return f.SeriousList }
		fn = func(f *Facts, _ *Env) bool { return f.SeriousList == want }
	}
	return fn,
		func(f *Facts, _ *Env) (string, float64, bool) { return strconv.FormatBool(get(f)), 0, true }
}

func (n *node) listLeaf(val any, vpath string) error {
	n.actual = func(f *Facts, _ *Env) (string, float64, bool) {
		return strings.Join(f.Tags, "、"), 0, len(f.Tags) > 0
	}
	if n.op == "has" {
		s, ok := val.(string)
		if !ok || strings.TrimSpace(s) == "" {
			return errAt(vpath, "应为一个标签", "must be one tag")
		}
		n.str = s
		n.fn = func(f *Facts, _ *Env) bool { return slices.Contains(f.Tags, s) }
		return nil
	}
	list, ok := stringList(val)
	if !ok {
		return errAt(vpath, "应为非空的标签列表", "must be a non-empty list of tags")
	}
	n.strs = list
	any := func(f *Facts) bool {
		for _, t := range f.Tags {
			if slices.Contains(list, t) {
				return true
			}
		}
		return false
	}
	if n.op == "has_any" {
		n.fn = func(f *Facts, _ *Env) bool { return any(f) }
	} else {
		n.fn = func(f *Facts, _ *Env) bool { return !any(f) }
	}
	return nil
}

// Match reports whether the facts meet the condition (the fast path).
func (p *Program) Match(f *Facts, e *Env) bool { return p.root.fn(f, e) }

// HasAmount reports whether the rule has an amount formula.
func (p *Program) HasAmount() bool { return p.amount != nil }

func formatNum(v float64) string { return strconv.FormatFloat(v, 'f', -1, 64) }
