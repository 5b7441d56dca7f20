package draws

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"strings"

	"yingshang/internal/draw"
	"yingshang/internal/module"
)

// cmdVerify: yingshang draw verify RECORD.json — recomputes a published draw
// record offline (no database) and exits 1 naming every difference.
func cmdVerify(_ context.Context, c *module.CLI, args []string) error {
	stdout, stderr := c.Stdout, c.Stderr
	if len(args) != 1 {
		return &module.ExitError{Code: 2, Msg: "usage: yingshang draw verify RECORD.json   (a record from GET /api/v1/draws/{id}/record; - reads stdin)"}
	}
	var raw []byte
	var err error
	if args[0] == "-" {
		raw, err = io.ReadAll(os.Stdin)
	} else {
		raw, err = os.ReadFile(args[0])
	}
	if err != nil {
		return &module.ExitError{Code: 2, Msg: err.Error()}
	}
	var rec draw.Record
	if err := json.Unmarshal(raw, &rec); err != nil {
		return &module.ExitError{Code: 1, Msg: "not a draw record: " + err.Error()}
	}
	if rec.Seed == "" {
		return &module.ExitError{Code: 1, Msg: "the record has no reveal: the draw has not taken place yet"}
	}
	diffs := draw.Verify(&rec)
	if len(diffs) > 0 {
		for _, d := range diffs {
			fmt.Fprintln(stderr, "DIFFERS:", d)
		}
		return &module.ExitError{Code: 1, Msg: fmt.Sprintf("draw %d does NOT verify (%d differences)", rec.DrawID, len(diffs))}
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

var commands = []module.Command{
	{Name: "verify", Usage: "RECORD.json   recompute a published draw record (exit 1 if it differs; - reads stdin)", Offline: true, Run: cmdVerify},
}
