package refdata

import (
	"strings"
	"testing"
)

func TestXuchangPresent(t *testing.T) {
	city, ok := Region("411000")
	if !ok || city.Name != "许昌市" || city.Parent != "410000" || city.Level != LevelCity {
		t.Fatalf("411000 = %+v, %v", city, ok)
	}
	want := map[string]string{
		"411002": "魏都区", "411003": "建安区", "411081": "禹州市",
		"411082": "长葛市", "411024": "鄢陵县", "411025": "襄城县",
	}
	for code, name := range want {
		r, ok := Region(code)
		if !ok || r.Name != name || r.Parent != "411000" || r.Level != LevelCounty || r.FunctionalZone {
			t.Errorf("%s = %+v, %v; want %s", code, r, ok, name)
		}
	}
	kids := RegionChildren("411000")
	names := map[string]bool{}
	for _, k := range kids {
		names[k.Code] = true
	}
	for code := range want {
		if !names[code] {
			t.Errorf("%s missing from RegionChildren(411000)", code)
		}
	}
	if z, ok := Region("411071"); ok && !z.FunctionalZone {
		t.Errorf("411071 should be a functional zone: %+v", z)
	}
}

func TestFullName(t *testing.T) {
	for code, want := range map[string]string{
		"411002": "河南省许昌市魏都区",
		"411000": "河南省许昌市",
		"410000": "河南省",
		"110101": "北京市东城区",
		"110100": "北京市",
		"500229": "重庆市城口县",
		"419001": "河南省济源市",
		"441900": "广东省东莞市",
		"999999": "",
		"":       "",
	} {
		if got := FullName(code); got != want {
			t.Errorf("FullName(%s) = %q, want %q", code, got, want)
		}
	}
}

func TestRegionStructure(t *testing.T) {
	provs := Provinces()
	if len(provs) != 34 {
		t.Errorf("got %d provinces, want 34 (31 + 台湾, 香港, 澳门)", len(provs))
	}
	counts := map[int]int{}
	seen := map[string]bool{}
	var walk func(RegionInfo)
	walk = func(r RegionInfo) {
		if seen[r.Code] {
			t.Fatalf("%s visited twice", r.Code)
		}
		seen[r.Code] = true
		counts[r.Level]++
		if len(r.Code) != 6 || !isDigits(r.Code) || strings.TrimSpace(r.Name) == "" {
			t.Errorf("bad region %+v", r)
		}
		switch r.Level {
		case LevelProvince:
			if r.Code[2:] != "0000" || r.Parent != "" {
				t.Errorf("bad province %+v", r)
			}
		case LevelCity:
			if r.Code[:2] != r.Parent[:2] || r.Code[4:] != "00" {
				t.Errorf("bad city %+v", r)
			}
		case LevelCounty:
			if r.Code[:4] != r.Parent[:4] && !(r.Parent[2:4] == "90" || r.Parent[2:4] == "00") {
				t.Errorf("county %+v not under its city prefix", r)
			}
			if r.FunctionalZone != (r.Code[4] == '7') {
				t.Errorf("functional zone flag wrong: %+v", r)
			}
		default:
			t.Errorf("bad level %+v", r)
		}
		if !ValidRegion(r.Code) {
			t.Errorf("ValidRegion(%s) false", r.Code)
		}
		path := RegionPath(r.Code)
		if len(path) != r.Level || path[len(path)-1].Code != r.Code {
			t.Errorf("RegionPath(%s) = %v", r.Code, path)
		}
		for _, c := range RegionChildren(r.Code) {
			if c.Parent != r.Code || c.Level != r.Level+1 {
				t.Errorf("child %+v of %s", c, r.Code)
			}
			walk(c)
		}
	}
	for _, p := range provs {
		walk(p)
	}
	if len(seen) != len(regions().byCode) {
		t.Errorf("tree reaches %d of %d regions", len(seen), len(regions().byCode))
	}
	t.Logf("regions: %d provinces, %d cities, %d counties", counts[1], counts[2], counts[3])
	if counts[LevelCity] < 330 || counts[LevelCounty] < 2800 {
		t.Errorf("too few regions: %v", counts)
	}
	for _, bad := range []string{"", "41", "4110", "411099", "41100２", "abcdef"} {
		if ValidRegion(bad) {
			t.Errorf("ValidRegion(%q) true", bad)
		}
	}
	if RegionChildren("411002") != nil || RegionPath("123456") != nil {
		t.Error("county children or unknown path should be nil")
	}
}

func TestProvincesIsACopy(t *testing.T) {
	p := Provinces()
	p[0].Name = "changed"
	if Provinces()[0].Name == "changed" {
		t.Error("Provinces exposes internal state")
	}
}
