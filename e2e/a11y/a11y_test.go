package a11y_test

import (
	"bytes"
	"context"
	"errors"
	"image/png"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/arendevy/arendevy/e2e/a11y"
	"github.com/arendevy/arendevy/e2e/browser"
	"github.com/arendevy/arendevy/e2e/browser/browsertest"
)

func TestMain(m *testing.M) { browsertest.Main(m) }

func sharedBrowser(t *testing.T) *browser.Browser { return browsertest.Shared(t) }

// site serves the fixture pages under the strict CSP the kit uses.
func site(t *testing.T) *httptest.Server {
	t.Helper()
	files := http.FileServer(http.Dir("testdata/site"))
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Security-Policy", "default-src 'self'; img-src 'self' data:")
		files.ServeHTTP(w, r)
	}))
	t.Cleanup(srv.Close)
	return srv
}

func check(t *testing.T, opts a11y.Options, pages ...a11y.Page) *a11y.Report {
	t.Helper()
	ctx, cancel := context.WithTimeout(t.Context(), 2*time.Minute)
	defer cancel()
	if opts.LiveRegionHosts == nil {
		opts.LiveRegionHosts = []string{"x-results"}
	}
	if opts.Quiet == 0 {
		opts.Quiet = 100 * time.Millisecond // the fixtures fetch nothing after their load event
	}
	r, err := a11y.Check(ctx, sharedBrowser(t), pages, opts)
	require.NoError(t, err)
	return r
}

// want is a finding a test expects: the rule, the criterion, and a part
// of the selector.
type want struct {
	state, criterion, rule, selector string
}

func requireFinding(t *testing.T, r *a11y.Report, w want) {
	t.Helper()
	for _, f := range r.Findings {
		if f.State == w.state && f.Criterion == w.criterion && f.Rule == w.rule && strings.Contains(f.Selector, w.selector) {
			require.Equal(t, a11y.SeverityError, f.Severity, "%+v", f)
			require.NotEmpty(t, f.Message)
			return
		}
	}
	var got strings.Builder
	require.NoError(t, r.WriteText(&got))
	t.Fatalf("no finding %+v in:\n%s", w, got.String())
}

func requireNoCheckerFailures(t *testing.T, r *a11y.Report) {
	t.Helper()
	for _, f := range r.Findings {
		require.NotEqual(t, a11y.RuleCheckerFailure, f.Rule, "%+v", f)
	}
}

func TestBrokenFixtureReportsEachProblemWithItsCriterion(t *testing.T) {
	t.Parallel()
	srv := site(t)
	r := check(t, a11y.Options{}, a11y.Page{URL: srv.URL + "/broken.html"})
	requireNoCheckerFailures(t, r)
	require.True(t, r.Failed())

	for name, w := range map[string]want{
		"unnamed button (axe)":              {a11y.StateDesktop, "4.1.2", "axe/button-name", "#nameless"},
		"unnamed button (tree)":             {a11y.StateDesktop, "4.1.2", a11y.RuleNameRoleValue, "#nameless"},
		"unnamed button in a shadow root":   {a11y.StateDesktop, "4.1.2", a11y.RuleNameRoleValue, "x-results >>> button"},
		"low contrast":                      {a11y.StateDesktop, "1.4.3", "axe/color-contrast", ".faint"},
		"focus trap":                        {a11y.StateDesktop, "2.1.2", a11y.RuleKeyboardTrap, "#trap-a"},
		"outline: none without replacement": {a11y.StateDesktop, "2.4.7", a11y.RuleFocusVisible, "button:nth-of-type(1)"},
		"horizontal scrolling at 320 px":    {a11y.StateNarrow, "1.4.10", a11y.RuleReflow, "div:nth-of-type(2)"},
		"16 px target":                      {a11y.StateDesktop, "2.5.8", a11y.RuleTargetSize, "#nameless"},
		"16 px target at 320 px":            {a11y.StateNarrow, "2.5.8", a11y.RuleTargetSize, "#nameless"},
		"missing lang":                      {a11y.StateDesktop, "3.1.1", a11y.RuleLanguage, "html"},
		"missing lang (axe)":                {a11y.StateDesktop, "3.1.1", "axe/html-has-lang", "html"},
		"no status region":                  {a11y.StateDesktop, "4.1.3", a11y.RuleStatusRegion, "x-results"},
	} {
		t.Run(name, func(t *testing.T) { requireFinding(t, r, w) })
	}
}

func TestCleanFixturePassesInEveryStateAndCrawlsSameOriginLinks(t *testing.T) {
	t.Parallel()
	srv := site(t)
	r := check(t, a11y.Options{Crawl: 5}, a11y.Page{URL: srv.URL + "/clean.html"})
	var text strings.Builder
	require.NoError(t, r.WriteText(&text))
	require.Empty(t, r.Findings, text.String())
	require.False(t, r.Failed())
	require.Contains(t, text.String(), "PASS")

	// The crawler followed "Other page", skipped "Log out" (the fixture
	// server would answer 404) and did not check the start page twice.
	var urls []string
	for _, p := range r.Pages {
		urls = append(urls, p.URL)
		require.Equal(t, http.StatusOK, p.Status)
		require.Len(t, p.States, 6, "every state ran on %s", p.URL)
	}
	require.Equal(t, []string{srv.URL + "/clean.html", srv.URL + "/other.html"}, urls)

	require.NotEmpty(t, r.AxeVersion)
	require.Contains(t, r.AxeRules, "color-contrast")
	require.Contains(t, r.AxeRules, "target-size", "the WCAG 2.2 rules ran")
	var shots []string
	for _, s := range r.Screenshots {
		img, err := png.Decode(bytes.NewReader(s.PNG))
		require.NoError(t, err)
		if s.State == a11y.StateNarrow {
			require.Equal(t, 320, img.Bounds().Dx())
		}
		if s.Page == srv.URL+"/clean.html" {
			shots = append(shots, s.State)
		}
	}
	require.ElementsMatch(t, []string{a11y.StateNarrow, a11y.StateTextZoom, a11y.StateTextSpacing, a11y.StateForcedColors}, shots)
}

func TestSingleProblemPages(t *testing.T) {
	t.Parallel()
	srv := site(t)
	for _, tc := range []struct {
		page   string
		states []string
		want   want
	}{
		{"disclosure-space", []string{a11y.StateDesktop}, want{a11y.StateDesktop, "2.1.1", a11y.RuleDisclosureKeys, "#enter-only"}},
		{"expanded-generic", []string{a11y.StateDesktop}, want{a11y.StateDesktop, "4.1.2", a11y.RuleExpandedState, "#generic"}},
		{"sticky", []string{a11y.StateDesktop}, want{a11y.StateDesktop, "2.4.11", a11y.RuleFocusObscured, "#hidden-link"}},
		{"clipped", []string{a11y.StateTextZoom}, want{a11y.StateTextZoom, "1.4.4", a11y.RuleTextResize, "#zoom-box"}},
		{"clipped", []string{a11y.StateTextSpacing}, want{a11y.StateTextSpacing, "1.4.12", a11y.RuleTextSpacing, "#spacing-box"}},
		{"forced", []string{a11y.StateForcedColors}, want{a11y.StateForcedColors, "1.4.3", a11y.RuleContentVisible, "#ghost"}},
		{"mislabelled", []string{a11y.StateDesktop}, want{a11y.StateDesktop, "3.1.1", a11y.RuleLanguage, "html"}},
		{"order", []string{a11y.StateDesktop}, want{a11y.StateDesktop, "2.4.3", a11y.RuleFocusOrder, "button:nth-of-type(2)"}},
		{"order", []string{a11y.StateDesktop}, want{a11y.StateDesktop, "2.1.1", a11y.RuleKeyboardReach, "#span-button"}},
	} {
		t.Run(tc.page+"/"+tc.want.rule, func(t *testing.T) {
			t.Parallel()
			r := check(t, a11y.Options{States: tc.states}, a11y.Page{URL: srv.URL + "/cases/" + tc.page + ".html"})
			requireNoCheckerFailures(t, r)
			requireFinding(t, r, tc.want)
		})
	}
}

func TestWarningsAreReportedWithoutFailing(t *testing.T) {
	t.Parallel()
	srv := site(t)
	r := check(t, a11y.Options{States: []string{a11y.StateReducedMotion}}, a11y.Page{URL: srv.URL + "/cases/motion.html"})
	require.Len(t, r.Findings, 1, "%+v", r.Findings)
	f := r.Findings[0]
	require.Equal(t, a11y.SeverityWarning, f.Severity)
	require.Equal(t, "2.2.2", f.Criterion)
	require.Contains(t, f.Selector, "#spinner")
	require.False(t, r.Failed())
	require.Equal(t, 1, r.Count(a11y.SeverityWarning))
}

func TestSetupBringsThePageIntoALabelledState(t *testing.T) {
	t.Parallel()
	srv := site(t)
	expand := func(ctx context.Context, tab *browser.Tab) error {
		_, err := browser.Eval[any](ctx, tab, `document.querySelector("x-disclosure").shadowRoot.querySelector("button").click()`)
		return err
	}
	r := check(t, a11y.Options{States: []string{a11y.StateDesktop, a11y.StateTextSpacing}},
		a11y.Page{URL: srv.URL + "/clean.html", Label: "expanded", Setup: expand})
	require.Empty(t, r.Findings)
	require.Equal(t, "expanded", r.Pages[0].Label)

	failing := func(context.Context, *browser.Tab) error { return errors.New("no such state") }
	r = check(t, a11y.Options{States: []string{a11y.StateDesktop}},
		a11y.Page{URL: srv.URL + "/clean.html", Label: "broken setup", Setup: failing})
	require.True(t, r.Failed(), "a state that cannot be set up is not a pass")
	require.Equal(t, a11y.RuleCheckerFailure, r.Findings[0].Rule)
	require.Equal(t, "broken setup", r.Findings[0].Label)
	require.Contains(t, r.Findings[0].Message, "no such state")
}

func TestMissingPageIsAFinding(t *testing.T) {
	t.Parallel()
	srv := site(t)
	r := check(t, a11y.Options{}, a11y.Page{URL: srv.URL + "/nowhere.html"})
	require.True(t, r.Failed())
	require.Len(t, r.Findings, 1)
	require.Equal(t, a11y.RulePageLoad, r.Findings[0].Rule)
	require.Equal(t, http.StatusNotFound, r.Pages[0].Status)
}

func TestUnknownStateIsAnError(t *testing.T) {
	_, err := a11y.Check(t.Context(), sharedBrowser(t), nil, a11y.Options{States: []string{"upside-down"}})
	require.ErrorIs(t, err, a11y.ErrUnknownState)
}

// TestAnOpenModalDialogIsWhereTabStays: with a modal dialog open (the
// session's "stay logged in" dialog), the page behind it is inert, so Tab
// not reaching it is right, and cycling in the dialog is no trap: Escape
// closes a modal dialog.
func TestAnOpenModalDialogIsWhereTabStays(t *testing.T) {
	t.Parallel()
	srv := site(t)
	r := check(t, a11y.Options{}, a11y.Page{URL: srv.URL + "/cases/modal.html"})
	var text strings.Builder
	require.NoError(t, r.WriteText(&text))
	require.Empty(t, r.Findings, text.String())
}
