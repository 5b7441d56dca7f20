// Package app wires Yingshang together: configuration -> clock, database,
// keys, job queue, audit log -> services. The command line, the server
// and the end-to-end tests all start from Open, so they always run the
// same platform.
package app

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"os"
	"time"

	"yingshang/internal/account"
	"yingshang/internal/audit"
	"yingshang/internal/clock"
	"yingshang/internal/config"
	"yingshang/internal/dashboard"
	"yingshang/internal/db"
	"yingshang/internal/entity"
	"yingshang/internal/filestore"
	"yingshang/internal/importkit"
	"yingshang/internal/jobs"
	"yingshang/internal/notify"
	"yingshang/internal/secret"
	"yingshang/internal/workcal"
)

// App is the assembled platform.
type App struct {
	Cfg     *config.Config
	Log     *slog.Logger
	Clock   clock.Clock
	DB      *db.DB
	Keys    *secret.Keyring
	Jobs    *jobs.Queue
	Audit   *audit.Log
	Files   *filestore.Store
	Version string

	Calendar *workcal.Service
	Accounts *account.Service
	Entities *entity.Service
	Notify   *notify.Service
	Dash     *dashboard.Service

	// Schema is the migration sources of the running platform: the
	// core's, then each switched-on module's (added when the modules are
	// built). Migrate and CheckCurrent work on it.
	Schema []db.Source
}

// CoreSchema is the core packages' migrations, in the order they are listed
// on the status page (the runner orders steps by their requirements).
func CoreSchema() []db.Source {
	return []db.Source{account.Schema, entity.Schema, importkit.Schema, workcal.Schema, audit.Schema, notify.Schema, filestore.Schema}
}

// NewLogger returns the structured logger the configuration asks for.
func NewLogger(cfg *config.Config, w io.Writer) *slog.Logger {
	var lvl slog.Level
	_ = lvl.UnmarshalText([]byte(cfg.LogLevel))
	opts := &slog.HandlerOptions{Level: lvl}
	if cfg.LogFormat == "text" {
		return slog.New(slog.NewTextHandler(w, opts))
	}
	return slog.New(slog.NewJSONHandler(w, opts))
}

// Clock returns the clock the configuration asks for: the system clock, or
// (outside production) the pinned or shifted fake clock.
func Clock(cfg *config.Config) (clock.Clock, error) {
	if cfg.FakeNow == "" {
		return clock.Real{}, nil
	}
	if cfg.Env == "production" {
		return nil, fmt.Errorf("YINGSHANG_FAKE_NOW is refused when YINGSHANG_ENV=production")
	}
	return clock.Parse(cfg.FakeNow)
}

// CheckProduction refuses settings meant for development only when
// YINGSHANG_ENV=production: the log SMS driver would put sign-in and holder
// codes in a file on the server instead of on anyone's phone.
func CheckProduction(cfg *config.Config) error {
	if cfg.Env == "production" && cfg.SMSDriver != "http" {
		return fmt.Errorf("YINGSHANG_SMS_DRIVER=%s is refused when YINGSHANG_ENV=production: use http", cfg.SMSDriver)
	}
	return nil
}

// Open connects to the database and builds the services. It does not
// migrate: call Migrate (serve and migrate do).
func Open(ctx context.Context, cfg *config.Config, log *slog.Logger, version string) (*App, error) {
	if log == nil {
		log = NewLogger(cfg, os.Stderr)
	}
	clk, err := Clock(cfg)
	if err != nil {
		return nil, err
	}
	if err := CheckProduction(cfg); err != nil {
		return nil, err
	}
	d, err := db.Open(ctx, cfg.DatabaseURL, cfg.DataDir)
	if err != nil {
		return nil, err
	}
	keys, err := secret.LoadOrCreate(cfg.EncryptionKey, cfg.DataDir)
	if err != nil {
		d.Close()
		return nil, fmt.Errorf("encryption keys: %w", err)
	}
	return Assemble(cfg, log, version, clk, d, keys)
}

// Assemble builds the services on an open database (tests use it with a
// fake clock and a fresh database).
func Assemble(cfg *config.Config, log *slog.Logger, version string, clk clock.Clock, d *db.DB, keys *secret.Keyring) (*App, error) {
	a := &App{Cfg: cfg, Log: log, Clock: clk, DB: d, Keys: keys, Version: version, Schema: CoreSchema()}
	key, err := audit.LoadOrCreateKey(cfg.DataDir, audit.Origin(cfg.BaseURL))
	if err != nil {
		return nil, fmt.Errorf("audit signing key: %w", err)
	}
	a.Audit = &audit.Log{DB: d, Clock: clk, Signer: key, States: &audit.States{}}
	a.Files = filestore.New(d, keys, clk.Now)
	a.Jobs = jobs.New(d, log.With("component", "jobs"))
	a.Jobs.Workers, a.Jobs.FetchInterval = cfg.JobWorkers, cfg.JobFetchInterval
	a.Calendar = &workcal.Service{DB: d, Audit: a.Audit, Clock: clk}
	a.Accounts = &account.Service{DB: d, Audit: a.Audit, Keys: keys, Clock: clk,
		MaxFailures: cfg.LoginMaxFailures, Lockout: cfg.LoginLockout, LockFailures: cfg.LoginLockFailures}
	a.Entities = &entity.Service{DB: d, Audit: a.Audit, Keys: keys, Clock: clk}
	a.Notify = &notify.Service{DB: d, Audit: a.Audit, Keys: keys, Clock: clk, Jobs: a.Jobs, Log: log.With("component", "notify"),
		SMS: smsSender(cfg, log), Mail: mailer(cfg), HTTP: noRedirects(), BaseURL: cfg.BaseURL,
		ResendUnreadAfter: time.Duration(cfg.ResendUnreadHours) * time.Hour}
	a.Notify.Users = a.Accounts
	a.Notify.Register(a.Jobs)
	a.Accounts.Notify = a.Notify
	a.registerMaintenance()
	a.registerSequencer()
	a.registerStates()
	a.Dash = &dashboard.Service{Entities: a.Entities, Accounts: a.Accounts, Audit: a.Audit, Notify: a.Notify}
	return a, nil
}

func smsSender(cfg *config.Config, log *slog.Logger) notify.SMSSender {
	if cfg.SMSDriver == "http" {
		return &notify.HTTPSMS{URL: cfg.SMSHTTPURL, Token: cfg.SMSToken, Client: noRedirects()}
	}
	return &notify.LogSMS{Path: cfg.SMSLogFile, Log: log.With("component", "sms")}
}

// noRedirects is the client for gateways and webhooks: a redirect is not a
// delivery, so it is reported as the response it is.
func noRedirects() *http.Client {
	return &http.Client{Timeout: 15 * time.Second, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
}

func mailer(cfg *config.Config) notify.Mailer {
	if cfg.SMTPHost == "" {
		return nil
	}
	return &notify.SMTPMailer{Host: cfg.SMTPHost, Port: cfg.SMTPPort, Username: cfg.SMTPUser, Password: cfg.SMTPPassword, From: cfg.SMTPFrom}
}

// CheckCurrent returns an error unless the schema of the core and of every
// switched-on module is exactly the binary's.
func (a *App) CheckCurrent(ctx context.Context) error { return a.DB.CheckCurrent(ctx, a.Schema) }

// Migrate brings the schema up to date (the platform's and the job
// queue's) and loads the official calendar.
func (a *App) Migrate(ctx context.Context) ([]string, error) {
	applied, err := a.DB.Migrate(ctx, a.Clock.Now(), a.Schema)
	if err != nil {
		return applied, err
	}
	if err := jobs.Migrate(ctx, a.DB); err != nil {
		return applied, err
	}
	if _, err := a.Calendar.LoadOfficial(ctx); err != nil {
		return applied, err
	}
	// The name search index (SQLite FTS5 or PostgreSQL pg_trgm) is not a
	// migration: the engines share no syntax for it.
	how, err := a.Entities.EnsureSearchIndex(ctx)
	if err != nil {
		return applied, err
	}
	a.Log.Debug("entity name search", "index", how)
	return applied, nil
}

// Close releases the database.
func (a *App) Close() { a.DB.Close() }
