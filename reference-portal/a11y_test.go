package main

import (
	"bytes"
	"context"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/arendevy/arendevy/e2e/a11y"
	"github.com/arendevy/arendevy/e2e/browser"
	"github.com/arendevy/arendevy/e2e/browser/browsertest"
	"github.com/arendevy/arendevy/kit/cases"
	"github.com/arendevy/arendevy/reference-portal/config"
)

// TestPortalAccessibility runs the accessibility checker over the reference
// portal as a tester would: logged in through the development IdP, every
// page in Swedish and English, in the default and the bank theme, in
// Finnish in the default theme and in Arabic, right to left, in the bank
// theme (issue 20: each further language once), the
// overview in its states (as loaded, a case expanded, filtered to nothing,
// sorted and filtered by the address as the no-JS form does, an address
// refused with a notice, and partial with a producer down; hidden actors,
// the module blocked and every detail opened without JavaScript are run in
// widget's tests, in both languages and themes), each in all six conditions (desktop,
// 320 px, 200 % text, text spacing, forced colours, reduced motion).
// Zero findings is the bar.
func TestPortalAccessibility(t *testing.T) {
	down := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusInternalServerError)
		_, _ = w.Write([]byte(`{"message":"internal error"}`))
	}))
	t.Cleanup(down.Close)
	failing := config.Source{Kind: config.KindMinaArenden, Name: "mina-arenden", URL: down.URL,
		Operator: cases.Actor{ID: "mina-arenden", Name: "Mina ärenden"}}

	portals := []struct {
		theme string
		base  string
	}{
		{"default", startPortal(t, "default")},
		{"bank", startPortal(t, "bank", failing)}, // partial: one source down
	}
	chromium := browsertest.Shared(t)
	ctx, cancel := context.WithTimeout(context.Background(), 15*time.Minute)
	t.Cleanup(cancel)

	expand := func(ctx context.Context, tab *browser.Tab) error {
		_, err := browser.Eval[bool](ctx, tab, shadow+`.querySelector(".case-title").click() ?? true`)
		return err
	}
	nothing := func(ctx context.Context, tab *browser.Tab) error {
		_, err := browser.Eval[bool](ctx, tab, `document.querySelector("arendevy-overview").setAttribute("filter-text", "finns inte alls") ?? true`)
		return err
	}
	for _, p := range portals {
		// The themes run side by side, each with its own portal and tab:
		// the checker mostly waits for the page (one after the other, five
		// pairs took 9 min 47 s and 1 min 54 s of CPU).
		t.Run(p.theme, func(t *testing.T) {
			t.Parallel()
			// Each theme in sv and en, and one more language each: Finnish in
			// the default theme, Arabic (right to left) in the bank's.
			langs := []string{"sv", "en", "fi"}
			if p.theme == "bank" {
				langs[2] = "ar"
			}
			for _, lang := range langs {
				t.Run(lang, func(t *testing.T) {
					at := func(path string) string { return p.base + "/sprak/" + lang + "?return=" + path }
					pages := []a11y.Page{
						{URL: at("/"), Label: "start"},
						{URL: at("/mina-arenden"), Label: "overview"},
						{URL: at("/mina-arenden"), Label: "expanded", Setup: expand},
						{URL: at("/mina-arenden"), Label: "filtered to nothing", Setup: nothing},
						{URL: at("/mina-arenden?sort=status&scope=open"), Label: "sorted and filtered by the address (the no-JS form)"},
						{URL: at("/mina-arenden?sort=nonsense"), Label: "address refused, with a notice"},
						{URL: at("/installningar"), Label: "settings"},
						{URL: at("/om-tjansten"), Label: "about"},
						{URL: p.base + "/arendevy/producers/lantmateriet?lang=" + lang, Label: "information page"},
					}
					report, err := a11y.Check(ctx, chromium, pages, a11y.Options{
						Login: a11y.ChoiceLogin{URL: p.base + "/arendevy/saml/login?return=/", Choice: "0"}, // the first persona: Elin Karlsson
					})
					require.NoError(t, err)
					var summary bytes.Buffer
					require.NoError(t, report.WriteText(&summary))
					if report.Failed() {
						dir := filepath.Join(os.TempDir(), "arendevy-a11y-"+p.theme+"-"+lang)
						_ = report.SaveScreenshots(dir)
						if f, err := os.Create(dir + ".html"); err == nil {
							_ = report.WriteHTML(f)
							f.Close()
						}
					}
					require.False(t, report.Failed(), "%s", summary.String())
					require.Len(t, report.Pages, len(pages))
				})
			}
		})
	}
}
