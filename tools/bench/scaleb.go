package main

// Issue 17 part B: the bench subcommands of entity search, the expert draw
// (and their shared helpers). Each runs the workload (A) and its baseline
// (B) interleaved, A B A B, and prints machine, date, load, sizes,
// timings and the ratio.

import (
	"context"
	"flag"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"

	"yingshang/internal/app"
	"yingshang/internal/audit"
	"yingshang/internal/clock"
	"yingshang/internal/db"
	"yingshang/internal/entity"
	"yingshang/internal/jobs"
	"yingshang/internal/secret"
)

// benchKey is a fixed key (32 bytes of 0x42), so that a kept database's
// personal data stays readable from run to run. Benchmark data only.
const benchKey = "k1:QkJCQkJCQkJCQkJCQkJCQkJCQkJCQkJCQkJCQkJCQkI="

// keptServices is services() with benchKey.
func keptServices(d *db.DB) (*entity.Service, error) {
	keys, err := secret.Parse(benchKey)
	if err != nil {
		return nil, err
	}
	c := clock.Real{}
	return &entity.Service{DB: d, Audit: &audit.Log{DB: d, Clock: c}, Keys: keys, Clock: c}, nil
}

// scalebCommands are this file set's subcommands: name -> run(args).
var scalebCommands = map[string]func(ctx context.Context, args []string) error{}

// runScaleb runs one of scalebCommands; ok is false for other names.
func runScaleb(name string, args []string) (ok bool, err error) {
	fn, ok := scalebCommands[name]
	if !ok {
		return false, nil
	}
	return true, fn(context.Background(), args)
}

// scalebHeader prints the run's circumstances: machine, date, load.
func scalebHeader(what string) {
	load, _ := os.ReadFile("/proc/loadavg")
	model := ""
	if b, err := os.ReadFile("/proc/cpuinfo"); err == nil {
		for _, l := range strings.Split(string(b), "\n") {
			if strings.HasPrefix(l, "model name") {
				_, model, _ = strings.Cut(l, ": ")
				break
			}
		}
	}
	fmt.Printf("# %s\n# machine: %d CPUs (%s), %s/%s, %s\n# date: %s\n# load average: %s\n", what, runtime.NumCPU(), model,
		runtime.GOOS, runtime.GOARCH, runtime.Version(), time.Now().UTC().Format(time.RFC3339), strings.TrimSpace(string(load)))
}

// keptDB opens the database a benchmark keeps between runs (a large
// load is slow): a SQLite file path or a PostgreSQL database name on the
// server of YINGSHANG_TEST_POSTGRES, created when missing, migrated. An
// empty keep is a fresh database dropped afterwards (freshDB).
func keptDB(ctx context.Context, e db.Dialect, keep string) (*db.DB, func(), error) {
	if keep == "" {
		return freshDB(ctx, e)
	}
	var d *db.DB
	var err error
	switch e {
	case db.SQLite:
		if err := os.MkdirAll(filepath.Dir(keep), 0o700); err != nil {
			return nil, nil, err
		}
		d, err = db.Open(ctx, "sqlite:"+keep, "")
	case db.Postgres:
		server := os.Getenv("YINGSHANG_TEST_POSTGRES")
		if server == "" {
			server = "postgres://postgres@127.0.0.1:5432/test?sslmode=disable"
		}
		admin, err := pgx.Connect(ctx, server)
		if err != nil {
			return nil, nil, err
		}
		var exists bool
		if err := admin.QueryRow(ctx, "SELECT EXISTS (SELECT 1 FROM pg_database WHERE datname = $1)", keep).Scan(&exists); err != nil {
			return nil, nil, err
		}
		if !exists {
			if _, err := admin.Exec(ctx, "CREATE DATABASE "+pgx.Identifier{keep}.Sanitize()); err != nil {
				return nil, nil, err
			}
		}
		admin.Close(ctx)
		u, _ := url.Parse(server)
		u.Path = "/" + keep
		d, err = db.Open(ctx, u.String(), "")
		if err != nil {
			return nil, nil, err
		}
	default:
		return nil, nil, fmt.Errorf("engine must be sqlite or postgres")
	}
	if err != nil {
		return nil, nil, err
	}
	if _, err := d.Migrate(ctx, time.Now(), app.CoreSchema()); err != nil {
		d.Close()
		return nil, nil, err
	}
	if err := jobs.Migrate(ctx, d); err != nil {
		d.Close()
		return nil, nil, err
	}
	return d, d.Close, nil
}

// commonFlags are the flags of every scaleb subcommand.
type commonFlags struct {
	engine string
	keep   string
}

func (c *commonFlags) register(fs *flag.FlagSet) {
	fs.StringVar(&c.engine, "engine", "sqlite", "sqlite or postgres")
	fs.StringVar(&c.keep, "keep", "", "keep the database between runs: a SQLite file path or a PostgreSQL database name")
}

func ms(d time.Duration) string { return fmt.Sprintf("%.2f ms", float64(d.Microseconds())/1000) }
