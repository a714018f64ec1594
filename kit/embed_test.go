package kit_test

import (
	"context"
	"encoding/json"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/arendevy/arendevy/kit"
	"github.com/arendevy/arendevy/kit/cases"
	"github.com/arendevy/arendevy/kit/devidp"
	"github.com/arendevy/arendevy/kit/fanout"
	"github.com/arendevy/arendevy/kit/identity"
	"github.com/arendevy/arendevy/kit/preferences"
	"github.com/arendevy/arendevy/kit/saml"
	"github.com/arendevy/arendevy/kit/session"
)

// The bank's page is on www.bank.se, the kit on arenden.bank.se.
const (
	bankKit  = "https://arenden.bank.se"
	bankPage = "https://www.bank.se"
)

// embedding is what a portal wires for the element on another host of its
// site; change adjusts it before the kit is built.
type embedding struct {
	session session.Config
	saml    saml.Config
	kit     kit.Config
}

func newEmbedded(t *testing.T, change func(*embedding)) (*kit.Kit, error) {
	t.Helper()
	logger := slog.New(slog.DiscardHandler)
	idpKey, idpCert := keyPair(t)
	idp, err := devidp.New(devidp.Config{BaseURL: "http://127.0.0.1:9443/devidp", Key: idpKey, Certificate: idpCert,
		Personas: []devidp.Persona{{Number: "191212121212", GivenName: "Tolvan", Surname: "Tolvansson"}}, Logger: logger})
	require.NoError(t, err)
	spKey, spCert := keyPair(t)
	prefs, err := preferences.NewMemory(make([]byte, 32))
	require.NoError(t, err)
	e := embedding{
		session: session.Config{Logger: logger},
		saml: saml.Config{RootURL: bankKit, Mount: kit.DefaultMount, Key: spKey, Certificate: spCert,
			IdPMetadata: idp.Metadata(), AllowPlainHTTP: true, Logger: logger, ReturnOrigins: []string{bankPage}},
		kit: kit.Config{Logger: logger, EmbedOrigins: []string{bankPage}, Preferences: prefs,
			Sources: []fanout.Member{{Name: "skv", Actor: cases.Actor{ID: "skv", Name: "Skatteverket"},
				Source: cases.SourceFunc(func(context.Context, identity.Subject) (cases.Result, error) { return cases.Result{}, nil })}}},
	}
	if change != nil {
		change(&e)
	}
	sessions, err := session.NewManager(e.session)
	require.NoError(t, err)
	e.saml.Sessions = sessions
	sp, err := saml.New(e.saml)
	require.NoError(t, err)
	e.kit.Sessions, e.kit.SSO = sessions, sp
	return kit.New(e.kit)
}

func serveKit(t *testing.T, k *kit.Kit, method, path string, header map[string]string) *httptest.ResponseRecorder {
	t.Helper()
	r := httptest.NewRequest(method, bankKit+path, nil)
	for name, v := range header {
		r.Header.Set(name, v)
	}
	w := httptest.NewRecorder()
	k.Handler().ServeHTTP(w, r)
	return w
}

// TestEmbeddingPageGetsTheAPIWithCredentials: the bank's page reads the
// kit's answers with the session cookie (here: the 401 that sends its user
// to log in, and back to the page afterwards); another host of the site
// and another site get no CORS headers and a login that returns home.
func TestEmbeddingPageGetsTheAPIWithCredentials(t *testing.T) {
	k, err := newEmbedded(t, nil)
	require.NoError(t, err)
	const page = bankPage + "/mina-sidor?flik=arenden"

	w := serveKit(t, k, http.MethodGet, "/arendevy/api/overview", map[string]string{
		"Origin": bankPage, "Sec-Fetch-Site": "same-site", "X-Arendevy-Return": page})
	require.Equal(t, http.StatusUnauthorized, w.Code)
	require.Equal(t, bankPage, w.Header().Get("Access-Control-Allow-Origin"))
	require.Equal(t, "true", w.Header().Get("Access-Control-Allow-Credentials"))
	require.Contains(t, w.Header().Values("Vary"), "Origin")
	var body struct{ Login string }
	require.NoError(t, json.Unmarshal(w.Body.Bytes(), &body))
	require.Equal(t, "/arendevy/saml/login?return="+url.QueryEscape(page), body.Login, "the login comes back to the embedding page")

	for _, origin := range []string{"https://evil.bank.se", "https://evil.example", "http://www.bank.se"} {
		w := serveKit(t, k, http.MethodGet, "/arendevy/api/overview", map[string]string{
			"Origin": origin, "Sec-Fetch-Site": "cross-site", "X-Arendevy-Return": origin + "/"})
		require.Empty(t, w.Header().Get("Access-Control-Allow-Origin"), origin)
		require.Empty(t, w.Header().Get("Access-Control-Allow-Credentials"), origin)
		require.Contains(t, w.Header().Values("Vary"), "Origin")
		require.NoError(t, json.Unmarshal(w.Body.Bytes(), &body))
		require.Equal(t, "/arendevy/saml/login?return=%2F", body.Login, "never back to an unlisted origin")
	}

	pre := serveKit(t, k, http.MethodOptions, "/arendevy/api/preferences", map[string]string{
		"Origin": bankPage, "Access-Control-Request-Method": "PUT", "Access-Control-Request-Headers": "content-type,x-csrf-token"})
	require.Equal(t, http.StatusNoContent, pre.Code)
	require.Equal(t, bankPage, pre.Header().Get("Access-Control-Allow-Origin"))
	require.Contains(t, pre.Header().Get("Access-Control-Allow-Methods"), "PUT")
	require.Contains(t, pre.Header().Get("Access-Control-Allow-Headers"), "X-CSRF-Token")
	refused := serveKit(t, k, http.MethodOptions, "/arendevy/api/preferences", map[string]string{
		"Origin": "https://evil.bank.se", "Access-Control-Request-Method": "PUT"})
	require.Empty(t, refused.Header().Get("Access-Control-Allow-Origin"))
	require.NotEqual(t, http.StatusNoContent, refused.Code)

	// The element's files are public: any origin may load them, and never
	// with credentials.
	asset := serveKit(t, k, http.MethodGet, "/arendevy/assets/arendevy-overview.js", map[string]string{"Origin": bankPage})
	require.Equal(t, http.StatusOK, asset.Code)
	require.Equal(t, "*", asset.Header().Get("Access-Control-Allow-Origin"))
	require.Empty(t, asset.Header().Get("Access-Control-Allow-Credentials"), "never a wildcard with credentials")
}

// TestCSRFTokenOnlyForOurPagesAndTheEmbeddingOnes: {mount}/api/csrf refuses
// a cross-site request and a sibling host's, as its docs say; our own pages
// and the embedding page get through to the session (here: none, 401).
func TestCSRFTokenOnlyForOurPagesAndTheEmbeddingOnes(t *testing.T) {
	k, err := newEmbedded(t, nil)
	require.NoError(t, err)
	for _, tc := range []struct {
		name   string
		header map[string]string
		want   int
	}{
		{"our page", map[string]string{"Sec-Fetch-Site": "same-origin"}, http.StatusUnauthorized},
		{"the embedding page", map[string]string{"Sec-Fetch-Site": "same-site", "Origin": bankPage}, http.StatusUnauthorized},
		{"another host of the site", map[string]string{"Sec-Fetch-Site": "same-site", "Origin": "https://evil.bank.se"}, http.StatusForbidden},
		{"another site", map[string]string{"Sec-Fetch-Site": "cross-site", "Origin": "https://evil.example"}, http.StatusForbidden},
		{"another site, older browser", map[string]string{"Origin": "https://evil.example"}, http.StatusForbidden},
	} {
		t.Run(tc.name, func(t *testing.T) {
			require.Equal(t, tc.want, serveKit(t, k, http.MethodGet, "/arendevy/api/csrf", tc.header).Code)
		})
	}
	// Without EmbedOrigins, a cross-site request is refused all the same.
	plain, err := newEmbedded(t, func(e *embedding) { e.kit.EmbedOrigins, e.saml.ReturnOrigins = nil, nil })
	require.NoError(t, err)
	require.Equal(t, http.StatusForbidden, serveKit(t, plain, http.MethodGet, "/arendevy/api/csrf",
		map[string]string{"Sec-Fetch-Site": "cross-site", "Origin": "https://evil.example"}).Code)
	require.Equal(t, http.StatusForbidden, serveKit(t, plain, http.MethodGet, "/arendevy/api/csrf",
		map[string]string{"Sec-Fetch-Site": "same-site", "Origin": bankPage}).Code)
}

func TestEmbeddingIsCheckedAtNew(t *testing.T) {
	for _, tc := range []struct {
		name    string
		change  func(*embedding)
		problem string
	}{
		{"a page of another site", func(e *embedding) {
			e.kit.EmbedOrigins, e.saml.ReturnOrigins = []string{"https://www.bank.example"}, []string{"https://www.bank.example"}
		}, "EmbedOrigins[0]: https://www.bank.example is not on the kit's site (bank.se)"},
		{"http beside an https kit", func(e *embedding) {
			e.kit.EmbedOrigins, e.saml.ReturnOrigins = []string{"http://www.bank.se"}, []string{"http://www.bank.se"}
		}, "EmbedOrigins[0]: http://www.bank.se: must be https"},
		{"a wildcard", func(e *embedding) { e.kit.EmbedOrigins = []string{"https://*.bank.se"} }, "EmbedOrigins[0]:"},
		{"the SSO returns elsewhere", func(e *embedding) { e.saml.ReturnOrigins = nil },
			"build it with saml.Config.ReturnOrigins the same"},
		{"a cookie domain of another site", func(e *embedding) { e.session.CookieDomain = "bank.example" },
			`Sessions: CookieDomain "bank.example" is not arenden.bank.se or a parent of it`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := newEmbedded(t, tc.change)
			require.ErrorContains(t, err, tc.problem)
		})
	}
	_, err := newEmbedded(t, func(e *embedding) { e.session.CookieDomain = "bank.se" })
	require.NoError(t, err, "the kit's parent domain")
}
