package refdata

import (
	_ "embed"
	"fmt"
	"strings"
	"sync"
)

// Region levels.
const (
	LevelProvince = 1 // 省级: province, autonomous region, municipality, SAR
	LevelCity     = 2 // 地级: prefecture city, or a municipality's 市辖区/县 grouping
	LevelCounty   = 3 // 县级: district, county, county-level city
)

//go:embed regions.tsv
var regionsTSV string

// RegionInfo is one administrative division.
//
// Municipalities (北京 110000, 天津 120000, 上海 310000, 重庆 500000) have
// level-2 groupings named 市辖区 (110100) or 县 (500200), and provinces have
// a level-2 grouping 省直辖县级行政区划 (e.g. 419000, holding 济源市 419001)
// for county-level units directly under the province. These groupings are
// kept as in the source data but left out of FullName.
type RegionInfo struct {
	Code   string // 6-digit code
	Name   string // Chinese name, e.g. "魏都区"
	Parent string // parent code, "" for provinces
	Level  int    // LevelProvince, LevelCity or LevelCounty
	// FunctionalZone is true for the statistical codes of development
	// zones and similar areas (5th digit 7, e.g. 411071 许昌经济技术开发区)
	// that the National Bureau of Statistics lists but GB/T 2260 does not.
	FunctionalZone bool
}

type regionTable struct {
	byCode    map[string]*RegionInfo
	children  map[string][]RegionInfo
	provinces []RegionInfo
}

var regions = sync.OnceValue(func() *regionTable {
	t := &regionTable{byCode: map[string]*RegionInfo{}, children: map[string][]RegionInfo{}}
	rows := parseTSV("regions.tsv", regionsTSV)
	for _, r := range rows {
		if len(r.code) != 6 || !isDigits(r.code) {
			panic(fmt.Sprintf("refdata: regions.tsv:%d: bad code %q", r.line, r.code))
		}
		if _, dup := t.byCode[r.code]; dup {
			panic(fmt.Sprintf("refdata: regions.tsv:%d: duplicate code %s", r.line, r.code))
		}
		t.byCode[r.code] = &RegionInfo{Code: r.code, Name: r.name, Parent: r.parent, FunctionalZone: r.code[4] == '7'}
	}
	for _, r := range rows { // rows are sorted by code, so parents come first
		ri := t.byCode[r.code]
		if ri.Parent == "" {
			ri.Level = LevelProvince
		} else {
			p, ok := t.byCode[ri.Parent]
			if !ok || p.Level == 0 {
				panic(fmt.Sprintf("refdata: regions.tsv:%d: unknown parent %q", r.line, ri.Parent))
			}
			ri.Level = p.Level + 1
		}
	}
	for _, r := range rows {
		ri := *t.byCode[r.code]
		if ri.Level == LevelProvince {
			t.provinces = append(t.provinces, ri)
		} else {
			t.children[ri.Parent] = append(t.children[ri.Parent], ri)
		}
	}
	return t
})

// Region returns the division with the given 6-digit code.
func Region(code string) (RegionInfo, bool) {
	if r, ok := regions().byCode[code]; ok {
		return *r, true
	}
	return RegionInfo{}, false
}

// ValidRegion reports whether code is a known division code at any level.
func ValidRegion(code string) bool {
	_, ok := regions().byCode[code]
	return ok
}

// Provinces returns the province-level divisions in code order.
func Provinces() []RegionInfo {
	return append([]RegionInfo(nil), regions().provinces...)
}

// RegionChildren returns the divisions directly under code, in code order
// (nil for a county or an unknown code). For a municipality this is its
// 市辖区/县 grouping; see RegionInfo.
func RegionChildren(code string) []RegionInfo {
	return append([]RegionInfo(nil), regions().children[code]...)
}

// RegionPath returns the chain from the province down to code, or nil if
// code is unknown.
func RegionPath(code string) []RegionInfo {
	var path []RegionInfo
	for code != "" {
		r, ok := Region(code)
		if !ok {
			return nil
		}
		path = append(path, r)
		code = r.Parent
	}
	for i, j := 0, len(path)-1; i < j; i, j = i+1, j-1 {
		path[i], path[j] = path[j], path[i]
	}
	return path
}

// groupingNames are level-2 placeholders that are not part of a place name.
var groupingNames = map[string]bool{
	"市辖区":         true,
	"县":           true,
	"省直辖县级行政区划":   true,
	"自治区直辖县级行政区划": true,
}

// FullName returns the names from the province down to code joined
// together, e.g. "河南省许昌市魏都区" for 411002, "北京市东城区" for 110101
// and "河南省济源市" for 419001 (grouping levels are left out). It returns
// "" for an unknown code.
func FullName(code string) string {
	var b strings.Builder
	for _, r := range RegionPath(code) {
		if r.Level == LevelCity && groupingNames[r.Name] {
			continue
		}
		b.WriteString(r.Name)
	}
	return b.String()
}

func isDigits(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return s != ""
}
