package minaarenden

import (
	"cmp"
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/arendevy/arendevy/kit/cases"
	"github.com/arendevy/arendevy/kit/fanout"
	"github.com/arendevy/arendevy/kit/internal/hostiletest"
)

// redirecting is a forwarding service that answers every query with
// status, pointing to location; "" points to a path of its own, where it
// answers what would pass for the user's cases. It counts both.
type redirecting struct {
	status             int
	location           string
	queries, elsewhere atomic.Int64
}

func (f *redirecting) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.URL.Path != "/elsewhere" {
		f.queries.Add(1)
		w.Header().Set("Location", cmp.Or(f.location, "/elsewhere"))
		w.WriteHeader(f.status)
		return
	}
	f.elsewhere.Add(1)
	w.Header().Set("Content-Type", "application/json")
	_, _ = w.Write(envelope(customer, 1, []string{event(nil)}, ""))
}

func TestOverviewRefusesRedirects(t *testing.T) {
	target := hostiletest.NewTarget(t, http.StatusOK, "application/json", string(envelope(customer, 1, []string{event(nil)}, "")))
	for _, status := range hostiletest.RedirectStatuses {
		for _, location := range []string{"", target.URL} {
			for _, handedIn := range []bool{false, true} {
				t.Run(fmt.Sprintf("%d to %q, client handed in %v", status, location, handedIn), func(t *testing.T) {
					f := &redirecting{status: status, location: location}
					srv := httptest.NewServer(f)
					t.Cleanup(srv.Close)
					cfg := Config{URL: srv.URL + "/vf", Headers: map[string]string{"client_secret": "s3cr3t"}}
					if handedIn {
						cfg.HTTPClient = &http.Client{} // follows redirects, as Go's clients do unless told
					}
					c, err := New(cfg)
					require.NoError(t, err)
					before := target.Requests()

					r, err := c.Overview(context.Background(), self)
					require.Empty(t, r.Cases)
					var se *ServiceError
					require.ErrorAs(t, err, &se)
					require.Equal(t, status, se.StatusCode)
					require.Contains(t, err.Error(), "redirects are not followed")
					o := cases.FailedOutcome("mina-arenden", Service, err)
					require.Equal(t, cases.Failed, o.State)
					require.NotContains(t, o.Message, customer)
					// The query, and perhaps the question about older events
					// asked alongside; each refused at its redirect.
					require.Contains(t, []int64{1, 2}, f.queries.Load())
					require.Zero(t, f.elsewhere.Load(), "no request to where the redirect points")
					require.Equal(t, before, target.Requests(), "no request to where the redirect points")
				})
			}
		}
	}
}

// A source that swallows packets costs each overview its deadline and
// nothing after it: no goroutine and no socket outlives the overviews.
func TestBlackHoleLeavesNothingBehind(t *testing.T) {
	const deadline = 300 * time.Millisecond
	hostiletest.BlackHoleOverviews(t, deadline, self, func(name, addr string) fanout.Member {
		c, err := New(Config{URL: "https://" + addr + "/vf", Timeout: deadline})
		require.NoError(t, err)
		return fanout.Member{Name: name, Actor: Service, Source: c}
	})
}
