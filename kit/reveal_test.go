package kit_test

import (
	"bytes"
	"context"
	"encoding/json"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/arendevy/arendevy/kit"
	"github.com/arendevy/arendevy/kit/accesslog"
	"github.com/arendevy/arendevy/kit/cases"
	"github.com/arendevy/arendevy/kit/fanout"
	"github.com/arendevy/arendevy/kit/identity"
	"github.com/arendevy/arendevy/kit/preferences"
)

// revealWorld is a customer in discreet mode with two cases, whose texts are
// the secrets a shared screen must not show unless the user asks for one of
// them; every log line (the kit's and the access log's) goes to logs.
type revealWorld struct {
	k       *kit.Kit
	store   *preferences.Memory
	handler http.Handler
	logs    *bytes.Buffer
	first   []string // the first case's texts
	second  []string // the second case's
}

func newRevealWorld(t *testing.T) *revealWorld {
	t.Helper()
	date := time.Date(2026, 11, 20, 9, 0, 0, 0, time.UTC)
	w := &revealWorld{logs: &bytes.Buffer{},
		first:  []string{"Skuldsanering för Tolvan", "Eva Handläggare", "Din skuld är 12 000 kr", "Belopp"},
		second: []string{"Studiemedel för hösten", "Olle Studiesson", "Vi väntar på ditt intyg", "Terminer"},
	}
	store, err := preferences.NewMemory([]byte(strings.Repeat("k", 32)))
	require.NoError(t, err)
	w.store = store
	logger := slog.New(slog.NewJSONHandler(w.logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	w.k, err = kit.New(kit.Config{Preferences: store, Logger: logger,
		Sources: []fanout.Member{{Name: "demo", Actor: cases.Actor{ID: "demo", Name: "Demo"},
			Source: cases.SourceFunc(func(context.Context, identity.Subject) (cases.Result, error) {
				return cases.Result{Cases: []cases.Case{
					{ID: "1", Title: w.first[0], Sender: cases.Actor{ID: "skatteverket", Name: "Skatteverket"}, Status: cases.InProgress,
						Date: date, Officer: w.first[1], FreeText: w.first[2], Pairs: []cases.Pair{{Title: w.first[3], Value: "12 000 kr"}}},
					{ID: "2", Title: w.second[0], Sender: cases.Actor{ID: "csn", Name: "CSN"}, Status: cases.ActionRequired,
						Date: date.AddDate(0, 0, -3), Officer: w.second[1], FreeText: w.second[2], Pairs: []cases.Pair{{Title: w.second[3], Value: "2"}}},
				}}, nil
			})}},
	})
	require.NoError(t, err)
	prefs := preferences.Default()
	prefs.Discreet = true
	require.NoError(t, store.Put(context.Background(), viewer.Customer(), prefs))
	w.handler = accesslog.Middleware(logger, w.k.Route)(http.HandlerFunc(func(rw http.ResponseWriter, r *http.Request) {
		w.k.Handler().ServeHTTP(rw, r.WithContext(identity.WithSubject(r.Context(), viewer)))
	}))
	return w
}

type revealedCase struct {
	Title    string `json:"title"`
	FreeText string `json:"freeText"`
	Officer  string `json:"officer"`
	Ref      string `json:"ref"`
	Revealed bool   `json:"revealed"`
}

// get asks the API for the overview with the query and returns the answer.
func (w *revealWorld) get(t *testing.T, query, lang string) *httptest.ResponseRecorder {
	t.Helper()
	r := httptest.NewRequest(http.MethodGet, "/arendevy/api/overview?"+query, nil)
	r.Header.Set("Accept-Language", lang)
	rec := httptest.NewRecorder()
	w.handler.ServeHTTP(rec, r)
	require.Equal(t, "no-store", rec.Header().Get("Cache-Control"))
	require.Empty(t, rec.Header().Values("Set-Cookie"), "no cookie, least of all one with the case")
	return rec
}

func (w *revealWorld) cases(t *testing.T, query, lang string) map[string]revealedCase {
	t.Helper()
	rec := w.get(t, query, lang)
	require.Equal(t, http.StatusOK, rec.Code, rec.Body.String())
	var ov struct {
		Cases []struct {
			revealedCase
			Sender struct{ ID string } `json:"sender"`
		} `json:"cases"`
	}
	require.NoError(t, json.Unmarshal(rec.Body.Bytes(), &ov))
	out := map[string]revealedCase{}
	for _, c := range ov.Cases {
		out[c.Sender.ID] = c.revealedCase
	}
	return out
}

// TestDiscreetModeRevealsOneCaseForOneRequest: with discreet mode on,
// reveal=<the case's keyed reference> shows that one case whole in the
// API's answer and the server-rendered page, the other still redacted; the
// next request without it shows none; discreet mode stays on, nothing of
// the reveal is stored, set in a cookie or logged. A reference of another
// customer (or made up) reveals nothing; a malformed one is refused like
// any bad parameter, without being shown back.
func TestDiscreetModeRevealsOneCaseForOneRequest(t *testing.T) {
	w := newRevealWorld(t)
	for _, lang := range []struct{ tag, placeholder, show, which, hide, shown, gone string }{
		{"sv", "Dolt ärende", "Visa ärende", "1 av 2", "Dölj igen", "ärende 2 av 2 visas", "ärendet kunde inte visas"},
		{"en", "Hidden case", "Show case", "1 of 2", "Hide again", "case 2 of 2 is shown", "the case could not be shown"},
	} {
		t.Run(lang.tag, func(t *testing.T) {
			hidden := w.cases(t, "", lang.tag)
			require.Equal(t, lang.placeholder, hidden["skatteverket"].Title)
			require.Equal(t, lang.placeholder, hidden["csn"].Title)
			ref := hidden["skatteverket"].Ref
			require.NotEmpty(t, ref, "each case has its keyed reference")

			got := w.cases(t, "reveal="+ref, lang.tag)
			require.Equal(t, revealedCase{Title: w.first[0], FreeText: w.first[2], Officer: w.first[1], Ref: ref, Revealed: true}, got["skatteverket"])
			require.Equal(t, revealedCase{Title: lang.placeholder, Ref: hidden["csn"].Ref}, got["csn"], "the other case stays redacted")

			// Not remembered: the next overview hides it again.
			require.Equal(t, lang.placeholder, w.cases(t, "", lang.tag)["skatteverket"].Title)

			// Another customer's reference to the very same case, and one made
			// up, reveal nothing.
			otherKey := w.store.GroupKey(identity.Party{Number: "198112189876", Kind: identity.Personnummer})
			forged := preferences.CaseRef(otherKey, &cases.Case{ID: "1", Sender: cases.Actor{ID: "skatteverket"}})
			for _, bad := range []string{forged, "AAAAAAAAAAAAAAAAAAAAAA"} {
				rec := w.get(t, "reveal="+bad, lang.tag)
				require.Equal(t, http.StatusOK, rec.Code)
				for _, s := range append(w.first, w.second...) {
					require.NotContains(t, rec.Body.String(), s)
				}
				require.NotContains(t, rec.Body.String(), `"revealed"`)
			}

			// Malformed: a problem naming the parameter, never the input.
			rec := w.get(t, "reveal="+url.QueryEscape("<b>Skuldsanering</b>"), lang.tag)
			require.Equal(t, http.StatusBadRequest, rec.Code)
			require.Contains(t, rec.Body.String(), `"name":"reveal"`)
			require.NotContains(t, rec.Body.String(), "Skuldsanering")

			// The page as served without JavaScript: the same case whole, its
			// detail open, a link that hides it again; the other (first: it
			// waits for the customer) has a link that reveals it, naming which
			// case it is but not its title.
			page := func(params url.Values) string {
				var buf bytes.Buffer
				require.NoError(t, w.k.RenderPage(context.Background(), &buf, viewer, params, lang.tag))
				return buf.String()
			}
			html := page(url.Values{"reveal": {ref}, "sort": {"date"}})
			require.Contains(t, html, `<details class="case-toggle" open><summary class="case-title" data-case-index="1" aria-controls="case-detail-1">`+w.first[0]+`</summary>`)
			for _, s := range w.first {
				require.Contains(t, html, s)
			}
			for _, s := range w.second {
				require.NotContains(t, html, s)
			}
			require.Contains(t, html, `>`+lang.placeholder+`</summary>`, "in the page's language")
			require.Contains(t, html, `id="reveal-`+ref+`" href="?order=desc&amp;scope=all&amp;sort=date#reveal-`+ref+`" data-action="conceal" data-case-index="1" lang="`+lang.tag+`" dir="ltr">`+lang.hide+`</a>`)
			other := hidden["csn"].Ref
			require.Contains(t, html, `id="reveal-`+other+`" href="?order=desc&amp;reveal=`+other+`&amp;scope=all&amp;sort=date#reveal-`+other+`" data-action="reveal" data-case-index="0" lang="`+lang.tag+`" dir="ltr">`+
				lang.show+`<span class="visually-hidden"> `+lang.which+`</span></a>`)
			require.Contains(t, html, lang.shown, "the status line says which case shows")

			html = page(url.Values{"reveal": {forged}})
			for _, s := range append(w.first, w.second...) {
				require.NotContains(t, html, s)
			}
			require.Contains(t, html, lang.gone)
			html = page(url.Values{"reveal": {"<b>x</b>"}})
			require.NotContains(t, html, "<b>x</b>")
			require.NotContains(t, html, w.first[0])
		})
	}

	// Discreet mode is still on and the reveal left nothing in the
	// preferences; no log line holds a case's text or its reference.
	stored, err := w.store.Get(context.Background(), viewer.Customer())
	require.NoError(t, err)
	require.True(t, stored.Discreet)
	data, err := json.Marshal(stored)
	require.NoError(t, err)
	refs := w.cases(t, "", "sv")
	logs := w.logs.String()
	require.Contains(t, logs, "/arendevy/api/overview", "the access log did log the requests")
	for _, s := range append(append(w.first, w.second...), refs["skatteverket"].Ref, refs["csn"].Ref) {
		require.NotContains(t, string(data), s, "not in the preferences")
		require.NotContains(t, logs, s, "not in any log line")
	}
}
