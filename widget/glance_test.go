package widget_test

import (
	"context"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/chromedp"
	"github.com/stretchr/testify/require"

	"github.com/arendevy/arendevy/e2e/browser"
	"github.com/arendevy/arendevy/e2e/browser/browsertest"
	"github.com/arendevy/arendevy/kit"
	"github.com/arendevy/arendevy/kit/cases"
)

// The overview at a glance: the citizen's three questions (did you get it,
// what happens next, when) answered in the summary rows, with or without
// JavaScript.

// withDeadline is the standard overview and a case at Skatteverket waiting
// for the customer, with what to do, by when, and a link.
func withDeadline() []cases.Case {
	deadline := at("2026-12-13T12:00:00Z")
	return append(standard(), cases.Case{ID: "skv-3", Date: at("2026-11-05T08:00:00Z"), Title: "Deklaration 2025", Sender: skatteverket,
		Status: cases.ActionRequired, PlannedEvent: "Skicka in kvitton", PlannedTime: &deadline, Link: "https://etjanst.skatteverket.se/arende/456"})
}

func TestActionRequiredRowSaysWhatByWhenAndWhere(t *testing.T) {
	f := newFixture(t, world{cases: withDeadline()}, kit.View{})
	for _, l := range looks {
		t.Run(l.lang+"-"+l.theme, func(t *testing.T) {
			row := func(p *page, root string) map[string]any {
				return evalAs[map[string]any](p, `(() => { const r = [...`+root+`.querySelectorAll("tr.case-row")].find((r) => r.textContent.includes("Deklaration 2025"));
					const a = r.querySelector("td a"), due = r.querySelector(".case-due");
					return {due: [...due.children].map((e) => e.textContent), link: a.textContent, href: a.href, target: a.target,
						button: getComputedStyle(a).borderStyle, place: [...`+root+`.querySelectorAll("tr.case-row")].indexOf(r)} })()`)
			}
			want := map[string]any{
				"due":    []any{"Skicka in kvitton", l.pick("Sista dag: 13 december 2026", "Last day: 13 December 2026")},
				"link":   l.pick("Gå till ärendet hos Skatteverket (öppnas i nytt fönster)", "Go to the case at Skatteverket (opens in a new window)"),
				"href":   "https://etjanst.skatteverket.se/arende/456",
				"target": "_blank", "button": "solid", "place": 1.0, // after the other case waiting, newer
			}
			p := open(t, f.url("/page", pageOpts{lang: l.lang, theme: l.theme}), l.width)
			p.ready()
			require.Equal(t, want, row(p, sr), "in the summary row, not only the detail")
			require.Equal(t, []string{"action_required", "action_required"}, evalAs[[]string](p, `[...`+sr+`.querySelectorAll("tbody .status-badge")].slice(0, 2).map((b) => b.dataset.status)`),
				"the cases waiting for the customer first")
			p.axe("action required")
			server := open(t, f.url("/ssr", pageOpts{lang: l.lang, theme: l.theme}), l.width)
			require.Equal(t, want, row(server, `document.querySelector("arendevy-overview")`), "the same on the server-rendered page")
		})
	}
}

func TestSortByStatusIsByUrgencyWithOneLabelledControl(t *testing.T) {
	f := newFixture(t, world{cases: standard()}, kit.View{})
	p := open(t, f.url("/page", pageOpts{}), 375)
	p.ready()
	require.Equal(t, "Sortera efter", evalAs[string](p, q(`label[for="arendevy-sort"]`)+`.textContent`))
	require.Equal(t, []string{"Datum, nyast först", "Status, mest brådskande först", "Titel, A–Ö", "Avsändare, A–Ö", "Nya först"}, p.texts("#arendevy-sort option"))
	p.record()
	p.eval(q("#arendevy-sort") + `.focus()`)
	p.eval(`(() => { const s = ` + q("#arendevy-sort") + `; s.value = "status"; s.dispatchEvent(new Event("change", {bubbles: true})) })()`)
	require.Equal(t, []string{"Åtgärd krävs", "Ankommen handling", "Handläggning pågår", "Handläggning pågår", "Ärendet avslutat", "Ärendet avslutat"}, p.texts("tbody .status-badge"),
		"action required, received, in progress, closed")
	require.Equal(t, "6 av 6 ärenden, sorterade efter status, stigande", p.text(".status-region"))
	require.Equal(t, "status", evalAs[string](p, `document.querySelector("arendevy-overview").getAttribute("sort")`))
	require.True(t, strings.HasPrefix(p.focused(), "SELECT "), "focus stays on the control")
	require.Equal(t, "absolute", evalAs[string](p, `getComputedStyle(`+q("thead")+`).position`), "on a phone the control sorts; the column headers are for screen readers")
	p.axe("sorted by status on a phone")
}

// tabWithoutJavaScript is a tab that runs no script of the page's. Not a
// page: the page's checks (diagnostics, axe-core) need scripts to run.
func tabWithoutJavaScript(t *testing.T) (context.Context, *browser.Tab) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	t.Cleanup(cancel)
	tab, err := browsertest.Shared(t).NewTab(ctx)
	require.NoError(t, err)
	t.Cleanup(func() { _ = tab.Close() })
	require.NoError(t, tab.DisableScripts(ctx))
	return ctx, tab
}

func TestWithoutJavaScriptTheFormSortsFiltersAndDetailsOpen(t *testing.T) {
	f := newFixture(t, world{cases: standard()}, kit.View{PageSize: 2})
	ctx, tab := tabWithoutJavaScript(t)
	status, err := tab.Navigate(ctx, f.url("/ssr", pageOpts{script: true}))
	require.NoError(t, err)
	require.Equal(t, http.StatusOK, status)
	read := func(js string) any {
		t.Helper()
		v, err := browser.Run(ctx, tab, chromedp.Evaluate[any](`(() => { const el = document.querySelector("arendevy-overview"); return `+js+` })()`))
		require.NoError(t, err)
		return v
	}
	// The user's own actions: the browser's default actions, no page script.
	act := func(js string) {
		t.Helper()
		require.NoError(t, tab.WaitLoad(ctx, func() error { read(js); return nil }))
	}
	visible := `[...el.querySelectorAll(".case-title")].filter((e) => e.offsetParent).map((e) => e.innerText)`
	require.Equal(t, false, read(`el.matches(":defined")`), "the element did not run")
	require.Equal(t, toAny(byDate[:2]), read(visible), "the first page")
	require.Equal(t, "DETAILS", read(`el.querySelector(".show-more").parentElement.tagName`))
	read(`el.querySelector(".show-more").click()`)
	require.Equal(t, toAny(byDate), read(visible), "show more opens natively")
	require.Equal(t, 0.0, read(`el.querySelectorAll(".case-detail").length - [...el.querySelectorAll(".case-detail")].filter((d) => !d.offsetParent).length`), "details closed")
	read(`el.querySelectorAll(".case-title")[2].click()`)
	require.Equal(t, toAny([]string{"Gå till ärendet hos Skatteverket (öppnas i nytt fönster)"}),
		read(`[...el.querySelectorAll(".case-detail a.case-link")].filter((a) => a.offsetParent).map((a) => a.innerText)`), "a detail opens natively, with its link")

	act(`(el.querySelector("#arendevy-sort").value = "title", el.querySelector(".sort-control button").click())`)
	require.Contains(t, read(`location.search`), "sort=title")
	require.Equal(t, "6 av 6 ärenden, sorterade efter titel, stigande", read(`el.querySelector(".status-region").innerText`), "sorted by the server")
	require.Equal(t, "title", read(`el.querySelector("#arendevy-sort").value`))

	act(`(el.querySelector(".filters").open = true, el.querySelector("input[name=status][value=closed]").click(), el.querySelector(".filters button[type=submit]").click())`)
	require.Equal(t, toAny([]string{"Återbetalning av skatt", "Ärende om bostadsanpassning"}), read(visible), "filtered by the server, sort kept")
	require.Equal(t, "2 av 6 ärenden, sorterade efter titel, stigande", read(`el.querySelector(".status-region").innerText`))

	act(`location.search = "?sort=%3Cimg%20src%3Dx%3E&status=nonsense"`)
	require.Equal(t, "Sorteringen eller filtret i adressen gick inte att använda. Här visas alla dina ärenden, nyast först.", read(`el.querySelector(".notices p").innerText`))
	require.Equal(t, 0.0, read(`document.querySelectorAll("img").length`), "nothing of the address comes back as markup")
	require.Equal(t, toAny(byDate[:2]), read(visible))
	require.Equal(t, 0.0, read(`[...el.querySelectorAll("button")].filter((b) => b.type != "submit").length`), "no button that needs JavaScript")
}

func TestModuleBlockedEveryDetailIsReachable(t *testing.T) {
	f := newFixture(t, world{cases: standard(), failing: true}, kit.View{PageSize: 2})
	for _, l := range looks {
		t.Run(l.lang+"-"+l.theme, func(t *testing.T) {
			moduleBlocked(t, f, l)
		})
	}
}

func moduleBlocked(t *testing.T, f *fixture, l look) {
	p := newPage(t, l.width)
	blockScripts(p, true)
	p.navigate(f.url("/ssr", pageOpts{lang: l.lang, theme: l.theme, script: true}))
	light := `document.querySelector("arendevy-overview")`
	require.False(t, evalAs[bool](p, light+`.matches(":defined")`), "the module did not come")
	p.eval(light + `.querySelector(".show-more").click()`)
	p.eval(`[...` + light + `.querySelectorAll(".case-title")].forEach((t) => t.click())`)
	require.Equal(t, 6, evalAs[int](p, `[...`+light+`.querySelectorAll(".case-detail")].filter((d) => d.offsetParent).length`), "every case's detail opens")
	require.Equal(t, l.pick("Gå till ärendet hos Skatteverket (öppnas i nytt fönster)", "Go to the case at Skatteverket (opens in a new window)"),
		evalAs[string](p, light+`.querySelector(".case-detail a.case-link").innerText`))
	p.axe("module blocked, every detail open")
}

func TestUpgradeAdoptsTheServerRowsAndKeepsAnOpenDetail(t *testing.T) {
	f := newFixture(t, world{cases: standard()}, kit.View{})
	for _, l := range looks {
		t.Run(l.lang+"-"+l.theme, func(t *testing.T) {
			p := newPage(t, l.width)
			blockScripts(p, true)
			p.navigate(f.url("/ssr", pageOpts{lang: l.lang, theme: l.theme, script: true}))
			light := `document.querySelector("arendevy-overview")`
			p.eval(light + `.querySelectorAll(".case-title")[1].click()`)
			p.eval(light + `.querySelectorAll("tr.case-row")[1].dataset.mark = "server"`)
			want := layoutOf(p, light)
			blockScripts(p, false)
			mainAs[any](p, `import(document.querySelector("script[type=module]").src).then(() => true)`)
			p.waitFor(q(".overview") + ` && !` + light + `.firstElementChild`)
			got := layoutOf(p, withoutScriptOnlyControls(p))
			require.Equal(t, want.Text, got.Text, "the same words")
			require.Equal(t, want.Parts, got.Parts, "everything where it was")
			require.Equal(t, "server", evalAs[string](p, sr+`.querySelectorAll("tr.case-row")[1].dataset.mark`), "the server's row, adopted")
			require.True(t, evalAs[bool](p, sr+`.querySelectorAll("tr.case-row")[1].querySelector("details").open`), "the open detail stays open")
			require.NotEqual(t, "none", evalAs[string](p, `getComputedStyle(`+sr+`.querySelectorAll("tr.case-detail")[1]).display`), "and its detail shows")
			p.click(`[data-sort-key="title"]`)
			require.Equal(t, "server", evalAs[string](p, `[...`+sr+`.querySelectorAll("tr.case-row")].find((r) => r.textContent.includes(`+quote(byDate[1])+`)).dataset.mark`),
				"and it moves with its case")
			p.axe("upgraded with a detail open")
		})
	}
}

// blockScripts makes the browser refuse (or again load) every script, as a
// network that drops the module does.
func blockScripts(p *page, block bool) {
	p.t.Helper()
	_, err := browser.Run(p.ctx, p.tab, func(ctx context.Context, target *chromedp.Target) (cdp.Empty, error) {
		if _, err := cdp.Call(ctx, target, network.Enable, network.EnableParams{}); err != nil {
			return cdp.Empty{}, err
		}
		return cdp.Call(ctx, target, network.SetBlockedURLs, network.SetBlockedURLsParams{
			URLPatterns: []*network.BlockPattern{{URLPattern: "*://*:*/*.js", Block: block}}})
	})
	require.NoError(p.t, err)
	p.expect("ERR_BLOCKED_BY_CLIENT")
}

// When the page's heading stands in for the element's (heading="page"), the
// element shows none, and a retry sends focus to the status line instead.
func TestHeadingYieldsToThePage(t *testing.T) {
	f := newFixture(t, world{cases: standard()}, kit.View{})
	p := open(t, f.url("/page", pageOpts{attrs: map[string]string{"heading": "page", "src": "/flaky/arendevy/api/overview"}}), 375)
	p.expect("status of 502")
	p.ready()
	require.False(t, evalAs[bool](p, q("h2")+`.checkVisibility()`), "one heading on the page, the page's")
	p.click(".notices button")
	p.waitFor(q("tbody tr"))
	require.True(t, strings.HasPrefix(p.focused(), "P 6 av 6 ärenden"), "after a retry, focus goes to the overview: %s", p.focused())
	p.axe("heading yields")
}
