// Command shoot signs in to a running Yingshang and saves full-page
// screenshots of the given paths, to look at pages as a user would.
//
//	go run ./tools/shoot -base http://127.0.0.1:8080 -user admin -password PW -out /tmp/shots / /entities
//
// -width 390 gives a phone-sized viewport. Paths may carry a label:
// "entities=/entities?q=许昌". Uses Debian's Chromium (YINGSHANG_CHROMIUM or
// /usr/bin/chromium); never downloads a browser.
package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/chromedp/chromedp"
)

func main() {
	base := flag.String("base", "http://127.0.0.1:8080", "site URL")
	user := flag.String("user", "", "username to sign in as (empty: anonymous)")
	pw := flag.String("password", "", "password")
	out := flag.String("out", "/tmp/shots", "output directory")
	width := flag.Int("width", 1280, "viewport width")
	flag.Parse()
	if err := run(*base, *user, *pw, *out, *width, flag.Args()); err != nil {
		fmt.Fprintln(os.Stderr, "shoot:", err)
		os.Exit(1)
	}
}

// Browser returns chromedp allocator options for Debian's Chromium with
// the flags this workplace needs.
func browser() []chromedp.ExecAllocatorOption {
	bin := os.Getenv("YINGSHANG_CHROMIUM")
	if bin == "" {
		bin = "/usr/bin/chromium"
	}
	return append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(bin), chromedp.NoSandbox, chromedp.DisableGPU,
		chromedp.Flag("disable-background-networking", true), chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true), chromedp.Flag("disable-quic", true), chromedp.Flag("no-first-run", true),
		chromedp.Flag("lang", lang()))
}

func run(base, user, pw, out string, width int, paths []string) error {
	if err := os.MkdirAll(out, 0o755); err != nil {
		return err
	}
	actx, cancel := chromedp.NewExecAllocator(context.Background(), browser()...)
	defer cancel()
	ctx, cancel := chromedp.NewContext(actx)
	defer cancel()
	ctx, cancel = context.WithTimeout(ctx, 3*time.Minute)
	defer cancel()
	if err := chromedp.Run(ctx, chromedp.EmulateViewport(int64(width), 900)); err != nil {
		return err
	}
	if user != "" {
		if err := chromedp.Run(ctx,
			chromedp.Navigate(base+"/login"),
			chromedp.WaitVisible(`#username`, chromedp.ByQuery),
			chromedp.SendKeys(`#username`, user, chromedp.ByQuery),
			chromedp.SendKeys(`#password`, pw, chromedp.ByQuery),
			chromedp.Submit(`#password`, chromedp.ByQuery),
			chromedp.WaitVisible(`main h1`, chromedp.ByQuery),
		); err != nil {
			return fmt.Errorf("sign in: %w", err)
		}
	}
	// The site follows Accept-Language; pin the language with its cookie.
	if err := chromedp.Run(ctx, chromedp.Navigate(base+"/lang?to="+lang()+"&back=/")); err != nil {
		return err
	}
	for i, p := range paths {
		label := fmt.Sprintf("%02d", i)
		if l, path, ok := strings.Cut(p, "="); ok && strings.HasPrefix(path, "/") {
			label, p = l, path
		}
		var buf []byte
		if err := chromedp.Run(ctx, chromedp.Navigate(base+p), chromedp.WaitReady("body", chromedp.ByQuery),
			chromedp.Sleep(400*time.Millisecond), chromedp.FullScreenshot(&buf, 100)); err != nil {
			return fmt.Errorf("%s: %w", p, err)
		}
		name := filepath.Join(out, label+".png")
		if err := os.WriteFile(name, buf, 0o644); err != nil {
			return err
		}
		fmt.Println(name, p)
	}
	return nil
}

// lang is the browser's language: zh-CN unless SHOOT_LANG says otherwise.
func lang() string {
	if l := os.Getenv("SHOOT_LANG"); l != "" {
		return l
	}
	return "zh-CN"
}
