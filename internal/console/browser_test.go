package console_test

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"
)

// chromiumPath returns the Chromium to drive: $VIGIL_CHROMIUM, else
// chromium on PATH; the test skips when there is none.
func chromiumPath(t *testing.T) string {
	t.Helper()
	if p := os.Getenv("VIGIL_CHROMIUM"); p != "" {
		return p
	}
	for _, n := range []string{"chromium", "chromium-browser"} {
		if p, err := exec.LookPath(n); err == nil {
			return p
		}
	}
	t.Skip("no Chromium: install Debian's chromium package (or set VIGIL_CHROMIUM) to run the console's browser tests")
	return ""
}

// browser starts a headless Chromium with a fresh profile and returns a tab
// context that ends with the test.
func browser(t *testing.T) context.Context {
	t.Helper()
	// The profile is not t.TempDir: Chromium's helper processes may still
	// write to it for a moment after the browser is gone.
	profile, err := os.MkdirTemp("", "vigil-chromium-")
	if err != nil {
		t.Fatal(err)
	}
	opts := []chromedp.ExecAllocatorOption{
		chromedp.ExecPath(chromiumPath(t)),
		chromedp.UserDataDir(profile),
		chromedp.Flag("headless", true),
		chromedp.Flag("no-sandbox", true),
		chromedp.Flag("disable-gpu", true),
		chromedp.Flag("disable-quic", true),
		chromedp.Flag("no-first-run", true),
		chromedp.Flag("no-default-browser-check", true),
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.Flag("disable-dev-shm-usage", true),
		chromedp.WindowSize(1366, 900),
	}
	actx, cancelA := chromedp.NewExecAllocator(context.Background(), opts...)
	// Chromium announces protocol events newer than the driver knows;
	// those are logged as errors by chromedp and are noise here.
	errorf := func(format string, args ...any) {
		if msg := fmt.Sprintf(format, args...); !strings.Contains(msg, "unhandled") {
			t.Logf("chromedp: %s", msg)
		}
	}
	ctx, cancelC := chromedp.NewContext(actx, chromedp.WithLogf(t.Logf), chromedp.WithErrorf(errorf))
	ctx, cancelT := context.WithTimeout(ctx, 3*time.Minute)
	t.Cleanup(func() { cancelT(); cancelC(); cancelA(); removeProfile(t, profile) })
	if err := chromedp.Run(ctx); err != nil {
		t.Fatalf("start chromium: %v", err)
	}
	return ctx
}

// removeProfile removes a browser profile, retrying while Chromium's
// last helper processes finish writing to it.
func removeProfile(t *testing.T, dir string) {
	var err error
	for range 50 {
		if err = os.RemoveAll(dir); err == nil {
			return
		}
		time.Sleep(100 * time.Millisecond)
	}
	t.Logf("browser profile %s left behind: %v", dir, err)
}

// artifacts returns the screenshot directory: $VIGIL_ARTIFACTS/<test> or a
// temporary directory.
func artifacts(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	if base := os.Getenv("VIGIL_ARTIFACTS"); base != "" {
		dir = filepath.Join(base, strings.ReplaceAll(t.Name(), "/", "_"))
		if err := os.MkdirAll(dir, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	t.Logf("screenshots in %s", dir)
	return dir
}

// page drives one tab.
type page struct {
	t    *testing.T
	ctx  context.Context
	base string
	dir  string
}

func (p *page) run(what string, actions ...chromedp.Action) {
	p.t.Helper()
	if err := chromedp.Run(p.ctx, actions...); err != nil {
		var html string
		_ = chromedp.Run(p.ctx, chromedp.OuterHTML("main", &html, chromedp.ByQuery))
		p.t.Fatalf("%s: %v\nmain: %.2000s", what, err, html)
	}
}

// open loads a console route (a hash such as "#/findings") and waits until
// the page has rendered.
func (p *page) open(hash string) {
	p.t.Helper()
	p.run("open "+hash, chromedp.Navigate(p.base+"/"+hash), p.ready())
}

// ready waits for the page's data-ready mark.
func (p *page) ready() chromedp.Action {
	return chromedp.WaitVisible(`#main[data-ready]`, chromedp.ByQuery)
}

// shot saves a full-page PNG screenshot.
func (p *page) shot(name string) {
	p.t.Helper()
	var buf []byte
	p.run("screenshot "+name, chromedp.FullScreenshot(&buf, 100))
	if err := os.WriteFile(filepath.Join(p.dir, name+".png"), buf, 0o644); err != nil {
		p.t.Fatal(err)
	}
}

func (p *page) text(sel string) string {
	p.t.Helper()
	var s string
	p.run("text of "+sel, chromedp.Text(sel, &s, chromedp.ByQuery))
	return strings.TrimSpace(s)
}

func (p *page) html() string {
	p.t.Helper()
	var s string
	p.run("html", chromedp.OuterHTML("html", &s, chromedp.ByQuery))
	return s
}

func (p *page) login(token string) {
	p.t.Helper()
	p.run("sign in",
		chromedp.Navigate(p.base+"/"),
		chromedp.WaitVisible(`#token`, chromedp.ByQuery),
		// The keyboard alone signs in: type the token, press Enter.
		chromedp.SendKeys(`#token`, token+kb.Enter, chromedp.ByQuery),
		chromedp.WaitVisible(`#main[data-ready="/"]`, chromedp.ByQuery))
}
