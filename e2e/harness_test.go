// Package e2e starts the real yingshang binary and drives it in Debian's
// headless Chromium, as a user would. The tests run when Chromium is
// present (YINGSHANG_CHROMIUM or /usr/bin/chromium); with YINGSHANG_E2E=1
// (set by scripts/test.sh) a missing browser is a failure, not a skip.
// Screenshots of every step are written to e2e/screenshots/ to be looked at.
//
// Waiting: every wait is on a condition (a selector, a text, a file line),
// bounded by one of the limits below, never a fixed sleep. On a busy
// machine set YINGSHANG_E2E_SLOWDOWN (a factor, e.g. 2 or 3) to stretch
// every limit at once.
//
// Sharing: one Chromium serves the whole package (every browser(t) is a
// tab in a browser context of its own, with its own cookies), and the tests
// that change no business data share one demo site (sharedSite) instead of
// each starting the binary and seeding a demo database.
package e2e

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/target"
	"github.com/chromedp/chromedp"
)

// slowdown multiplies every limit (YINGSHANG_E2E_SLOWDOWN, default 1).
var slowdown = func() float64 {
	if f, err := strconv.ParseFloat(os.Getenv("YINGSHANG_E2E_SLOWDOWN"), 64); err == nil && f >= 1 {
		return f
	}
	return 1
}()

func scaled(d time.Duration) time.Duration { return time.Duration(float64(d) * slowdown) }

// The limits of every wait in the package, in one place.
var (
	// pageLimit: one navigation and the selector that says it has landed.
	pageLimit = scaled(30 * time.Second)
	// stateLimit: what a request brings about (a state shown after reloading).
	stateLimit = scaled(60 * time.Second)
	// jobLimit: what a background job or a notification delivery brings about.
	jobLimit = scaled(3 * time.Minute)
	// startLimit: the binary seeding its demo and listening.
	// (A first start seeds the whole demo: under a CI machine's full load
	// that has taken more than two minutes.)
	startLimit = scaled(5 * time.Minute)
	// stopLimit: a graceful shutdown after SIGTERM.
	stopLimit = scaled(30 * time.Second)
	// stepLimit: one run of browser actions (see run and step). A tab
	// itself lives as long as its test: a long scenario on a busy machine
	// is slow, not stuck, and each run of actions has this limit of its own.
	stepLimit = scaled(3 * time.Minute)
	// slowStep: a run of browser actions longer than this is logged (the
	// log of a slow CI run then says where the time went).
	slowStep = 10 * time.Second
)

var binary string

func TestMain(m *testing.M) {
	code := func() int {
		dir, err := os.MkdirTemp("", "yingshang-e2e")
		if err != nil {
			fmt.Fprintln(os.Stderr, err)
			return 1
		}
		defer os.RemoveAll(dir)
		binary = filepath.Join(dir, "yingshang")
		cmd := exec.Command("go", "build", "-o", binary, "../cmd/yingshang")
		cmd.Env = append(os.Environ(), "CGO_ENABLED=0")
		cmd.Stdout, cmd.Stderr = os.Stderr, os.Stderr
		if err := cmd.Run(); err != nil {
			fmt.Fprintln(os.Stderr, "build yingshang:", err)
			return 1
		}
		shared.dir = filepath.Join(dir, "shared-site")
		chrome.dir = filepath.Join(dir, "chromium-profile")
		code := m.Run()
		if err := stopShared(); err != nil {
			fmt.Fprintln(os.Stderr, "shared demo site:", err)
			code = 1
		}
		chrome.stop()
		return code
	}()
	os.Exit(code)
}

func chromiumPath(t *testing.T) string {
	t.Helper()
	p := os.Getenv("YINGSHANG_CHROMIUM")
	if p == "" {
		p = "/usr/bin/chromium"
	}
	if _, err := os.Stat(p); err != nil {
		if os.Getenv("YINGSHANG_E2E") == "1" {
			t.Fatalf("Chromium not found at %s (run scripts/test.sh, which installs it)", p)
		}
		t.Skipf("Chromium not found at %s; end-to-end tests skipped", p)
	}
	return p
}

// Site is a running yingshang server.
type Site struct {
	URL         string
	Password    string // the demo accounts' password
	DataDir     string
	databaseURL string
	cmd         *exec.Cmd
	stderr      *syncBuilder
}

// syncBuilder is a strings.Builder the server's stderr and the test may
// use at once.
type syncBuilder struct {
	mu sync.Mutex
	b  strings.Builder
}

func (s *syncBuilder) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuilder) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

var listenRe = regexp.MustCompile(`listening on (http://\S+)`)
var loginRe = regexp.MustCompile(`username: admin\s+password: (\S+)`)

// startSite runs `yingshang serve --demo` on a free port with its own data
// directory (SQLite) or the given database URL, plus extra environment.
// Tests that change data use it; tests that only read use sharedSite.
func startSite(t *testing.T, databaseURL string, env ...string) *Site {
	t.Helper()
	return startSiteIn(t, t.TempDir(), databaseURL, env...)
}

// restart stops s and starts the binary again on the same data (for
// example with another YINGSHANG_FAKE_NOW, to let time pass). The demo
// password changes on every start.
func (s *Site) restart(t *testing.T, env ...string) *Site {
	t.Helper()
	s.stop(t)
	return startSiteIn(t, s.DataDir, s.databaseURL, env...)
}

func startSiteIn(t *testing.T, dir, databaseURL string, env ...string) *Site {
	t.Helper()
	chromiumPath(t)
	s, err := launch(dir, databaseURL, env...)
	if s != nil {
		t.Cleanup(func() { s.stop(t) })
	}
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// launch starts the binary and waits until it listens and has printed the
// demo password. On an error after the start, the returned site still
// needs stopping.
func launch(dir, databaseURL string, env ...string) (*Site, error) {
	args := []string{"serve", "--demo", "--addr", "127.0.0.1:0", "--data-dir", dir}
	if databaseURL != "" {
		args = append(args, "--database-url", databaseURL)
	}
	cmd := exec.Command(binary, args...)
	cmd.Env = append(os.Environ(), "YINGSHANG_LOG_FORMAT=text", "YINGSHANG_PUBLIC_RATE_LIMIT=100000")
	cmd.Env = append(cmd.Env, env...)
	out, err := cmd.StdoutPipe()
	if err != nil {
		return nil, err
	}
	s := &Site{DataDir: dir, databaseURL: databaseURL, cmd: cmd, stderr: &syncBuilder{}}
	cmd.Stderr = s.stderr
	if err := cmd.Start(); err != nil {
		return nil, err
	}
	lines := make(chan string)
	go func() {
		sc := bufio.NewScanner(out)
		for sc.Scan() {
			lines <- sc.Text()
		}
		close(lines)
		_, _ = io.Copy(io.Discard, out)
	}()
	deadline := time.After(startLimit)
	for s.URL == "" {
		select {
		case l, ok := <-lines:
			if !ok {
				return s, fmt.Errorf("yingshang exited before listening:\n%s", s.stderr)
			}
			if m := loginRe.FindStringSubmatch(l); m != nil {
				s.Password = m[1]
			}
			if m := listenRe.FindStringSubmatch(l); m != nil {
				s.URL = m[1]
			}
		case <-deadline:
			return s, fmt.Errorf("yingshang did not start within %v:\n%s", startLimit, s.stderr)
		}
	}
	go func() {
		for range lines {
		}
	}()
	if s.Password == "" {
		return s, errors.New("no demo login printed on the console")
	}
	return s, nil
}

// stop sends SIGTERM and expects a graceful, successful exit.
func (s *Site) stop(t *testing.T) {
	if err := s.halt(); err != nil {
		t.Error(err)
	}
}

func (s *Site) halt() error {
	if s.cmd.ProcessState != nil {
		return nil
	}
	_ = s.cmd.Process.Signal(syscall.SIGTERM)
	done := make(chan error, 1)
	go func() { done <- s.cmd.Wait() }()
	select {
	case err := <-done:
		if err != nil {
			return fmt.Errorf("yingshang did not shut down cleanly: %v\n%s", err, tail(s.stderr.String(), 3000))
		}
		return nil
	case <-time.After(stopLimit):
		_ = s.cmd.Process.Kill()
		return fmt.Errorf("yingshang did not stop within %v of SIGTERM", stopLimit)
	}
}

// shared is the demo site of the tests that change no business data (they
// sign in, read, shoot): started by the first of them, stopped by TestMain.
var shared struct {
	dir  string
	once sync.Once
	site *Site
	err  error
}

// sharedSite returns the shared demo site (SQLite, the real clock). A test
// using it must not change what another test reads: no submissions, no
// imports, no clock moves.
func sharedSite(t *testing.T) *Site {
	t.Helper()
	chromiumPath(t)
	shared.once.Do(func() {
		shared.site, shared.err = launch(shared.dir, "")
	})
	if shared.err != nil {
		t.Fatal(shared.err)
	}
	return shared.site
}

func stopShared() error {
	if shared.site == nil {
		return nil
	}
	return shared.site.halt()
}

func tail(s string, n int) string {
	if len(s) > n {
		return s[len(s)-n:]
	}
	return s
}

// chrome is the one Chromium of the package, started by the first browser(t).
var chrome chromium

type chromium struct {
	dir    string
	mu     sync.Mutex
	ctx    context.Context // the first tab, which owns the browser process
	cancel func()
}

func (c *chromium) stop() {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.cancel != nil {
		c.cancel()
		c.cancel, c.ctx = nil, nil
	}
}

// browserRoot returns the context of the shared Chromium, starting it (or
// starting it again, after a crash) when needed.
func browserRoot(t *testing.T) context.Context {
	t.Helper()
	path := chromiumPath(t)
	chrome.mu.Lock()
	defer chrome.mu.Unlock()
	if chrome.ctx != nil && chrome.ctx.Err() == nil {
		return chrome.ctx
	}
	opts := append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(path), chromedp.NoSandbox, chromedp.DisableGPU,
		chromedp.Flag("disable-background-networking", true), chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true), chromedp.Flag("disable-quic", true), chromedp.Flag("no-first-run", true),
		chromedp.Flag("lang", "zh-CN"), chromedp.Flag("accept-lang", "zh-CN,zh"), chromedp.WindowSize(1280, 900), chromedp.UserDataDir(chrome.dir))
	actx, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	ctx, cancelCtx := chromedp.NewContext(actx)
	if err := chromedp.Run(ctx); err != nil { // start the browser now
		cancelCtx()
		cancelAlloc()
		t.Fatalf("start Chromium: %v", err)
	}
	chrome.ctx, chrome.cancel = ctx, func() { cancelCtx(); cancelAlloc() }
	return ctx
}

// browser returns a new tab of the shared Chromium, in a browser context of
// its own (its own cookies: a fresh visitor), in Chinese, at 1280x900. The
// tab closes when the test ends.
func browser(t *testing.T) context.Context {
	t.Helper()
	root := browserRoot(t)
	// chromedp's WithNewBrowserContext asks for a tab without a window,
	// which headless Chromium refuses in a context that has no window yet
	// ("no browser is open"): create the context and its window here.
	bx := cdp.WithExecutor(root, chromedp.FromContext(root).Browser)
	bctx, err := target.CreateBrowserContext().WithDisposeOnDetach(true).Do(bx)
	if err != nil {
		t.Fatalf("new browser context: %v", err)
	}
	t.Cleanup(func() { _ = target.DisposeBrowserContext(bctx).Do(bx) })
	id, err := target.CreateTarget("about:blank").WithBrowserContextID(bctx).WithNewWindow(true).Do(bx)
	if err != nil {
		t.Fatalf("new browser tab: %v", err)
	}
	ctx, cancel := chromedp.NewContext(root, chromedp.WithTargetID(id))
	t.Cleanup(cancel)
	// No limit of its own (each run of actions has one): only the test
	// binary's, less a minute, so that a tab stuck past it still fails
	// with a screenshot rather than the binary's panic.
	if d, ok := t.Deadline(); ok {
		var cancel2 context.CancelFunc
		ctx, cancel2 = context.WithDeadline(ctx, d.Add(-time.Minute))
		t.Cleanup(cancel2)
	}
	if err := chromedp.Run(ctx, chromedp.EmulateViewport(1280, 900)); err != nil {
		t.Fatalf("open a browser tab: %v", err)
	}
	return ctx
}

// run runs browser actions within stepLimit of their own, so that a stuck
// run fails while the browser can still take the screenshot and tell the
// address and the page's text.
func run(t *testing.T, ctx context.Context, step string, actions ...chromedp.Action) {
	t.Helper()
	start := time.Now()
	sctx, cancel := context.WithTimeout(ctx, stepLimit)
	defer cancel()
	err := chromedp.Run(sctx, actions...)
	if d := time.Since(start); d > slowStep {
		t.Logf("slow step %q: %v", step, d.Round(time.Millisecond))
	}
	if err != nil {
		// The screenshot, the address and the page's text say where a
		// stuck step stood (the browser is still usable: the step had a
		// limit of its own).
		shot(t, ctx, "FAILED-"+step)
		var url, body string
		rctx, cancel := context.WithTimeout(ctx, pageLimit)
		defer cancel()
		_ = chromedp.Run(rctx, chromedp.Location(&url), chromedp.Text(`body`, &body, chromedp.ByQuery))
		t.Fatalf("%s: %v at %s:\n%s", step, err, url, tail(body, 1500))
	}
}

// shot saves a full-page screenshot to e2e/screenshots/<name>.png.
func shot(t *testing.T, ctx context.Context, name string) {
	t.Helper()
	var buf []byte
	sctx, cancel := context.WithTimeout(ctx, stateLimit)
	defer cancel()
	if err := chromedp.Run(sctx, chromedp.FullScreenshot(&buf, 100)); err != nil {
		t.Logf("screenshot %s: %v", name, err)
		return
	}
	p := filepath.Join("screenshots", name+".png")
	if err := os.WriteFile(p, buf, 0o644); err != nil {
		t.Logf("screenshot %s: %v", name, err)
	}
}

// eventually calls check until it reports done, waiting a little longer
// between calls each time (up to a second), for at most limit; then it
// fails the test with what, and check's last account of the state.
func eventually(t *testing.T, what string, limit time.Duration, check func() (done bool, state string)) {
	t.Helper()
	deadline := time.Now().Add(limit)
	pause := 50 * time.Millisecond
	for {
		done, state := check()
		if done {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("%s: not within %v; last seen:\n%s", what, limit, tail(state, 3000))
		}
		time.Sleep(pause) // between two checks of a condition, not a wait for time to pass
		pause = min(2*pause, time.Second)
	}
}

// open navigates to url and waits until sel is visible. It tries again
// when a navigation fails (a sign-in still in flight aborts the next
// navigation under load: net::ERR_ABORTED), for at most stateLimit.
func open(t *testing.T, ctx context.Context, url, sel string) {
	t.Helper()
	var err error
	deadline := time.Now().Add(stateLimit)
	for {
		// An attempt may take the whole time left (a big page on a busy
		// machine is slow, not failed); one that fails early is retried.
		tctx, cancel := context.WithDeadline(ctx, deadline)
		err = chromedp.Run(tctx, chromedp.Navigate(url), chromedp.WaitVisible(sel, chromedp.ByQuery))
		cancel()
		if err == nil || ctx.Err() != nil || time.Now().After(deadline) {
			break
		}
	}
	if err != nil {
		shot(t, ctx, "FAILED-open")
		t.Fatalf("open %s and wait for %s: %v", url, sel, err)
	}
}

// reloadUntil opens url until the text of sel satisfies ok (a state that a
// request or a background job brings about), for at most limit; it returns
// the text.
func reloadUntil(t *testing.T, ctx context.Context, what, url, sel string, limit time.Duration, ok func(text string) bool) string {
	t.Helper()
	var txt string
	deadline := time.Now().Add(limit)
	eventually(t, what, limit, func() (bool, string) {
		// One load may take up to stateLimit (a big page on a busy machine
		// is slow, not failed), but not the whole wait: a navigation issued
		// while the click's own redirect is still landing can wait forever
		// for a load event that never comes, and the next attempt must get
		// its turn.
		end := time.Now().Add(stateLimit)
		if deadline.Before(end) {
			end = deadline
		}
		tctx, cancel := context.WithDeadline(ctx, end)
		defer cancel()
		txt = ""
		// Navigating to the address the tab is on can wait for a load
		// event Chromium does not send (seen after a form's redirect back
		// to the same page): reload the page instead.
		var loc string
		load := chromedp.Navigate(url)
		if err := chromedp.Run(tctx, chromedp.Location(&loc)); err == nil && strings.TrimRight(loc, "/") == strings.TrimRight(url, "/") {
			load = chromedp.Reload()
		}
		err := chromedp.Run(tctx, load, chromedp.WaitReady(sel, chromedp.ByQuery), chromedp.Text(sel, &txt, chromedp.ByQuery))
		if err != nil {
			return false, fmt.Sprintf("%s: %v", url, err)
		}
		return ok(txt), url + " " + sel + ":\n" + txt
	})
	return txt
}

// submitAndLand runs actions that submit a form (a click on its button)
// and waits until the page the submission leads to has replaced the one it
// was made on and has finished loading, so that the next navigation or
// reload does not race the submission's own (Chromium then never reports
// the load, and the wait runs out).
func submitAndLand(t *testing.T, ctx context.Context, what string, actions ...chromedp.Action) {
	t.Helper()
	run(t, ctx, what+": mark the page", chromedp.Evaluate(`window.__yingshangOld = true`, nil))
	run(t, ctx, what, actions...)
	eventually(t, what+": the next page to load", stateLimit, func() (bool, string) {
		var landed bool
		err := chromedp.Run(ctx, chromedp.Evaluate(`window.__yingshangOld !== true && document.readyState === "complete"`, &landed))
		return err == nil && landed, fmt.Sprint(err)
	})
}

// reloadUntilHas is reloadUntil for a text that contains want.
func reloadUntilHas(t *testing.T, ctx context.Context, what, url, sel, want string, limit time.Duration) string {
	t.Helper()
	return reloadUntil(t, ctx, what+" ("+want+")", url, sel, limit, func(s string) bool { return strings.Contains(s, want) })
}

// waitURL waits until the page's address contains want: after a click that
// submits a GET form, the old page may still match the selectors of the new.
func waitURL(t *testing.T, ctx context.Context, want string) {
	t.Helper()
	eventually(t, "the address to contain "+want, stateLimit, func() (bool, string) {
		var loc string
		err := chromedp.Run(ctx, chromedp.Location(&loc))
		return err == nil && strings.Contains(loc, want), loc
	})
}

// login signs in through the login form.
func login(t *testing.T, ctx context.Context, s *Site, username string) {
	t.Helper()
	open(t, ctx, s.URL+"/lang?to=zh-CN&back=/login", `#username`)
	run(t, ctx, "login "+username,
		chromedp.SendKeys(`#username`, username, chromedp.ByQuery),
		chromedp.SendKeys(`#password`, s.Password, chromedp.ByQuery),
		chromedp.Submit(`#password`, chromedp.ByQuery),
		// The login page has a main h1 too: wait for what only a signed-in
		// page has (the inbox link in the top bar), or the next navigation
		// aborts the sign-in still in flight (net::ERR_ABORTED) under load.
		chromedp.WaitVisible(`header .inbox`, chromedp.ByQuery),
		chromedp.WaitVisible(`main h1`, chromedp.ByQuery),
	)
}

// textOf returns the text of the first visible element matching sel. A
// read that fails because the page is being replaced under it ("No node
// with given id found" while a redirect lands) is tried again, for at most
// stateLimit.
func textOf(t *testing.T, ctx context.Context, sel string) string {
	t.Helper()
	var s string
	var err error
	deadline := time.Now().Add(stateLimit)
	for {
		tctx, cancel := context.WithTimeout(ctx, pageLimit)
		err = chromedp.Run(tctx, chromedp.Text(sel, &s, chromedp.ByQuery, chromedp.NodeVisible))
		cancel()
		if err == nil || ctx.Err() != nil || time.Now().After(deadline) {
			break
		}
	}
	if err != nil {
		shot(t, ctx, "FAILED-read")
		t.Fatalf("read %s: %v", sel, err)
	}
	return strings.TrimSpace(s)
}

// countOf counts the elements matching sel.
func countOf(t *testing.T, ctx context.Context, sel string) int {
	t.Helper()
	var n int
	run(t, ctx, "count "+sel, chromedp.Evaluate(fmt.Sprintf(`document.querySelectorAll(%q).length`, sel), &n))
	return n
}

// smsLines returns the lines of the dev SMS outbox (empty before the first).
func smsLines(dir string) []string {
	b, _ := os.ReadFile(filepath.Join(dir, "sms.log"))
	return strings.Split(string(b), "\n")
}

// chartsDrawn waits until every chart on the page has finished drawing
// (app.js marks it data-finished), before a screenshot.
func chartsDrawn() chromedp.Action {
	return chromedp.Poll(`[...document.querySelectorAll("[data-chart]")].every(e => e.dataset.finished === "1")`, nil, chromedp.WithPollingTimeout(stateLimit))
}

// settled evaluates js (an expression giving "" when all is well, or else
// what is wrong) until it gives "" or limit passes, and returns its last
// value: for checks of a page that may still be laying itself out (charts
// following a new width).
func settled(t *testing.T, ctx context.Context, what, js string, limit time.Duration) string {
	t.Helper()
	var problems string
	deadline := time.Now().Add(limit)
	pause := 50 * time.Millisecond
	for {
		run(t, ctx, what, chromedp.Evaluate(js, &problems))
		if problems == "" || time.Now().After(deadline) {
			return problems
		}
		time.Sleep(pause) // between two checks of a condition
		pause = min(2*pause, time.Second)
	}
}
