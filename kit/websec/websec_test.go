package websec

import (
	"bytes"
	"crypto/tls"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

const (
	site  = "https://portal.example.se"
	token = "s3cr3t-token-of-this-session"
)

// newGuard wraps a handler that echoes the form field "party" (so tests see
// that a body the guard read is still there), behind a fixed session token.
func newGuard(t *testing.T, cfg Config) (http.Handler, *bytes.Buffer) {
	t.Helper()
	logs := &bytes.Buffer{}
	if cfg.CSRFToken == nil {
		cfg.CSRFToken = func(r *http.Request) string {
			if c, err := r.Cookie("sid"); err == nil && c.Value == "valid" {
				return token
			}
			return ""
		}
	}
	if cfg.Exempt == nil {
		cfg.Exempt = []string{"/arendevy/saml/acs"} // what the kit mounted at /arendevy exempts
	}
	cfg.Logger = slog.New(slog.NewTextHandler(logs, nil))
	g, err := New(cfg)
	require.NoError(t, err)
	mux := http.NewServeMux()
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.WriteString(w, "ok:"+r.PostFormValue("party"))
	})
	mux.HandleFunc("/teapot", func(w http.ResponseWriter, r *http.Request) { http.NotFound(w, r) })
	return g.Handler(mux), logs
}

type req struct {
	method, url string
	form        url.Values
	header      map[string]string
	session     bool
}

func (q req) serve(h http.Handler) *httptest.ResponseRecorder {
	var body io.Reader = http.NoBody
	if q.form != nil {
		body = strings.NewReader(q.form.Encode())
	}
	u := q.url
	if u == "" {
		u = site + "/arendevy/act-for"
	}
	r := httptest.NewRequest(q.method, u, body)
	if q.form != nil {
		r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	for k, v := range q.header {
		r.Header.Set(k, v)
	}
	if q.session {
		r.AddCookie(&http.Cookie{Name: "sid", Value: "valid"})
	}
	w := httptest.NewRecorder()
	h.ServeHTTP(w, r)
	return w
}

func TestCSRF(t *testing.T) {
	sameOrigin := map[string]string{"Sec-Fetch-Site": "same-origin", "X-CSRF-Token": token}
	tests := []struct {
		name string
		req  req
		ok   bool
	}{
		{"same-origin fetch with the token header", req{method: "POST", header: sameOrigin, session: true}, true},
		{"form post with the token field and Origin null (no-referrer) but Sec-Fetch-Site", req{method: "POST", form: url.Values{"csrf": {token}, "party": {"1"}},
			header: map[string]string{"Sec-Fetch-Site": "same-origin", "Origin": "null"}, session: true}, true},
		{"older browser: same Origin and token", req{method: "PUT", header: map[string]string{"Origin": site, "X-CSRF-Token": token}, session: true}, true},
		{"older browser: same Referer when Origin is absent", req{method: "DELETE", header: map[string]string{"Referer": site + "/mina-sidor", "X-CSRF-Token": token}, session: true}, true},
		{"GET is never checked", req{method: "GET"}, true},
		{"the SAML ACS is exempt", req{method: "POST", url: site + "/arendevy/saml/acs", header: map[string]string{"Sec-Fetch-Site": "cross-site"}}, true},

		{"without CSRF token", req{method: "POST", header: map[string]string{"Sec-Fetch-Site": "same-origin"}, session: true}, false},
		{"with a wrong CSRF token", req{method: "POST", header: map[string]string{"Sec-Fetch-Site": "same-origin", "X-CSRF-Token": token + "x"}, session: true}, false},
		{"token in the query string is not accepted", req{method: "POST", url: site + "/arendevy/act-for?csrf=" + token, header: map[string]string{"Sec-Fetch-Site": "same-origin"}, session: true}, false},
		{"without a session", req{method: "POST", header: sameOrigin}, false},
		{"with a foreign Origin", req{method: "PATCH", header: map[string]string{"Origin": "https://evil.example", "X-CSRF-Token": token}, session: true}, false},
		{"with Origin null and no Sec-Fetch-Site", req{method: "POST", header: map[string]string{"Origin": "null", "X-CSRF-Token": token}, session: true}, false},
		{"with an http Origin on an https site", req{method: "POST", header: map[string]string{"Origin": "http://portal.example.se", "X-CSRF-Token": token}, session: true}, false},
		{"from a sibling subdomain (same-site)", req{method: "POST", header: map[string]string{"Sec-Fetch-Site": "same-site", "Origin": "https://evil.example.se", "X-CSRF-Token": token}, session: true}, false},
		{"cross-site even with a correct token", req{method: "POST", header: map[string]string{"Sec-Fetch-Site": "cross-site", "X-CSRF-Token": token}, session: true}, false},
		{"with a foreign Referer", req{method: "POST", header: map[string]string{"Referer": "https://evil.example/x", "X-CSRF-Token": token}, session: true}, false},
		{"with neither Origin nor Referer", req{method: "POST", header: map[string]string{"X-CSRF-Token": token}, session: true}, false},
		{"an unknown method is checked too", req{method: "PROPFIND", header: map[string]string{"Sec-Fetch-Site": "same-origin"}, session: true}, false},
	}
	h, logs := newGuard(t, Config{})
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			w := tt.req.serve(h)
			if tt.ok {
				require.Equal(t, http.StatusOK, w.Code)
				if tt.req.form != nil {
					require.Equal(t, "ok:1", w.Body.String(), "the handler still sees the form")
				}
				return
			}
			require.Equal(t, http.StatusForbidden, w.Code)
			require.Equal(t, "application/problem+json", w.Header().Get("Content-Type"))
			var p Problem
			require.NoError(t, json.Unmarshal(w.Body.Bytes(), &p))
			require.Equal(t, 403, p.Status)
			require.Equal(t, "about:blank", p.Type)
			require.Equal(t, "Begäran avvisad", p.Title, "the catalogue's text, in Swedish when the request names no language")
			require.NotEmpty(t, p.Detail)
		})
	}
	require.Contains(t, logs.String(), "CSRF check")
	require.NotContains(t, logs.String(), token)
	require.NotContains(t, logs.String(), "act-for", "no URL in the log")
}

func TestConfiguredOrigins(t *testing.T) {
	h, _ := newGuard(t, Config{Origins: []string{"https://www.kommun.se"}})
	ok := req{method: "POST", url: "http://internal:8080/arendevy/act-for", header: map[string]string{"Origin": "https://www.kommun.se", "X-CSRF-Token": token}, session: true}
	require.Equal(t, http.StatusOK, ok.serve(h).Code)
	bad := req{method: "POST", url: "http://internal:8080/arendevy/act-for", header: map[string]string{"Origin": "http://internal:8080", "X-CSRF-Token": token}, session: true}
	require.Equal(t, http.StatusForbidden, bad.serve(h).Code)
}

// TestCrossOrigins: a page on another host of the site that embeds the
// element passes the CSRF check by its Origin, with its token; any other
// host of the site, and the same page cross-site, does not.
func TestCrossOrigins(t *testing.T) {
	h, _ := newGuard(t, Config{CrossOrigins: []string{"https://www.example.se"}})
	for _, tt := range []struct {
		name   string
		header map[string]string
		ok     bool
	}{
		{"the embedding page, same-site", map[string]string{"Sec-Fetch-Site": "same-site", "Origin": "https://www.example.se", "X-CSRF-Token": token}, true},
		{"the embedding page, older browser", map[string]string{"Origin": "https://www.example.se", "X-CSRF-Token": token}, true},
		{"our own pages still", map[string]string{"Sec-Fetch-Site": "same-origin", "X-CSRF-Token": token}, true},
		{"the embedding page without the token", map[string]string{"Sec-Fetch-Site": "same-site", "Origin": "https://www.example.se"}, false},
		{"another host of the site", map[string]string{"Sec-Fetch-Site": "same-site", "Origin": "https://evil.example.se", "X-CSRF-Token": token}, false},
		{"same-site without Origin", map[string]string{"Sec-Fetch-Site": "same-site", "X-CSRF-Token": token}, false},
		{"cross-site with the allowed Origin", map[string]string{"Sec-Fetch-Site": "cross-site", "Origin": "https://www.example.se", "X-CSRF-Token": token}, false},
	} {
		t.Run(tt.name, func(t *testing.T) {
			w := req{method: "PUT", header: tt.header, session: true}.serve(h)
			if tt.ok {
				require.Equal(t, http.StatusOK, w.Code)
			} else {
				require.Equal(t, http.StatusForbidden, w.Code)
			}
		})
	}
	_, err := New(Config{CSRFToken: func(*http.Request) string { return "" }, CrossOrigins: []string{"https://*.example.se"}})
	require.ErrorContains(t, err, "CrossOrigins[0]")
}

// TestOwnPagesOnly: {mount}/api/csrf answers our pages and the embedding
// page, never a page of another site or another host of ours.
func TestOwnPagesOnly(t *testing.T) {
	logs := &bytes.Buffer{}
	g, err := New(Config{CSRFToken: func(*http.Request) string { return token }, CrossOrigins: []string{"https://www.example.se"},
		Logger: slog.New(slog.NewTextHandler(logs, nil))})
	require.NoError(t, err)
	h := g.OwnPagesOnly(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) { _, _ = io.WriteString(w, "secret") }))
	for _, tt := range []struct {
		name   string
		header map[string]string
		ok     bool
	}{
		{"our page's fetch", map[string]string{"Sec-Fetch-Site": "same-origin"}, true},
		{"the embedding page's fetch", map[string]string{"Sec-Fetch-Site": "same-site", "Origin": "https://www.example.se"}, true},
		{"an older browser on our page (no header at all)", nil, true},
		{"an older browser on the embedding page", map[string]string{"Origin": "https://www.example.se"}, true},
		{"an older browser on our page, with Origin", map[string]string{"Origin": site}, true},
		{"a page of another site", map[string]string{"Sec-Fetch-Site": "cross-site", "Origin": "https://evil.example"}, false},
		{"another site, older browser", map[string]string{"Origin": "https://evil.example"}, false},
		{"another host of our site", map[string]string{"Sec-Fetch-Site": "same-site", "Origin": "https://evil.example.se"}, false},
		{"typed into the address bar", map[string]string{"Sec-Fetch-Site": "none"}, false},
		{"a sandboxed page", map[string]string{"Origin": "null"}, false},
	} {
		t.Run(tt.name, func(t *testing.T) {
			w := req{method: "GET", url: site + "/arendevy/api/csrf", header: tt.header}.serve(h)
			if tt.ok {
				require.Equal(t, http.StatusOK, w.Code)
				require.Equal(t, "secret", w.Body.String())
				return
			}
			require.Equal(t, http.StatusForbidden, w.Code)
			require.Equal(t, "application/problem+json", w.Header().Get("Content-Type"))
			require.NotContains(t, w.Body.String(), "secret")
		})
	}
	require.Contains(t, logs.String(), "not from our pages")
	require.NotContains(t, logs.String(), "api/csrf", "no URL in the log")
}

func TestSecurityHeadersOnEveryResponse(t *testing.T) {
	h, _ := newGuard(t, Config{})
	for _, q := range []req{
		{method: "GET"},
		{method: "HEAD"},
		{method: "GET", url: site + "/teapot"},
		{method: "POST"}, // refused: the 403 carries them too
		{method: "POST", url: site + "/arendevy/saml/acs"},
	} {
		t.Run(q.method+" "+q.url, func(t *testing.T) {
			w := q.serve(h)
			require.Equal(t, "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; connect-src 'self'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'",
				w.Header().Get("Content-Security-Policy"))
			require.Equal(t, "nosniff", w.Header().Get("X-Content-Type-Options"))
			require.Equal(t, "no-referrer", w.Header().Get("Referrer-Policy"))
			require.Equal(t, "same-origin", w.Header().Get("Cross-Origin-Opener-Policy"))
		})
	}
}

func TestHSTSOnlyOverHTTPS(t *testing.T) {
	tests := []struct {
		name      string
		tls       bool
		forwarded string
		trust     bool
		want      bool
	}{
		{"https", true, "", false, true},
		{"plain http", false, "", false, false},
		{"plain http claiming https, proxy not trusted", false, "https", false, false},
		{"behind a trusted TLS proxy", false, "https", true, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h, _ := newGuard(t, Config{TrustForwardedProto: tt.trust})
			r := httptest.NewRequest("GET", "http://portal.example.se/", nil)
			if tt.tls {
				r.TLS = &tls.ConnectionState{}
			}
			if tt.forwarded != "" {
				r.Header.Set("X-Forwarded-Proto", tt.forwarded)
			}
			w := httptest.NewRecorder()
			h.ServeHTTP(w, r)
			if tt.want {
				require.Equal(t, "max-age=31536000; includeSubDomains", w.Header().Get("Strict-Transport-Security"))
			} else {
				require.Empty(t, w.Header().Values("Strict-Transport-Security"))
			}
		})
	}
}

func TestCSPConfiguration(t *testing.T) {
	g, err := New(Config{
		CSRFToken:      func(*http.Request) string { return "" },
		FormAction:     []string{"https://idp.example.se", "https://eid.example.se:8443"},
		FrameAncestors: []string{"'self'", "https://www.kommun.se"},
	})
	require.NoError(t, err)
	require.Contains(t, g.CSP(), "form-action 'self' https://idp.example.se https://eid.example.se:8443;")
	require.True(t, strings.HasSuffix(g.CSP(), "frame-ancestors 'self' https://www.kommun.se"))

	for name, cfg := range map[string]Config{
		"no token source":              {},
		"a path in form-action":        {CSRFToken: g.cfg.CSRFToken, FormAction: []string{"https://idp.example.se/sso"}},
		"an injected directive":        {CSRFToken: g.cfg.CSRFToken, FormAction: []string{"https://idp.example.se; script-src *"}},
		"a wildcard ancestor":          {CSRFToken: g.cfg.CSRFToken, FrameAncestors: []string{"https://*.example.se"}},
		"a keyword in form-action":     {CSRFToken: g.cfg.CSRFToken, FormAction: []string{"'unsafe-inline'"}},
		"an origin with a scheme only": {CSRFToken: g.cfg.CSRFToken, Origins: []string{"https://"}},
	} {
		t.Run(name, func(t *testing.T) {
			_, err := New(cfg)
			require.Error(t, err)
		})
	}
}

func TestHandlerMayOverrideCSP(t *testing.T) {
	g, err := New(Config{CSRFToken: func(*http.Request) string { return "" }})
	require.NoError(t, err)
	h := g.Handler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Security-Policy", "default-src 'none'; script-src 'sha256-abc'")
		w.WriteHeader(http.StatusOK)
	}))
	w := httptest.NewRecorder()
	h.ServeHTTP(w, httptest.NewRequest("GET", site+"/", nil))
	require.Equal(t, "default-src 'none'; script-src 'sha256-abc'", w.Header().Get("Content-Security-Policy"))
	require.Equal(t, "nosniff", w.Header().Get("X-Content-Type-Options"))
}

// FuzzCrossOrigin: whatever the headers say, a request passes the origin
// check only when the browser called it same-origin or named our own host.
func FuzzCrossOrigin(f *testing.F) {
	g, err := New(Config{CSRFToken: func(*http.Request) string { return token }})
	require.NoError(f, err)
	f.Add("same-origin", "", "")
	f.Add("", "https://portal.example.se", "")
	f.Add("", "null", "https://portal.example.se/x")
	f.Add("", "", "https://portal.example.se.evil/x")
	f.Add("", "https://portal.example.se@evil", "")
	f.Fuzz(func(t *testing.T, fetchSite, origin, referer string) {
		r := httptest.NewRequest("POST", site+"/arendevy/act-for", nil)
		r.Header.Set("Sec-Fetch-Site", fetchSite)
		r.Header.Set("Origin", origin)
		r.Header.Set("Referer", referer)
		if g.crossOrigin(r) != "" {
			return
		}
		if fetchSite == "same-origin" {
			return
		}
		claimed := origin
		if claimed == "" {
			claimed = referer
		}
		u, err := url.Parse(claimed)
		require.NoError(t, err)
		require.True(t, strings.EqualFold(u.Host, "portal.example.se"), "passed with %q", claimed)
	})
}

func TestRefusalSpeaksTheRequestsLanguage(t *testing.T) {
	h, _ := newGuard(t, Config{})
	w := req{method: "POST", header: map[string]string{"Sec-Fetch-Site": "cross-site", "Accept-Language": "en"}}.serve(h)
	require.Equal(t, http.StatusForbidden, w.Code)
	var p Problem
	require.NoError(t, json.Unmarshal(w.Body.Bytes(), &p))
	require.Equal(t, Problem{Type: "about:blank", Title: "Request refused", Status: 403,
		Detail: "This request did not come from this site's own page. Reload the page and try again."}, p)
}

func TestMaskedTokens(t *testing.T) {
	a, b := MaskToken(token), MaskToken(token)
	require.NotEqual(t, a, b, "two responses never carry the same token bytes")
	require.NotContains(t, a, token)
	require.True(t, TokenMatches(a, token))
	require.True(t, TokenMatches(b, token))
	require.True(t, TokenMatches(token, token), "the raw token, as a client from before masking holds it")
	require.False(t, TokenMatches(MaskToken(token + "x")[:len(a)], token))
	require.False(t, TokenMatches(MaskToken("another-token-of-same-length!"), token))
	require.False(t, TokenMatches("", token))
	require.False(t, TokenMatches(a, ""), "no session, no match")

	h, _ := newGuard(t, Config{})
	for _, masked := range []string{a, b} {
		w := req{method: "POST", form: url.Values{"csrf": {masked}, "party": {"1"}},
			header: map[string]string{"Sec-Fetch-Site": "same-origin"}, session: true}.serve(h)
		require.Equal(t, http.StatusOK, w.Code, "a masked token in the form field")
		w = req{method: "POST", header: map[string]string{"Sec-Fetch-Site": "same-origin", "X-CSRF-Token": masked}, session: true}.serve(h)
		require.Equal(t, http.StatusOK, w.Code, "a masked token in the header")
	}
}

func FuzzTokenMatches(f *testing.F) {
	f.Add(MaskToken(token))
	f.Add(token)
	f.Add("")
	f.Add(strings.Repeat("A", 76))
	f.Fuzz(func(t *testing.T, got string) {
		if TokenMatches(got, token) {
			require.True(t, got == token || len(got) == len(MaskToken(token)), "only the raw or a masked form of the token matches")
		}
	})
}
