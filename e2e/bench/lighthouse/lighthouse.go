// Package lighthouse runs Lighthouse, installed from npm in this directory
// (package.json and its lockfile pin the version), on Debian's Chromium and
// reads its JSON report: the mobile profile's figures of one page, the
// median of several runs, and a check that the report is of the page asked
// for, in the profile asked for, measured over loopback only.
//
// Lighthouse launches a Chromium of its own for every run (CHROME_PATH),
// with a fresh profile: no cookie of an earlier login reaches it. A
// logged-in page is measured by sending the session's Cookie header with
// every request (--extra-headers); Check then makes sure the page was not
// redirected to a login instead, and that the page Lighthouse saw had the
// parts asked for (a case's title, say) in its DOM.
package lighthouse

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"net"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"syscall"
)

// ChromeFlags are the switches Chromium needs on a build machine: headless,
// no sandbox (containers have no user namespaces for it), and nothing that
// would reach the internet on its own.
var ChromeFlags = []string{
	"--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
	"--disable-background-networking", "--disable-quic", "--disable-component-update",
	"--disable-default-apps", "--disable-sync", "--no-first-run",
}

// The mobile profile Lighthouse uses by default: a Moto G Power class
// phone on simulated Slow 4G (150 ms round trip, 1.6 Mbit/s down) with
// the CPU slowed down 4×. Check refuses a report measured otherwise.
const (
	MobileRTTMs          = 150
	MobileThroughputKbps = 1638.4
	MobileCPUSlowdown    = 4
)

// Config is what to measure, and with what.
type Config struct {
	// Dir holds node_modules/lighthouse (npm ci in this package's directory).
	Dir string
	// Chrome is the Chromium binary Lighthouse launches.
	Chrome string
	// URL is the page.
	URL string
	// Cookie, when set, is sent as the Cookie header of every request.
	Cookie string
	// Seen is part of a CSS selector some element of the measured page must
	// match (see Report.Check).
	Seen string
	// Runs is how many times the page is measured.
	Runs int
}

// Figures are one report's numbers, or the median of several.
type Figures struct {
	Score         float64 `json:"score"`         // performance, 0–100
	LCP           float64 `json:"lcpMs"`         // largest contentful paint
	FCP           float64 `json:"fcpMs"`         // first contentful paint
	TBT           float64 `json:"tbtMs"`         // total blocking time
	CLS           float64 `json:"cls"`           // cumulative layout shift
	SpeedIndex    float64 `json:"speedIndexMs"`  // speed index
	TransferBytes float64 `json:"transferBytes"` // every request's bytes on the wire
	LongestTask   float64 `json:"longestTaskMs"` // longest main-thread task, as simulated; 0: none listed
	Requests      int     `json:"requests"`
	DOMElements   int     `json:"domElements"`
}

// Report is what this package reads of one Lighthouse JSON report.
type Report struct {
	Version   string  `json:"lighthouseVersion"`
	Requested string  `json:"requestedUrl"`
	Final     string  `json:"finalDisplayedUrl"`
	Figures   Figures `json:"figures"`
	// BenchmarkIndex is Lighthouse's measure of the machine's CPU
	// (higher is faster); a busy or slow machine inflates TBT and LCP.
	BenchmarkIndex float64 `json:"benchmarkIndex"`
	// Warnings are Lighthouse's own, e.g. that the page was redirected or
	// that the machine is too slow for stable figures.
	Warnings  []string `json:"warnings,omitempty"`
	settings  settings
	requests  []request
	document  string   // the main document's URL
	selectors []string // of every DOM node the audits name
}

type settings struct {
	FormFactor       string `json:"formFactor"`
	ThrottlingMethod string `json:"throttlingMethod"`
	Throttling       struct {
		RTTMs          float64 `json:"rttMs"`
		ThroughputKbps float64 `json:"throughputKbps"`
		CPUSlowdown    float64 `json:"cpuSlowdownMultiplier"`
	} `json:"throttling"`
}

type request struct {
	URL          string  `json:"url"`
	StatusCode   int     `json:"statusCode"`
	ResourceType string  `json:"resourceType"`
	TransferSize float64 `json:"transferSize"`
}

type audit struct {
	NumericValue *float64       `json:"numericValue"`
	ErrorMessage string         `json:"errorMessage"`
	Details      map[string]any `json:"details"`
}

// ErrReport is returned for a report that cannot be used: Lighthouse's own
// error, a missing figure, the wrong page or profile, or a request that
// left loopback.
var ErrReport = errors.New("lighthouse: report")

// Parse reads a Lighthouse JSON report (lighthouse --output=json).
func Parse(b []byte) (Report, error) {
	var raw struct {
		Version     string `json:"lighthouseVersion"`
		Requested   string `json:"requestedUrl"`
		Final       string `json:"finalDisplayedUrl"`
		Document    string `json:"mainDocumentUrl"`
		Environment struct {
			BenchmarkIndex float64 `json:"benchmarkIndex"`
		} `json:"environment"`
		RuntimeError *struct {
			Code    string `json:"code"`
			Message string `json:"message"`
		} `json:"runtimeError"`
		RunWarnings    []string `json:"runWarnings"`
		ConfigSettings settings `json:"configSettings"`
		Categories     struct {
			Performance *struct {
				Score *float64 `json:"score"`
			} `json:"performance"`
		} `json:"categories"`
		Audits map[string]audit `json:"audits"`
	}
	if err := json.Unmarshal(b, &raw); err != nil {
		return Report{}, fmt.Errorf("%w: not Lighthouse JSON: %w", ErrReport, err)
	}
	if raw.RuntimeError != nil {
		return Report{}, fmt.Errorf("%w: Lighthouse failed: %s: %s", ErrReport, raw.RuntimeError.Code, raw.RuntimeError.Message)
	}
	if raw.Categories.Performance == nil || raw.Categories.Performance.Score == nil {
		return Report{}, fmt.Errorf("%w: no performance score (was the performance category run?)", ErrReport)
	}
	r := Report{Version: raw.Version, Requested: raw.Requested, Final: raw.Final, BenchmarkIndex: raw.Environment.BenchmarkIndex,
		Warnings: raw.RunWarnings, settings: raw.ConfigSettings, document: raw.Document}
	r.Figures.Score = math.Round(*raw.Categories.Performance.Score * 100)
	var missing []string
	value := func(id string) float64 {
		a, ok := raw.Audits[id]
		if !ok || a.NumericValue == nil {
			missing = append(missing, id)
			return 0
		}
		return *a.NumericValue
	}
	f := &r.Figures
	f.LCP, f.FCP, f.TBT = value("largest-contentful-paint"), value("first-contentful-paint"), value("total-blocking-time")
	f.CLS, f.SpeedIndex = value("cumulative-layout-shift"), value("speed-index")
	f.TransferBytes = value("total-byte-weight")
	f.DOMElements = int(value("dom-size"))
	if len(missing) > 0 {
		return Report{}, fmt.Errorf("%w: no figure for %v", ErrReport, missing)
	}
	if err := tableItems(raw.Audits["network-requests"], &r.requests); err != nil {
		return Report{}, fmt.Errorf("%w: network-requests: %w", ErrReport, err)
	}
	f.Requests = len(r.requests)
	for _, a := range raw.Audits {
		r.selectors = appendSelectors(r.selectors, a.Details)
	}
	var tasks []struct {
		Duration float64 `json:"duration"`
	}
	if a, ok := raw.Audits["long-tasks"]; ok && a.Details != nil {
		if err := tableItems(a, &tasks); err != nil {
			return Report{}, fmt.Errorf("%w: long-tasks: %w", ErrReport, err)
		}
	}
	for _, t := range tasks {
		f.LongestTask = max(f.LongestTask, t.Duration)
	}
	return r, nil
}

// tableItems decodes a table audit's details.items into into.
func tableItems(a audit, into any) error {
	items, ok := a.Details["items"]
	if !ok {
		return errors.New("no items")
	}
	b, err := json.Marshal(items)
	if err != nil {
		return err
	}
	return json.Unmarshal(b, into)
}

// appendSelectors adds the CSS selector of every DOM node in an audit's
// details (Lighthouse's {"type": "node", "selector": …} items, at any
// depth).
func appendSelectors(to []string, v any) []string {
	switch v := v.(type) {
	case map[string]any:
		if v["type"] == "node" {
			if sel, ok := v["selector"].(string); ok {
				to = append(to, sel)
			}
		}
		for _, x := range v {
			to = appendSelectors(to, x)
		}
	case []any:
		for _, x := range v {
			to = appendSelectors(to, x)
		}
	}
	return to
}

// Check makes sure the report is of want, not of a page it redirected to
// (a login); that the main document answered 200; that a DOM node the
// audits name matches selector part seen (e.g. ".case-title": the page
// showed cases); that it was measured in the mobile profile; and that
// every request stayed on loopback.
func (r Report) Check(want, seen string) error {
	s := r.settings
	switch {
	case r.Final != want:
		return fmt.Errorf("%w: Lighthouse measured %s, not %s (a redirect to a login: the session did not reach it)", ErrReport, r.Final, want)
	case r.document != want:
		return fmt.Errorf("%w: the main document was %s, not %s", ErrReport, r.document, want)
	case !slices.ContainsFunc(r.selectors, func(sel string) bool { return strings.Contains(sel, seen) }):
		return fmt.Errorf("%w: no element %q in what Lighthouse saw of %s (the page was not the one expected)", ErrReport, seen, want)
	case s.FormFactor != "mobile" || s.ThrottlingMethod != "simulate":
		return fmt.Errorf("%w: measured as %s with %s throttling, not mobile simulated", ErrReport, s.FormFactor, s.ThrottlingMethod)
	case s.Throttling.RTTMs != MobileRTTMs || s.Throttling.ThroughputKbps != MobileThroughputKbps || s.Throttling.CPUSlowdown != MobileCPUSlowdown:
		return fmt.Errorf("%w: throttled at %g ms, %g kbit/s, %g× CPU, not Slow 4G and 4× CPU", ErrReport,
			s.Throttling.RTTMs, s.Throttling.ThroughputKbps, s.Throttling.CPUSlowdown)
	}
	for _, q := range r.requests {
		if q.URL == want && q.StatusCode != 200 {
			return fmt.Errorf("%w: %s answered %d", ErrReport, want, q.StatusCode)
		}
		if !loopback(q.URL) {
			return fmt.Errorf("%w: a request left loopback: %s", ErrReport, q.URL)
		}
	}
	return nil
}

// loopback says whether a request's address is on this machine (or is no
// network address at all: data:, blob:).
func loopback(raw string) bool {
	u, err := url.Parse(raw)
	if err != nil {
		return false
	}
	switch u.Scheme {
	case "data", "blob":
		return true
	case "http", "https", "ws", "wss":
	default:
		return false
	}
	if u.Hostname() == "localhost" {
		return true
	}
	ip := net.ParseIP(u.Hostname())
	return ip != nil && ip.IsLoopback()
}

// Median is each figure's own median over the reports.
func Median(rs []Report) Figures {
	pick := func(f func(Figures) float64) float64 {
		xs := make([]float64, len(rs))
		for i, r := range rs {
			xs[i] = f(r.Figures)
		}
		slices.Sort(xs)
		switch n := len(xs); {
		case n == 0:
			return 0
		case n%2 == 1:
			return xs[n/2]
		default:
			return (xs[n/2-1] + xs[n/2]) / 2
		}
	}
	return Figures{
		Score: pick(func(f Figures) float64 { return f.Score }), LCP: pick(func(f Figures) float64 { return f.LCP }),
		FCP: pick(func(f Figures) float64 { return f.FCP }), TBT: pick(func(f Figures) float64 { return f.TBT }),
		CLS: pick(func(f Figures) float64 { return f.CLS }), SpeedIndex: pick(func(f Figures) float64 { return f.SpeedIndex }),
		TransferBytes: pick(func(f Figures) float64 { return f.TransferBytes }),
		LongestTask:   pick(func(f Figures) float64 { return f.LongestTask }),
		Requests:      int(pick(func(f Figures) float64 { return float64(f.Requests) })),
		DOMElements:   int(pick(func(f Figures) float64 { return float64(f.DOMElements) })),
	}
}

// Installed returns Lighthouse's command-line script in dir, or an error
// saying how to install it.
func Installed(dir string) (string, error) {
	cli := filepath.Join(dir, "node_modules", "lighthouse", "cli", "index.js")
	if _, err := os.Stat(cli); err != nil {
		return "", fmt.Errorf("lighthouse: not installed (npm ci in %s, as make bench does): %w", dir, err)
	}
	return cli, nil
}

// Run measures cfg.URL cfg.Runs times, one Lighthouse (and one Chromium)
// after the other, and returns every checked report; raw is the last
// run's JSON as Lighthouse wrote it.
func Run(ctx context.Context, cfg Config) (reports []Report, raw []byte, err error) {
	cli, err := Installed(cfg.Dir)
	if err != nil {
		return nil, nil, err
	}
	tmp, err := os.MkdirTemp("", "arendevy-lighthouse-")
	if err != nil {
		return nil, nil, err
	}
	defer os.RemoveAll(tmp)
	headers := "{}"
	if cfg.Cookie != "" {
		b, _ := json.Marshal(map[string]string{"Cookie": cfg.Cookie})
		headers = filepath.Join(tmp, "headers.json")
		// A file, not an argument: the session's cookie stays out of ps.
		if err := os.WriteFile(headers, b, 0o600); err != nil {
			return nil, nil, err
		}
	}
	run := func(out string) ([]byte, error) {
		cmd := exec.CommandContext(ctx, "node", cli, cfg.URL,
			"--output=json", "--output-path="+out, "--quiet",
			"--only-categories=performance", "--form-factor=mobile", "--throttling-method=simulate",
			"--disable-full-page-screenshot", "--chrome-flags="+strings.Join(ChromeFlags, " "), "--extra-headers="+headers)
		cmd.Env = append(os.Environ(), "CHROME_PATH="+cfg.Chrome)
		// Lighthouse's Chromium is its child: stop the whole group.
		cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true, Pdeathsig: syscall.SIGKILL}
		cmd.Cancel = func() error { return syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL) }
		var stderr bytes.Buffer
		cmd.Stderr = &stderr
		if err := cmd.Run(); err != nil {
			return nil, fmt.Errorf("lighthouse: %w\n%s", err, bytes.TrimSpace(stderr.Bytes()))
		}
		return os.ReadFile(out)
	}
	for i := range max(cfg.Runs, 1) {
		out := filepath.Join(tmp, "report-"+strconv.Itoa(i)+".json")
		raw, err = run(out)
		if err != nil {
			// Lighthouse now and then loses its trace on a busy machine
			// (NO_NAVSTART, NO_FCP): one more try, then the error stands.
			raw, err = run(out)
		}
		if err != nil {
			return nil, nil, fmt.Errorf("run %d: %w", i+1, err)
		}
		r, err := Parse(raw)
		if err != nil {
			return nil, nil, fmt.Errorf("run %d: %w", i+1, err)
		}
		if err := r.Check(cfg.URL, cfg.Seen); err != nil {
			return nil, nil, fmt.Errorf("run %d: %w", i+1, err)
		}
		reports = append(reports, r)
	}
	return reports, raw, nil
}
