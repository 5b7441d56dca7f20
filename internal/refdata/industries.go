package refdata

import (
	_ "embed"
	"fmt"
	"strings"
	"sync"
)

//go:embed industries.tsv
var industriesTSV string

// IndustryLevel is the level of a GB/T 4754-2017 code.
type IndustryLevel int

// Industry levels: 门类 (letter), 大类 (2 digits), 中类 (3 digits), 小类 (4 digits).
const (
	IndustrySection  IndustryLevel = 1
	IndustryDivision IndustryLevel = 2
	IndustryGroup    IndustryLevel = 3
	IndustryClass    IndustryLevel = 4
)

// String returns "section", "division", "group" or "class".
func (l IndustryLevel) String() string {
	switch l {
	case IndustrySection:
		return "section"
	case IndustryDivision:
		return "division"
	case IndustryGroup:
		return "group"
	case IndustryClass:
		return "class"
	}
	return fmt.Sprintf("IndustryLevel(%d)", int(l))
}

// IndustryInfo is one entry of GB/T 4754-2017 (国民经济行业分类).
type IndustryInfo struct {
	Code    string // "C", "37", "374", "3741"
	Name    string // Chinese name, e.g. "飞机制造"
	Parent  string // parent code: "" for sections, the section letter for divisions
	Level   IndustryLevel
	Section string // section letter, e.g. "C" (equal to Code for sections)
}

// QualifiedCode returns the code prefixed with its section letter, as often
// written on forms and in registration data: "C3741" (sections: "C").
func (i IndustryInfo) QualifiedCode() string {
	if i.Level == IndustrySection {
		return i.Code
	}
	return i.Section + i.Code
}

type industryTable struct {
	byCode   map[string]*IndustryInfo
	children map[string][]IndustryInfo
	sections []IndustryInfo
}

var industries = sync.OnceValue(func() *industryTable {
	t := &industryTable{byCode: map[string]*IndustryInfo{}, children: map[string][]IndustryInfo{}}
	rows := parseTSV("industries.tsv", industriesTSV)
	for _, r := range rows {
		lvl := industryLevelOf(r.code)
		if lvl == 0 {
			panic(fmt.Sprintf("refdata: industries.tsv:%d: bad code %q", r.line, r.code))
		}
		if _, dup := t.byCode[r.code]; dup {
			panic(fmt.Sprintf("refdata: industries.tsv:%d: duplicate code %s", r.line, r.code))
		}
		t.byCode[r.code] = &IndustryInfo{Code: r.code, Name: r.name, Parent: r.parent, Level: lvl}
	}
	for _, r := range rows { // a parent always precedes its children
		in := t.byCode[r.code]
		if in.Level == IndustrySection {
			in.Section = in.Code
			t.sections = append(t.sections, *in)
			continue
		}
		p, ok := t.byCode[in.Parent]
		if !ok || p.Level != in.Level-1 || p.Section == "" {
			panic(fmt.Sprintf("refdata: industries.tsv:%d: bad parent %q", r.line, in.Parent))
		}
		in.Section = p.Section
		t.children[in.Parent] = append(t.children[in.Parent], *in)
	}
	return t
})

// industryLevelOf derives the level from the shape of a code.
func industryLevelOf(code string) IndustryLevel {
	switch {
	case len(code) == 1 && code[0] >= 'A' && code[0] <= 'Z':
		return IndustrySection
	case len(code) >= 2 && len(code) <= 4 && isDigits(code):
		return IndustryLevel(len(code))
	}
	return 0
}

// NormalizeIndustryCode trims spaces, upper-cases a section letter and drops
// a section letter written before a numeric code when it is the right one
// ("c3741" -> "3741"). Other input is returned trimmed and upper-cased.
func NormalizeIndustryCode(code string) string {
	code = strings.ToUpper(strings.TrimSpace(code))
	if len(code) >= 3 && code[0] >= 'A' && code[0] <= 'Z' && isDigits(code[1:]) {
		if in, ok := industries().byCode[code[1:]]; ok && in.Section == code[:1] {
			return code[1:]
		}
	}
	return code
}

// Industry returns the entry for a code at any level. The code is
// normalised first (see NormalizeIndustryCode), so "C3741" finds 3741.
func Industry(code string) (IndustryInfo, bool) {
	if in, ok := industries().byCode[NormalizeIndustryCode(code)]; ok {
		return *in, true
	}
	return IndustryInfo{}, false
}

// ValidIndustry reports whether code is a GB/T 4754-2017 code at any level.
func ValidIndustry(code string) bool {
	_, ok := Industry(code)
	return ok
}

// IndustryPath returns the chain from the section down to code, e.g.
// C -> 37 -> 374 -> 3741, or nil if code is unknown.
func IndustryPath(code string) []IndustryInfo {
	in, ok := Industry(code)
	if !ok {
		return nil
	}
	path := make([]IndustryInfo, in.Level)
	for i := int(in.Level) - 1; i >= 0; i-- {
		path[i] = in
		if in.Parent != "" {
			in = *industries().byCode[in.Parent]
		}
	}
	return path
}

// Sections returns the 20 sections A-T.
func Sections() []IndustryInfo {
	return append([]IndustryInfo(nil), industries().sections...)
}

// IndustryChildren returns the entries directly under code (divisions of a
// section, groups of a division, classes of a group) in code order; nil for
// a class or an unknown code.
func IndustryChildren(code string) []IndustryInfo {
	return append([]IndustryInfo(nil), industries().children[NormalizeIndustryCode(code)]...)
}
