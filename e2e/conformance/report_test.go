package conformance_test

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/arendevy/arendevy/e2e/conformance"
)

// The three outputs say the same: each check with its verdict and source,
// what failed, and the totals; markup in what a portal showed is escaped.
func TestReportOutputs(t *testing.T) {
	r := &conformance.Report{URL: "https://bank.example/overview", FinalURL: "https://bank.example/overview", Generated: time.Now(),
		Results: []conformance.Result{
			{ID: conformance.CheckFieldOrder, Title: "Fields in order", Source: conformance.StandardView, Verdict: conformance.Pass, Details: []string{"columns: Date | Title"}},
			{ID: conformance.CheckTrustLine, Title: "Trust line", Source: conformance.StandardView, Verdict: conformance.Fail, Details: []string{`no line <script>alert(1)</script>`}},
			{ID: "human.support", Title: "Support never sees case data", Source: conformance.Privacy, Verdict: conformance.NeedsHuman},
		}}
	require.True(t, r.Failed())

	var text bytes.Buffer
	require.NoError(t, r.WriteText(&text))
	require.Contains(t, text.String(), "FAIL        Trust line  [trust.trust-line; the standard view]")
	require.Contains(t, text.String(), "FAIL: 1 passed, 1 failed, 1 need a person")

	var js bytes.Buffer
	require.NoError(t, r.WriteJSON(&js))
	var back conformance.Report
	require.NoError(t, json.Unmarshal(js.Bytes(), &back))
	require.Equal(t, r.Results, back.Results)

	var page bytes.Buffer
	require.NoError(t, r.WriteHTML(&page))
	html := page.String()
	require.Contains(t, html, `<span class="verdict fail">FAIL</span>`)
	require.Contains(t, html, `<span class="verdict needs-human">NEEDS-HUMAN</span>`)
	require.Contains(t, html, "<code>trust.trust-line</code>")
	require.Contains(t, html, "privacy rules")
	require.False(t, strings.Contains(html, "<script>alert(1)"), "escaped")
}
