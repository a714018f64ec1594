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
	"github.com/arendevy/arendevy/reference-portal/config"
)

// TestPortalAccessibilityOfEveryState runs the checker over the overview's
// states that need a demo persona or a portal of their own, each logged in
// through the development IdP's chooser as a tester would: nobody with any
// case (Ali Hassan); an agent acting for his grandfather (Johan Lindqvist
// for Tolvan Tolvansson); actors hidden, with the notice that says so
// (Tolvan, who hides one in the settings first); a producer down (Maria
// Öberg, whose Skatteverket does not answer); and the "stay logged in"
// dialog open over the page (a portal with a short idle limit). All six
// conditions; zero findings is the bar. "No cases" runs in Swedish and
// English in both themes; each other state in two of those four pairs,
// which between them cover both languages and both themes. Each Setup
// first makes sure the state is there (a marker of it on the page), so a
// state that was never reached cannot pass. (The module blocked and no
// JavaScript are the widget's tests.)
func TestPortalAccessibilityOfEveryState(t *testing.T) {
	chromium := browsertest.Shared(t)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Minute)
	t.Cleanup(cancel)

	// The demo's people, in the development IdP's order (kit/memory/demo.json).
	const elin, johan, tolvan, maria, ali = "0", "1", "2", "4", "5"

	elementLoaded := func(ctx context.Context, tab *browser.Tab) error {
		return waitIn(ctx, tab, shadow+`?.querySelector(".status-region, .notices p") != null`)
	}
	actingForTolvan := func(ctx context.Context, tab *browser.Tab) error {
		const heading = `document.querySelector("h1").textContent.includes("Tolvan Tolvansson")`
		if ok, err := browser.Eval[bool](ctx, tab, heading); err != nil || !ok {
			if err := tab.WaitLoad(ctx, func() error {
				_, err := browser.Eval[bool](ctx, tab, `[...document.querySelectorAll(".act-for button")].find((b) => b.textContent == "Tolvan Tolvansson").click() ?? true`)
				return err
			}); err != nil {
				return err
			}
		}
		if err := waitIn(ctx, tab, heading+` && document.querySelector(".act-for [aria-current=true]")?.textContent == "Tolvan Tolvansson"`); err != nil {
			return err
		}
		return waitIn(ctx, tab, shadow+`?.querySelectorAll(".case-row").length > 0`)
	}
	hiddenNotice := shadow + `?.querySelector(".notices a[href*='installningar']") != null && ` + shadow + `.querySelectorAll(".case-row").length > 0`
	hidingAnActor := func(ctx context.Context, tab *browser.Tab) error {
		if ok, err := browser.Eval[bool](ctx, tab, `(async () => { await new Promise((r) => setTimeout(r, 1000)); return `+hiddenNotice+` })()`); err == nil && ok {
			return nil
		}
		back, err := browser.Eval[string](ctx, tab, `location.href`)
		if err != nil {
			return err
		}
		if _, err := tab.Navigate(ctx, strings.Split(back, "/mina-arenden")[0]+"/installningar"); err != nil {
			return err
		}
		if err := tab.WaitLoad(ctx, func() error {
			_, err := browser.Eval[bool](ctx, tab, `(() => { document.querySelector("#hide-0").checked = true; document.querySelector("form.settings").requestSubmit(); return true })()`)
			return err
		}); err != nil {
			return err
		}
		if _, err := tab.Navigate(ctx, back); err != nil {
			return err
		}
		return waitIn(ctx, tab, hiddenNotice)
	}
	producerDown := func(ctx context.Context, tab *browser.Tab) error {
		return waitIn(ctx, tab, shadow+`?.querySelector(".notices")?.textContent.includes("Skatteverket") && `+shadow+`.querySelectorAll(".case-row").length > 0`)
	}
	dialogOpen := func(ctx context.Context, tab *browser.Tab) error {
		return waitIn(ctx, tab, expiryDialog+`?.open == true && `+expiryDialog+`.matches(":modal")`)
	}
	for _, theme := range []string{"default", "bank"} {
		base := startPortal(t, theme)
		// Long enough for every check of one condition to run while the
		// dialog is open (the second half of the idle time).
		expiring := startConfigured(t, func(cfg *config.Config) { cfg.Theme = theme; cfg.Session.Idle = 24 * time.Second })
		for _, lang := range []string{"sv", "en"} {
			// Each state but "no cases" runs in two of the four
			// theme-and-language pairs, so that it is checked in both
			// themes and both languages without the whole cross product
			// (each run costs about 40 s).
			firstPair := (theme == "default") == (lang == "sv")
			t.Run(theme+"/"+lang, func(t *testing.T) {
				at := func(base string) string { return base + "/sprak/" + lang + "?return=/mina-arenden" }
				type state struct {
					base, persona string
					page          a11y.Page
				}
				runs := []state{{base, ali, a11y.Page{URL: at(base), Label: "no cases", Setup: elementLoaded}}}
				if firstPair {
					runs = append(runs,
						state{base, johan, a11y.Page{URL: at(base), Label: "agent acting for a principal", Setup: actingForTolvan}},
						state{expiring, elin, a11y.Page{URL: at(expiring), Label: "session expiry dialog", Setup: dialogOpen}})
				} else {
					runs = append(runs,
						state{base, tolvan, a11y.Page{URL: at(base), Label: "actors hidden", Setup: hidingAnActor}},
						state{base, maria, a11y.Page{URL: at(base), Label: "partial, a producer down", Setup: producerDown}})
				}
				for _, run := range runs {
					t.Run(run.page.Label, func(t *testing.T) {
						report, err := a11y.Check(ctx, chromium, []a11y.Page{run.page}, a11y.Options{
							Login:       a11y.ChoiceLogin{URL: run.base + "/arendevy/saml/login?return=/", Choice: run.persona},
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
