package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"strings"

	"yingshang/internal/draw"
)

// cmdDraw: yingshang draw verify RECORD.json — recomputes a published draw
// record offline (no database) and exits 1 naming every difference.
func cmdDraw(_ context.Context, args []string, stdout, stderr io.Writer) error {
	if len(args) != 2 || args[0] != "verify" {
		return &exitError{code: 2, msg: "usage: yingshang draw verify RECORD.json   (a record from GET /api/v1/draws/{id}/record; - reads stdin)"}
	}
	var raw []byte
	var err error
	if args[1] == "-" {
		raw, err = io.ReadAll(os.Stdin)
	} else {
		raw, err = os.ReadFile(args[1])
	}
	if err != nil {
		return &exitError{code: 2, msg: err.Error()}
	}
	var rec draw.Record
	if err := json.Unmarshal(raw, &rec); err != nil {
		return &exitError{code: 1, msg: "not a draw record: " + err.Error()}
	}
	if rec.Seed == "" {
		return &exitError{code: 1, msg: "the record has no reveal: the draw has not taken place yet"}
	}
	diffs := draw.Verify(&rec)
	if len(diffs) > 0 {
		for _, d := range diffs {
			fmt.Fprintln(stderr, "DIFFERS:", d)
		}
		return &exitError{code: 1, msg: fmt.Sprintf("draw %d does NOT verify (%d differences)", rec.DrawID, len(diffs))}
	}
	fmt.Fprintf(stdout, "draw %d verifies: %s, %d candidates, %d excluded, seed %s\n", rec.DrawID, rec.Spec.Purpose,
		len(rec.Candidates.Candidates), len(rec.Candidates.Excluded), rec.Seed)
	if h, ok := rec.Spec.Rules[draw.RuleBiddersHash]; ok {
		if rec.Disclosure == nil {
			fmt.Fprintf(stdout, "bidders: committed (sha256 %s), not disclosed yet: fetch the record again after the bid opening to check them\n", h)
		} else {
			fmt.Fprintf(stdout, "bidders: disclosed and matching the commitment: %s\n", strings.Join(rec.Disclosure.Bidders, ", "))
		}
	}
	for _, p := range rec.Picks {
		kind := ""
		if p.Reserve {
			kind = " (reserve)"
		}
		fmt.Fprintf(stdout, "  %s #%d %s%s\n", p.Group, p.Order, p.ID, kind)
	}
	return nil
}
