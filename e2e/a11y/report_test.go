package a11y_test

import (
	"bytes"
	"encoding/json"
	"image"
	"image/color"
	"image/png"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/arendevy/arendevy/e2e/a11y"
)

func samplePNG(t *testing.T) []byte {
	t.Helper()
	img := image.NewRGBA(image.Rect(0, 0, 4, 4))
	img.Set(1, 1, color.Black)
	var b bytes.Buffer
	require.NoError(t, png.Encode(&b, img))
	return b.Bytes()
}

func sampleReport(t *testing.T) *a11y.Report {
	return &a11y.Report{
		Generated:  time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC),
		Standard:   "WCAG 2.2 AA",
		AxeVersion: "4.14.1",
		AxeTags:    []string{"wcag2a", "wcag2aa"},
		AxeRules:   []string{"button-name", "color-contrast"},
		Pages: []a11y.PageResult{
			{URL: "https://portal.example/mina-arenden", Status: 200, States: []string{a11y.StateDesktop, a11y.StateNarrow}},
		},
		Findings: []a11y.Finding{{
			Page: "https://portal.example/mina-arenden", State: a11y.StateNarrow, Criterion: "1.4.10",
			Selector: `div[title="<script>alert(1)</script>"]`, Severity: a11y.SeverityError,
			Rule: a11y.RuleReflow, Message: "the page scrolls sideways",
		}, {
			Page: "https://portal.example/mina-arenden", State: a11y.StateReducedMotion, Criterion: "2.2.2",
			Selector: ".spinner", Severity: a11y.SeverityWarning, Rule: a11y.RuleMotion, Message: "animation runs for ever",
		}},
		Screenshots:  []a11y.Screenshot{{Page: "https://portal.example/mina-arenden", State: a11y.StateNarrow, PNG: samplePNG(t)}},
		Manual:       []a11y.ManualCheck{{Criterion: "1.4.1", Why: "colour alone"}},
		ScreenReader: []string{"NVDA with Firefox"},
	}
}

func TestJSONReportNamesPageStateCriterionSelectorSeverity(t *testing.T) {
	var b bytes.Buffer
	require.NoError(t, sampleReport(t).WriteJSON(&b))
	var got struct {
		Findings []map[string]any `json:"findings"`
		Manual   []map[string]any `json:"manual"`
	}
	require.NoError(t, json.Unmarshal(b.Bytes(), &got))
	require.Len(t, got.Findings, 2)
	f := got.Findings[0]
	require.Equal(t, "https://portal.example/mina-arenden", f["page"])
	require.Equal(t, a11y.StateNarrow, f["state"])
	require.Equal(t, "1.4.10", f["criterion"])
	require.Equal(t, `div[title="<script>alert(1)</script>"]`, f["selector"])
	require.Equal(t, "error", f["severity"])
	require.Equal(t, "1.4.1", got.Manual[0]["criterion"])
	require.NotContains(t, b.String(), "iVBOR", "screenshots stay out of the JSON")
}

func TestTextSummary(t *testing.T) {
	var b bytes.Buffer
	require.NoError(t, sampleReport(t).WriteText(&b))
	out := b.String()
	for _, s := range []string{
		"https://portal.example/mina-arenden  [HTTP 200]",
		"FAIL  320px", "1.4.10", "reflow", "the page scrolls sideways",
		"warn  reduced-motion", "FAIL: 1 page(s), 1 error(s), 1 warning(s)",
		"Needs a human (not decided here): 1.4.1", "Screen-reader runs still needed: NVDA with Firefox",
	} {
		require.Contains(t, out, s)
	}
}

func TestHTMLReportIsSelfContainedEscapedAndAccessible(t *testing.T) {
	t.Parallel()
	r := sampleReport(t)
	var b bytes.Buffer
	require.NoError(t, r.WriteHTML(&b))
	out := b.String()
	require.Contains(t, out, `<html lang="en">`)
	require.Contains(t, out, "data:image/png;base64,")
	require.Contains(t, out, "FAIL")
	require.NotContains(t, out, "<script>alert(1)</script>", "page content is escaped")
	require.NotContains(t, out, "http://", "nothing is loaded from elsewhere")

	// The report is a page too: the checker itself must find nothing in it.
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		w.Write(b.Bytes())
	}))
	defer srv.Close()
	checked := check(t, a11y.Options{LiveRegionHosts: []string{}}, a11y.Page{URL: srv.URL})
	var text strings.Builder
	require.NoError(t, checked.WriteText(&text))
	require.Empty(t, checked.Findings, text.String())
}

func TestFailedCountsOnlyErrors(t *testing.T) {
	r := sampleReport(t)
	require.True(t, r.Failed())
	require.Equal(t, 1, r.Count(a11y.SeverityError))
	r.Findings = r.Findings[1:]
	require.False(t, r.Failed(), "a warning alone does not fail the run")
	r.Findings = nil
	require.False(t, r.Failed())
}

func TestSaveScreenshotsNamesTheFilesInTheJSON(t *testing.T) {
	r := sampleReport(t)
	dir := filepath.Join(t.TempDir(), "shots")
	require.NoError(t, r.SaveScreenshots(dir))
	want := filepath.Join(dir, "page01-320px.png")
	require.Equal(t, want, r.Screenshots[0].File)
	b, err := os.ReadFile(want)
	require.NoError(t, err)
	require.Equal(t, samplePNG(t), b)

	var out bytes.Buffer
	require.NoError(t, r.WriteJSON(&out))
	require.Contains(t, out.String(), `"file": "`+want+`"`)
}
