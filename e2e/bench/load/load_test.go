package load

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

func ms(n int) time.Duration { return time.Duration(n) * time.Millisecond }

func series(n int) []time.Duration {
	out := make([]time.Duration, n)
	for i := range out {
		out[i] = ms(i + 1)
	}
	return out
}

func TestPercentile(t *testing.T) {
	for _, tc := range []struct {
		name    string
		samples []time.Duration
		p       float64
		want    time.Duration
	}{
		{"none", nil, 99, 0},
		{"one sample is every percentile", []time.Duration{ms(7)}, 1, ms(7)},
		{"median of 100", series(100), 50, ms(50)},
		{"p95 of 100", series(100), 95, ms(95)},
		{"p99 of 100", series(100), 99, ms(99)},
		{"p100 is the maximum", series(100), 100, ms(100)},
		{"p99 of 10 is the slowest", series(10), 99, ms(10)},
		{"p50 of 10", series(10), 50, ms(5)},
		{"p95 of 1000", series(1000), 95, ms(950)},
		{"p99 of 1000", series(1000), 99, ms(990)},
		{"rounds the rank up", series(3), 50, ms(2)},
	} {
		t.Run(tc.name, func(t *testing.T) {
			require.Equal(t, tc.want, Percentile(tc.samples, tc.p))
		})
	}
}

func TestSummariseSortsAndSummarises(t *testing.T) {
	samples := series(100)
	// Shuffled input must give the same answer as sorted input.
	for i := range samples {
		j := (i * 37) % len(samples)
		samples[i], samples[j] = samples[j], samples[i]
	}
	got := Summarise(samples)
	require.Equal(t, Latency{Min: ms(1), Mean: 50500 * time.Microsecond, P50: ms(50), P95: ms(95), P99: ms(99), Max: ms(100)}, got)
	require.Equal(t, Latency{}, Summarise(nil))
}

func TestRunCountsEveryRequest(t *testing.T) {
	var served atomic.Int64
	var withCookie atomic.Int64
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		served.Add(1)
		if c, err := r.Cookie("arendevy"); err == nil && c.Value == "s3cret" {
			withCookie.Add(1)
		}
		_, _ = w.Write([]byte(`{"ok":true}`))
	}))
	defer srv.Close()

	res, err := Run(context.Background(), Config{
		URL: srv.URL + "/arendevy/api/overview", Clients: 4, Duration: 300 * time.Millisecond,
		Header: http.Header{"Cookie": {"arendevy=s3cret"}},
	})
	require.NoError(t, err)
	require.Positive(t, res.Requests)
	require.EqualValues(t, served.Load(), res.Requests, "every request the server saw is counted once")
	require.EqualValues(t, res.Requests, withCookie.Load(), "every request carries the header")
	require.Zero(t, res.Failures)
	require.Equal(t, 4, res.Clients)
	require.Positive(t, res.PerSecond)
	require.InDelta(t, float64(res.Requests)/res.Elapsed.Seconds(), res.PerSecond, 1e-9)
	l := res.Latency
	require.True(t, l.Min > 0 && l.Min <= l.P50 && l.P50 <= l.P95 && l.P95 <= l.P99 && l.P99 <= l.Max, "%+v", l)
}

func TestRunCountsFailures(t *testing.T) {
	var served, refused atomic.Int64
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if served.Add(1)%3 == 0 {
			refused.Add(1)
			http.Error(w, "no", http.StatusInternalServerError)
			return
		}
		_, _ = w.Write([]byte("fine"))
	}))
	defer srv.Close()

	for _, tc := range []struct {
		name  string
		check func(int, []byte) error
	}{
		{"status other than 200 fails by default", nil},
		{"Check decides", func(status int, body []byte) error {
			if status != http.StatusOK || string(body) != "fine" {
				return errors.New("not fine")
			}
			return nil
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			served.Store(0)
			refused.Store(0)
			res, err := Run(context.Background(), Config{URL: srv.URL, Clients: 3, Duration: 200 * time.Millisecond, Check: tc.check})
			require.NoError(t, err)
			require.EqualValues(t, served.Load(), res.Requests)
			require.EqualValues(t, refused.Load(), res.Failures)
			require.Positive(t, res.Failures)
			require.NotEmpty(t, res.FailureSamples)
			require.LessOrEqual(t, len(res.FailureSamples), keptFailures)
		})
	}
}

// TestRunReadsEveryKindOfAnswer holds the generator's own HTTP/1.1 reading
// to what servers send: a body with its length, a chunked one, a
// connection the server closes after each answer, and one it drops in the
// middle of an answer, which is a failure, after which the client connects
// again.
func TestRunReadsEveryKindOfAnswer(t *testing.T) {
	big := strings.Repeat("ärende ", 20000) // 160 kB: many reads
	var n atomic.Int64
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/length":
			w.Header().Set("Content-Length", strconv.Itoa(len(big)))
			_, _ = io.WriteString(w, big)
		case "/chunked":
			for i := 0; i < len(big); i += 7000 {
				_, _ = io.WriteString(w, big[i:min(i+7000, len(big))])
				w.(http.Flusher).Flush()
			}
		case "/close":
			w.Header().Set("Connection", "close")
			_, _ = io.WriteString(w, big)
		case "/drop":
			if n.Add(1)%2 == 0 {
				w.Header().Set("Content-Length", strconv.Itoa(len(big)))
				_, _ = io.WriteString(w, big[:100])
				panic(http.ErrAbortHandler) // the connection goes mid-answer
			}
			_, _ = io.WriteString(w, big)
		}
	}))
	srv.Config.ErrorLog = log.New(io.Discard, "", 0)
	defer srv.Close()
	whole := func(status int, body []byte) error {
		if status != http.StatusOK || string(body) != big {
			return fmt.Errorf("status %d, %d bytes", status, len(body))
		}
		return nil
	}
	for _, path := range []string{"/length", "/chunked", "/close"} {
		res, err := Run(context.Background(), Config{URL: srv.URL + path, Clients: 2, Duration: 150 * time.Millisecond, Check: whole})
		require.NoError(t, err, path)
		require.Positive(t, res.Requests, path)
		require.Zero(t, res.Failures, "%s: %v", path, res.FailureSamples)
	}
	res, err := Run(context.Background(), Config{URL: srv.URL + "/drop", Clients: 1, Duration: 150 * time.Millisecond, Check: whole})
	require.NoError(t, err)
	require.Positive(t, res.Failures, "an answer cut short is a failure")
	require.Greater(t, res.Requests-res.Failures, res.Failures-1, "and the next request, on a new connection, succeeds")
}

func TestRampStartsClientsInTurn(t *testing.T) {
	var inFlight, most atomic.Int64
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		n := inFlight.Add(1)
		defer inFlight.Add(-1)
		for {
			m := most.Load()
			if n <= m || most.CompareAndSwap(m, n) {
				break
			}
		}
		time.Sleep(time.Millisecond)
	}))
	defer srv.Close()
	// With a ramp far longer than the run only the first client gets a turn,
	// and the run still ends when its duration does.
	res, err := Run(context.Background(), Config{URL: srv.URL, Clients: 5, Duration: 200 * time.Millisecond, Ramp: 20 * time.Minute})
	require.NoError(t, err)
	require.Positive(t, res.Requests)
	require.EqualValues(t, 1, most.Load(), "one client at a time")
	require.Equal(t, 5, res.Clients)

	_, err = Run(context.Background(), Config{URL: srv.URL, Clients: 1, Duration: time.Second, Ramp: -time.Second})
	require.ErrorIs(t, err, ErrConfig)
}

func TestRunStopsWithItsContext(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-r.Context().Done():
		case <-time.After(20 * time.Millisecond):
		}
	}))
	defer srv.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 150*time.Millisecond)
	defer cancel()
	res, err := Run(ctx, Config{URL: srv.URL, Clients: 2, Duration: time.Minute})
	require.ErrorIs(t, err, context.DeadlineExceeded)
	require.Zero(t, res.Failures, "requests cut short by the caller are not the target's failures")
	require.Less(t, res.Elapsed, 30*time.Second)
}

func TestRunRefusesWhatItMustNotDo(t *testing.T) {
	for _, tc := range []struct {
		name string
		cfg  Config
		want error
	}{
		{"public host", Config{URL: "http://example.com/", Clients: 1, Duration: time.Second}, ErrNotLoopback},
		{"private address", Config{URL: "http://10.0.0.1:8080/", Clients: 1, Duration: time.Second}, ErrNotLoopback},
		{"name that merely starts like localhost", Config{URL: "http://localhost.example.com/", Clients: 1, Duration: time.Second}, ErrNotLoopback},
		{"no clients", Config{URL: "http://127.0.0.1:1/", Clients: 0, Duration: time.Second}, ErrConfig},
		{"too many clients", Config{URL: "http://127.0.0.1:1/", Clients: MaxClients + 1, Duration: time.Second}, ErrConfig},
		{"endless", Config{URL: "http://127.0.0.1:1/", Clients: 1, Duration: MaxDuration + time.Second}, ErrConfig},
		{"no duration", Config{URL: "http://127.0.0.1:1/", Clients: 1}, ErrConfig},
		{"not http", Config{URL: "ftp://127.0.0.1/", Clients: 1, Duration: time.Second}, ErrConfig},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Run(context.Background(), tc.cfg)
			require.ErrorIs(t, err, tc.want)
		})
	}
}

func TestIsLoopbackHost(t *testing.T) {
	for host, want := range map[string]bool{
		"localhost": true, "LOCALHOST": true, "127.0.0.1": true, "127.9.9.9": true, "::1": true, "[::1]": true,
		"10.0.0.1": false, "192.168.1.1": false, "example.com": false, "": false, "0.0.0.0": false,
	} {
		require.Equal(t, want, IsLoopbackHost(host), host)
	}
}

func TestTransportRefusesToDialElsewhere(t *testing.T) {
	// The dialer's guard runs before connecting, so nothing leaves the machine.
	tr := NewTransport(1)
	defer tr.CloseIdleConnections()
	_, err := tr.DialContext(context.Background(), "tcp", "0.0.0.0:9")
	require.ErrorIs(t, err, ErrNotLoopback)
	require.True(t, strings.Contains(err.Error(), "0.0.0.0:9"), err.Error())
}
