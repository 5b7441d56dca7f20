package draw

import (
	"fmt"
	"math/rand/v2"
	"reflect"
	"slices"
	"strings"
	"testing"
)

// freezeReference is Freeze as written before the reason masks and the
// specialty table (session 8): a map from specialty to first group, a
// fresh Reasons slice per excluded member. The reference Freeze must
// equal: same candidates in the same order with the same groups, same
// exclusions with the same reasons.
func freezeReference(pool []PoolMember, ctx Context, groups []QuotaGroup) CandidateList {
	list := CandidateList{Candidates: make([]Candidate, 0, len(pool)), Excluded: []Exclusion{}}
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
	candSorted, exclSorted := true, true
	for k := range pool {
		m := &pool[k]
		reasons := exclusionReasonsReference(m, &ctx)
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
	if !candSorted {
		slices.SortFunc(list.Candidates, func(a, b Candidate) int { return strings.Compare(a.ID, b.ID) })
	}
	if !exclSorted {
		slices.SortFunc(list.Excluded, func(a, b Exclusion) int { return strings.Compare(a.ID, b.ID) })
	}
	return list
}

func exclusionReasonsReference(m *PoolMember, ctx *Context) []string {
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

// randomFreezeInput is a pool with every rule firing now and then (alone
// and together), specialties that collide in specialtyGroups' buckets,
// empty ones, ones no group lists and ones two groups list, keys in key
// order, shuffled or repeated, and groups with empty or repeated
// specialty lists.
func randomFreezeInput(r *rand.Rand) ([]PoolMember, Context, []QuotaGroup) {
	// "S1"/"S1 " and "A0B"/"AxB" share first and last bytes; long codes
	// share everything but a middle byte.
	codes := []string{"S0", "S1", "S1 ", "A0B", "AxB", "", "GB/T-4754-7211-long", "GB/T-4754-7212-long", "技术", "经济", "x"}
	pick := func() string { return codes[r.IntN(len(codes))] }
	usccs := []string{"", "T1", "B1", "B2", "B3", "U1", "U2"}
	regions := []string{"", "411002", "411003"}
	n := r.IntN(400)
	pool := make([]PoolMember, n)
	keys := r.Perm(2 * n)
	order := r.IntN(3)
	for i := range pool {
		k := keys[i]
		switch order {
		case 0:
			k = i // already in key order
		case 1:
			k = r.IntN(n/4 + 1) // repeated keys
		}
		m := PoolMember{Key: fmt.Sprintf("E-%04d", k), Status: "active", Region: regions[r.IntN(len(regions))],
			EmployerUSCC: usccs[r.IntN(len(usccs))]}
		for range r.IntN(4) {
			m.Specialties = append(m.Specialties, pick())
		}
		if r.IntN(6) == 0 {
			m.Status = []string{"suspended", "removed", ""}[r.IntN(3)]
		}
		m.Penalised = r.IntN(10) == 0
		m.Unavailable = r.IntN(10) == 0
		m.AlreadyDrawn = r.IntN(10) == 0
		m.RecentlyDrawnForTenderer = r.IntN(10) == 0
		for range r.IntN(3) {
			m.Relations = append(m.Relations, usccs[r.IntN(len(usccs))])
		}
		pool[i] = m
	}
	ctx := Context{TendererUSCC: usccs[r.IntN(3)], BidderUSCCs: []string{"B1", "B2"}[:r.IntN(3)],
		Region: "411002", CrossRegion: r.IntN(2) == 0}
	groups := make([]QuotaGroup, 1+r.IntN(3))
	for i := range groups {
		groups[i] = QuotaGroup{Name: []string{"technical", "economic", "technical"}[i], Count: 1}
		for range r.IntN(5) {
			groups[i].Specialties = append(groups[i].Specialties, pick())
		}
	}
	return pool, ctx, groups
}

func TestFreezeSameAsReference(t *testing.T) {
	for seed := range uint64(400) {
		r := rand.New(rand.NewPCG(seed, 41))
		pool, ctx, groups := randomFreezeInput(r)
		got, want := Freeze(pool, ctx, groups), freezeReference(pool, ctx, groups)
		if !reflect.DeepEqual(got, want) {
			t.Fatalf("seed %d: Freeze\n%v\nreference\n%v", seed, got, want)
		}
		if hashList(got) != hashList(want) {
			t.Fatalf("seed %d: hashes differ", seed)
		}
		// A shared Reasons slice is full: appending to one exclusion's
		// reasons leaves the others as they were.
		for i := range got.Excluded {
			x := &got.Excluded[i]
			if cap(x.Reasons) != len(x.Reasons) {
				t.Fatalf("seed %d: %s's reasons have spare capacity", seed, x.ID)
			}
		}
		for _, m := range pool {
			if want, got := exclusionReasonsReference(&m, &ctx), exclusionReasons(&m, &ctx); !slices.Equal(got, want) {
				t.Fatalf("seed %d: exclusionReasons(%+v) = %v, want %v", seed, m, got, want)
			}
		}
	}
}

// TestFreezeSameAsReference100k is the bench pool (100,000 experts).
func TestFreezeSameAsReference100k(t *testing.T) {
	if testing.Short() {
		t.Skip("100,000-member pool")
	}
	pool, ctx, groups := benchPool()
	if got, want := Freeze(pool, ctx, groups), freezeReference(pool, ctx, groups); !reflect.DeepEqual(got, want) {
		t.Fatal("Freeze differs from the reference on the bench pool")
	}
}
