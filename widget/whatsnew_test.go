package widget_test

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/arendevy/arendevy/kit"
)

// TestNewCasesAreMarkedWithAWord: the cases dated after Tolvan's previous
// visit carry "Ny"/"New" in their title cell, the others nothing, and the
// status line counts them, in both languages and looks.
func TestNewCasesAreMarkedWithAWord(t *testing.T) {
	f := newFixture(t, world{cases: standard(), since: at("2026-11-19T00:00:00Z")}, kit.View{})
	for _, l := range looks {
		badge := l.pick("Ny", "New")
		p := open(t, f.url("/page", pageOpts{lang: l.lang, theme: l.theme}), l.width)
		p.ready()
		require.Equal(t, []string{badge, badge}, p.texts(".new-badge"), l.lang)
		var marked []string
		for _, title := range p.texts(".case-title") {
			if cut, ok := strings.CutSuffix(title, " "+badge); ok {
				marked = append(marked, cut)
			}
		}
		require.ElementsMatch(t, []string{"Ansökan om F-skatt", "Överklagande av beslut"}, marked, l.lang)
		require.Contains(t, p.text(".status-region"), l.pick("; 2 nya sedan ditt förra besök", "; 2 new since your last visit"))
		p.axe("new since the last visit, " + l.lang)
	}
}

// newFirst is the standard overview with the cases new since 19 November
// first (newest first among them), then the rest newest first: the case
// waiting for the customer does not jump the new ones.
var newFirst = []string{"Överklagande av beslut", "Ansökan om F-skatt", "Bygglov för carport", "Föräldrapenning", "Återbetalning av skatt", "Ärende om bostadsanpassning"}

// TestOnlyNewAndNewFirstInTheElement: the sort control's "Nya först" and the
// filters' "Bara nya" sort and filter at once, say so in the status line, and
// end up in the attributes and the query a reload keeps.
func TestOnlyNewAndNewFirstInTheElement(t *testing.T) {
	f := newFixture(t, world{cases: standard(), since: at("2026-11-19T00:00:00Z")}, kit.View{})
	p := open(t, f.url("/page", pageOpts{}), 375)
	p.ready()
	el := `document.querySelector("arendevy-overview")`
	require.Equal(t, []string{"Datum, nyast först", "Status, mest brådskande först", "Titel, A–Ö", "Avsändare, A–Ö", "Nya först"}, p.texts("#arendevy-sort option"),
		"new first is a choice of the one sort control")

	p.eval(`(() => { const s = ` + q("#arendevy-sort") + `; s.value = "new"; s.dispatchEvent(new Event("change")) })()`)
	p.waitFor(el + `.getAttribute("sort") == "new"`)
	require.Equal(t, newFirst, titlesWithoutBadge(p.texts(".case-title")))
	require.Equal(t, "6 av 6 ärenden, sorterade med de nya först", p.text(".status-region"))

	p.click(".filters summary")
	p.click(`input[name="new"]`)
	require.Equal(t, "only", evalAs[string](p, el+`.getAttribute("filter-new")`))
	require.Equal(t, newFirst[:2], titlesWithoutBadge(p.texts(".case-title")))
	require.Equal(t, "2 av 6 ärenden, sorterade med de nya först", p.text(".status-region"))
	require.Equal(t, "sort=new&order=desc&scope=all&new=only", mainAs[string](p, el+`.listingQuery`), "the names of the no-JavaScript form")

	// Clearing the filters clears this one too.
	p.click(`.filters [data-action="clear"]`)
	require.Equal(t, newFirst, titlesWithoutBadge(p.texts(".case-title")))
	require.False(t, evalAs[bool](p, q(`input[name="new"]`)+`.checked`))
	p.axe("new first, filters open")

	// From the first render, by attribute.
	p2 := open(t, f.url("/page", pageOpts{lang: "en", attrs: map[string]string{"filter-new": "only"}}), 0)
	p2.ready()
	require.Equal(t, newFirst[:2], titlesWithoutBadge(p2.texts(".case-title")))
	require.True(t, evalAs[bool](p2, q(`input[name="new"]`)+`.checked`))
}

// TestOnlyNewAndNewFirstWithoutJavaScript: the server-rendered form has the
// same choices under the same names, and submitting it sorts and filters.
func TestOnlyNewAndNewFirstWithoutJavaScript(t *testing.T) {
	f := newFixture(t, world{cases: standard(), since: at("2026-11-19T00:00:00Z")}, kit.View{})
	light := `document.querySelector("arendevy-overview")`
	titles := func(p *page) []string {
		return titlesWithoutBadge(evalAs[[]string](p, `[...`+light+`.querySelectorAll(".case-title")].map((e) => e.textContent.trim())`))
	}
	p := open(t, f.url("/ssr", pageOpts{}), 375)
	require.Equal(t, []string{"date", "status", "title", "sender", "new"}, evalAs[[]string](p, `[...`+light+`.querySelectorAll("#arendevy-sort option")].map((o) => o.value)`))
	require.NoError(t, p.tab.WaitLoad(p.ctx, func() error {
		p.eval(`(() => { const o = ` + light + `; o.querySelector("#arendevy-sort").value = "new"; o.querySelector('input[name="new"]').checked = true; o.querySelector("form").requestSubmit() })()`)
		return nil
	}))
	require.Contains(t, evalAs[string](p, `location.search`), "new=only")
	require.Equal(t, newFirst[:2], titles(p))
	status := func() string { return evalAs[string](p, light+`.querySelector(".status-region").textContent`) }
	require.Equal(t, "2 av 6 ärenden, sorterade med de nya först; 2 nya sedan ditt förra besök", status())
	require.True(t, evalAs[bool](p, light+`.querySelector('input[name="new"]').checked`), "the form shows the filter in effect")
	require.Equal(t, "new", evalAs[string](p, light+`.getAttribute("sort")`), "and so will the element")
	require.Equal(t, "only", evalAs[string](p, light+`.getAttribute("filter-new")`))
	p.axe("server-rendered, only new")

	p.navigate(f.url("/ssr", pageOpts{lang: "en", attrs: map[string]string{"sort": "new"}}))
	require.Equal(t, newFirst, titles(p))
	require.Equal(t, "6 of 6 cases, sorted with the new ones first; 2 new since your last visit", status())
	require.Equal(t, []string{"Only new"}, evalAs[[]string](p, `[...`+light+`.querySelectorAll('label:has(input[name="new"])')].map((l) => l.textContent)`))

	p.navigate(f.url("/ssr", pageOpts{attrs: map[string]string{"new": "sometimes"}}))
	require.Equal(t, "true", evalAs[string](p, `String(`+light+`.hasAttribute("query-refused"))`), "a value the listing does not know is refused, not ignored")
}

// TestNewCountIsToldOncePerVisit: the status line, a polite live region,
// says how many cases are new on the visit's first overview; not after a
// sort or a filter, not after a reload in the same visit; again in the next
// visit. The tab keeps an instant for it, nothing about a case.
func TestNewCountIsToldOncePerVisit(t *testing.T) {
	f := newFixture(t, world{cases: standard(), since: at("2026-11-19T00:00:00Z")}, kit.View{})
	p := open(t, f.url("/page", pageOpts{}), 0)
	p.ready()
	count := "2 nya sedan ditt förra besök"
	region := q(".status-region")
	require.Equal(t, "polite", evalAs[string](p, `(() => { const r = `+region+`; return r.getAttribute("role") == "status" ? "polite" : r.ariaLive })()`))
	require.Equal(t, "6 av 6 ärenden, sorterade efter datum, nyast först; ärenden där du behöver göra något visas först; "+count, p.text(".status-region"))

	// Every text the region has from now on.
	p.eval(`(() => { const r = ` + region + `; globalThis.said = []; new MutationObserver(() => said.push(r.textContent)).observe(r, { childList: true, characterData: true, subtree: true }) })()`)
	p.click(`[data-sort-key="title"]`)
	p.waitFor(region + `.textContent.includes("titel")`)
	p.click(".filters summary")
	p.click(`input[value="in_progress"]`)
	p.waitFor(region + `.textContent.startsWith("2 av 6")`)
	said := evalAs[[]string](p, `said`)
	require.NotEmpty(t, said)
	for _, s := range said {
		require.NotContains(t, s, "sedan ditt förra besök", "told once, not after a sort or a filter")
	}
	require.Equal(t, []string{"Ny", "Ny"}, p.texts(".new-badge"), "the cases still say they are new")

	stored := func() map[string]string {
		return evalAs[map[string]string](p, `Object.fromEntries(Object.entries(sessionStorage))`)
	}
	require.Len(t, stored(), 1)
	require.Regexp(t, `^\d+$`, stored()["arendevy-last-look"], "an instant, nothing about a case")

	p.navigate(f.url("/page", pageOpts{}))
	p.ready()
	require.Equal(t, "6 av 6 ärenden, sorterade efter datum, nyast först; ärenden där du behöver göra något visas först", p.text(".status-region"),
		"a reload in the same visit does not tell it again")

	// Half an hour later the tab is in a visit of its own.
	p.eval(`sessionStorage.setItem("arendevy-last-look", String(Date.now() - 31 * 60 * 1000))`)
	p.navigate(f.url("/page", pageOpts{}))
	p.ready()
	require.Contains(t, p.text(".status-region"), count)
}

// titlesWithoutBadge are titles without the "Ny"/"New" after them.
func titlesWithoutBadge(titles []string) []string {
	out := make([]string, len(titles))
	for i, t := range titles {
		out[i] = strings.TrimSuffix(strings.TrimSuffix(t, " Ny"), " New")
	}
	return out
}
