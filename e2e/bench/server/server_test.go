package server

import (
	"bufio"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/arendevy/arendevy/e2e/bench/memstat"
	"github.com/arendevy/arendevy/e2e/bench/synth"
)

func newServer(t *testing.T, n int) *Server {
	t.Helper()
	ps, err := synth.Producers(n, 10, time.Now())
	require.NoError(t, err)
	dir, err := synth.Directory(ps)
	require.NoError(t, err)
	s, err := New(Config{Sources: synth.Members(ps), Producers: dir})
	require.NoError(t, err)
	return s
}

type overview struct {
	Total int `json:"total"`
	Cases []struct {
		Link string `json:"link"`
	} `json:"cases"`
}

func TestTheSessionCookieOpensTheOverview(t *testing.T) {
	s := newServer(t, 100)
	srv := httptest.NewServer(s.Handler())
	defer srv.Close()
	cookie, err := s.Login(time.Now())
	require.NoError(t, err)

	for _, tc := range []struct {
		name   string
		cookie *http.Cookie
		status int
	}{
		{"logged in", cookie, http.StatusOK},
		{"no session", nil, http.StatusUnauthorized},
		{"forged session", &http.Cookie{Name: cookie.Name, Value: "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"}, http.StatusUnauthorized},
	} {
		t.Run(tc.name, func(t *testing.T) {
			req, err := http.NewRequest(http.MethodGet, srv.URL+OverviewPath, nil)
			require.NoError(t, err)
			if tc.cookie != nil {
				req.AddCookie(tc.cookie)
			}
			resp, err := srv.Client().Do(req)
			require.NoError(t, err)
			defer resp.Body.Close()
			require.Equal(t, tc.status, resp.StatusCode)
			if tc.status != http.StatusOK {
				return
			}
			require.Equal(t, "no-store", resp.Header.Get("Cache-Control"))
			var ov overview
			require.NoError(t, json.NewDecoder(resp.Body).Decode(&ov))
			require.Equal(t, 100, ov.Total)
			require.Len(t, ov.Cases, 100)
			for _, c := range ov.Cases {
				require.NotEmpty(t, c.Link, "every synthetic link is allowed, so each gets its token")
			}
		})
	}
}

func TestStatsAreServed(t *testing.T) {
	srv := httptest.NewServer(newServer(t, 10).Handler())
	defer srv.Close()
	st, err := memstat.Fetch(context.Background(), srv.Client(), srv.URL+StatsPath, true)
	require.NoError(t, err)
	require.Positive(t, st.HeapAlloc)
	require.Positive(t, st.Goroutines)
}

func TestThePageCarriesTheElement(t *testing.T) {
	srv := httptest.NewServer(newServer(t, 10).Handler())
	defer srv.Close()
	for _, tc := range []struct {
		query, want string
	}{
		{"?page-size=20", `page-size="20"`},
		{"", `<arendevy-overview src="/arendevy/api/overview">`},
		{"?page-size=-3", `<arendevy-overview src="/arendevy/api/overview">`},
		{"?page-size=x", `<arendevy-overview src="/arendevy/api/overview">`},
	} {
		resp, err := srv.Client().Get(srv.URL + PagePath + tc.query)
		require.NoError(t, err)
		body, err := io.ReadAll(resp.Body)
		_ = resp.Body.Close()
		require.NoError(t, err)
		require.Equal(t, http.StatusOK, resp.StatusCode)
		require.Contains(t, string(body), tc.want, tc.query)
		require.Regexp(t, `<script type="module" src="/arendevy/assets/arendevy-overview\.[0-9a-f]+\.js" integrity="sha384-`, string(body))
		require.Contains(t, resp.Header.Get("Content-Security-Policy"), "script-src 'self'", "the page is served as a portal's page is")
	}
}

func TestServeAnnouncesItselfAndStops(t *testing.T) {
	s := newServer(t, 10)
	pr, pw := io.Pipe()
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- s.Serve(ctx, pw, os.Getpid()) }()

	line, err := bufio.NewReader(pr).ReadBytes('\n')
	require.NoError(t, err)
	var ready Ready
	require.NoError(t, json.Unmarshal(line, &ready))
	require.Equal(t, os.Getpid(), ready.PID)
	require.Regexp(t, `^http://127\.0\.0\.1:\d+$`, ready.URL)

	req, err := http.NewRequest(http.MethodGet, ready.URL+OverviewPath, nil)
	require.NoError(t, err)
	req.Header.Set("Cookie", ready.Cookie)
	resp, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	_ = resp.Body.Close()
	require.Equal(t, http.StatusOK, resp.StatusCode, "the announced cookie is a live session")

	cancel()
	require.NoError(t, <-done)
	_, err = http.Get(ready.URL + StatsPath)
	require.Error(t, err, "the server is gone")
}

func TestTheRenderedPageCarriesEveryCase(t *testing.T) {
	s := newServer(t, 100)
	srv := httptest.NewServer(s.Handler())
	defer srv.Close()
	cookie, err := s.Login(time.Now())
	require.NoError(t, err)
	get := func(c *http.Cookie) (int, string) {
		req, err := http.NewRequest(http.MethodGet, srv.URL+PagePath+"?rendered=1", nil)
		require.NoError(t, err)
		if c != nil {
			req.AddCookie(c)
		}
		resp, err := srv.Client().Do(req)
		require.NoError(t, err)
		defer resp.Body.Close()
		body, err := io.ReadAll(resp.Body)
		require.NoError(t, err)
		return resp.StatusCode, string(body)
	}
	status, body := get(cookie)
	require.Equal(t, http.StatusOK, status)
	require.Equal(t, 100, strings.Count(body, `class="case-row`), "the server rendered all 100 cases for the element to upgrade")
	status, _ = get(nil)
	require.Equal(t, http.StatusUnauthorized, status, "without a session there are no cases to render")
}

// BenchmarkOverview is one request of the load section in process: the
// 100-case overview through the whole login layer (session, guard,
// session-bound deep links, preferences), compressed as a phone's browser
// asks. It reports the process's CPU time per request (what the load
// section's "server CPU per request" counts) and the answer's bytes on the
// wire in each coding; with -cpuprofile it shows where the server's CPU per
// overview goes without a load generator sharing the cores.
func BenchmarkOverview(b *testing.B) {
	for _, coding := range []string{"identity", "gzip", "br"} {
		b.Run("coding="+coding, func(b *testing.B) {
			ps, err := synth.Producers(100, 10, time.Now())
			require.NoError(b, err)
			dir, err := synth.Directory(ps)
			require.NoError(b, err)
			s, err := New(Config{Sources: synth.Members(ps), Producers: dir})
			require.NoError(b, err)
			cookie, err := s.Login(time.Now())
			require.NoError(b, err)
			h := s.Handler()
			req := httptest.NewRequest(http.MethodGet, "http://127.0.0.1"+OverviewPath, nil)
			req.AddCookie(cookie)
			req.Header.Set("Accept-Encoding", coding)
			var wire int
			b.ReportAllocs()
			// CPU time, not the wall clock: on a shared machine the wall
			// clock counts the neighbours' work too.
			cpu := memstat.Read(false).CPU
			for b.Loop() {
				w := httptest.NewRecorder()
				h.ServeHTTP(w, req)
				if w.Code != http.StatusOK {
					b.Fatal(w.Code)
				}
				wire = w.Body.Len()
			}
			b.ReportMetric(float64(memstat.Read(false).CPU-cpu)/float64(b.N), "cpu-ns/op")
			b.ReportMetric(float64(wire), "wire-bytes")
		})
	}
}
