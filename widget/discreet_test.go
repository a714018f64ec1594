package widget_test

import (
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"
	"github.com/stretchr/testify/require"

	"github.com/arendevy/arendevy/e2e/browser"
	"github.com/arendevy/arendevy/kit"
)

// TestDiscreetToggleSavesTheModeAndTheKitRedacts: the element's toggle
// button says with aria-pressed whether discreet mode is on, saves it in the
// preferences (so a reload keeps it), and the overview comes back from the
// kit without the producers' texts: not in the element, not in the API's
// JSON, not in the server-rendered page. Pressed again, the texts return.
func TestDiscreetToggleSavesTheModeAndTheKitRedacts(t *testing.T) {
	f := newFixture(t, world{cases: standard()}, kit.View{SettingsURL: "/installningar"})
	secrets := []string{"Ansökan om F-skatt", "Bygglov för carport", "Vi har tagit emot din ansökan.", "Anna Berg", "Inkomstår", "Komplettera ritningarna"}
	toggle := q(".discreet-toggle")
	pressed := func(p *page) string { return evalAs[string](p, toggle+`.getAttribute("aria-pressed")`) }
	api := func(p *page) string {
		return mainAs[string](p, `fetch("/arendevy/api/overview", {cache: "no-store"}).then((r) => r.text())`)
	}

	p := open(t, f.url("/page", pageOpts{}), 375)
	p.expect("status of 404") // /arendevy/api/csrf: the fixture's kit keeps no sessions: no token to fetch
	p.ready()
	p.click(".filters summary")
	require.Equal(t, "false", pressed(p))
	require.Equal(t, "Diskret läge", p.text(".discreet-toggle"))
	require.Contains(t, api(p), "Anna Berg")

	p.click(".discreet-toggle")
	p.waitFor(toggle + `.getAttribute("aria-pressed") == "true"`)
	p.waitFor(q("tbody .case-title"))
	require.Equal(t, []string{"Dolt ärende", "Dolt ärende", "Dolt ärende", "Dolt ärende", "Dolt ärende", "Dolt ärende"}, p.texts(".case-title"))
	require.Equal(t, "BUTTON Diskret läge", p.focused(), "focus stays on the switch")
	shadowHTML := evalAs[string](p, sr+`.innerHTML`)
	body := api(p)
	for _, s := range secrets {
		require.NotContains(t, shadowHTML, s, "the element never had it")
		require.NotContains(t, body, s, "the API leaves it out")
	}
	require.Contains(t, body, `"discreet":true`)
	require.Contains(t, p.text("tbody"), "Skatteverket", "sender, status and dates stay")
	p.axe("discreet mode on")

	// A reload keeps it: it is a preference.
	p.navigate(f.url("/page", pageOpts{lang: "en"}))
	p.ready()
	require.Equal(t, "true", pressed(p))
	require.Equal(t, "Hidden case", p.texts(".case-title")[0])

	// Without JavaScript: the page holds no title either, and the settings
	// page, where the mode is switched, is one click away.
	ssr := open(t, f.url("/ssr", pageOpts{}), 375)
	html := evalAs[string](ssr, `document.documentElement.outerHTML`)
	for _, s := range secrets {
		require.NotContains(t, html, s)
	}
	require.Equal(t, "/installningar", evalAs[string](ssr, `document.querySelector(".discreet-setting a").getAttribute("href")`))
	require.Equal(t, "Diskret läge är på – ändra i inställningarna", evalAs[string](ssr, `document.querySelector(".discreet-setting a").textContent`))

	// Off again.
	p.click(".filters summary")
	p.click(".discreet-toggle")
	p.waitFor(toggle + `.getAttribute("aria-pressed") == "false"`)
	p.waitFor(`[...` + sr + `.querySelectorAll(".case-title")].some((e) => e.textContent.includes("Bygglov"))`)
	require.Contains(t, api(p), "Anna Berg")
}

// TestDiscreetModeRevealsOneCaseAndHidesItAgain: in discreet mode each
// row has a button "Visa ärende" that names which case of how many it
// shows, never its title. Pressed, the kit sends that one case whole: its
// title, officer, free text and pairs show in place with its detail open,
// every other case stays hidden, focus moves to "Dölj igen" and the status
// line says which case shows. "Dölj igen" takes the texts out of the page
// again. Without JavaScript the page has the same as links. In Swedish and
// English, in both themes, with axe-core on the revealed state.
func TestDiscreetModeRevealsOneCaseAndHidesItAgain(t *testing.T) {
	revealed := []string{"Ansökan om F-skatt", "Anna Berg", "Vi har tagit emot din ansökan.", "Inkomstår"}
	others := []string{"Bygglov för carport", "Komplettera ritningarna", "Föräldrapenning", "Återbetalning av skatt", "Överklagande av beslut"}
	for _, lang := range []struct{ tag, theme, placeholder, show, hide, shown, hidden string }{
		{"sv", "default", "Dolt ärende", "Visa ärende", "Dölj igen", "ärende 3 av 6 visas, de andra är dolda", "ärendet är dolt igen"},
		{"en", "bank", "Hidden case", "Show case", "Hide again", "case 3 of 6 is shown, the others are hidden", "the case is hidden again"},
	} {
		t.Run(lang.tag, func(t *testing.T) {
			f := newFixture(t, world{cases: standard()}, kit.View{SettingsURL: "/installningar"})
			p := open(t, f.url("/page", pageOpts{lang: lang.tag, theme: lang.theme}), 375)
			p.expect("status of 404") // /arendevy/api/csrf: the fixture's kit keeps no sessions
			p.ready()
			p.click(".filters summary")
			p.click(".discreet-toggle")
			p.waitFor(q(".discreet-toggle") + `.getAttribute("aria-pressed") == "true"`)
			p.waitFor(q("tbody .reveal-case"))
			placeholders := slices.Repeat([]string{lang.placeholder}, 6)
			require.Equal(t, placeholders, p.texts(".case-title"))
			var names []string
			for _, name := range accessibleNames(p, "button") {
				if strings.HasPrefix(name, lang.show) {
					names = append(names, name)
				}
			}
			var want []string
			of := map[string]string{"sv": "av", "en": "of"}[lang.tag]
			for i := 1; i <= 6; i++ {
				want = append(want, fmt.Sprintf("%s %d %s 6", lang.show, i, of))
			}
			require.Equal(t, want, names, "each names which case it shows, not its title")

			// The third case (Skatteverket's, with an officer, free text and a
			// pair), by keyboard.
			evalAs[any](p, q(".reveal-case[data-case-index='2']")+`.focus()`)
			p.keys(kb.Enter)
			p.waitFor(q(".reveal-case[data-action=conceal]"))
			titles := p.texts(".case-title")
			require.Equal(t, []string{lang.placeholder, lang.placeholder, revealed[0], lang.placeholder, lang.placeholder, lang.placeholder}, titles,
				"exactly that case's title, in its place")
			detail := p.text("#case-detail-2")
			for _, s := range revealed[1:] {
				require.Contains(t, detail, s, "its detail is open with its texts")
			}
			shadowHTML := evalAs[string](p, sr+`.innerHTML`)
			for _, s := range others {
				require.NotContains(t, shadowHTML, s, "every other case stays hidden")
			}
			require.Equal(t, "BUTTON "+lang.hide, p.focused(), "focus on the button that hides it again")
			require.Contains(t, p.text(".status-region"), lang.shown)
			require.NotContains(t, mainAs[string](p, `location.href`), "reveal", "the address stays as it was")
			p.axe("one case revealed in discreet mode")

			p.keys(kb.Enter)
			p.waitFor(`!` + q(".reveal-case[data-action=conceal]"))
			require.Equal(t, placeholders, p.texts(".case-title"))
			shadowHTML = evalAs[string](p, sr+`.innerHTML`)
			for _, s := range revealed {
				require.NotContains(t, shadowHTML, s, "out of the page again, not merely hidden")
			}
			require.Equal(t, fmt.Sprintf("BUTTON %s 3 %s 6", lang.show, of), p.focused(), "focus back on the case's own button")
			require.Contains(t, p.text(".status-region"), lang.hidden)

			// Without JavaScript: a link per case, and on the page it leads
			// to, that case whole with its detail open and a link back.
			ssr := open(t, f.url("/ssr", pageOpts{lang: lang.tag, theme: lang.theme}), 375)
			link := func(selector string) {
				t.Helper()
				before := evalAs[string](ssr, `location.href`)
				require.NoError(t, browser.Do(ssr.ctx, ssr.tab, chromedp.Click(chromedp.CSS(selector))))
				ssr.waitFor(`location.href != ` + quote(before) + ` && document.readyState == "complete"`)
			}
			require.Equal(t, fmt.Sprintf("%s 3 %s 6", lang.show, of), evalAs[string](ssr, `document.querySelector(".reveal-case[data-case-index='2']").textContent`))
			link(".reveal-case[data-case-index='2']")
			html := evalAs[string](ssr, `document.documentElement.outerHTML`)
			for _, s := range revealed {
				require.Contains(t, html, s)
			}
			for _, s := range others {
				require.NotContains(t, html, s)
			}
			require.True(t, evalAs[bool](ssr, `document.querySelector("#case-detail-2").checkVisibility()`), "its detail shows")
			// The fixture's page takes its language from its address, which the
			// overview's own links (like its sort links) do not carry.
			require.Contains(t, evalAs[string](ssr, `document.querySelector(".status-region").textContent`), "ärende 3 av 6 visas")
			require.Equal(t, "Dölj igen", evalAs[string](ssr, `document.querySelector(".reveal-case[data-action=conceal]").textContent`))
			ssr.axe("one case revealed in discreet mode, without JavaScript")
			link(".reveal-case[data-action=conceal]")
			html = evalAs[string](ssr, `document.documentElement.outerHTML`)
			for _, s := range revealed {
				require.NotContains(t, html, s, "hidden again")
			}
		})
	}
}
