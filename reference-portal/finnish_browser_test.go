package main

import (
	"context"
	"testing"

	"github.com/chromedp/chromedp"
	"github.com/stretchr/testify/require"

	"github.com/arendevy/arendevy/e2e/browser"
	"github.com/arendevy/arendevy/reference-portal/config"
)

// switchEntry is one language of the header's switch as the page has it.
type switchEntry struct {
	Tag, Lang, Dir, Hreflang, Current, Name, Href string
}

const readSwitch = `[...document.querySelectorAll("header ul.langs > li > *")].map((e) => ({Tag: e.localName, Lang: e.lang, Dir: e.dir,
	Hreflang: e.getAttribute("hreflang") ?? "", Current: e.getAttribute("aria-current") ?? "", Name: e.textContent,
	Href: decodeURIComponent(e.getAttribute("href") ?? "")}))`

// A Finnish date as Intl (fi-FI, dateStyle long) and the server write it:
// "3. joulukuuta 2026".
const finnishDate = `^\d{1,2}\. (tammi|helmi|maalis|huhti|touko|kesä|heinä|elo|syys|loka|marras|joulu)kuuta \d{4}$`

// TestPortalInFinnish: the header's switch lists every language of the
// portal by its own name (lang and hreflang on each link, the page's own
// marked aria-current and not a link); choosing Suomi keeps the sorting and
// filter the user chose on the page and shows Finnish chrome, Finnish dates
// from the element and from the server, and the session dialog's time in
// Finnish.
func TestPortalInFinnish(t *testing.T) {
	ctx, tab, _ := overviewIn(t, func(cfg *config.Config) { cfg.Theme = "default"; shortIdle(cfg) }, "Elin Karlsson", "sv")
	entries, err := browser.Eval[[]switchEntry](ctx, tab, readSwitch)
	require.NoError(t, err)
	require.Len(t, entries, 4, "sv, en, fi and ar: the portal's languages")
	for i, want := range []switchEntry{
		{Tag: "span", Lang: "sv", Dir: "ltr", Current: "true", Name: "Svenska"},
		{Tag: "a", Lang: "en", Dir: "ltr", Hreflang: "en", Name: "English"},
		{Tag: "a", Lang: "fi", Dir: "ltr", Hreflang: "fi", Name: "Suomi"},
		{Tag: "a", Lang: "ar", Dir: "rtl", Hreflang: "ar", Name: "العربية"},
	} {
		got := entries[i]
		got.Href = ""
		require.Equal(t, want, got, "each language in its own name; the page's own is no link")
	}

	// Sort by title and show only open cases on the page, then choose Suomi.
	_, err = browser.Eval[bool](ctx, tab, `(() => { const s = `+shadow+`.querySelector("#arendevy-sort"); s.value = "title"; s.dispatchEvent(new Event("change"));
		const open = `+shadow+`.querySelector('input[name="scope"][value="open"]'); open.click(); return true })()`)
	require.NoError(t, err)
	waitFor(t, ctx, tab, `document.querySelector("arendevy-overview").getAttribute("sort") == "title" && document.querySelector("arendevy-overview").getAttribute("show-closed") == "false"`)
	order := shownTitles(t, ctx, tab)
	require.NoError(t, tab.WaitLoad(ctx, func() error {
		return browser.Do(ctx, tab, chromedp.Click(chromedp.CSS(`header a.lang[hreflang="fi"]`)))
	}))
	waitFor(t, ctx, tab, `document.documentElement.lang == "fi" && location.pathname == "/mina-arenden"`)
	require.Equal(t, order, shownTitles(t, ctx, tab), "the same cases in the same order in Finnish")
	state, err := browser.Eval[map[string]string](ctx, tab, `({sort: `+shadow+`.querySelector("#arendevy-sort").value,
		open: String(`+shadow+`.querySelector('input[name="scope"][value="open"]').checked), search: location.search})`)
	require.NoError(t, err)
	require.Equal(t, "title", state["sort"], "sorted by title still")
	require.Equal(t, "true", state["open"], "open cases only still")
	require.Contains(t, state["search"], "sort=title")
	require.Contains(t, state["search"], "scope=open")

	// Finnish chrome: the heading, the element's columns, the navigation.
	headings, err := browser.Eval[[]string](ctx, tab, `[...document.querySelectorAll("h1, h2"), ...`+shadow+`.querySelectorAll("h2")].filter((h) => h.checkVisibility()).map((h) => h.textContent)`)
	require.NoError(t, err)
	require.Contains(t, headings, "Omat asiat")
	chrome, err := browser.Eval[map[string]string](ctx, tab, `({nav: document.querySelector('nav a[aria-current="page"]').textContent,
		logout: document.querySelector('form[action$="/saml/logout"] button').textContent,
		overview: `+shadow+`.querySelector(".overview").lang, status: `+shadow+`.querySelector('label[for="arendevy-sort"]')?.textContent ?? ""})`)
	require.NoError(t, err)
	require.Equal(t, map[string]string{"nav": "Omat asiat", "logout": "Kirjaudu ulos", "overview": "fi", "status": "Lajittele"}, chrome)

	// The producers' Swedish texts are marked as Swedish: the demo's
	// producers say so (lang "sv"), as Mina ärenden's sprak does.
	titles, err := browser.Eval[[]string](ctx, tab, `[...`+shadow+`.querySelectorAll("tr.case-row [role=rowheader]")].map((h) => h.lang)`)
	require.NoError(t, err)
	require.NotEmpty(t, titles)
	for _, lang := range titles {
		require.Equal(t, "sv", lang, "a Swedish title on a Finnish page")
	}

	// Finnish dates, from the element and in the page the server sent.
	dates, served := datesShownAndServed(t, ctx, tab)
	for _, d := range dates {
		require.Regexp(t, finnishDate, d)
	}
	for _, d := range served {
		require.Regexp(t, finnishDate, d, "the server's dates are Finnish too")
	}

	// The switch on the Finnish page: Suomi is the page's own, the others
	// are links that keep the sorting and the filter.
	entries, err = browser.Eval[[]switchEntry](ctx, tab, readSwitch)
	require.NoError(t, err)
	require.Len(t, entries, 4)
	require.Equal(t, switchEntry{Tag: "span", Lang: "fi", Dir: "ltr", Current: "true", Name: "Suomi"}, entries[2])
	for _, e := range append(entries[:2:2], entries[3]) {
		require.Equal(t, "a", e.Tag, e.Name)
		require.Equal(t, e.Lang, e.Hreflang)
		require.Contains(t, e.Href, "/sprak/"+e.Lang+"?return=/mina-arenden?")
		require.Contains(t, e.Href, "sort=title", "switching on keeps the sorting")
		require.Contains(t, e.Href, "scope=open", "switching on keeps the filter")
	}

	// The session dialog tells its time the Finnish way ("14.30").
	waitFor(t, ctx, tab, expiryDialog+`?.open == true`)
	text, err := browser.Eval[string](ctx, tab, shadow+`.getElementById(`+expiryDialog+`.getAttribute("aria-describedby")).textContent`)
	require.NoError(t, err)
	require.Regexp(t, `kirjataan ulos kello \d{1,2}\.\d\d,`, text)
}

// datesShownAndServed are the case rows' dates as the element shows them
// and as the server wrote them in the page (fetched again), neither empty.
func datesShownAndServed(t *testing.T, ctx context.Context, tab *browser.Tab) (shown, served []string) {
	t.Helper()
	shown, err := browser.Eval[[]string](ctx, tab, `[...`+shadow+`.querySelectorAll("tr.case-row time")].map((t) => t.textContent)`)
	require.NoError(t, err)
	require.NotEmpty(t, shown)
	served, err = browser.Eval[[]string](ctx, tab, `fetch(location.href).then((r) => r.text()).then((html) =>
		[...new DOMParser().parseFromString(html, "text/html").querySelectorAll("arendevy-overview tbody tr.case-row time")].map((t) => t.textContent))`)
	require.NoError(t, err)
	require.NotEmpty(t, served, "the server renders the overview too")
	return shown, served
}
