package main

import (
	"bytes"
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/arendevy/arendevy/e2e/a11y"
	"github.com/arendevy/arendevy/e2e/browser"
	"github.com/arendevy/arendevy/e2e/browser/browsertest"
)

// TestPortalAccessibilityOfEveryState runs the checker over the overview's
// states that need a demo persona of their own, each logged in through the
// development IdP's chooser as a tester would: nobody with any case (Ali
// Hassan). Swedish and English, default and bank theme, all six conditions;
// zero findings is the bar. (A producer down is TestPortalAccessibility's bank portal; hidden
// actors, the module blocked and no JavaScript are the widget's tests.)
func TestPortalAccessibilityOfEveryState(t *testing.T) {
	chromium := browsertest.Shared(t)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Minute)
	t.Cleanup(cancel)

	// The demo's people, in the development IdP's order (kit/memory/demo.json).
	const ali = "5"

	elementLoaded := func(ctx context.Context, tab *browser.Tab) error {
		return waitIn(ctx, tab, shadow+`?.querySelector(".status-region, .notices p") != null`)
	}
	for _, theme := range []string{"default", "bank"} {
		base := startPortal(t, theme)
		for _, lang := range []string{"sv", "en"} {
			t.Run(theme+"/"+lang, func(t *testing.T) {
				overview := base + "/sprak/" + lang + "?return=/mina-arenden"
				for _, run := range []struct {
					persona string
					page    a11y.Page
				}{
					{ali, a11y.Page{URL: overview, Label: "no cases", Setup: elementLoaded}},
				} {
					t.Run(run.page.Label, func(t *testing.T) {
						report, err := a11y.Check(ctx, chromium, []a11y.Page{run.page}, a11y.Options{
							Login:       a11y.ChoiceLogin{URL: base + "/arendevy/saml/login?return=/", Choice: run.persona},
							PageTimeout: 5 * time.Minute,
						})
						require.NoError(t, err)
						var summary bytes.Buffer
						require.NoError(t, report.WriteText(&summary))
						if report.Failed() {
							_ = report.SaveScreenshots(filepath.Join(os.TempDir(), "arendevy-a11y-states-"+theme+"-"+lang+"-"+strings.ReplaceAll(run.page.Label, " ", "-")))
						}
						require.False(t, report.Failed(), "%s", summary.String())
						require.Len(t, report.Pages, 1)
					})
				}
			})
		}
	}
}

// waitIn polls a JavaScript condition until it holds or ctx ends (a
// page's Setup has no *testing.T to fail).
func waitIn(ctx context.Context, tab *browser.Tab, expr string) error {
	deadline := time.Now().Add(30 * time.Second)
	for time.Now().Before(deadline) {
		if ok, err := browser.Eval[bool](ctx, tab, expr); err == nil && ok {
			return nil
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(100 * time.Millisecond):
		}
	}
	return errors.New("waited in vain for " + expr)
}
