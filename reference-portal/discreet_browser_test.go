package main

import (
	"context"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"testing"
	"time"

	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/chromedp"
	"github.com/stretchr/testify/require"

	"github.com/arendevy/arendevy/e2e/browser"
	"github.com/arendevy/arendevy/kit/identity"
	"github.com/arendevy/arendevy/kit/memory"
)

// switchDiscreet turns discreet mode on or off with the settings page's
// switch (an ordinary checkbox in the settings form), which says what it
// hides.
func switchDiscreet(t *testing.T, ctx context.Context, tab *browser.Tab, base string, on bool) {
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

	setDiscreet := func(on bool) { t.Helper(); switchDiscreet(t, ctx, tab, base, on) }
	type row struct{ Title, Sender, Status, Date string }
	rows := func() []row {
		t.Helper()
		shownTitles(t, ctx, tab)
		got, err := browser.Eval[[]row](ctx, tab, `[...`+shadow+`.querySelectorAll("tr.case-row")].map((r) => ({
			Title: r.querySelector(".case-title").textContent, Sender: r.cells[2].textContent,
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

// TestDiscreetModeRevealsOneCaseInThePortal: in discreet mode, "Visa
// ärende" on one row shows that case's title in place, every other case
// stays hidden, and "Dölj igen" hides it again; discreet mode stays on and
// no cookie holds anything of it. Another customer's case reference (or a
// made-up one) reveals nothing and is no error; without JavaScript the
// page's links do the same. In Swedish and English.
func TestDiscreetModeRevealsOneCaseInThePortal(t *testing.T) {
	base := startPortal(t, "default")
	elin := casesOf(t, personaNumber(t, "Elin Karlsson"))

	// Another customer's reference, from their own overview.
	ctx, other := newTab(t)
	login(t, ctx, other, base, "Tolvan Tolvansson")
	shownTitles(t, ctx, other)
	theirs, err := browser.Eval[string](ctx, other, `fetch("/arendevy/api/overview").then((r) => r.json()).then((o) => o.cases[0].ref)`)
	require.NoError(t, err)
	require.NotEmpty(t, theirs)

	for _, lang := range []struct{ tag, placeholder, show, hide, shown string }{
		{"sv", "Dolt ärende", "Visa ärende", "Dölj igen", "ärende 2 av"},
		{"en", "Hidden case", "Show case", "Hide again", "case 2 of"},
	} {
		t.Run(lang.tag, func(t *testing.T) {
			ctx, tab := newTab(t)
			login(t, ctx, tab, base, "Elin Karlsson")
			_, err := tab.Navigate(ctx, base+"/sprak/"+lang.tag+"?return=/installningar")
			require.NoError(t, err)
			switchDiscreet(t, ctx, tab, base, true)
			_, err = tab.Navigate(ctx, base+"/mina-arenden")
			require.NoError(t, err)
			hidden := slices.Repeat([]string{lang.placeholder}, len(elin))
			require.Equal(t, hidden, shownTitles(t, ctx, tab))
			waitFor(t, ctx, tab, shadow+`.querySelectorAll(".reveal-case").length == `+strconv.Itoa(len(elin)))

			// The second case, with the element's button.
			ref, err := browser.Eval[string](ctx, tab, `fetch("/arendevy/api/overview").then((r) => r.json()).then((o) => o.cases[1].ref)`)
			require.NoError(t, err)
			_, err = browser.Eval[bool](ctx, tab, `(() => { `+shadow+`.querySelectorAll(".reveal-case")[1].click(); return true })()`)
			require.NoError(t, err)
			waitFor(t, ctx, tab, shadow+`.querySelector(".reveal-case[data-action=conceal]") != null`)
			titles := shownTitles(t, ctx, tab)
			require.Equal(t, lang.placeholder, titles[0])
			require.Contains(t, elin, titles[1], "that case's own title")
			require.Equal(t, hidden[2:], titles[2:], "every other case stays hidden")
			focused, err := browser.Eval[string](ctx, tab, shadow+`.activeElement?.textContent ?? ""`)
			require.NoError(t, err)
			require.Equal(t, lang.hide, focused)
			status, err := browser.Eval[string](ctx, tab, shadow+`.querySelector(".status-region").textContent`)
			require.NoError(t, err)
			require.Contains(t, status, lang.shown)
			jar, err := chromedp.Call(tab.Context(), network.GetCookies, network.GetCookiesParams{URLs: []string{base}})
			require.NoError(t, err)
			for _, c := range jar.Cookies {
				require.NotContains(t, c.Value, ref, "no cookie holds the reference")
				require.NotContains(t, c.Value, url.QueryEscape(titles[1]), "nor the case")
			}

			_, err = browser.Eval[bool](ctx, tab, `(() => { `+shadow+`.querySelector(".reveal-case[data-action=conceal]").click(); return true })()`)
			require.NoError(t, err)
			waitFor(t, ctx, tab, shadow+`.querySelector(".reveal-case[data-action=conceal]") == null`)
			require.Equal(t, hidden, shownTitles(t, ctx, tab), "hidden again")

			// Another customer's reference and a made-up one reveal nothing:
			// no error, no case text.
			for _, bad := range []string{theirs, "AAAAAAAAAAAAAAAAAAAAAA"} {
				answer, err := browser.Eval[map[string]any](ctx, tab, `fetch("/arendevy/api/overview?reveal=`+bad+`").then(async (r) => ({status: r.status, body: await r.text()}))`)
				require.NoError(t, err)
				require.EqualValues(t, 200, answer["status"])
				for _, title := range elin {
					require.NotContains(t, answer["body"], title)
				}
			}

			// Without JavaScript: the page's link reveals, and the page it
			// leads to hides again; a bad reference is the page's notice.
			require.NoError(t, tab.DisableScripts(ctx))
			_, err = tab.Navigate(ctx, base+"/mina-arenden")
			require.NoError(t, err)
			light := func() []string {
				t.Helper()
				got, err := browser.Eval[[]string](ctx, tab, `[...document.querySelectorAll("arendevy-overview .case-title")].map((e) => e.textContent)`)
				require.NoError(t, err)
				return got
			}
			require.Equal(t, hidden, light())
			require.NoError(t, tab.WaitLoad(ctx, func() error {
				return browser.Do(ctx, tab, chromedp.Click(chromedp.CSS(`arendevy-overview .reveal-case[href*="`+ref+`"]`)))
			}))
			titles = light()
			require.Contains(t, elin, titles[1])
			require.Equal(t, hidden[2:], titles[2:])
			require.NoError(t, tab.WaitLoad(ctx, func() error {
				return browser.Do(ctx, tab, chromedp.Click(chromedp.CSS(`arendevy-overview .reveal-case[data-action=conceal]`)))
			}))
			require.Equal(t, hidden, light())
			for _, bad := range []string{theirs, url.QueryEscape("<b>x</b>")} {
				status, err := tab.Navigate(ctx, base+"/mina-arenden?reveal="+bad)
				require.NoError(t, err)
				require.Equal(t, http.StatusOK, status, "never an error page")
				require.Equal(t, hidden, light())
			}
			notice, err := browser.Eval[string](ctx, tab, `document.querySelector("arendevy-overview .notices").textContent`)
			require.NoError(t, err)
			require.NotEmpty(t, notice, "the bad reference is a notice")
		})
	}
}
