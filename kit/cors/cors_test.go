package cors

import (
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/stretchr/testify/require"
)

const (
	kitOrigin = "https://arenden.bank.se"
	page      = "https://www.bank.se"
)

func serve(t *testing.T, method string, header map[string]string) *httptest.ResponseRecorder {
	t.Helper()
	p, err := New([]string{page}, kitOrigin)
	require.NoError(t, err)
	h := p.Handler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Cache-Control", "no-store")
		if r.Method == http.MethodOptions {
			w.WriteHeader(http.StatusMethodNotAllowed)
			return
		}
		_, _ = w.Write([]byte(`{"cases":[]}`))
	}))
	r := httptest.NewRequest(method, kitOrigin+"/arendevy/api/overview", nil)
	for k, v := range header {
		r.Header.Set(k, v)
	}
	w := httptest.NewRecorder()
	h.ServeHTTP(w, r)
	return w
}

func TestListedOriginGetsCredentialedCORS(t *testing.T) {
	w := serve(t, http.MethodGet, map[string]string{"Origin": page})
	require.Equal(t, http.StatusOK, w.Code)
	require.Equal(t, page, w.Header().Get("Access-Control-Allow-Origin"), "the origin itself, never *")
	require.Equal(t, "true", w.Header().Get("Access-Control-Allow-Credentials"))
	require.Equal(t, []string{"Origin"}, w.Header().Values("Vary"))
	require.Empty(t, w.Header().Get("Access-Control-Allow-Methods"), "methods only on a preflight")
}

func TestPreflightIsAnsweredWithTheAPIsMethodsAndHeaders(t *testing.T) {
	w := serve(t, http.MethodOptions, map[string]string{"Origin": page, "Access-Control-Request-Method": "PUT",
		"Access-Control-Request-Headers": "x-csrf-token,content-type"})
	require.Equal(t, http.StatusNoContent, w.Code)
	require.Empty(t, w.Body.String())
	require.Equal(t, page, w.Header().Get("Access-Control-Allow-Origin"))
	require.Equal(t, "true", w.Header().Get("Access-Control-Allow-Credentials"))
	require.Equal(t, "GET, POST, PUT", w.Header().Get("Access-Control-Allow-Methods"))
	require.Equal(t, "Content-Type, X-CSRF-Token, X-Arendevy-Return", w.Header().Get("Access-Control-Allow-Headers"))
	require.Equal(t, "600", w.Header().Get("Access-Control-Max-Age"))
	require.Equal(t, []string{"Origin"}, w.Header().Values("Vary"))
}

func TestUnlistedOriginsGetNoCORSHeaders(t *testing.T) {
	for name, header := range map[string]map[string]string{
		"another host of the site":     {"Origin": "https://evil.bank.se"},
		"another site":                 {"Origin": "https://evil.example"},
		"the listed host over http":    {"Origin": "http://www.bank.se"},
		"the listed host, other port":  {"Origin": "https://www.bank.se:8443"},
		"a longer host":                {"Origin": "https://www.bank.se.evil.example"},
		"upper case":                   {"Origin": "https://WWW.BANK.SE"},
		"a sandboxed page":             {"Origin": "null"},
		"no Origin (same-origin)":      {},
		"a preflight of another site":  {"Origin": "https://evil.example", "Access-Control-Request-Method": "PUT"},
		"a preflight of another host":  {"Origin": "https://evil.bank.se", "Access-Control-Request-Method": "GET"},
		"the list, as the Origin":      {"Origin": page + " https://evil.example"},
		"a wildcard, as the Origin":    {"Origin": "*"},
		"the listed origin with slash": {"Origin": page + "/"},
	} {
		t.Run(name, func(t *testing.T) {
			method := http.MethodGet
			if header["Access-Control-Request-Method"] != "" {
				method = http.MethodOptions
			}
			w := serve(t, method, header)
			for k := range w.Header() {
				require.NotContains(t, k, "Access-Control-", "no CORS header at all")
			}
			require.Equal(t, []string{"Origin"}, w.Header().Values("Vary"), "the answer varies by Origin all the same")
			if method == http.MethodOptions {
				require.Equal(t, http.StatusMethodNotAllowed, w.Code, "the preflight goes on to the route, which refuses it")
			}
		})
	}
}

func TestCheck(t *testing.T) {
	for _, tc := range []struct{ origin, own, problem string }{
		{"https://www.bank.se", "https://arenden.bank.se", ""},
		{"https://bank.se", "https://arenden.bank.se", ""},
		{"https://www.bank.se:8443", "https://arenden.bank.se", ""},
		{"http://www.arendevy.localhost:8081", "http://arenden.arendevy.localhost:8080", ""},
		{"http://localhost:8081", "http://localhost:8080", ""},
		{"http://127.0.0.1:8081", "http://127.0.0.1:8080", ""},
		{"https://www.bank.se", "", ""},

		{"https://*.bank.se", "https://arenden.bank.se", "is not an origin"},
		{"*", "https://arenden.bank.se", "is not an origin"},
		{"https://www.bank.se/", "https://arenden.bank.se", "is not an origin"},
		{"https://WWW.bank.se", "https://arenden.bank.se", "is not an origin"},
		{"https://www.bank.se:443", "https://arenden.bank.se", "leave out the default port"},
		{"https://www.bänk.se", "https://arenden.bänk.se", "in ASCII (xn--…)"},
		{"https://arenden.bank.se", "https://arenden.bank.se", "the kit's own origin"},
		{"http://www.bank.se", "https://arenden.bank.se", "must be https"},
		{"https://www.bank.example", "https://arenden.bank.se", "not on the kit's site (bank.se)"},
		{"https://bank.se.example", "https://arenden.bank.se", "not on the kit's site"},
		{"https://www.other.github.io", "https://arenden.bank.github.io", "not on the kit's site"},
		{"http://127.0.0.1:8081", "http://localhost:8080", "not on the kit's site"},
		{"http://www.other.localhost:8081", "http://arenden.arendevy.localhost:8080", "not on the kit's site"},
	} {
		err := Check(tc.origin, tc.own)
		if tc.problem == "" {
			require.NoError(t, err, tc.origin)
			continue
		}
		require.ErrorContains(t, err, tc.problem, tc.origin)
	}
}

func TestNewNamesEachProblem(t *testing.T) {
	_, err := New([]string{"https://www.bank.se", "https://evil.example", "https://www.bank.se"}, kitOrigin)
	require.ErrorContains(t, err, "[1]: https://evil.example is not on the kit's site")
	require.ErrorContains(t, err, "[2]: https://www.bank.se is listed twice")
	p, err := New(nil, kitOrigin)
	require.NoError(t, err)
	w := httptest.NewRecorder()
	r := httptest.NewRequest(http.MethodGet, kitOrigin+"/", nil)
	r.Header.Set("Origin", page)
	p.Handler(http.NotFoundHandler()).ServeHTTP(w, r)
	require.Empty(t, w.Header().Get("Access-Control-Allow-Origin"), "an empty list allows nothing")
}
