// Package timing measures the <arendevy-overview> element in headless
// Chromium with the browser's own clocks: performance.now() marks around
// what the element does, Resource Timing for when its data arrived, Paint
// Timing for the first contentful paint, and the Long Tasks API for any
// task that kept the main thread busy for more than 50 ms.
//
// A probe script runs in every new document of a tab, before the page's
// own scripts, in an isolated world of its own: it sees the page's DOM and
// events and shares its clock, but not its globals, and the page's
// Content-Security-Policy does not apply to it. So the page is measured as
// it is served.
package timing

import (
	"context"
	_ "embed"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/chromedp"

	"github.com/arendevy/arendevy/e2e/browser"
)

// world names the probe's isolated world.
const world = "arendevy-bench"

//go:embed probe.js
var probe string

// Task is one long task: when it started and how long it took, in ms.
type Task struct {
	Start    float64 `json:"start"`
	Duration float64 `json:"duration"`
}

// Load is what one navigation to a page with the element measured. Every
// time is in milliseconds since the navigation started.
type Load struct {
	FCP      float64 `json:"fcp"`      // first contentful paint; 0 if none
	APIEnd   float64 `json:"apiEnd"`   // the overview's data fully received; 0 when the page carried it
	StyleEnd float64 `json:"styleEnd"` // the element's stylesheet received; 0 if not seen
	Loaded   float64 `json:"loaded"`   // the element said it showed the cases (arendevy-loaded)
	Layout   float64 `json:"layout"`   // its rows styled and laid out
	Rows     int     `json:"rows"`     // case rows it rendered
	Tasks    []Task  `json:"longTasks"`
}

// Render is the element's own time to show the cases: from the later of
// its data and its stylesheet arriving to its rows being laid out. It
// covers parsing the JSON, filtering, sorting, building the DOM, style and
// layout.
func (l Load) Render() float64 { return l.Layout - max(l.APIEnd, l.StyleEnd) }

// LongestTask is the longest long task, 0 when there was none.
func (l Load) LongestTask() float64 {
	longest := 0.0
	for _, t := range l.Tasks {
		longest = max(longest, t.Duration)
	}
	return longest
}

// Install makes every later document of the tab run the probe.
func Install(ctx context.Context, tab *browser.Tab) error {
	err := browser.Do(ctx, tab, chromedp.Func(func(ctx context.Context, target *chromedp.Target) error {
		_, err := cdp.Call(ctx, target, page.AddScriptToEvaluateOnNewDocument,
			page.AddScriptToEvaluateOnNewDocumentParams{Source: probe, WorldName: world})
		return err
	}))
	if err != nil {
		return fmt.Errorf("timing: installing the probe: %w", err)
	}
	return nil
}

// ErrNotShown is returned when the element did not show its cases in time.
var ErrNotShown = errors.New("timing: the element did not show the cases")

// Open navigates to url and waits, up to timeout, until the element has
// shown its cases and the page has had its first contentful paint (which
// comes first when the page carries the overview as server-rendered HTML).
func Open(ctx context.Context, tab *browser.Tab, url string, timeout time.Duration) (Load, error) {
	status, err := tab.Navigate(ctx, url)
	if err != nil {
		return Load{}, err
	}
	if status != 200 {
		return Load{}, fmt.Errorf("timing: %s answered %d", url, status)
	}
	deadline := time.Now().Add(timeout)
	for {
		l, err := Report(ctx, tab)
		if err != nil {
			return Load{}, err
		}
		if l.Loaded > 0 && l.FCP > 0 {
			return l, nil
		}
		if time.Now().After(deadline) {
			return Load{}, fmt.Errorf("%w within %s at %s", ErrNotShown, timeout, url)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// Report is what the probe has measured in the current document so far.
func Report(ctx context.Context, tab *browser.Tab) (Load, error) {
	// The probe's world cannot be evaluated in by name; it answers an event
	// by writing its figures into an attribute, which every world sees.
	l, err := browser.Eval[*Load](ctx, tab, `(() => {
		document.dispatchEvent(new Event("arendevy-bench-report"));
		const v = document.documentElement.getAttribute("data-arendevy-bench");
		return v ? JSON.parse(v) : null;
	})()`)
	if err != nil {
		return Load{}, fmt.Errorf("timing: reading the probe: %w", err)
	}
	if l == nil {
		return Load{}, errors.New("timing: no probe in this document (Install it before navigating)")
	}
	return *l, nil
}

// Change is one attribute change of the element measured in one frame.
type Change struct {
	Ms float64 `json:"ms"` // from the change to the frame painted after it
	// Settled is from the change to when the page is next idle: every row
	// is in its place by then, also those below the first groups, which the
	// element puts in order in the tasks after the frame.
	Settled float64 `json:"settledMs"`
	Rows    int     `json:"rows"`  // case rows there once settled
	First   string  `json:"first"` // the first case's title once settled
}

// Rerender sets attribute name to value on the element at the start of an
// animation frame and measures until that frame has been rendered: the
// element's filtering, sorting and DOM work, then style, layout and paint;
// and until the page is idle after it. Then it removes the attribute again,
// unmeasured.
func Rerender(ctx context.Context, tab *browser.Tab, name, value string) (Change, error) {
	c, err := browser.Call[Change](ctx, tab, `(name, value) => new Promise((done, fail) => {
		const el = document.querySelector("arendevy-overview");
		if (!el?.shadowRoot) return fail(new Error("no element on the page"));
		const frame = () => new Promise((r) => requestAnimationFrame(() => setTimeout(r)));
		const state = () => ({ rows: el.shadowRoot.querySelectorAll("tr.case-row").length,
			first: el.shadowRoot.querySelector("tr.case-row .case-title")?.textContent ?? "" });
		frame().then(() => requestAnimationFrame(() => {
			const t0 = performance.now();
			el.setAttribute(name, value);
			// After this frame's rendering, the next task.
			setTimeout(() => {
				const ms = performance.now() - t0;
				requestIdleCallback(() => {
					const settled = performance.now() - t0;
					const after = state();
					el.removeAttribute(name);
					frame().then(() => done({ ms, settledMs: settled, ...after }));
				}, { timeout: 5000 });
			});
		}));
	})`, name, value)
	if err != nil {
		return Change{}, fmt.Errorf("timing: %s=%q: %w", name, value, err)
	}
	return c, nil
}

// Median is the median of xs (0 for none).
func Median(xs []float64) float64 {
	if len(xs) == 0 {
		return 0
	}
	s := slices.Clone(xs)
	slices.Sort(s)
	if len(s)%2 == 1 {
		return s[len(s)/2]
	}
	return (s[len(s)/2-1] + s[len(s)/2]) / 2
}

// LogIn gives the tab the session cookie ("name=value", as server.Ready
// carries it) for the site at base.
func LogIn(ctx context.Context, tab *browser.Tab, base, cookie string) error {
	name, value, ok := strings.Cut(cookie, "=")
	if !ok || name == "" {
		return errors.New("timing: the cookie must be name=value")
	}
	err := browser.Do(ctx, tab, chromedp.Func(func(ctx context.Context, target *chromedp.Target) error {
		_, err := cdp.Call(ctx, target, network.SetCookie, network.SetCookieParams{Name: name, Value: value, URL: base + "/", HTTPOnly: new(true)})
		return err
	}))
	if err != nil {
		return fmt.Errorf("timing: setting the session cookie: %w", err)
	}
	return nil
}
