package kit

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/arendevy/arendevy/kit/cases"
	"github.com/arendevy/arendevy/kit/fanout"
	"github.com/arendevy/arendevy/kit/identity"
	"github.com/arendevy/arendevy/kit/postgres"
	"github.com/arendevy/arendevy/kit/postgres/postgrestest"
)

// TestPreferencesInPostgres runs the kit on a real PostgreSQL server: a
// customer saves settings, which apply to the overview; what the database
// then holds names no one and nothing of their cases; and when the
// database goes down the overview is still shown, with the defaults and a
// notice, while saving answers 503.
func TestPreferencesInPostgres(t *testing.T) {
	db, err := postgrestest.Start()
	require.NoError(t, err)
	t.Cleanup(db.Stop)
	store, err := postgres.Open(context.Background(), db.DSN(), []byte(strings.Repeat("k", 32)))
	require.NoError(t, err)
	t.Cleanup(store.Close)

	secretCase := testCase("skatteverket:1", "Deklaration 2025 Tolvansson", "skatteverket", cases.InProgress, 1, "")
	secretCase.CaseNumber = "DNR 131-998877-25"
	k, err := New(Config{
		Preferences: store,
		Sources: []fanout.Member{{Name: "demo", Actor: cases.Actor{ID: "demo", Name: "Demo"},
			Source: cases.SourceFunc(func(context.Context, identity.Subject) (cases.Result, error) {
				return cases.Result{Cases: []cases.Case{secretCase, testCase("csn:1", "Studiemedel", "csn", cases.Received, 3, "")}}, nil
			})}},
	})
	require.NoError(t, err)
	put := func(lang, body string) *httptest.ResponseRecorder {
		r := httptest.NewRequest(http.MethodPut, "/arendevy/api/preferences", strings.NewReader(body))
		r.Header.Set("Accept-Language", lang)
		r = r.WithContext(identity.WithSubject(r.Context(), tolvan))
		w := httptest.NewRecorder()
		k.Handler().ServeHTTP(w, r)
		return w
	}
	type shown struct {
		Cases                  []struct{ ID string }
		PreferencesUnavailable bool
	}
	load := func() shown {
		w := get(t, k, "/arendevy/api/overview", &tolvan)
		require.Equal(t, http.StatusOK, w.Code)
		var ov shown
		require.NoError(t, json.Unmarshal(w.Body.Bytes(), &ov))
		return ov
	}

	w := put("sv", `{"sort":"title","hiddenActors":["csn"]}`)
	require.Equal(t, http.StatusOK, w.Code, w.Body.String())
	ov := load()
	require.Len(t, ov.Cases, 1, "csn hidden by the saved preference")
	require.False(t, ov.PreferencesUnavailable)

	// Everything in the database, as someone who got hold of it would read it.
	dump, err := db.Dump(context.Background(), "", "preferences", "schema_migrations")
	require.NoError(t, err)
	require.Len(t, dump, 2)
	all := strings.Join(dump, "\n")
	for _, leak := range []string{tolvan.User.Number, "121212", "Tolvansson", "Tolvan", secretCase.Title, "Deklaration", secretCase.CaseNumber, "998877"} {
		require.NotContains(t, all, leak)
	}

	// The database goes down.
	require.NoError(t, db.Pause())
	ov = load()
	require.Len(t, ov.Cases, 2, "the defaults: nothing hidden")
	require.True(t, ov.PreferencesUnavailable, "and the overview says so")
	for lang, notice := range map[string]string{"sv": "Dina sparade inställningar kunde inte läsas", "en": "Your saved settings could not be read"} {
		q, p, err := k.Query(context.Background(), tolvan, url.Values{})
		require.NoError(t, err)
		var page bytes.Buffer
		require.NoError(t, k.Render(context.Background(), &page, tolvan, q, p, lang))
		require.Contains(t, page.String(), notice, "the page without JavaScript too")

		w = put(lang, `{"sort":"date"}`)
		require.Equal(t, http.StatusServiceUnavailable, w.Code)
		require.Equal(t, "application/problem+json", w.Header().Get("Content-Type"))
		require.Contains(t, w.Body.String(), map[string]string{"sv": "Inställningarna sparades inte", "en": "Settings not saved"}[lang])
	}

	require.NoError(t, db.Resume())
	ov = load()
	require.Len(t, ov.Cases, 1, "back by itself with the database")
	require.False(t, ov.PreferencesUnavailable)
}
