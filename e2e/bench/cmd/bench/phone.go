package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/chromedp"

	"github.com/arendevy/arendevy/e2e/bench/lighthouse"
	"github.com/arendevy/arendevy/e2e/bench/server"
	"github.com/arendevy/arendevy/e2e/bench/timing"
	"github.com/arendevy/arendevy/e2e/browser"
)

// The phone issue's targets (#18) for the logged-in overview in
// Lighthouse's mobile profile.
const (
	targetLCP   = 1000 // ms
	targetFCP   = 1000 // ms: the first case comes with the server-rendered HTML
	targetTBT   = 50   // ms
	targetCLS   = 0.1  // Core Web Vitals' "good"; the issue names none
	targetScore = 100
	targetPage  = 25_000 // bytes on the wire for the whole overview page
)

// caseClass starts the class of every part of a case in the overview's
// markup (case-row, case-title, …): the logged-in page has them, a login
// page has none.
const caseClass = ".case-"

// The upgrade probe: the element taking over server-rendered cases on a
// phone-sized viewport with the CPU slowed down as Lighthouse's mobile
// profile does.
const (
	upgradeCases  = 100
	upgradeWidth  = 412 // Lighthouse's mobile screen, CSS pixels
	upgradeHeight = 823
)

// PhoneSection is the reference portal's overview as a phone gets it.
type PhoneSection struct {
	Lighthouse string `json:"lighthouse"` // its version
	Chromium   string `json:"chromium"`
	URL        string `json:"url"` // the page measured (on a loopback port of the run)
	Profile    string `json:"profile"`
	Runs       int    `json:"runs"`
	// Median is each figure's median over the runs; Each is every run's.
	Median   lighthouse.Figures   `json:"median"`
	Each     []lighthouse.Figures `json:"each"`
	Warnings []string             `json:"warnings,omitempty"`
	// BenchmarkIndex is Lighthouse's CPU score of the machine in each run
	// (higher is faster): a busy machine's TBT and LCP are inflated.
	BenchmarkIndex []float64 `json:"benchmarkIndex"`
	// Upgrade is the element taking over server-rendered cases on a 4×
	// slowed CPU.
	Upgrade *Upgrade `json:"upgrade,omitempty"`
}

// Upgrade is the long-task probe's result.
type Upgrade struct {
	Cases       int     `json:"cases"`
	Runs        int     `json:"runs"`
	CPUSlowdown float64 `json:"cpuSlowdown"`
	Rows        int     `json:"rows"`          // case rows the element showed
	LongestTask float64 `json:"longestTaskMs"` // of any run; 0: none over 50 ms
}

// measureLighthouse measures the reference portal's logged-in overview with
// Lighthouse, then the element's upgrade of server-rendered cases on a
// slowed CPU.
func measureLighthouse(ctx context.Context, o options, r *Results) error {
	dir := filepath.Join(o.root, o.lighthouseDir)
	if _, err := lighthouse.Installed(dir); err != nil {
		return err // before building and starting anything
	}
	chrome := o.chromium
	if chrome == "" {
		chrome = browser.DefaultExecPath
	}
	b, err := startBrowser(ctx, o)
	if err != nil {
		return err
	}
	defer b.Close()
	sec := &PhoneSection{Chromium: chromiumVersion(o.chromium), Runs: o.lighthouseRuns,
		Profile: fmt.Sprintf("mobile, simulated Slow 4G (%d ms, %.1f Mbit/s), %d× CPU", lighthouse.MobileRTTMs,
			lighthouse.MobileThroughputKbps/1024, lighthouse.MobileCPUSlowdown)}
	r.Phone = sec
	base, stop, err := startPortal(ctx, o)
	if err != nil {
		return err
	}
	defer stop()
	cookie, err := portalCookie(ctx, b, base)
	if err != nil {
		return err
	}
	sec.URL = base + portalOverview
	if err := loggedIn(ctx, sec.URL, cookie); err != nil {
		return err
	}
	reports, raw, err := lighthouse.Run(ctx, lighthouse.Config{
		Dir: dir, Chrome: chrome, URL: sec.URL, Cookie: cookie, Runs: o.lighthouseRuns,
		Seen: caseClass, // a case of the overview, not a login page
	})
	if err != nil {
		return err
	}
	if o.lighthouseOut != "" {
		out := o.lighthouseOut
		if !filepath.IsAbs(out) {
			out = filepath.Join(o.root, out)
		}
		if err := os.WriteFile(out, raw, 0o644); err != nil {
			return err
		}
	}
	sec.Lighthouse, sec.Median = reports[0].Version, lighthouse.Median(reports)
	for _, rep := range reports {
		sec.Each = append(sec.Each, rep.Figures)
		sec.BenchmarkIndex = append(sec.BenchmarkIndex, rep.BenchmarkIndex)
		for _, w := range rep.Warnings {
			if !strings.Contains(strings.Join(sec.Warnings, "\n"), w) {
				sec.Warnings = append(sec.Warnings, w)
			}
		}
	}
	m := sec.Median
	what := func(figure string) string {
		return fmt.Sprintf("Lighthouse mobile, logged-in overview (demo persona), median of %d: %s", sec.Runs, figure)
	}
	r.target("lighthouse", what("largest contentful paint"), fmt.Sprintf("≤ %.1f s", targetLCP/1000.0), seconds(m.LCP), m.LCP <= targetLCP)
	r.target("lighthouse", what("first contentful paint"), fmt.Sprintf("≤ %.1f s", targetFCP/1000.0), seconds(m.FCP), m.FCP <= targetFCP)
	r.target("lighthouse", what("total blocking time"), fmt.Sprintf("≤ %d ms", targetTBT), ms(m.TBT), m.TBT <= targetTBT)
	r.target("lighthouse", what("cumulative layout shift"), fmt.Sprintf("≤ %.1f", targetCLS), fmt.Sprintf("%.3f", m.CLS), m.CLS <= targetCLS)
	r.target("lighthouse", what("performance score"), strconv.Itoa(targetScore), fmt.Sprintf("%.0f", m.Score), m.Score >= targetScore)
	r.target("lighthouse", what("bytes on the wire for the whole page (HTML, CSS, JS, data)"), "≤ 25 kB",
		size(m.TransferBytes), m.TransferBytes <= targetPage)

	if sec.Upgrade, err = measureUpgrade(ctx, o, b); err != nil {
		return err
	}
	u := sec.Upgrade
	measured := "none"
	if u.LongestTask > 0 {
		measured = "longest " + ms(u.LongestTask)
	}
	r.target("lighthouse", fmt.Sprintf("the element upgrades %d server-rendered cases, %.0f× slowed CPU, %d runs: long tasks", u.Cases, u.CPUSlowdown, u.Runs),
		fmt.Sprintf("none (≤ %d ms)", targetLongTask), measured, u.LongestTask <= targetLongTask && u.Rows == u.Cases)
	return nil
}

// portalCookie logs a tab in to the reference portal through the
// development IdP and returns its cookies as a Cookie header.
func portalCookie(ctx context.Context, b *browser.Browser, base string) (string, error) {
	tab, err := b.NewTab(ctx)
	if err != nil {
		return "", err
	}
	defer tab.Close()
	if err := portalLogin(ctx, tab, base); err != nil {
		return "", err
	}
	got, err := browser.Run(ctx, tab, func(ctx context.Context, target *chromedp.Target) (network.GetCookiesResult, error) {
		return cdp.Call(ctx, target, network.GetCookies, network.GetCookiesParams{URLs: []string{base + "/"}})
	})
	if err != nil {
		return "", fmt.Errorf("reading the session cookie: %w", err)
	}
	var jar []string
	for _, c := range got.Cookies {
		jar = append(jar, c.Name+"="+c.Value)
	}
	if len(jar) == 0 {
		return "", errors.New("the login through the development IdP left no cookie")
	}
	return strings.Join(jar, "; "), nil
}

// loggedIn makes sure the cookie opens page itself, not a redirect to the
// login: what Lighthouse is given works before it runs.
func loggedIn(ctx context.Context, page, cookie string) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, page, nil)
	if err != nil {
		return err
	}
	req.Header.Set("Cookie", cookie)
	client := &http.Client{Timeout: 30 * time.Second, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	resp, err := client.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		return err
	}
	if resp.StatusCode != http.StatusOK || !strings.Contains(string(body), `class="`+caseClass[1:]) {
		return fmt.Errorf("the session cookie does not open the overview with its cases: %s answered %d", page, resp.StatusCode)
	}
	return nil
}

// measureUpgrade opens a page with upgradeCases server-rendered cases on a
// phone-sized viewport with the CPU slowed down, several times, and returns
// the longest long task of any run.
func measureUpgrade(ctx context.Context, o options, b *browser.Browser) (*Upgrade, error) {
	c, err := startChild(ctx, "-scenario", scenarioSteady, "-cases", strconv.Itoa(upgradeCases))
	if err != nil {
		return nil, err
	}
	defer c.stop()
	tab, err := b.NewTab(ctx)
	if err != nil {
		return nil, err
	}
	defer tab.Close()
	if err := tab.SetViewport(ctx, upgradeWidth, upgradeHeight); err != nil {
		return nil, err
	}
	if err := timing.LogIn(ctx, tab, c.ready.URL, c.ready.Cookie); err != nil {
		return nil, err
	}
	if err := timing.Install(ctx, tab); err != nil {
		return nil, err
	}
	u := &Upgrade{Cases: upgradeCases, Runs: o.lighthouseRuns, CPUSlowdown: lighthouse.MobileCPUSlowdown}
	_, err = browser.Run(ctx, tab, func(ctx context.Context, target *chromedp.Target) (cdp.Empty, error) {
		return cdp.Call(ctx, target, emulation.SetCPUThrottlingRate, emulation.SetCPUThrottlingRateParams{Rate: u.CPUSlowdown})
	})
	if err != nil {
		return nil, fmt.Errorf("slowing the CPU down: %w", err)
	}
	page := c.ready.URL + server.PagePath + "?rendered=1"
	// One unmeasured visit fills the cache with the element and its
	// stylesheet, so the runs measure the upgrade, not the download.
	if _, err := timing.Open(ctx, tab, page, shownTimeout); err != nil {
		return nil, err
	}
	for range u.Runs {
		l, err := timing.Open(ctx, tab, page, shownTimeout)
		if err != nil {
			return nil, err
		}
		// Tasks that end after the element said it showed its cases
		// belong to the upgrade too: wait for the main thread to be idle
		// (every long task has ended by then).
		if _, err := browser.Eval[bool](ctx, tab, `new Promise((done) => requestIdleCallback(() => done(true), { timeout: 10000 }))`); err != nil {
			return nil, fmt.Errorf("waiting for the page to be idle: %w", err)
		}
		if l, err = timing.Report(ctx, tab); err != nil {
			return nil, err
		}
		u.Rows = l.Rows
		u.LongestTask = max(u.LongestTask, l.LongestTask())
	}
	return u, nil
}

// seconds formats milliseconds as seconds.
func seconds(v float64) string { return fmt.Sprintf("%.2f s", v/1000) }

func reportPhone(w io.Writer, s *PhoneSection) {
	p := func(format string, a ...any) { fmt.Fprintf(w, format, a...) }
	p("## On a phone: Lighthouse %s, %s, %s, logged-in overview of the reference portal (demo persona)\n\n", s.Lighthouse, s.Profile, s.Chromium)
	if len(s.Each) > 0 {
		p("| | score | LCP | FCP | TBT | CLS | speed index | bytes on the wire | requests | DOM elements |\n|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n")
		row := func(name string, f lighthouse.Figures) {
			p("| %s | %.0f | %s | %s | %s | %.3f | %s | %s | %d | %d |\n", name, f.Score, seconds(f.LCP), seconds(f.FCP), ms(f.TBT), f.CLS,
				seconds(f.SpeedIndex), size(f.TransferBytes), f.Requests, f.DOMElements)
		}
		row(fmt.Sprintf("median of %d", len(s.Each)), s.Median)
		for i, f := range s.Each {
			row(fmt.Sprintf("run %d", i+1), f)
		}
		p("\n")
	}
	p("Lighthouse's CPU benchmark index of the machine in each run: %v (higher is faster; a busy machine inflates TBT and LCP).\n\n", s.BenchmarkIndex)
	for _, w := range s.Warnings {
		p("Lighthouse warned: %s\n\n", w)
	}
	if u := s.Upgrade; u != nil {
		long := "none"
		if u.LongestTask > 0 {
			long = ms(u.LongestTask)
		}
		p("The element upgrading %d server-rendered cases (%d rows shown), %.0f× slowed CPU, %d×%d, %d runs: longest long task %s.\n\n",
			u.Cases, u.Rows, u.CPUSlowdown, upgradeWidth, upgradeHeight, u.Runs, long)
	}
}
