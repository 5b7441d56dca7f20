package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"

	"yingshang/internal/auth"
)

// cmdAppeal runs the appeal module's commands:
//
//	yingshang appeal scan   run the SLA scan once and print a one-line JSON
//	                        summary: {"at":..., "examined":N,
//	                        "alerts":{"reply/1":N, ...}, "took":"..."}
//	                        (clock/level: 1 warning, 2 overdue, 3 second level)
//
// With YINGSHANG_FAKE_NOW the scan runs "as of" that time. It is
// idempotent: an alert already sent is not sent again.
func cmdAppeal(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	if len(args) == 0 || args[0] != "scan" {
		return &exitError{code: 2, msg: "usage: yingshang appeal scan"}
	}
	fs, resolve := flags("appeal scan", stderr)
	if err := fs.Parse(args[1:]); err != nil {
		return &exitError{code: 2}
	}
	cfg, err := resolve()
	if err != nil {
		return err
	}
	a, m, err := openModules(ctx, cfg, stderr)
	if err != nil {
		return err
	}
	defer a.Close()
	res, err := m.Appeal.Scan(auth.WithActor(ctx, auth.System("cli")))
	if err != nil {
		return err
	}
	b, err := json.Marshal(res)
	if err != nil {
		return err
	}
	fmt.Fprintln(stdout, string(b))
	return nil
}
