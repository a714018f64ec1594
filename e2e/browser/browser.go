package browser

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"os/exec"
	"sync"

	"github.com/chromedp/chromedp"
)

// DefaultExecPath is the Chromium that Debian installs, and the one that
// `make test-deps` puts on the test machines.
const DefaultExecPath = "/usr/bin/chromium"

// ErrStart is returned when Chromium cannot be started.
var ErrStart = errors.New("browser: starting chromium")

// ErrNoChromium is returned (wrapped in ErrStart) when there is no Chromium
// to start: the checkers need nothing else on the machine, so the message
// says how to get it.
var ErrNoChromium = errors.New("no Chromium found: install it (Debian/Ubuntu: `sudo apt-get install chromium`; Fedora: `sudo dnf install chromium`; macOS: `brew install --cask chromium`) or name a Chromium or Chrome binary (-chromium PATH)")

// chromiumNames are the browser commands looked for on PATH when none is
// named and Debian's is not there.
var chromiumNames = []string{"chromium", "chromium-browser", "google-chrome", "google-chrome-stable", "chrome"}

// Option changes how [Start] launches the browser.
type Option func(*config)

type config struct {
	execPath   string
	axeScript  string
	extraFlags map[string]any
}

// WithExecPath runs another Chromium or Chrome binary. An empty path lets
// chromedp look for one in the usual places.
func WithExecPath(path string) Option {
	return func(c *config) { c.execPath = path }
}

// WithAxeScript names an axe.min.js file to inject instead of the embedded
// axe-core, for trying another version.
func WithAxeScript(path string) Option {
	return func(c *config) { c.axeScript = path }
}

// WithFlag adds a Chromium command-line switch (value true for a bare
// switch), for example a proxy or a language for the whole browser.
func WithFlag(name string, value any) Option {
	return func(c *config) { c.extraFlags[name] = value }
}

// Browser is one headless Chromium process with a throwaway profile. It is
// safe for concurrent use: each [Tab] is a separate page.
type Browser struct {
	ctx         context.Context // the chromedp browser context; tabs derive from it
	cancelCtx   context.CancelFunc
	cancelAlloc context.CancelFunc
	profile     string
	axeScript   string

	axeOnce sync.Once
	axeSrc  string
	axeErr  error

	closeOnce sync.Once
	closeErr  error
}

// Start launches headless Chromium. ctx bounds the start only; the browser
// runs until [Browser.Close].
func Start(ctx context.Context, opts ...Option) (*Browser, error) {
	cfg := config{extraFlags: map[string]any{}}
	if _, err := os.Stat(DefaultExecPath); err == nil {
		cfg.execPath = DefaultExecPath
	}
	for _, o := range opts {
		o(&cfg)
	}
	execPath, err := findChromium(cfg.execPath)
	if err != nil {
		return nil, err
	}
	cfg.execPath = execPath

	profile, err := os.MkdirTemp("", "arendevy-chromium-")
	if err != nil {
		return nil, fmt.Errorf("%w: profile directory: %w", ErrStart, err)
	}

	allocOpts := append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.NoSandbox,
		chromedp.Headless,
		chromedp.DisableGPU,
		chromedp.NoFirstRun,
		chromedp.UserDataDir(profile),
		// The test machines have no internet: without these switches
		// Chromium stalls on connections that never complete.
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-quic", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.Flag("disable-domain-reliability", true),
		chromedp.Flag("no-pings", true),
	)
	allocOpts = append(allocOpts, chromedp.ExecPath(cfg.execPath))
	for name, value := range cfg.extraFlags {
		allocOpts = append(allocOpts, chromedp.Flag(name, value))
	}

	// The browser must outlive ctx (often a test's short deadline), so its
	// contexts keep ctx's values but not its cancellation.
	allocCtx, cancelAlloc := chromedp.NewExecAllocator(context.WithoutCancel(ctx), allocOpts...)
	bctx, cancelCtx := chromedp.NewContext(allocCtx,
		chromedp.WithLogf(quietLog("chromedp")),
		chromedp.WithErrorf(quietLog("chromedp error")),
	)
	b := &Browser{
		ctx:         bctx,
		cancelCtx:   cancelCtx,
		cancelAlloc: cancelAlloc,
		profile:     profile,
		axeScript:   cfg.axeScript,
	}

	stop := context.AfterFunc(ctx, cancelCtx)
	err = chromedp.Do(bctx) // launches the process and attaches to its first page
	if !stop() && err == nil {
		err = ctx.Err()
	}
	if err != nil {
		// No graceful close of a browser that never ran: chromedp.Cancel
		// followed by the cancel func blocks for ever in that state.
		cancelCtx()
		cancelAlloc()
		_ = os.RemoveAll(profile) // best effort; the start error is what matters
		return nil, fmt.Errorf("%w (%s): %w", ErrStart, cfg.execPath, err)
	}
	return b, nil
}

// findChromium resolves the named binary, or finds one on PATH when none is
// named, so a missing browser gets ErrNoChromium instead of chromedp's
// "executable file not found".
func findChromium(named string) (string, error) {
	if named != "" {
		path, err := exec.LookPath(named)
		if err != nil {
			return "", fmt.Errorf("%w: %w (%s)", ErrStart, ErrNoChromium, named)
		}
		return path, nil
	}
	for _, name := range chromiumNames {
		if path, err := exec.LookPath(name); err == nil {
			return path, nil
		}
	}
	return "", fmt.Errorf("%w: %w", ErrStart, ErrNoChromium)
}

// quietLog sends chromedp's diagnostics to slog at debug level: they are
// about the protocol, not about the page under test.
func quietLog(prefix string) func(string, ...any) {
	return func(format string, args ...any) {
		slog.Debug(prefix, "message", fmt.Sprintf(format, args...))
	}
}

// Close stops Chromium and removes its profile directory. It is safe to call
// more than once.
func (b *Browser) Close() error {
	b.closeOnce.Do(func() {
		err := chromedp.Cancel(b.ctx)
		b.cancelCtx()
		b.cancelAlloc() // waits for the process to exit, so the profile is free
		if rmErr := os.RemoveAll(b.profile); rmErr != nil {
			err = errors.Join(err, rmErr)
		}
		if err != nil {
			b.closeErr = fmt.Errorf("browser: closing: %w", err)
		}
	})
	return b.closeErr
}
