package main

import (
	"context"
	"encoding/hex"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"strings"
	"time"

	"golang.org/x/mod/sumdb/note"
	"golang.org/x/mod/sumdb/tlog"

	"yingshang/internal/app"
	"yingshang/internal/audit"
	"yingshang/internal/auth"
	"yingshang/internal/calendar"
	"yingshang/internal/config"
	"yingshang/internal/demo"
	"yingshang/internal/ident"
	"yingshang/internal/module"
	"yingshang/internal/modules"
	"yingshang/internal/server"
	"yingshang/internal/site"
	"yingshang/internal/yserr"
)

// flags returns a flag set with every configuration option, plus a
// function that resolves the configuration after parsing.
func flags(name string, stderr io.Writer) (*flag.FlagSet, func() (*config.Config, error)) {
	fs := flag.NewFlagSet("yingshang "+name, flag.ContinueOnError)
	fs.SetOutput(stderr)
	resolve := config.Register(fs)
	return fs, func() (*config.Config, error) { return resolve(os.Getenv) }
}

func open(ctx context.Context, cfg *config.Config, stderr io.Writer) (*app.App, error) {
	log := app.NewLogger(cfg, stderr)
	a, err := app.Open(ctx, cfg, log, version)
	if err != nil {
		return nil, err
	}
	return a, nil
}

// openCurrent opens the app and refuses to work on a schema that is not
// the binary's (commands other than serve and migrate do not migrate).
func openCurrent(ctx context.Context, cfg *config.Config, stderr io.Writer) (*app.App, error) {
	a, _, err := openModules(ctx, cfg, stderr)
	return a, err
}

// parseAndOpen parses a command's flags, resolves the configuration and
// opens the app on a current schema: the start of most commands.
func parseAndOpen(ctx context.Context, fs *flag.FlagSet, resolve func() (*config.Config, error), args []string, stderr io.Writer) (*app.App, error) {
	if err := fs.Parse(args); err != nil {
		return nil, &exitError{code: 2}
	}
	cfg, err := resolve()
	if err != nil {
		return nil, err
	}
	return openCurrent(ctx, cfg, stderr)
}

func cmdServe(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs, resolve := flags("serve", stderr)
	withDemo := fs.Bool("demo", false, "load demo data (once) and print demo logins")
	if err := fs.Parse(args); err != nil {
		return &exitError{code: 2}
	}
	cfg, err := resolve()
	if err != nil {
		return err
	}
	a, err := open(ctx, cfg, stderr)
	if err != nil {
		return err
	}
	defer a.Close()
	mods, err := modules.Build(a)
	if err != nil {
		return err
	}
	applied, err := a.Migrate(ctx)
	if err != nil {
		return err
	}
	if len(applied) > 0 {
		a.Log.Info("migrations applied", "steps", applied)
	}
	// The modules' start-up steps (idempotent), e.g. files kept before the
	// shared file store move into it.
	if err := mods.Start(ctx); err != nil {
		return err
	}
	if *withDemo {
		if err := a.Jobs.Init(); err != nil {
			return err
		}
		res, err := demo.Load(ctx, a, mods)
		if err != nil {
			return fmt.Errorf("demo data: %w", err)
		}
		printLogins(stdout, cfg, res)
	}
	if _, err := a.Audit.Baseline(auth.WithActor(ctx, auth.System("audit")), false); err != nil {
		return fmt.Errorf("audit baseline: %w", err)
	}
	srv, err := site.New(a, mods)
	if err != nil {
		return err
	}
	if err := a.Jobs.Start(ctx); err != nil {
		return fmt.Errorf("start job queue: %w", err)
	}
	if cfg.DebugAddr != "" {
		// Operators' profiling listener (net/http/pprof), off by default.
		go func() {
			err := server.ServeDebug(ctx, cfg.DebugAddr, cfg.MetricsToken, a.Log, func(addr net.Addr) {
				a.Log.Info("debug listener (pprof)", "addr", addr.String())
			})
			if err != nil {
				a.Log.Error("debug listener", "addr", cfg.DebugAddr, "err", err)
			}
		}()
	}
	err = srv.Serve(ctx, cfg.Addr, func(addr net.Addr) {
		a.Log.Info("listening", "addr", addr.String(), "database", string(a.DB.Dialect), "version", version)
		fmt.Fprintf(stdout, "Yingshang %s listening on http://%s (database: %s)\n", version, displayAddr(addr), a.DB.Dialect)
	})
	stopCtx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	if serr := a.Jobs.Stop(stopCtx); serr != nil && err == nil {
		err = serr
	}
	return err
}

func displayAddr(addr net.Addr) string {
	s := addr.String()
	if strings.HasPrefix(s, "[::]:") {
		return "localhost:" + strings.TrimPrefix(s, "[::]:")
	}
	if strings.HasPrefix(s, "0.0.0.0:") {
		return "localhost:" + strings.TrimPrefix(s, "0.0.0.0:")
	}
	return s
}

func printLogins(w io.Writer, cfg *config.Config, res *demo.Result) {
	fmt.Fprintln(w, "================ Yingshang demo ================")
	fmt.Fprintf(w, "Open %s and sign in:\n", cfg.BaseURL)
	for _, l := range res.Logins {
		fmt.Fprintf(w, "  %-18s username: %-16s password: %s\n", l.Role, l.Username, l.Password)
	}
	if res.Created {
		fmt.Fprintf(w, "Demo data loaded: %d market entities, %d departments.\n", res.Entities, res.Departments)
	}
	fmt.Fprintln(w, "================================================")
}

func cmdMigrate(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs, resolve := flags("migrate", stderr)
	if err := fs.Parse(args); err != nil {
		return &exitError{code: 2}
	}
	cfg, err := resolve()
	if err != nil {
		return err
	}
	a, err := open(ctx, cfg, stderr)
	if err != nil {
		return err
	}
	defer a.Close()
	if _, err := modules.Build(a); err != nil {
		return err
	}
	applied, err := a.Migrate(ctx)
	if err != nil {
		return err
	}
	for _, st := range applied {
		fmt.Fprintf(stdout, "applied %s\n", st)
	}
	vs, err := a.DB.Versions(ctx)
	if err != nil {
		return err
	}
	var parts []string
	for _, src := range a.Schema {
		parts = append(parts, fmt.Sprintf("%s %d", src.Name, vs[src.Name]))
	}
	fmt.Fprintf(stdout, "schema is current: %s\n", strings.Join(parts, ", "))
	return nil
}

func cmdDemo(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs, resolve := flags("demo", stderr)
	if err := fs.Parse(args); err != nil {
		return &exitError{code: 2}
	}
	cfg, err := resolve()
	if err != nil {
		return err
	}
	a, err := open(ctx, cfg, stderr)
	if err != nil {
		return err
	}
	defer a.Close()
	mods, err := modules.Build(a)
	if err != nil {
		return err
	}
	if _, err := a.Migrate(ctx); err != nil {
		return err
	}
	if err := a.Jobs.Init(); err != nil {
		return err
	}
	res, err := demo.Load(ctx, a, mods)
	if err != nil {
		return err
	}
	printLogins(stdout, cfg, res)
	return nil
}

func cmdAdmin(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	if len(args) == 0 || args[0] != "create" {
		return &exitError{code: 2, msg: "usage: yingshang admin create --username U [--name NAME] [--password P] [--keep-tokens]"}
	}
	fs, resolve := flags("admin create", stderr)
	username := fs.String("username", "admin", "username")
	name := fs.String("name", "平台管理员", "display name")
	password := fs.String("password", "", "password (default: generated and printed)")
	keepTokens := fs.Bool("keep-tokens", false, "on a reset, keep the account's API tokens (its sessions always end)")
	a, err := parseAndOpen(ctx, fs, resolve, args[1:], stderr)
	if err != nil {
		return err
	}
	defer a.Close()
	pw := *password
	if pw == "" {
		pw = demo.Password()
	}
	u, created, err := a.Accounts.EnsureAdmin(ctx, *username, *name, pw, *keepTokens)
	if err != nil {
		return userError(err)
	}
	verb := "created"
	if !created {
		verb = "password reset for"
		if *keepTokens {
			verb = "sessions ended, API tokens kept, password reset for"
		} else {
			verb = "sessions ended, API tokens revoked, password reset for"
		}
	}
	fmt.Fprintf(stdout, "%s platform admin %q (id %d)\n", verb, u.Username, u.ID)
	if *password == "" {
		fmt.Fprintf(stdout, "password: %s\n", pw)
	}
	return nil
}

func cmdToken(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	if len(args) == 0 || args[0] != "create" {
		return &exitError{code: 2, msg: "usage: yingshang token create --username U --name NAME [--days N]"}
	}
	fs, resolve := flags("token create", stderr)
	username := fs.String("username", "", "the account the token acts as")
	name := fs.String("name", "", "what the token is for, e.g. 12345 hotline")
	days := fs.Int("days", 0, "expire after N days (0: no expiry)")
	a, err := parseAndOpen(ctx, fs, resolve, args[1:], stderr)
	if err != nil {
		return err
	}
	defer a.Close()
	sys := auth.WithActor(ctx, auth.System("cli"))
	id, err := a.Accounts.UserID(sys, *username)
	if err != nil {
		return userError(err)
	}
	var exp *time.Time
	if *days > 0 {
		t := a.Clock.Now().Add(time.Duration(*days) * 24 * time.Hour)
		exp = &t
	}
	raw, t, err := a.Accounts.CreateToken(sys, id, *name, exp)
	if err != nil {
		return userError(err)
	}
	fmt.Fprintf(stderr, "token %d for %s created; it is shown only this once:\n", t.ID, t.Username)
	fmt.Fprintln(stdout, raw)
	return nil
}

// listFlag collects a repeatable flag.
type listFlag []string

func (l *listFlag) String() string     { return strings.Join(*l, ",") }
func (l *listFlag) Set(v string) error { *l = append(*l, v); return nil }

func cmdAudit(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	if len(args) > 0 && args[0] == "cosign" {
		return cmdAuditCosign(ctx, args[1:], stdout, stderr)
	}
	if len(args) == 0 || args[0] != "verify" {
		return &exitError{code: 2, msg: "usage: yingshang audit verify [--state] [--checkpoint FILE|URL]... [--witness-key VKEY]...\n       yingshang audit cosign --log URL --log-key VKEY --state FILE"}
	}
	fs, resolve := flags("audit verify", stderr)
	state := fs.Bool("state", false, "also run the deep check: recompute every audited object's state and compare it with its latest event")
	var cps, witnesses listFlag
	fs.Var(&cps, "checkpoint", "a checkpoint kept outside the database (file or http(s) URL); repeatable")
	fs.Var(&witnesses, "witness-key", "verifier key of a witness that must have co-signed each --checkpoint; repeatable")
	if err := fs.Parse(args[1:]); err != nil {
		return &exitError{code: 2}
	}
	cfg, err := resolve()
	if err != nil {
		return err
	}
	a, err := open(ctx, cfg, stderr)
	if err != nil {
		return err
	}
	defer a.Close()
	// The modules' schema, and for --state their audited objects.
	if _, err := modules.Build(a); err != nil {
		return err
	}
	if err := a.CheckCurrent(ctx); err != nil {
		return err
	}
	var ext []audit.External
	for _, src := range cps {
		b, err := readSource(ctx, src)
		if err != nil {
			return userError(fmt.Errorf("checkpoint %s: %w", src, err))
		}
		x := audit.External{Source: src, Signed: b}
		for _, k := range witnesses {
			v, err := note.NewVerifier(k)
			if err != nil {
				return userError(fmt.Errorf("witness key %q: %w", k, err))
			}
			x.Witnesses = append(x.Witnesses, v)
		}
		ext = append(ext, x)
	}
	start := time.Now()
	res, err := a.Audit.Verify(ctx, ext...)
	if err != nil {
		return err
	}
	if !res.OK {
		if res.BrokenAt == 0 {
			return &exitError{code: 1, msg: "audit log BROKEN: " + res.Reason}
		}
		return &exitError{code: 1, msg: fmt.Sprintf("audit log BROKEN at event %d: %s", res.BrokenAt, res.Reason)}
	}
	fmt.Fprintf(stdout, "audit log OK: %d events in the tree (%d waiting for the sequencer), root %s; legacy chain %d events; %d checkpoints and %d outside checkpoints checked (%s)\n",
		res.Events, res.Pending, res.Head, res.ChainEvents, res.Checkpoints, res.External, time.Since(start).Round(time.Millisecond))
	if *state {
		sr, err := a.Audit.CheckState(auth.WithActor(ctx, auth.System("audit")))
		if err != nil {
			return err
		}
		for _, is := range sr.Issues {
			fmt.Fprintf(stdout, "  %s %s %s: %s\n", is.Problem, is.Kind, is.ID, is.Reason)
		}
		if !sr.OK {
			return &exitError{code: 1, msg: fmt.Sprintf("deep check: %d of %d objects differ from the audit trail", len(sr.Issues), sr.Objects)}
		}
		fmt.Fprintf(stdout, "deep check OK: %d objects of %d kinds match their latest events\n", sr.Objects, len(sr.Kinds))
	}
	return nil
}

// cmdAuditCosign makes this installation a witness of another's audit log:
// it fetches the log's checkpoint, checks it extends the one it co-signed
// last (kept in --state) with a consistency proof from the log, adds its own
// signature (this installation's audit key), saves it and prints it.
func cmdAuditCosign(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs, resolve := flags("audit cosign", stderr)
	logURL := fs.String("log", "", "base URL of the witnessed installation, e.g. https://yingshang.example.gov.cn")
	logKey := fs.String("log-key", "", "the witnessed log's verifier key (from its /public/audit page)")
	state := fs.String("state", "", "file keeping the last co-signed checkpoint (created on first use)")
	if err := fs.Parse(args); err != nil {
		return &exitError{code: 2}
	}
	if *logURL == "" || *logKey == "" || *state == "" {
		return &exitError{code: 2, msg: "usage: yingshang audit cosign --log URL --log-key VKEY --state FILE"}
	}
	cfg, err := resolve()
	if err != nil {
		return err
	}
	v, err := note.NewVerifier(*logKey)
	if err != nil {
		return userError(fmt.Errorf("log key: %w", err))
	}
	witness, err := audit.LoadOrCreateKey(cfg.DataDir, audit.Origin(cfg.BaseURL))
	if err != nil {
		return err
	}
	base := strings.TrimRight(*logURL, "/")
	signed, err := readSource(ctx, base+"/api/v1/audit/checkpoint")
	if err != nil {
		return err
	}
	last, err := os.ReadFile(*state)
	if errors.Is(err, os.ErrNotExist) {
		last, err = nil, nil
	}
	if err != nil {
		return err
	}
	proof := func(from, to int64) ([]tlog.Hash, error) {
		b, err := readSource(ctx, fmt.Sprintf("%s/api/v1/audit/proofs/consistency?from=%d&to=%d", base, from, to))
		if err != nil {
			return nil, err
		}
		var p struct {
			Hashes []string `json:"hashes"`
		}
		if err := json.Unmarshal(b, &p); err != nil {
			return nil, err
		}
		out := make([]tlog.Hash, len(p.Hashes))
		for i, h := range p.Hashes {
			raw, err := hex.DecodeString(h)
			if err != nil || len(raw) != tlog.HashSize {
				return nil, fmt.Errorf("bad hash %q in the proof", h)
			}
			copy(out[i][:], raw)
		}
		return out, nil
	}
	co, err := audit.Cosign(signed, v, last, proof, witness)
	if err != nil {
		return &exitError{code: 1, msg: "not co-signed: " + err.Error()}
	}
	if err := os.WriteFile(*state, co, 0o644); err != nil {
		return err
	}
	fmt.Fprintf(stderr, "co-signed with witness key %s\n", witness.Public)
	_, err = stdout.Write(co)
	return err
}

// readSource reads a file or fetches an http(s) URL.
func readSource(ctx context.Context, src string) ([]byte, error) {
	if !strings.HasPrefix(src, "http://") && !strings.HasPrefix(src, "https://") {
		return os.ReadFile(src)
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, src, nil)
	if err != nil {
		return nil, err
	}
	c := &http.Client{Timeout: 30 * time.Second}
	resp, err := c.Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("%s answered %s", src, resp.Status)
	}
	return io.ReadAll(io.LimitReader(resp.Body, 1<<16))
}

func cmdCalendar(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	if len(args) == 0 {
		return &exitError{code: 2, msg: "usage: yingshang calendar add|between|show|import ..."}
	}
	sub := args[0]
	fs, resolve := flags("calendar "+sub, stderr)
	from := fs.String("from", "", "start date YYYY-MM-DD")
	to := fs.String("to", "", "end date YYYY-MM-DD (between)")
	days := fs.Int("days", 0, "number of working days (add; negative counts back)")
	year := fs.Int("year", 0, "year (show)")
	a, err := parseAndOpen(ctx, fs, resolve, args[1:], stderr)
	if err != nil {
		return err
	}
	defer a.Close()
	cal, err := a.Calendar.Calendar(ctx)
	if err != nil {
		return err
	}
	date := func(name, s string) (calendar.Date, error) {
		d, err := calendar.ParseDate(s)
		if err != nil {
			return d, &exitError{code: 2, msg: fmt.Sprintf("--%s: %q is not a date (YYYY-MM-DD)", name, s)}
		}
		return d, nil
	}
	switch sub {
	case "add":
		f, err := date("from", *from)
		if err != nil {
			return err
		}
		fmt.Fprintln(stdout, cal.AddWorkdays(f, *days))
	case "between":
		f, err := date("from", *from)
		if err != nil {
			return err
		}
		t, err := date("to", *to)
		if err != nil {
			return err
		}
		fmt.Fprintln(stdout, cal.WorkdaysBetween(f, t))
	case "show":
		sys := auth.WithActor(ctx, auth.System("cli"))
		list, err := a.Calendar.List(sys, *year)
		if err != nil {
			return err
		}
		for _, d := range list {
			fmt.Fprintf(stdout, "%s\t%s\t%s\t%s\n", d.Date, d.Kind, d.Name, d.Source)
		}
	case "import":
		if fs.NArg() != 1 {
			return &exitError{code: 2, msg: "usage: yingshang calendar import FILE.json|FILE.csv"}
		}
		f, err := os.Open(fs.Arg(0))
		if err != nil {
			return err
		}
		defer f.Close()
		var list []calendar.Override
		if strings.HasSuffix(strings.ToLower(fs.Arg(0)), ".csv") {
			list, err = calendar.ParseOverridesCSV(f)
		} else {
			list, err = calendar.ParseOverrides(f)
		}
		if err != nil {
			return &exitError{code: 1, msg: fmt.Sprintf("%s: %v", fs.Arg(0), err)}
		}
		if err := a.Calendar.Import(auth.WithActor(ctx, auth.System("cli")), list); err != nil {
			return userError(err)
		}
		fmt.Fprintf(stdout, "imported %d days\n", len(list))
	default:
		return &exitError{code: 2, msg: "usage: yingshang calendar add|between|show|import ..."}
	}
	return nil
}

func cmdValidate(args []string, stdout, stderr io.Writer) error {
	if len(args) != 2 {
		return &exitError{code: 2, msg: "usage: yingshang validate uscc CODE | idcard NUMBER"}
	}
	var err error
	switch args[0] {
	case "uscc":
		err = ident.ValidateUSCC(args[1])
	case "idcard":
		err = ident.ValidateIDCard(args[1])
	default:
		return &exitError{code: 2, msg: "usage: yingshang validate uscc CODE | idcard NUMBER"}
	}
	if err != nil {
		zh, en := yserr.Texts(err)
		return &exitError{code: 1, msg: fmt.Sprintf("invalid: %s (%s)", en, zh)}
	}
	fmt.Fprintln(stdout, "valid")
	return nil
}

func cmdConfig(args []string, stdout, stderr io.Writer) error {
	fs, resolve := flags("config", stderr)
	md := fs.Bool("markdown", false, "print the table of settings as Markdown (docs/configuration.md)")
	if err := fs.Parse(args); err != nil {
		return &exitError{code: 2}
	}
	if *md {
		config.Markdown(stdout)
		return nil
	}
	cfg, err := resolve()
	if err != nil {
		return err
	}
	config.Dump(stdout, cfg)
	return nil
}

// userError turns a validation error into its bilingual text.
func userError(err error) error { return module.UserError(err) }
