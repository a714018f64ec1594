package hub

import (
	"context"
	"fmt"
	"net/http"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/arendevy/arendevy/kit/cases"
	"github.com/arendevy/arendevy/kit/fanout"
	"github.com/arendevy/arendevy/kit/internal/hostiletest"
)

func TestOverviewRefusesRedirects(t *testing.T) {
	target := hostiletest.NewTarget(t, http.StatusOK, "application/json", answer(twoProducers, hubCase("1", "skatteverket", nil)))
	for _, status := range hostiletest.RedirectStatuses {
		for _, location := range []string{"/v1/elsewhere", target.URL + "/v1/overview"} {
			t.Run(fmt.Sprintf("%d to %s", status, location), func(t *testing.T) {
				var overviews, elsewhere atomic.Int64
				h := newTestHub(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
					if r.URL.Path == "/v1/elsewhere" {
						elsewhere.Add(1)
						return
					}
					overviews.Add(1)
					w.Header().Set("Location", location)
					w.WriteHeader(status)
				}))
				c := h.newClient(t, nil)
				before := target.Requests()

				res, err := c.Overview(context.Background(), self)
				require.Empty(t, res.Cases)
				var se *StatusError
				require.ErrorAs(t, err, &se)
				require.Equal(t, status, se.Code)
				require.Contains(t, err.Error(), "redirects are not followed")
				require.Equal(t, cases.Failed, cases.FailedOutcome("hub", hubActor, err).State)
				require.Equal(t, int64(1), overviews.Load())
				require.Zero(t, elsewhere.Load(), "no request to where the redirect points")
				require.Equal(t, before, target.Requests(), "no request to where the redirect points")
			})
		}
	}
}

// Configured headers go with the request, and so does the fan-out's
// correlation id, so that the portal's log line (under the support code)
// and the hub's name the same request.
func TestConfiguredHeadersAndTheCorrelationIDAreSent(t *testing.T) {
	got := make(chan http.Header, 1)
	h := newTestHub(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		got <- r.Header.Clone()
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write([]byte(answer(twoProducers)))
	}))
	c := h.newClient(t, func(c *Config) { c.Headers = map[string]string{"client_id": "vaxholm", "X-Api-Key": "s3cr3t"} })
	_, err := c.Overview(cases.WithCorrelationID(context.Background(), "c00b9963-8a9e-4474-bbac-113baa10ebc2"), self)
	require.NoError(t, err)
	header := <-got
	require.Equal(t, "c00b9963-8a9e-4474-bbac-113baa10ebc2", header.Get("X-Correlation-ID"))
	require.Equal(t, "vaxholm", header.Get("client_id"))
	require.Equal(t, "s3cr3t", header.Get("X-Api-Key"))
	require.Equal(t, "application/json", header.Get("Content-Type"))
}

func TestNewRefusesHeadersTheProtocolSets(t *testing.T) {
	h := newTestHub(t, http.NotFoundHandler())
	cfg := h.config()
	cfg.Headers = map[string]string{"content-type": "text/plain", "Host": "evil.example", "X-Api-Key": "bad\r\nvalue", "a b": "x"}
	_, err := New(cfg)
	var ce *ConfigError
	require.ErrorAs(t, err, &ce)
	require.Equal(t, []string{
		"Headers: Host is set by the client",
		"Headers: the value of X-Api-Key is not a valid header value",
		`Headers: "a b" is not a valid header name`,
		"Headers: content-type is set by the client",
	}, ce.Problems)
	require.NotContains(t, err.Error(), "bad\r\nvalue")
}

// A hub that swallows packets costs each overview its deadline and nothing
// after it: no goroutine and no socket outlives the overviews.
func TestBlackHoleLeavesNothingBehind(t *testing.T) {
	const deadline = 300 * time.Millisecond
	tlsConfig := newTestHub(t, http.NotFoundHandler()).config().TLS
	hostiletest.BlackHoleOverviews(t, deadline, self, func(name, addr string) fanout.Member {
		c, err := New(Config{URL: "https://" + addr, TLS: tlsConfig, Timeout: deadline, Name: name, Actor: hubActor})
		require.NoError(t, err)
		return c.Member()
	})
}
