package browser_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"image/png"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/stretchr/testify/require"

	"github.com/arendevy/arendevy/e2e/browser"
	"github.com/arendevy/arendevy/e2e/browser/browsertest"
)

func TestMain(m *testing.M) { browsertest.Main(m) }

func sharedBrowser(t *testing.T) *browser.Browser { return browsertest.Shared(t) }

// strictCSP is the policy the kit serves: no inline script or style.
const strictCSP = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self'"

func fixtures(t *testing.T) *httptest.Server {
	t.Helper()
	mux := http.NewServeMux()
	page := func(path, csp, body string) {
		mux.HandleFunc(path, func(w http.ResponseWriter, r *http.Request) {
			if csp != "" {
				w.Header().Set("Content-Security-Policy", csp)
			}
			w.Header().Set("Content-Type", "text/html; charset=utf-8")
			fmt.Fprint(w, body)
		})
	}
	script := func(path, body string) {
		mux.HandleFunc(path, func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "text/javascript")
			fmt.Fprint(w, body)
		})
	}
	page("/clean", strictCSP, `<!doctype html><html lang="en"><head><title>Clean</title></head>
<body><main><h1>Clean</h1><p>Nothing wrong here.</p><button type="button">Save</button></main></body></html>`)
	page("/broken", strictCSP, `<!doctype html><html lang="en"><head><title>Broken</title>
<script type="module" src="/shadow.js"></script></head>
<body><main><h1>Broken</h1><button type="button" id="nameless"></button>
<x-widget></x-widget>
<script>document.title = "inline scripts are blocked";</script>
<img src="https://elsewhere.invalid/pixel.png" alt="blocked by img-src">
</main></body></html>`)
	script("/shadow.js", `customElements.define("x-widget", class extends HTMLElement {
  connectedCallback() {
    const root = this.attachShadow({ mode: "open" });
    const b = document.createElement("button");
    b.className = "inner";
    root.append(b);
  }
});`)
	page("/nav", strictCSP, `<!doctype html><html lang="en"><head><title>Nav</title></head>
<body><a id="next" href="/clean">next</a></body></html>`)
	page("/noisy", "", `<!doctype html><html lang="en"><head><title>Noisy</title>
<script src="/noisy.js"></script></head><body><p>x</p></body></html>`)
	script("/noisy.js", `console.error("widget failed:", 42); setTimeout(() => { throw new Error("kaboom"); });`)
	page("/late", strictCSP, `<!doctype html><html lang="en"><head><title>Late</title>
<script src="/late.js"></script></head><body><p id="out">loading</p></body></html>`)
	script("/late.js", `addEventListener("load", () => fetch("/slow").then((r) => r.text())
  .then((t) => { document.getElementById("out").textContent = t; }));`)
	mux.HandleFunc("/slow", func(w http.ResponseWriter, r *http.Request) {
		time.Sleep(300 * time.Millisecond) // longer than the quiet period asked for
		fmt.Fprint(w, "loaded")
	})
	page("/leaving", strictCSP, `<!doctype html><html lang="en"><head><title>Leaving</title>
<script src="/leaving.js"></script></head><body><p>x</p></body></html>`)
	script("/leaving.js", `addEventListener("beforeunload", () => { fetch("/hang"); });`)
	mux.HandleFunc("/hang", func(w http.ResponseWriter, r *http.Request) {
		<-r.Context().Done() // answers never: only the browser giving up ends it
	})
	mux.HandleFunc("/set-cookie", func(w http.ResponseWriter, r *http.Request) {
		http.SetCookie(w, &http.Cookie{Name: "session", Value: "tab-a", Path: "/"})
		fmt.Fprint(w, "<!doctype html><title>c</title>")
	})
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	return srv
}

func newTab(t *testing.T) (*browser.Tab, context.Context) {
	t.Helper()
	ctx, cancel := context.WithTimeout(t.Context(), 30*time.Second)
	t.Cleanup(cancel)
	tab, err := sharedBrowser(t).NewTab(ctx)
	require.NoError(t, err)
	t.Cleanup(func() { require.NoError(t, tab.Close()) })
	return tab, ctx
}

func TestAxeFindsViolationsInsideShadowRootsUnderStrictCSP(t *testing.T) {
	srv := fixtures(t)
	tab, ctx := newTab(t)
	status, err := tab.Navigate(ctx, srv.URL+"/broken")
	require.NoError(t, err)
	require.Equal(t, http.StatusOK, status)

	violations, err := tab.Axe(ctx, browser.WCAG22AA...)
	require.NoError(t, err)

	var buttonName *browser.Violation
	for i := range violations {
		if violations[i].ID == "button-name" {
			buttonName = &violations[i]
		}
	}
	require.NotNil(t, buttonName, "axe must report the unnamed buttons: %+v", violations)
	require.Equal(t, "critical", buttonName.Impact)
	require.Contains(t, buttonName.WCAG(), "4.1.2")
	require.Contains(t, buttonName.Tags, "wcag2a")
	require.NotEmpty(t, buttonName.Help)

	var targets []string
	for _, n := range buttonName.Nodes {
		targets = append(targets, n.Target.String())
	}
	require.Contains(t, targets, "#nameless")
	require.Contains(t, targets, "x-widget >>> .inner", "the button inside the open shadow root")
}

func TestAxeWithoutTagsRunsEveryRule(t *testing.T) {
	srv := fixtures(t)
	tab, ctx := newTab(t)
	_, err := tab.Navigate(ctx, srv.URL+"/clean")
	require.NoError(t, err)

	wcagOnly, err := tab.Axe(ctx, browser.WCAG22AA...)
	require.NoError(t, err)
	require.Empty(t, wcagOnly)

	// "region" is a best-practice rule, outside the WCAG tags: the button
	// is inside <main>, but axe's best practices still run and pass here,
	// and a second run reuses the injected axe.
	all, err := tab.Axe(ctx)
	require.NoError(t, err)
	require.Empty(t, all)
}

func TestDiagnosticsReportCSPViolations(t *testing.T) {
	srv := fixtures(t)
	tab, ctx := newTab(t)
	_, err := tab.Navigate(ctx, srv.URL+"/broken")
	require.NoError(t, err)

	d, err := tab.Diagnostics(ctx)
	require.NoError(t, err)
	directives := map[string]bool{}
	for _, v := range d.CSPViolations {
		directives[v.Directive] = true
		require.Equal(t, "enforce", v.Disposition)
		require.Equal(t, srv.URL+"/broken", v.DocumentURI)
	}
	require.True(t, directives["script-src-elem"], "the inline script: %+v", d.CSPViolations)
	require.True(t, directives["img-src"], "the foreign image: %+v", d.CSPViolations)
	require.Error(t, d.Err())

	_, err = tab.Navigate(ctx, srv.URL+"/clean")
	require.NoError(t, err)
	d, err = tab.Diagnostics(ctx)
	require.NoError(t, err)
	require.NoError(t, d.Err(), "a new page starts with no diagnostics")
}

func TestDiagnosticsReportConsoleErrors(t *testing.T) {
	srv := fixtures(t)
	tab, ctx := newTab(t)
	_, err := tab.Navigate(ctx, srv.URL+"/noisy")
	require.NoError(t, err)
	require.NoError(t, tab.WaitIdle(ctx, 100*time.Millisecond))

	d, err := tab.Diagnostics(ctx)
	require.NoError(t, err)
	var texts []string
	for _, c := range d.ConsoleErrors {
		texts = append(texts, c.Text)
	}
	require.Contains(t, texts, "widget failed: 42")
	require.Condition(t, func() bool {
		for _, c := range d.ConsoleErrors {
			if bytes.Contains([]byte(c.Text), []byte("kaboom")) && c.URL == srv.URL+"/noisy.js" {
				return true
			}
		}
		return false
	}, "the uncaught exception with its script: %+v", d.ConsoleErrors)
	require.Empty(t, d.CSPViolations)
}

func TestWaitIdleWaitsForFetchesAfterLoad(t *testing.T) {
	srv := fixtures(t)
	tab, ctx := newTab(t)
	_, err := tab.Navigate(ctx, srv.URL+"/late")
	require.NoError(t, err)
	require.NoError(t, tab.WaitIdle(ctx, 100*time.Millisecond))
	text, err := browser.Eval[string](ctx, tab, `document.getElementById("out").textContent`)
	require.NoError(t, err)
	require.Equal(t, "loaded", text)
}

// TestWaitIdleForgetsTheRequestsOfAPageLeft: a request the page starts as
// it is left (here in beforeunload, as a script's timer can fire while the
// next page loads) dies with it, and the browser never says so; the next
// page is idle all the same.
func TestWaitIdleForgetsTheRequestsOfAPageLeft(t *testing.T) {
	srv := fixtures(t)
	tab, ctx := newTab(t)
	_, err := tab.Navigate(ctx, srv.URL+"/leaving")
	require.NoError(t, err)
	require.NoError(t, tab.WaitIdle(ctx, 100*time.Millisecond))
	_, err = tab.Navigate(ctx, srv.URL+"/clean")
	require.NoError(t, err)
	wait, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	require.NoError(t, tab.WaitIdle(wait, 100*time.Millisecond))
}

func TestViewportMediaAndScreenshot(t *testing.T) {
	srv := fixtures(t)
	tab, ctx := newTab(t)
	require.NoError(t, tab.SetViewport(ctx, 320, 480))
	_, err := tab.Navigate(ctx, srv.URL+"/clean")
	require.NoError(t, err)

	width, err := browser.Eval[int](ctx, tab, `innerWidth`)
	require.NoError(t, err)
	require.Equal(t, 320, width)

	query := `(q) => matchMedia(q).matches`
	for _, tc := range []struct {
		features []browser.MediaFeature
		forced   bool
		reduced  bool
	}{
		{[]browser.MediaFeature{browser.ForcedColors}, true, false},
		{[]browser.MediaFeature{browser.ForcedColors, browser.ReducedMotion}, true, true},
		{nil, false, false},
	} {
		require.NoError(t, tab.EmulateMedia(ctx, tc.features...))
		forced, err := browser.Call[bool](ctx, tab, query, "(forced-colors: active)")
		require.NoError(t, err)
		require.Equal(t, tc.forced, forced, "%v", tc.features)
		reduced, err := browser.Call[bool](ctx, tab, query, "(prefers-reduced-motion: reduce)")
		require.NoError(t, err)
		require.Equal(t, tc.reduced, reduced, "%v", tc.features)
	}

	shot, err := tab.Screenshot(ctx, false)
	require.NoError(t, err)
	img, err := png.Decode(bytes.NewReader(shot))
	require.NoError(t, err)
	require.Equal(t, 320, img.Bounds().Dx())
	require.Equal(t, 480, img.Bounds().Dy())
}

func TestRunAndDoUseChromedpActionsInTheMainWorld(t *testing.T) {
	srv := fixtures(t)
	tab, ctx := newTab(t)
	require.NoError(t, browser.Do(ctx, tab, chromedp.Navigate(srv.URL+"/clean")))
	title, err := browser.Run(ctx, tab, chromedp.Title())
	require.NoError(t, err)
	require.Equal(t, "Clean", title)

	// The harness's world and the page's world share the DOM, not globals.
	require.NoError(t, browser.Do(ctx, tab, chromedp.Evaluate[chromedp.Void](`window.pageGlobal = 1`)))
	seen, err := browser.Eval[string](ctx, tab, `typeof window.pageGlobal`)
	require.NoError(t, err)
	require.Equal(t, "undefined", seen)
	heading, err := browser.Eval[string](ctx, tab, `document.querySelector("h1").textContent`)
	require.NoError(t, err)
	require.Equal(t, "Clean", heading)
}

func TestEvalFollowsTheDocumentAcrossNavigations(t *testing.T) {
	srv := fixtures(t)
	tab, ctx := newTab(t)
	_, err := tab.Navigate(ctx, srv.URL+"/nav")
	require.NoError(t, err)
	title, err := browser.Eval[string](ctx, tab, `document.title`)
	require.NoError(t, err)
	require.Equal(t, "Nav", title)

	require.NoError(t, tab.WaitLoad(ctx, func() error {
		return browser.Do(ctx, tab, chromedp.Click(chromedp.ID("next")))
	}))
	title, err = browser.Eval[string](ctx, tab, `document.title`)
	require.NoError(t, err)
	require.Equal(t, "Clean", title)
}

func TestInstallAndCallOn(t *testing.T) {
	srv := fixtures(t)
	tab, ctx := newTab(t)
	_, err := tab.Navigate(ctx, srv.URL+"/clean")
	require.NoError(t, err)

	lib := `globalThis.counter = { n: 0 }; counter.n++;`
	require.NoError(t, browser.Install(ctx, tab, "counter", lib))
	require.NoError(t, browser.Install(ctx, tab, "counter", lib))
	n, err := browser.Eval[int](ctx, tab, `counter.n`)
	require.NoError(t, err)
	require.Equal(t, 1, n, "a second Install must not evaluate the library again")

	nodes, err := browser.Run(ctx, tab, chromedp.Nodes(chromedp.CSS("button")))
	require.NoError(t, err)
	require.Len(t, nodes, 1)
	text, err := browser.CallOn[string](ctx, tab, nodes[0].BackendNodeID,
		`function (suffix) { return this.textContent + suffix + counter.n }`, "!")
	require.NoError(t, err)
	require.Equal(t, "Save!1", text, "the node, the argument and the isolated world's globals")
}

func TestTabsHaveTheirOwnCookies(t *testing.T) {
	srv := fixtures(t)
	a, ctx := newTab(t)
	b, _ := newTab(t)
	_, err := a.Navigate(ctx, srv.URL+"/set-cookie")
	require.NoError(t, err)
	_, err = b.Navigate(ctx, srv.URL+"/clean")
	require.NoError(t, err)

	cookieA, err := browser.Run(ctx, a, chromedp.Evaluate[string](`document.cookie`))
	require.NoError(t, err)
	require.Equal(t, "session=tab-a", cookieA)
	cookieB, err := browser.Run(ctx, b, chromedp.Evaluate[string](`document.cookie`))
	require.NoError(t, err)
	require.Empty(t, cookieB)
}

func TestEvalReportsScriptErrors(t *testing.T) {
	tab, ctx := newTab(t)
	_, err := browser.Eval[int](ctx, tab, `nosuchthing.field`)
	require.ErrorContains(t, err, "nosuchthing")
	none, err := browser.Call[int](ctx, tab, `(...a) => a.length`)
	require.NoError(t, err)
	require.Zero(t, none)
	sum, err := browser.Call[int](ctx, tab, `(a, b) => a + b`, 2, 3)
	require.NoError(t, err)
	require.Equal(t, 5, sum)
}

// Outside any checkout (no e2e/node_modules above the working directory)
// axe-core still runs: it is embedded. A file named instead that cannot be
// read is a clear error.
func TestAxeIsEmbedded(t *testing.T) {
	srv := fixtures(t)
	t.Chdir(t.TempDir())
	tab, ctx := newTab(t)
	_, err := tab.Navigate(ctx, srv.URL+"/clean")
	require.NoError(t, err)
	violations, err := tab.Axe(ctx, browser.WCAG22AA...)
	require.NoError(t, err)
	require.Empty(t, violations)

	ctx, cancel := context.WithTimeout(t.Context(), time.Minute)
	defer cancel()
	b, err := browser.Start(ctx, browser.WithAxeScript(filepath.Join(t.TempDir(), "axe.min.js")))
	require.NoError(t, err)
	defer func() { require.NoError(t, b.Close()) }()
	other, err := b.NewTab(ctx)
	require.NoError(t, err)
	_, err = other.Axe(ctx)
	require.ErrorIs(t, err, browser.ErrAxeScript)
}

func TestStartFailsClearlyWithoutChromium(t *testing.T) {
	ctx, cancel := context.WithTimeout(t.Context(), 30*time.Second)
	defer cancel()
	_, err := browser.Start(ctx, browser.WithExecPath(filepath.Join(t.TempDir(), "no-chromium")))
	require.ErrorIs(t, err, browser.ErrStart)
	require.ErrorIs(t, err, browser.ErrNoChromium)
	require.ErrorContains(t, err, "apt-get install chromium")
}

func TestTargetAndCriteria(t *testing.T) {
	for _, tc := range []struct {
		json string
		want string
	}{
		{`["#a"]`, "#a"},
		{`[["x-widget", ".inner"]]`, "x-widget >>> .inner"},
		{`["iframe", ["x-a", "x-b", "button"]]`, "iframe |> x-a >>> x-b >>> button"},
	} {
		var target browser.Target
		require.NoError(t, target.UnmarshalJSON([]byte(tc.json)))
		require.Equal(t, tc.want, target.String())
	}
	var target browser.Target
	require.Error(t, target.UnmarshalJSON([]byte(`[1]`)))

	for tag, want := range map[string]string{
		"wcag143": "1.4.3", "wcag1412": "1.4.12", "wcag258": "2.5.8", "wcag412": "4.1.2",
		"wcag2aa": "", "wcag21a": "", "best-practice": "", "wcag": "",
	} {
		got, ok := browser.CriterionOfTag(tag)
		require.Equal(t, want != "", ok, tag)
		require.Equal(t, want, got, tag)
	}
}

func FuzzTargetJSON(f *testing.F) {
	for _, s := range []string{`["#a"]`, `[["x-a", ".b"]]`, `["iframe", ["x", "y"]]`, `[]`, `[1]`, `null`, `{}`} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		var target browser.Target
		if err := target.UnmarshalJSON(data); err != nil {
			return
		}
		again, err := json.Marshal(target)
		if err != nil {
			t.Fatal(err)
		}
		var back browser.Target
		if err := back.UnmarshalJSON(again); err != nil || back.String() != target.String() {
			t.Fatalf("round trip of %q: %q vs %q (%v)", data, back.String(), target.String(), err)
		}
	})
}
