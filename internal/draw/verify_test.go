package draw

import (
	"crypto/sha256"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"time"
)

func freshRecord(t *testing.T, beacon bool) *Record {
	t.Helper()
	list, spec, secret, witness, at := vectorInputs()
	var b *Beacon
	if beacon {
		// quicknet round 123 was emitted 2023-08-23T15:09:33Z.
		at = time.Date(2023, 8, 23, 15, 0, 0, 0, time.UTC)
		spec.Beacon = &BeaconRef{Chain: Quicknet.Hash, Round: 123}
		b = &Beacon{Chain: Quicknet.Hash, Round: 123, Signature: quicknetRound123}
	}
	c, err := Commit(list, spec, secret, at)
	if err != nil {
		t.Fatal(err)
	}
	r, err := Run(list, spec, c, secret, witness, b, at.Add(time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	// Round-trip through JSON as a verifier would receive it.
	raw, _ := json.Marshal(r)
	var out Record
	if err := json.Unmarshal(raw, &out); err != nil {
		t.Fatal(err)
	}
	return &out
}

func TestVector2WithBeacon(t *testing.T) {
	r := freshRecord(t, true)
	if d := Verify(r); len(d) > 0 {
		t.Fatalf("record with a real beacon does not verify: %v", d)
	}
	if r.Seed != vec2Seed {
		t.Fatalf("vector 2 seed changed: %s", r.Seed)
	}
}

// Every kind of change to a record must be detected.
func TestTamperingIsDetected(t *testing.T) {
	cases := map[string]func(r *Record){
		"candidate renamed": func(r *Record) { r.Candidates.Candidates[0].ID = "E-0000" },
		"candidate removed": func(r *Record) { r.Candidates.Candidates = r.Candidates.Candidates[1:] },
		"candidate added": func(r *Record) {
			r.Candidates.Candidates = append(r.Candidates.Candidates, Candidate{ID: "E-9999", Groups: []string{"technical"}})
		},
		"candidate regrouped":   func(r *Record) { r.Candidates.Candidates[7].Groups = []string{"technical"} },
		"exclusion dropped":     func(r *Record) { r.Candidates.Excluded = nil },
		"exclusion reason":      func(r *Record) { r.Candidates.Excluded[0].Reasons = []string{ReasonSameRegion} },
		"spec count":            func(r *Record) { r.Spec.Groups[0].Count = 2 },
		"spec reserves":         func(r *Record) { r.Spec.Groups[1].Reserves = 0 },
		"spec rule":             func(r *Record) { r.Spec.Rules["employer_not_bidder"] = "off" },
		"secret":                func(r *Record) { r.Reveal.Secret = strings.Repeat("ab", 32) },
		"secret hash":           func(r *Record) { r.Commitment.SecretHash = strings.Repeat("0", 64) },
		"witness value":         func(r *Record) { r.Reveal.Witness = "314160" },
		"seed":                  func(r *Record) { r.Seed = strings.Repeat("1", 64) },
		"pick swapped":          func(r *Record) { r.Picks[0].ID, r.Picks[1].ID = r.Picks[1].ID, r.Picks[0].ID },
		"pick replaced":         func(r *Record) { r.Picks[0].ID = "E-0001" },
		"reserve promoted":      func(r *Record) { r.Picks[3].Reserve = false },
		"pick removed":          func(r *Record) { r.Picks = r.Picks[:len(r.Picks)-1] },
		"drawn before commit":   func(r *Record) { r.Reveal.DrawnAt = "2020-01-01T00:00:00Z" },
		"version":               func(r *Record) { r.Version = "yingshang-draw/0" },
		"candidates hash":       func(r *Record) { r.Commitment.CandidatesHash = strings.Repeat("0", 64) },
		"beacon signature":      func(r *Record) { r.Reveal.Beacon.Signature = strings.Replace(r.Reveal.Beacon.Signature, "b7", "b8", 1) },
		"beacon round":          func(r *Record) { r.Reveal.Beacon.Round = 124 },
		"beacon removed":        func(r *Record) { r.Reveal.Beacon = nil },
		"beacon before commit":  func(r *Record) { r.Commitment.CommittedAt = "2024-01-01T00:00:00Z" },
		"beacon ref removed":    func(r *Record) { r.Spec.Beacon = nil },
		"unsorted candidates":   func(r *Record) { c := r.Candidates.Candidates; c[0], c[1] = c[1], c[0] },
		"excluded and included": func(r *Record) { r.Candidates.Excluded[0].ID = "E-0001" },
	}
	for name, mutate := range cases {
		t.Run(name, func(t *testing.T) {
			r := freshRecord(t, true)
			mutate(r)
			if d := Verify(r); len(d) == 0 {
				t.Fatalf("tampering %q not detected", name)
			}
		})
	}
}

func TestShortfallIsReported(t *testing.T) {
	list, spec, _, _, _ := vectorInputs()
	spec.Groups[1].Count = 3
	_, err := Select(make([]byte, 32), spec, list)
	sf, ok := err.(*Shortfall)
	if !ok || sf.Group != "economic" || sf.Need != 3 || sf.Available != 2 {
		t.Fatalf("want economic shortfall 3/2, got %v", err)
	}
}

// Each of 20 candidates must be picked (3 of 20) with frequency 3/20 over
// 20,000 fixed seeds; chi-square with 19 degrees of freedom below 43.8
// (p = 0.001).
func TestSelectionFrequencyChiSquare(t *testing.T) {
	var list CandidateList
	for i := range 20 {
		list.Candidates = append(list.Candidates, Candidate{ID: fmt.Sprintf("C%02d", i), Groups: []string{"g"}})
	}
	spec := Spec{Algorithm: AlgorithmVersion, Groups: []Group{{Name: "g", Count: 3}}}
	counts := map[string]int{}
	const trials = 20000
	for i := range trials {
		var b [8]byte
		binary.BigEndian.PutUint64(b[:], uint64(i))
		seed := sha256.Sum256(b[:])
		picks, err := Select(seed[:], spec, list)
		if err != nil {
			t.Fatal(err)
		}
		for _, p := range picks {
			counts[p.ID]++
		}
	}
	expected := float64(trials*3) / 20
	chi := 0.0
	for _, c := range list.Candidates {
		d := float64(counts[c.ID]) - expected
		chi += d * d / expected
	}
	if chi > 43.8 {
		t.Fatalf("chi-square %.1f > 43.8: frequencies %v", chi, counts)
	}
	// The first position alone must also be uniform.
	first := map[string]int{}
	for i := range trials {
		var b [8]byte
		binary.BigEndian.PutUint64(b[:], uint64(i)+1<<32)
		seed := sha256.Sum256(b[:])
		picks, _ := Select(seed[:], spec, list)
		first[picks[0].ID]++
	}
	chi = 0
	for _, c := range list.Candidates {
		d := float64(first[c.ID]) - trials/20.0
		chi += d * d / (trials / 20.0)
	}
	if chi > 43.8 {
		t.Fatalf("first-pick chi-square %.1f > 43.8", chi)
	}
}
