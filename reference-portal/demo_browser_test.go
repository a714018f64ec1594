package main

import (
	"strconv"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/arendevy/arendevy/e2e/browser"
	"github.com/arendevy/arendevy/kit/supportcode"
)

// TestPortalDemoStates logs in as each persona the demo has for a state of
// the overview, through the development IdP's chooser, and looks for that
// state as the citizen sees it (the agent and the company are
// TestPortalAgentAndCompany's).
func TestPortalDemoStates(t *testing.T) {
	base := startPortal(t, "default")
	text := func(t *testing.T, tab *browser.Tab, selector string) string {
		t.Helper()
		ctx := t.Context()
		waitFor(t, ctx, tab, shadow+`?.querySelector(`+strconv.Quote(selector)+`)?.textContent.trim().length > 0`)
		s, err := browser.Eval[string](ctx, tab, shadow+`.querySelector(`+strconv.Quote(selector)+`).textContent`)
		require.NoError(t, err)
		return s
	}

	t.Run("a producer down", func(t *testing.T) {
		ctx, tab := newTab(t)
		login(t, ctx, tab, base, "Maria Öberg")
		require.ElementsMatch(t, casesOf(t, personaNumber(t, "Maria Öberg")), shownTitles(t, ctx, tab), "the others' cases are shown")
		notices := text(t, tab, ".notices")
		require.Contains(t, notices, "Skatteverket could not be reached right now", "the browser asks for English")
		retry, err := browser.Eval[int](ctx, tab, shadow+`.querySelectorAll('.notices [data-action="retry"]').length`)
		require.NoError(t, err)
		require.Positive(t, retry, "a retry beside the gap")
		// What the citizen reads out to customer service about it.
		require.Regexp(t, `^Support code: [`+supportcode.Alphabet+`]{4}-[`+supportcode.Alphabet+`]{4} `, text(t, tab, ".support-code"))
	})

	t.Run("no cases", func(t *testing.T) {
		ctx, tab := newTab(t)
		login(t, ctx, tab, base, "Ali Hassan")
		require.Contains(t, text(t, tab, ".overview"), "You have no cases with the connected organisations")
		rows, err := browser.Eval[int](ctx, tab, shadow+`.querySelectorAll(".case-row").length`)
		require.NoError(t, err)
		require.Zero(t, rows)
	})

	t.Run("many cases", func(t *testing.T) {
		ctx, tab := newTab(t)
		login(t, ctx, tab, base, "Karin Nyström")
		want := len(casesOf(t, personaNumber(t, "Karin Nyström")))
		require.GreaterOrEqual(t, want, 200)
		require.Contains(t, text(t, tab, ".status-region"), strconv.Itoa(want), "the count names every case")
		require.Len(t, shownTitles(t, ctx, tab), want)
	})
}
