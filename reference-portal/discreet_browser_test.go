package main

import (
	"context"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/stretchr/testify/require"

	"github.com/arendevy/arendevy/e2e/browser"
	"github.com/arendevy/arendevy/kit/identity"
	"github.com/arendevy/arendevy/kit/memory"
)

// TestDiscreetModeOnASharedScreen: the settings page's switch (an ordinary
// checkbox in the settings form) turns discreet mode on; from then on the
// overview, in the element and in the page as served, holds no title, free
// text, officer or pair of any case (not merely hidden: not in the DOM),
// while every case keeps its row with sender, status and date. It is
// remembered on the next load, and turning it off brings the titles back.
func TestDiscreetModeOnASharedScreen(t *testing.T) {
	base := startPortal(t, "default")
	ctx, tab := newTab(t)
	login(t, ctx, tab, base, "Elin Karlsson")
	demo, err := memory.Demo(time.Now()).Overview(context.Background(), identity.Subject{User: identity.Party{Number: personaNumber(t, "Elin Karlsson")}})
	require.NoError(t, err)
	var secrets, senders []string
	for _, c := range demo.Cases {
		secrets = append(secrets, c.Title, c.FreeText, c.Officer)
		for _, p := range c.Pairs {
			// A short value ("5") or a date would be found anywhere.
			if _, err := time.Parse(time.DateOnly, p.Value); err != nil && len(p.Value) > 3 {
				secrets = append(secrets, p.Value)
			}
		}
		senders = append(senders, c.Sender.Name)
	}

	setDiscreet := func(on bool) {
		t.Helper()
		_, err := tab.Navigate(ctx, base+"/installningar")
		require.NoError(t, err)
		hint, err := browser.Eval[string](ctx, tab, `document.getElementById(document.querySelector("#discreet").getAttribute("aria-describedby"))?.textContent ?? ""`)
		require.NoError(t, err)
		require.NotEmpty(t, hint, "the switch says what it hides")
		checked, err := browser.Eval[bool](ctx, tab, `document.querySelector("#discreet").checked`)
		require.NoError(t, err)
		if checked != on {
			require.NoError(t, browser.Do(ctx, tab, chromedp.Click(chromedp.CSS("#discreet"))))
		}
		require.NoError(t, browser.Do(ctx, tab, chromedp.Click(chromedp.CSS(`form.settings button[type="submit"]`))))
		waitFor(t, ctx, tab, `document.querySelector("p.notice[role=status]") != null`)
	}
	type row struct{ Title, Sender, Status, Date string }
	rows := func() []row {
		t.Helper()
		shownTitles(t, ctx, tab)
		got, err := browser.Eval[[]row](ctx, tab, `[...`+shadow+`.querySelectorAll("tr.case-row")].map((r) => ({
			Title: r.cells[1].textContent, Sender: r.cells[2].textContent,
			Status: r.querySelector(".status-badge")?.textContent ?? "", Date: r.querySelector("time")?.getAttribute("datetime") ?? ""}))`)
		require.NoError(t, err)
		return got
	}
	checkDiscreet := func() {
		t.Helper()
		got := rows()
		require.Len(t, got, len(demo.Cases), "every case keeps its row")
		for _, r := range got {
			require.Contains(t, []string{"Dolt ärende", "Hidden case"}, r.Title, "the title cell says the neutral text")
			require.Contains(t, senders, r.Sender, "the sender stays in its place")
			require.NotEmpty(t, r.Status, "the status stays")
			require.NotEmpty(t, r.Date, "the date stays")
		}
		// Everything the page holds: the element's shadow DOM, the light DOM
		// as served (with the data the element took over) and the page.
		dom, err := browser.Eval[string](ctx, tab, `document.documentElement.outerHTML + `+shadow+`.innerHTML`)
		require.NoError(t, err)
		served, err := browser.Eval[string](ctx, tab, `fetch(location.href).then((r) => r.text())`)
		require.NoError(t, err)
		for _, s := range secrets {
			if s == "" {
				continue
			}
			require.NotContains(t, dom, htmlEscape(s), "not in the DOM, not even hidden: %q", s)
			require.NotContains(t, served, htmlEscape(s), "not in the page as served: %q", s)
		}
	}

	setDiscreet(true)
	_, err = tab.Navigate(ctx, base+"/mina-arenden")
	require.NoError(t, err)
	checkDiscreet()
	require.NoError(t, browser.Do(ctx, tab, chromedp.Reload()))
	checkDiscreet()

	setDiscreet(false)
	_, err = tab.Navigate(ctx, base+"/mina-arenden")
	require.NoError(t, err)
	require.ElementsMatch(t, casesOf(t, personaNumber(t, "Elin Karlsson")), shownTitles(t, ctx, tab), "the titles are back")

	// The element's own switch does the same through the kit's preferences
	// API, with the session's CSRF token, and says its state in aria-pressed.
	toggle := func(want string) {
		t.Helper()
		_, err := browser.Eval[bool](ctx, tab, `(() => { const s = `+shadow+`; s.querySelector(".filters").open = true; s.querySelector(".discreet-toggle").click(); return true })()`)
		require.NoError(t, err)
		waitFor(t, ctx, tab, shadow+`.querySelector(".discreet-toggle").getAttribute("aria-pressed") == "`+want+`"`)
	}
	toggle("true")
	checkDiscreet()
	require.NoError(t, browser.Do(ctx, tab, chromedp.Reload()))
	checkDiscreet()
	pressed, err := browser.Eval[string](ctx, tab, shadow+`.querySelector(".discreet-toggle").getAttribute("aria-pressed")`)
	require.NoError(t, err)
	require.Equal(t, "true", pressed, "remembered across a reload")
	toggle("false")
	waitFor(t, ctx, tab, `[...`+shadow+`.querySelectorAll(".case-title")].every((e) => !/Dolt ärende|Hidden case/.test(e.textContent))`)
	require.ElementsMatch(t, casesOf(t, personaNumber(t, "Elin Karlsson")), shownTitles(t, ctx, tab), "the titles are back")
}
