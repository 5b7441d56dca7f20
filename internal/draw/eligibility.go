package draw

import (
	"fmt"
	"math"
	"math/bits"
	"slices"
	"sort"
	"strings"
	"sync"
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
//
// Exclusions with the same reasons share one Reasons slice (its capacity
// is its length, so an append copies); TestFreezeSameAsReference holds
// Freeze to the straightforward version on random pools.
func Freeze(pool []PoolMember, ctx Context, groups []QuotaGroup) CandidateList {
	list := CandidateList{Candidates: make([]Candidate, 0, len(pool))}
	// One shared []string{name} per group (the candidates' Groups), and
	// the group of each specialty code: the first group that lists it.
	groupNames := make([][]string, len(groups))
	var spec specialtyGroups
	for i, g := range groups {
		groupNames[i] = []string{g.Name}
		for _, sp := range g.Specialties {
			spec.add(sp, i)
		}
	}
	spec.index()
	// Exclusions are noted as pool index and reason mask in a slice
	// without pointers, and Excluded is made once at its final length
	// after the pass: growing a slice of Exclusions by append allocated
	// about three times its final size (1.1 MB of a 100,000-member draw's
	// 6.5 MB), copied with write barriers while the collector ran.
	// The slice is scratch, reused across calls (freezeScratch).
	xp := freezeScratch.Get().(*[]uint64)
	excl := (*xp)[:0] // k<<numReasons | mask
	// Members are read in place (a PoolMember is 200 bytes), and the
	// lists' order is checked as they grow.
	candSorted, exclSorted := true, true
	lastCand, lastExcl := "", ""
	for k := range pool {
		m := &pool[k]
		mask := exclusionMask(m, &ctx)
		// The first group (in order) one of whose specialties m holds.
		group := len(groups)
		for _, sp := range m.Specialties {
			if i := spec.lookup(sp); i < group {
				group = i
			}
		}
		if group == len(groups) {
			mask |= 1 << bitNoSpecialty
		}
		if mask != 0 {
			if len(excl) > 0 && compareKeys(lastExcl, m.Key) > 0 {
				exclSorted = false
			}
			excl = append(excl, uint64(k)<<numReasons|uint64(mask))
			lastExcl = m.Key
			continue
		}
		if len(list.Candidates) > 0 && compareKeys(lastCand, m.Key) > 0 {
			candSorted = false
		}
		// Field by field into the slice made at the pool's size: storing a
		// whole Candidate (append of a composite literal) went through
		// the runtime's bulk write barrier (typedmemmove) whenever the
		// collector was marking, a seventh of Freeze's time; a field store
		// takes the compiler's inline barrier.
		n := len(list.Candidates)
		list.Candidates = list.Candidates[:n+1]
		c := &list.Candidates[n]
		c.ID, c.Groups = m.Key, groupNames[group]
		lastCand = m.Key
	}
	list.Excluded = make([]Exclusion, len(excl))
	var reasons [1 << numReasons][]string // by reason mask, made on first use
	for i, x := range excl {
		mask := uint16(x & (1<<numReasons - 1))
		r := reasons[mask]
		if r == nil {
			r = appendReasons(make([]string, 0, bits.OnesCount16(mask)), mask)
			reasons[mask] = r
		}
		e := &list.Excluded[i]
		e.ID, e.Reasons = pool[x>>numReasons].Key, r
	}
	if cap(excl) <= maxScratch {
		*xp = excl[:0]
		freezeScratch.Put(xp)
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

// freezeScratch holds Freeze's exclusion notes between calls: a draw's
// allocations are paid again in the collector's work (its marking of
// the pool), so scratch that does not leave the call is reused.
var freezeScratch = sync.Pool{New: func() any { return new([]uint64) }}

// maxScratch is the most elements a scratch slice keeps when it goes back
// to its pool (8 MB of uint64s): a rare huge call's slice is let go.
const maxScratch = 1 << 20

// specialtyGroups maps a specialty code to the first group that lists it,
// like a map[string]int, without hashing whole strings: codes are
// bucketed by their length and first, middle and last bytes, and a
// bucket's few codes are compared in full.
type specialtyGroups struct {
	seen   map[string]bool
	codes  []string
	groups []int
	start  [257]int32 // codes of bucket h: order[start[h]:start[h+1]]
	order  []int32
}

func specialtyHash(s string) int {
	return (len(s)*7 + int(s[0])*31 + int(s[len(s)/2])*3 + int(s[len(s)-1])) & 255
}

// add records code's group unless the code is empty or already listed.
func (t *specialtyGroups) add(code string, group int) {
	if code == "" || t.seen[code] {
		return
	}
	if t.seen == nil {
		t.seen = map[string]bool{}
	}
	t.seen[code] = true
	t.codes = append(t.codes, code)
	t.groups = append(t.groups, group)
}

func (t *specialtyGroups) index() {
	var count [256]int32
	for _, c := range t.codes {
		count[specialtyHash(c)]++
	}
	for h := range 256 {
		t.start[h+1] = t.start[h] + count[h]
	}
	t.order = make([]int32, len(t.codes))
	next := t.start
	for i, c := range t.codes {
		h := specialtyHash(c)
		t.order[next[h]] = int32(i)
		next[h]++
	}
}

// lookup returns the group of code, or math.MaxInt when no group lists it.
func (t *specialtyGroups) lookup(code string) int {
	if code == "" {
		return math.MaxInt
	}
	h := specialtyHash(code)
	for _, i := range t.order[t.start[h]:t.start[h+1]] {
		if t.codes[i] == code {
			return t.groups[i]
		}
	}
	return math.MaxInt
}

// The reasons a member is excluded for, as bits of a mask in the order
// they are listed (exclusionReasons).
const (
	bitNotActive = iota
	bitUnavailable
	bitEmployerTenderer
	bitEmployerBidder
	bitRelation
	bitSameRegion
	bitAlreadyDrawn
	bitRecentTenderer
	bitNoSpecialty
	numReasons
)

var reasonOfBit = [numReasons]string{ReasonNotActive, ReasonUnavailable, ReasonEmployerTenderer, ReasonEmployerBidder,
	ReasonRelation, ReasonSameRegion, ReasonAlreadyDrawn, ReasonRecentTenderer, ReasonNoSpecialty}

func appendReasons(r []string, mask uint16) []string {
	for b := range numReasons {
		if mask&(1<<b) != 0 {
			r = append(r, reasonOfBit[b])
		}
	}
	return r
}

func exclusionReasons(m *PoolMember, ctx *Context) []string {
	mask := exclusionMask(m, ctx)
	if mask == 0 {
		return nil
	}
	return appendReasons(nil, mask)
}

func exclusionMask(m *PoolMember, ctx *Context) uint16 {
	var r uint16
	if m.Status != "active" || m.Penalised {
		r |= 1 << bitNotActive
	}
	if m.Unavailable {
		r |= 1 << bitUnavailable
	}
	if m.EmployerUSCC != "" && m.EmployerUSCC == ctx.TendererUSCC {
		r |= 1 << bitEmployerTenderer
	}
	if m.EmployerUSCC != "" && slices.Contains(ctx.BidderUSCCs, m.EmployerUSCC) {
		r |= 1 << bitEmployerBidder
	}
	if overlaps(m.Relations, ctx.BidderUSCCs) || (ctx.TendererUSCC != "" && slices.Contains(m.Relations, ctx.TendererUSCC)) {
		r |= 1 << bitRelation
	}
	if ctx.CrossRegion && m.Region != "" && m.Region == ctx.Region {
		r |= 1 << bitSameRegion
	}
	if m.AlreadyDrawn {
		r |= 1 << bitAlreadyDrawn
	}
	if m.RecentlyDrawnForTenderer {
		r |= 1 << bitRecentTenderer
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
