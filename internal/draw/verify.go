package draw

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"
)

// Verify recomputes everything in a record and returns one line per
// difference; an empty result means the record is consistent.
func Verify(r *Record) []string {
	var diffs []string
	add := func(format string, a ...any) { diffs = append(diffs, fmt.Sprintf(format, a...)) }
	if r.Version != AlgorithmVersion || r.Spec.Algorithm != AlgorithmVersion {
		add("algorithm version %q/%q is not %q", r.Version, r.Spec.Algorithm, AlgorithmVersion)
	}
	if err := checkList(r.Candidates); err != nil {
		add("candidate list: %v", err)
	}
	diffs = append(diffs, checkStrata(r.Spec, r.Candidates)...)
	if h, err := HashJSON(r.Candidates); err != nil || h != r.Commitment.CandidatesHash {
		add("candidate list hash %s differs from the commitment %s", h, r.Commitment.CandidatesHash)
	}
	if h, err := HashJSON(r.Spec); err != nil || h != r.Commitment.SpecHash {
		add("specification hash %s differs from the commitment %s", h, r.Commitment.SpecHash)
	}
	secret, err := hex.DecodeString(r.Reveal.Secret)
	if err != nil || len(secret) != 32 {
		add("revealed secret is not 32 bytes of hex")
	}
	if h := sha256.Sum256(secret); hex.EncodeToString(h[:]) != r.Commitment.SecretHash {
		add("SHA-256 of the revealed secret differs from the committed secret hash")
	}
	committed, err1 := time.Parse(time.RFC3339, r.Commitment.CommittedAt)
	drawn, err2 := time.Parse(time.RFC3339, r.Reveal.DrawnAt)
	if err1 != nil || err2 != nil {
		add("committed_at/drawn_at are not RFC 3339 times")
	} else if drawn.Before(committed) {
		add("drawn_at %s is before committed_at %s", r.Reveal.DrawnAt, r.Commitment.CommittedAt)
	}
	sig, msgs := checkBeacon(r, committed)
	diffs = append(diffs, msgs...)
	seed, err := Seed(r.Commitment, secret, r.Reveal.Witness, sig)
	if err != nil {
		add("seed: %v", err)
		return diffs
	}
	if hex.EncodeToString(seed) != r.Seed {
		add("seed %s differs from the recomputed seed %s", r.Seed, hex.EncodeToString(seed))
	}
	picks, err := Select(seed, r.Spec, r.Candidates)
	if err != nil {
		add("selection: %v", err)
		return diffs
	}
	diffs = append(diffs, comparePicks(r.Picks, picks)...)
	return append(diffs, checkDisclosure(r)...)
}

// checkBeacon verifies the revealed beacon against the committed reference.
func checkBeacon(r *Record, committed time.Time) ([]byte, []string) {
	ref, b := r.Spec.Beacon, r.Reveal.Beacon
	switch {
	case ref == nil && b == nil:
		return nil, nil
	case ref == nil:
		return nil, []string{"a beacon was revealed but none was named in the specification"}
	case b == nil:
		return nil, []string{fmt.Sprintf("the specification names beacon round %d but none was revealed", ref.Round)}
	}
	var out []string
	if b.Chain != ref.Chain || b.Round != ref.Round {
		out = append(out, fmt.Sprintf("revealed beacon %s/%d is not the committed %s/%d", b.Chain, b.Round, ref.Chain, ref.Round))
	}
	sig, err := hex.DecodeString(b.Signature)
	if err != nil {
		return nil, append(out, "beacon signature is not hex")
	}
	chain, ok := Chains[b.Chain]
	if !ok {
		return sig, append(out, "unknown beacon chain "+b.Chain)
	}
	if err := chain.VerifyBeacon(b.Round, sig); err != nil {
		out = append(out, err.Error())
	}
	if !committed.IsZero() && !RoundTime(chain.Genesis, chain.Period, b.Round).After(committed) {
		out = append(out, fmt.Sprintf("beacon round %d was emitted before the commitment", b.Round))
	}
	return sig, out
}

func checkList(l CandidateList) error {
	for i, c := range l.Candidates {
		if c.ID == "" {
			return errors.New("a candidate has an empty id")
		}
		if i > 0 && l.Candidates[i-1].ID >= c.ID {
			return errors.New("candidates are not sorted by id or repeat one")
		}
	}
	for _, e := range l.Excluded {
		if _, found := slices.BinarySearchFunc(l.Candidates, e.ID, func(c Candidate, id string) int { return strings.Compare(c.ID, id) }); found {
			return fmt.Errorf("%q is both a candidate and excluded", e.ID)
		}
		if len(e.Reasons) == 0 {
			return fmt.Errorf("exclusion of %q has no reason", e.ID)
		}
	}
	return nil
}

func comparePicks(got, want []Pick) []string {
	if slices.Equal(got, want) {
		return nil
	}
	var out []string
	for i := 0; i < max(len(got), len(want)); i++ {
		switch {
		case i >= len(got):
			out = append(out, fmt.Sprintf("pick %d missing: want %+v", i+1, want[i]))
		case i >= len(want):
			out = append(out, fmt.Sprintf("pick %d %+v should not be there", i+1, got[i]))
		case got[i] != want[i]:
			out = append(out, fmt.Sprintf("pick %d is %+v, recomputed %+v", i+1, got[i], want[i]))
		}
	}
	return out
}

// Run performs a draw on a committed list: it derives the seed from the
// revealed inputs and selects. The caller has checked the beacon.
func Run(list CandidateList, spec Spec, c Commitment, secret []byte, witness string, beacon *Beacon, at time.Time) (*Record, error) {
	var sig []byte
	if beacon != nil {
		var err error
		if sig, err = hex.DecodeString(beacon.Signature); err != nil {
			return nil, err
		}
	}
	seed, err := Seed(c, secret, witness, sig)
	if err != nil {
		return nil, err
	}
	picks, err := Select(seed, spec, list)
	if err != nil {
		return nil, err
	}
	return &Record{Version: AlgorithmVersion, Commitment: c, Spec: spec, Candidates: list,
		Reveal: Reveal{Secret: hex.EncodeToString(secret), Witness: witness, Beacon: beacon, DrawnAt: FormatTime(at)},
		Seed:   hex.EncodeToString(seed), Picks: picks}, nil
}
