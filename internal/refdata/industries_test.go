package refdata

import (
	"testing"
)

// sectionRanges are the division ranges of each section in GB/T 4754-2017.
var sectionRanges = map[string][2]int{
	"A": {1, 5}, "B": {6, 12}, "C": {13, 43}, "D": {44, 46}, "E": {47, 50},
	"F": {51, 52}, "G": {53, 60}, "H": {61, 62}, "I": {63, 65}, "J": {66, 69},
	"K": {70, 70}, "L": {71, 72}, "M": {73, 75}, "N": {76, 79}, "O": {80, 82},
	"P": {83, 83}, "Q": {84, 85}, "R": {86, 90}, "S": {91, 96}, "T": {97, 97},
}

func TestIndustryStructure(t *testing.T) {
	counts := map[IndustryLevel]int{}
	divisions := map[int]bool{}
	for _, r := range parseTSV("industries.tsv", industriesTSV) {
		in, ok := Industry(r.code)
		if !ok {
			t.Fatalf("%s not found", r.code)
		}
		counts[in.Level]++
		if !ValidIndustry(r.code) {
			t.Errorf("ValidIndustry(%s) false", r.code)
		}
		switch in.Level {
		case IndustrySection:
			if in.Parent != "" || in.Section != in.Code {
				t.Errorf("bad section %+v", in)
			}
		case IndustryDivision:
			n := int(in.Code[0]-'0')*10 + int(in.Code[1]-'0')
			rng, ok := sectionRanges[in.Parent]
			if !ok || n < rng[0] || n > rng[1] {
				t.Errorf("division %s %s outside its section %s", in.Code, in.Name, in.Parent)
			}
			divisions[n] = true
		case IndustryGroup, IndustryClass:
			if in.Parent != in.Code[:len(in.Code)-1] {
				t.Errorf("%s has parent %s", in.Code, in.Parent)
			}
			if len(IndustryChildren(in.Parent)) == 0 {
				t.Errorf("parent %s has no children", in.Parent)
			}
		}
		if in.Level != IndustryClass && len(IndustryChildren(in.Code)) == 0 {
			t.Errorf("%s %s (%s) has no children", in.Code, in.Name, in.Level)
		}
		path := IndustryPath(in.Code)
		if len(path) != int(in.Level) || path[0].Level != IndustrySection || path[len(path)-1].Code != in.Code {
			t.Errorf("IndustryPath(%s) = %v", in.Code, path)
		}
		for i := 1; i < len(path); i++ {
			if path[i].Parent != path[i-1].Code {
				t.Errorf("IndustryPath(%s) broken at %d", in.Code, i)
			}
		}
	}
	t.Logf("industries: %d sections, %d divisions, %d groups, %d classes",
		counts[IndustrySection], counts[IndustryDivision], counts[IndustryGroup], counts[IndustryClass])
	if counts[IndustrySection] != 20 || len(Sections()) != 20 {
		t.Errorf("want 20 sections, got %d", counts[IndustrySection])
	}
	if counts[IndustryDivision] != 97 {
		t.Errorf("want 97 divisions, got %d", counts[IndustryDivision])
	}
	for n := 1; n <= 97; n++ {
		if !divisions[n] {
			t.Errorf("division %02d missing", n)
		}
	}
	if counts[IndustryGroup] < 400 {
		t.Errorf("want at least 400 groups, got %d", counts[IndustryGroup])
	}
	if counts[IndustryClass] < 1200 {
		t.Errorf("want at least 1200 classes, got %d", counts[IndustryClass])
	}
}

func TestIndustryLookups(t *testing.T) {
	for code, want := range map[string]string{
		"A": "农、林、牧、渔业", "C": "制造业", "T": "国际组织",
		"01": "农业", "05": "农、林、牧、渔专业及辅助性活动", "13": "农副食品加工业",
		"43": "金属制品、机械和设备修理业", "65": "软件和信息技术服务业",
		"79": "土地管理业", "97": "国际组织",
		"6513": "应用软件开发", "7010": "房地产开发经营", "3741": "飞机制造",
		"C3741": "飞机制造", " i6513 ": "应用软件开发",
	} {
		in, ok := Industry(code)
		if !ok || in.Name != want {
			t.Errorf("Industry(%q) = %+v, %v; want %s", code, in, ok, want)
		}
	}
	for _, bad := range []string{"", "U", "98", "00", "0110", "A3741", "C65", "37410", "c"} {
		if ValidIndustry(bad) && bad != "c" {
			t.Errorf("ValidIndustry(%q) true", bad)
		}
	}
	if !ValidIndustry("c") {
		t.Error(`ValidIndustry("c") should accept a lower-case section letter`)
	}
	in, _ := Industry("6513")
	if in.Section != "I" || in.QualifiedCode() != "I6513" || in.Level.String() != "class" {
		t.Errorf("6513 = %+v %s", in, in.QualifiedCode())
	}
	path := IndustryPath("C3741")
	var codes []string
	for _, p := range path {
		codes = append(codes, p.Code)
	}
	if len(codes) != 4 || codes[0] != "C" || codes[1] != "37" || codes[2] != "374" || codes[3] != "3741" {
		t.Errorf("IndustryPath(C3741) = %v", codes)
	}
	if IndustryPath("ZZ") != nil || IndustryChildren("3741") != nil {
		t.Error("unknown path or class children should be nil")
	}
	kids := IndustryChildren("A")
	if len(kids) != 5 || kids[0].Code != "01" || kids[4].Code != "05" {
		t.Errorf("IndustryChildren(A) = %v", kids)
	}
	if n := len(IndustryChildren("C")); n != 31 {
		t.Errorf("C has %d divisions, want 31", n)
	}
}
