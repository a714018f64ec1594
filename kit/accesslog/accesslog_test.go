package accesslog

import (
	"bytes"
	"encoding/json"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

// serve runs one request through the middleware and returns the response
// and the log line, decoded.
func serve(t *testing.T, h http.Handler, route func(*http.Request) string, req *http.Request) (*httptest.ResponseRecorder, map[string]any, string) {
	t.Helper()
	var buf bytes.Buffer
	logger := slog.New(slog.NewJSONHandler(&buf, nil))
	w := httptest.NewRecorder()
	Middleware(logger, route)(h).ServeHTTP(w, req)
	var line map[string]any
	require.NoError(t, json.Unmarshal(buf.Bytes(), &line), "one JSON line: %s", buf.String())
	return w, line, buf.String()
}

func TestNoPersonalDataInTheLog(t *testing.T) {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /mina-arenden", func(w http.ResponseWriter, r *http.Request) {
		_, _ = w.Write([]byte("hello"))
	})
	req := httptest.NewRequest(http.MethodGet, "/mina-arenden?q=Tolvan&pnr=191212121212", nil)
	req.AddCookie(&http.Cookie{Name: "__Host-arendevy", Value: "session-token-123"})
	req.Header.Set("Authorization", "Bearer secret-bearer")
	req.Header.Set("Referer", "https://portal.example.se/search?pnr=191212121212")
	req.Header.Set("User-Agent", "Tolvan's browser")

	w, line, raw := serve(t, mux, nil, req)

	for _, secret := range []string{"Tolvan", "191212121212", "session-token-123", "secret-bearer", "portal.example.se", "pnr", "q="} {
		require.NotContains(t, raw, secret)
	}
	require.Equal(t, "GET", line["method"])
	require.Equal(t, "/mina-arenden", line["route"])
	require.EqualValues(t, 200, line["status"])
	require.EqualValues(t, 5, line["bytes"])
	require.Equal(t, "192.0.2.1", line["remote_ip"], "the address without the port")
	require.Equal(t, w.Header().Get(Header), line["request_id"])
	require.NotEmpty(t, line["request_id"])
	require.Contains(t, line, "duration")
	require.Equal(t, "INFO", line["level"])
}

func TestRoute(t *testing.T) {
	ok := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {})
	mux := http.NewServeMux()
	mux.Handle("GET /arendevy/producers/{id}", ok)
	mux.Handle("/static/", ok)
	routeFunc := func(*http.Request) string { return "/from-router" }
	silent := func(*http.Request) string { return "" }
	long := "/" + strings.Repeat("x", 300)

	tests := []struct {
		name    string
		handler http.Handler
		route   func(*http.Request) string
		target  string
		want    string
	}{
		{"the mux pattern, not the case reference in the path", mux, nil, "/arendevy/producers/BYGG-2026-00123", "/arendevy/producers/{id}"},
		{"a pattern without method", mux, nil, "/static/app.js?v=1", "/static/"},
		{"the route func, when it names a route, wins over the pattern", mux, routeFunc, "/static/app.js", "/from-router"},
		{"the pattern when the route func names none", mux, silent, "/static/app.js", "/static/"},
		{"the route func when nothing sets a pattern", ok, routeFunc, "/x/191212121212", "/from-router"},
		{"the path without its query when nothing matched", ok, nil, "/nowhere?pnr=191212121212", "/nowhere"},
		{"a long unmatched path is cut", ok, nil, long, long[:maxPath] + "…"},
		{"a router adapter sets the pattern while serving", http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			r.Pattern = "/cases/:id"
		}), nil, "/cases/191212121212", "/cases/:id"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, line, raw := serve(t, tt.handler, tt.route, httptest.NewRequest(http.MethodGet, tt.target, nil))
			require.Equal(t, tt.want, line["route"])
			require.NotContains(t, raw, "191212121212")
		})
	}
}

func TestStatus(t *testing.T) {
	tests := []struct {
		name      string
		handler   http.HandlerFunc
		status    int
		bytes     int
		level     string
		wantPanic bool
	}{
		{"nothing written is 200", func(w http.ResponseWriter, r *http.Request) {}, 200, 0, "INFO", false},
		{"explicit status", func(w http.ResponseWriter, r *http.Request) {
			http.Error(w, "not found", http.StatusNotFound)
		}, 404, len("not found\n"), "INFO", false},
		{"early hints before the final status", func(w http.ResponseWriter, r *http.Request) {
			w.WriteHeader(http.StatusEarlyHints)
			w.WriteHeader(http.StatusCreated)
		}, 201, 0, "INFO", false},
		{"server error is logged as error", func(w http.ResponseWriter, r *http.Request) {
			w.WriteHeader(http.StatusServiceUnavailable)
		}, 503, 0, "ERROR", false},
		{"a panic is logged as 500 and goes on", func(w http.ResponseWriter, r *http.Request) {
			panic("boom")
		}, 500, 0, "ERROR", true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var buf bytes.Buffer
			h := Middleware(slog.New(slog.NewJSONHandler(&buf, nil)), nil)(tt.handler)
			run := func() { h.ServeHTTP(httptest.NewRecorder(), httptest.NewRequest(http.MethodPost, "/", nil)) }
			if tt.wantPanic {
				require.Panics(t, run)
			} else {
				run()
			}
			var line map[string]any
			require.NoError(t, json.Unmarshal(buf.Bytes(), &line))
			require.EqualValues(t, tt.status, line["status"])
			require.EqualValues(t, tt.bytes, line["bytes"])
			require.Equal(t, tt.level, line["level"])
		})
	}
}

func TestRequestIDs(t *testing.T) {
	var seen []string
	h := Middleware(slog.New(slog.DiscardHandler), nil)(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		seen = append(seen, RequestID(r.Context()))
	}))
	var headers []string
	for range 3 {
		w := httptest.NewRecorder()
		h.ServeHTTP(w, httptest.NewRequest(http.MethodGet, "/", nil))
		headers = append(headers, w.Header().Get(Header))
	}
	require.Equal(t, headers, seen, "the handler sees the ID the response carries")
	require.NotEqual(t, seen[0], seen[1])
	require.NotEqual(t, seen[1], seen[2])
	require.Empty(t, RequestID(httptest.NewRequest(http.MethodGet, "/", nil).Context()))
}

func TestRecorderFlushes(t *testing.T) {
	w := httptest.NewRecorder()
	h := Middleware(slog.New(slog.DiscardHandler), nil)(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = w.Write([]byte("part"))
		require.NoError(t, http.NewResponseController(w).Flush())
	}))
	h.ServeHTTP(w, httptest.NewRequest(http.MethodGet, "/", nil))
	require.True(t, w.Flushed)
	require.Equal(t, "part", w.Body.String())
}
