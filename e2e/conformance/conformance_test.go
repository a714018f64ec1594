package conformance_test

import (
	"bytes"
	"context"
	"os"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/arendevy/arendevy/e2e/a11y"
	"github.com/arendevy/arendevy/e2e/browser"
	"github.com/arendevy/arendevy/e2e/conformance"
)

var (
	once     sync.Once
	shared   *browser.Browser
	startErr error
)

// tlsBrowser is one Chromium for the package that accepts the fixtures'
// self-signed certificates, so the portals are checked over https as
// deployed ones are.
func tlsBrowser(t *testing.T) *browser.Browser {
	t.Helper()
	once.Do(func() {
		ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
		defer cancel()
		shared, startErr = browser.Start(ctx, browser.WithFlag("ignore-certificate-errors", true))
	})
	require.NoError(t, startErr)
	return shared
}

func TestMain(m *testing.M) {
	code := m.Run()
	if shared != nil {
		_ = shared.Close()
	}
	os.Exit(code)
}

func failed(r *conformance.Report) []string {
	var out []string
	for _, x := range r.Results {
		if x.Verdict == conformance.Fail {
			out = append(out, x.ID)
		}
	}
	return out
}

func check(t *testing.T, f *fixture, opts conformance.Options) *conformance.Report {
	t.Helper()
	srv := f.start(t)
	ctx, cancel := context.WithTimeout(t.Context(), 3*time.Minute)
	defer cancel()
	opts.URL = srv.URL + "/overview"
	opts.Login = a11y.FormLogin{URL: srv.URL + "/login", Fields: []a11y.Field{{Name: "user", Value: "tester"}}}
	report, err := conformance.Run(ctx, tlsBrowser(t), opts)
	require.NoError(t, err)
	return report
}

func summary(t *testing.T, r *conformance.Report) string {
	var b bytes.Buffer
	require.NoError(t, r.WriteText(&b))
	return b.String()
}

// Each fixture portal breaks one rule, and exactly the check of that rule
// fails (with the back button too where a cached page is what it shows).
func TestEachBrokenRuleIsReportedByItsCheck(t *testing.T) {
	for _, tc := range []struct {
		name  string
		fix   fixture
		fails []string
	}{
		{"conforming", fixture{}, nil},
		{"fields out of order", fixture{fieldsOutOfOrder: true}, []string{conformance.CheckFieldOrder, conformance.CheckFieldOrderPhone}},
		{"status in colour only", fixture{colourOnlyStatus: true}, []string{conformance.CheckStatusWords}},
		{"no trust line", fixture{noTrustLine: true}, []string{conformance.CheckTrustLine}},
		{"cacheable overview", fixture{cacheable: true}, []string{conformance.CheckNoStore, conformance.CheckBackButton}},
		{"case title in the URL", fixture{titleInURL: true}, []string{conformance.CheckURLs}},
		{"cookie without Secure", fixture{insecureCookie: true}, []string{conformance.CheckCookieFlags}},
		{"deep link in the same window without warning", fixture{sameWindowLink: true}, []string{conformance.CheckDeepLinks}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			report := check(t, &tc.fix, conformance.Options{SkipAccessibility: true})
			got := failed(report)
			slices.Sort(got)
			want := slices.Clone(tc.fails)
			slices.Sort(want)
			require.Equal(t, want, got, summary(t, report))
			require.Equal(t, len(want) > 0, report.Failed())
		})
	}
}
