package faults

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/arendevy/arendevy/e2e/bench/load"
	"github.com/arendevy/arendevy/e2e/bench/server"
	"github.com/arendevy/arendevy/kit/cases"
)

// TestOverviewHoldsUpUnderFaults runs the harness briefly: every answer must show every healthy producer's cases and
// report every failing producer, and the tally must have counted each.
func TestOverviewHoldsUpUnderFaults(t *testing.T) {
	standard := Standard().Producers
	for _, tc := range []struct {
		name string
		plan Plan
		slow cases.State // what the slow producer must come out as
	}{
		// The deadlines are generous for what the healthy producers do, mutual
		// TLS handshakes on a busy machine included: this checks what the
		// answers hold, not how fast they come.
		{"the slow producer answers in time", Plan{Deadline: 2 * time.Second, Slow: 100 * time.Millisecond, Producers: standard, CasesEach: 3}, cases.OK},
		{"the slow producer is too late", Plan{Deadline: 1500 * time.Millisecond, Slow: 2500 * time.Millisecond, Producers: standard, CasesEach: 3}, cases.Timeout},
	} {
		t.Run(tc.name, func(t *testing.T) {
			farm, err := Start(tc.plan, time.Now())
			require.NoError(t, err)
			defer farm.Close()
			e := farm.Expectation()
			foretold, err := tc.plan.Expectation()
			require.NoError(t, err)
			require.Equal(t, e, foretold, "a load generator in another process knows what to expect from the plan alone")
			failing := map[cases.State]int{}
			for _, st := range e.Failing {
				failing[st]++
			}
			want := map[cases.State]int{cases.Timeout: 2, cases.Failed: 1, cases.Invalid: 1}
			healthy := 6
			if tc.slow == cases.Timeout {
				want[cases.Timeout], healthy = 3, 5
			}
			require.Equal(t, want, failing)
			require.Len(t, e.Healthy, healthy)

			srv, err := server.New(server.Config{Sources: farm.Members(), Producers: farm.Directory(), Deadline: tc.plan.Deadline})
			require.NoError(t, err)
			hs := httptest.NewServer(srv.Handler())
			defer hs.Close()
			cookie, err := srv.Login(time.Now())
			require.NoError(t, err)

			tally := NewTally(e)
			res, err := load.Run(context.Background(), load.Config{
				URL: hs.URL + server.OverviewPath, Clients: 4, Duration: 500 * time.Millisecond,
				Header: http.Header{"Cookie": {cookie.String()}}, Check: tally.Check,
			})
			require.NoError(t, err)
			require.Zero(t, res.Failures, "%v", res.FailureSamples)
			c := tally.Counts()
			require.Positive(t, c.Responses)
			require.EqualValues(t, res.Requests, c.Responses, "every answer was checked")
			require.Equal(t, c.Responses, c.HealthyShown)
			require.Equal(t, c.Responses, c.FailuresReported)
		})
	}
}

func TestStartRefusesPlansItCannotForetell(t *testing.T) {
	for _, tc := range []struct {
		name string
		plan Plan
	}{
		{"slow producer on the deadline", Plan{Deadline: time.Second, Slow: time.Second, Producers: []Behaviour{Slow}, CasesEach: 1}},
		{"unknown behaviour", Plan{Deadline: time.Second, Producers: []Behaviour{"flaky"}, CasesEach: 1}},
		{"no producers", Plan{Deadline: time.Second, CasesEach: 1}},
		{"no deadline", Plan{Producers: []Behaviour{Healthy}, CasesEach: 1}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Start(tc.plan, time.Now())
			require.ErrorIs(t, err, ErrPlan)
			_, err = tc.plan.Expectation()
			require.ErrorIs(t, err, ErrPlan)
		})
	}
}

func answer(t *testing.T, v any) []byte {
	t.Helper()
	b, err := json.Marshal(v)
	require.NoError(t, err)
	return b
}

type source struct {
	Producer cases.Actor `json:"producer"`
	State    cases.State `json:"state"`
}

type shown struct {
	Sender cases.Actor `json:"sender"`
}

func TestCompareFindsWhatIsWrong(t *testing.T) {
	e := Expectation{Healthy: map[string]int{"a": 2, "b": 1}, Failing: map[string]cases.State{"x": cases.Timeout, "y": cases.Failed}}
	a, b, x, y := cases.Actor{ID: "a"}, cases.Actor{ID: "b"}, cases.Actor{ID: "x"}, cases.Actor{ID: "y"}
	good := []source{{a, cases.OK}, {b, cases.OK}, {x, cases.Timeout}, {y, cases.Failed}}
	for _, tc := range []struct {
		name             string
		status           int
		body             []byte
		want             Comparison
		healthy, reports bool
	}{
		{"all there", 200, answer(t, map[string]any{"cases": []shown{{a}, {a}, {b}}, "sources": good}),
			Comparison{}, true, true},
		{"a case of a missing", 200, answer(t, map[string]any{"cases": []shown{{a}, {b}}, "sources": good}),
			Comparison{Missing: []string{"a"}}, false, true},
		{"healthy producer reported failed", 200, answer(t, map[string]any{"cases": []shown{{a}, {a}, {b}},
			"sources": []source{{a, cases.OK}, {b, cases.Invalid}, {x, cases.Timeout}, {y, cases.Failed}}}),
			Comparison{Missing: []string{"b"}}, false, true},
		{"failure not reported", 200, answer(t, map[string]any{"cases": []shown{{a}, {a}, {b}}, "sources": good[:3]}),
			Comparison{Unreported: []string{"y"}}, true, false},
		{"failure reported in the wrong state", 200, answer(t, map[string]any{"cases": []shown{{a}, {a}, {b}},
			"sources": []source{{a, cases.OK}, {b, cases.OK}, {x, cases.Failed}, {y, cases.Failed}}}),
			Comparison{Unreported: []string{"x"}}, true, false},
		{"cases of a failed producer", 200, answer(t, map[string]any{"cases": []shown{{a}, {a}, {b}, {x}}, "sources": good}),
			Comparison{Unexpected: []string{"x"}}, true, true},
		{"error status", 503, []byte(`{}`), Comparison{Unreadable: "status 503"}, false, false},
		{"not UTF-8", 200, []byte("{\"cases\":[\xff]}"), Comparison{Unreadable: "not valid UTF-8"}, false, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got := e.Compare(tc.status, tc.body)
			require.Equal(t, tc.want, got)
			require.Equal(t, tc.healthy, got.HealthyShown())
			require.Equal(t, tc.reports, got.FailuresReported())
			if tc.want.Unreadable == "" && tc.want.Missing == nil && tc.want.Unreported == nil && tc.want.Unexpected == nil {
				require.NoError(t, got.Err())
			} else {
				require.Error(t, got.Err())
			}
		})
	}
	require.Contains(t, e.Compare(200, []byte("<html>")).Unreadable, "not an overview")
}

func TestTallyCountsEachAnswer(t *testing.T) {
	e := Expectation{Healthy: map[string]int{"a": 1}, Failing: map[string]cases.State{"x": cases.Timeout}}
	tally := NewTally(e)
	good := answer(t, map[string]any{"cases": []shown{{cases.Actor{ID: "a"}}},
		"sources": []source{{cases.Actor{ID: "a"}, cases.OK}, {cases.Actor{ID: "x"}, cases.Timeout}}})
	require.NoError(t, tally.Check(200, good))
	require.NoError(t, tally.Check(200, good))
	require.Error(t, tally.Check(200, answer(t, map[string]any{"cases": []shown{}, "sources": []source{{cases.Actor{ID: "x"}, cases.Timeout}}})))
	require.Error(t, tally.Check(500, nil))
	require.Equal(t, Counts{Responses: 4, HealthyShown: 2, FailuresReported: 3}, tally.Counts())
}

func FuzzCompare(f *testing.F) {
	f.Add(200, []byte(`{"cases":[{"sender":{"id":"a"}}],"sources":[{"producer":{"id":"a"},"state":"ok"},{"producer":{"id":"x"},"state":"timeout"}]}`))
	f.Add(200, []byte(`{"cases":null,"sources":[{}]}`))
	f.Add(503, []byte(`{"title":"Overview unavailable"}`))
	e := Expectation{Healthy: map[string]int{"a": 1}, Failing: map[string]cases.State{"x": cases.Timeout}}
	f.Fuzz(func(t *testing.T, status int, body []byte) {
		c := e.Compare(status, body)
		clean := c.Unreadable == "" && len(c.Missing) == 0 && len(c.Unreported) == 0 && len(c.Unexpected) == 0
		require.Equal(t, clean, c.Err() == nil)
		if c.HealthyShown() || c.FailuresReported() {
			require.Equal(t, 200, status, "only a 200 can show anything")
		}
	})
}
