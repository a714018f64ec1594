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

	"github.com/arendevy/arendevy/kit/cases"
	"github.com/arendevy/arendevy/kit/fanout"
	"github.com/arendevy/arendevy/kit/identity"
	"github.com/arendevy/arendevy/kit/preferences"
)

// whatsNewKit is a kit whose clock the test sets and whose one source gives
// whatever cases the test put in *cs at the time of the request.
func whatsNewKit(t *testing.T, now *time.Time, cs *[]cases.Case) (*Kit, *preferences.Memory) {
	t.Helper()
	store, err := preferences.NewMemory([]byte(strings.Repeat("k", 32)))
	require.NoError(t, err)
	k, err := New(Config{
		Preferences: store,
		Now:         func() time.Time { return *now },
		Sources: []fanout.Member{{Name: "demo", Actor: cases.Actor{ID: "demo", Name: "Demo"},
			Source: cases.SourceFunc(func(context.Context, identity.Subject) (cases.Result, error) {
				return cases.Result{Cases: *cs}, nil
			})}},
	})
	require.NoError(t, err)
	return k, store
}

type newAnswer struct {
	New   int
	Cases []struct {
		ID  string
		New bool
	}
}

func (a newAnswer) newIDs() []string {
	var out []string
	for _, c := range a.Cases {
		if c.New {
			out = append(out, c.ID)
		}
	}
	return out
}

func TestCasesAfterThePreviousVisitAreMarkedNew(t *testing.T) {
	now := time.Date(2026, 10, 5, 13, 0, 0, 0, time.UTC)
	cs := []cases.Case{testCase("skatteverket:1", "Deklaration", "skatteverket", cases.Received, 1, "")}
	k, store := whatsNewKit(t, &now, &cs)
	overviewAt := func() (newAnswer, string) {
		w := get(t, k, "/arendevy/api/overview", &tolvan)
		require.Equal(t, 200, w.Code, w.Body.String())
		var a newAnswer
		require.NoError(t, json.Unmarshal(w.Body.Bytes(), &a))
		return a, w.Body.String()
	}

	// The first visit ever: nothing is new, even a case dated today.
	cs = append(cs, testCase("csn:1", "Studiemedel", "csn", cases.InProgress, 5, ""))
	a, body := overviewAt()
	require.Zero(t, a.New)
	require.Empty(t, a.newIDs())
	require.NotContains(t, body, `"new":true`)

	// The next day two cases have come; the page and then the element ask
	// seconds apart, and a re-sort a few minutes later: all see the same two.
	now = time.Date(2026, 10, 6, 18, 0, 0, 0, time.UTC)
	cs = append(cs,
		testCase("csn:2", "Återkrav", "csn", cases.ActionRequired, 6, ""),
		testCase("skatteverket:2", "Beslut", "skatteverket", cases.Closed, 6, ""))
	for _, d := range []time.Duration{0, 3 * time.Second, 7 * time.Minute} {
		now = now.Add(d)
		a, body = overviewAt()
		require.Equal(t, 2, a.New, "after %v", d)
		require.ElementsMatch(t, []string{"csn:2", "skatteverket:2"}, a.newIDs())
		require.Equal(t, 2, strings.Count(body, `"new":true`), "only new cases carry the member")
	}

	// The store holds the two instants and nothing of a case.
	p, err := store.Get(context.Background(), tolvan.Customer())
	require.NoError(t, err)
	require.Equal(t, time.Date(2026, 10, 5, 13, 0, 0, 0, time.UTC), p.PreviousVisit)
	raw, err := json.Marshal(p)
	require.NoError(t, err)
	for _, c := range cs {
		require.NotContains(t, string(raw), c.ID)
		require.NotContains(t, string(raw), c.Title)
		require.NotContains(t, string(raw), c.Date.Format(time.RFC3339))
	}

	// Saving the settings, even with other instants in the body, does not
	// move the visit: the same two stay new.
	r := httptest.NewRequest(http.MethodPut, "/arendevy/api/preferences",
		strings.NewReader(`{"sort":"title","lastVisit":"2020-01-01T00:00:00Z"}`))
	w := httptest.NewRecorder()
	k.Handler().ServeHTTP(w, r.WithContext(identity.WithSubject(r.Context(), tolvan)))
	require.Equal(t, http.StatusOK, w.Code, w.Body.String())
	now = now.Add(time.Minute)
	a, _ = overviewAt()
	require.Equal(t, 2, a.New)

	// The next visit, with nothing come since, marks nothing.
	now = now.Add(48 * time.Hour)
	a, _ = overviewAt()
	require.Zero(t, a.New)
}

// TestOnlyNewAndNewFirstThroughTheAPI: new=only and sort=new are listing
// parameters like the others; what "new" means comes from the customer's
// previous visit, never from the address.
func TestOnlyNewAndNewFirstThroughTheAPI(t *testing.T) {
	now := time.Date(2026, 10, 5, 13, 0, 0, 0, time.UTC)
	cs := []cases.Case{testCase("skatteverket:1", "Deklaration", "skatteverket", cases.Received, 1, "")}
	k, _ := whatsNewKit(t, &now, &cs)
	ids := func(query string) ([]string, string) {
		w := get(t, k, "/arendevy/api/overview"+query, &tolvan)
		require.Equal(t, 200, w.Code, w.Body.String())
		var a newAnswer
		require.NoError(t, json.Unmarshal(w.Body.Bytes(), &a))
		out := []string{}
		for _, c := range a.Cases {
			out = append(out, c.ID)
		}
		return out, w.Body.String()
	}
	ids("") // the first visit ever
	now = time.Date(2026, 10, 6, 18, 0, 0, 0, time.UTC)
	cs = append(cs,
		testCase("csn:1", "Återkrav", "csn", cases.ActionRequired, 4, ""),
		testCase("csn:2", "Studiemedel", "csn", cases.InProgress, 6, ""),
		testCase("skatteverket:2", "Beslut", "skatteverket", cases.Closed, 7, ""))

	got, body := ids("?new=only")
	require.Equal(t, []string{"skatteverket:2", "csn:2"}, got)
	require.Contains(t, body, `"new":"only"`, "the query in effect says so")
	got, _ = ids("?sort=new")
	require.Equal(t, []string{"skatteverket:2", "csn:2", "csn:1", "skatteverket:1"}, got, "the new first, then the rest newest first")
	got, _ = ids("?sort=date")
	require.Equal(t, "csn:1", got[0], "by date, the case waiting for the customer leads")
	got, _ = ids("?new=all&sort=new&order=asc")
	require.Equal(t, []string{"csn:1", "skatteverket:1", "skatteverket:2", "csn:2"}, got, "ascending: the new last")

	w := get(t, k, "/arendevy/api/overview?new=yes", &tolvan)
	require.Equal(t, http.StatusBadRequest, w.Code)
	require.Contains(t, w.Body.String(), `"name":"new"`)
}
