package main

import (
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/arendevy/arendevy/e2e/browser"
	"github.com/arendevy/arendevy/reference-portal/config"
)

// An Arabic date as Intl (ar-u-nu-latn, dateStyle long) and the server
// write it: "5 ديسمبر 2026", Western digits, the month in Arabic letters.
const arabicDate = `^\x{200F}?\d{1,2}\x{200F}? \p{Arabic}+ \d{4}$`

// mirroring is where things sit on an Arabic page, read in the browser.
type mirroring struct {
	PageDir, ElementDir, Heading string
	// BrandRight and BadgeRight are the distances of the brand's mark and
	// of a case card's status badge from the right edge of the screen, in
	// CSS px; BrandLeft and BadgeLeft likewise from the left.
	BrandRight, BrandLeft, BadgeRight, BadgeLeft int
	Arrow                                        string   // the case link's arrow
	TitleDirs                                    []string // each title's computed direction
	SwitchDirs                                   []string // each language of the switch: its dir
}

// TestPortalInArabicIsMirrored: on a 320 px phone in Arabic, the page and
// the element are right to left, the layout mirrors (the brand and the
// cards start at the right, the arrow of a link that opens elsewhere
// points up and to the left), Swedish producer titles keep their own
// direction inside it, nothing scrolls sideways, and the dates from the
// element and from the server are Arabic.
func TestPortalInArabicIsMirrored(t *testing.T) {
	ctx, tab, _ := overviewIn(t, func(cfg *config.Config) { cfg.Theme = "default" }, "Tolvan Tolvansson", "ar")
	require.NoError(t, tab.SetViewport(ctx, 320, 720))

	m, err := browser.Eval[mirroring](ctx, tab, `(async () => {
		await new Promise((r) => requestAnimationFrame(() => setTimeout(r)));
		const root = `+shadow+`;
		const brand = document.querySelector(".brand-mark").getBoundingClientRect();
		const cell = root.querySelector("tr.case-row .status-badge").getBoundingClientRect();
		const link = root.querySelector("a.case-link");
		return {PageDir: document.documentElement.dir, ElementDir: root.querySelector(".overview").dir,
			Heading: document.querySelector("h1").textContent,
			BrandRight: Math.round(innerWidth - brand.right), BrandLeft: Math.round(brand.left),
			BadgeRight: Math.round(innerWidth - cell.right), BadgeLeft: Math.round(cell.left),
			Arrow: link ? getComputedStyle(link, "::after").content : "",
			TitleDirs: [...root.querySelectorAll("tr.case-row [role=rowheader]")].map((h) => getComputedStyle(h).direction),
			SwitchDirs: [...document.querySelectorAll("header ul.langs > li > *")].map((e) => e.lang + ":" + e.dir)};
	})()`)
	require.NoError(t, err)
	t.Logf("%+v", m)
	require.Equal(t, "rtl", m.PageDir, "the page is right to left")
	require.Equal(t, "rtl", m.ElementDir, "the element is right to left")
	require.Regexp(t, `\p{Arabic}`, m.Heading, "the page heading is Arabic")
	require.Less(t, m.BrandRight, m.BrandLeft, "the brand starts at the right")
	require.Less(t, m.BadgeRight, m.BadgeLeft, "a case card's lines start at the right")
	require.Contains(t, m.Arrow, "\u2196", "the arrow points up and to the left")
	require.NotEmpty(t, m.TitleDirs)
	for _, d := range m.TitleDirs {
		require.Equal(t, "ltr", d, "a Swedish title keeps its own direction on an Arabic page")
	}
	require.Equal(t, []string{"sv:ltr", "en:ltr", "fi:ltr", "ar:rtl"}, m.SwitchDirs, "each language of the switch in its own direction")

	// Every detail open and the filters too: nothing beyond the screen.
	_, err = browser.Eval[bool](ctx, tab, `(() => { const root = `+shadow+`; root.querySelector(".filters").open = true;
		root.querySelectorAll(".case-title").forEach((b) => b.click()); return true })()`)
	require.NoError(t, err)
	waitFor(t, ctx, tab, `[...`+shadow+`.querySelectorAll(".case-title")].every((b) => b.parentElement.open)`)
	o, err := browser.Eval[overflow](ctx, tab, readOverflow)
	require.NoError(t, err)
	require.LessOrEqual(t, o.ScrollWidth, o.InnerWidth, "the page does not scroll sideways; beyond: %q", o.Beyond)
	require.Empty(t, o.Beyond, "nothing beyond the screen")

	// Arabic dates, from the element and in the page the server sent.
	dates, served := datesShownAndServed(t, ctx, tab)
	for _, d := range dates {
		require.Regexp(t, arabicDate, d)
	}
	require.Equal(t, dates, served, "the server writes the dates as the element does")
}
