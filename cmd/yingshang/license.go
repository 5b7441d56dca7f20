package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
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
	fs, resolve := flags("license scan", stderr)
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
	sum, err := m.License.Scan(ctx)
	if err != nil {
		return err
	}
	b, err := json.Marshal(sum)
	if err != nil {
		return err
	}
	fmt.Fprintln(stdout, string(b))
	return nil
}
