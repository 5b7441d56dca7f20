package draw

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"math"
	"strings"
	"testing"
	"time"
)

// The quicknet round 123 signature, from
// https://api.drand.sh/52db9ba70e0cc0f6eaf7803dd07447a1f5477735fd3f661792ba94600c84e971/public/123
const quicknetRound123 = "b75c69d0b72a5d906e854e808ba7e2accb1542ac355ae486d591aa9d43765482e26cd02df835d3546d23c4b13e0dfc92"

func TestQuicknetBeaconVerifies(t *testing.T) {
	sig, _ := hex.DecodeString(quicknetRound123)
	if err := Quicknet.VerifyBeacon(123, sig); err != nil {
		t.Fatalf("real quicknet round 123 does not verify: %v", err)
	}
	if err := Quicknet.VerifyBeacon(124, sig); err == nil {
		t.Fatal("signature of round 123 verified for round 124")
	}
	bad := append([]byte(nil), sig...)
	bad[47] ^= 1
	if err := Quicknet.VerifyBeacon(123, bad); err == nil {
		t.Fatal("altered signature verified")
	}
}

func TestCanonicalJSON(t *testing.T) {
	got, err := Canonical(map[string]any{"b": []any{1, "x\n\"é<"}, "a": nil, "c": map[string]any{"z": true, "y": "\u0001"}})
	if err != nil {
		t.Fatal(err)
	}
	want := `{"a":null,"b":[1,"x\n\"é<"],"c":{"y":"\u0001","z":true}}`
	if string(got) != want {
		t.Fatalf("got %s want %s", got, want)
	}
	if _, err := Canonical(map[string]any{"f": 1.5}); err == nil {
		t.Fatal("non-integer number accepted")
	}
}

func TestUniformRejectsBiasedTail(t *testing.T) {
	// With n = 2^63 + 1 the accepted range is [0, 2^63+1) * 1 ... only one
	// full multiple fits, so about half of the outputs are rejected; every
	// result must still lie in range.
	g := NewDRBG([]byte("x"))
	n := uint64(math.MaxUint64/2 + 2)
	for range 200 {
		if v := g.Uniform(n); v >= n {
			t.Fatalf("Uniform(%d) = %d", n, v)
		}
	}
}

// vectorList and vectorSpec are the inputs of the documented test vector.
func vectorInputs() (CandidateList, Spec, []byte, string, time.Time) {
	list := CandidateList{Excluded: []Exclusion{{ID: "E-0009", Reasons: []string{ReasonEmployerBidder}}}}
	for i := 1; i <= 8; i++ {
		grp := []string{"technical"}
		if i > 6 {
			grp = []string{"economic"}
		}
		list.Candidates = append(list.Candidates, Candidate{ID: fmt.Sprintf("E-%04d", i), Groups: grp})
	}
	spec := Spec{Algorithm: AlgorithmVersion, Purpose: "experts", Subject: "TEST-1",
		Groups: []Group{{Name: "technical", Count: 3, Reserves: 1}, {Name: "economic", Count: 1, Reserves: 1}},
		Rules:  map[string]string{"employer_not_bidder": "on"}}
	secret := make([]byte, 32)
	for i := range secret {
		secret[i] = byte(i)
	}
	return list, spec, secret, "314159", time.Date(2026, 11, 23, 1, 0, 0, 0, time.UTC)
}

// Test vector 1 of docs/draw-protocol.md.
func TestVector1(t *testing.T) {
	list, spec, secret, witness, at := vectorInputs()
	c, err := Commit(list, spec, secret, at)
	if err != nil {
		t.Fatal(err)
	}
	r, err := Run(list, spec, c, secret, witness, nil, at.Add(time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	cl, _ := Canonical(list)
	t.Logf("candidates JCS %s", cl)
	t.Logf("commitment %+v seed %s", c, r.Seed)
	g := NewDRBG([]byte("abc"))
	t.Logf("drbg(abc) %d %d %d", g.Uint64(), g.Uint64(), g.Uint64())
	var ps []string
	for _, p := range r.Picks {
		ps = append(ps, fmt.Sprintf("%s/%d/%s/%v", p.Group, p.Order, p.ID, p.Reserve))
	}
	t.Logf("picks %s", strings.Join(ps, " "))
	if d := Verify(r); len(d) > 0 {
		t.Fatalf("fresh record does not verify: %v", d)
	}
	if c.CandidatesHash != vec1.candidates || c.SpecHash != vec1.spec || c.SecretHash != vec1.secret || r.Seed != vec1.seed || strings.Join(ps, " ") != vec1.picks {
		t.Fatalf("vector 1 changed: %+v %s %s", c, r.Seed, strings.Join(ps, " "))
	}
	b, _ := json.MarshalIndent(r, "", "  ")
	t.Logf("%s", b)
}

func mustHex(s string) []byte {
	b, err := hex.DecodeString(s)
	if err != nil {
		panic(err)
	}
	return b
}

func TestCanonicalListFastPathMatchesGeneric(t *testing.T) {
	lists := []CandidateList{{}, {Candidates: []Candidate{}, Excluded: []Exclusion{}},
		{Candidates: []Candidate{{ID: "a\"\u0001é", Groups: []string{"x", "y"}}, {ID: "b"}}, Excluded: []Exclusion{{ID: "c", Reasons: []string{"r<&>"}}}}}
	list, _, _, _, _ := vectorInputs()
	lists = append(lists, list)
	for _, l := range lists {
		want, err := Canonical(l)
		if err != nil {
			t.Fatal(err)
		}
		got, sum := canonicalList(l)
		if string(got) != string(want) {
			t.Fatalf("fast path %s\ngeneric %s", got, want)
		}
		if sha256.Sum256(want) != sum || hashList(l) != sum {
			t.Fatalf("hash of %s differs", want)
		}
	}
}
