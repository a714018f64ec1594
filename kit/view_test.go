package kit_test

import (
	"bytes"
	"context"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/arendevy/arendevy/kit"
	"github.com/arendevy/arendevy/kit/assets"
	"github.com/arendevy/arendevy/kit/cases"
	"github.com/arendevy/arendevy/kit/fanout"
	"github.com/arendevy/arendevy/kit/identity"
	"github.com/arendevy/arendevy/kit/listing"
	"github.com/arendevy/arendevy/kit/preferences"
	"github.com/arendevy/arendevy/kit/producers"
	"github.com/arendevy/arendevy/kit/session"
)

var viewer = identity.Subject{User: identity.Party{Number: "191212121212", Kind: identity.Personnummer, Name: "Tolvan Tolvansson"}}

func viewKit(t *testing.T, cfg kit.Config) *kit.Kit {
	t.Helper()
	dir, err := producers.New([]producers.Info{
		{ID: "skatteverket", Name: "Skatteverket", CustomerService: producers.Contact{Phone: "0771-567 567"}},
		{ID: "csn", Name: "CSN"},
	})
	require.NoError(t, err)
	cfg.Producers = dir
	cfg.Logger = slog.New(slog.DiscardHandler)
	cfg.Sources = []fanout.Member{{Name: "demo", Actor: cases.Actor{ID: "demo", Name: "Demo"},
		Source: cases.SourceFunc(func(context.Context, identity.Subject) (cases.Result, error) {
			return cases.Result{Cases: []cases.Case{
				{ID: "1", Title: "Ansökan om F-skatt", Sender: cases.Actor{ID: "skatteverket", Name: "Skatteverket"},
					Status: cases.InProgress, Date: time.Date(2026, 11, 20, 9, 0, 0, 0, time.UTC)},
				{ID: "2", Title: "Studiemedel", Sender: cases.Actor{ID: "csn", Name: "CSN"}, CaseNumber: "CSN 2026/4711",
					Status: cases.Closed, Date: time.Date(2026, 10, 1, 9, 0, 0, 0, time.UTC)},
			}}, nil
		})}}
	k, err := kit.New(cfg)
	require.NoError(t, err)
	return k
}

func serve(k *kit.Kit, target string, header http.Header) *http.Response {
	r := httptest.NewRequest(http.MethodGet, target, nil)
	for key, v := range header {
		r.Header[key] = v
	}
	w := httptest.NewRecorder()
	k.Handler().ServeHTTP(w, r)
	return w.Result()
}

func readAll(t *testing.T, res *http.Response) string {
	t.Helper()
	b, err := io.ReadAll(res.Body)
	require.NoError(t, err)
	return string(b)
}

func TestKitServesTheElementUnderItsMount(t *testing.T) {
	k := viewKit(t, kit.Config{Mount: "/portal/kit"})
	js, ok := k.Assets().Lookup(assets.Module)
	require.True(t, ok)
	require.True(t, strings.HasPrefix(js.URL, "/portal/kit/assets/arendevy-overview."))
	res := serve(k, js.URL, nil)
	require.Equal(t, http.StatusOK, res.StatusCode)
	require.Equal(t, "public, max-age=31536000, immutable", res.Header.Get("Cache-Control"))
	require.Contains(t, readAll(t, res), `"Mina ärenden"`)

	tags, err := k.Assets().Tags("bank")
	require.NoError(t, err)
	require.Contains(t, string(tags), js.URL)
}

func TestProducerInformationPage(t *testing.T) {
	k := viewKit(t, kit.Config{})
	tests := []struct {
		name, target, accept string
		status               int
		has                  []string
	}{
		{"Swedish by default", "/arendevy/producers/skatteverket", "", http.StatusOK,
			[]string{`<html lang="sv" dir="ltr">`, "<h1>Kontakta Skatteverket</h1>", `href="tel:0771567567"`}},
		{"the browser's language", "/arendevy/producers/skatteverket", "en-GB,en;q=0.9", http.StatusOK,
			[]string{`<html lang="en" dir="ltr">`, "<h1>Contact Skatteverket</h1>"}},
		{"the element's language wins", "/arendevy/producers/skatteverket?lang=sv", "en", http.StatusOK,
			[]string{`<html lang="sv" dir="ltr">`}},
		{"right to left in Arabic", "/arendevy/producers/skatteverket?lang=ar", "", http.StatusOK,
			[]string{`<html lang="ar" dir="rtl">`}},
		{"no contact details", "/arendevy/producers/csn?lang=en", "", http.StatusOK,
			[]string{"CSN has not given the case overview any contact details."}},
		{"unknown producer", "/arendevy/producers/nobody", "", http.StatusNotFound,
			[]string{"<h1>Aktören finns inte</h1>"}},
		{"not an ID", "/arendevy/producers/%3Cscript%3E?lang=en", "", http.StatusNotFound,
			[]string{"<h1>No such organisation</h1>"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res := serve(k, tt.target, http.Header{"Accept-Language": {tt.accept}})
			require.Equal(t, tt.status, res.StatusCode)
			require.Equal(t, "text/html; charset=utf-8", res.Header.Get("Content-Type"))
			require.Contains(t, res.Header.Get("Content-Security-Policy"), "default-src 'none'")
			page := readAll(t, res)
			for _, h := range tt.has {
				require.Contains(t, page, h)
			}
			require.NotContains(t, page, "<script")
			css, _ := k.Assets().Lookup(assets.Styles)
			require.Contains(t, page, `href="`+css.URL+`" integrity="`+css.Integrity+`"`, "styled, with SRI")
		})
	}
}

// With Config.InfoPath a case without an e-service links to the portal's
// own page, by a token that names its producer and case number only in
// the session that was shown the case; the portal gets the page's body.
func TestInformationPageOfACaseForThePortalsLayout(t *testing.T) {
	sessions, err := session.NewManager(session.Config{})
	require.NoError(t, err)
	k := viewKit(t, kit.Config{Sessions: sessions, InfoPath: "/mina-arenden/kontakt/"})
	ctx := session.WithBinding(context.Background(), []byte("the binding of one login session"))
	ov, err := k.Overview(ctx, viewer, listing.Default(), preferences.Default())
	require.NoError(t, err)
	var info string
	for _, c := range ov.Cases {
		if c.Sender.ID == "csn" {
			info = c.Info
		}
	}
	require.True(t, strings.HasPrefix(info, "/mina-arenden/kontakt/"), info)
	require.NotContains(t, info, "4711", "no case field in the address")
	token := strings.TrimPrefix(info, "/mina-arenden/kontakt/")

	var body bytes.Buffer
	page, err := k.RenderInfo(ctx, &body, viewer, token, "en")
	require.NoError(t, err)
	require.Equal(t, kit.InfoPage{Title: "Contact CSN", Status: http.StatusOK}, page)
	require.Contains(t, body.String(), "<h1>Contact CSN</h1>")
	require.Contains(t, body.String(), "<dd>CSN 2026/4711</dd>", "the case number to quote")
	require.Contains(t, body.String(), "Give the case number when you contact customer service.")
	require.Contains(t, body.String(), "CSN has not given the case overview any contact details.")
	require.NotContains(t, body.String(), "<html", "a body for the portal's layout")

	body.Reset()
	page, err = k.RenderInfo(session.WithBinding(context.Background(), []byte("another login session's binding!")), &body, viewer, token, "sv")
	require.NoError(t, err)
	require.Equal(t, http.StatusBadRequest, page.Status, "another session")
	require.Contains(t, body.String(), "<h1>Länken kan inte öppnas</h1>")
	require.NotContains(t, body.String(), "4711")
}

func TestRenderWritesTheElementWithEveryCase(t *testing.T) {
	k := viewKit(t, kit.Config{View: kit.View{ApprovedBy: "DIGG", PageSize: 10, Theme: "bank"}})
	var buf bytes.Buffer
	q := listing.Query{Sort: listing.ByDate, Descending: true, Scope: listing.OpenOnly}
	require.NoError(t, k.Render(context.Background(), &buf, viewer, q, preferences.Default(), "en"))
	page := buf.String()
	require.Contains(t, page, `<arendevy-overview src="/arendevy/api/overview" sort="date" order="desc" show-closed="false" page-size="10" approved-by="DIGG">`)
	require.Contains(t, page, "This service is approved by DIGG.")
	require.Contains(t, page, "1 of 2 cases, sorted by date, newest first", "the page shows the open case")
	require.Contains(t, page, `"title":"Studiemedel"`, "the element gets the closed one too, for when the user asks")
	require.NotContains(t, page, `>Studiemedel</summary>`)
	require.Contains(t, page, `>Ansökan om F-skatt</summary>`)
}

func TestTrustLine(t *testing.T) {
	require.Empty(t, viewKit(t, kit.Config{}).TrustLine("sv"))
	k := viewKit(t, kit.Config{View: kit.View{ApprovedBy: "Skatteverket"}})
	require.Equal(t, "Tjänsten är godkänd av Skatteverket.", k.TrustLine("sv"))
	require.Equal(t, "This service is approved by Skatteverket.", k.TrustLine("en-US"))
}

func TestViewConfigIsChecked(t *testing.T) {
	for _, v := range []kit.View{{Theme: "neon"}, {PageSize: -1}} {
		_, err := kit.New(kit.Config{View: v, Sources: []fanout.Member{{Name: "s", Actor: cases.Actor{ID: "a", Name: "A"},
			Source: cases.SourceFunc(func(context.Context, identity.Subject) (cases.Result, error) { return cases.Result{}, nil })}}})
		var ce *kit.ConfigError
		require.True(t, errors.As(err, &ce), "%+v", v)
	}
}

// The page's own address sorts and filters (the overview's GET form, without
// JavaScript); what cannot be used gets the overview with a notice, never an
// error and never its own text back.
func TestRenderPageTakesTheQueryFromTheAddress(t *testing.T) {
	k := viewKit(t, kit.Config{View: kit.View{SettingsURL: "/installningar", HeadingYields: true}})
	page := func(query string) string {
		t.Helper()
		params, err := url.ParseQuery(query)
		require.NoError(t, err)
		var buf bytes.Buffer
		require.NoError(t, k.RenderPage(context.Background(), &buf, viewer, params, "sv"))
		return buf.String()
	}
	got := page("sort=title&scope=closed&tab=cases")
	require.Contains(t, got, `sort="title" order="asc"`, "sorted by title, A to Ö, without an order given")
	require.Contains(t, got, "1 av 2 ärenden, sorterade efter titel, stigande", "the portal's own parameter is not the listing's business")
	require.NotContains(t, got, "query-refused")
	require.Contains(t, got, ` heading="page"`)

	for _, hostile := range []string{"sort=%3Cscript%3Ealert(1)%3C/script%3E", "status=<img src=x>", "order=up&order=down", "q=" + strings.Repeat("x", 300), "sender=a%00b"} {
		got := page(hostile)
		require.Contains(t, got, "Sorteringen eller filtret i adressen gick inte att använda.", hostile)
		require.Contains(t, got, "2 av 2 ärenden, sorterade efter datum, nyast först", hostile)
		require.NotContains(t, got, "<script>alert", hostile)
		require.NotContains(t, got, "<img", hostile)
		require.Contains(t, got, " query-refused>", hostile)
	}
}

// TestDiscreetModeLeavesEveryProducerTextOut: with discreet mode on, neither
// the server-rendered page (its markup and the data the element takes over)
// nor the API's answer holds a title, free text, officer, pair or history
// of any case: the title cell says the catalogue's neutral text, and the
// sender, status and date stay in their places.
func TestDiscreetModeLeavesEveryProducerTextOut(t *testing.T) {
	date := time.Date(2026, 11, 20, 9, 0, 0, 0, time.UTC)
	secrets := []string{"Skuldsanering för Tolvan", "Eva Handläggare", "Din skuld är 12 000 kr", "Belopp", "Ansökan inkom", "Möte om skulden"}
	store, err := preferences.NewMemory([]byte(strings.Repeat("k", 32)))
	require.NoError(t, err)
	k, err := kit.New(kit.Config{Preferences: store, Logger: slog.New(slog.DiscardHandler),
		Sources: []fanout.Member{{Name: "demo", Actor: cases.Actor{ID: "demo", Name: "Demo"},
			Source: cases.SourceFunc(func(context.Context, identity.Subject) (cases.Result, error) {
				return cases.Result{Cases: []cases.Case{{ID: "1", Title: secrets[0], Sender: cases.Actor{ID: "skatteverket", Name: "Skatteverket"},
					Status: cases.ActionRequired, Date: date, Officer: secrets[1], FreeText: secrets[2], PlannedEvent: secrets[5],
					Pairs: []cases.Pair{{Title: secrets[3], Value: "12 000 kr"}}, History: []cases.Event{{Time: date, Title: secrets[4]}}}}}, nil
			})}},
	})
	require.NoError(t, err)
	prefs := preferences.Default()
	prefs.Discreet = true
	require.NoError(t, store.Put(context.Background(), viewer.Customer(), prefs))

	for _, lang := range []struct{ tag, placeholder, status string }{{"sv", "Dolt ärende", "Åtgärd krävs"}, {"en", "Hidden case", "Action required"}} {
		var buf bytes.Buffer
		require.NoError(t, k.Render(context.Background(), &buf, viewer, k.DefaultQuery(), prefs, lang.tag))
		page := buf.String()
		require.Contains(t, page, `>`+lang.placeholder+`</summary>`, "the title cell keeps its place with the neutral text")
		require.Contains(t, page, `>Skatteverket</td>`, "the sender stays")
		require.Contains(t, page, `<time datetime="2026-11-20T09:00:00Z">`, "the date stays")
		require.Contains(t, page, `data-status="action_required" part="badge">`+lang.status+`<`, "the status stays")

		r := httptest.NewRequest(http.MethodGet, "/arendevy/api/overview", nil)
		r.Header.Set("Accept-Language", lang.tag)
		r = r.WithContext(identity.WithSubject(r.Context(), viewer))
		w := httptest.NewRecorder()
		k.Handler().ServeHTTP(w, r)
		require.Equal(t, http.StatusOK, w.Code)
		require.Contains(t, w.Body.String(), `"title":"`+lang.placeholder+`"`)
		for _, s := range secrets {
			require.NotContains(t, page, s, "the page holds no producer text, not even hidden")
			require.NotContains(t, w.Body.String(), s, "the API's answer holds no producer text")
		}
	}
}
