package db

import (
	"context"
	"fmt"
	"io/fs"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"
)

// Source is the schema of one owner: a core package (account, entity,
// notify, ...) or a business module. Its migrations are NNNN_name.sql files
// at the root of FS, versioned 1..N per source, so two modules never
// collide on numbers. The tables a source's migrations create belong to
// the package that holds them; no other package's SQL names them.
//
// A migration file may start with header comments:
//
//	-- requires: account 2, entity 1   (apply only after these steps: foreign keys)
//	-- legacy: 7                       (this step was global migration 0007
//	                                    before per-source versions)
//	-- engine: postgres                (run the statements on this engine only;
//	                                    the other records the step as applied)
type Source struct {
	Name string
	FS   fs.FS
}

// Step is one migration of a source.
type Step struct {
	Source   string
	Version  int
	Name     string
	SQL      string
	Requires []StepRef
	Legacy   int // the global version that applied this step before per-source versions (0: none)
	// Engine, when set, is the only engine whose database runs the
	// step's statements (a change that concerns one engine's mechanics,
	// such as PostgreSQL's row locks); on the other the step is recorded
	// as applied with nothing run, so versions stay 1..N on both.
	Engine Dialect
}

// StepRef names a step: source and version.
type StepRef struct {
	Source  string
	Version int
}

func (r StepRef) String() string { return fmt.Sprintf("%s %d", r.Source, r.Version) }

// ID is how a step is reported: "appeal/0001_appeal".
func (s Step) ID() string { return fmt.Sprintf("%s/%04d_%s", s.Source, s.Version, s.Name) }

// LegacySentinel is written to the pre-module schema_migrations table once a
// database uses per-source versions, so that an older binary refuses to run
// on it ("schema version 10000 is newer than this binary's").
const LegacySentinel = 10000

var (
	regMu      sync.Mutex
	registered = map[string]Source{}
)

// Register records a source so that test databases (internal/db/dbtest)
// create its tables. Each migrations package registers itself in init;
// production code passes its sources explicitly to Migrate.
func Register(s Source) Source {
	regMu.Lock()
	defer regMu.Unlock()
	if prev, ok := registered[s.Name]; ok && prev.FS != s.FS {
		panic("db: two migration sources named " + s.Name)
	}
	registered[s.Name] = s
	return s
}

// Registered lists every registered source, by name.
func Registered() []Source {
	regMu.Lock()
	defer regMu.Unlock()
	out := make([]Source, 0, len(registered))
	for _, s := range registered {
		out = append(out, s)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out
}

// Steps reads a source's migrations in version order. Versions must run
// 1..N without gaps.
func (s Source) Steps() ([]Step, error) {
	entries, err := fs.ReadDir(s.FS, ".")
	if err != nil {
		return nil, fmt.Errorf("migrations of %s: %w", s.Name, err)
	}
	var steps []Step
	for _, e := range entries {
		name := e.Name()
		if e.IsDir() || !strings.HasSuffix(name, ".sql") {
			continue
		}
		num, rest, ok := strings.Cut(strings.TrimSuffix(name, ".sql"), "_")
		v, err := strconv.Atoi(num)
		if !ok || err != nil {
			return nil, fmt.Errorf("migration %s/%s: name must be NNNN_name.sql", s.Name, name)
		}
		b, err := fs.ReadFile(s.FS, name)
		if err != nil {
			return nil, err
		}
		st := Step{Source: s.Name, Version: v, Name: rest, SQL: string(b)}
		if err := st.parseHeaders(); err != nil {
			return nil, fmt.Errorf("migration %s/%s: %w", s.Name, name, err)
		}
		steps = append(steps, st)
	}
	sort.Slice(steps, func(i, j int) bool { return steps[i].Version < steps[j].Version })
	for i, st := range steps {
		if st.Version != i+1 {
			return nil, fmt.Errorf("migrations of %s: versions must be 1..N without gaps; found %d at position %d", s.Name, st.Version, i+1)
		}
	}
	return steps, nil
}

// parseHeaders reads the "-- requires:", "-- legacy:" and "-- engine:"
// comments.
func (s *Step) parseHeaders() error {
	for _, line := range strings.Split(s.SQL, "\n") {
		line = strings.TrimSpace(line)
		if !strings.HasPrefix(line, "--") {
			if line == "" {
				continue
			}
			break // headers end at the first statement
		}
		body := strings.TrimSpace(strings.TrimPrefix(line, "--"))
		switch {
		case strings.HasPrefix(body, "requires:"):
			for _, part := range strings.Split(strings.TrimPrefix(body, "requires:"), ",") {
				f := strings.Fields(part)
				if len(f) != 2 {
					return fmt.Errorf("requires: %q is not \"SOURCE VERSION\"", strings.TrimSpace(part))
				}
				v, err := strconv.Atoi(f[1])
				if err != nil || v < 1 {
					return fmt.Errorf("requires: %q is not \"SOURCE VERSION\"", strings.TrimSpace(part))
				}
				s.Requires = append(s.Requires, StepRef{Source: f[0], Version: v})
			}
		case strings.HasPrefix(body, "engine:"):
			switch e := Dialect(strings.TrimSpace(strings.TrimPrefix(body, "engine:"))); e {
			case Postgres, SQLite:
				s.Engine = e
			default:
				return fmt.Errorf("engine: %q is not %q or %q", e, Postgres, SQLite)
			}
		case strings.HasPrefix(body, "legacy:"):
			v, err := strconv.Atoi(strings.TrimSpace(strings.TrimPrefix(body, "legacy:")))
			if err != nil || v < 1 {
				return fmt.Errorf("legacy: %q is not a version", body)
			}
			s.Legacy = v
		}
	}
	return nil
}

// Rewrite replaces the dialect tokens of a migration.
func (d Dialect) Rewrite(sql string) string {
	var r *strings.Replacer
	switch d {
	case Postgres:
		r = strings.NewReplacer("{{ID}}", "BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY",
			"{{TS}}", "TIMESTAMPTZ", "{{BLOB}}", "BYTEA")
	default:
		r = strings.NewReplacer("{{ID}}", "INTEGER PRIMARY KEY", "{{TS}}", "TIMESTAMP", "{{BLOB}}", "BLOB")
	}
	return r.Replace(sql)
}

// Plan orders the steps of sources so that every step comes after its
// predecessor in the same source and after the steps it requires. Sources
// keep the order given where nothing else decides. A requirement on a
// source that is not in the list, or a cycle, is an error naming the step.
func Plan(sources []Source) ([]Step, error) {
	pending := make([][]Step, len(sources))
	known := map[string]int{}
	for i, s := range sources {
		steps, err := s.Steps()
		if err != nil {
			return nil, err
		}
		if _, dup := known[s.Name]; dup {
			return nil, fmt.Errorf("two migration sources named %s", s.Name)
		}
		known[s.Name] = len(steps)
		pending[i] = steps
	}
	for _, steps := range pending {
		for _, st := range steps {
			for _, r := range st.Requires {
				n, ok := known[r.Source]
				if !ok {
					return nil, fmt.Errorf("migration %s requires %s, whose migrations are not part of this schema (is the module switched off?)", st.ID(), r)
				}
				if r.Version > n {
					return nil, fmt.Errorf("migration %s requires %s, which does not exist", st.ID(), r)
				}
			}
		}
	}
	done := map[string]int{}
	var out []Step
	for {
		progress, left := false, false
		for i := range pending {
			for len(pending[i]) > 0 {
				st := pending[i][0]
				ready := true
				for _, r := range st.Requires {
					if done[r.Source] < r.Version {
						ready = false
					}
				}
				if !ready {
					break
				}
				out = append(out, st)
				done[st.Source] = st.Version
				pending[i] = pending[i][1:]
				progress = true
			}
			if len(pending[i]) > 0 {
				left = true
			}
		}
		if !left {
			return out, nil
		}
		if !progress {
			var stuck []string
			for i := range pending {
				if len(pending[i]) > 0 {
					stuck = append(stuck, pending[i][0].ID())
				}
			}
			return nil, fmt.Errorf("migrations wait on each other (a requires cycle): %s", strings.Join(stuck, ", "))
		}
	}
}

// Versions reports the applied version of every source in the database
// (empty when the database is new).
func (d *DB) Versions(ctx context.Context) (map[string]int, error) {
	out := map[string]int{}
	ok, err := d.tableExists(ctx, "schema_versions")
	if err != nil || !ok {
		return out, err
	}
	rows, err := d.W(ctx).Query(ctx, "SELECT component, MAX(version) FROM schema_versions GROUP BY component")
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	for rows.Next() {
		var c string
		var v int
		if err := rows.Scan(&c, &v); err != nil {
			return nil, err
		}
		out[c] = v
	}
	return out, rows.Err()
}

func (d *DB) tableExists(ctx context.Context, name string) (bool, error) {
	var q string
	if d.Dialect == Postgres {
		q = "SELECT EXISTS (SELECT 1 FROM information_schema.tables WHERE table_schema = current_schema() AND table_name = $1)"
	} else {
		q = "SELECT EXISTS (SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = $1)"
	}
	var exists bool
	err := d.W(ctx).QueryRow(ctx, q, name).Scan(&exists)
	return exists, err
}

// ErrSchemaTooNew is returned when the database was migrated by a newer binary.
type ErrSchemaTooNew struct {
	Source   string
	DB       int
	Binary   int
	Upgraded bool // the database uses a binary's pre-module numbering that this binary does not know
}

func (e *ErrSchemaTooNew) Error() string {
	if e.Source == "" {
		return fmt.Sprintf("database schema version %d is newer than this binary's %d: upgrade the binary (refusing to run on a schema it does not know)", e.DB, e.Binary)
	}
	return fmt.Sprintf("database schema of %s is at version %d, newer than this binary's %d: upgrade the binary (refusing to run on a schema it does not know)", e.Source, e.DB, e.Binary)
}

// Migrate applies the pending migrations of sources, each step in its own
// transaction together with its bookkeeping row, and returns the steps
// applied. A step that fails is rolled back and stops the run: the steps
// already applied (of this source and the others) stay, and so does their
// bookkeeping. It refuses a database whose schema is newer than the
// binary's for any source it knows.
//
// A database made before per-source versions (one global sequence in
// schema_migrations) is upgraded in place: every step whose "-- legacy: N"
// header is at or below the global version is recorded as applied.
func (d *DB) Migrate(ctx context.Context, now time.Time, sources []Source) ([]string, error) {
	plan, err := Plan(sources)
	if err != nil {
		return nil, err
	}
	// The conversion from the global sequence covers every source this
	// binary knows, switched on or not, so that a module switched on
	// later finds its tables recorded.
	known := map[string]bool{}
	var legacySteps []Step
	for _, s := range append(append([]Source{}, sources...), Registered()...) {
		if known[s.Name] {
			continue
		}
		known[s.Name] = true
		steps, err := s.Steps()
		if err != nil {
			return nil, err
		}
		legacySteps = append(legacySteps, steps...)
	}
	if err := d.ensureBookkeeping(ctx, now, legacySteps); err != nil {
		return nil, err
	}
	cur, err := d.Versions(ctx)
	if err != nil {
		return nil, err
	}
	if err := checkNotNewer(cur, plan); err != nil {
		return nil, err
	}
	var applied []string
	for _, st := range plan {
		if cur[st.Source] >= st.Version {
			continue
		}
		err := d.WithTx(ctx, func(ctx context.Context) error {
			if d.Dialect == Postgres {
				// Two instances starting at once: the second waits, then
				// finds the step applied.
				if _, err := d.Q(ctx).Exec(ctx, "SELECT pg_advisory_xact_lock(7411)"); err != nil {
					return err
				}
			}
			var done int
			if err := d.Q(ctx).QueryRow(ctx, "SELECT COUNT(*) FROM schema_versions WHERE component = $1 AND version = $2", st.Source, st.Version).Scan(&done); err != nil {
				return err
			}
			if done > 0 {
				return nil
			}
			if hasStatements(st.SQL) && (st.Engine == "" || st.Engine == d.Dialect) {
				if _, err := d.Q(ctx).Exec(ctx, d.Dialect.Rewrite(st.SQL)); err != nil {
					return err
				}
			}
			_, err := d.Q(ctx).Exec(ctx, "INSERT INTO schema_versions (component, version, name, applied_at) VALUES ($1, $2, $3, $4)", st.Source, st.Version, st.Name, now)
			return err
		})
		if err != nil {
			return applied, fmt.Errorf("migration %s: %w", st.ID(), err)
		}
		applied = append(applied, st.ID())
	}
	return applied, nil
}

// ensureBookkeeping creates schema_versions and, for a database made by a
// binary with one global migration sequence, records the steps that
// sequence applied.
func (d *DB) ensureBookkeeping(ctx context.Context, now time.Time, steps []Step) error {
	return d.WithTx(ctx, func(ctx context.Context) error {
		if d.Dialect == Postgres {
			if _, err := d.Q(ctx).Exec(ctx, "SELECT pg_advisory_xact_lock(7411)"); err != nil {
				return err
			}
		}
		if _, err := d.Q(ctx).Exec(ctx, d.Dialect.Rewrite(`CREATE TABLE IF NOT EXISTS schema_versions (
			component TEXT NOT NULL, version INTEGER NOT NULL, name TEXT NOT NULL, applied_at {{TS}} NOT NULL,
			PRIMARY KEY (component, version))`)); err != nil {
			return fmt.Errorf("create schema_versions: %w", err)
		}
		if _, err := d.Q(ctx).Exec(ctx, d.Dialect.Rewrite(`CREATE TABLE IF NOT EXISTS schema_migrations (
			version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at {{TS}} NOT NULL)`)); err != nil {
			return fmt.Errorf("create schema_migrations: %w", err)
		}
		if _, err := d.Q(ctx).Exec(ctx, changeGensDDL); err != nil {
			return fmt.Errorf("create change_gens: %w", err)
		}
		var legacy int
		if err := d.Q(ctx).QueryRow(ctx, "SELECT COALESCE(MAX(version), 0) FROM schema_migrations WHERE version < $1", LegacySentinel).Scan(&legacy); err != nil {
			return err
		}
		var sentinel int
		if err := d.Q(ctx).QueryRow(ctx, "SELECT COUNT(*) FROM schema_migrations WHERE version >= $1", LegacySentinel).Scan(&sentinel); err != nil {
			return err
		}
		if sentinel > 0 {
			return nil // converted (or created) by a binary with per-source versions
		}
		if legacy > 0 {
			// A database of the global-sequence era: its steps are in
			// the plan with their legacy numbers.
			for _, st := range steps {
				if st.Legacy == 0 || st.Legacy > legacy {
					continue
				}
				if _, err := d.Q(ctx).Exec(ctx, "INSERT INTO schema_versions (component, version, name, applied_at) VALUES ($1, $2, $3, $4) ON CONFLICT DO NOTHING",
					st.Source, st.Version, st.Name, now); err != nil {
					return err
				}
			}
		}
		_, err := d.Q(ctx).Exec(ctx, "INSERT INTO schema_migrations (version, name, applied_at) VALUES ($1, $2, $3)",
			LegacySentinel, "per-source versions in schema_versions", now)
		return err
	})
}

func checkNotNewer(cur map[string]int, plan []Step) error {
	latest := map[string]int{}
	for _, st := range plan {
		latest[st.Source] = st.Version
	}
	names := make([]string, 0, len(latest))
	for n := range latest {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		if cur[n] > latest[n] {
			return &ErrSchemaTooNew{Source: n, DB: cur[n], Binary: latest[n]}
		}
	}
	return nil
}

// CheckCurrent returns an error unless every source's schema is exactly the
// binary's. Sources in the database that the list does not name (a module
// switched off) are left alone: their data stays for when they are on again.
func (d *DB) CheckCurrent(ctx context.Context, sources []Source) error {
	plan, err := Plan(sources)
	if err != nil {
		return err
	}
	cur, err := d.Versions(ctx)
	if err != nil {
		return err
	}
	if err := checkNotNewer(cur, plan); err != nil {
		return err
	}
	var behind []string
	latest := map[string]int{}
	for _, st := range plan {
		latest[st.Source] = st.Version
	}
	for _, s := range sources {
		if cur[s.Name] < latest[s.Name] {
			behind = append(behind, fmt.Sprintf("%s %d < %d", s.Name, cur[s.Name], latest[s.Name]))
		}
	}
	if len(behind) > 0 {
		return fmt.Errorf("database schema is behind the binary's (%s): run `yingshang migrate`", strings.Join(behind, ", "))
	}
	return nil
}

// hasStatements reports whether sql has anything but comments and blanks
// (a reserved, still-empty migration is recorded as applied without running).
func hasStatements(sql string) bool {
	for _, line := range strings.Split(sql, "\n") {
		line = strings.TrimSpace(line)
		if line != "" && !strings.HasPrefix(line, "--") {
			return true
		}
	}
	return false
}
