package render_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"html/template"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"golang.org/x/net/html"

	"github.com/arendevy/arendevy/kit"
	"github.com/arendevy/arendevy/kit/cases"
	"github.com/arendevy/arendevy/kit/fanout"
	"github.com/arendevy/arendevy/kit/i18n"
	"github.com/arendevy/arendevy/kit/identity"
	"github.com/arendevy/arendevy/kit/internal/render"
	"github.com/arendevy/arendevy/kit/listing"
	"github.com/arendevy/arendevy/kit/overview"
	"github.com/arendevy/arendevy/kit/preferences"
	"github.com/arendevy/arendevy/kit/producers"
)

var (
	tolvan = identity.Subject{User: identity.Party{Number: "191212121212", Kind: identity.Personnummer, Name: "Tolvan Tolvansson"}}
	skv    = cases.Actor{ID: "skatteverket", Name: "Skatteverket"}
	vax    = cases.Actor{ID: "vaxholm", Name: "Vaxholms stad"}
)

func day(d int) time.Time { return time.Date(2026, 11, d, 9, 30, 0, 0, time.UTC) }

func renderer(t testing.TB) *render.Renderer {
	t.Helper()
	b, err := i18n.Default()
	require.NoError(t, err)
	r, err := render.New(b)
	require.NoError(t, err)
	return r
}

// compiled compiles an overview the way the kit's API does.
func compiled(t testing.TB, subject identity.Subject, res cases.Result) *overview.Overview {
	t.Helper()
	dir, err := producers.New([]producers.Info{
		{ID: "skatteverket", Name: "Skatteverket", Hosts: []string{"etjanst.skatteverket.se"},
			CustomerService: producers.Contact{Phone: "0771-567 567", Web: "https://skatteverket.se/kontakt"}},
		{ID: "vaxholm", Name: "Vaxholms stad"},
	})
	require.NoError(t, err)
	k, err := kit.New(kit.Config{Producers: dir, Sources: []fanout.Member{{Name: "demo", Actor: cases.Actor{ID: "demo", Name: "Demo"},
		Source: cases.SourceFunc(func(context.Context, identity.Subject) (cases.Result, error) { return res, nil })}}})
	require.NoError(t, err)
	ov, err := k.Overview(context.Background(), subject, listing.Query{Sort: listing.ByDate, Descending: true, Scope: listing.All}, preferences.Default())
	require.NoError(t, err)
	return &ov
}

func sample() []cases.Case {
	planned := time.Date(2026, 12, 15, 0, 0, 0, 0, time.UTC)
	return []cases.Case{
		{ID: "1", Date: day(20), Title: "Ansökan om F-skatt", Sender: skv, Status: cases.InProgress,
			Forecast: &cases.Forecast{Amount: 3, Unit: cases.Weeks}, CaseNumber: "131-1", Payment: cases.PaymentPaidOut, PlannedTime: &planned,
			History: []cases.Event{{Time: day(2), Title: "Mottagen", Text: "Tack.", Status: cases.Received}},
			Link:    "https://etjanst.skatteverket.se/a/1"},
		{ID: "2", Date: day(18), Title: "Bygglov", Sender: vax, Status: cases.ActionRequired, Forecast: &cases.Forecast{Amount: 1, Unit: cases.Days}},
		{ID: "3", Date: day(10), Title: "Återbetalning", Sender: skv, Status: cases.Closed},
	}
}

func fragment(t testing.TB, f render.Fragment) (string, *html.Node) {
	t.Helper()
	var buf bytes.Buffer
	require.NoError(t, renderer(t).Overview(&buf, f))
	doc, err := html.Parse(strings.NewReader(buf.String()))
	require.NoError(t, err)
	return buf.String(), doc
}

// find returns every element below n for which match holds, in document order.
func find(n *html.Node, match func(*html.Node) bool) []*html.Node {
	var out []*html.Node
	for c := range n.Descendants() {
		if c.Type == html.ElementNode && match(c) {
			out = append(out, c)
		}
	}
	return out
}

func class(name string) func(*html.Node) bool {
	return func(n *html.Node) bool {
		for _, f := range strings.Fields(attr(n, "class")) {
			if f == name {
				return true
			}
		}
		return false
	}
}

func tag(name string) func(*html.Node) bool { return func(n *html.Node) bool { return n.Data == name } }

func attr(n *html.Node, key string) string {
	for _, a := range n.Attr {
		if a.Key == key {
			return a.Val
		}
	}
	return ""
}

func text(n *html.Node) string {
	var b strings.Builder
	for c := range n.Descendants() {
		if c.Type == html.TextNode {
			b.WriteString(c.Data)
		}
	}
	return b.String()
}

func texts(ns []*html.Node) []string {
	out := make([]string, len(ns))
	for i, n := range ns {
		out[i] = text(n)
	}
	return out
}

func TestOverviewMirrorsTheElement(t *testing.T) {
	data := compiled(t, tolvan, cases.Result{Cases: sample()})
	q := listing.Default()
	out, doc := fragment(t, render.Fragment{Lang: "sv-SE", Src: "/arendevy/api/overview", ApprovedBy: "Skatteverket", PageSize: 2, Query: q, Overview: data})

	el := find(doc, tag("arendevy-overview"))
	require.Len(t, el, 1)
	require.Equal(t, []html.Attribute{{Key: "src", Val: "/arendevy/api/overview"}, {Key: "sort", Val: "date"}, {Key: "order", Val: "desc"},
		{Key: "page-size", Val: "2"}, {Key: "approved-by", Val: "Skatteverket"}}, el[0].Attr)
	root := find(doc, class("overview"))[0]
	require.Equal(t, "sv", attr(root, "lang"))
	require.Equal(t, []string{"Mina ärenden"}, texts(find(doc, tag("h2"))))
	require.Equal(t, []string{"Tjänsten är godkänd av Skatteverket."}, texts(find(doc, class("trust-line"))))
	require.Equal(t, []string{"3 av 3 ärenden, sorterade efter datum, nyast först; ärenden där du behöver göra något visas först"}, texts(find(doc, class("status-region"))))
	require.Equal(t, []string{"Datum", "Titel", "Avsändare", "Status", "Beräknad tid"}, texts(find(doc, func(n *html.Node) bool { return n.Data == "th" && attr(n, "scope") == "col" })))
	require.Equal(t, "descending", attr(find(doc, tag("th"))[0], "aria-sort"))
	require.Equal(t, []string{"Bygglov", "Ansökan om F-skatt", "Återbetalning"}, texts(find(doc, class("case-title"))), "the case waiting for the customer first")

	rows := find(doc, class("case-row"))
	require.Equal(t, []string{"20 november 2026", "Ansökan om F-skatt", "Skatteverket", "Handläggning pågår", "cirka 3 veckor"}, texts(find(rows[1], func(n *html.Node) bool {
		return n.Parent == rows[1]
	})))
	require.Equal(t, []string{"0", "1", "2"}, []string{attr(rows[0], "data-case-index"), attr(rows[1], "data-case-index"), attr(rows[2], "data-case-index")},
		"each row names its case in the element's data")
	require.Equal(t, "2026-11-20T09:30:00Z", attr(find(rows[1], tag("time"))[0], "datetime"))
	require.Equal(t, "—Avslutat, ingen beräknad tid", text(find(rows[2], tag("td"))[3]), "a closed case has no forecast, and says so without an error's words")
	require.Equal(t, []string{"case-row", "case-row", "case-row later-page"}, []string{attr(rows[0], "class"), attr(rows[1], "class"), attr(rows[2], "class")},
		"beyond the page size until the user asks")
	require.Equal(t, []string{"Visa 1 till"}, texts(find(doc, class("show-more"))))

	details := find(doc, class("case-detail"))
	require.Len(t, details, 3)
	details[0], details[1] = details[1], details[0]
	require.Equal(t, []string{"Diarienummer131-1", "BetalningUtbetalt", "Tidpunkt för nästa steg15 december 2026"}, texts(find(details[0], func(n *html.Node) bool {
		return n.Data == "div" && n.Parent.Data == "dl" && n.Parent.Parent.Data == "td"
	})))
	// Every case names who answers for it and how to reach them, with a
	// link as well, and says so when the directory has no way.
	responsible := find(details[0], class("case-responsible"))
	require.Len(t, responsible, 1)
	require.Equal(t, "sv", attr(responsible[0], "lang"), "the page's words, whatever the producer's texts are in")
	require.Equal(t, "Ansvarig för ärendetSkatteverket ansvarar för ärendet och svarar på frågor om det.TelefonWebbplats"+
		"0771-567 567https://skatteverket.se/kontakt (öppnas i nytt fönster)", text(find(responsible[0], tag("h3"))[0])+text(find(responsible[0], tag("p"))[0])+
		strings.Join(texts(find(responsible[0], tag("dt"))), "")+strings.Join(texts(find(responsible[0], tag("a"))), ""))
	require.Equal(t, "tel:0771567567", attr(find(responsible[0], tag("a"))[0], "href"))
	require.Equal(t, "_blank", attr(find(responsible[0], tag("a"))[1], "target"), "the web site opens beside the overview, as a deep link does")
	require.Equal(t, []string{"Ansvarig för ärendet", "Vaxholms stad ansvarar för ärendet och svarar på frågor om det.Vaxholms stad har inte lämnat några kontaktuppgifter till ärendeöversikten."},
		[]string{text(find(details[1], tag("h3"))[0]), strings.Join(texts(find(find(details[1], class("case-responsible"))[0], tag("p"))), "")})
	require.Equal(t, []string{"2 november 2026 Mottagen (Ankommen handling)\nTack."}, texts(find(details[0], tag("li"))))
	link := find(details[0], class("case-link"))[0]
	require.Equal(t, "https://etjanst.skatteverket.se/a/1", attr(link, "href"))
	require.Equal(t, "_blank", attr(link, "target"))
	require.Equal(t, "noopener", attr(link, "rel"))
	require.Equal(t, "Gå till ärendet hos Skatteverket (öppnas i nytt fönster)", text(link))
	info := find(details[1], tag("a"))[0]
	require.Equal(t, "/arendevy/producers/vaxholm?lang=sv", attr(info, "href"))
	require.Equal(t, "Om Vaxholms stad och hur du når kundtjänsten (öppnas i nytt fönster)", text(info), "opens as the case at the producer would, and says so")
	require.Equal(t, "_blank", attr(info, "target"))
	require.Empty(t, find(details[1], func(n *html.Node) bool { return n.Data == "dl" && n.Parent.Data == "td" }), "no heading without a value")

	require.Len(t, find(doc, func(n *html.Node) bool {
		return n.Parent != nil && n.Parent.Data == "dl" && class("status-legend")(n.Parent.Parent)
	}), 6, "the legend: the date, the processing time and the four statuses")

	scripts := find(doc, tag("script"))
	require.Len(t, scripts, 1)
	require.Equal(t, "application/json", attr(scripts[0], "type"))
	want, err := json.Marshal(data)
	require.NoError(t, err)
	require.JSONEq(t, string(want), text(scripts[0]), "the element gets the very overview the page shows")
	require.NotContains(t, out, "<button type=\"button\" class=\"tt\"", "titles are text until the element can make them buttons")
}

func TestOverviewFiltersTheWayTheElementDoes(t *testing.T) {
	data := compiled(t, tolvan, cases.Result{Cases: sample()})
	tests := []struct {
		name   string
		q      listing.Query
		titles []string
		status string
		attrs  map[string]string
	}{
		{"closed only", listing.Query{Sort: listing.ByDate, Descending: true, Scope: listing.ClosedOnly}, []string{"Återbetalning"},
			"1 av 3 ärenden, sorterade efter datum, nyast först", map[string]string{"show-closed": "only"}},
		{"open only", listing.Query{Sort: listing.ByDate, Descending: true, Scope: listing.OpenOnly}, []string{"Bygglov", "Ansökan om F-skatt"},
			"2 av 3 ärenden, sorterade efter datum, nyast först; ärenden där du behöver göra något visas först", map[string]string{"show-closed": "false"}},
		{"sender and status", listing.Query{Sort: listing.ByTitle, Scope: listing.All, Senders: []string{"skatteverket"}, Statuses: []cases.Status{cases.Closed, cases.InProgress}},
			[]string{"Ansökan om F-skatt", "Återbetalning"}, "2 av 3 ärenden, sorterade efter titel, stigande",
			map[string]string{"filter-sender": "skatteverket", "filter-status": "closed,in_progress", "sort": "title", "order": "asc"}},
		{"text", listing.Query{Sort: listing.ByStatus, Descending: true, Scope: listing.All, Text: "bygg"}, []string{"Bygglov"},
			"1 av 3 ärenden, sorterade efter status, fallande", map[string]string{"filter-text": "bygg"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, doc := fragment(t, render.Fragment{Lang: "sv", Query: tt.q, Overview: data})
			require.Equal(t, tt.titles, texts(find(doc, class("case-title"))))
			require.Equal(t, []string{tt.status}, texts(find(doc, class("status-region"))))
			el := find(doc, tag("arendevy-overview"))[0]
			for k, v := range tt.attrs {
				require.Equal(t, v, attr(el, k), k)
			}
		})
	}

	_, doc := fragment(t, render.Fragment{Lang: "en", Query: listing.Query{Sort: listing.ByDate, Scope: listing.All, Text: "zzz"}, Overview: data})
	require.Equal(t, []string{"No cases match your choices.Clear filters"}, texts(find(doc, class("no-match"))))
	require.Empty(t, find(doc, tag("table")))
	require.Equal(t, []string{"0 of 3 cases, sorted by date, oldest first"}, texts(find(doc, class("status-region"))))
}

func TestOverviewNotices(t *testing.T) {
	agent := tolvan
	agent.ActingFor = identity.Party{Number: "190101010101", Kind: identity.Personnummer, Name: "Anna Andersson"}
	tests := []struct {
		name    string
		subject identity.Subject
		res     cases.Result
		lang    string
		heading string
		notes   []string
		filters bool
	}{
		{"no cases at all", tolvan, cases.Result{Outcomes: []cases.Outcome{{Producer: skv, State: cases.OK}, {Producer: vax, State: cases.OK}}}, "sv", "Mina ärenden",
			[]string{"Du har inga ärenden hos de anslutna aktörerna: Skatteverket, Vaxholms stad."}, false},
		{"a producer missing", tolvan, cases.Result{Cases: sample()[:1], Outcomes: []cases.Outcome{{Producer: vax, State: cases.Timeout}}}, "en", "My cases",
			[]string{"Vaxholms stad could not be reached right now – its cases are missing. Try again"}, true},
		{"cases refused", agent, cases.Result{Cases: append(sample(), cases.Case{ID: "bad", Sender: vax})}, "sv", "Ärenden för Anna Andersson",
			[]string{"1 ärende från Vaxholms stad kunde inte visas."}, true},
		{"an answer over the hub's limit", tolvan, cases.Result{Cases: sample(), Outcomes: []cases.Outcome{
			{Producer: vax, State: cases.OK, Truncated: &cases.Truncation{Reason: cases.CutLimit, Unit: cases.CountedCases, Shown: 5000, Total: 6000}}}}, "en", "My cases",
			[]string{"Only 5000 of 6000 cases from Vaxholms stad are shown."}, true},
		{"events cut at the page limit", tolvan, cases.Result{Cases: sample(), Outcomes: []cases.Outcome{
			{Producer: vax, State: cases.OK, Truncated: &cases.Truncation{Reason: cases.CutLimit, Unit: cases.CountedEvents, Shown: 1002, Total: 10002}}}}, "sv", "Mina ärenden",
			[]string{"Bara de senaste 1002 av 10002 händelserna från Vaxholms stad hämtades – äldre ärenden kan saknas."}, true},
		{"a later page failed", tolvan, cases.Result{Cases: sample(), Outcomes: []cases.Outcome{
			{Producer: vax, State: cases.OK, Truncated: &cases.Truncation{Reason: cases.CutFailedPage, Unit: cases.CountedEvents, Shown: 200}}}}, "en", "My cases",
			[]string{"Only the newest events from Vaxholms stad were fetched – older cases may be missing."}, true},
		{"a partial answer", tolvan, cases.Result{Cases: sample(), Outcomes: []cases.Outcome{
			{Producer: vax, State: cases.OK, Truncated: &cases.Truncation{Reason: cases.CutPartial}}}}, "sv", "Mina ärenden",
			[]string{"Vaxholms stad svarade bara delvis – ärenden kan saknas."}, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, doc := fragment(t, render.Fragment{Lang: tt.lang, Query: listing.Default(), Overview: compiled(t, tt.subject, tt.res)})
			require.Equal(t, []string{tt.heading}, texts(find(doc, tag("h2"))))
			require.Equal(t, tt.notes, texts(find(find(doc, class("notices"))[0], tag("p"))))
			require.Equal(t, tt.filters, len(find(doc, class("filters"))) == 1, "filters only when there is something to filter")
		})
	}
}

func TestOverviewKeepsProducerTextInert(t *testing.T) {
	c := sample()[0]
	c.Title = `</script><script>alert("title")</script>`
	c.FreeText = `"><img src=x onerror=alert(1)>`
	c.Pairs = []cases.Pair{{Title: "{{.Sender}}", Value: `{{template "x"}}`}}
	data := compiled(t, tolvan, cases.Result{Cases: []cases.Case{c}})
	out, doc := fragment(t, render.Fragment{Lang: "sv", Query: listing.Default(), Overview: data})
	require.Len(t, find(doc, tag("script")), 1, "nothing ends the data block early")
	require.Empty(t, find(doc, tag("img")))
	require.NotContains(t, out, "<script>alert")
	require.Equal(t, []string{c.Title}, texts(find(doc, class("case-title"))))
	dd := texts(find(doc, tag("dd")))
	require.Contains(t, dd, c.FreeText)
	require.Contains(t, dd, `{{template "x"}}`)
	require.Contains(t, texts(find(doc, tag("dt"))), "{{.Sender}}")
	var back struct{ Cases []struct{ Title string } }
	require.NoError(t, json.Unmarshal([]byte(text(find(doc, tag("script"))[0])), &back))
	require.Equal(t, c.Title, back.Cases[0].Title)
}

// An overview missing, or one whose data the element could not be given,
// is refused rather than rendered half.
func TestOverviewRefusesWhatCannotBeSent(t *testing.T) {
	unwritable := compiled(t, tolvan, cases.Result{Cases: sample()})
	unwritable.CompiledAt = time.Date(10000, 1, 1, 0, 0, 0, 0, time.UTC)
	for name, bad := range map[string]*overview.Overview{"none": nil, "a time JSON cannot carry": unwritable} {
		var buf bytes.Buffer
		err := renderer(t).Overview(&buf, render.Fragment{Overview: bad})
		require.True(t, errors.Is(err, render.ErrOverview), name)
		require.Zero(t, buf.Len(), name)
	}
}

func TestProducerPage(t *testing.T) {
	head := template.HTML(`<link rel="stylesheet" href="/a.css">`)
	tests := []struct {
		name     string
		lang     string
		info     producers.Info
		contacts []string // label: href or text
		title    string
	}{
		{"every contact", "sv", producers.Info{ID: "skatteverket", Name: "Skatteverket", CustomerService: producers.Contact{
			Phone: "0771-567 567", Email: "kontakt@skatteverket.se", Web: "https://www.skatteverket.se", Hours: "Vardagar 8–16"}},
			[]string{"Telefon tel:0771567567", "E-post mailto:kontakt@skatteverket.se", "Webbplats https://www.skatteverket.se", "Öppettider Vardagar 8–16"}, "Kontakta Skatteverket"},
		{"numbers and addresses that are not links", "en", producers.Info{ID: "x", Name: "X", CustomerService: producers.Contact{
			Phone: "ask for Eva", Email: "Eva <eva@x.se>"}}, []string{"Phone ask for Eva", "Email Eva <eva@x.se>"}, "Contact X"},
		{"international number", "en", producers.Info{ID: "x", Name: "X", CustomerService: producers.Contact{Phone: "+46 (8) 123 45"}},
			[]string{"Phone tel:+46812345"}, "Contact X"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var buf bytes.Buffer
			require.NoError(t, renderer(t).Producer(&buf, tt.lang, tt.info, head))
			doc, err := html.Parse(&buf)
			require.NoError(t, err)
			require.Equal(t, tt.lang, attr(find(doc, tag("html"))[0], "lang"))
			require.Equal(t, []string{tt.title}, texts(find(doc, tag("h1"))))
			require.Equal(t, []string{tt.title}, texts(find(doc, tag("title"))))
			require.Len(t, find(doc, func(n *html.Node) bool { return n.Data == "link" && attr(n, "href") == "/a.css" }), 1)
			var got []string
			for _, d := range find(doc, func(n *html.Node) bool { return n.Data == "div" && n.Parent.Data == "dl" }) {
				v := text(find(d, tag("dd"))[0])
				if a := find(d, tag("a")); len(a) > 0 {
					v = attr(a[0], "href")
				}
				got = append(got, text(find(d, tag("dt"))[0])+" "+v)
			}
			require.Equal(t, tt.contacts, got)
		})
	}

	var buf bytes.Buffer
	require.NoError(t, renderer(t).Producer(&buf, "sv", producers.Info{ID: "csn", Name: "CSN"}, head))
	require.Contains(t, buf.String(), "CSN har inte lämnat några kontaktuppgifter till ärendeöversikten.")
	buf.Reset()
	require.NoError(t, renderer(t).NotFound(&buf, "en", head))
	require.Contains(t, buf.String(), "<h1>No such organisation</h1>")
}

func FuzzOverview(f *testing.F) {
	sampleJSON, err := json.Marshal(compiled(f, tolvan, cases.Result{Cases: sample()}))
	require.NoError(f, err)
	f.Add(sampleJSON)
	f.Add([]byte(`{"cases":[{"id":"x","title":"</script>","sender":{"name":"<b>"},"status":"nonsense","forecast":{"amount":-1,"unit":"years"}}],"sources":[{"state":"timeout","rejected":-2}]}`))
	f.Add([]byte(`{"cases":[{"history":[{"status":"x"}],"pairs":[{}],"link":"javascript:alert(1)","info":"?"}]}`))
	r := renderer(f)
	// Whatever a producer's data decodes to, the page stays whole.
	f.Fuzz(func(t *testing.T, data []byte) {
		var ov overview.Overview
		if json.Unmarshal(data, &ov) != nil {
			return
		}
		for _, c := range ov.Cases {
			if c.Case == nil {
				return // the kit's views always point at a case
			}
		}
		var buf bytes.Buffer
		if err := r.Overview(&buf, render.Fragment{Lang: "sv", Query: listing.Default(), PageSize: 1, Overview: &ov}); err != nil {
			return
		}
		doc, err := html.Parse(&buf)
		require.NoError(t, err)
		require.Len(t, find(doc, tag("script")), 1, "producer data never ends the data block")
		for _, a := range find(doc, tag("a")) {
			require.False(t, strings.HasPrefix(strings.ToLower(strings.TrimSpace(attr(a, "href"))), "javascript:"), attr(a, "href"))
		}
	})
}
