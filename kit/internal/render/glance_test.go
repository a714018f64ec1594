package render_test

import (
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"golang.org/x/net/html"

	"github.com/arendevy/arendevy/kit/cases"
	"github.com/arendevy/arendevy/kit/internal/render"
	"github.com/arendevy/arendevy/kit/listing"
)

// The three questions at a glance: a case waiting for the customer says in
// its row what to do, by when, and where; the processing time says what it
// is; the count never claims cases that are missing.

func waiting() cases.Case {
	deadline := time.Date(2026, 12, 13, 12, 0, 0, 0, time.UTC)
	return cases.Case{ID: "w", Date: day(19), Title: "Deklaration", Sender: skv, Status: cases.ActionRequired,
		PlannedEvent: "Skicka in kvitton", PlannedTime: &deadline, Link: "https://etjanst.skatteverket.se/a/w",
		Pairs: []cases.Pair{{Title: "Beslutsdatum", Value: "2026-12-03"}, {Title: "Inkomstår", Value: "2025"}}}
}

func TestActionRequiredSaysWhatByWhenAndWhereInItsRow(t *testing.T) {
	for _, tt := range []struct{ lang, status, what, deadline, action string }{
		{"sv", "Åtgärd krävs", "Skicka in kvitton", "Sista dag: 13 december 2026", "Gå till ärendet hos Skatteverket (öppnas i nytt fönster)"},
		{"en", "Action required", "Skicka in kvitton", "Last day: 13 December 2026", "Go to the case at Skatteverket (opens in a new window)"},
	} {
		t.Run(tt.lang, func(t *testing.T) {
			data := compiled(t, tolvan, cases.Result{Cases: append(sample(), waiting())})
			_, doc := fragment(t, render.Fragment{Lang: tt.lang, Query: listing.Default(), Overview: data})
			row := find(doc, class("case-row"))[0]
			require.Equal(t, "Deklaration", text(find(row, class("case-title"))[0]), "first: it waits for the customer")
			status := find(row, tag("td"))[2]
			require.Equal(t, tt.status, text(find(status, class("status-badge"))[0]))
			require.Equal(t, tt.what+tt.deadline, text(find(status, class("case-due"))[0]), "in the summary row, not only the detail")
			link := find(status, tag("a"))
			require.Len(t, link, 1)
			require.Equal(t, tt.action, text(link[0]))
			require.Equal(t, "https://etjanst.skatteverket.se/a/w", attr(link[0], "href"))
			require.Equal(t, "_blank", attr(link[0], "target"))
			require.Contains(t, attr(link[0], "class"), "action-button", "looks like the primary action it is")
			require.Empty(t, find(find(doc, class("case-row"))[2], class("case-due")), "only cases waiting for the customer")
		})
	}
}

func TestSortByStatusIsByUrgency(t *testing.T) {
	data := compiled(t, tolvan, cases.Result{Cases: append(sample(), waiting())})
	_, doc := fragment(t, render.Fragment{Lang: "sv", Query: listing.Query{Sort: listing.ByStatus, Scope: listing.All}, Overview: data})
	var got []string
	for _, b := range find(doc, func(n *html.Node) bool { return class("status-badge")(n) && n.Parent.Data == "td" }) {
		got = append(got, attr(b, "data-status"))
	}
	require.Equal(t, []string{"action_required", "action_required", "in_progress", "closed"}, got)
	require.Equal(t, []string{"4 av 4 ärenden, sorterade efter status, stigande"}, texts(find(doc, class("status-region"))))
}

func TestProcessingTimeSaysWhatItIs(t *testing.T) {
	data := compiled(t, tolvan, cases.Result{Cases: append(sample(), cases.Case{ID: "n", Date: day(1), Title: "Utan prognos", Sender: vax, Status: cases.Received})})
	_, doc := fragment(t, render.Fragment{Lang: "en", Query: listing.Query{Sort: listing.ByTitle, Scope: listing.All}, Overview: data})
	var got []string
	for _, r := range find(doc, class("case-row")) {
		got = append(got, text(find(r, tag("td"))[3]))
	}
	require.Equal(t, []string{"about 3 weeks", "about 1 day", "Not given by Vaxholms stad", "—Closed, no estimate"}, got)
	require.Equal(t, "Estimated time", text(find(doc, func(n *html.Node) bool { return n.Data == "th" && attr(n, "scope") == "col" })[4]))
	legend := texts(find(find(doc, class("status-legend"))[0], tag("dt")))
	require.Equal(t, []string{"Date", "Estimated time"}, legend[:2], "the legend explains the date and the processing time")
	links := find(doc, class("legend-link"))
	require.Len(t, links, 1)
	require.Equal(t, "#arendevy-legend", attr(find(links[0], tag("a"))[0], "href"), "reachable from the top of the list")
	require.Equal(t, "arendevy-legend", attr(find(doc, class("status-legend"))[0], "id"))
}

func TestMissingProducersNeverContradictTheCount(t *testing.T) {
	down := cases.Outcome{Producer: cases.Actor{ID: "csn", Name: "CSN"}, State: cases.Timeout}
	data := compiled(t, tolvan, cases.Result{Cases: sample(), Outcomes: []cases.Outcome{{Producer: skv, State: cases.OK}, down}})
	_, doc := fragment(t, render.Fragment{Lang: "sv", Query: listing.Query{Sort: listing.ByTitle, Scope: listing.All}, Overview: data})
	require.Equal(t, []string{"3 av 3 hämtade ärenden, sorterade efter titel, stigande. Ärenden från CSN saknas just nu."}, texts(find(doc, class("status-region"))))
	retry := find(doc, func(n *html.Node) bool { return attr(n, "data-action") == "retry" })
	require.Len(t, retry, 1)
	require.Equal(t, "a", retry[0].Data, "a link: it works without JavaScript")
	require.Equal(t, "?order=asc&scope=all&sort=title", attr(retry[0], "href"), "the same page, the same sorting")

	empty := compiled(t, tolvan, cases.Result{Outcomes: []cases.Outcome{{Producer: skv, State: cases.OK}, down}})
	_, doc = fragment(t, render.Fragment{Lang: "en", Query: listing.Default(), Overview: empty})
	require.Equal(t, []string{"CSN could not be reached right now – its cases are missing. Try again", "No cases from Skatteverket."},
		texts(find(find(doc, class("notices"))[0], tag("p"))), "never \"you have no cases\" while some are missing")
}

func TestHiddenActorsAreAnnouncedOneClickAway(t *testing.T) {
	res := cases.Result{Cases: sample()}
	data := compiled(t, tolvan, res)
	data.Hidden = []cases.Actor{{ID: "csn", Name: "CSN"}, {ID: "fk", Name: "Försäkringskassan"}}
	_, doc := fragment(t, render.Fragment{Lang: "sv", Query: listing.Default(), SettingsURL: "/installningar", Overview: data})
	p := find(find(doc, class("notices"))[0], tag("p"))
	require.Equal(t, []string{"2 aktörer dolda (CSN, Försäkringskassan) — visa dem"}, texts(p))
	require.Equal(t, "/installningar", attr(find(p[0], tag("a"))[0], "href"))
}

func TestWithoutJavaScriptTheFormSortsAndFilters(t *testing.T) {
	data := compiled(t, tolvan, cases.Result{Cases: sample()})
	q := listing.Query{Sort: listing.ByTitle, Scope: listing.OpenOnly, Statuses: []cases.Status{cases.InProgress}}
	_, doc := fragment(t, render.Fragment{Lang: "sv", Query: q, Overview: data, QueryRefused: true, HeadingYields: true})
	form := find(doc, tag("form"))
	require.Len(t, form, 1)
	require.Equal(t, "get", attr(form[0], "method"))
	sel := find(form[0], tag("select"))[0]
	require.Equal(t, "sort", attr(sel, "name"))
	require.Equal(t, "Sortera efter", text(find(form[0], func(n *html.Node) bool { return n.Data == "label" && attr(n, "for") == attr(sel, "id") })[0]),
		"one compact control, with a label")
	require.Equal(t, []string{"Titel, A–Ö"}, texts(find(sel, func(n *html.Node) bool {
		return n.Data == "option" && attr(n, "selected") != "" || hasAttr(n, "selected")
	})))
	var checked []string
	for _, in := range find(form[0], tag("input")) {
		if hasAttr(in, "checked") {
			checked = append(checked, attr(in, "name")+"="+attr(in, "value"))
		}
	}
	require.Equal(t, []string{"status=in_progress", "scope=open"}, checked)
	require.Len(t, find(form[0], func(n *html.Node) bool { return n.Data == "button" && attr(n, "type") == "submit" }), 2)
	require.Empty(t, find(doc, func(n *html.Node) bool { return n.Data == "button" && attr(n, "type") != "submit" }), "no button that needs JavaScript")
	require.Equal(t, "?order=desc&scope=open&sort=date&status=in_progress", attr(find(doc, class("sort-button"))[0], "href"), "column headers are links")
	require.Equal(t, "Sorteringen eller filtret i adressen gick inte att använda. Här visas alla dina ärenden, nyast först.",
		texts(find(find(doc, class("notices"))[0], tag("p")))[0])
	require.True(t, hasAttr(find(doc, tag("h2"))[0], "hidden"), "the page's heading says it")
	el := find(doc, tag("arendevy-overview"))[0]
	require.True(t, hasAttr(el, "query-refused"))
	require.Equal(t, "page", attr(el, "heading"))
	toggles := find(doc, class("case-toggle"))
	require.Len(t, toggles, 1)
	require.Equal(t, "details", toggles[0].Data, "each detail opens natively")
}

func TestProducerTextCarriesItsLanguageAndDates(t *testing.T) {
	data := compiled(t, tolvan, cases.Result{Cases: []cases.Case{waiting()}})
	data.Cases[0].Lang = "sv"
	_, doc := fragment(t, render.Fragment{Lang: "en", Query: listing.Default(), Overview: data})
	require.Equal(t, "en", attr(find(doc, class("overview"))[0], "lang"))
	require.Equal(t, "sv", attr(find(doc, tag("th"))[5], "lang"), "the title's row header")
	require.Equal(t, "sv", attr(find(find(doc, class("case-detail"))[0], tag("td"))[0], "lang"))
	var pairs []string
	for _, d := range find(doc, func(n *html.Node) bool {
		return n.Data == "div" && n.Parent.Data == "dl" && class("case-detail")(n.Parent.Parent.Parent)
	}) {
		pairs = append(pairs, text(d))
		if t := find(d, tag("time")); len(t) > 0 {
			pairs = append(pairs, attr(t[0], "datetime"))
		}
	}
	require.Contains(t, pairs, "Beslutsdatum3 December 2026", "an ISO date is shown as a date")
	require.Contains(t, pairs, "2026-12-03T12:00:00Z")
	require.Contains(t, pairs, "Inkomstår2025", "a year is not a date")
}

func hasAttr(n *html.Node, key string) bool {
	for _, a := range n.Attr {
		if a.Key == key {
			return true
		}
	}
	return false
}
