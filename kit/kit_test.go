package kit

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/arendevy/arendevy/kit/assets"
	"github.com/arendevy/arendevy/kit/cases"
	"github.com/arendevy/arendevy/kit/fanout"
	"github.com/arendevy/arendevy/kit/identity"
	"github.com/arendevy/arendevy/kit/listing"
	"github.com/arendevy/arendevy/kit/overview"
	"github.com/arendevy/arendevy/kit/preferences"
	"github.com/arendevy/arendevy/kit/producers"
	"github.com/arendevy/arendevy/kit/session"
)

var tolvan = identity.Subject{User: identity.Party{Number: "191212121212", Kind: identity.Personnummer, Name: "Tolvan Tolvansson"}}

func testCase(id, title, sender string, st cases.Status, day int, link string) cases.Case {
	return cases.Case{ID: id, Title: title, Sender: cases.Actor{ID: sender, Name: strings.ToUpper(sender[:1]) + sender[1:]},
		Status: st, Date: time.Date(2026, 10, day, 12, 0, 0, 0, time.UTC), Link: link}
}

func newTestKit(t *testing.T, cs ...cases.Case) *Kit {
	t.Helper()
	dir, err := producers.New([]producers.Info{
		{ID: "skatteverket", Name: "Skatteverket", Hosts: []string{"etjanst.skatteverket.se"}},
		{ID: "csn", Name: "CSN"},
	})
	require.NoError(t, err)
	k, err := New(Config{
		Producers: dir,
		Sources: []fanout.Member{{Name: "demo", Actor: cases.Actor{ID: "demo", Name: "Demo"},
			Source: cases.SourceFunc(func(_ context.Context, s identity.Subject) (cases.Result, error) {
				if s.Customer().Number != tolvan.User.Number {
					return cases.Result{}, nil
				}
				return cases.Result{Cases: cs}, nil
			})}},
	})
	require.NoError(t, err)
	return k
}

func get(t *testing.T, k *Kit, target string, s *identity.Subject) *httptest.ResponseRecorder {
	t.Helper()
	r := httptest.NewRequest(http.MethodGet, target, nil)
	if s != nil {
		r = r.WithContext(identity.WithSubject(r.Context(), *s))
	}
	w := httptest.NewRecorder()
	k.Handler().ServeHTTP(w, r)
	return w
}

func TestOverviewWithoutSubjectIs401WithoutCaseData(t *testing.T) {
	k := newTestKit(t, testCase("skatteverket:1", "Hemlig deklaration", "skatteverket", cases.Received, 1, ""))
	w := get(t, k, "/arendevy/api/overview", nil)
	require.Equal(t, http.StatusUnauthorized, w.Code)
	require.Equal(t, "application/problem+json", w.Header().Get("Content-Type"))
	require.Equal(t, "no-store", w.Header().Get("Cache-Control"))
	require.NotContains(t, w.Body.String(), "Hemlig")
}

func TestOverviewSortsFiltersAndNeverCaches(t *testing.T) {
	k := newTestKit(t,
		testCase("skatteverket:1", "Återbetalning", "skatteverket", cases.Closed, 1, ""),
		testCase("csn:1", "Studiemedel", "csn", cases.InProgress, 3, ""),
		testCase("skatteverket:2", "Arbetsgivardeklaration", "skatteverket", cases.ActionRequired, 2, ""),
	)
	w := get(t, k, "/arendevy/api/overview?sort=title&order=asc&scope=all", &tolvan)
	require.Equal(t, http.StatusOK, w.Code)
	require.Equal(t, "no-store", w.Header().Get("Cache-Control"))
	var ov struct {
		Customer overview.Customer
		Total    int
		Cases    []struct{ ID, Title string }
		Senders  []cases.Actor
		Sources  []cases.Outcome
		Query    map[string]any
	}
	require.NoError(t, json.Unmarshal(w.Body.Bytes(), &ov))
	require.Equal(t, "Tolvan Tolvansson", ov.Customer.Name)
	require.Equal(t, 3, ov.Total)
	require.Equal(t, []string{"Arbetsgivardeklaration", "Studiemedel", "Återbetalning"},
		[]string{ov.Cases[0].Title, ov.Cases[1].Title, ov.Cases[2].Title})
	require.Equal(t, []cases.Actor{{ID: "csn", Name: "Csn"}, {ID: "skatteverket", Name: "Skatteverket"}}, ov.Senders)
	require.Equal(t, "title", ov.Query["sort"])
	require.Len(t, ov.Sources, 2)

	w = get(t, k, "/arendevy/api/overview?scope=open&sender=skatteverket", &tolvan)
	require.NoError(t, json.Unmarshal(w.Body.Bytes(), &ov))
	require.Equal(t, 3, ov.Total, "total counts before filtering")
	require.Len(t, ov.Cases, 1)
	require.Equal(t, "skatteverket:2", ov.Cases[0].ID)
}

func TestBadParametersGetAProblemNamingThem(t *testing.T) {
	k := newTestKit(t)
	w := get(t, k, "/arendevy/api/overview?sort=size&scope=maybe&limit=3", &tolvan)
	require.Equal(t, http.StatusBadRequest, w.Code)
	require.Equal(t, "application/problem+json", w.Header().Get("Content-Type"))
	var p struct {
		Status        int
		Title         string
		InvalidParams []struct{ Name, Reason string } `json:"invalid-params"`
	}
	require.NoError(t, json.Unmarshal(w.Body.Bytes(), &p))
	require.Equal(t, 400, p.Status)
	var names []string
	for _, ip := range p.InvalidParams {
		names = append(names, ip.Name)
	}
	require.Equal(t, []string{"limit", "scope", "sort"}, names)
}

func TestDeepLinksOnlyWhenTheProducerAllowsThem(t *testing.T) {
	k := newTestKit(t,
		testCase("skatteverket:1", "Allowed", "skatteverket", cases.Received, 1, "https://etjanst.skatteverket.se/a/1"),
		testCase("skatteverket:2", "Off-list", "skatteverket", cases.Received, 2, "https://evil.example/a/1"),
		testCase("csn:1", "No e-service", "csn", cases.Received, 3, "https://www.csn.se/"),
	)
	w := get(t, k, "/arendevy/api/overview?sort=date&order=asc", &tolvan)
	var ov struct{ Cases []overview.CaseView }
	require.NoError(t, json.Unmarshal(w.Body.Bytes(), &ov))
	require.Equal(t, "https://etjanst.skatteverket.se/a/1", ov.Cases[0].Link)
	require.Empty(t, ov.Cases[0].Info)
	require.Empty(t, ov.Cases[1].Link)
	require.Equal(t, "/arendevy/producers/skatteverket", ov.Cases[1].Info)
	require.Empty(t, ov.Cases[2].Link)
	require.Equal(t, "/arendevy/producers/csn", ov.Cases[2].Info)
	require.NotContains(t, w.Body.String(), "evil.example")
}

func TestNewNamesEveryConfigProblem(t *testing.T) {
	_, err := New(Config{Mount: "arendevy", Deadline: -1, InfoPath: "kontakt", Sources: []fanout.Member{{}, {Name: "x"}, {Name: "x"}}})
	var ce *ConfigError
	require.ErrorAs(t, err, &ce)
	for _, want := range []string{"Mount", "Deadline", "InfoPath", "Sources[0].Name", "Sources[0].Source", "Sources[0].Actor", "Sources[2].Name: x used twice"} {
		require.Contains(t, err.Error(), want)
	}
	_, err = New(Config{})
	require.ErrorContains(t, err, "at least one source")
	bad := listing.Query{Sort: "size", Scope: listing.All}
	_, err = New(Config{DefaultQuery: &bad, Sources: []fanout.Member{{Name: "x", Actor: cases.Actor{ID: "x", Name: "X"},
		Source: cases.SourceFunc(func(context.Context, identity.Subject) (cases.Result, error) { return cases.Result{}, nil })}}})
	require.ErrorContains(t, err, "DefaultQuery: sort")
}

func TestPreferencesApplyOnTheNextLoad(t *testing.T) {
	store, err := preferences.NewMemory([]byte(strings.Repeat("k", 32)))
	require.NoError(t, err)
	k, err := New(Config{
		Preferences: store,
		Sources: []fanout.Member{{Name: "demo", Actor: cases.Actor{ID: "demo", Name: "Demo"},
			Source: cases.SourceFunc(func(context.Context, identity.Subject) (cases.Result, error) {
				return cases.Result{Cases: []cases.Case{
					testCase("skatteverket:1", "B-ärende", "skatteverket", cases.Closed, 1, ""),
					testCase("csn:1", "A-ärende", "csn", cases.InProgress, 3, ""),
					testCase("vaxholm:1", "C-ärende", "vaxholm", cases.Received, 2, ""),
				}}, nil
			})}},
	})
	require.NoError(t, err)

	put := func(body string) *httptest.ResponseRecorder {
		r := httptest.NewRequest(http.MethodPut, "/arendevy/api/preferences", strings.NewReader(body))
		r = r.WithContext(identity.WithSubject(r.Context(), tolvan))
		w := httptest.NewRecorder()
		k.Handler().ServeHTTP(w, r)
		return w
	}
	w := put(`{"sort":"title","descending":false,"hiddenActors":["csn"],"showClosed":false,"notify":{"mode":"action_required"}}`)
	require.Equal(t, http.StatusOK, w.Code, w.Body.String())
	require.Equal(t, "no-store", w.Header().Get("Cache-Control"))

	var ov struct {
		Total  int
		Cases  []struct{ ID string }
		Hidden []cases.Actor
		Query  map[string]any
	}
	w = get(t, k, "/arendevy/api/overview", &tolvan)
	require.NoError(t, json.Unmarshal(w.Body.Bytes(), &ov))
	require.Equal(t, []cases.Actor{{ID: "csn", Name: "Csn"}}, ov.Hidden)
	require.Equal(t, 2, ov.Total, "hidden actors are not counted")
	require.Len(t, ov.Cases, 1, "closed cases hidden by preference")
	require.Equal(t, "vaxholm:1", ov.Cases[0].ID)
	require.Equal(t, "title", ov.Query["sort"])

	w = get(t, k, "/arendevy/api/overview?scope=all", &tolvan)
	require.NoError(t, json.Unmarshal(w.Body.Bytes(), &ov))
	require.Len(t, ov.Cases, 2, "the request's own parameters win")

	w = put(`{"sort":"size","hiddenActors":["<x>"]}`)
	require.Equal(t, http.StatusBadRequest, w.Code)
	require.Contains(t, w.Body.String(), `"invalid-params"`)
	require.Contains(t, w.Body.String(), `"sort"`)

	w = get(t, k, "/arendevy/api/preferences", nil)
	require.Equal(t, http.StatusUnauthorized, w.Code)
}

// TestAssetsSkipTheSessionButKeepTheHeaders: the element's files carry
// nothing personal and are cached for a year, so serving them never asks the
// session store (a Redis round trip per file in production), yet they keep
// the security headers. The API still goes through the session.
func TestAssetsSkipTheSessionButKeepTheHeaders(t *testing.T) {
	store := &countingStore{Store: session.NewMemory(session.MemoryConfig{})}
	sessions, err := session.NewManager(session.Config{Store: store, AllowPlainHTTP: true})
	require.NoError(t, err)
	k, err := New(Config{Sessions: sessions, Sources: []fanout.Member{{Name: "x", Actor: cases.Actor{ID: "x", Name: "X"},
		Source: cases.SourceFunc(func(context.Context, identity.Subject) (cases.Result, error) { return cases.Result{}, nil })}}})
	require.NoError(t, err)
	module, ok := k.Assets().Lookup(assets.Module)
	require.True(t, ok)

	login := httptest.NewRecorder()
	user := tolvan
	user.LoA = session.LoA3
	require.NoError(t, sessions.Login(login, httptest.NewRequest(http.MethodGet, "http://localhost/", nil), user, session.SAMLInfo{}))
	store.calls = 0
	serve := func(target string) *httptest.ResponseRecorder {
		r := httptest.NewRequest(http.MethodGet, "http://localhost"+target, nil)
		for _, c := range login.Result().Cookies() {
			r.AddCookie(c)
		}
		w := httptest.NewRecorder()
		k.Handler().ServeHTTP(w, r)
		return w
	}
	w := serve(module.URL)
	require.Equal(t, http.StatusOK, w.Code)
	require.Equal(t, "nosniff", w.Header().Get("X-Content-Type-Options"))
	require.NotEmpty(t, w.Header().Get("Content-Security-Policy"))
	require.Contains(t, w.Header().Get("Cache-Control"), "immutable")
	require.Zero(t, store.calls, "no session lookup for a public file")

	serve("/arendevy/api/overview")
	require.NotZero(t, store.calls, "the API does look the session up")
}

// countingStore counts how often the session store is asked.
type countingStore struct {
	session.Store
	calls int
}

func (s *countingStore) Load(ctx context.Context, id string) (session.Data, error) {
	s.calls++
	return s.Store.Load(ctx, id)
}

func (s *countingStore) Update(ctx context.Context, id string, fn func(*session.Data) (time.Duration, error)) error {
	s.calls++
	return s.Store.Update(ctx, id, fn)
}

// A problem's title and detail come from the catalogue in the language
// Accept-Language picks; its machine-readable members do not change with it.
func TestProblemsSpeakTheRequestsLanguage(t *testing.T) {
	k := newTestKit(t)
	tests := []struct {
		acceptLanguage, title, detail string
	}{
		{"", "Inloggning krävs", "Logga in med e-legitimation för att se dina ärenden."},
		{"en-GB,en;q=0.9", "Login required", "Log in with e-legitimation to see your cases."},
		{"de, sv;q=0.5", "Inloggning krävs", "Logga in med e-legitimation för att se dina ärenden."},
	}
	for _, tt := range tests {
		t.Run(tt.acceptLanguage, func(t *testing.T) {
			r := httptest.NewRequest(http.MethodGet, "/arendevy/api/overview", nil)
			r.Header.Set("Accept-Language", tt.acceptLanguage)
			w := httptest.NewRecorder()
			k.Handler().ServeHTTP(w, r)
			require.Equal(t, http.StatusUnauthorized, w.Code)
			var p map[string]any
			require.NoError(t, json.Unmarshal(w.Body.Bytes(), &p))
			require.Equal(t, map[string]any{"type": "about:blank", "status": float64(401), "title": tt.title, "detail": tt.detail}, p)
		})
	}
}
