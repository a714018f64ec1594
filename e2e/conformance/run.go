package conformance

import (
	"context"
	_ "embed"
	"errors"
	"fmt"
	"net/url"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/arendevy/arendevy/e2e/a11y"
	"github.com/arendevy/arendevy/e2e/browser"
)

// Options say where the portal is and how to get in.
type Options struct {
	// URL is the overview page of a logged-in customer who has cases, one
	// with an e-service and one without if the portal has both.
	URL string
	// Login logs the tab in first: a CookieLogin, or a11y's ChoiceLogin or
	// FormLogin (see ParseLogin).
	Login a11y.Login
	// Metadata is the SAML SP metadata address; default the kit's,
	// {origin}/arendevy/saml/metadata.
	Metadata string
	// A11yStates limits the accessibility check's conditions (a11y.States);
	// default all six.
	A11yStates []string
	// SkipAccessibility leaves the accessibility check out (it is reported
	// as needing a person), for a quick run while fixing the rest.
	SkipAccessibility bool
	// Quiet is how long the network must be idle for a page to count as
	// loaded; default 300ms.
	Quiet time.Duration
}

// ErrRun is a run that could not happen: no browser, a failed login, a
// page that never loaded. Findings about the portal are results, not
// errors.
var ErrRun = errors.New("conformance")

//go:embed js/page.js
var pageJS string

const libName = "__arendevyConformance"

// desktop and narrow are the viewports of the standard view's checks.
var (
	desktop = a11y.Size{Width: 1280, Height: 800}
	narrow  = a11y.Size{Width: 320, Height: 640}
)

// run is the state of one conformance run.
type run struct {
	opts   Options
	b      *browser.Browser
	tab    *browser.Tab
	rec    *recorder
	report *Report
	origin string

	view            overview   // the overview as the desktop showed it, details open
	caseWords       []string   // the case titles: what must not leak
	addresses       []string   // every address the overview page holds
	infoPages       []infoPage // portal pages cases lead to instead of an e-service
	contactProblems []string   // cases that lead nowhere
	afterLogin      int        // requests before this index belong to the login (the IdP's flow)
}

// Run checks the portal and returns the report. The error is for a run
// that could not happen.
func Run(ctx context.Context, b *browser.Browser, opts Options) (*Report, error) {
	u, err := url.Parse(opts.URL)
	if err != nil || !isHTTP(opts.URL) {
		return nil, fmt.Errorf("%w: -url %q: want an http(s) address", ErrRun, opts.URL)
	}
	if opts.Quiet == 0 {
		opts.Quiet = 300 * time.Millisecond
	}
	if opts.Metadata == "" {
		opts.Metadata = u.Scheme + "://" + u.Host + "/arendevy/saml/metadata"
	}
	tab, err := b.NewTab(ctx)
	if err != nil {
		return nil, fmt.Errorf("%w: %w", ErrRun, err)
	}
	defer tab.Close()
	r := &run{opts: opts, b: b, tab: tab, rec: newRecorder(), origin: u.Scheme + "://" + u.Host,
		report: &Report{URL: opts.URL, Generated: time.Now().UTC()}}
	if err := chromedp.Listen(tab.Context(), r.rec.observe); err != nil {
		return nil, fmt.Errorf("%w: %w", ErrRun, err)
	}
	if opts.Login != nil {
		if err := opts.Login.LogIn(ctx, tab); err != nil {
			return nil, fmt.Errorf("%w: %w", ErrRun, err)
		}
	}
	requested, _ := r.rec.snapshot()
	r.afterLogin = len(requested)
	// The order matters: the standard view and what it leaks are read
	// first, on the page as loaded; logging out ends the run.
	steps := []func(context.Context) error{
		r.checkView,
		r.checkCaching, // before another page replaces the bodies
		r.checkLeaks,
		r.checkSecurity,
		r.checkMetadata,
		r.checkProducerPages,
		r.checkNarrow, // ends on the overview, where logging out starts
		r.checkAccessibility,
		r.checkLogout,
	}
	for _, step := range steps {
		if err := step(ctx); err != nil {
			return r.report, fmt.Errorf("%w: %w", ErrRun, err)
		}
	}
	r.report.Results = append(r.report.Results, manualChecks()...)
	return r.report, nil
}

// load opens the overview at a viewport size and installs the library.
func (r *run) load(ctx context.Context, size a11y.Size) error {
	if err := r.tab.SetViewport(ctx, size.Width, size.Height); err != nil {
		return err
	}
	return r.open(ctx, r.opts.URL)
}

// open navigates, waits for the page to settle and installs the library.
func (r *run) open(ctx context.Context, address string) error {
	status, err := r.tab.Navigate(ctx, address)
	if err != nil {
		return err
	}
	if status >= 400 {
		return fmt.Errorf("%s answered HTTP %d", address, status)
	}
	return r.settle(ctx)
}

// idleTimeout bounds the wait for a loaded page's network to fall quiet: a
// page that keeps a request open (a long poll) is checked as it is then.
const idleTimeout = 10 * time.Second

// settle waits for the page's scripts and requests after a load, then
// installs the library.
func (r *run) settle(ctx context.Context) error {
	idle, cancel := context.WithTimeout(ctx, idleTimeout)
	defer cancel()
	if err := r.tab.WaitIdle(idle, r.opts.Quiet); err != nil && ctx.Err() != nil {
		return err
	}
	return browser.Install(ctx, r.tab, libName, pageJS)
}

// lib calls a function of the in-page library.
func lib[T any](ctx context.Context, r *run, fn string, args ...any) (T, error) {
	return browser.Call[T](ctx, r.tab, "(...a) => "+libName+"."+fn+"(...a)", args...)
}

// callIn calls a JavaScript function in the tab's isolated world.
func callIn[T any](ctx context.Context, r *run, fn string, args ...any) (T, error) {
	return browser.Call[T](ctx, r.tab, fn, args...)
}
