package widget_test

import (
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/arendevy/arendevy/kit"
	"github.com/arendevy/arendevy/kit/cases"
)

// TestOlderCasesCanBeAskedFor: a source with older cases than it fetched
// (Mina ärenden's window) is never silent about them: the notices say so,
// and "Show older cases" asks the sources one window further back — in the
// element, and as a link on the server-rendered page without JavaScript.
func TestOlderCasesCanBeAskedFor(t *testing.T) {
	window := &cases.Truncation{Reason: cases.CutWindow, Unit: cases.CountedEvents, Total: 3}
	f := newFixture(t, world{cases: standard(), cut: window}, kit.View{})
	for _, l := range looks {
		p := open(t, f.url("/page", pageOpts{lang: l.lang}), 0)
		p.ready()
		require.Contains(t, p.texts(".notices p"), l.pick("Skatteverket har äldre ärenden än de som visas (3 äldre händelser). Visa äldre ärenden",
			"Skatteverket has older cases than those shown (3 older events). Show older cases"))
		require.Zero(t, f.older.Load())
		calls := f.apiCalls.Load()
		p.click(`.notices button[data-action="older"]`)
		p.waitFor(`document.querySelector("arendevy-overview").getAttribute("older") == "1"`)
		p.waitFor(q("tbody tr"))
		require.Eventually(t, func() bool { return f.apiCalls.Load() > calls }, 10*time.Second, 20*time.Millisecond)
		require.EqualValues(t, 1, f.older.Load(), "the sources were asked one window further back")
		p.axe("older cases, " + l.lang)
	}

	// Without JavaScript: the link carries the page's query and older=1.
	p := open(t, f.url("/ssr", pageOpts{lang: "sv", attrs: map[string]string{"sort": "title"}}), 0)
	href := mainAs[string](p, `document.querySelector('.notices a[data-action="older"]').getAttribute("href")`)
	require.Contains(t, href, "older=1")
	require.Contains(t, href, "sort=title")
	p.navigate(f.url("/ssr", pageOpts{lang: "sv", attrs: map[string]string{"older": "1"}}))
	require.EqualValues(t, 1, f.older.Load(), "the page's address reaches the sources")
	require.Equal(t, "1", mainAs[string](p, `document.querySelector("arendevy-overview").getAttribute("older")`),
		"the element takes over at the same reach")
	require.True(t, strings.Contains(mainAs[string](p, `document.querySelector('.notices a[data-action="older"]').href`), "older=2"))
}
