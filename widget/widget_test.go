package widget_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"html"
	"html/template"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/chromedp/cdproto/accessibility"
	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"
	"github.com/stretchr/testify/require"

	"github.com/arendevy/arendevy/e2e/browser"
	"github.com/arendevy/arendevy/e2e/browser/browsertest"
	"github.com/arendevy/arendevy/kit"
	"github.com/arendevy/arendevy/kit/cases"
	"github.com/arendevy/arendevy/kit/fanout"
	"github.com/arendevy/arendevy/kit/identity"
	"github.com/arendevy/arendevy/kit/preferences"
	"github.com/arendevy/arendevy/kit/producers"
	"github.com/arendevy/arendevy/kit/supportcode"
)

func TestMain(m *testing.M) { browsertest.Main(m) }

// strictCSP is the policy every test page is served with.
const strictCSP = "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; connect-src 'self'"

var tolvan = identity.Subject{User: identity.Party{Number: "191212121212", Kind: identity.Personnummer, Name: "Tolvan Tolvansson"}}

var (
	skatteverket = cases.Actor{ID: "skatteverket", Name: "Skatteverket"}
	vaxholm      = cases.Actor{ID: "vaxholm", Name: "Vaxholms stad"}
	fk           = cases.Actor{ID: "fk", Name: "Försäkringskassan"}
	csn          = cases.Actor{ID: "csn", Name: "CSN"}
)

func at(s string) time.Time {
	t, err := time.Parse(time.RFC3339, s)
	if err != nil {
		panic(err)
	}
	return t
}

// standard is a customer's overview from three producers. The titles start
// with Å, Ä and Ö, which Swedish sorts after Z, in that order (code points
// would put Ä first).
func standard() []cases.Case {
	planned := at("2026-12-15T00:00:00Z")
	return []cases.Case{
		{
			ID: "skv-1", Date: at("2026-11-20T09:30:00Z"), Title: "Ansökan om F-skatt", Sender: skatteverket,
			Status: cases.InProgress, Forecast: &cases.Forecast{Amount: 3, Unit: cases.Weeks},
			CaseNumber: "131-123456-26", Category: "Företagsregistrering", Payment: cases.PaymentPending,
			Officer: "Anna Berg", FreeText: "Vi har tagit emot din ansökan.", PlannedEvent: "Beslut skickas",
			PlannedTime: &planned, Pairs: []cases.Pair{{Title: "Inkomstår", Value: "2025"}},
			History: []cases.Event{
				{Time: at("2026-11-02T08:00:00Z"), Title: "Ansökan mottagen", Status: cases.Received},
				{Time: at("2026-11-20T09:30:00Z"), Title: "Handläggning påbörjad", Text: "Handläggaren går igenom ansökan.", Status: cases.InProgress},
			},
			Link: "https://etjanst.skatteverket.se/arende/123",
		},
		{ID: "vax-1", Date: at("2026-11-18T10:00:00Z"), Title: "Bygglov för carport", Sender: vaxholm, Status: cases.ActionRequired,
			Forecast: &cases.Forecast{Amount: 1, Unit: cases.Weeks}, PlannedEvent: "Komplettera ritningarna"},
		{ID: "fk-1", Date: at("2026-11-10T07:00:00Z"), Title: "Föräldrapenning", Sender: fk, Status: cases.Received,
			Forecast: &cases.Forecast{Amount: 5, Unit: cases.Days}},
		{ID: "skv-2", Date: at("2026-10-01T12:00:00Z"), Title: "Återbetalning av skatt", Sender: skatteverket, Status: cases.Closed},
		{ID: "vax-2", Date: at("2026-09-12T12:00:00Z"), Title: "Ärende om bostadsanpassning", Sender: vaxholm, Status: cases.Closed},
		{ID: "fk-2", Date: at("2026-11-23T06:00:00Z"), Title: "Överklagande av beslut", Sender: fk, Status: cases.InProgress,
			Forecast: &cases.Forecast{Amount: 2, Unit: cases.Months}},
	}
}

// world is what the sources behind the kit answer in one test.
type world struct {
	cases   []cases.Case
	failing bool              // a second source, CSN, cannot be reached
	as      cases.Actor       // when set, the failing source is this producer instead of CSN
	cut     *cases.Truncation // when set, Skatteverket's answer was cut short so
	gate    chan struct{}     // when set, the source answers only once it is closed
	hide    []string          // actors Tolvan chose to hide (preferences)
	since   time.Time         // when set, Tolvan's last visit (preferences), long enough ago that this is a new one
}

// fixture is a portal in miniature: the kit behind a middleware that logs
// Tolvan in, and pages with the element under the strict CSP.
type fixture struct {
	t        *testing.T
	srv      *httptest.Server
	kit      *kit.Kit
	apiCalls atomic.Int32 // overviews compiled
	older    atomic.Int32 // how far back the last overview asked its sources to reach (cases.OlderOf)
	flaky    atomic.Int32 // requests to /flaky
}

func newFixture(t *testing.T, w world, view kit.View) *fixture {
	t.Helper()
	f := &fixture{t: t}
	dir, err := producers.New([]producers.Info{
		{ID: "skatteverket", Name: "Skatteverket", Hosts: []string{"etjanst.skatteverket.se"},
			CustomerService: producers.Contact{Phone: "0771-567 567", Web: "https://www.skatteverket.se"}},
		{ID: "vaxholm", Name: "Vaxholms stad", CustomerService: producers.Contact{Phone: "08-541 708 00", Email: "kontakt@vaxholm.se"}},
		{ID: "fk", Name: "Försäkringskassan"},
		{ID: "csn", Name: "CSN"},
	})
	require.NoError(t, err)
	members := []fanout.Member{{Name: "demo", Actor: cases.Actor{ID: "demo", Name: "Demo"},
		Source: cases.SourceFunc(func(ctx context.Context, s identity.Subject) (cases.Result, error) {
			if w.gate != nil {
				select {
				case <-w.gate:
				case <-ctx.Done():
					return cases.Result{}, ctx.Err()
				}
			}
			f.apiCalls.Add(1)
			f.older.Store(int32(cases.OlderOf(ctx)))
			return cases.Result{Cases: w.cases, Outcomes: []cases.Outcome{
				{Producer: skatteverket, State: cases.OK, Truncated: w.cut}, {Producer: vaxholm, State: cases.OK}, {Producer: fk, State: cases.OK},
			}}, nil
		})}}
	if w.failing {
		down := csn
		if w.as.ID != "" {
			down = w.as
		}
		members = append(members, fanout.Member{Name: down.ID, Actor: down,
			Source: cases.SourceFunc(func(context.Context, identity.Subject) (cases.Result, error) {
				return cases.Result{}, errors.New("connection refused")
			})})
	}
	prefs, err := preferences.NewMemory([]byte(strings.Repeat("s", 32)))
	require.NoError(t, err)
	if w.hide != nil || !w.since.IsZero() {
		mine := preferences.Default()
		mine.HiddenActors = w.hide
		mine.LastVisit = w.since
		require.NoError(t, prefs.Put(context.Background(), tolvan.User, mine))
	}
	k, err := kit.New(kit.Config{Sources: members, Producers: dir, Deadline: time.Minute, View: view,
		Preferences: prefs, Logger: slog.New(slog.DiscardHandler)})
	require.NoError(t, err)
	f.kit = k
	mux := http.NewServeMux()
	loggedIn := http.HandlerFunc(func(rw http.ResponseWriter, r *http.Request) {
		k.Handler().ServeHTTP(rw, r.WithContext(identity.WithSubject(r.Context(), tolvan)))
	})
	mux.Handle("/arendevy/", loggedIn)
	// The same kit, for a visitor who is not logged in.
	mux.Handle("/anonymous/", http.StripPrefix("/anonymous", k.Handler()))
	// A kit that asks for consent, which this customer has not given.
	asking, err := kit.New(kit.Config{Sources: members, Producers: dir, Preferences: prefs, Logger: slog.New(slog.DiscardHandler),
		Consent: kit.Consent{Required: true, Page: "/samtycke"}})
	require.NoError(t, err)
	mux.Handle("/unconsented/", http.StripPrefix("/unconsented", http.HandlerFunc(func(rw http.ResponseWriter, r *http.Request) {
		asking.Handler().ServeHTTP(rw, r.WithContext(identity.WithSubject(r.Context(), tolvan)))
	})))
	mux.HandleFunc("/broken", func(rw http.ResponseWriter, r *http.Request) {
		rw.Header().Set("Content-Type", "application/problem+json")
		rw.WriteHeader(http.StatusServiceUnavailable)
		fmt.Fprint(rw, `{"type":"about:blank","title":"Overview unavailable","status":503}`)
	})
	// Fails the first time, then works: for the retry button.
	mux.Handle("/flaky/", http.StripPrefix("/flaky", http.HandlerFunc(func(rw http.ResponseWriter, r *http.Request) {
		if f.flaky.Add(1) == 1 {
			rw.WriteHeader(http.StatusBadGateway)
			return
		}
		loggedIn.ServeHTTP(rw, r)
	})))
	// An API that is not the kit, sending links the kit would never send.
	mux.HandleFunc("/evil", func(rw http.ResponseWriter, r *http.Request) {
		rw.Header().Set("Content-Type", "application/json")
		fmt.Fprint(rw, `{"customer":{"name":"Tolvan"},"cases":[
			{"id":"a","date":"2026-11-20T09:30:00Z","title":"Skript","sender":{"id":"x","name":"X"},"status":"received","link":"javascript:document.body.dataset.pwned='link'"},
			{"id":"b","date":"2026-11-19T09:30:00Z","title":"Data","sender":{"id":"x","name":"X"},"status":"received","info":"data:text/html,<script>alert(1)</script>"}],
			"senders":[{"id":"x","name":"X"}],"sources":[{"producer":{"id":"x","name":"X"},"state":"ok"}]}`)
	})
	// Beside /evil, the session clock of an API whose portal keeps its
	// sessions itself: nothing to watch.
	mux.HandleFunc("/session", func(rw http.ResponseWriter, _ *http.Request) { rw.WriteHeader(http.StatusNoContent) })
	mux.HandleFunc("/page", f.page)
	mux.HandleFunc("/ssr", f.ssr)
	f.srv = httptest.NewServer(mux)
	t.Cleanup(f.srv.Close)
	return f
}

// pageOpts is one test page: the page's language and theme, the element's
// attributes, and whether the page is served with the strict CSP.
type pageOpts struct {
	lang   string
	theme  string
	attrs  map[string]string
	noCSP  bool
	script bool // only for /ssr: whether the page loads the element
}

func (o pageOpts) query() string {
	v := url.Values{"lang": {o.lang}, "theme": {o.theme}}
	for k, a := range o.attrs {
		v.Set("a."+k, a)
	}
	if o.noCSP {
		v.Set("nocsp", "1")
	}
	if o.script {
		v.Set("script", "1")
	}
	return v.Encode()
}

func (f *fixture) url(path string, o pageOpts) string { return f.srv.URL + path + "?" + o.query() }

func (f *fixture) head(rw http.ResponseWriter, r *http.Request, tags template.HTML) {
	if r.URL.Query().Get("nocsp") == "" {
		rw.Header().Set("Content-Security-Policy", strictCSP)
	}
	rw.Header().Set("Content-Type", "text/html; charset=utf-8")
	rw.Header().Set("Cache-Control", "no-store")
	lang := r.URL.Query().Get("lang")
	if lang == "" {
		lang = "sv"
	}
	fmt.Fprintf(rw, `<!doctype html><html lang="%s"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1"><title>Mina sidor</title>
%s</head><body><main><h1>Mina sidor</h1>`, html.EscapeString(lang), tags)
}

// page is a portal page with the element, as a portal writes it by hand.
func (f *fixture) page(rw http.ResponseWriter, r *http.Request) {
	tags, err := f.kit.Assets().Tags(r.URL.Query().Get("theme"))
	if err != nil {
		http.Error(rw, err.Error(), http.StatusBadRequest)
		return
	}
	f.head(rw, r, tags)
	fmt.Fprint(rw, "<arendevy-overview")
	for k, v := range r.URL.Query() {
		if name, ok := strings.CutPrefix(k, "a."); ok {
			fmt.Fprintf(rw, ` %s="%s"`, name, html.EscapeString(v[0]))
		}
	}
	fmt.Fprint(rw, "></arendevy-overview></main></body></html>")
}

// ssr is a portal page with the server-rendered overview, with or without
// the element's script.
func (f *fixture) ssr(rw http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	var tags template.HTML
	var err error
	if q.Get("script") != "" {
		tags, err = f.kit.Assets().Tags(q.Get("theme"))
	} else {
		tags, err = f.kit.Assets().Styles(q.Get("theme"))
	}
	if err != nil {
		http.Error(rw, err.Error(), http.StatusBadRequest)
		return
	}
	// The page's own query is the overview's (its GET form submits here);
	// the element's attributes given as a.<name> are read the same way.
	params := url.Values{}
	for k, v := range q {
		params[strings.TrimPrefix(k, "a.")] = v
	}
	f.head(rw, r, tags)
	if err := f.kit.RenderPage(r.Context(), rw, tolvan, params, q.Get("lang")); err != nil {
		f.t.Errorf("render: %v", err)
	}
	fmt.Fprint(rw, "</main></body></html>")
}

// page is one browser tab on a test page.
type page struct {
	t   *testing.T
	ctx context.Context
	tab *browser.Tab
	// axe-core parses stylesheets by inserting a <style>, which the strict
	// CSP refuses: those reports are axe's, not the page's.
	axeConsole, axeCSP [][2]int
	// expected are console errors the test provokes on purpose, such as the
	// browser's report of a 401.
	expected []string
}

// expect tolerates console errors containing text: the test provokes them.
func (p *page) expect(text string) { p.expected = append(p.expected, text) }

// open loads address in a new tab, width CSS pixels wide (0: 1024), and
// fails the test on any console error or CSP violation of the page when
// the test ends.
func open(t *testing.T, address string, width int) *page {
	t.Helper()
	p := newPage(t, width)
	p.navigate(address)
	return p
}

// newPage opens a tab on no page yet, for settings that must come first.
func newPage(t *testing.T, width int) *page {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	t.Cleanup(cancel)
	tab, err := browsertest.Shared(t).NewTab(ctx)
	require.NoError(t, err)
	t.Cleanup(func() { _ = tab.Close() })
	if width == 0 {
		width = 1024
	}
	require.NoError(t, tab.SetViewport(ctx, width, 800))
	p := &page{t: t, ctx: ctx, tab: tab}
	t.Cleanup(func() { require.NoError(t, p.problems(), "the page must run under the strict CSP without errors") })
	return p
}

func (p *page) navigate(address string) {
	p.t.Helper()
	status, err := p.tab.Navigate(p.ctx, address)
	require.NoError(p.t, err)
	require.Equal(p.t, http.StatusOK, status)
}

// problems are the page's console errors and CSP violations, axe's own left out.
func (p *page) problems() error {
	d, err := p.tab.Diagnostics(p.ctx)
	if err != nil {
		return err
	}
	d.ConsoleErrors = without(d.ConsoleErrors, p.axeConsole)
	d.CSPViolations = without(d.CSPViolations, p.axeCSP)
	var unexpected []browser.ConsoleError
	for _, c := range d.ConsoleErrors {
		if !slices.ContainsFunc(p.expected, func(e string) bool { return strings.Contains(c.Text, e) }) {
			unexpected = append(unexpected, c)
		}
	}
	d.ConsoleErrors = unexpected
	return d.Err()
}

func without[T any](all []T, ranges [][2]int) []T {
	var out []T
	for i, v := range all {
		inAxe := false
		for _, r := range ranges {
			inAxe = inAxe || i >= r[0] && i < r[1]
		}
		if !inAxe {
			out = append(out, v)
		}
	}
	return out
}

// sr is the element's shadow root, for scripts in the harness's world.
const sr = `document.querySelector("arendevy-overview").shadowRoot`

func quote(s string) string { return fmt.Sprintf("%q", s) }

// q is a JavaScript expression for the first match of sel in the shadow root.
func q(sel string) string { return sr + `.querySelector(` + quote(sel) + `)` }

func (p *page) eval(js string) any { return evalAs[any](p, js) }

func evalAs[T any](p *page, js string) T {
	p.t.Helper()
	v, err := browser.Eval[T](p.ctx, p.tab, js)
	require.NoError(p.t, err)
	return v
}

// main evaluates js in the page's own world, where the element's class,
// properties and methods are, and awaits a promise result.
func mainAs[T any](p *page, js string) T {
	p.t.Helper()
	v, err := browser.Run(p.ctx, p.tab, chromedp.Evaluate[T](js, chromedp.EvalAwaitPromise))
	require.NoError(p.t, err)
	return v
}

// waitFor polls a JavaScript condition until it holds.
func (p *page) waitFor(cond string) {
	p.t.Helper()
	for {
		if evalAs[bool](p, `(() => { try { return !!(`+cond+`) } catch { return false } })()`) {
			return
		}
		select {
		case <-p.ctx.Done():
			require.FailNow(p.t, "condition never held", cond)
		case <-time.After(20 * time.Millisecond):
		}
	}
}

// ready waits until the element shows the overview or a notice.
func (p *page) ready() {
	p.t.Helper()
	p.waitFor(q(".overview") + ` && (` + q("tbody tr") + ` || ` + q(".notices p") + ` || !` + q(".no-match") + `.hidden)`)
}

// afterFrame waits until the page has rendered a frame: the rows the
// element just put in place are laid out, and so have rendered text, only
// once the browser has seen them near the screen (content-visibility).
const afterFrame = `await new Promise((r) => requestAnimationFrame(() => setTimeout(r)));`

// text is the rendered text of the first match of sel in the shadow root,
// white space collapsed, as the next frame shows it.
func (p *page) text(sel string) string {
	p.t.Helper()
	return evalAs[string](p, `(async () => { `+afterFrame+` return (`+q(sel)+`?.innerText ?? "").replace(/\s+/g, " ").trim() })()`)
}

// texts is the rendered text of every match of sel in the shadow root.
func (p *page) texts(sel string) []string {
	p.t.Helper()
	return evalAs[[]string](p, `(async () => { `+afterFrame+` return [...`+sr+`.querySelectorAll(`+quote(sel)+`)].map((e) => e.innerText.replace(/\s+/g, " ").trim()) })()`)
}

// click clicks the centre of an element of the shadow root with the mouse.
func (p *page) click(sel string) {
	p.t.Helper()
	r := evalAs[[]float64](p, `(() => { const e = `+q(sel)+`; e.scrollIntoView({block: "center"});
		const r = e.getBoundingClientRect(); return [r.x + r.width / 2, r.y + r.height / 2] })()`)
	require.NoError(p.t, browser.Do(p.ctx, p.tab, chromedp.MouseClickXY(r[0], r[1])))
}

// keys types on the keyboard into whatever has focus.
func (p *page) keys(k string) {
	p.t.Helper()
	require.NoError(p.t, browser.Do(p.ctx, p.tab, chromedp.KeyEvent(k)))
}

// focused describes the element that has focus inside the shadow root.
func (p *page) focused() string {
	p.t.Helper()
	return evalAs[string](p, `(() => { const e = `+sr+`.activeElement; return e ? e.tagName + " " + e.textContent : "" })()`)
}

// axe fails the test on any WCAG 2.0, 2.1 or 2.2 A or AA violation.
func (p *page) axe(state string) {
	p.t.Helper()
	before, err := p.tab.Diagnostics(p.ctx)
	require.NoError(p.t, err)
	vs, err := p.tab.Axe(p.ctx, browser.WCAG22AA...)
	require.NoError(p.t, err)
	after, err := p.tab.Diagnostics(p.ctx)
	require.NoError(p.t, err)
	p.axeConsole = append(p.axeConsole, [2]int{len(before.ConsoleErrors), len(after.ConsoleErrors)})
	p.axeCSP = append(p.axeCSP, [2]int{len(before.CSPViolations), len(after.CSPViolations)})
	for _, v := range after.CSPViolations[len(before.CSPViolations):] {
		require.Equal(p.t, "style-src-elem", v.Directive, "only axe's parsing <style> may be refused while it runs: %+v", v)
	}
	var msgs []string
	for _, v := range vs {
		for _, n := range v.Nodes {
			msgs = append(msgs, fmt.Sprintf("%s: %s at %s: %s", v.ID, v.Help, n.Target, n.FailureSummary))
		}
	}
	require.Empty(p.t, msgs, "axe-core in state %q", state)
}

// record records the element's events in the harness's world, cancelling
// the ones named.
func (p *page) record(cancel ...string) {
	p.t.Helper()
	_, err := browser.Call[bool](p.ctx, p.tab, `(cancel) => {
		globalThis.seen = [];
		globalThis.cancel = cancel;
		if (globalThis.recording) return true;
		globalThis.recording = true;
		for (const name of ["arendevy-loaded", "arendevy-toggle", "arendevy-sort", "arendevy-filter", "arendevy-open", "arendevy-login-required"])
			document.addEventListener(name, (e) => {
				seen.push({type: e.type, detail: e.detail, bubbles: e.bubbles, composed: e.composed, cancelable: e.cancelable});
				if (globalThis.cancel.includes(e.type)) e.preventDefault();
			});
		return true;
	}`, append([]string{}, cancel...))
	require.NoError(p.t, err)
}

type event struct {
	Type       string         `json:"type"`
	Detail     map[string]any `json:"detail"`
	Bubbles    bool           `json:"bubbles"`
	Composed   bool           `json:"composed"`
	Cancelable bool           `json:"cancelable"`
}

func (p *page) seen() []event {
	p.t.Helper()
	return evalAs[[]event](p, `globalThis.seen`)
}

// byDate is the standard overview's titles, newest first.
// byDate is the standard order: the case waiting for the customer first, then newest first.
var byDate = []string{"Bygglov för carport", "Överklagande av beslut", "Ansökan om F-skatt", "Föräldrapenning", "Återbetalning av skatt", "Ärende om bostadsanpassning"}

func TestFiveFieldsInTheStandardOrderAsCardsAndAsTable(t *testing.T) {
	f := newFixture(t, world{cases: standard()}, kit.View{})
	for _, width := range []int{1024, 320} {
		t.Run(fmt.Sprint(width), func(t *testing.T) {
			p := open(t, f.url("/page", pageOpts{}), width)
			p.ready()
			require.Equal(t, "Mina ärenden", p.text("caption"))
			require.Equal(t, []string{"Datum", "Titel", "Avsändare", "Status", "Beräknad tid"}, p.texts(`thead th[scope="col"]`))
			require.Equal(t, []string{"TD", "TH", "TD", "TD", "TD"}, evalAs[[]string](p, `[...`+q("tr.case-row")+`.children].map((c) => c.tagName)`))
			require.Equal(t, "row", evalAs[string](p, q("tr.case-row th")+`.getAttribute("scope")`), "the title heads its row")
			require.Equal(t, []string{"23 november 2026", "Överklagande av beslut", "Försäkringskassan", "Handläggning pågår", "cirka 2 månader"},
				evalAs[[]string](p, `[...`+sr+`.querySelectorAll("tr.case-row")[1].children].map((c) => c.lastChild.textContent)`))
			require.Equal(t, byDate, p.texts(".case-title"))
			require.LessOrEqual(t, evalAs[int](p, `document.documentElement.scrollWidth`), width, "no horizontal scrolling")
			// Where the cells are: side by side in columns that line up with
			// the headings on a wide screen, one under the other on a narrow one.
			layout := evalAs[map[string]bool](p, `(() => {
				const lefts = (r) => [...r.children].map((c) => Math.round(c.getBoundingClientRect().left));
				const tops = (r) => [...r.children].map((c) => Math.round(c.getBoundingClientRect().top));
				const rows = [...`+sr+`.querySelectorAll("tr.case-row")];
				const head = lefts(`+q("thead tr")+`);
				return {
					columns: rows.every((r) => new Set(tops(r)).size == 1 && lefts(r).every((l, i) => l == head[i] && (i == 0 || l > head[i - 1]))),
					// In a card each field follows the one before it, in the
					// standard's order, as text is read: below it, or after it
					// on the same line (the sender, the status and the
					// estimated time share one where they fit); the date and
					// the title have lines of their own.
					cards: rows.every((r) => [...r.children].map((c) => [...c.getClientRects()]).every((b, i, bs) => {
						if (i == 0) return true;
						const start = b[0], end = bs[i - 1].at(-1);
						return start.top >= end.bottom - 1 || (i > 2 && start.top < end.bottom && start.left >= end.right);
					})),
				};
			})()`)
			if width == 320 {
				require.Equal(t, map[string]bool{"columns": false, "cards": true}, layout, "a card on a narrow screen")
			} else {
				require.Equal(t, map[string]bool{"columns": true, "cards": false}, layout, "aligned columns on a wide one")
			}
			p.axe(fmt.Sprintf("loaded at %d px", width))
		})
	}
}

// accessibleNames lists the names of the nodes with role in the page's
// accessibility tree (shadow roots included), as a screen reader gets them.
func accessibleNames(p *page, role string) []string {
	p.t.Helper()
	evalAs[any](p, `(async () => { `+afterFrame+` })()`)
	nodes, err := browser.Run(p.ctx, p.tab, func(ctx context.Context, target *chromedp.Target) ([]*accessibility.Node, error) {
		res, err := cdp.Call(ctx, target, accessibility.GetFullAXTree, accessibility.GetFullAXTreeParams{})
		return res.Nodes, err
	})
	require.NoError(p.t, err)
	var out []string
	for _, n := range nodes {
		var r, name string
		if n.Role != nil {
			_ = json.Unmarshal(n.Role.Value, &r)
		}
		if n.Name != nil {
			_ = json.Unmarshal(n.Name.Value, &name)
		}
		if r == role && !n.Ignored {
			out = append(out, name)
		}
	}
	return out
}

func TestCardsAreStillATableAndNothingIsReadTwice(t *testing.T) {
	f := newFixture(t, world{cases: standard()}, kit.View{})
	p := open(t, f.url("/page", pageOpts{}), 320)
	p.ready()
	require.Equal(t, byDate, accessibleNames(p, "rowheader"))
	require.Equal(t, []string{"Datum", "Titel", "Avsändare", "Status", "Beräknad tid"}, accessibleNames(p, "columnheader"))
	cells := accessibleNames(p, "cell")
	require.Contains(t, cells, "Försäkringskassan")
	for _, c := range cells {
		require.NotContains(t, c, ":", "the card's visible labels are not read out again: %q", c)
	}
	require.True(t, strings.HasPrefix(strings.Trim(evalAs[string](p, `getComputedStyle(`+q("tr.case-row td:last-child")+`, "::before").content`), `"`), "Beräknad tid: "),
		"but they are shown where a value needs one")
}

// TestCasesOffScreenAreStillThere: right after the cases change, the
// browser skips the row groups far off screen, so a re-sort of many cases
// costs one frame; within moments they are laid out again, so that every
// case is in the accessibility tree for a screen reader, in the new order,
// and the keyboard reaches the last one.
// numbered is n cases titled "Ärende nummer 00" and on, in that order by
// title.
func numbered(n int) []cases.Case {
	var many []cases.Case
	for i := range n {
		c := standard()[i%6]
		c.ID, c.Title = fmt.Sprintf("c%02d", i), fmt.Sprintf("Ärende nummer %02d", i)
		many = append(many, c)
	}
	return many
}

func TestCasesOffScreenAreStillThere(t *testing.T) {
	f := newFixture(t, world{cases: numbered(80)}, kit.View{})
	p := open(t, f.url("/page", pageOpts{attrs: map[string]string{"sort": "title", "order": "asc"}}), 0)
	p.ready()
	want := make([]string, 80)
	for i := range want {
		want[i] = fmt.Sprintf("Ärende nummer %02d", i)
	}
	settled := `!` + sr + `.querySelector("tbody.lazy")`
	p.waitFor(settled)
	require.Equal(t, want, accessibleNames(p, "rowheader"), "every case, on screen or not, for a screen reader")

	skipped := mainAs[int](p, `(async () => {
		const el = document.querySelector("arendevy-overview");
		el.order = "desc";
		await Promise.resolve();
		return el.shadowRoot.querySelectorAll("tbody.lazy").length })()`)
	require.Equal(t, 6, skipped, "right after the re-sort, all but the first two groups of ten wait")
	inView := mainAs[[]bool](p, `(async () => {
		await new Promise((r) => requestAnimationFrame(() => setTimeout(r)));
		const rows = document.querySelector("arendevy-overview").shadowRoot.querySelectorAll("tr.case-row");
		return [rows[0], rows[79]].map((r) => r.checkVisibility({ contentVisibilityAuto: true })) })()`)
	require.Equal(t, []bool{true, false}, inView, "in that frame the browser draws the cases in view and skips the far ones")
	first := mainAs[[]string](p, `(async () => {
		const el = document.querySelector("arendevy-overview");
		el.order = "asc";
		await new Promise((r) => requestAnimationFrame(() => r()));
		return [...el.shadowRoot.querySelectorAll("tr.case-row .case-title")].slice(0, 40).map((b) => b.textContent) })()`)
	require.Equal(t, want[:40], first, "the cases the window shows, and more, are in their new order before its frame")
	require.NoError(t, p.tab.SetViewport(p.ctx, 1024, 2400))
	p.waitFor(`innerHeight == 2400`)
	first = mainAs[[]string](p, `(async () => {
		const el = document.querySelector("arendevy-overview");
		el.order = "desc";
		await new Promise((r) => requestAnimationFrame(() => r()));
		return [...el.shadowRoot.querySelectorAll("tr.case-row .case-title")].slice(0, 60).map((b) => b.textContent) })()`)
	desc := slices.Clone(want)
	slices.Reverse(desc)
	require.Equal(t, desc[:60], first, "a window 2,400 pixels tall gets six groups in order before its frame")
	require.NoError(t, p.tab.SetViewport(p.ctx, 1024, 800))
	p.waitFor(settled)
	slices.Reverse(want)
	require.Equal(t, want, accessibleNames(p, "rowheader"), "then every case again, in the new order")

	last := title("Ärende nummer 00")
	p.eval(last + `.focus()`)
	require.Equal(t, "SUMMARY Ärende nummer 00", p.focused(), "the keyboard reaches the last case")
	require.True(t, evalAs[bool](p, `(async () => { `+afterFrame+` const r = `+last+`.getBoundingClientRect(); return r.height > 0 && r.top >= 0 && r.bottom <= innerHeight })()`),
		"and it comes into view")
	p.axe("eighty cases, re-sorted")
}

// title selects the title (the <summary> of its <details>) of the case called name.
func title(name string) string {
	return `[...` + sr + `.querySelectorAll(".case-title")].find((b) => b.textContent == ` + quote(name) + `)`
}

// expanded is whether the case called name is open: "true" or "false".
func expanded(name string) string { return `String(` + title(name) + `.parentElement.open)` }

// shut is whether the detail row selected by detail is out of sight.
func shut(detail string) string { return `getComputedStyle(` + detail + `).display == "none"` }

func TestDetailsOpenAndCloseByKeyboard(t *testing.T) {
	f := newFixture(t, world{cases: standard()}, kit.View{})
	p := open(t, f.url("/page", pageOpts{}), 0)
	p.ready()
	p.record()
	p.eval(title("Ansökan om F-skatt") + `.focus()`)
	detail := sr + `.getElementById(` + title("Ansökan om F-skatt") + `.getAttribute("aria-controls"))`
	require.Equal(t, "false", evalAs[string](p, expanded("Ansökan om F-skatt")))
	require.False(t, evalAs[bool](p, title("Ansökan om F-skatt")+`.hasAttribute("aria-controls")`),
		"a detail is built when first opened; until then the title controls nothing")

	p.keys(kb.Enter)
	require.Equal(t, "true", evalAs[string](p, expanded("Ansökan om F-skatt")))
	require.False(t, evalAs[bool](p, shut(detail)))
	require.Equal(t, "SUMMARY Ansökan om F-skatt", p.focused())
	require.Equal(t, []string{
		"Diarienummer 131-123456-26", "Kategori Företagsregistrering", "Betalning Betalning väntar", "Handläggare Anna Berg",
		"Meddelande Vi har tagit emot din ansökan.", "Nästa steg Beslut skickas", "Tidpunkt för nästa steg 15 december 2026", "Inkomstår 2025",
	}, evalAs[[]string](p, `[...`+detail+`.querySelectorAll("td > dl > div")].map((d) => d.innerText.replace(/\s+/g, " "))`))
	require.Equal(t, "Händelser", evalAs[string](p, detail+`.querySelector("h3").textContent`))
	// Who answers for the case and how to reach them, in the page's language.
	require.Equal(t, []string{"Ansvarig för ärendet", "Skatteverket ansvarar för ärendet och svarar på frågor om det.", "Telefon 0771-567 567", "Webbplats https://www.skatteverket.se (öppnas i nytt fönster)"},
		evalAs[[]string](p, `[...`+detail+`.querySelectorAll(".case-responsible > :is(h3, p), .case-responsible dl > div")].map((d) => d.innerText.replace(/\s+/g, " "))`))
	require.Equal(t, "tel:0771567567", evalAs[string](p, detail+`.querySelector(".case-responsible a").getAttribute("href")`))
	require.Equal(t, []string{
		"2 november 2026 Ansökan mottagen (Ankommen handling)",
		"20 november 2026 Handläggning påbörjad (Handläggning pågår) Handläggaren går igenom ansökan.",
	}, evalAs[[]string](p, `[...`+detail+`.querySelectorAll("li")].map((d) => d.innerText.replace(/\s+/g, " "))`))
	link := evalAs[map[string]string](p, `(() => { const a = `+detail+`.querySelector("a.case-link"); return {text: a.textContent, href: a.href, target: a.target, rel: a.rel} })()`)
	require.Equal(t, map[string]string{
		"text": "Gå till ärendet hos Skatteverket (öppnas i nytt fönster)", "href": "https://etjanst.skatteverket.se/arende/123",
		"target": "_blank", "rel": "noopener",
	}, link)

	p.keys(" ")
	require.Equal(t, "false", evalAs[string](p, expanded("Ansökan om F-skatt")))
	require.True(t, evalAs[bool](p, shut(detail)))
	require.Equal(t, "SUMMARY Ansökan om F-skatt", p.focused())

	var toggles []event
	for _, e := range p.seen() {
		if e.Type == "arendevy-toggle" {
			toggles = append(toggles, e)
		}
	}
	require.Equal(t, []event{
		{Type: "arendevy-toggle", Detail: map[string]any{"id": "skv-1", "expanded": true}, Bubbles: true, Composed: true, Cancelable: true},
		{Type: "arendevy-toggle", Detail: map[string]any{"id": "skv-1", "expanded": false}, Bubbles: true, Composed: true, Cancelable: true},
	}, toggles)

	// A field without a value has no heading either.
	p.eval(title("Bygglov för carport") + `.click()`)
	require.Equal(t, []string{"Nästa steg Komplettera ritningarna"},
		evalAs[[]string](p, `[...`+sr+`.getElementById(`+title("Bygglov för carport")+`.getAttribute("aria-controls")).querySelectorAll("td > dl > div")].map((d) => d.innerText.replace(/\s+/g, " "))`))
	require.Equal(t, []string{"Om Vaxholms stad och hur du når kundtjänsten (öppnas i nytt fönster)", "_blank"},
		evalAs[[]string](p, `(a => [a.textContent, a.target])(`+sr+`.getElementById(`+title("Bygglov för carport")+`.getAttribute("aria-controls")).querySelector("a[part=link]"))`),
		"no e-service: the producer's information page instead, opened as a deep link would be")
	p.axe("expanded")

	// A portal that cancels the event keeps the details as they are.
	p.record("arendevy-toggle")
	p.eval(title("Föräldrapenning") + `.focus()`)
	p.keys(kb.Enter)
	require.Equal(t, "false", evalAs[string](p, expanded("Föräldrapenning")))
}

// TestAnOpenDetailTravelsWithItsCase re-sorts and re-filters with a detail
// open: the detail stays open, right below its case and with its content,
// and every case keeps its row, so what the user opened does not close and
// a thousand cases re-sort without being rebuilt.
func TestAnOpenDetailTravelsWithItsCase(t *testing.T) {
	f := newFixture(t, world{cases: standard()}, kit.View{})
	p := open(t, f.url("/page", pageOpts{}), 0)
	p.ready()
	require.Equal(t, 0, evalAs[int](p, sr+`.querySelectorAll(".case-detail td").length`), "no detail is built before it is opened")
	p.eval(title("Ansökan om F-skatt") + `.click()`)
	p.eval(`globalThis.rows = new Set(` + sr + `.querySelectorAll("tr"))`)
	detail := `(() => { const b = ` + title("Ansökan om F-skatt") + `, d = b.closest("tr").nextElementSibling;
		return {expanded: String(b.parentElement.open), below: d.id == b.getAttribute("aria-controls"), hidden: getComputedStyle(d).display == "none",
			number: d.querySelector("dd")?.textContent ?? ""} })()`
	want := map[string]any{"expanded": "true", "below": true, "hidden": false, "number": "131-123456-26"}
	require.Equal(t, want, evalAs[map[string]any](p, detail))

	for _, step := range []struct{ js, first string }{
		{`el.sort = "title"`, "Ansökan om F-skatt"},
		{`el.order = "desc"`, "Överklagande av beslut"},
		{`el.filterText = "skatt"`, "Återbetalning av skatt"},
		{`el.filterText = null`, "Överklagande av beslut"},
	} {
		mainAs[any](p, `(() => { const el = document.querySelector("arendevy-overview"); `+step.js+` })()`)
		p.waitFor(q(".case-title") + `.textContent == ` + quote(step.first))
		require.Equal(t, want, evalAs[map[string]any](p, detail), step.js)
		require.True(t, evalAs[bool](p, `[...`+sr+`.querySelectorAll("tr")].every((r) => rows.has(r))`), "%s: the same rows, moved", step.js)
	}
	require.Equal(t, 1, evalAs[int](p, sr+`.querySelectorAll(".case-detail td").length`), "only the opened detail was built")
	p.axe("re-sorted with a detail open")
}

func TestSortByControlAndByAttribute(t *testing.T) {
	f := newFixture(t, world{cases: standard()}, kit.View{})
	p := open(t, f.url("/page", pageOpts{}), 0)
	p.ready()
	require.Equal(t, "descending", evalAs[string](p, q(`[data-sort-key="date"]`)+`.parentElement.getAttribute("aria-sort")`))
	p.record()

	p.click(`[data-sort-key="title"]`)
	swedish := []string{"Ansökan om F-skatt", "Bygglov för carport", "Föräldrapenning", "Återbetalning av skatt", "Ärende om bostadsanpassning", "Överklagande av beslut"}
	require.Equal(t, swedish, p.texts(".case-title"), "Å, Ä, Ö after Z, in that order")
	require.Equal(t, []string{"", "ascending", "", ""}, evalAs[[]string](p, `[...`+sr+`.querySelectorAll("thead th:has(.sort-button)")].map((th) => th.getAttribute("aria-sort") ?? "")`))
	require.Equal(t, "6 av 6 ärenden, sorterade efter titel, stigande", p.text(".status-region"))
	require.Equal(t, "BUTTON Titel", p.focused(), "focus stays on the control")
	require.Equal(t, "title", evalAs[string](p, `document.querySelector("arendevy-overview").getAttribute("sort")`))
	require.False(t, evalAs[bool](p, `document.querySelector("arendevy-overview").hasAttribute("order")`), "a new key sorts its own way: no order attribute")

	p.keys(kb.Enter)
	require.Equal(t, []string{"Överklagande av beslut", "Ärende om bostadsanpassning", "Återbetalning av skatt", "Föräldrapenning", "Bygglov för carport", "Ansökan om F-skatt"}, p.texts(".case-title"))
	require.Equal(t, "6 av 6 ärenden, sorterade efter titel, fallande", p.text(".status-region"))
	require.Equal(t, []event{
		{Type: "arendevy-sort", Detail: map[string]any{"sort": "title", "order": "asc"}, Bubbles: true, Composed: true, Cancelable: true},
		{Type: "arendevy-sort", Detail: map[string]any{"sort": "title", "order": "desc"}, Bubbles: true, Composed: true, Cancelable: true},
	}, p.seen())

	// By property (and so attribute): sender, ties newest first.
	mainAs[any](p, `document.querySelector("arendevy-overview").sort = "sender"`)
	mainAs[any](p, `document.querySelector("arendevy-overview").order = "asc"`)
	p.waitFor(q(".status-region") + `.textContent.includes("avsändare")`)
	require.Equal(t, []string{"Överklagande av beslut", "Föräldrapenning", "Ansökan om F-skatt", "Återbetalning av skatt", "Bygglov för carport", "Ärende om bostadsanpassning"}, p.texts(".case-title"))
	require.Equal(t, "sender", evalAs[string](p, `document.querySelector("arendevy-overview").getAttribute("sort")`))

	// A portal that cancels the event keeps the order as it is.
	p.record("arendevy-sort")
	p.click(`[data-sort-key="status"]`)
	require.Equal(t, "sender", evalAs[string](p, `document.querySelector("arendevy-overview").getAttribute("sort")`))

	// From the first render, by attribute.
	p2 := open(t, f.url("/page", pageOpts{attrs: map[string]string{"sort": "status", "order": "desc"}}), 0)
	p2.ready()
	require.Equal(t, []string{"Ärendet avslutat", "Ärendet avslutat", "Handläggning pågår", "Handläggning pågår", "Ankommen handling", "Åtgärd krävs"}, p2.texts("tbody .status-badge"),
		"by urgency, the least urgent first")
	require.Equal(t, "6 av 6 ärenden, sorterade efter status, fallande", p2.text(".status-region"))
}

func TestFilterByControlAndByAttribute(t *testing.T) {
	f := newFixture(t, world{cases: standard()}, kit.View{})
	p := open(t, f.url("/page", pageOpts{}), 0)
	p.ready()
	p.record()
	el := `document.querySelector("arendevy-overview")`

	p.click(".filters summary")
	p.click(`input[value="action_required"]`)
	require.Equal(t, []string{"Bygglov för carport"}, p.texts(".case-title"))
	require.Equal(t, "1 av 6 ärenden, sorterade efter datum, nyast först; ärenden där du behöver göra något visas först", p.text(".status-region"))
	require.Equal(t, "INPUT ", p.focused(), "focus stays on the checkbox")
	require.Equal(t, "action_required", evalAs[string](p, el+`.getAttribute("filter-status")`))
	require.Equal(t, []event{{Type: "arendevy-filter", Bubbles: true, Composed: true, Cancelable: true,
		Detail: map[string]any{"sender": []any{}, "status": []any{"action_required"}, "scope": "all", "q": "", "new": "", "group": ""}}}, p.seen())

	p.click(`input[value="action_required"]`)
	p.click(`input[name="scope"][value="closed"]`)
	require.Equal(t, []string{"Återbetalning av skatt", "Ärende om bostadsanpassning"}, p.texts(".case-title"))
	require.Equal(t, "only", evalAs[string](p, el+`.getAttribute("show-closed")`))

	p.click(`input[name="scope"][value="all"]`)
	p.click(`input[type="search"]`)
	p.keys("bygg")
	require.Equal(t, []string{"Bygglov för carport"}, p.texts(".case-title"))
	require.Equal(t, "bygg", evalAs[string](p, el+`.getAttribute("filter-text")`))
	require.Equal(t, "INPUT ", p.focused())

	p.click(`.filters .action-button`)
	require.Equal(t, byDate, p.texts(".case-title"), "clear shows everything again")
	require.Equal(t, "", evalAs[string](p, q(`input[type="search"]`)+`.value`))

	// By attribute.
	p.eval(el + `.setAttribute("filter-sender", "skatteverket,fk")`)
	p.eval(el + `.setAttribute("show-closed", "false")`)
	p.waitFor(q(".status-region") + `.textContent.startsWith("3 av 6")`)
	require.Equal(t, []string{"Överklagande av beslut", "Ansökan om F-skatt", "Föräldrapenning"}, p.texts(".case-title"))
	require.Equal(t, []bool{true, true, false}, evalAs[[]bool](p, `[...`+sr+`.querySelectorAll('[name="sender"]')].map((i) => i.checked)`),
		"the controls show the filter in effect: Försäkringskassan, Skatteverket, Vaxholms stad")
	require.True(t, evalAs[bool](p, q(`input[name="scope"][value="open"]`)+`.checked`))

	// A portal that cancels the event keeps the filter as it is.
	p.record("arendevy-filter")
	p.click(`input[value="received"]`)
	require.False(t, evalAs[bool](p, q(`input[value="received"]`)+`.checked`))
	require.Equal(t, "", evalAs[string](p, el+`.getAttribute("filter-status") ?? ""`))
}

func TestPageSizeShowsMoreAndMovesFocusToTheFirstNewCase(t *testing.T) {
	f := newFixture(t, world{cases: standard()}, kit.View{})
	p := open(t, f.url("/page", pageOpts{attrs: map[string]string{"page-size": "4"}}), 0)
	p.ready()
	require.Equal(t, byDate[:4], p.texts(".case-title"))
	require.Equal(t, "Visa 2 till", p.text(".show-more"))
	require.Equal(t, "6 av 6 ärenden, sorterade efter datum, nyast först; ärenden där du behöver göra något visas först", p.text(".status-region"))
	p.click(".show-more")
	require.Equal(t, byDate, p.texts(".case-title"))
	require.Equal(t, "SUMMARY "+byDate[4], p.focused())
	require.True(t, evalAs[bool](p, q(".show-more")+`.hidden`))
	require.Equal(t, 4, mainAs[int](p, `document.querySelector("arendevy-overview").pageSize`))
}

// Below the first groups of rows, the rows that are already there are put
// in order after the frame; the first new case still gets the focus.
func TestShowMoreFarDownMovesFocusToTheFirstNewCase(t *testing.T) {
	f := newFixture(t, world{cases: numbered(80)}, kit.View{})
	p := open(t, f.url("/page", pageOpts{attrs: map[string]string{"sort": "title", "order": "asc", "page-size": "50"}}), 0)
	p.ready()
	p.click(".show-more")
	p.waitFor(sr + `.activeElement?.textContent == "Ärende nummer 50"`)
	require.Len(t, p.texts(".case-title"), 80)
	require.Equal(t, "Ärende nummer 79", p.texts(".case-title")[79])
}

// look is one way the page can be: language, theme and width.
type look struct {
	lang, theme string
	width       int
}

// looks are the two corners every state is checked in: Swedish, the
// default theme, wide; English, the bank theme, 320 px.
var looks = []look{{"sv", "default", 1024}, {"en", "bank", 320}}

func (l look) pick(sv, en string) string {
	if l.lang == "sv" {
		return sv
	}
	return en
}

func TestEveryStateIsAccessibleInBothLanguagesAndThemes(t *testing.T) {
	for _, l := range looks {
		t.Run(l.lang+"-"+l.theme, func(t *testing.T) {
			t.Run("loading", func(t *testing.T) {
				gate := make(chan struct{})
				f := newFixture(t, world{cases: standard(), gate: gate}, kit.View{})
				p := open(t, f.url("/page", pageOpts{lang: l.lang, theme: l.theme}), l.width)
				p.waitFor(q(".status-region") + `?.textContent`)
				require.Equal(t, l.pick("Hämtar dina ärenden …", "Fetching your cases …"), p.text(".status-region"))
				require.Equal(t, "status", evalAs[string](p, q(".status-region")+`.getAttribute("role")`), "announced")
				before := evalAs[float64](p, q(".status-region")+`.getBoundingClientRect().top`)
				p.axe("loading")
				close(gate)
				p.ready()
				require.Equal(t, before, evalAs[float64](p, q(".status-region")+`.getBoundingClientRect().top`), "nothing above the cases moves when they arrive")
			})
			t.Run("empty", func(t *testing.T) {
				f := newFixture(t, world{}, kit.View{})
				p := open(t, f.url("/page", pageOpts{lang: l.lang, theme: l.theme}), l.width)
				p.ready()
				require.Equal(t, []string{l.pick(
					"Du har inga ärenden hos de anslutna aktörerna: Skatteverket, Vaxholms stad, Försäkringskassan.",
					"You have no cases with the connected organisations: Skatteverket, Vaxholms stad, Försäkringskassan.")}, p.texts(".notices p"))
				require.True(t, evalAs[bool](p, q("table")+`.hidden && `+q(".list-form")+`.hidden`))
				p.axe("empty")
			})
			t.Run("partial", func(t *testing.T) {
				f := newFixture(t, world{cases: standard(), failing: true}, kit.View{})
				p := open(t, f.url("/page", pageOpts{lang: l.lang, theme: l.theme}), l.width)
				p.ready()
				require.Equal(t, []string{l.pick("CSN kunde inte nås just nu – dess ärenden saknas. Försök igen",
					"CSN could not be reached right now – its cases are missing. Try again")}, p.texts(".notices p"))
				require.Equal(t, "polite", evalAs[string](p, q(".notices")+`.getAttribute("aria-live")`), "announced")
				require.Len(t, p.texts(".case-title"), 6, "every other producer's cases are there")
				partial := l.pick("6 av 6 hämtade ärenden, sorterade efter datum, nyast först; ärenden där du behöver göra något visas först. Ärenden från CSN saknas just nu.",
					"6 of 6 cases fetched, sorted by date, newest first; cases where you need to act come first. Cases from CSN are missing right now.")
				require.Equal(t, partial, p.text(".status-region"), "the count never claims the missing producer's cases")
				p.axe("partial")
				light := `document.querySelector("arendevy-overview")`
				rendered := open(t, f.url("/ssr", pageOpts{lang: l.lang, theme: l.theme}), l.width)
				require.Equal(t, partial, evalAs[string](rendered, light+`.querySelector(".status-region").textContent`), "so does the page before the element")
				require.Equal(t, "A", evalAs[string](rendered, light+`.querySelector("[data-action=retry]").tagName`), "its retry is a link that works without JavaScript")
				rendered.axe("partial, server-rendered")
			})
			t.Run("hidden actors", func(t *testing.T) {
				f := newFixture(t, world{cases: standard(), hide: []string{"fk", "vaxholm"}}, kit.View{SettingsURL: "/installningar"})
				want := l.pick("2 aktörer dolda (Försäkringskassan, Vaxholms stad) — visa dem", "2 actors hidden (Försäkringskassan, Vaxholms stad) — show them")
				light := `document.querySelector("arendevy-overview")`
				server := open(t, f.url("/ssr", pageOpts{lang: l.lang, theme: l.theme}), l.width)
				require.Equal(t, []string{want}, evalAs[[]string](server, `[...`+light+`.querySelectorAll(".notices p")].map((e) => e.textContent)`))
				server.axe("hidden actors, server-rendered")
				rendered := open(t, f.url("/ssr", pageOpts{lang: l.lang, theme: l.theme, script: true}), l.width)
				rendered.ready()
				require.Equal(t, []string{want}, rendered.texts(".notices p"), "announced, before and after the element takes over")
				require.Equal(t, f.srv.URL+"/installningar", evalAs[string](rendered, q(".notices a")+`.href`), "one click away")
				require.Len(t, rendered.texts(".case-title"), 2, "only Skatteverket's cases")
				rendered.axe("hidden actors")
			})
			t.Run("cut short", func(t *testing.T) {
				for _, tt := range []struct {
					cut    cases.Truncation
					sv, en string
				}{
					{cases.Truncation{Reason: cases.CutLimit, Unit: cases.CountedCases, Shown: 2, Total: 7},
						"Bara 2 av 7 ärenden från Skatteverket visas.", "Only 2 of 7 cases from Skatteverket are shown."},
					{cases.Truncation{Reason: cases.CutLimit, Unit: cases.CountedEvents, Shown: 1002, Total: 10002},
						"Bara de senaste 1002 av 10002 händelserna från Skatteverket hämtades – äldre ärenden kan saknas.",
						"Only the newest 1002 of 10002 events from Skatteverket were fetched – older cases may be missing."},
					{cases.Truncation{Reason: cases.CutPartial},
						"Skatteverket svarade bara delvis – ärenden kan saknas.", "Skatteverket answered only in part – cases may be missing."},
				} {
					cut := tt.cut
					f := newFixture(t, world{cases: standard(), cut: &cut}, kit.View{})
					want := []string{l.pick(tt.sv, tt.en)}
					p := open(t, f.url("/page", pageOpts{lang: l.lang, theme: l.theme}), l.width)
					p.ready()
					require.Equal(t, want, p.texts(".notices p"), "the element says what may be missing")
					require.Len(t, p.texts(".case-title"), 6, "and shows what came")
					p.axe("cut short")
					light := `document.querySelector("arendevy-overview")`
					rendered := open(t, f.url("/ssr", pageOpts{lang: l.lang, theme: l.theme}), l.width)
					require.Equal(t, want, evalAs[[]string](rendered, `[...`+light+`.querySelectorAll(".notices p")].map((e) => e.textContent.trim())`),
						"so does the page before the element")
				}
			})
			t.Run("error and retry", func(t *testing.T) {
				f := newFixture(t, world{cases: standard()}, kit.View{})
				p := open(t, f.url("/page", pageOpts{lang: l.lang, theme: l.theme, attrs: map[string]string{"src": "/flaky/arendevy/api/overview"}}), l.width)
				p.expect("status of 502")
				p.ready()
				require.Equal(t, l.pick("Dina ärenden kunde inte hämtas just nu. Försök igen", "Your cases could not be fetched right now. Try again"), p.text(".notices p"))
				p.axe("error")
				p.click(".notices button")
				p.waitFor(q("tbody tr"))
				require.Empty(t, p.texts(".notices p"))
				require.Equal(t, "H2 "+l.pick("Mina ärenden", "My cases"), p.focused(), "after a retry, focus goes to the overview")
			})
			t.Run("login required", func(t *testing.T) {
				f := newFixture(t, world{cases: standard()}, kit.View{})
				p := open(t, f.url("/page", pageOpts{lang: l.lang, theme: l.theme, attrs: map[string]string{"src": "/anonymous/arendevy/api/overview"}}), l.width)
				p.expect("status of 401")
				p.ready()
				require.Equal(t, l.pick("Logga in med e-legitimation för att se dina ärenden.", "Log in with e-identification to see your cases."), p.text(".notices p"))
				p.axe("login required")
			})
			t.Run("filtered to nothing", func(t *testing.T) {
				f := newFixture(t, world{cases: standard()}, kit.View{})
				p := open(t, f.url("/page", pageOpts{lang: l.lang, theme: l.theme, attrs: map[string]string{"filter-text": "zzz"}}), l.width)
				p.ready()
				require.Equal(t, l.pick("Inga ärenden matchar det du har valt.Rensa filter", "No cases match your choices.Clear filters"), p.text(".no-match"))
				require.Equal(t, l.pick("0 av 6 ärenden, sorterade efter datum, nyast först", "0 of 6 cases, sorted by date, newest first"), p.text(".status-region"))
				require.True(t, evalAs[bool](p, q("table")+`.hidden`))
				p.axe("filtered to nothing")
				p.click(".no-match button")
				require.Len(t, p.texts(".case-title"), 6)
			})
			t.Run("expanded with filters and legend open", func(t *testing.T) {
				f := newFixture(t, world{cases: standard()}, kit.View{})
				p := open(t, f.url("/page", pageOpts{lang: l.lang, theme: l.theme, attrs: map[string]string{"approved-by": "Skatteverket"}}), l.width)
				p.ready()
				require.Equal(t, l.pick("Tjänsten är godkänd av Skatteverket.", "This service is approved by Skatteverket."), p.text(".trust-line"))
				p.click(".filters summary")
				p.click(".status-legend summary")
				for _, b := range p.texts(".case-title") {
					p.eval(title(b) + `.click()`)
				}
				p.axe("expanded")
				require.NoError(t, p.tab.EmulateMedia(p.ctx, browser.ForcedColors, browser.ReducedMotion))
				p.axe("expanded, forced colours")
			})
		})
	}
}

func TestLoginRequiredIsAnEventThePortalCanTake(t *testing.T) {
	f := newFixture(t, world{cases: standard()}, kit.View{})
	p := open(t, f.url("/page", pageOpts{attrs: map[string]string{"src": "/anonymous/arendevy/api/overview", "lang": "en"}}), 0)
	p.expect("status of 401")
	p.ready()
	p.record("arendevy-login-required")
	mainAs[any](p, `document.querySelector("arendevy-overview").refresh()`)
	p.waitFor(`globalThis.seen.length`)
	require.Equal(t, []event{{Type: "arendevy-login-required", Detail: map[string]any{"login": nil}, Bubbles: true, Composed: true, Cancelable: true}}, p.seen())
	p.waitFor(`!` + q(".status-region") + `.textContent`)
	require.Empty(t, p.texts(".notices p"), "the portal handles the login: the element says nothing")
}

func TestLanguageIsInheritedFollowedAndOverridable(t *testing.T) {
	f := newFixture(t, world{cases: standard()}, kit.View{})
	p := open(t, f.url("/page", pageOpts{lang: "en-GB"}), 0)
	p.ready()
	require.Equal(t, "My cases", p.text("h2"))
	require.Equal(t, "en", evalAs[string](p, q(".overview")+`.lang`))
	require.Equal(t, "6 of 6 cases, sorted by date, newest first; cases where you need to act come first", p.text(".status-region"))
	require.Equal(t, "18 November 2026", p.text("tbody td"), "English dates read \"3 December 2026\"")
	require.Equal(t, "about 1 week", p.text("tbody td:last-child"))

	p.eval(`document.documentElement.lang = "sv"`)
	p.waitFor(q("h2") + `.textContent == "Mina ärenden"`)
	require.Equal(t, "18 november 2026", p.text("tbody td"))

	el := `document.querySelector("arendevy-overview")`
	p.eval(el + `.setAttribute("lang", "en")`)
	p.waitFor(q("h2") + `.textContent == "My cases"`)
	p.eval(el + `.removeAttribute("lang")`)
	p.waitFor(q("h2") + `.textContent == "Mina ärenden"`)

	p.eval(`document.documentElement.lang = "de"`)
	p.waitFor(q(".overview") + `.lang == "sv"`)
	require.Equal(t, "Mina ärenden", p.text("h2"), "a language the catalogue lacks gets Swedish")
}

func TestPluralsAndSwedishDates(t *testing.T) {
	one := []cases.Case{{ID: "a", Date: at("2026-11-20T23:30:00Z"), Title: "Sent ärende", Sender: skatteverket, Status: cases.Received,
		Forecast: &cases.Forecast{Amount: 1, Unit: cases.Days}}}
	f := newFixture(t, world{cases: one}, kit.View{})
	for _, l := range looks {
		p := open(t, f.url("/page", pageOpts{lang: l.lang}), 0)
		p.ready()
		require.Equal(t, l.pick("1 av 1 ärende, sorterade efter datum, nyast först", "1 of 1 case, sorted by date, newest first"), p.text(".status-region"))
		require.Equal(t, l.pick("cirka 1 dag", "about 1 day"), p.text("tbody td:last-child"))
		require.Equal(t, l.pick("21 november 2026", "21 November 2026"), p.text("time"), "23:30 UTC is the next day in Stockholm")
	}
}

func TestHostileProducerTextIsInert(t *testing.T) {
	hostile := []cases.Case{
		{ID: "x1", Date: at("2026-11-20T09:30:00Z"), Sender: skatteverket, Status: cases.InProgress,
			Title:    `<script>document.body.dataset.pwned = "title"</script>`,
			FreeText: `"><img src=x onerror="document.body.dataset.pwned='img'">`,
			Officer:  `{{.Count}} {{template "x"}}`,
			Pairs:    []cases.Pair{{Title: "{{.Sender}}", Value: `<b onmouseover="document.body.dataset.pwned='pair'">fet</b>`}},
			Link:     "https://evil.example/arende/1"},
		{ID: "x2", Date: at("2026-11-19T09:30:00Z"), Title: "Skriptlänk", Sender: vaxholm, Status: cases.Received,
			Link: "javascript:document.body.dataset.pwned='link'"},
		{ID: "x3", Date: at("2026-11-18T09:30:00Z"), Title: "Datalänk", Sender: fk, Status: cases.Received,
			Link: "data:text/html,<script>alert(1)</script>"},
	}
	f := newFixture(t, world{cases: hostile}, kit.View{})
	for _, noCSP := range []bool{false, true} {
		t.Run(fmt.Sprint("without CSP ", noCSP), func(t *testing.T) {
			p := open(t, f.url("/page", pageOpts{noCSP: noCSP}), 0)
			p.ready()
			require.Equal(t, []string{hostile[0].Title, "Skriptlänk", "Datalänk"}, p.texts(".case-title"), "the title is text")
			for _, c := range hostile {
				p.eval(title(c.Title) + `.click()`)
			}
			detail := evalAs[[]string](p, `[...`+sr+`.querySelectorAll(".case-detail dd, .case-detail dt")].map((e) => e.textContent)`)
			require.Contains(t, detail, hostile[0].FreeText)
			require.Contains(t, detail, hostile[0].Officer)
			require.Contains(t, detail, "{{.Sender}}")
			require.Contains(t, detail, hostile[0].Pairs[0].Value)
			require.Equal(t, 0, evalAs[int](p, sr+`.querySelectorAll(".overview script, .overview img, .overview b").length`), "no markup came from the producer")
			require.Equal(t, "", evalAs[string](p, `document.body.dataset.pwned ?? ""`), "no producer script ran")
			require.Equal(t, 0, evalAs[int](p, sr+`.querySelectorAll("a.case-link").length`), "javascript:, data: and off-list links are not shown")
			require.Equal(t, []string{"Om Skatteverket och hur du når kundtjänsten (öppnas i nytt fönster)", "Om Vaxholms stad och hur du når kundtjänsten (öppnas i nytt fönster)",
				"Om Försäkringskassan och hur du når kundtjänsten (öppnas i nytt fönster)"}, p.texts(".case-detail a[part=link]"), "but the producers' information pages are")
		})
	}
	t.Run("links the kit would never send", func(t *testing.T) {
		p := open(t, f.url("/page", pageOpts{attrs: map[string]string{"src": "/evil"}}), 0)
		p.ready()
		for _, b := range p.texts(".case-title") {
			p.eval(title(b) + `.click()`)
		}
		require.Equal(t, 0, evalAs[int](p, sr+`.querySelectorAll(".case-detail a").length`), "javascript: and data: are never links")
	})
}

func TestDeepLinkOpensANewWindowUnlessThePortalTakesIt(t *testing.T) {
	f := newFixture(t, world{cases: standard()}, kit.View{})
	p := open(t, f.url("/page", pageOpts{lang: "en"}), 0)
	p.ready()
	p.eval(title("Ansökan om F-skatt") + `.click()`)
	// Remember whether the element let the browser open the link, then stop
	// the browser from opening it in the test.
	p.eval(`document.addEventListener("click", (e) => { globalThis.prevented = e.defaultPrevented; e.preventDefault() })`)
	p.record("arendevy-open")
	p.click("a.case-link")
	require.Equal(t, "Go to the case at Skatteverket (opens in a new window)", p.text("a.case-link"))
	require.Equal(t, []event{{Type: "arendevy-open", Bubbles: true, Composed: true, Cancelable: true, Detail: map[string]any{
		"id": "skv-1", "href": "https://etjanst.skatteverket.se/arende/123", "sender": map[string]any{"id": "skatteverket", "name": "Skatteverket"}}}}, p.seen())
	require.True(t, evalAs[bool](p, `globalThis.prevented`), "the portal cancelled: the element does not open the link")

	p.record()
	p.click("a.case-link")
	require.False(t, evalAs[bool](p, `globalThis.prevented`), "otherwise the browser opens it")
}

func TestPropertiesReflectAttributes(t *testing.T) {
	f := newFixture(t, world{cases: standard()}, kit.View{})
	p := open(t, f.url("/page", pageOpts{}), 0)
	p.ready()
	p.record()
	el := `document.querySelector("arendevy-overview")`
	mainAs[any](p, el+`.filterStatus = ["closed", "received"]`)
	mainAs[any](p, el+`.pageSize = 1`)
	require.Equal(t, "closed,received", evalAs[string](p, el+`.getAttribute("filter-status")`))
	require.Equal(t, []string{"closed", "received"}, mainAs[[]string](p, el+`.filterStatus`))
	require.Equal(t, []string{}, mainAs[[]string](p, el+`.filterSender`))
	require.Equal(t, 1, mainAs[int](p, el+`.pageSize`))
	p.waitFor(q(".status-region") + `.textContent.startsWith("3 av 6")`)
	require.Equal(t, []string{"Föräldrapenning"}, p.texts(".case-title"))
	require.Equal(t, 6, mainAs[int](p, el+`.data.cases.length`))
	mainAs[any](p, el+`.filterStatus = null`)
	require.False(t, evalAs[bool](p, el+`.hasAttribute("filter-status")`))
	mainAs[any](p, el+`.filterText = ""`)
	require.False(t, evalAs[bool](p, el+`.hasAttribute("filter-text")`), "an empty value removes the attribute")
	require.True(t, mainAs[bool](p, el+`.filterText === null`), "an absent attribute reads as null")
	mainAs[any](p, el+`.setAttribute("page-size", "many")`)
	require.Equal(t, 0, mainAs[int](p, el+`.pageSize`), "a page size that is no number is 0: every case")

	calls := f.apiCalls.Load()
	mainAs[any](p, el+`.refresh()`)
	p.waitFor(`globalThis.seen.some((e) => e.type == "arendevy-loaded")`)
	require.Equal(t, calls+1, f.apiCalls.Load())
	loaded := p.seen()[0]
	require.Equal(t, "arendevy-loaded", loaded.Type)
	require.Equal(t, float64(6), loaded.Detail["total"])
	require.Len(t, loaded.Detail["sources"], 3, "one outcome per producer")
	require.Equal(t, map[string]any{"id": "vaxholm", "name": "Vaxholms stad"}, loaded.Detail["sources"].([]any)[1].(map[string]any)["producer"])
}

func TestLegendExplainsTheFourStatusesInWordsAndShapes(t *testing.T) {
	f := newFixture(t, world{cases: standard()}, kit.View{})
	p := open(t, f.url("/page", pageOpts{}), 0)
	p.ready()
	p.click(".status-legend summary")
	require.Equal(t, []string{
		"Datum När ärendet fick den status det har nu.",
		"Beräknad tid Ungefär hur länge ärendet brukar ha sin nuvarande status, räknat från datumet. Avslutade ärenden har ingen.",
		"Ankommen handling Dina handlingar har kommit fram.",
		"Handläggning pågår Ärendet handläggs. Du behöver inte göra något nu.",
		"Åtgärd krävs Du behöver göra något, till exempel komplettera, för att ärendet ska gå vidare.",
		"Ärendet avslutat Ärendet är klart.",
	}, p.texts(".status-legend dl > div"))
	shapes := evalAs[[]string](p, `[...`+sr+`.querySelectorAll(".status-legend .status-badge")].map((e) => getComputedStyle(e, "::before").content)`)
	require.Len(t, shapes, 4)
	for i, s := range shapes {
		require.NotContains(t, []string{"none", "normal", ""}, s)
		for _, other := range shapes[i+1:] {
			require.NotEqual(t, s, other, "each status has its own shape")
		}
	}
}

func TestThemesAndReducedMotion(t *testing.T) {
	f := newFixture(t, world{cases: standard()}, kit.View{})
	accent := `getComputedStyle(` + q(".case-title") + `).color`
	def := open(t, f.url("/page", pageOpts{}), 0)
	def.ready()
	bank := open(t, f.url("/page", pageOpts{theme: "bank"}), 0)
	bank.ready()
	require.Equal(t, "rgb(31, 79, 168)", evalAs[string](def, accent))
	require.Equal(t, "rgb(0, 80, 122)", evalAs[string](bank, accent), "the bank's theme reaches into the shadow root")

	transition := `getComputedStyle(` + q(".case-title") + `, "::after").transitionDuration`
	require.Equal(t, "0.2s", evalAs[string](def, transition))
	require.NoError(t, def.tab.EmulateMedia(def.ctx, browser.ReducedMotion))
	require.Equal(t, "0s", evalAs[string](def, transition))
}

// layout is where the overview's parts are on screen.
type layout struct {
	Height float64     `json:"height"`
	Parts  [][]float64 `json:"parts"` // x, y, width, height of headings, status, titles, badges
	Text   string      `json:"text"`
}

// layoutOf measures the overview inside root (a JavaScript expression: the
// light DOM before the upgrade, the shadow root after).
func layoutOf(p *page, root string) layout {
	p.t.Helper()
	return evalAs[layout](p, `(() => {
		const root = `+root+`;
		const parts = [...root.querySelectorAll("h2, .status-region, .sort-button, .case-title, tbody .status-badge, .show-more, .status-legend summary")].map((e) => {
			const r = e.getBoundingClientRect(); return [r.x, r.y, r.width, r.height].map((n) => Math.round(n * 2) / 2) })
			.filter(([, , w, h]) => w || h); // what is not displayed has no place
		return {height: document.querySelector("arendevy-overview").getBoundingClientRect().height, parts,
			text: root.querySelector(".overview").innerText};
	})()`)
}

// withoutScriptOnlyControls takes out of the upgraded element the one
// control the server does not render because it needs JavaScript ("Alla
// datum till kalendern", below the list, where it moves nothing the
// server drew) and returns the shadow root, for layoutOf.
func withoutScriptOnlyControls(p *page) string {
	p.eval(q(".calendar-all") + `?.remove()`)
	return sr
}

// supportCodes finds the support code (kit/supportcode) in a page's text.
var supportCodes = regexp.MustCompile(`[` + supportcode.Alphabet + `]{4}-[` + supportcode.Alphabet + `]{4}`)

func TestServerRenderedOverviewShowsWithoutJavaScriptAndUpgradesWithoutMoving(t *testing.T) {
	f := newFixture(t, world{cases: standard(), failing: true}, kit.View{ApprovedBy: "Skatteverket", PageSize: 4})
	for _, l := range looks {
		t.Run(l.lang+"-"+l.theme, func(t *testing.T) {
			attrs := map[string]string{"sort": "title", "order": "asc"}
			light := `document.querySelector("arendevy-overview")`

			before := open(t, f.url("/ssr", pageOpts{lang: l.lang, theme: l.theme, attrs: attrs}), l.width)
			require.Equal(t, 4, evalAs[int](before, light+`.querySelectorAll("tr.case-row:not(.later-page)").length`))
			require.Equal(t, "none", evalAs[string](before, `getComputedStyle(`+light+`.querySelector("tr.case-detail")).display`), "details closed, as the element will have them")
			want := layoutOf(before, light)
			before.axe("server-rendered, before the element")
			before.eval(light + `.querySelectorAll("details").forEach((d) => (d.open = true))`)
			require.Equal(t, []string{"flex", "grid"}, evalAs[[]string](before, `[".list-form", "tr.case-detail.later-page"].map((s) => getComputedStyle(`+light+`.querySelector(s)).display)`),
				"without JavaScript the form works, and every detail and page opens natively")
			before.axe("server-rendered, every detail opened without JavaScript")

			calls := f.apiCalls.Load()
			after := open(t, f.url("/ssr", pageOpts{lang: l.lang, theme: l.theme, attrs: attrs, script: true}), l.width)
			after.waitFor(q(".overview") + ` && !` + light + `.firstElementChild`)
			require.Equal(t, calls+1, f.apiCalls.Load(), "the element took the server's data; the page compiled the only overview")
			got := layoutOf(after, withoutScriptOnlyControls(after))
			require.Equal(t, supportCodes.ReplaceAllString(want.Text, "XXXX-XXXX"), supportCodes.ReplaceAllString(got.Text, "XXXX-XXXX"),
				"the same words (each page load has a support code of its own)")
			require.Equal(t, want.Height, got.Height, "the same height")
			require.Equal(t, want.Parts, got.Parts, "everything where it was")
			require.Equal(t, []string{"Ansökan om F-skatt", "Bygglov för carport", "Föräldrapenning", "Återbetalning av skatt"}, after.texts(".case-title"))
			after.eval(`(() => { const s = ` + q("#arendevy-sort") + `; s.value = "date"; s.dispatchEvent(new Event("change")) })()`)
			require.Equal(t, byDate[:4], after.texts(".case-title"), "and it works")
			after.axe("server-rendered, upgraded")
		})
	}
}

func toAny(ss []string) []any {
	out := make([]any, len(ss))
	for i, s := range ss {
		out[i] = s
	}
	return out
}
