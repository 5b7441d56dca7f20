package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"strings"

	"yingshang/internal/app"
	"yingshang/internal/config"
	"yingshang/internal/module"
	"yingshang/internal/modules"
)

// The business modules' commands: "yingshang <module> <sub> ...", each
// declared by its module (module.Info.Commands) and listed in the usage.

// runModuleCommand runs a module's command; ok is false when args[0] names
// no module.
func runModuleCommand(ctx context.Context, args []string, stdout, stderr io.Writer) (ok bool, err error) {
	sub := ""
	if len(args) > 1 {
		sub = args[1]
	}
	info, cmd, found := modules.Command(args[0], sub)
	if !found {
		return false, nil
	}
	if cmd == nil {
		var b strings.Builder
		fmt.Fprintf(&b, "usage:\n")
		for _, c := range info.Commands {
			fmt.Fprintf(&b, "  yingshang %s %s %s\n", info.Name, c.Name, c.Usage)
		}
		return true, &exitError{code: 2, msg: strings.TrimRight(b.String(), "\n")}
	}
	c := &module.CLI{
		Stdout: stdout, Stderr: stderr,
		Flags: func(name string) (*flag.FlagSet, func() (*config.Config, error)) { return flags(name, stderr) },
		Open: func(ctx context.Context, fs *flag.FlagSet, resolve func() (*config.Config, error), args []string) (*module.Opened, error) {
			if args != nil {
				if err := fs.Parse(args); err != nil {
					return nil, &exitError{code: 2}
				}
			}
			cfg, err := resolve()
			if err != nil {
				return nil, err
			}
			if !moduleOn(cfg, info.Name) {
				return nil, &exitError{code: 1, msg: fmt.Sprintf("module %s is switched off (YINGSHANG_MODULES=%s)", info.Name, cfg.Modules)}
			}
			a, m, err := openModules(ctx, cfg, stderr)
			if err != nil {
				return nil, err
			}
			return &module.Opened{App: a, Host: m.Host, Close: a.Close}, nil
		},
	}
	return true, cmd.Run(ctx, c, args[2:])
}

func moduleOn(cfg *config.Config, name string) bool {
	infos, err := modules.Select(cfg.Modules)
	if err != nil {
		return true // openModules reports the configuration error
	}
	for _, i := range infos {
		if i.Name == name {
			return true
		}
	}
	return false
}

// moduleUsage lists every module's commands for the usage text.
func moduleUsage(w io.Writer) {
	for _, info := range modules.All {
		for _, c := range info.Commands {
			line := fmt.Sprintf("  %s %s %s", info.Name, c.Name, c.Usage)
			fmt.Fprintln(w, line)
		}
	}
}

// cmdModules lists the modules, whether each is on, what it needs and its
// commands.
func cmdModules(args []string, stdout, stderr io.Writer) error {
	fs, resolve := flags("modules", stderr)
	if err := fs.Parse(args); err != nil {
		return &exitError{code: 2}
	}
	cfg, err := resolve()
	if err != nil {
		return err
	}
	on := map[string]bool{}
	infos, err := modules.Select(cfg.Modules)
	if err != nil {
		return &exitError{code: 1, msg: err.Error()}
	}
	for _, i := range infos {
		on[i.Name] = true
	}
	for _, info := range modules.All {
		state := "off"
		if on[info.Name] {
			state = "on"
		}
		fmt.Fprintf(stdout, "%-10s %-3s %s / %s", info.Name, state, info.Title.ZH, info.Title.EN)
		if len(info.Requires) > 0 {
			fmt.Fprintf(stdout, "  (needs %s)", strings.Join(info.Requires, ", "))
		}
		fmt.Fprintln(stdout)
		for _, c := range info.Commands {
			fmt.Fprintf(stdout, "           yingshang %s %s %s\n", info.Name, c.Name, c.Usage)
		}
	}
	return nil
}

// openModules opens the app, builds the switched-on modules and checks
// that the schema is the binary's (commands other than serve and migrate
// do not migrate). The caller closes the app.
func openModules(ctx context.Context, cfg *config.Config, stderr io.Writer) (*app.App, *modules.Set, error) {
	a, err := open(ctx, cfg, stderr)
	if err != nil {
		return nil, nil, err
	}
	m, err := modules.Build(a)
	if err != nil {
		a.Close()
		return nil, nil, err
	}
	if err := a.CheckCurrent(ctx); err != nil {
		a.Close()
		return nil, nil, err
	}
	if err := a.Jobs.Init(); err != nil {
		a.Close()
		return nil, nil, err
	}
	return a, m, nil
}
