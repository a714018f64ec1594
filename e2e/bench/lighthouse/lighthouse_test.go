package lighthouse

import (
	"os"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

// testdata/report.json is a real report of the reference portal's
// logged-in overview (Lighthouse 12.8.2, a busy 2-core machine), cut down
// to what Parse reads.
const page = "http://127.0.0.1:8080/mina-arenden"

func fixture(t *testing.T, edit ...string) []byte {
	t.Helper()
	b, err := os.ReadFile("testdata/report.json")
	require.NoError(t, err)
	s := string(b)
	for i := 0; i+1 < len(edit); i += 2 {
		require.Contains(t, s, edit[i], "the fixture has what the case edits")
		s = strings.ReplaceAll(s, edit[i], edit[i+1])
	}
	return []byte(s)
}

func TestParseReadsTheFigures(t *testing.T) {
	r, err := Parse(fixture(t))
	require.NoError(t, err)
	require.Equal(t, "12.8.2", r.Version)
	require.Equal(t, page, r.Final)
	require.InDelta(t, 99, r.BenchmarkIndex, 0.01)
	f := r.Figures
	require.InDelta(t, 25, f.Score, 0.01, "the score as people read it: 0–100")
	require.InDelta(t, 11058, f.LCP, 1)
	require.InDelta(t, 8356, f.FCP, 1)
	require.InDelta(t, 10671, f.TBT, 1)
	require.InDelta(t, 0, f.CLS, 0.0001)
	require.InDelta(t, 24671, f.TransferBytes, 1)
	require.Equal(t, 6, f.Requests)
	require.Equal(t, 563, f.DOMElements)
	require.Positive(t, f.LongestTask)
	require.NoError(t, r.Check(page, ".case-"))
}

func TestCheckRefusesAReportOfAnotherPageOrProfile(t *testing.T) {
	login := "http://127.0.0.1:8080/arendevy/saml/login?return=%2Fmina-arenden"
	for _, tc := range []struct {
		name, want string
		edit       []string
	}{
		{"redirected to the login", "the session did not reach it",
			[]string{`"finalDisplayedUrl": "` + page + `"`, `"finalDisplayedUrl": "` + login + `"`}},
		{"another main document", "main document",
			[]string{`"mainDocumentUrl": "` + page + `"`, `"mainDocumentUrl": "` + login + `"`}},
		{"no case on the page", `no element ".case-"`, []string{"case-", "login-"}},
		{"desktop", "not mobile", []string{`"formFactor": "mobile"`, `"formFactor": "desktop"`}},
		{"devtools throttling", "not mobile", []string{`"throttlingMethod": "simulate"`, `"throttlingMethod": "devtools"`}},
		{"fast 3G", "not Slow 4G", []string{`"rttMs": 150`, `"rttMs": 562.5`}},
		{"no CPU slowdown", "4× CPU", []string{`"cpuSlowdownMultiplier": 4`, `"cpuSlowdownMultiplier": 1`}},
		{"a request off loopback", "left loopback",
			[]string{`"http://127.0.0.1:8080/favicon.ico"`, `"https://www.gstatic.com/favicon.ico"`}},
		{"the page not 200", "answered 500", []string{`"statusCode": 200`, `"statusCode": 500`}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r, err := Parse(fixture(t, tc.edit...))
			require.NoError(t, err)
			err = r.Check(page, ".case-")
			require.ErrorIs(t, err, ErrReport)
			require.ErrorContains(t, err, tc.want)
		})
	}
}

func TestParseRefusesAFailedOrIncompleteReport(t *testing.T) {
	for _, tc := range []struct {
		name, want string
		report     []byte
	}{
		{"not JSON", "not Lighthouse JSON", []byte("<html>")},
		{"runtime error", "NO_NAVSTART", fixture(t, `"runWarnings"`,
			`"runtimeError": {"code": "NO_NAVSTART", "message": "Something went wrong with recording the trace"}, "runWarnings"`)},
		{"no performance category", "no performance score", fixture(t, `"performance": {`, `"seo": {`)},
		{"no LCP", "largest-contentful-paint", fixture(t, `"largest-contentful-paint": {`, `"lcp-gone": {`)},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Parse(tc.report)
			require.ErrorIs(t, err, ErrReport)
			require.ErrorContains(t, err, tc.want)
		})
	}
}

func TestMedianTakesEachFiguresOwnMedian(t *testing.T) {
	runs := []Figures{
		{Score: 90, LCP: 1200, TBT: 10, CLS: 0.2, TransferBytes: 30_000, Requests: 6},
		{Score: 99, LCP: 900, TBT: 300, CLS: 0, TransferBytes: 20_000, Requests: 6},
		{Score: 95, LCP: 1000, TBT: 40, CLS: 0.01, TransferBytes: 25_000, Requests: 7},
	}
	var rs []Report
	for _, f := range runs {
		rs = append(rs, Report{Figures: f})
	}
	m := Median(rs)
	require.Equal(t, Figures{Score: 95, LCP: 1000, TBT: 40, CLS: 0.01, TransferBytes: 25_000, Requests: 6}, m)
	require.InDelta(t, 950, Median(rs[1:]).LCP, 0.001, "an even count takes the mean of the middle two")
	require.Equal(t, Figures{}, Median(nil))
}
