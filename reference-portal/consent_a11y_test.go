package main

import (
	"bytes"
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/arendevy/arendevy/e2e/a11y"
	"github.com/arendevy/arendevy/e2e/browser/browsertest"
	"github.com/arendevy/arendevy/reference-portal/config"
)

// TestConsentPagesAccessibility runs the accessibility checker, in all six
// conditions, over the pages of the consent step and the notifications:
// the consent step in place of the overview, the consent page, the
// confirmation of the withdrawal and the development outbox (the settings
// with notifications are in TestPortalAccessibility); in Swedish with the municipal
// theme and in English with the bank's.
func TestConsentPagesAccessibility(t *testing.T) {
	chromium := browsertest.Shared(t)
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Minute)
	t.Cleanup(cancel)
	for _, tc := range []struct{ theme, lang string }{{"default", "sv"}, {"bank", "en"}} {
		t.Run(tc.theme+"/"+tc.lang, func(t *testing.T) {
			base := startConfigured(t, func(cfg *config.Config) {
				cfg.Theme = tc.theme
				cfg.Preferences.Consent = true
			})
			at := func(path string) string { return base + "/sprak/" + tc.lang + "?return=" + path }
			pages := []a11y.Page{
				{URL: at("/mina-arenden"), Label: "consent step"},
				{URL: at("/samtycke"), Label: "consent page"},
				{URL: at("/installningar/aterkalla"), Label: "withdrawal"},
				{URL: at("/utveckling/utskick"), Label: "development outbox"},
			}
			report, err := a11y.Check(ctx, chromium, pages, a11y.Options{
				Login: a11y.ChoiceLogin{URL: base + "/arendevy/saml/login?return=/", Choice: "0"},
			})
			require.NoError(t, err)
			var summary bytes.Buffer
			require.NoError(t, report.WriteText(&summary))
			require.False(t, report.Failed(), "%s", summary.String())
			require.Len(t, report.Pages, len(pages))
		})
	}
}
