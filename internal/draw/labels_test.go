package draw

import (
	"regexp"
	"strings"
	"testing"
)

var hanRe = regexp.MustCompile(`\p{Han}`)

// Every exclusion reason and every fixed group name has a Chinese label
// with Chinese characters and an English label without them.
func TestLabelsCoverEveryCode(t *testing.T) {
	reasons := []string{ReasonEmployerBidder, ReasonEmployerTenderer, ReasonRelation, ReasonSameRegion, ReasonRecentTenderer,
		ReasonNotActive, ReasonUnavailable, ReasonNoSpecialty, ReasonAlreadyDrawn}
	groups := []string{"technical", "economic", "staff", "witness", "main", "secondary"}
	for _, c := range reasons {
		zh, en := ReasonLabel(c, "zh-CN"), ReasonLabel(c, "en")
		if !hanRe.MatchString(zh) || hanRe.MatchString(en) || en == c {
			t.Errorf("reason %s: zh %q en %q", c, zh, en)
		}
	}
	for _, g := range groups {
		zh, en := GroupLabel(g, "zh-CN"), GroupLabel(g, "en")
		if !hanRe.MatchString(zh) || hanRe.MatchString(en) || en == g {
			t.Errorf("group %s: zh %q en %q", g, zh, en)
		}
	}
	if GroupLabel("第1评标室", "en") != "第1评标室" {
		t.Error("a user-chosen name must be shown as it is")
	}
}

// The shortfall of a group nobody qualifies for says so instead of an empty
// "(excluded )", in both languages.
func TestShortfallReportNoCandidates(t *testing.T) {
	groups := []QuotaGroup{{Name: "technical", Specialties: []string{"A01"}, Count: 2}, {Name: "economic", Specialties: []string{"C01"}, Count: 1}}
	pool := []PoolMember{{Key: "E-1", Specialties: []string{"A01"}, Status: "active"}, {Key: "E-2", Specialties: []string{"A01"}, Status: "active"}}
	list := Freeze(pool, Context{}, groups)
	zh, en := ShortfallReport(pool, Context{}, groups, list)
	if zh != "经济类专家需要 1 人，符合条件 0 人（库中没有该专业的专家）" {
		t.Errorf("zh: %q", zh)
	}
	if en != "economic experts: 1 needed, 0 eligible (no member of the pool holds these specialties)" {
		t.Errorf("en: %q", en)
	}
	if strings.Contains(en, "excluded )") {
		t.Errorf("empty exclusion list shown: %q", en)
	}
	full := []QuotaGroup{groups[0]}
	if zh, en := ShortfallReport(pool, Context{}, full, Freeze(pool, Context{}, full)); zh != "" || en != "" {
		t.Errorf("a filled group reported a shortfall: %q %q", zh, en)
	}
}
