package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"

	"yingshang/internal/app"
	"yingshang/internal/config"
	"yingshang/internal/modules"
)

// The shared start and end of the business modules' commands (appeal,
// credit, licence ...): parse the flags, open the app with the modules,
// print one line of JSON.

// parseAndOpenModules parses a module command's flags, resolves the
// configuration and opens the app with the business modules on a current
// schema. The caller closes the app.
func parseAndOpenModules(ctx context.Context, fs *flag.FlagSet, resolve func() (*config.Config, error), args []string, stderr io.Writer) (*app.App, *modules.Set, error) {
	if err := fs.Parse(args); err != nil {
		return nil, nil, &exitError{code: 2}
	}
	cfg, err := resolve()
	if err != nil {
		return nil, nil, err
	}
	return openModules(ctx, cfg, stderr)
}

// printJSONLine writes v to w as one line of JSON.
func printJSONLine(w io.Writer, v any) error {
	b, err := json.Marshal(v)
	if err != nil {
		return err
	}
	_, err = fmt.Fprintln(w, string(b))
	return err
}

// runModuleJSON is a module command that takes only the common flags:
// it opens the app with the modules, runs fn and prints its result as one
// line of JSON on stdout.
func runModuleJSON(ctx context.Context, name string, args []string, stdout, stderr io.Writer, fn func(ctx context.Context, m *modules.Set) (any, error)) error {
	fs, resolve := flags(name, stderr)
	a, m, err := parseAndOpenModules(ctx, fs, resolve, args, stderr)
	if err != nil {
		return err
	}
	defer a.Close()
	res, err := fn(ctx, m)
	if err != nil {
		return err
	}
	return printJSONLine(stdout, res)
}
