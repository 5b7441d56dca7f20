package draw

import (
	"crypto/sha256"
	"encoding/binary"
	"fmt"
	"strings"
	"testing"
	"time"
)

// vector3Inputs are the inputs of test vector 3 (stratified sampling with
// teams, docs/draw-protocol.md §10): ten enterprises in strata A (T-01..06)
// and C (T-07..10), two regions; seven inspectors (I-08 excluded); ratios A 200‰, C 500‰.
func vector3Inputs() (CandidateList, Spec, []byte, string, time.Time) {
	list := CandidateList{Excluded: []Exclusion{{ID: "I-08", Reasons: []string{ReasonNotActive}}}}
	for i := 1; i <= 7; i++ {
		list.Candidates = append(list.Candidates, Candidate{ID: fmt.Sprintf("I-%02d", i), Groups: []string{"inspector", []string{"r:411002", "r:411023"}[i%2]}})
	}
	for i := 1; i <= 10; i++ {
		class := "A"
		if i > 6 {
			class = "C"
		}
		list.Candidates = append(list.Candidates, Candidate{ID: fmt.Sprintf("T-%02d", i), Groups: []string{class, []string{"r:411002", "r:411023"}[i%2]}})
	}
	spec := Spec{Algorithm: AlgorithmVersion, Purpose: "inspection", Subject: "PLAN-TEST-3",
		Groups: []Group{{Name: "A", Count: 2}, {Name: "C", Count: 2}},
		Rules:  map[string]string{"inspectors_per_task": "2"},
		Strata: &Strata{RatiosPermille: map[string]int{"A": 200, "C": 500}},
		Teams:  &Teams{Size: 2, Pool: "inspector", Match: "r:", Avoid: map[string][]Exclusion{}}}
	for _, t := range []string{"T-02", "T-04", "T-06", "T-08", "T-10"} {
		spec.Teams.Avoid[t] = []Exclusion{{ID: "I-04", Reasons: []string{"declared_relation"}}}
	}
	secret := make([]byte, 32)
	for i := range secret {
		secret[i] = byte(i)
	}
	return list, spec, secret, "271828", time.Date(2026, 12, 1, 1, 0, 0, 0, time.UTC)
}

const vector3Picks = "A/1/T-01 A/2/T-03 C/1/T-10 C/2/T-09 T-01/1/I-03 T-01/2/I-01 T-03/1/I-01 T-03/2/I-05 T-10/1/I-02 T-10/2/I-06 T-09/1/I-01 T-09/2/I-03"

func TestVector3Stratified(t *testing.T) {
	list, spec, secret, witness, at := vector3Inputs()
	c, err := Commit(list, spec, secret, at)
	if err != nil {
		t.Fatal(err)
	}
	r, err := Run(list, spec, c, secret, witness, nil, at.Add(time.Minute))
	if err != nil {
		t.Fatal(err)
	}
	cs, _ := Canonical(spec)
	t.Logf("spec JCS %s", cs)
	t.Logf("commitment %+v seed %s", c, r.Seed)
	var ps []string
	for _, p := range r.Picks {
		ps = append(ps, fmt.Sprintf("%s/%d/%s", p.Group, p.Order, p.ID))
	}
	t.Logf("picks %s", strings.Join(ps, " "))
	if d := Verify(r); len(d) > 0 {
		t.Fatalf("fresh record does not verify: %v", d)
	}
	if c.CandidatesHash != "e64f9e6c7ec2273f03383da921593551e4ffe72046dedee33ad268dd15dd404c" ||
		c.SpecHash != "a1895480dcb1a3c314e1e755b08e6ea3e49baf79d685158a6e8b5fff364bb261" ||
		r.Seed != "c8d8ebdc699d2d72b2c56ca4243bb36cde00ed9e65bb2f854601e2692033a4c1" {
		t.Fatalf("vector 3 hashes changed: %+v %s", c, r.Seed)
	}
	if got := strings.Join(ps, " "); got != vector3Picks {
		t.Fatalf("vector 3 changed: %s", got)
	}
	// Teams respect the region and the avoidance.
	for _, p := range r.Picks {
		if strings.HasPrefix(p.Group, "T-") {
			if p.ID == "I-04" {
				t.Fatal("avoided inspector drawn")
			}
			var ti, ii int
			fmt.Sscanf(p.Group, "T-%d", &ti)
			fmt.Sscanf(p.ID, "I-%d", &ii)
			if ti%2 != ii%2 {
				t.Fatalf("inspector %s of another region on %s", p.ID, p.Group)
			}
		}
	}
	// A lowered count, a changed ratio or a moved team member fails.
	bad := *r
	bad.Spec.Groups = []Group{{Name: "A", Count: 1}, {Name: "C", Count: 2}}
	if d := Verify(&bad); !strings.Contains(strings.Join(d, ";"), "ceil(6 x 200 / 1000) = 2") {
		t.Fatalf("lowered count not reported: %v", d)
	}
	bad = *r
	bad.Picks = append([]Pick(nil), r.Picks...)
	bad.Picks[len(bad.Picks)-1].ID = "I-01"
	if d := Verify(&bad); len(d) == 0 {
		t.Fatal("moved team member verifies")
	}
	// Too few inspectors for a team is a shortfall naming the enterprise.
	spec.Teams.Size = 3
	c, _ = Commit(list, spec, secret, at)
	if _, err := Run(list, spec, c, secret, witness, nil, at); err == nil || !strings.Contains(err.Error(), "only 2 eligible") {
		t.Fatalf("team shortfall: %v", err)
	}
}

// Within a stratum every member is equally likely to be sampled: over 4,000
// seeds, 40 members, 5 drawn each time, the counts pass a chi-square test
// at the 0.1% level (39 degrees of freedom: critical value 72.05).
func TestStratumUniformChiSquare(t *testing.T) {
	var list CandidateList
	for i := 0; i < 40; i++ {
		list.Candidates = append(list.Candidates, Candidate{ID: fmt.Sprintf("T-%03d", i), Groups: []string{"D"}})
	}
	for i := 0; i < 30; i++ {
		list.Candidates = append(list.Candidates, Candidate{ID: fmt.Sprintf("U-%03d", i), Groups: []string{"A"}})
	}
	spec := Spec{Algorithm: AlgorithmVersion, Purpose: "inspection", Groups: []Group{{Name: "A", Count: 3}, {Name: "D", Count: 5}},
		Strata: &Strata{RatiosPermille: map[string]int{"A": 100, "D": 125}}}
	if d := checkStrata(spec, list); len(d) > 0 {
		t.Fatal(d)
	}
	const seeds = 4000
	counts := map[string]int{}
	for s := 0; s < seeds; s++ {
		var b [8]byte
		binary.BigEndian.PutUint64(b[:], uint64(s))
		seed := sha256.Sum256(b[:])
		picks, err := Select(seed[:], spec, list)
		if err != nil {
			t.Fatal(err)
		}
		for _, p := range picks {
			if p.Group == "D" {
				counts[p.ID]++
			}
		}
	}
	expected := float64(seeds*5) / 40
	chi := 0.0
	for i := 0; i < 40; i++ {
		d := float64(counts[fmt.Sprintf("T-%03d", i)]) - expected
		chi += d * d / expected
	}
	t.Logf("chi-square %.2f (39 df)", chi)
	if chi > 72.05 {
		t.Fatalf("stratum D not uniform: chi-square %.2f > 72.05", chi)
	}
}
