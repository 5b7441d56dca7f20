// Package rules is the policy module's condition language: eligibility
// conditions and amount formulas stored as JSON (readable by the staff who
// write them), compiled once per policy version into a tree of typed Go
// closures over Facts, and evaluated either fast (a bool) or with a trace
// of which conditions held, by how much the others failed, and the amount.
//
// Why closures and not an expression library: neither expr nor CEL is a
// dependency of the project, and both evaluate over maps or reflection by
// default; the target (at most 5x a hand-written Go function) needs typed
// field access. Compiling each condition into a closure that reads one
// field of Facts by index keeps the cost of a condition at one indirect
// call plus the comparison itself (see docs/policy.md and
// docs/benchmarks.md).
package rules

import (
	"slices"
	"strings"
	"time"
)

// Kind is the type of a fact.
type Kind int

// Fact kinds.
const (
	KindNumber Kind = iota + 1 // a yearly figure (float64; money in 万元)
	KindString                 // one code or value: size class, status, entity type, tax grade, credit grade
	KindCode                   // a hierarchical code matched by prefix too: industry (GB/T 4754), region (GB/T 2260)
	KindDate                   // a calendar date: founding date
	KindBool                   // a yes/no fact: 高新 certificate, serious-dishonesty list
	KindList                   // a set of strings: tags
)

// Numeric facts: index into Facts.Num. They are yearly facts imported by
// departments (each with its year and source) or copied from the registry.
const (
	NumRevenue    = iota // 营业收入（万元）
	NumTaxPaid           // 纳税额（万元）
	NumRD                // 研发费用（万元）
	NumEmployees         // 从业人数
	NumInsured           // 参保人数
	NumGraduates         // 新招用高校毕业生人数
	NumLoanInt           // 贷款利息（万元）
	NumOutput            // 工业总产值（万元）
	NumInvestment        // 固定资产投资（万元）
	NumCount             // how many numeric facts there are
)

// Facts is everything a rule can read about one entity, typed. Numeric
// facts are in Num with a bit in Has for each that is known; a rule over
// an unknown number does not hold.
type Facts struct {
	EntityID int64
	// Str holds the string and code facts, indexed by the Str* constants.
	Str         [StrCount]string
	Founded     int32 // days since 1970-01-01 (UTC); 0 when unknown
	Tags        []string
	HighTech    bool // holds a valid 高新技术企业 certificate
	SeriousList bool // on the serious-dishonesty list
	Year        int  // the year the numeric facts hold for
	Num         [NumCount]float64
	Has         uint32 // bit i set: Num[i] is known
}

// String and code facts: index into Facts.Str.
const (
	StrType        = iota // entity type (企业类型)
	StrIndustry           // GB/T 4754-2017 code, e.g. "3741"
	StrSection            // the industry's section letter, e.g. "C"
	StrSize               // large, medium, small, micro or ""
	StrRegion             // GB/T 2260 code
	StrStatus             // active, operating, revoked, cancelled
	StrTaxGrade           // 纳税信用等级 A, B, M, C, D or ""
	StrCreditGrade        // the credit module's grade A-D or ""
	StrCount
)

// SetNum records a numeric fact.
func (f *Facts) SetNum(i int, v float64) { f.Num[i] = v; f.Has |= 1 << i }

// Known reports whether numeric fact i is known.
func (f *Facts) Known(i int) bool { return f.Has&(1<<i) != 0 }

// Env is what an evaluation needs besides the facts: the day it is made
// on (for relative dates such as "today-5y"), and a cache of those dates.
// Build it with NewEnv; an Env is not safe for concurrent use (give each
// goroutine its own).
type Env struct {
	Today   time.Time
	today   int32
	relKeys [][3]int
	relDays []int32
}

// NewEnv returns the environment of an evaluation made on day t.
func NewEnv(t time.Time) *Env {
	d := time.Date(t.Year(), t.Month(), t.Day(), 0, 0, 0, 0, time.UTC)
	return &Env{Today: d, today: DayNumber(d)}
}

// DayNumber turns a date into days since 1970-01-01.
func DayNumber(t time.Time) int32 {
	return int32(time.Date(t.Year(), t.Month(), t.Day(), 0, 0, 0, 0, time.UTC).Unix() / 86400)
}

// DayDate turns a day number back into a date (UTC midnight).
func DayDate(d int32) time.Time { return time.Unix(int64(d)*86400, 0).UTC() }

// ParseDay parses YYYY-MM-DD into a day number.
func ParseDay(s string) (int32, bool) {
	t, err := time.Parse("2006-01-02", s)
	if err != nil {
		return 0, false
	}
	return DayNumber(t), true
}

// FactDef describes one fact a rule may name.
type FactDef struct {
	Name string `json:"name"`
	Kind Kind   `json:"-"`
	Type string `json:"type" enum:"number,string,code,date,bool,list"`
	ZH   string `json:"zh"`
	EN   string `json:"en"`
	Unit string `json:"unit,omitempty" doc:"wan (万元), person, or empty"`
	// Yearly facts are imported per year with their source.
	Yearly bool `json:"yearly"`
	num    int
}

var kindNames = map[Kind]string{KindNumber: "number", KindString: "string", KindCode: "code", KindDate: "date", KindBool: "bool", KindList: "list"}

func def(name string, k Kind, zh, en, unit string, yearly bool, num int) FactDef {
	return FactDef{Name: name, Kind: k, Type: kindNames[k], ZH: zh, EN: en, Unit: unit, Yearly: yearly, num: num}
}

// Catalogue lists the facts rules can name, in display order.
var Catalogue = []FactDef{
	def("entity_type", KindString, "企业类型", "entity type", "", false, -1),
	def("industry", KindCode, "行业（GB/T 4754）", "industry (GB/T 4754)", "", false, -1),
	def("size", KindString, "企业规模", "size class", "", false, -1),
	def("region", KindCode, "所在区域（GB/T 2260）", "region (GB/T 2260)", "", false, -1),
	def("status", KindString, "登记状态", "registration status", "", false, -1),
	def("founded_on", KindDate, "成立日期", "founding date", "", false, -1),
	def("tags", KindList, "企业标签", "tags", "", false, -1),
	def("tax_grade", KindString, "纳税信用等级", "tax credit grade", "", true, -1),
	def("credit_grade", KindString, "公共信用等级", "public credit grade", "", false, -1),
	def("high_tech", KindBool, "高新技术企业证书", "high-tech enterprise certificate", "", true, -1),
	def("serious_list", KindBool, "列入严重失信主体名单", "on the serious-dishonesty list", "", false, -1),
	def("revenue_wan", KindNumber, "营业收入", "revenue", "wan", true, NumRevenue),
	def("tax_paid_wan", KindNumber, "纳税额", "tax paid", "wan", true, NumTaxPaid),
	def("rd_spending_wan", KindNumber, "研发费用", "R&D spending", "wan", true, NumRD),
	def("employees", KindNumber, "从业人数", "employees", "person", true, NumEmployees),
	def("insured_employees", KindNumber, "参保职工人数", "insured employees", "person", true, NumInsured),
	def("graduates_hired", KindNumber, "新招用高校毕业生", "graduates hired", "person", true, NumGraduates),
	def("loan_interest_wan", KindNumber, "贷款利息支出", "loan interest paid", "wan", true, NumLoanInt),
	def("output_value_wan", KindNumber, "工业总产值", "industrial output", "wan", true, NumOutput),
	def("investment_wan", KindNumber, "固定资产投资", "fixed-asset investment", "wan", true, NumInvestment),
}

var byName = func() map[string]*FactDef {
	m := map[string]*FactDef{}
	for i := range Catalogue {
		m[Catalogue[i].Name] = &Catalogue[i]
	}
	return m
}()

// Lookup returns the fact named name.
func Lookup(name string) (FactDef, bool) {
	d, ok := byName[name]
	if !ok {
		return FactDef{}, false
	}
	return *d, true
}

// NumIndex returns the Facts.Num index of a numeric fact, -1 for others.
func (d FactDef) NumIndex() int { return d.num }

// Label returns the fact's name in the language.
func (d FactDef) Label(lang string) string {
	if strings.HasPrefix(lang, "en") {
		return d.EN
	}
	return d.ZH
}

// YearlyNumbers lists the numeric yearly facts (the import columns).
func YearlyNumbers() []FactDef {
	var out []FactDef
	for _, d := range Catalogue {
		if d.Kind == KindNumber {
			out = append(out, d)
		}
	}
	return out
}

// HasTag reports whether the facts carry tag t.
func (f *Facts) HasTag(t string) bool { return slices.Contains(f.Tags, t) }
