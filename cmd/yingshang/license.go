package main

import (
	"context"
	"io"

	"yingshang/internal/modules"
)

// cmdLicense runs the licence reminder module's commands:
//
//	yingshang license scan   run the daily scan once and print a one-line
//	                         JSON summary: licences acted on per stage
//	                         ({"followup":N,"lapsed":N,"remind_30":N,"remind_7":N})
//
// With YINGSHANG_FAKE_NOW the scan runs "as of" that time.
func cmdLicense(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	if len(args) == 0 || args[0] != "scan" {
		return &exitError{code: 2, msg: "usage: yingshang license scan"}
	}
	return runModuleJSON(ctx, "license scan", args[1:], stdout, stderr, func(ctx context.Context, m *modules.Set) (any, error) {
		return m.License.Scan(ctx)
	})
}
