// Package e2e starts the real yingshang binary and drives it in Debian's
// headless Chromium, as a user would. The tests run when Chromium is
// present (YINGSHANG_CHROMIUM or /usr/bin/chromium); with YINGSHANG_E2E=1
// (set by scripts/test.sh) a missing browser is a failure, not a skip.
// Screenshots of every step are written to e2e/screenshots/ to be looked at.
package e2e

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
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
		return m.Run()
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
	stderr      *strings.Builder
}

var listenRe = regexp.MustCompile(`listening on (http://\S+)`)
var loginRe = regexp.MustCompile(`username: admin\s+password: (\S+)`)

// startSite runs `yingshang serve --demo` on a free port with its own data
// directory (SQLite) or the given database URL, plus extra environment.
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
	args := []string{"serve", "--demo", "--addr", "127.0.0.1:0", "--data-dir", dir}
	if databaseURL != "" {
		args = append(args, "--database-url", databaseURL)
	}
	cmd := exec.Command(binary, args...)
	cmd.Env = append(os.Environ(), "YINGSHANG_LOG_FORMAT=text", "YINGSHANG_PUBLIC_RATE_LIMIT=100000")
	cmd.Env = append(cmd.Env, env...)
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	s := &Site{DataDir: dir, databaseURL: databaseURL, cmd: cmd, stderr: &strings.Builder{}}
	cmd.Stderr = s.stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.stop(t) })
	lines := make(chan string)
	go func() {
		sc := bufio.NewScanner(out)
		for sc.Scan() {
			lines <- sc.Text()
		}
		close(lines)
		_, _ = io.Copy(io.Discard, out)
	}()
	deadline := time.After(90 * time.Second)
	for s.URL == "" {
		select {
		case l, ok := <-lines:
			if !ok {
				t.Fatalf("yingshang exited before listening:\n%s", s.stderr)
			}
			if m := loginRe.FindStringSubmatch(l); m != nil {
				s.Password = m[1]
			}
			if m := listenRe.FindStringSubmatch(l); m != nil {
				s.URL = m[1]
			}
		case <-deadline:
			t.Fatalf("yingshang did not start in time:\n%s", s.stderr)
		}
	}
	if s.Password == "" {
		t.Fatal("no demo login printed on the console")
	}
	go func() {
		for range lines {
		}
	}()
	return s
}

// stop sends SIGTERM and expects a graceful, successful exit.
func (s *Site) stop(t *testing.T) {
	if s.cmd.ProcessState != nil {
		return
	}
	_ = s.cmd.Process.Signal(syscall.SIGTERM)
	done := make(chan error, 1)
	go func() { done <- s.cmd.Wait() }()
	select {
	case err := <-done:
		if err != nil {
			t.Errorf("yingshang did not shut down cleanly: %v\n%s", err, tail(s.stderr.String(), 3000))
		}
	case <-time.After(30 * time.Second):
		_ = s.cmd.Process.Kill()
		t.Errorf("yingshang did not stop within 30s of SIGTERM")
	}
}

func tail(s string, n int) string {
	if len(s) > n {
		return s[len(s)-n:]
	}
	return s
}

// browser returns a chromedp context on Debian's Chromium, in Chinese.
func browser(t *testing.T) context.Context {
	t.Helper()
	opts := append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(chromiumPath(t)), chromedp.NoSandbox, chromedp.DisableGPU,
		chromedp.Flag("disable-background-networking", true), chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true), chromedp.Flag("disable-quic", true), chromedp.Flag("no-first-run", true),
		chromedp.Flag("lang", "zh-CN"), chromedp.Flag("accept-lang", "zh-CN,zh"), chromedp.WindowSize(1280, 900), chromedp.UserDataDir(t.TempDir()))
	actx, cancel := chromedp.NewExecAllocator(context.Background(), opts...)
	t.Cleanup(cancel)
	ctx, cancel2 := chromedp.NewContext(actx)
	t.Cleanup(cancel2)
	ctx, cancel3 := context.WithTimeout(ctx, 5*time.Minute)
	t.Cleanup(cancel3)
	return ctx
}

// run runs browser actions, failing the test with a screenshot on error.
func run(t *testing.T, ctx context.Context, step string, actions ...chromedp.Action) {
	t.Helper()
	if err := chromedp.Run(ctx, actions...); err != nil {
		shot(t, ctx, "FAILED-"+step)
		t.Fatalf("%s: %v", step, err)
	}
}

// shot saves a full-page screenshot to e2e/screenshots/<name>.png.
func shot(t *testing.T, ctx context.Context, name string) {
	t.Helper()
	var buf []byte
	if err := chromedp.Run(ctx, chromedp.FullScreenshot(&buf, 100)); err != nil {
		t.Logf("screenshot %s: %v", name, err)
		return
	}
	p := filepath.Join("screenshots", name+".png")
	if err := os.WriteFile(p, buf, 0o644); err != nil {
		t.Logf("screenshot %s: %v", name, err)
	}
}

// login signs in through the login form.
func login(t *testing.T, ctx context.Context, s *Site, username string) {
	t.Helper()
	run(t, ctx, "login "+username,
		chromedp.Navigate(s.URL+"/lang?to=zh-CN&back=/login"),
		chromedp.WaitVisible(`#username`, chromedp.ByQuery),
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

// waitURL waits until the page's address contains want: after a click that
// submits a GET form, the old page may still match the selectors of the new.
func waitURL(t *testing.T, ctx context.Context, want string) {
	t.Helper()
	deadline := time.Now().Add(60 * time.Second)
	var loc string
	for time.Now().Before(deadline) {
		if err := chromedp.Run(ctx, chromedp.Location(&loc)); err == nil && strings.Contains(loc, want) {
			return
		}
		time.Sleep(100 * time.Millisecond)
	}
	shot(t, ctx, "FAILED-url")
	t.Fatalf("the page stayed at %s, want an address with %q", loc, want)
}

// textOf returns the text of the first element matching sel.
func textOf(t *testing.T, ctx context.Context, sel string) string {
	t.Helper()
	var s string
	run(t, ctx, "read "+sel, chromedp.Text(sel, &s, chromedp.ByQuery, chromedp.NodeVisible))
	return strings.TrimSpace(s)
}
