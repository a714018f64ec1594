package a11y

import (
	"context"
	_ "embed"
	"errors"
	"fmt"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"time"

	"github.com/arendevy/arendevy/e2e/browser"
)

// Size is a viewport in CSS pixels.
type Size struct{ Width, Height int }

// DefaultCrawlSkip keeps the crawler away from links that would end the
// session or leave the pages: logout in Swedish and English, SAML single
// logout, and files.
var DefaultCrawlSkip = regexp.MustCompile(`(?i)log-?out|logga-?ut|sign-?out|/slo\b|\.(pdf|zip|csv|xlsx?|docx?|png|jpe?g|gif|svg)$`)

// DefaultLiveRegionHosts are the components that must hold a status
// region: the overview announces loading, errors and result counts there.
var DefaultLiveRegionHosts = []string{"arendevy-overview"}

// Options tune a run; the zero value checks WCAG 2.2 AA in every state.
type Options struct {
	// Tags are the axe-core tags to run; default browser.WCAG22AA.
	Tags []string
	// Standard names the target in the report; default "WCAG 2.2 AA".
	Standard string
	// Login, when set, logs the tab in before the first page.
	Login Login
	// Crawl follows same-origin links (read in the desktop state) until
	// this many pages are checked in all; 0 checks only the given pages.
	Crawl int
	// CrawlSkip are links the crawler must not follow; default
	// DefaultCrawlSkip.
	CrawlSkip *regexp.Regexp
	// LiveRegionHosts are element names that must contain a status or live
	// region wherever they appear; default DefaultLiveRegionHosts.
	LiveRegionHosts []string
	// States limits the conditions checked; default all of them.
	States []string
	// Desktop and Narrow are the viewports; default 1280×800 and 320×640.
	Desktop, Narrow Size
	// Quiet is how long the network must be idle before a page counts as
	// loaded; default 300ms.
	Quiet time.Duration
	// PageTimeout bounds all states of one page; default 2 minutes.
	PageTimeout time.Duration
}

func (o Options) withDefaults() Options {
	if o.Tags == nil {
		o.Tags = browser.WCAG22AA
	}
	if o.Standard == "" {
		o.Standard = "WCAG 2.2 AA"
	}
	if o.CrawlSkip == nil {
		o.CrawlSkip = DefaultCrawlSkip
	}
	if o.LiveRegionHosts == nil {
		o.LiveRegionHosts = DefaultLiveRegionHosts
	}
	if o.States == nil {
		o.States = allStates
	}
	if o.Desktop == (Size{}) {
		o.Desktop = Size{1280, 800}
	}
	if o.Narrow == (Size{}) {
		o.Narrow = Size{320, 640}
	}
	if o.Quiet == 0 {
		o.Quiet = 300 * time.Millisecond
	}
	if o.PageTimeout == 0 {
		o.PageTimeout = 2 * time.Minute
	}
	return o
}

// ErrUnknownState is returned for a state name outside the checker's list.
var ErrUnknownState = errors.New("a11y: unknown state")

// Page is one page to check.
type Page struct {
	URL string
	// Label names the page state when one URL is checked in several, for
	// example "expanded" or "filtered".
	Label string
	// Setup brings the page into that state; it runs after every load,
	// before the checks of each condition.
	Setup func(ctx context.Context, tab *browser.Tab) error
}

//go:embed js/checks.js
var checksJS string

// libName is the global the in-page library defines.
const libName = "__arendevyA11y"

// Check opens the pages in a tab of b (after logging in), checks each in
// every state and returns the report. Problems with the pages are findings;
// the error is for a run that could not happen (a failed login, a dead
// browser, an unknown state).
func Check(ctx context.Context, b *browser.Browser, pages []Page, opts Options) (*Report, error) {
	opts = opts.withDefaults()
	for _, s := range opts.States {
		if !slices.Contains(allStates, s) {
			return nil, fmt.Errorf("%w %q (want one of %s)", ErrUnknownState, s, strings.Join(allStates, ", "))
		}
	}
	tab, err := b.NewTab(ctx)
	if err != nil {
		return nil, fmt.Errorf("a11y: %w", err)
	}
	defer tab.Close()
	if opts.Login != nil {
		if err := opts.Login.LogIn(ctx, tab); err != nil {
			return nil, err
		}
	}

	c := &checker{tab: tab, opts: opts, report: &Report{
		Generated:    time.Now().UTC(),
		Standard:     opts.Standard,
		AxeTags:      opts.Tags,
		Rules:        rules,
		Manual:       manual,
		ScreenReader: screenReaders,
	}}
	queue := slices.Clone(pages)
	seen := map[string]bool{}
	origins := map[string]bool{}
	for _, p := range pages {
		seen[p.URL+"\x00"+p.Label] = true
		if u, err := url.Parse(p.URL); err == nil {
			origins[u.Scheme+"://"+u.Host] = true
		}
	}
	for i := 0; i < len(queue); i++ {
		if err := ctx.Err(); err != nil {
			return c.report, fmt.Errorf("a11y: %w", err)
		}
		links := c.checkPage(ctx, queue[i])
		for _, link := range links {
			if len(queue) >= opts.Crawl {
				break
			}
			if next, ok := c.follow(link, origins); ok && !seen[next+"\x00"] {
				seen[next+"\x00"] = true
				queue = append(queue, Page{URL: next})
			}
		}
	}
	c.report.sortFindings()
	return c.report, nil
}

// follow normalises a link and says whether the crawler may take it.
func (c *checker) follow(link string, origins map[string]bool) (string, bool) {
	u, err := url.Parse(link)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || !origins[u.Scheme+"://"+u.Host] {
		return "", false
	}
	u.Fragment = ""
	s := u.String()
	return s, !c.opts.CrawlSkip.MatchString(s)
}

type checker struct {
	tab    *browser.Tab
	opts   Options
	report *Report
}

// checkPage checks one page in every state and returns its links.
func (c *checker) checkPage(ctx context.Context, p Page) []string {
	ctx, cancel := context.WithTimeout(ctx, c.opts.PageTimeout)
	defer cancel()
	c.report.Pages = append(c.report.Pages, PageResult{URL: p.URL, Label: p.Label})
	result := &c.report.Pages[len(c.report.Pages)-1]
	var links []string
	for i, state := range c.opts.States {
		s := &stateRun{checker: c, ctx: ctx, page: p, state: state}
		status, err := s.load()
		if i == 0 {
			result.Status = status
		}
		if err == nil && status >= 400 {
			s.add("", RulePageLoad, "", SeverityError, fmt.Sprintf("the page answered HTTP %d", status), "")
			return nil
		}
		if err != nil {
			s.add("", RuleCheckerFailure, "", SeverityError, "could not load the page: "+err.Error(), "")
			return nil
		}
		result.States = append(result.States, state)
		s.checks()
		if s.links != nil {
			links = s.links
		}
	}
	return links
}

// stateRun is one page in one condition.
type stateRun struct {
	*checker
	ctx   context.Context
	page  Page
	state string
	links []string
}

func (s *stateRun) add(criterion, rule, selector string, sev Severity, msg, help string) {
	s.report.Findings = append(s.report.Findings, Finding{
		Page: s.page.URL, Label: s.page.Label, State: s.state,
		Criterion: criterion, Selector: selector, Severity: sev,
		Rule: rule, Message: msg, HelpURL: help,
	})
}

// load sets the condition up and loads the page fresh.
func (s *stateRun) load() (int, error) {
	size := s.opts.Desktop
	if s.state == StateNarrow {
		size = s.opts.Narrow
	}
	if err := s.tab.SetViewport(s.ctx, size.Width, size.Height); err != nil {
		return 0, err
	}
	var media []browser.MediaFeature
	switch s.state {
	case StateForcedColors:
		media = append(media, browser.ForcedColors)
	case StateReducedMotion:
		media = append(media, browser.ReducedMotion)
	}
	if err := s.tab.EmulateMedia(s.ctx, media...); err != nil {
		return 0, err
	}
	status, err := s.tab.Navigate(s.ctx, s.page.URL)
	if err != nil {
		return 0, err
	}
	if err := s.tab.WaitIdle(s.ctx, s.opts.Quiet); err != nil {
		return status, err
	}
	if s.page.Setup != nil {
		if err := s.page.Setup(s.ctx, s.tab); err != nil {
			return status, fmt.Errorf("setting up %q: %w", s.page.Label, err)
		}
		if err := s.tab.WaitIdle(s.ctx, s.opts.Quiet); err != nil {
			return status, err
		}
	}
	return status, browser.Install(s.ctx, s.tab, libName, checksJS)
}

// checks runs the checks of the state. The order matters within a state:
// the keyboard checks move focus and toggle disclosures, so they come last.
func (s *stateRun) checks() {
	var steps []struct {
		rule string
		run  func() error
	}
	step := func(rule string, run func() error) {
		steps = append(steps, struct {
			rule string
			run  func() error
		}{rule, run})
	}
	switch s.state {
	case StateDesktop:
		step(RuleAxe, s.axe)
		step(RuleNameRoleValue, s.accessibilityTree)
		step(RuleLanguage, s.language)
		step(RuleTargetSize, s.targetSize)
		step("links", s.collectLinks)
		step(RuleKeyboardReach, func() error { return s.keyboard(true) })
		step(RuleDisclosureKeys, s.disclosures)
	case StateNarrow:
		step(RuleReflow, s.reflow)
		step(RuleTargetSize, s.targetSize)
		step("screenshot", s.screenshot)
	case StateTextZoom:
		step(RuleTextResize, func() error { return s.clipping(RuleTextResize, "1.4.4", `() => __arendevyA11y.textZoom(2)`) })
		step("screenshot", s.screenshot)
	case StateTextSpacing:
		step(RuleTextSpacing, func() error { return s.clipping(RuleTextSpacing, "1.4.12", `() => __arendevyA11y.textSpacing()`) })
		step("screenshot", s.screenshot)
	case StateForcedColors:
		step(RuleContentVisible, s.contentVisible)
		step("screenshot", s.screenshot)
		step(RuleFocusVisible, func() error { return s.keyboard(false) })
	case StateReducedMotion:
		step(RuleMotion, s.motion)
		step(RuleContentVisible, s.contentVisible)
		step(RuleFocusVisible, func() error { return s.keyboard(false) })
	}
	for _, st := range steps {
		if err := st.run(); err != nil {
			// A check that could not run is not a pass.
			s.add("", RuleCheckerFailure, "", SeverityError, fmt.Sprintf("the %s check could not run: %v", st.rule, err), "")
		}
	}
}
