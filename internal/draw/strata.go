package draw

import (
	"fmt"
	"slices"
	"sort"
	"strings"
)

// Stratified sampling (docs/draw-protocol.md §6a, §6b): the inspection
// module's 双随机 draws. The strata are ordinary groups (one per credit
// class), so selection is §6 unchanged; Strata only makes every group's
// count a published function of its ratio and its size in the frozen list,
// which the verifier recomputes. Teams then draws, for every picked member,
// a team from another part of the list (the inspectors), with per-member
// avoidance and an optional tag match (the region).

// Strata is the stratification rule: group name -> ratio in per mille.
// A group's count must be ceil(size x ratio / 1000), where size is the
// number of candidates listing the group; a candidate may list at most one
// stratum.
type Strata struct {
	RatiosPermille map[string]int `json:"ratios_permille"`
}

// Teams draws Size members of group Pool for every non-reserve pick of the
// groups, in pick order. With Match set to a tag prefix (e.g. "r:"), a
// team member must list the same tag with that prefix as the picked
// member. Avoid lists, per picked member id, the pool members that may not
// serve on its team, with reasons. Members may serve on several teams.
type Teams struct {
	Size  int                    `json:"size"`
	Pool  string                 `json:"pool"`
	Match string                 `json:"match,omitempty"`
	Avoid map[string][]Exclusion `json:"avoid"`
}

// StratumCount is ceil(size x permille / 1000).
func StratumCount(size, permille int) int {
	return (size*permille + 999) / 1000
}

// checkStrata verifies a stratified spec's counts against the list.
func checkStrata(spec Spec, list CandidateList) []string {
	if spec.Strata == nil {
		return nil
	}
	var out []string
	sizes := map[string]int{}
	for _, c := range list.Candidates {
		n := 0
		for _, g := range c.Groups {
			if _, ok := spec.Strata.RatiosPermille[g]; ok {
				sizes[g]++
				n++
			}
		}
		if n > 1 {
			out = append(out, fmt.Sprintf("candidate %s is in %d strata", c.ID, n))
		}
	}
	seen := map[string]bool{}
	for _, g := range spec.Groups {
		r, ok := spec.Strata.RatiosPermille[g.Name]
		if !ok {
			out = append(out, fmt.Sprintf("group %q has no stratum ratio", g.Name))
			continue
		}
		seen[g.Name] = true
		if r < 0 || r > 1000 {
			out = append(out, fmt.Sprintf("stratum %q ratio %d is not between 0 and 1000 per mille", g.Name, r))
		}
		if want := StratumCount(sizes[g.Name], r); g.Count != want {
			out = append(out, fmt.Sprintf("stratum %q count %d is not ceil(%d x %d / 1000) = %d", g.Name, g.Count, sizes[g.Name], r, want))
		}
	}
	for name := range spec.Strata.RatiosPermille {
		if !seen[name] {
			out = append(out, fmt.Sprintf("stratum %q has a ratio but no group", name))
		}
	}
	return out
}

// tagOf returns the candidate's first group starting with prefix ("" when
// prefix is empty or none does).
func tagOf(groups []string, prefix string) string {
	if prefix == "" {
		return ""
	}
	for _, g := range groups {
		if strings.HasPrefix(g, prefix) {
			return g
		}
	}
	return ""
}

// teamPicks appends the teams (§6b) to the group picks. The pool of a
// picked member m is the candidates listing t.Pool (and m's match tag), in
// list order, without t.Avoid[m]; Size members are drawn by the swap loop
// of §6. A pick's Group is m's id, Order the position in its team.
func teamPicks(g *DRBG, t *Teams, list CandidateList, picks []Pick) ([]Pick, error) {
	if t.Size < 1 {
		return nil, fmt.Errorf("team size %d must be at least 1", t.Size)
	}
	pools := map[string][]string{}
	tags := make(map[string]string, len(picks))
	for _, p := range picks {
		if !p.Reserve {
			tags[p.ID] = ""
		}
	}
	for _, c := range list.Candidates {
		if slices.Contains(c.Groups, t.Pool) {
			k := tagOf(c.Groups, t.Match)
			pools[k] = append(pools[k], c.ID)
		} else if _, picked := tags[c.ID]; picked && t.Match != "" {
			tags[c.ID] = tagOf(c.Groups, t.Match)
		}
	}
	out := slices.Clone(picks)
	type swap struct{ at, v int }
	var swaps []swap
	for _, p := range picks {
		if p.Reserve {
			continue
		}
		base := pools[tags[p.ID]]
		var skip []int
		for _, e := range t.Avoid[p.ID] {
			if i, ok := slices.BinarySearch(base, e.ID); ok {
				skip = append(skip, i)
			}
		}
		sort.Ints(skip)
		skip = slices.Compact(skip)
		n := len(base) - len(skip)
		if n < t.Size {
			return nil, &Shortfall{Group: p.ID, Need: t.Size, Available: n}
		}
		// The pool is base without skip; at(i) maps a pool position to
		// base. The partial shuffle keeps its swaps in a map so a team
		// costs O(Size²) whatever the pool's size.
		at := func(i int) string {
			for _, s := range skip {
				if s <= i {
					i++
				}
			}
			return base[i]
		}
		swaps = swaps[:0]
		get := func(i int) int {
			for k := len(swaps) - 1; k >= 0; k-- {
				if swaps[k].at == i {
					return swaps[k].v
				}
			}
			return i
		}
		for i := 0; i < t.Size; i++ {
			j := i + int(g.Uniform(uint64(n-i)))
			vi, vj := get(i), get(j)
			swaps = append(swaps, swap{i, vj}, swap{j, vi})
			out = append(out, Pick{Group: p.ID, Order: i + 1, ID: at(vj)})
		}
	}
	return out, nil
}
