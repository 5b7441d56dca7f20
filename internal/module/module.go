// Package module is the contract between Yingshang's host (the server, the
// command line, the demo loader, the navigation, the landing page, the
// OpenAPI document) and a business module (appeals, credit, draws, ...).
//
// A module is a Go package (its service, under internal/<name>), its
// handlers (under internal/handlers/<name>), its migrations and templates
// in its own folders, and one line in internal/modules.All. It describes
// itself with an Info: a name, a title, the modules it needs, its
// migrations and templates, and a constructor. Everything else is an
// optional capability, an interface the host checks for (as Caddy's
// modules do): a module with no jobs writes no job code.
//
//	Info                  required: name, title, requires, migrations, templates,
//	                      labels of its codes, CLI subcommands (yingshang <name> ...), New
//	MessageRegistrar      its notification message types and default templates
//	JobRegistrar          its durable and periodic jobs
//	Router                its HTML pages and JSON API operations
//	Navigator             its side-menu entries, per role
//	PublicLinker          its links on the public landing page
//	Carder                its cards on a signed-in user's home page
//	Searcher              its hits in the top bar's global search (staff)
//	StateRegistrar        its audited objects, for the audit deep check
//	Starter               its idempotent start-up step (after migrations)
//	DemoLoader            its part of the demo data set
//
// The host builds modules in the order of the list, after the modules
// they require, and refuses to start when a module needs one that is
// switched off (YINGSHANG_MODULES), naming both.
package module

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"io/fs"

	"yingshang/internal/app"
	"yingshang/internal/audit"
	"yingshang/internal/auth"
	"yingshang/internal/config"
	"yingshang/internal/db"
	"yingshang/internal/jobs"
	"yingshang/internal/server"
	"yingshang/internal/web"
	"yingshang/internal/yserr"
)

// Text is a label in both languages.
type Text = web.Text

// Info describes a module. Name, Title and New are required.
type Info struct {
	// Name is the module's id: lower case, used in YINGSHANG_MODULES,
	// in the API's tags and as the migration source name.
	Name  string
	Title Text
	// Requires names the modules this one needs (bideval needs draw).
	Requires []string
	// Schema is the module's migrations (internal/<name>/migrations);
	// the zero Source when the module has no tables.
	Schema db.Source
	// Templates holds the module's pages: <dir>/<page>.html (rendered as
	// "<dir>/<page>") and partials/*.html (shared by its pages). Nil
	// when the module has no pages.
	Templates fs.FS
	// Settings are the module's configuration options (flags and
	// YINGSHANG_* variables like every other setting; values in
	// Config.Module, read with Config.Setting). Name them <module>-<what>.
	Settings []config.Option
	// Commands are the module's CLI subcommands ("yingshang <Name> <sub>").
	// They run on a platform they open themselves (Command.Run).
	Commands []Command
	// Labels are the zh-CN and English labels of the codes the module
	// shows (its states, actions, reasons, rule keys, history kinds), by
	// kind ("<module>.<what>"); the module list registers them in the one
	// label table (web.RegisterLabels) that the template function
	// "label" reads.
	Labels web.Labels
	// New builds the module's services for one running platform. It must
	// not touch the database: the host migrates after building.
	New func(h *Host) (Module, error)
}

// Module is a built module. Service returns its main service (for the
// other modules that require it, and for tests).
type Module interface {
	Info() Info
	Service() any
}

// Host is what a module is built with: the platform core and the modules
// built before it (those it requires among them).
type Host struct {
	*app.App
	built map[string]Module
}

// NewHost returns a host for a.
func NewHost(a *app.App) *Host { return &Host{App: a, built: map[string]Module{}} }

// Add records a built module.
func (h *Host) Add(m Module) { h.built[m.Info().Name] = m }

// Module returns a built module by name (nil when it is off or not built yet).
func (h *Host) Module(name string) Module { return h.built[name] }

// Service returns the main service of the built module name, as T. A
// module calls it in New for the modules it requires.
func Service[T any](h *Host, name string) (T, bool) {
	var zero T
	m := h.built[name]
	if m == nil {
		return zero, false
	}
	s, ok := m.Service().(T)
	return s, ok
}

// MessageRegistrar registers the module's notification message types
// (names, variables, default templates). Called once per process.
type MessageRegistrar interface{ RegisterMessages() }

// JobRegistrar registers the module's durable and periodic jobs.
type JobRegistrar interface{ RegisterJobs(q *jobs.Queue) }

// Router mounts the module's pages and API operations.
type Router interface{ Mount(s *server.Server) }

// Navigator lists the module's side-menu groups; the host shows each item
// to the actors its Show admits.
type Navigator interface{ Nav() []web.NavGroup }

// PublicLinker lists the module's links on the public landing page.
type PublicLinker interface{ PublicLinks() []web.Link }

// Carder returns the module's cards for the signed-in actor's home page
// (nil when it has nothing for this actor).
type Carder interface {
	Cards(ctx context.Context, a *auth.Actor) ([]web.Card, error)
}

// Searcher finds the module's items for the top bar's global search
// (appeal numbers, credit codes and company names, licence numbers,
// project codes): one group of hits, each linking to its item, only those
// the actor may see (scope decided in SQL). A nil group: nothing found or
// nothing for this actor.
type Searcher interface {
	Search(ctx context.Context, a *auth.Actor, q string) (*web.SearchGroup, error)
}

// Starter runs a module's start-up step once the schema is current and
// before the server takes requests (e.g. moving files kept before the file
// store into it). It must be idempotent: every instance runs it at start.
type Starter interface {
	Start(ctx context.Context) error
}

// StateRegistrar registers the module's audited objects for the audit deep
// check (yingshang audit verify --state): how to digest each live row.
type StateRegistrar interface{ RegisterStates(st *audit.States) }

// DemoLoader loads the module's demo data (once, when the core demo data
// set is first created).
type DemoLoader interface {
	LoadDemo(ctx context.Context) error
}

// Command is one CLI subcommand of a module.
type Command struct {
	// Name is the word after the module's command word ("scan" in
	// "yingshang appeal scan").
	Name string
	// Usage is the line shown in "yingshang help" (after the command words).
	Usage string
	// Offline commands do not open the database (e.g. draw verify).
	Offline bool
	Run     func(ctx context.Context, c *CLI, args []string) error
}

// CLI is what a command runs with.
type CLI struct {
	Stdout, Stderr io.Writer
	// Flags returns a flag set with every configuration option; resolve
	// gives the configuration after parsing.
	Flags func(name string) (fs *flag.FlagSet, resolve func() (*config.Config, error))
	// Open parses args with fs, opens the platform with its modules on a
	// current schema and returns the built module set; close it with
	// Close.
	Open func(ctx context.Context, fs *flag.FlagSet, resolve func() (*config.Config, error), args []string) (*Opened, error)
}

// Opened is the platform a command opened.
type Opened struct {
	App   *app.App
	Host  *Host
	Close func()
}

// ExitError ends a command with a status and a message (status 2: usage).
type ExitError struct {
	Code int
	Msg  string
}

func (e *ExitError) Error() string { return e.Msg }

// RunJSON is a command that takes only the common flags: it opens the
// platform, runs fn and prints its result as one line of JSON.
func RunJSON(ctx context.Context, c *CLI, name string, args []string, fn func(ctx context.Context, o *Opened) (any, error)) error {
	fs, resolve := c.Flags(name)
	o, err := c.Open(ctx, fs, resolve, args)
	if err != nil {
		return err
	}
	defer o.Close()
	res, err := fn(ctx, o)
	if err != nil {
		return err
	}
	b, err := json.Marshal(res)
	if err != nil {
		return err
	}
	_, err = fmt.Fprintln(c.Stdout, string(b))
	return err
}

// Templates returns the "templates" folder of a module's embedded files
// (the usual layout: //go:embed templates).
func Templates(f fs.FS) fs.FS {
	s, err := fs.Sub(f, "templates")
	if err != nil {
		panic(err)
	}
	return s
}

// UserError turns a validation error (internal/yserr) into an exit status 1
// with its bilingual text; other errors pass through.
func UserError(err error) error {
	if err == nil || yserr.CodeOf(err) == yserr.Internal || errors.Is(err, context.Canceled) {
		return err
	}
	e := yserr.As(err)
	msg := e.EN + " (" + e.ZH + ")"
	if e.Field != "" {
		msg = e.Field + ": " + msg
	}
	return &ExitError{Code: 1, Msg: msg}
}

// ErrMissing is the error of a module built without a module it requires.
func ErrMissing(module, required string) error {
	return fmt.Errorf("module %s needs module %s, which is switched off: add %s to YINGSHANG_MODULES or remove %s", module, required, required, module)
}
