// Package config declares every setting of Yingshang in one table.
//
// A setting can come from a command-line flag, from a YINGSHANG_* environment
// variable, or from a file named by the variable with a _FILE suffix (for
// secrets mounted by systemd or a container runtime). Flags win over the
// environment, which wins over the default. The result is a plain Config
// struct that is passed down explicitly; there is no global.
package config

import (
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"time"
)

// Config holds the resolved settings.
type Config struct {
	Addr          string
	DataDir       string
	DatabaseURL   string // empty: SQLite at DataDir/yingshang.db
	Env           string // development | production
	FakeNow       string
	BaseURL       string
	EncryptionKey string // base64 of 32 bytes, optionally "id:base64"; several separated by commas, first is current
	SecureCookies string // auto | true | false
	UploadLimit   int64
	LogFormat     string // json | text
	LogLevel      string

	LoginMaxFailures  int           // failures of one account from one address before each further try waits
	LoginLockout      time.Duration // the longest wait between tries, and the length of an account lock
	LoginLockFailures int           // failures of one account from all addresses in a row before it is locked (0: never)
	PublicRateLimit   int           // requests per minute per client on public endpoints (pages and JSON)
	TrustProxy        bool          // take the client address from X-Forwarded-For / X-Real-IP
	MetricsToken      string        // bearer token for /metrics; empty: loopback callers only
	DebugAddr         string        // net/http/pprof listener HOST:PORT; empty: off

	// Job queue (River): workers per process and how often an idle
	// process looks for new jobs; 0 takes the engine's default
	// (jobs.Defaults).
	JobWorkers       int
	JobFetchInterval time.Duration

	DrawCentreDept string // code of the trading centre's department (owns pools, rooms, witnesses)

	SMSDriver  string // log | http
	SMSLogFile string
	SMSHTTPURL string
	SMSToken   string

	SMTPHost     string
	SMTPPort     int
	SMTPUser     string
	SMTPPassword string
	SMTPFrom     string

	ResendUnreadHours int

	// Tendering (module bideval): stricter minimum days from the tender
	// notice to the bid deadline per procedure ("tender=25,gov_open=20"; the
	// legal minimums always apply) and the candidates' publicity in days.
	TenderMinDays          string
	CandidatePublicityDays int

	OIDCIssuer       string
	OIDCClientID     string
	OIDCClientSecret string
	OIDCRedirectURL  string

	// Modules is the switched-on business modules: "all" or a
	// comma-separated list of names (internal/modules.All).
	Modules string
	// Module holds the settings that modules declare (module.Info.Settings),
	// by option name.
	Module map[string]string
}

// Setting returns a module setting's value (its default when unset).
func (c *Config) Setting(name string) string {
	if v, ok := c.Module[name]; ok {
		return v
	}
	for _, o := range Options {
		if o.Name == name {
			return o.Default
		}
	}
	return ""
}

// Add appends module settings to the table. Their values land in
// Config.Module; check, when set, validates a value. Call it from an init
// function (internal/modules does, for every module's Info.Settings).
func Add(opts ...Option) {
	for _, o := range opts {
		for _, e := range Options {
			if e.Name == o.Name {
				panic("config: two settings named " + o.Name)
			}
		}
		name, check := o.Name, o.Check
		o.set = func(c *Config, v string) error {
			if check != nil {
				if err := check(v); err != nil {
					return err
				}
			}
			if c.Module == nil {
				c.Module = map[string]string{}
			}
			c.Module[name] = v
			return nil
		}
		Options = append(Options, o)
	}
}

// Option describes one setting.
type Option struct {
	Name    string // flag name; the variable is YINGSHANG_ + upper snake case
	Default string
	Usage   string
	Secret  bool
	// Check validates a module setting's value (settings added with Add).
	Check func(v string) error
	set   func(c *Config, v string) error
}

// Env returns the environment variable name of the option.
func (o Option) Env() string {
	return "YINGSHANG_" + strings.ToUpper(strings.ReplaceAll(o.Name, "-", "_"))
}

func str(p func(*Config) *string) func(*Config, string) error {
	return func(c *Config, v string) error { *p(c) = v; return nil }
}

func integer(p func(*Config) *int) func(*Config, string) error {
	return func(c *Config, v string) error {
		n, err := strconv.Atoi(v)
		if err != nil {
			return fmt.Errorf("not a whole number: %q", v)
		}
		*p(c) = n
		return nil
	}
}

func oneOf(p func(*Config) *string, allowed ...string) func(*Config, string) error {
	return func(c *Config, v string) error {
		for _, a := range allowed {
			if v == a {
				*p(c) = v
				return nil
			}
		}
		return fmt.Errorf("%q is not one of %s", v, strings.Join(allowed, ", "))
	}
}

// Options is the table of every setting.
var Options = []Option{
	{Name: "modules", Default: "all", Usage: "the business modules switched on: all, or a comma-separated list such as appeal,license (a module's data stays when it is off)", set: str(func(c *Config) *string { return &c.Modules })},
	{Name: "addr", Default: ":8080", Usage: "HTTP listen address HOST:PORT", set: str(func(c *Config) *string { return &c.Addr })},
	{Name: "data-dir", Default: "./data", Usage: "directory for the SQLite database, uploads and generated keys", set: str(func(c *Config) *string { return &c.DataDir })},
	{Name: "database-url", Default: "", Usage: "postgres://... to use PostgreSQL; empty for the embedded SQLite database in the data directory", Secret: true, set: str(func(c *Config) *string { return &c.DatabaseURL })},
	{Name: "env", Default: "development", Usage: "development or production (production refuses the fake clock and requires an encryption key)", set: oneOf(func(c *Config) *string { return &c.Env }, "development", "production")},
	{Name: "fake-now", Default: "", Usage: "non-production only: pin the clock (2026-12-01T09:00:00+08:00) or shift it (+72h, +30d)", set: str(func(c *Config) *string { return &c.FakeNow })},
	{Name: "base-url", Default: "", Usage: "public URL of the site, used in QR codes and messages (default http://localhost:PORT)", set: str(func(c *Config) *string { return &c.BaseURL })},
	{Name: "encryption-key", Default: "", Usage: "keys for personal data at rest: id:base64(32 bytes), comma-separated, the first encrypts; generated into the data directory when empty (development)", Secret: true, set: str(func(c *Config) *string { return &c.EncryptionKey })},
	{Name: "secure-cookies", Default: "auto", Usage: "auto (Secure when the request came over TLS or X-Forwarded-Proto https), true or false", set: oneOf(func(c *Config) *string { return &c.SecureCookies }, "auto", "true", "false")},
	{Name: "upload-limit", Default: "20971520", Usage: "largest upload in bytes (default 20 MiB)", set: func(c *Config, v string) error {
		n, err := strconv.ParseInt(v, 10, 64)
		if err != nil || n <= 0 {
			return fmt.Errorf("not a positive number of bytes: %q", v)
		}
		c.UploadLimit = n
		return nil
	}},
	{Name: "log-format", Default: "json", Usage: "json or text", set: oneOf(func(c *Config) *string { return &c.LogFormat }, "json", "text")},
	{Name: "log-level", Default: "info", Usage: "debug, info, warn or error", set: oneOf(func(c *Config) *string { return &c.LogLevel }, "debug", "info", "warn", "error")},
	{Name: "login-max-failures", Default: "5", Usage: "failed sign-ins of one account from one client address before each further try must wait (1s, doubling up to login-lockout)", set: integer(func(c *Config) *int { return &c.LoginMaxFailures })},
	{Name: "login-lock-failures", Default: "50", Usage: "failed sign-ins of one account in a row, from all addresses, before the account is locked for login-lockout and its holder is told (0: never lock)", set: integer(func(c *Config) *int { return &c.LoginLockFailures })},
	{Name: "login-lockout", Default: "15m", Usage: "the longest wait between sign-in tries, and how long a locked account stays locked", set: func(c *Config, v string) error {
		d, err := time.ParseDuration(v)
		if err != nil {
			return err
		}
		c.LoginLockout = d
		return nil
	}},
	{Name: "public-rate-limit", Default: "60", Usage: "requests per minute per client address on public pages and public JSON endpoints (429 with Retry-After beyond)", set: integer(func(c *Config) *int { return &c.PublicRateLimit })},
	{Name: "metrics-token", Default: "", Usage: "bearer token that lets a scraper read /metrics from any address; empty: /metrics answers loopback callers only", Secret: true, set: str(func(c *Config) *string { return &c.MetricsToken })},
	{Name: "debug-addr", Default: "", Usage: "address HOST:PORT of a separate listener serving net/http/pprof (/debug/pprof/) to the loopback address or the metrics token; empty: off. Keep it on 127.0.0.1", set: str(func(c *Config) *string { return &c.DebugAddr })},
	{Name: "job-workers", Default: "0", Usage: "background jobs (notification deliveries, scans) run at once per process; 0: the engine's default (SQLite 32, PostgreSQL 64)", set: func(c *Config, v string) error {
		n, err := strconv.Atoi(v)
		if err != nil || n < 0 || n > 10000 {
			return fmt.Errorf("not a number of workers 0-10000: %q", v)
		}
		c.JobWorkers = n
		return nil
	}},
	{Name: "job-fetch-interval", Default: "0", Usage: "how often a process fetches new jobs (e.g. 20ms); 0: the engine's default (SQLite 50ms, PostgreSQL 100ms); a process fetches again at once when a job ends or it inserts one, and PostgreSQL wakes it on other processes' inserts", set: func(c *Config, v string) error {
		if v == "0" {
			c.JobFetchInterval = 0
			return nil
		}
		d, err := time.ParseDuration(v)
		if err != nil || d < time.Millisecond || d > time.Minute {
			return fmt.Errorf("not a duration between 1ms and 1m: %q", v)
		}
		c.JobFetchInterval = d
		return nil
	}},
	{Name: "draw-centre-dept", Default: "XC-JYZX", Usage: "department code of the public resources trading centre: only its staff (and platform admins) manage the expert pool, rooms and witnesses", set: str(func(c *Config) *string { return &c.DrawCentreDept })},
	{Name: "trust-proxy", Default: "false", Usage: "true behind a reverse proxy: take the client address from X-Forwarded-For (rate limits, logs)", set: func(c *Config, v string) error {
		b, err := strconv.ParseBool(v)
		if err != nil {
			return fmt.Errorf("not true or false: %q", v)
		}
		c.TrustProxy = b
		return nil
	}},
	{Name: "sms-driver", Default: "log", Usage: "log (writes messages to sms-log-file and the console) or http (posts to sms-http-url)", set: oneOf(func(c *Config) *string { return &c.SMSDriver }, "log", "http")},
	{Name: "sms-log-file", Default: "", Usage: "file for the log SMS driver (default DATA_DIR/sms.log)", set: str(func(c *Config) *string { return &c.SMSLogFile })},
	{Name: "sms-http-url", Default: "", Usage: "SMS gateway endpoint for the http driver", set: str(func(c *Config) *string { return &c.SMSHTTPURL })},
	{Name: "sms-token", Default: "", Usage: "bearer token for the SMS gateway", Secret: true, set: str(func(c *Config) *string { return &c.SMSToken })},
	{Name: "smtp-host", Default: "", Usage: "SMTP server for e-mail notifications (empty: e-mail channel off)", set: str(func(c *Config) *string { return &c.SMTPHost })},
	{Name: "smtp-port", Default: "587", Usage: "SMTP port", set: integer(func(c *Config) *int { return &c.SMTPPort })},
	{Name: "smtp-user", Default: "", Usage: "SMTP user", set: str(func(c *Config) *string { return &c.SMTPUser })},
	{Name: "smtp-password", Default: "", Usage: "SMTP password", Secret: true, set: str(func(c *Config) *string { return &c.SMTPPassword })},
	{Name: "smtp-from", Default: "noreply@yingshang.local", Usage: "sender address", set: str(func(c *Config) *string { return &c.SMTPFrom })},
	{Name: "tender-min-days", Default: "", Usage: "bid evaluation: stricter minimum days from the tender notice to the bid deadline, per procedure (tender=25,gov_open=20,gov_consultation=10; the legal minimums 20/20/10 always apply)", set: func(c *Config, v string) error {
		if _, err := ParseDays(v); err != nil {
			return err
		}
		c.TenderMinDays = v
		return nil
	}},
	{Name: "candidate-publicity-days", Default: "3", Usage: "bid evaluation: days the winning candidates are published, open to objections, before the award (at least 3)", set: func(c *Config, v string) error {
		n, err := strconv.Atoi(v)
		if err != nil || n < 3 {
			return fmt.Errorf("not a number of days of at least 3: %q", v)
		}
		c.CandidatePublicityDays = n
		return nil
	}},
	{Name: "resend-unread-hours", Default: "0", Usage: "re-send an SMS for in-app messages still unread after N hours (0: off)", set: integer(func(c *Config) *int { return &c.ResendUnreadHours })},
	{Name: "oidc-issuer", Default: "", Usage: "OpenID Connect issuer URL for single sign-on (empty: off)", set: str(func(c *Config) *string { return &c.OIDCIssuer })},
	{Name: "oidc-client-id", Default: "", Usage: "OIDC client id", set: str(func(c *Config) *string { return &c.OIDCClientID })},
	{Name: "oidc-client-secret", Default: "", Usage: "OIDC client secret", Secret: true, set: str(func(c *Config) *string { return &c.OIDCClientSecret })},
	{Name: "oidc-redirect-url", Default: "", Usage: "OIDC redirect URL (default BASE_URL/auth/oidc/callback)", set: str(func(c *Config) *string { return &c.OIDCRedirectURL })},
}

// Register adds a flag for every option to fs. The returned function
// resolves the final Config after fs.Parse.
func Register(fs *flag.FlagSet) func(getenv func(string) string) (*Config, error) {
	vals := make(map[string]*string, len(Options))
	for _, o := range Options {
		vals[o.Name] = fs.String(o.Name, o.Default, o.Usage+" (env "+o.Env()+")")
	}
	return func(getenv func(string) string) (*Config, error) {
		set := map[string]bool{}
		fs.Visit(func(f *flag.Flag) { set[f.Name] = true })
		c := &Config{}
		for _, o := range Options {
			v := o.Default
			if e := getenv(o.Env()); e != "" {
				v = e
			} else if f := getenv(o.Env() + "_FILE"); f != "" {
				b, err := os.ReadFile(f)
				if err != nil {
					return nil, fmt.Errorf("%s_FILE: %v", o.Env(), err)
				}
				v = strings.TrimSpace(string(b))
			}
			if set[o.Name] {
				v = *vals[o.Name]
			}
			if err := o.set(c, v); err != nil {
				return nil, fmt.Errorf("--%s / %s: %v", o.Name, o.Env(), err)
			}
		}
		return c, c.check()
	}
}

func (c *Config) check() error {
	if c.Env == "production" && c.FakeNow != "" {
		return fmt.Errorf("YINGSHANG_FAKE_NOW is refused when YINGSHANG_ENV=production")
	}
	if c.Env == "production" && c.EncryptionKey == "" {
		return fmt.Errorf("YINGSHANG_ENCRYPTION_KEY is required when YINGSHANG_ENV=production")
	}
	if c.Env == "production" && c.SMSDriver == "log" {
		return fmt.Errorf("YINGSHANG_SMS_DRIVER=log is refused when YINGSHANG_ENV=production (codes would land in a file, not on phones): use http")
	}
	if c.SMSDriver == "http" && c.SMSHTTPURL == "" {
		return fmt.Errorf("--sms-http-url is required with --sms-driver=http")
	}
	if c.SMSLogFile == "" {
		c.SMSLogFile = filepath.Join(c.DataDir, "sms.log")
	}
	if c.BaseURL == "" {
		port := c.Addr
		if i := strings.LastIndex(port, ":"); i >= 0 {
			port = port[i+1:]
		}
		c.BaseURL = "http://localhost:" + port
	}
	c.BaseURL = strings.TrimRight(c.BaseURL, "/")
	if c.OIDCIssuer != "" && c.OIDCRedirectURL == "" {
		c.OIDCRedirectURL = c.BaseURL + "/auth/oidc/callback"
	}
	return nil
}

// ParseDays reads "name=days,name=days" (whole days > 0); "" is empty.
func ParseDays(v string) (map[string]int, error) {
	out := map[string]int{}
	for _, part := range strings.Split(v, ",") {
		if part = strings.TrimSpace(part); part == "" {
			continue
		}
		name, days, ok := strings.Cut(part, "=")
		n, err := strconv.Atoi(strings.TrimSpace(days))
		if !ok || err != nil || n <= 0 || strings.TrimSpace(name) == "" {
			return nil, fmt.Errorf("not name=days: %q", part)
		}
		out[strings.TrimSpace(name)] = n
	}
	return out, nil
}

// SQLite reports whether the embedded database is used.
func (c *Config) SQLite() bool {
	return c.DatabaseURL == "" || strings.HasPrefix(c.DatabaseURL, "sqlite:")
}

// Dump writes every setting with its source value, secrets masked.
func Dump(w io.Writer, c *Config) {
	values := map[string]string{
		"addr": c.Addr, "data-dir": c.DataDir, "database-url": c.DatabaseURL, "env": c.Env,
		"fake-now": c.FakeNow, "base-url": c.BaseURL, "encryption-key": c.EncryptionKey,
		"secure-cookies": c.SecureCookies, "upload-limit": strconv.FormatInt(c.UploadLimit, 10),
		"log-format": c.LogFormat, "log-level": c.LogLevel,
		"login-max-failures": strconv.Itoa(c.LoginMaxFailures), "login-lockout": c.LoginLockout.String(),
		"login-lock-failures": strconv.Itoa(c.LoginLockFailures),
		"public-rate-limit":   strconv.Itoa(c.PublicRateLimit), "trust-proxy": strconv.FormatBool(c.TrustProxy),
		"metrics-token": c.MetricsToken, "draw-centre-dept": c.DrawCentreDept, "debug-addr": c.DebugAddr,
		"job-workers": strconv.Itoa(c.JobWorkers), "job-fetch-interval": c.JobFetchInterval.String(),
		"sms-driver": c.SMSDriver, "sms-log-file": c.SMSLogFile, "sms-http-url": c.SMSHTTPURL, "sms-token": c.SMSToken,
		"smtp-host": c.SMTPHost, "smtp-port": strconv.Itoa(c.SMTPPort), "smtp-user": c.SMTPUser,
		"smtp-password": c.SMTPPassword, "smtp-from": c.SMTPFrom,
		"resend-unread-hours": strconv.Itoa(c.ResendUnreadHours),
		"tender-min-days":     c.TenderMinDays, "candidate-publicity-days": strconv.Itoa(c.CandidatePublicityDays),
		"oidc-issuer": c.OIDCIssuer, "oidc-client-id": c.OIDCClientID, "oidc-client-secret": c.OIDCClientSecret,
		"oidc-redirect-url": c.OIDCRedirectURL, "modules": c.Modules,
	}
	for k, v := range c.Module {
		values[k] = v
	}
	names := make([]string, 0, len(Options))
	byName := map[string]Option{}
	for _, o := range Options {
		names = append(names, o.Name)
		byName[o.Name] = o
	}
	sort.Strings(names)
	for _, n := range names {
		v := values[n]
		if byName[n].Secret && v != "" {
			v = mask(v)
		}
		fmt.Fprintf(w, "%s=%s\n", byName[n].Env(), v)
	}
}

func mask(v string) string {
	if strings.HasPrefix(v, "postgres") {
		// keep scheme and host, hide credentials
		if at := strings.LastIndex(v, "@"); at > 0 {
			if i := strings.Index(v, "://"); i > 0 && i < at {
				return v[:i+3] + "****" + v[at:]
			}
		}
		return v
	}
	return "****"
}

// Markdown writes the table of options as Markdown (docs/configuration.md).
func Markdown(w io.Writer) {
	fmt.Fprintln(w, "| Flag | Environment variable | Default | Secret | Meaning |")
	fmt.Fprintln(w, "|---|---|---|---|---|")
	for _, o := range Options {
		def := o.Default
		if def == "" {
			def = "(empty)"
		}
		secret := ""
		if o.Secret {
			secret = "yes (`" + o.Env() + "_FILE` reads it from a file)"
		}
		fmt.Fprintf(w, "| `--%s` | `%s` | `%s` | %s | %s |\n", o.Name, o.Env(), def, secret, strings.ReplaceAll(o.Usage, "|", "\\|"))
	}
}
