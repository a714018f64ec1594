package widget_test

import (
	"testing"

	"github.com/stretchr/testify/require"

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
