package draw

import (
	"fmt"
	"slices"
	"sort"
	"strings"
)

// PoolMember is a member of a pool as the eligibility rules see it.
type PoolMember struct {
	Key                      string   // public identifier (an expert's pseudonym)
	Specialties              []string // specialty codes
	EmployerUSCC             string
	Region                   string // GB/T 2260 code of the member's region
	Status                   string // active | suspended | removed
	Relations                []string
	Unavailable              bool // declared unavailable at the time
	Penalised                bool // has a live penalty for tendering misconduct
	RecentlyDrawnForTenderer bool
	AlreadyDrawn             bool // drawn for this project before (redraws)
}

// QuotaGroup is a group of the specification with the specialties that
// qualify for it.
type QuotaGroup struct {
	Name        string
	Specialties []string
	Count       int
	Reserves    int
}

// Context holds what the eligibility rules compare against.
type Context struct {
	TendererUSCC string
	BidderUSCCs  []string
	Region       string // project's region
	CrossRegion  bool   // 异地评标: members from the project's region are excluded
}

// Freeze applies the eligibility and avoidance rules and returns the frozen
// candidate list. A member qualifies for the first group (in order) one of
// whose specialties it holds; so groups are disjoint and the count check
// below is exact. Every excluded member is listed with all reasons that
// apply.
func Freeze(pool []PoolMember, ctx Context, groups []QuotaGroup) CandidateList {
	list := CandidateList{Candidates: make([]Candidate, 0, len(pool)), Excluded: []Exclusion{}}
	// One shared []string{name} per group (the candidates' Groups), and
	// the group of each specialty code: the first group that lists it.
	groupNames := make([][]string, len(groups))
	groupOf := map[string]int{}
	for i, g := range groups {
		groupNames[i] = []string{g.Name}
		for _, sp := range g.Specialties {
			if _, seen := groupOf[sp]; !seen && sp != "" {
				groupOf[sp] = i
			}
		}
	}
	// Members are read in place (a PoolMember is 200 bytes), and the
	// lists' order is checked as they grow.
	candSorted, exclSorted := true, true
	for k := range pool {
		m := &pool[k]
		reasons := exclusionReasons(m, &ctx)
		// The first group (in order) one of whose specialties m holds.
		group := len(groups)
		for _, sp := range m.Specialties {
			if i, ok := groupOf[sp]; ok && i < group {
				group = i
			}
		}
		if group == len(groups) {
			reasons = append(reasons, ReasonNoSpecialty)
		}
		if len(reasons) > 0 {
			if n := len(list.Excluded); n > 0 && list.Excluded[n-1].ID > m.Key {
				exclSorted = false
			}
			list.Excluded = append(list.Excluded, Exclusion{ID: m.Key, Reasons: reasons})
			continue
		}
		if n := len(list.Candidates); n > 0 && list.Candidates[n-1].ID > m.Key {
			candSorted = false
		}
		list.Candidates = append(list.Candidates, Candidate{ID: m.Key, Groups: groupNames[group]})
	}
	// Pools are usually read in key order: then there is nothing to sort.
	if !candSorted {
		slices.SortFunc(list.Candidates, func(a, b Candidate) int { return strings.Compare(a.ID, b.ID) })
	}
	if !exclSorted {
		slices.SortFunc(list.Excluded, func(a, b Exclusion) int { return strings.Compare(a.ID, b.ID) })
	}
	return list
}

func exclusionReasons(m *PoolMember, ctx *Context) []string {
	var r []string
	if m.Status != "active" || m.Penalised {
		r = append(r, ReasonNotActive)
	}
	if m.Unavailable {
		r = append(r, ReasonUnavailable)
	}
	if m.EmployerUSCC != "" && m.EmployerUSCC == ctx.TendererUSCC {
		r = append(r, ReasonEmployerTenderer)
	}
	if m.EmployerUSCC != "" && slices.Contains(ctx.BidderUSCCs, m.EmployerUSCC) {
		r = append(r, ReasonEmployerBidder)
	}
	if overlaps(m.Relations, ctx.BidderUSCCs) || (ctx.TendererUSCC != "" && slices.Contains(m.Relations, ctx.TendererUSCC)) {
		r = append(r, ReasonRelation)
	}
	if ctx.CrossRegion && m.Region != "" && m.Region == ctx.Region {
		r = append(r, ReasonSameRegion)
	}
	if m.AlreadyDrawn {
		r = append(r, ReasonAlreadyDrawn)
	}
	if m.RecentlyDrawnForTenderer {
		r = append(r, ReasonRecentTenderer)
	}
	return r
}

func overlaps(a, b []string) bool {
	for _, x := range a {
		if x != "" && slices.Contains(b, x) {
			return true
		}
	}
	return false
}

// ShortfallReport explains, per group, why a frozen list cannot fill the
// specification: how many members qualify and how many each rule removed,
// in Chinese and in English (labels from labels.go, never raw codes). It
// returns "", "" when every group has at least Count candidates.
func ShortfallReport(pool []PoolMember, ctx Context, groups []QuotaGroup, list CandidateList) (zh, en string) {
	have := map[string]int{}
	for _, c := range list.Candidates {
		have[c.Groups[0]]++
	}
	var zhLines, enLines []string
	for _, g := range groups {
		if have[g.Name] >= g.Count {
			continue
		}
		byReason := map[string]int{}
		for k := range pool {
			m := &pool[k]
			if !overlaps(m.Specialties, g.Specialties) {
				continue
			}
			for _, r := range exclusionReasons(m, &ctx) {
				byReason[r]++
			}
		}
		var zhParts, enParts []string
		for _, r := range sortedKeys(byReason) {
			zhParts = append(zhParts, fmt.Sprintf("%s %d 人", ReasonLabel(r, "zh-CN"), byReason[r]))
			enParts = append(enParts, fmt.Sprintf("%s: %d", ReasonLabel(r, "en"), byReason[r]))
		}
		zhWhy, enWhy := "库中没有该专业的专家", "no member of the pool holds these specialties"
		if len(zhParts) > 0 {
			zhWhy, enWhy = "排除："+strings.Join(zhParts, "，"), "excluded: "+strings.Join(enParts, ", ")
		}
		zhLines = append(zhLines, fmt.Sprintf("%s需要 %d 人，符合条件 %d 人（%s）", GroupLabel(g.Name, "zh-CN"), g.Count, have[g.Name], zhWhy))
		enLines = append(enLines, fmt.Sprintf("%s: %d needed, %d eligible (%s)", GroupLabel(g.Name, "en"), g.Count, have[g.Name], enWhy))
	}
	return strings.Join(zhLines, "；"), strings.Join(enLines, "; ")
}

func sortedKeys(m map[string]int) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

// ExpertGroups splits a committee of n experts into quota groups: at least
// two thirds (rounded up) technical, the rest economic (the trading
// centre's usual split; the law requires experts to be >= 2/3 of the
// committee). With no economic specialties everything is technical.
func ExpertGroups(n, reserves int, technical, economic []string) []QuotaGroup {
	tech := (2*n + 2) / 3
	if len(economic) == 0 {
		tech = n
	}
	groups := []QuotaGroup{{Name: "technical", Specialties: technical, Count: tech, Reserves: reserves}}
	if n-tech > 0 {
		groups = append(groups, QuotaGroup{Name: "economic", Specialties: economic, Count: n - tech, Reserves: min(reserves, 1)})
	}
	return groups
}

// SpecGroups converts quota groups to the specification's groups.
func SpecGroups(groups []QuotaGroup) []Group {
	out := make([]Group, len(groups))
	for i, g := range groups {
		out[i] = Group{Name: g.Name, Count: g.Count, Reserves: g.Reserves}
	}
	return out
}
