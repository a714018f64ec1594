package widget_test

import (
	"fmt"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/arendevy/arendevy/kit"
	"github.com/arendevy/arendevy/kit/cases"
)

// unbroken is producer text without a single place to break a line: word
// repeated to n characters, as a careless or hostile source may send it.
func unbroken(word string, n int) string {
	s := word
	for len([]rune(s)) < n {
		s += word
	}
	return string([]rune(s)[:n])
}

// longWords is a case whose every producer text is unbroken, 300
// characters or as long as the kit lets the field be, a normal case
// beside it, and a producer with an unbroken name that cannot be reached.
func longWords() (world, map[string]string) {
	long := map[string]string{
		"title":        unbroken("Ärendetitel", cases.MaxTitle),
		"sender":       unbroken("Avsändaren", cases.MaxShort),
		"caseNumber":   unbroken("2026-000412-", cases.MaxShort),
		"officer":      unbroken("Handläggare", cases.MaxShort),
		"freeText":     unbroken("Fritext", 300),
		"pairTitle":    unbroken("Parrubrik", cases.MaxShort),
		"pairValue":    unbroken("Parvärde", 300),
		"historyTitle": unbroken("Händelse", cases.MaxTitle),
		"historyText":  unbroken("Händelsetext", 300),
		"unreachable":  unbroken("Producentnamn", 300),
	}
	c := cases.Case{ID: "long-1", Date: at("2026-11-21T09:30:00Z"), Title: long["title"],
		Sender: cases.Actor{ID: "long", Name: long["sender"]}, Status: cases.ActionRequired,
		Forecast: &cases.Forecast{Amount: 3, Unit: cases.Weeks}, CaseNumber: long["caseNumber"],
		Officer: long["officer"], FreeText: long["freeText"], Pairs: []cases.Pair{{Title: long["pairTitle"], Value: long["pairValue"]}},
		History: []cases.Event{{Time: at("2026-11-20T09:30:00Z"), Title: long["historyTitle"], Text: long["historyText"], Status: cases.InProgress}},
	}
	return world{cases: []cases.Case{c, standard()[0]}, failing: true, as: cases.Actor{ID: "down", Name: long["unreachable"]}}, long
}

// overflow is what sticks out sideways of a page.
type overflow struct {
	ScrollWidth int      `json:"scrollWidth"`
	InnerWidth  int      `json:"innerWidth"`
	Beyond      []string `json:"beyond"` // parts and text beyond the viewport, scrolled or clipped inside
	Broken      []string `json:"broken"` // ordinary words (up to 30 characters) split over two lines
	Text        string   `json:"text"`   // the overview's rendered text without white space
}

// overflowOf measures the page and the overview inside root (a JavaScript
// expression: the light DOM before the upgrade, the shadow root after) as
// the next frame shows them.
func overflowOf(p *page, root string) overflow {
	p.t.Helper()
	return evalAs[overflow](p, `(async () => { `+afterFrame+`
		const root = `+root+`;
		const width = innerWidth;
		const name = (e) => e.tagName.toLowerCase() + (typeof e.className == "string" && e.className ? "." + e.className.trim().split(/\s+/).join(".") : "");
		const hiddenOnPurpose = (e) => !!e && (getComputedStyle(e).clipPath != "none" || hiddenOnPurpose(e.parentElement)); // caption: for screen readers only
		const out = (r) => (r.width || r.height) && (r.left < -0.5 || r.right > width + 0.5);
		const beyond = [], broken = [];
		for (const e of root.querySelectorAll("*")) {
			const r = e.getBoundingClientRect();
			const style = getComputedStyle(e);
			if (hiddenOnPurpose(e)) continue;
			if (out(r)) beyond.push(name(e) + " at " + Math.round(r.left) + ".." + Math.round(r.right));
			if (style.overflowX != "visible" && e.scrollWidth > e.clientWidth + 1) beyond.push(name(e) + " scrolls or clips " + e.scrollWidth + " in " + e.clientWidth);
			if (style.textOverflow == "ellipsis") beyond.push(name(e) + " ends in an ellipsis");
		}
		const walker = document.createTreeWalker(root, NodeFilter.SHOW_TEXT);
		const range = document.createRange();
		for (let n; (n = walker.nextNode()); ) {
			if (hiddenOnPurpose(n.parentElement)) continue;
			range.selectNodeContents(n);
			const r = [...range.getClientRects()].find(out);
			if (r) beyond.push("text " + JSON.stringify(n.data.slice(0, 12)) + " in " + name(n.parentElement) + " at " + Math.round(r.left) + ".." + Math.round(r.right));
			for (const word of n.data.matchAll(/\S{1,30}(?!\S)/g)) {
				if (word.index && /\S/.test(n.data[word.index - 1])) continue; // the end of a long word
				range.setStart(n, word.index);
				range.setEnd(n, word.index + word[0].length);
				if (new Set([...range.getClientRects()].filter((r) => r.width).map((r) => Math.round(r.top))).size > 1) broken.push(word[0]);
			}
		}
		return {scrollWidth: document.documentElement.scrollWidth, innerWidth: width, beyond, broken,
			text: (root.querySelector(".overview")?.innerText ?? "").replace(/\s+/g, "")};
	})()`)
}

// holds fails the test if the page scrolls sideways, a part of the overview
// is beyond the viewport or an ordinary word is broken, and unless every
// text named is there in full for the citizen to read.
func holds(p *page, root, state string, long map[string]string, names ...string) {
	p.t.Helper()
	o := overflowOf(p, root)
	p.t.Logf("%s: scrollWidth %d at innerWidth %d, %d parts beyond", state, o.ScrollWidth, o.InnerWidth, len(o.Beyond))
	require.LessOrEqual(p.t, o.ScrollWidth, o.InnerWidth, "%s: the page does not scroll sideways; beyond: %q", state, o.Beyond)
	require.Empty(p.t, o.Beyond, "%s: nothing beyond the viewport, scrolled or clipped", state)
	require.Empty(p.t, o.Broken, "%s: words that fit on a line are not broken", state)
	for _, n := range names {
		require.Contains(p.t, o.Text, long[n], "%s: the %s in full", state, n)
	}
}

var (
	collapsedTexts = []string{"title", "sender", "unreachable"}
	expandedTexts  = []string{"title", "sender", "unreachable", "caseNumber", "officer", "freeText", "pairTitle", "pairValue", "historyTitle", "historyText"}
)

// openAll opens the filters and every case's detail in the shadow root.
func openAll(p *page) {
	p.t.Helper()
	p.eval(sr + `.querySelector(".filters").open = true`)
	p.eval(`[...` + sr + `.querySelectorAll(".case-title")].forEach((b) => b.click())`)
	p.waitFor(`[...` + sr + `.querySelectorAll(".case-title")].every((b) => b.parentElement.open)`)
}

func TestLongWordsNeverScrollThePageSideways(t *testing.T) {
	w, long := longWords()
	f := newFixture(t, w, kit.View{})
	light := `document.querySelector("arendevy-overview")`
	narrow := func(t *testing.T, address string) *page {
		p := newPage(t, 320)
		require.NoError(t, p.tab.SetViewport(p.ctx, 320, 640))
		p.navigate(address)
		return p
	}
	for _, theme := range []string{"default", "bank"} {
		t.Run(theme, func(t *testing.T) {
			t.Run("element", func(t *testing.T) {
				p := narrow(t, f.url("/page", pageOpts{theme: theme}))
				p.ready()
				holds(p, sr, "element, collapsed", long, collapsedTexts...)
				openAll(p)
				holds(p, sr, "element, detail expanded", long, expandedTexts...)
			})
			t.Run("server-rendered", func(t *testing.T) {
				p := narrow(t, f.url("/ssr", pageOpts{theme: theme}))
				require.Equal(t, 2, evalAs[int](p, light+`.querySelectorAll("tr.case-row").length`), evalAs[string](p, light+`.innerText`))
				holds(p, light, "server-rendered, before the element", long, collapsedTexts...)
				p.eval(light + `.querySelectorAll("details").forEach((d) => (d.open = true))`)
				require.Equal(t, "grid", evalAs[string](p, `getComputedStyle(`+light+`.querySelector("tr.case-detail")).display`), "every detail opens without JavaScript")
				holds(p, light, "server-rendered, without JavaScript", long, expandedTexts...)
			})
			t.Run("upgraded", func(t *testing.T) {
				p := narrow(t, f.url("/ssr", pageOpts{theme: theme, script: true}))
				p.waitFor(q(".overview") + ` && !` + light + `.firstElementChild`)
				holds(p, sr, "upgraded, collapsed", long, collapsedTexts...)
				openAll(p)
				holds(p, sr, "upgraded, detail expanded", long, expandedTexts...)
			})
		})
	}
	// On a wide screen the columns still line up from row to row, the long
	// case's with the normal one's.
	t.Run("wide", func(t *testing.T) {
		p := open(t, f.url("/page", pageOpts{}), 1280)
		p.ready()
		openAll(p)
		holds(p, sr, "1280 px, detail expanded", long, expandedTexts...)
		lefts := evalAs[[][]int](p, `[`+q("thead tr")+`, ...`+sr+`.querySelectorAll("tr.case-row")].map((r) => [...r.children].map((c) => Math.round(c.getBoundingClientRect().left)))`)
		require.Len(t, lefts, 3)
		require.Equal(t, lefts[0], lefts[1], "the long case's cells under the headings")
		require.Equal(t, lefts[0], lefts[2], "the normal case's cells under the headings")
		require.Len(t, lefts[0], 5)
		t.Log(fmt.Sprint("column starts at 1280 px: ", lefts[0]))
	})
}
