package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/arendevy/arendevy/e2e/browser"
	"github.com/arendevy/arendevy/kit/cases"
	"github.com/arendevy/arendevy/reference-portal/config"
)

// unbroken is text without a single place to break a line: word repeated
// to n characters.
func unbroken(word string, n int) string {
	s := word
	for len([]rune(s)) < n {
		s += word
	}
	return string([]rune(s)[:n])
}

// longWordsData writes a case document in kit/memory's format: the demo's
// producers and personas, Elin Karlsson with a name run together, and for
// her one case whose every producer text is unbroken, from a producer whose
// name is. Served beside the demo data, Elin has her demo cases and this one.
func longWordsData(t *testing.T, long map[string]string) string {
	t.Helper()
	raw, err := os.ReadFile("../kit/memory/demo.json")
	require.NoError(t, err)
	var doc map[string]any
	require.NoError(t, json.Unmarshal(raw, &doc))
	doc["producers"] = append(doc["producers"].([]any), map[string]any{"id": "lang", "name": long["sender"]})
	elin := ""
	for _, p := range doc["personas"].([]any) {
		if p := p.(map[string]any); p["name"] == "Elin Karlsson" {
			p["name"] = long["user"]
			elin = p["number"].(string)
		}
	}
	require.NotEmpty(t, elin)
	doc["cases"] = map[string]any{elin: []any{map[string]any{
		"id": "lang-1", "date": "2025-11-12T09:30:00+01:00", "title": long["title"], "sender": map[string]any{"id": "lang"},
		"status": "action_required", "caseNumber": long["caseNumber"], "officer": long["officer"], "freeText": long["freeText"],
		"pairs":   []any{map[string]any{"title": long["pairTitle"], "value": long["pairValue"]}},
		"history": []any{map[string]any{"time": "2025-11-12T09:30:00+01:00", "title": long["historyTitle"], "text": long["historyText"], "status": "action_required"}},
	}}}
	out, err := json.Marshal(doc)
	require.NoError(t, err)
	file := filepath.Join(t.TempDir(), "long.json")
	require.NoError(t, os.WriteFile(file, out, 0o600))
	return file
}

// overflow is what sticks out sideways of a page.
type overflow struct {
	ScrollWidth int      `json:"scrollWidth"`
	InnerWidth  int      `json:"innerWidth"`
	Beyond      []string `json:"beyond"` // parts and text beyond the viewport
	Text        string   `json:"text"`   // the page's and the overview's text without white space
}

// readOverflow finds what sticks out sideways of the page and of the
// overview (details, not hidden on purpose), and the text of both.
const readOverflow = `(async () => {
		await new Promise((r) => requestAnimationFrame(() => setTimeout(r)));
		const width = innerWidth;
		const name = (e) => e.tagName.toLowerCase() + (typeof e.className == "string" && e.className ? "." + e.className.trim().split(/\s+/).join(".") : "");
		const hiddenOnPurpose = (e) => !!e && (getComputedStyle(e).clipPath != "none" || e.matches(".skip") || hiddenOnPurpose(e.parentElement));
		const out = (r) => (r.width || r.height) && (r.left < -0.5 || r.right > width + 0.5);
		const beyond = [];
		for (const root of [document, ` + shadow + `]) {
			for (const e of root.querySelectorAll("body *, .overview, .overview *")) {
				if (hiddenOnPurpose(e)) continue;
				const r = e.getBoundingClientRect();
				if (out(r)) beyond.push(name(e) + " at " + Math.round(r.left) + ".." + Math.round(r.right));
			}
			const walker = document.createTreeWalker(root == document ? document.body : root, NodeFilter.SHOW_TEXT);
			const range = document.createRange();
			for (let n; (n = walker.nextNode()); ) {
				if (!n.parentElement || hiddenOnPurpose(n.parentElement) || n.parentElement.closest("script")) continue;
				range.selectNodeContents(n);
				const r = [...range.getClientRects()].find(out);
				if (r) beyond.push("text " + JSON.stringify(n.data.slice(0, 12)) + " in " + name(n.parentElement) + " at " + Math.round(r.left) + ".." + Math.round(r.right));
			}
		}
		return {scrollWidth: document.documentElement.scrollWidth, innerWidth: width, beyond,
			text: (document.body.innerText + ` + shadow + `.querySelector(".overview").innerText).replace(/\s+/g, "")};
	})()`

// TestPortalHoldsAgainstLongWordsAt320 logs in at 320 CSS px as a customer
// whose name and whose case are long unbroken words, opens every detail and
// the filters, and finds that the overview page does not scroll sideways,
// that nothing on it (header, element) is beyond the viewport, and that the
// texts are there in full.
func TestPortalHoldsAgainstLongWordsAt320(t *testing.T) {
	long := map[string]string{
		"user":         "Elin Karlsson" + unbroken("Karlsson", cases.MaxShort-len("Elin Karlsson")),
		"title":        unbroken("Ärendetitel", cases.MaxTitle),
		"sender":       unbroken("Avsändaren", cases.MaxShort),
		"caseNumber":   unbroken("BYGG-000412-", cases.MaxShort),
		"officer":      unbroken("Handläggare", cases.MaxShort),
		"freeText":     unbroken("Fritext", 300),
		"pairTitle":    unbroken("Parrubrik", cases.MaxShort),
		"pairValue":    unbroken("Parvärde", 300),
		"historyTitle": unbroken("Händelse", cases.MaxTitle),
		"historyText":  unbroken("Händelsetext", 300),
	}
	data := longWordsData(t, long)
	for _, theme := range []string{"default", "bank"} {
		t.Run(theme, func(t *testing.T) {
			base := startPortal(t, theme, config.Source{Kind: config.KindDemo, Name: "long",
				Operator: cases.Actor{ID: "long", Name: "long"}, DataFile: data})
			ctx, tab := newTab(t)
			require.NoError(t, tab.SetViewport(ctx, 320, 640))
			login(t, ctx, tab, base, "Elin Karlsson")
			require.Contains(t, shownTitles(t, ctx, tab), long["title"])
			_, err := browser.Eval[bool](ctx, tab, `(() => { const root = `+shadow+`; root.querySelector(".filters").open = true;
				root.querySelectorAll(".case-title").forEach((b) => b.click()); return true })()`)
			require.NoError(t, err)
			waitFor(t, ctx, tab, `[...`+shadow+`.querySelectorAll(".case-title")].every((b) => b.parentElement.open)`)
			o, err := browser.Eval[overflow](ctx, tab, readOverflow)
			require.NoError(t, err)
			t.Logf("scrollWidth %d at innerWidth %d, %d parts beyond", o.ScrollWidth, o.InnerWidth, len(o.Beyond))
			require.LessOrEqual(t, o.ScrollWidth, o.InnerWidth, "the page does not scroll sideways; beyond: %q", o.Beyond)
			require.Empty(t, o.Beyond, "nothing beyond the viewport")
			for n, s := range long {
				require.True(t, strings.Contains(o.Text, strings.Join(strings.Fields(s), "")), "the %s in full", n)
			}
		})
	}
}
