package main

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"yingshang/internal/draw"
)

// `yingshang draw verify` covers both stages of an expert draw's record:
// before the opening the bidder list is only committed; after it the
// disclosed list must match the commitment.
func TestDrawVerifyBothStages(t *testing.T) {
	salt, bidders := "000102030405060708090a0b0c0d0e0f", []string{"91411002MA9XK1QR11", "91411082MA9XP2Q93Q"}
	h, err := draw.BiddersHash(salt, bidders)
	if err != nil {
		t.Fatal(err)
	}
	list := draw.CandidateList{Candidates: []draw.Candidate{{ID: "E-01", Groups: []string{"technical"}}, {ID: "E-02", Groups: []string{"technical"}},
		{ID: "E-03", Groups: []string{"technical"}}}, Excluded: []draw.Exclusion{}}
	spec := draw.Spec{Algorithm: draw.AlgorithmVersion, Purpose: "experts", Subject: "ZB-TEST", Groups: []draw.Group{{Name: "technical", Count: 2}},
		Rules: map[string]string{"employer_not_bidder": "committed", draw.RuleBiddersHash: h}}
	secret := bytes.Repeat([]byte{7}, 32)
	at := time.Date(2026, 12, 1, 1, 0, 0, 0, time.UTC)
	c, err := draw.Commit(list, spec, secret, at)
	if err != nil {
		t.Fatal(err)
	}
	rec, err := draw.Run(list, spec, c, secret, "314159", nil, at.Add(time.Minute))
	if err != nil {
		t.Fatal(err)
	}
	verify := func(r *draw.Record) (string, int) {
		raw, _ := json.Marshal(r)
		path := filepath.Join(t.TempDir(), "rec.json")
		if err := os.WriteFile(path, raw, 0o600); err != nil {
			t.Fatal(err)
		}
		var out, errOut bytes.Buffer
		code := run(context.Background(), []string{"draw", "verify", path}, &out, &errOut)
		return out.String() + errOut.String(), code
	}
	if out, code := verify(rec); code != 0 || !strings.Contains(out, "not disclosed yet") {
		t.Fatalf("stage 1: %d %s", code, out)
	}
	rec.Disclosure = &draw.Disclosure{Salt: salt, Bidders: bidders}
	if out, code := verify(rec); code != 0 || !strings.Contains(out, "disclosed and matching") {
		t.Fatalf("stage 2: %d %s", code, out)
	}
	rec.Disclosure.Bidders = bidders[:1]
	if out, code := verify(rec); code != 1 || !strings.Contains(out, "bidder list") {
		t.Fatalf("a changed bidder list verifies: %d %s", code, out)
	}
}
