// Package modules is the list of Yingshang's business modules and the code
// that builds the switched-on ones for the server, the command line and the
// demo. Adding a module is its own folders plus one line in All; nothing
// else in the host names a module (see docs/architecture.md, "How to add a
// module").
package modules

import (
	"context"
	"fmt"
	"io/fs"
	"slices"
	"strings"
	"sync"

	"yingshang/internal/app"
	"yingshang/internal/config"
	"yingshang/internal/db"
	"yingshang/internal/handlers/appeals"
	"yingshang/internal/handlers/bideval"
	"yingshang/internal/handlers/credits"
	"yingshang/internal/handlers/draws"
	inspectweb "yingshang/internal/handlers/inspect"
	"yingshang/internal/handlers/licenses"
	"yingshang/internal/handlers/policy"
	"yingshang/internal/handlers/procure"
	"yingshang/internal/module"
	"yingshang/internal/web"
)

// All lists every module compiled into the binary, in the order the host
// shows them (menus, landing page, demo data). A module comes after the
// modules it requires.
var All = []module.Info{
	appeals.Module,
	credits.Module,
	licenses.Module,
	draws.Module,
	bideval.Module,
	procure.Module,
	inspectweb.Module,
	policy.Module,
}

func init() {
	for _, info := range All {
		config.Add(info.Settings...)
		web.RegisterLabels(info.Labels)
	}
}

// Set is the built, switched-on modules of one running platform.
type Set struct {
	App  *app.App
	Host *module.Host
	// List is the built modules, in the order of All.
	List []module.Module
}

// Select returns the switched-on modules: names is the YINGSHANG_MODULES
// setting ("all" or empty for every module, else a comma-separated list).
// An unknown name, or a module whose required module is off, is an error
// that names both.
func Select(names string) ([]module.Info, error) { return SelectFrom(All, names) }

// SelectFrom is Select over a given list of modules (tests add their own).
func SelectFrom(list []module.Info, names string) ([]module.Info, error) {
	names = strings.TrimSpace(names)
	if names == "" || names == "all" {
		return list, checkRequires(list)
	}
	want := map[string]bool{}
	for _, n := range strings.Split(names, ",") {
		n = strings.TrimSpace(n)
		if n == "" {
			continue
		}
		if !slices.ContainsFunc(list, func(i module.Info) bool { return i.Name == n }) {
			var known []string
			for _, i := range list {
				known = append(known, i.Name)
			}
			return nil, fmt.Errorf("YINGSHANG_MODULES: unknown module %q (known: %s)", n, strings.Join(known, ", "))
		}
		want[n] = true
	}
	var out []module.Info
	for _, info := range list {
		if !want[info.Name] {
			continue
		}
		for _, r := range info.Requires {
			if !want[r] {
				return nil, fmt.Errorf("YINGSHANG_MODULES: module %s needs module %s, which is switched off: add %s or remove %s", info.Name, r, r, info.Name)
			}
		}
		out = append(out, info)
	}
	return out, checkRequires(out)
}

// checkRequires makes sure every module comes after the modules it needs.
func checkRequires(list []module.Info) error {
	seen := map[string]bool{}
	for _, info := range list {
		for _, r := range info.Requires {
			if !seen[r] {
				return fmt.Errorf("module %s needs module %s, which is not listed before it", info.Name, r)
			}
		}
		seen[info.Name] = true
	}
	return nil
}

// Names lists the names of all modules.
func Names() []string {
	out := make([]string, len(All))
	for i, info := range All {
		out[i] = info.Name
	}
	return out
}

var messagesOnce sync.Map // module name -> struct{}

// Build builds the switched-on modules on a (a.Cfg.Modules), registers their
// message types and jobs, and adds their migrations to a.Schema. Call it
// once per App, before migrating and before the job queue is initialised.
// It does not touch the database.
func Build(a *app.App) (*Set, error) { return BuildFrom(a, All) }

// BuildFrom is Build over a given list of modules (the example module's
// test adds itself to All).
func BuildFrom(a *app.App, list []module.Info) (*Set, error) {
	infos, err := SelectFrom(list, a.Cfg.Modules)
	if err != nil {
		return nil, err
	}
	set := &Set{App: a, Host: module.NewHost(a)}
	for _, info := range infos {
		if info.Name == "" || info.New == nil {
			return nil, fmt.Errorf("a module in modules.All has no name or constructor")
		}
		m, err := info.New(set.Host)
		if err != nil {
			return nil, fmt.Errorf("module %s: %w", info.Name, err)
		}
		set.Host.Add(m)
		set.List = append(set.List, m)
		web.RegisterLabels(info.Labels) // again for modules not in All (tests)
		if info.Schema.FS != nil && !slices.ContainsFunc(a.Schema, func(s db.Source) bool { return s.Name == info.Schema.Name }) {
			a.Schema = append(a.Schema, info.Schema)
		}
		if r, ok := m.(module.MessageRegistrar); ok {
			if _, done := messagesOnce.LoadOrStore(info.Name, struct{}{}); !done {
				r.RegisterMessages()
			}
		}
		if r, ok := m.(module.JobRegistrar); ok {
			r.RegisterJobs(a.Jobs)
		}
		if r, ok := m.(module.StateRegistrar); ok && a.Audit != nil && a.Audit.States != nil {
			r.RegisterStates(a.Audit.States)
		}
	}
	return set, nil
}

// Get returns the main service of type T among the built modules (the zero
// T when no switched-on module has one).
func Get[T any](s *Set) T {
	for _, m := range s.List {
		if v, ok := m.Service().(T); ok {
			return v
		}
	}
	var zero T
	return zero
}

// On reports whether the module name is built (switched on).
func (s *Set) On(name string) bool { return s.Host.Module(name) != nil }

// Templates returns the switched-on modules' template trees.
func (s *Set) Templates() []fs.FS {
	var out []fs.FS
	for _, m := range s.List {
		if t := m.Info().Templates; t != nil {
			out = append(out, t)
		}
	}
	return out
}

// Nav returns the side-menu groups of the switched-on modules.
func (s *Set) Nav() []web.NavGroup {
	var out []web.NavGroup
	for _, m := range s.List {
		if n, ok := m.(module.Navigator); ok {
			out = append(out, n.Nav()...)
		}
	}
	return out
}

// PublicLinks returns the landing-page links of the switched-on modules.
func (s *Set) PublicLinks() []web.Link {
	var out []web.Link
	for _, m := range s.List {
		if p, ok := m.(module.PublicLinker); ok {
			out = append(out, p.PublicLinks()...)
		}
	}
	return out
}

// Start runs the switched-on modules' start-up steps (module.Starter), in
// order; the server calls it after migrating.
func (s *Set) Start(ctx context.Context) error {
	for _, m := range s.List {
		if st, ok := m.(module.Starter); ok {
			if err := st.Start(ctx); err != nil {
				return fmt.Errorf("start-up of %s: %w", m.Info().Name, err)
			}
		}
	}
	return nil
}

// LoadDemo loads every switched-on module's demo data (called once, when
// the core demo data set is first created).
func (s *Set) LoadDemo(ctx context.Context) error {
	for _, m := range s.List {
		if d, ok := m.(module.DemoLoader); ok {
			if err := d.LoadDemo(ctx); err != nil {
				return fmt.Errorf("demo data of %s: %w", m.Info().Name, err)
			}
		}
	}
	return nil
}

// Command finds the CLI subcommand "yingshang <mod> <sub>" among all
// modules (switched on or not: the command itself opens the platform and
// reports a switched-off module).
func Command(mod, sub string) (module.Info, *module.Command, bool) {
	for _, info := range All {
		if info.Name != mod {
			continue
		}
		for i := range info.Commands {
			if info.Commands[i].Name == sub {
				return info, &info.Commands[i], true
			}
		}
		return info, nil, true
	}
	return module.Info{}, nil, false
}
