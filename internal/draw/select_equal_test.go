package draw

import (
	"crypto/sha256"
	"fmt"
	"math/rand/v2"
	"reflect"
	"slices"
	"testing"
)

// selectByID is Select as first written (picked IDs in a map, a fresh
// pool of IDs per group): the reference for the index-based Select.
func selectByID(seed []byte, spec Spec, list CandidateList) ([]Pick, error) {
	g := NewDRBG(seed)
	used := map[string]bool{}
	var picks []Pick
	for _, grp := range spec.Groups {
		var pool []string
		for _, c := range list.Candidates {
			if !used[c.ID] && slices.Contains(c.Groups, grp.Name) {
				pool = append(pool, c.ID)
			}
		}
		if len(pool) < grp.Count {
			return nil, &Shortfall{Group: grp.Name, Need: grp.Count, Available: len(pool)}
		}
		k := min(grp.Count+grp.Reserves, len(pool))
		for i := 0; i < k; i++ {
			j := i + int(g.Uniform(uint64(len(pool)-i)))
			pool[i], pool[j] = pool[j], pool[i]
			used[pool[i]] = true
			picks = append(picks, Pick{Group: grp.Name, Order: i + 1, ID: pool[i], Reserve: i >= grp.Count})
		}
	}
	return picks, nil
}

// freezeGroup is Freeze's group choice as first written: the first
// group (in order) whose specialties overlap the member's.
func freezeGroup(m PoolMember, groups []QuotaGroup) string {
	for _, g := range groups {
		if overlaps(m.Specialties, g.Specialties) {
			return g.Name
		}
	}
	return ""
}

func TestSelectAndFreezeEqualReference(t *testing.T) {
	r := rand.New(rand.NewPCG(5, 6))
	specs := []string{"S0", "S1", "S2", "S3", "S4", ""}
	for round := range 300 {
		n := 1 + r.IntN(60)
		pool := make([]PoolMember, n)
		keys := r.Perm(2 * n) // unique keys, in no order
		for i := range pool {
			pool[i] = PoolMember{Key: fmt.Sprintf("E%03d", keys[i]), Status: "active", Region: "411002"}
			for range r.IntN(3) {
				pool[i].Specialties = append(pool[i].Specialties, specs[r.IntN(len(specs))])
			}
			if r.IntN(8) == 0 {
				pool[i].Status = "suspended"
			}
		}
		groups := []QuotaGroup{{Name: "a", Specialties: []string{"S0", "S1"}, Count: 1 + r.IntN(3), Reserves: r.IntN(2)},
			{Name: "b", Specialties: []string{"S1", "S2", "S3"}, Count: r.IntN(3), Reserves: r.IntN(2)}}
		list := Freeze(pool, Context{}, groups)
		for _, c := range list.Candidates {
			m := pool[slices.IndexFunc(pool, func(m PoolMember) bool { return m.Key == c.ID })]
			if want := freezeGroup(m, groups); c.Groups[0] != want {
				t.Fatalf("round %d: %s in group %s, want %s", round, c.ID, c.Groups[0], want)
			}
		}
		// Lists as frozen (unique, sorted) and with repeated, unsorted IDs.
		lists := []CandidateList{list, {Candidates: append(slices.Clone(list.Candidates), list.Candidates...)}}
		r.Shuffle(len(lists[1].Candidates), func(i, j int) {
			lists[1].Candidates[i], lists[1].Candidates[j] = lists[1].Candidates[j], lists[1].Candidates[i]
		})
		spec := Spec{Groups: SpecGroups(groups)}
		for _, l := range lists {
			seed := sha256.Sum256(fmt.Append(nil, round))
			got, gerr := Select(seed[:], spec, l)
			want, werr := selectByID(seed[:], spec, l)
			if !reflect.DeepEqual(got, want) || fmt.Sprint(gerr) != fmt.Sprint(werr) {
				t.Fatalf("round %d: Select %v %v, reference %v %v", round, got, gerr, want, werr)
			}
		}
	}
}

// TestSelectSameAsReferenceRandomLists: lists not made by Freeze, with
// Groups slices shared among runs of candidates and fresh ones, nil and
// empty, candidates in several groups, specs naming a group twice or a
// group nobody lists, IDs unique and sorted, unsorted, or repeated.
func TestSelectSameAsReferenceRandomLists(t *testing.T) {
	names := []string{"a", "b", "c", "r:1"}
	for round := range 2000 {
		r := rand.New(rand.NewPCG(uint64(round), 77))
		groups := func() []string {
			switch r.IntN(5) {
			case 0:
				return nil
			case 1:
				return []string{}
			}
			var gs []string
			for range 1 + r.IntN(3) {
				gs = append(gs, names[r.IntN(len(names))])
			}
			return gs
		}
		shared := [][]string{groups(), groups(), groups()}
		n := r.IntN(80)
		list := CandidateList{Candidates: make([]Candidate, n)}
		ids := r.Perm(n + 5)
		mode := r.IntN(3)
		var gs []string
		for i := range list.Candidates {
			id := ids[i]
			switch mode {
			case 0:
				id = 2 * i // unique and sorted
			case 1:
				id = r.IntN(n/3 + 1) // repeated
			}
			if i == 0 || r.IntN(4) == 0 {
				gs = shared[r.IntN(len(shared))]
				switch r.IntN(4) {
				case 0:
					gs = groups()
				case 1:
					gs = gs[:r.IntN(len(gs)+1)] // same first element, shorter
				}
			}
			// Short IDs, and pseudonym-length ones (compareKeys' words).
			format := []string{"E%03d", "E-%08d", "E-%013d"}[round%3]
			list.Candidates[i] = Candidate{ID: fmt.Sprintf(format, id), Groups: gs}
		}
		var spec Spec
		for range 1 + r.IntN(4) {
			spec.Groups = append(spec.Groups, Group{Name: names[r.IntN(len(names))], Count: r.IntN(4), Reserves: r.IntN(3)})
		}
		seed := sha256.Sum256(fmt.Append(nil, "random lists", round))
		got, gerr := Select(seed[:], spec, list)
		want, werr := selectByID(seed[:], spec, list)
		if !reflect.DeepEqual(got, want) || fmt.Sprint(gerr) != fmt.Sprint(werr) {
			t.Fatalf("round %d: Select %v %v, reference %v %v", round, got, gerr, want, werr)
		}
	}
}

// TestSelectSameAsReferenceLongLists: lists long enough for Select to size
// its pools from the first poolSample candidates, with groups whose
// shares change along the list (so the estimate is too small for some
// groups and too large for others), a group first seen after the sample,
// and the bench pool's frozen list.
func TestSelectSameAsReferenceLongLists(t *testing.T) {
	names := []string{"a", "b", "c"}
	shared := [][]string{{"a"}, {"b"}, {"c"}, {"a", "b"}}
	for round := range 12 {
		r := rand.New(rand.NewPCG(uint64(round), 99))
		n := 2*poolSample + r.IntN(4000)
		list := CandidateList{Candidates: make([]Candidate, n)}
		for i := range list.Candidates {
			var gs []string
			switch {
			case i < poolSample/2:
				gs = shared[0]
			case i < poolSample:
				gs = shared[r.IntN(2)]
			case i < 3*poolSample:
				gs = shared[r.IntN(len(shared))]
			default:
				gs = []string{names[r.IntN(len(names))]} // a fresh slice each time
			}
			id := i
			if round%4 == 3 {
				id = r.IntN(n / 2) // repeated IDs, unsorted
			}
			list.Candidates[i] = Candidate{ID: fmt.Sprintf("E-%08d", id), Groups: gs}
		}
		spec := Spec{Groups: []Group{{Name: "a", Count: 3, Reserves: 2}, {Name: "c", Count: 2, Reserves: 1}, {Name: "b", Count: 4, Reserves: 1}}}
		seed := sha256.Sum256(fmt.Append(nil, "long lists", round))
		got, gerr := Select(seed[:], spec, list)
		want, werr := selectByID(seed[:], spec, list)
		if !reflect.DeepEqual(got, want) || fmt.Sprint(gerr) != fmt.Sprint(werr) {
			t.Fatalf("round %d: Select %v %v, reference %v %v", round, got, gerr, want, werr)
		}
	}
	if testing.Short() {
		return
	}
	pool, ctx, groups := benchPool()
	list := Freeze(pool, ctx, groups)
	spec := Spec{Groups: SpecGroups(groups)}
	for round := range 3 {
		seed := sha256.Sum256(fmt.Append(nil, "bench pool", round))
		got, gerr := Select(seed[:], spec, list)
		want, werr := selectByID(seed[:], spec, list)
		if !reflect.DeepEqual(got, want) || gerr != nil || werr != nil {
			t.Fatalf("bench pool, round %d: Select %v %v, reference %v %v", round, got, gerr, want, werr)
		}
	}
}
