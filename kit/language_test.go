package kit

import (
	"bytes"
	"context"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/arendevy/arendevy/kit/cases"
	"github.com/arendevy/arendevy/kit/fanout"
	"github.com/arendevy/arendevy/kit/identity"
	"github.com/arendevy/arendevy/kit/listing"
	"github.com/arendevy/arendevy/kit/preferences"
)

// The language the overview is shown in reaches the sources through the
// fan-out, so that Mina ärenden can send it as Accept-Language.
func TestSourcesLearnTheLanguageOfThePage(t *testing.T) {
	var mu sync.Mutex
	var asked []string
	k, err := New(Config{Sources: []fanout.Member{{Name: "demo", Actor: cases.Actor{ID: "demo", Name: "Demo"},
		Source: cases.SourceFunc(func(ctx context.Context, _ identity.Subject) (cases.Result, error) {
			mu.Lock()
			defer mu.Unlock()
			asked = append(asked, cases.LanguageOf(ctx))
			return cases.Result{}, nil
		})}}})
	require.NoError(t, err)

	for _, accept := range []string{"en-GB,en;q=0.9", "sv", "de"} {
		r := httptest.NewRequest(http.MethodGet, "/arendevy/api/overview", nil)
		r.Header.Set("Accept-Language", accept)
		r = r.WithContext(identity.WithSubject(r.Context(), tolvan))
		w := httptest.NewRecorder()
		k.Handler().ServeHTTP(w, r)
		require.Equal(t, http.StatusOK, w.Code)
	}
	var page bytes.Buffer
	require.NoError(t, k.Render(context.Background(), &page, tolvan, listing.Query{}, preferences.Default(), "en"))
	require.Equal(t, []string{"en", "sv", "sv", "en"}, asked, "the catalogue's language the page is shown in; sv when it has none asked for")
}
