package session

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/arendevy/arendevy/kit/identity"
	"github.com/arendevy/arendevy/kit/mandate"
	"github.com/arendevy/arendevy/kit/websec"
)

const portal = "https://portal.example.se"

var (
	agnes = identity.Party{Number: "198112289874", Kind: identity.Personnummer, Name: "Agnes Agent"}
	other = identity.Party{Number: "199009090003", Kind: identity.Personnummer, Name: "Olle Annan"}
	child = identity.Party{Number: "201502022385", Kind: identity.Personnummer, Name: "Kalle Barn"}
	firm  = identity.Party{Number: "5560360793", Kind: identity.Organisationsnummer, Name: "Firma AB"}
)

// secrets are values that must never show in a cookie or a log line.
var secrets = []string{agnes.Number, agnes.Name, other.Number, other.Name, child.Number, child.Name, firm.Number, firm.Name}

// syncBuffer collects log output from concurrent handlers.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// app is a portal in miniature: a stand-in for the SAML ACS that calls
// Login, the portal's own password login that calls BindPortalLogin, a
// logout, an overview probe that answers 401 without a subject, and the
// Manager's routes, all behind websec like the real kit.
type app struct {
	m       *Manager
	clock   *clock
	logs    *syncBuffer
	handler http.Handler
	// loginSubject is what the next "ACS" call logs in.
	loginSubject identity.Subject
}

func newApp(t *testing.T, store Store, c *clock, tweak func(*Config)) *app {
	t.Helper()
	a := &app{clock: c, logs: &syncBuffer{}}
	cfg := Config{
		Store:    store,
		Now:      c.Now,
		Logger:   slog.New(slog.NewJSONHandler(a.logs, &slog.HandlerOptions{Level: slog.LevelDebug})),
		Mandates: mandate.Static{agnes.Number: {child, firm}},
	}
	if tweak != nil {
		tweak(&cfg)
	}
	m, err := NewManager(cfg)
	require.NoError(t, err)
	a.m = m
	mux := http.NewServeMux()
	mux.HandleFunc("POST /arendevy/saml/acs", func(w http.ResponseWriter, r *http.Request) {
		if err := m.Login(w, r, a.loginSubject, SAMLInfo{NameID: "nid", SessionIndex: "idx", IdP: "https://idp.example.se"}); err != nil {
			http.Error(w, err.Error(), http.StatusForbidden)
			return
		}
		w.WriteHeader(http.StatusNoContent)
	})
	mux.HandleFunc("POST /portal/login", func(w http.ResponseWriter, r *http.Request) {
		if err := m.BindPortalLogin(w, r, r.PostFormValue("number")); err != nil {
			http.Error(w, "bad number", http.StatusBadRequest)
			return
		}
		w.WriteHeader(http.StatusNoContent)
	})
	mux.HandleFunc("POST /arendevy/saml/logout", func(w http.ResponseWriter, r *http.Request) {
		d, err := m.Logout(w, r)
		if err != nil {
			http.Error(w, err.Error(), http.StatusInternalServerError)
			return
		}
		_ = json.NewEncoder(w).Encode(d.SAML)
	})
	// The SAML SP's SLO endpoint: reads the session, then ends it.
	mux.HandleFunc("POST /arendevy/saml/slo", func(w http.ResponseWriter, r *http.Request) {
		cur, ok := m.Current(r)
		if !ok {
			http.Error(w, "no session", http.StatusForbidden)
			return
		}
		if _, err := m.Logout(w, r); err != nil {
			http.Error(w, err.Error(), http.StatusInternalServerError)
			return
		}
		_ = json.NewEncoder(w).Encode(cur.SAML)
	})
	mux.HandleFunc("GET /arendevy/api/overview", func(w http.ResponseWriter, r *http.Request) {
		s, ok := identity.FromContext(r.Context())
		if !ok {
			websec.Problem{Type: "about:blank", Title: "Login required", Status: http.StatusUnauthorized}.Write(w)
			return
		}
		_ = json.NewEncoder(w).Encode(map[string]any{"loa": s.LoA, "agent": s.IsAgent(), "customer": s.Customer().Kind})
	})
	mux.HandleFunc("GET /test/binding", func(w http.ResponseWriter, r *http.Request) {
		b, _ := BindingFromContext(r.Context())
		_, _ = w.Write([]byte(base64.RawURLEncoding.EncodeToString(b)))
	})
	routes, err := m.Handler("/arendevy")
	require.NoError(t, err)
	mux.Handle("/arendevy/act-for", routes)
	mux.Handle("/arendevy/api/principals", routes)
	mux.Handle("/arendevy/api/csrf", routes)
	mux.Handle("/arendevy/api/session", routes)
	guard, err := websec.New(websec.Config{
		CSRFToken: m.CSRFToken,
		Exempt:    []string{"/arendevy/saml/acs", "/arendevy/saml/slo", "/portal/login"},
	})
	require.NoError(t, err)
	a.handler = guard.Handler(m.Middleware(mux))
	return a
}

// browser keeps cookies like a browser would (Path, and SameSite for
// cross-site requests) and records every Set-Cookie.
type browser struct {
	t          *testing.T
	a          *app
	origin     string
	jar        map[string]*http.Cookie
	setCookies []string
}

func (a *app) browser(t *testing.T) *browser {
	return &browser{t: t, a: a, origin: portal, jar: map[string]*http.Cookie{}}
}

// plant puts a cookie into the jar as an attacker (or a replay) would.
func (b *browser) plant(name, value string) {
	b.jar[name] = &http.Cookie{Name: name, Value: value, Path: "/", SameSite: http.SameSiteLaxMode}
}

func (b *browser) cookie(name string) string {
	if c, ok := b.jar[name]; ok {
		return c.Value
	}
	return ""
}

func (b *browser) do(method, path string, form url.Values, header http.Header) *http.Response {
	b.t.Helper()
	return b.send(method, path, form, header, false)
}

// send makes a request; crossSite is a POST from another site (the IdP's
// form), which carries only SameSite=None cookies.
func (b *browser) send(method, path string, form url.Values, header http.Header, crossSite bool) *http.Response {
	b.t.Helper()
	var body *strings.Reader
	if form != nil {
		body = strings.NewReader(form.Encode())
	} else {
		body = strings.NewReader("")
	}
	r := httptest.NewRequest(method, b.origin+path, body)
	if form != nil {
		r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	switch {
	case crossSite:
		r.Header.Set("Sec-Fetch-Site", "cross-site")
		r.Header.Set("Origin", "https://idp.example.se")
	case method != http.MethodGet:
		r.Header.Set("Sec-Fetch-Site", "same-origin")
	}
	for k, v := range header {
		r.Header[k] = v
	}
	for _, c := range b.jar {
		onPath := c.Path == "/" || r.URL.Path == c.Path || strings.HasPrefix(r.URL.Path, c.Path+"/")
		if onPath && (!crossSite || c.SameSite == http.SameSiteNoneMode) {
			r.AddCookie(&http.Cookie{Name: c.Name, Value: c.Value})
		}
	}
	w := httptest.NewRecorder()
	b.a.handler.ServeHTTP(w, r)
	res := w.Result()
	b.setCookies = append(b.setCookies, res.Header.Values("Set-Cookie")...)
	for _, c := range res.Cookies() {
		if c.MaxAge < 0 {
			delete(b.jar, c.Name)
		} else {
			b.jar[c.Name] = c
		}
	}
	return res
}

// acs posts to the assertion consumer service the way the IdP's page does:
// cross-site.
func (b *browser) acs(s identity.Subject) *http.Response {
	b.a.loginSubject = s
	return b.send(http.MethodPost, "/arendevy/saml/acs", url.Values{"SAMLResponse": {"x"}}, nil, true)
}

func (b *browser) overview() int {
	return b.do(http.MethodGet, "/arendevy/api/overview", nil, nil).StatusCode
}

// binding is the session binding the Middleware put in the context; "" without one.
func (b *browser) binding() string {
	res := b.do(http.MethodGet, "/test/binding", nil, nil)
	body, err := io.ReadAll(res.Body)
	require.NoError(b.t, err)
	return string(body)
}

func (b *browser) csrf() string {
	res := b.do(http.MethodGet, "/arendevy/api/csrf", nil, nil)
	require.Equal(b.t, http.StatusOK, res.StatusCode)
	var v struct{ Token string }
	require.NoError(b.t, json.NewDecoder(res.Body).Decode(&v))
	return v.Token
}

func (b *browser) logout() *http.Response {
	return b.do(http.MethodPost, "/arendevy/saml/logout", nil, http.Header{"X-Csrf-Token": {b.csrf()}})
}

func eleg(p identity.Party, loa string) identity.Subject {
	return identity.Subject{User: p, LoA: loa, IdP: "https://idp.example.se", AuthnInstant: time.Date(2026, 9, 14, 9, 0, 0, 0, time.UTC)}
}

func TestSessions(t *testing.T) {
	tests := []struct {
		name string
		run  func(t *testing.T, a *app)
	}{
		{"login sets a __Host- cookie carrying only an opaque ID", func(t *testing.T, a *app) {
			b := a.browser(t)
			require.Equal(t, http.StatusUnauthorized, b.overview())
			res := b.acs(eleg(agnes, LoA3))
			require.Equal(t, http.StatusNoContent, res.StatusCode)
			cookies := map[string]*http.Cookie{}
			for _, c := range res.Cookies() {
				cookies[c.Name] = c
			}
			require.Len(t, cookies, 3)
			c := cookies[CookieName]
			require.NotNil(t, c)
			require.True(t, c.Secure)
			require.True(t, c.HttpOnly)
			require.Equal(t, http.SameSiteLaxMode, c.SameSite)
			require.Equal(t, "/", c.Path)
			require.Empty(t, c.Domain)
			require.Equal(t, int((8 * time.Hour).Seconds()), c.MaxAge)
			require.True(t, validID(c.Value))

			acs := cookies[ACSCookieName]
			require.NotNil(t, acs, "the twin the IdP's cross-site POST carries")
			require.Equal(t, c.Value, acs.Value)
			require.Equal(t, "/arendevy/saml/acs", acs.Path)
			require.Equal(t, http.SameSiteNoneMode, acs.SameSite)
			require.True(t, acs.Secure)
			require.True(t, acs.HttpOnly)
			require.Equal(t, c.MaxAge, acs.MaxAge)
			slo := cookies[SLOCookieName]
			require.NotNil(t, slo, "the twin an IdP's cross-site LogoutRequest (HTTP-POST) carries")
			require.Equal(t, c.Value, slo.Value)
			require.Equal(t, "/arendevy/saml/slo", slo.Path)
			require.Equal(t, http.SameSiteNoneMode, slo.SameSite)
			require.True(t, slo.Secure)
			require.True(t, slo.HttpOnly)
			require.Equal(t, c.MaxAge, slo.MaxAge)
			require.Equal(t, http.StatusOK, b.overview())
		}},
		{"session fixation: the cookie set before login is not the one after", func(t *testing.T, a *app) {
			b := a.browser(t)
			require.Equal(t, http.StatusNoContent, b.do(http.MethodPost, "/portal/login", url.Values{"number": {agnes.Number}}, nil).StatusCode)
			before := b.cookie(CookieName)
			require.NotEmpty(t, before)
			require.Equal(t, before, b.cookie(ACSCookieName))
			b.acs(eleg(agnes, LoA3))
			after := b.cookie(CookieName)
			require.NotEqual(t, before, after)
			require.Equal(t, after, b.cookie(ACSCookieName))

			attacker := a.browser(t)
			attacker.plant(CookieName, before)
			require.Equal(t, http.StatusUnauthorized, attacker.overview(), "the pre-login ID is worthless")
			require.Equal(t, http.StatusOK, b.overview())
		}},
		{"session fixation: a planted unknown ID is replaced at login", func(t *testing.T, a *app) {
			planted := randomToken()
			b := a.browser(t)
			b.plant(CookieName, planted)
			b.acs(eleg(agnes, LoA3))
			require.NotEqual(t, planted, b.cookie(CookieName))
			attacker := a.browser(t)
			attacker.plant(CookieName, planted)
			require.Equal(t, http.StatusUnauthorized, attacker.overview())
		}},
		{"the binding stays for the session and changes with every login", func(t *testing.T, a *app) {
			b := a.browser(t)
			require.Empty(t, b.binding(), "none before login")
			b.acs(eleg(agnes, LoA3))
			first := b.binding()
			require.NotEmpty(t, first)
			a.clock.Add(time.Minute)
			require.Equal(t, first, b.binding(), "the same for the whole session")
			require.NotEqual(t, b.cookie(CookieName), first, "not the session ID")
			require.NotEqual(t, b.csrf(), first, "not the CSRF token")

			second := a.browser(t)
			second.acs(eleg(agnes, LoA3))
			require.NotEqual(t, first, second.binding(), "another session of the same user")
			b.acs(eleg(agnes, LoA3))
			require.NotEqual(t, first, b.binding(), "a new login in the same browser")
			b.logout()
			require.Empty(t, b.binding(), "none after logout")
		}},
		{"an IdP's cross-site POST to the SLO endpoint sees and ends the session (the SLO twin)", func(t *testing.T, a *app) {
			b := a.browser(t)
			b.acs(eleg(agnes, LoA3))
			require.Equal(t, http.StatusOK, b.overview())
			res := b.send(http.MethodPost, "/arendevy/saml/slo", url.Values{}, nil, true)
			require.Equal(t, http.StatusOK, res.StatusCode)
			var info SAMLInfo
			require.NoError(t, json.NewDecoder(res.Body).Decode(&info))
			require.Equal(t, "nid", info.NameID)
			require.Empty(t, b.cookie(SLOCookieName), "the twin is expired")
			require.Equal(t, http.StatusUnauthorized, b.overview(), "the session is gone on the server")
		}},
		{"the SLO twin is no session anywhere else", func(t *testing.T, a *app) {
			b := a.browser(t)
			b.acs(eleg(agnes, LoA3))
			twin := b.cookie(SLOCookieName)
			require.NotEmpty(t, twin)
			other := a.browser(t)
			other.plant(SLOCookieName, twin)
			require.Equal(t, http.StatusUnauthorized, other.overview())
			require.Equal(t, http.StatusOK, b.overview())
		}},
		{"the cookie replayed after logout gets 401", func(t *testing.T, a *app) {
			b := a.browser(t)
			b.acs(eleg(agnes, LoA3))
			stolen := b.cookie(CookieName)
			res := b.logout()
			require.Equal(t, http.StatusOK, res.StatusCode)
			var info SAMLInfo
			require.NoError(t, json.NewDecoder(res.Body).Decode(&info))
			require.Equal(t, "idx", info.SessionIndex, "logout returns what single logout needs")
			require.Empty(t, b.cookie(CookieName), "the cookie is expired")
			require.Empty(t, b.cookie(ACSCookieName), "and its twins")
			require.Empty(t, b.cookie(SLOCookieName))

			replay := a.browser(t)
			replay.plant(CookieName, stolen)
			require.Equal(t, http.StatusUnauthorized, replay.overview())
			require.Equal(t, http.StatusUnauthorized, b.overview())
		}},
		{"idle timeout ends a session nobody uses", func(t *testing.T, a *app) {
			b := a.browser(t)
			b.acs(eleg(agnes, LoA3))
			a.clock.Add(14 * time.Minute)
			require.Equal(t, http.StatusOK, b.overview(), "activity inside the idle window")
			a.clock.Add(14 * time.Minute)
			require.Equal(t, http.StatusOK, b.overview(), "the previous request reset the idle clock")
			a.clock.Add(15 * time.Minute)
			stale := b.cookie(CookieName)
			require.Equal(t, http.StatusUnauthorized, b.overview())
			_, err := a.m.cfg.Store.Load(context.Background(), storeKey(stale))
			require.ErrorIs(t, err, ErrNotFound, "a timed-out session is gone from the store")
		}},
		{"absolute timeout ends even an active session", func(t *testing.T, a *app) {
			b := a.browser(t)
			b.acs(eleg(agnes, LoA3))
			for range 47 { // 47 × 10 min = 7 h 50 min
				a.clock.Add(10 * time.Minute)
				require.Equal(t, http.StatusOK, b.overview())
			}
			a.clock.Add(10 * time.Minute)
			require.Equal(t, http.StatusUnauthorized, b.overview())
		}},
		{"portal password login alone gives no subject", func(t *testing.T, a *app) {
			b := a.browser(t)
			b.do(http.MethodPost, "/portal/login", url.Values{"number": {agnes.Number}}, nil)
			require.Equal(t, http.StatusUnauthorized, b.overview(), "the overview demands step-up")
			d, ok := a.m.Current(httptestRequest(b))
			require.True(t, ok)
			require.Equal(t, agnes.Number, d.Bound)
		}},
		{"step-up with the same personnummer gets a new session", func(t *testing.T, a *app) {
			b := a.browser(t)
			b.do(http.MethodPost, "/portal/login", url.Values{"number": {agnes.Number}}, nil)
			low := b.cookie(CookieName)
			require.Equal(t, http.StatusNoContent, b.acs(eleg(agnes, LoA3)).StatusCode)
			require.NotEqual(t, low, b.cookie(CookieName))
			require.Equal(t, http.StatusOK, b.overview())
			d, ok := a.m.Current(httptestRequest(b))
			require.True(t, ok)
			require.Equal(t, agnes.Number, d.Bound, "the binding carries over")
			replay := a.browser(t)
			replay.plant(CookieName, low)
			require.Equal(t, http.StatusUnauthorized, replay.overview(), "the low session is gone")
		}},
		{"step-up with a different personnummer is refused", func(t *testing.T, a *app) {
			b := a.browser(t)
			b.do(http.MethodPost, "/portal/login", url.Values{"number": {agnes.Number}}, nil)
			res := b.acs(eleg(other, LoA3))
			require.Equal(t, http.StatusForbidden, res.StatusCode)
			require.Equal(t, http.StatusUnauthorized, b.overview(), "still no subject")
			require.Contains(t, a.logs.String(), "step-up refused")
		}},
		{"a login below the accepted levels is refused", func(t *testing.T, a *app) {
			b := a.browser(t)
			res := b.acs(eleg(agnes, "http://id.elegnamnden.se/loa/1.0/loa2"))
			require.Equal(t, http.StatusForbidden, res.StatusCode)
			require.Empty(t, b.cookie(CookieName))
			require.Equal(t, http.StatusUnauthorized, b.overview())
		}},
		{"eIDAS substantial is accepted by default", func(t *testing.T, a *app) {
			b := a.browser(t)
			b.acs(eleg(agnes, EIDASSubstantial))
			require.Equal(t, http.StatusOK, b.overview())
		}},
		{"no personnummer, name or session ID in cookies or logs", func(t *testing.T, a *app) {
			b := a.browser(t)
			b.do(http.MethodPost, "/portal/login", url.Values{"number": {agnes.Number}}, nil)
			b.acs(eleg(other, LoA3)) // refused step-up: logged
			b.acs(eleg(agnes, LoA3))
			id := b.cookie(CookieName)
			token := b.csrf()
			b.do(http.MethodPost, "/arendevy/act-for", url.Values{"party": {"1"}, "csrf": {token}}, nil)
			b.do(http.MethodPost, "/arendevy/act-for", url.Values{"party": {"7"}, "csrf": {token}}, nil)
			b.overview()
			b.logout()
			a.clock.Add(time.Hour)
			require.NotEmpty(t, b.setCookies)
			logs := a.logs.String()
			require.NotEmpty(t, logs)
			for _, s := range append(secrets, id, token) {
				require.NotContains(t, logs, s)
			}
			for _, c := range b.setCookies {
				for _, s := range secrets {
					require.NotContains(t, c, s)
				}
			}
		}},
	}
	for _, kind := range storeKinds() {
		t.Run(kind.name, func(t *testing.T) {
			for _, tt := range tests {
				t.Run(tt.name, func(t *testing.T) {
					c := newClock()
					tt.run(t, newApp(t, kind.new(t, c), c, nil))
				})
			}
		})
	}
}

// httptestRequest is a request carrying b's cookies, for calling Manager
// methods directly.
func httptestRequest(b *browser) *http.Request {
	r := httptest.NewRequest(http.MethodGet, b.origin+"/", nil)
	for _, c := range b.jar {
		r.AddCookie(&http.Cookie{Name: c.Name, Value: c.Value})
	}
	return r
}

func TestCookieNameFollowsTransport(t *testing.T) {
	tests := []struct {
		name       string
		allowPlain bool
		origin     string
		cookie     string
		secure     bool
	}{
		{"https gets __Host-", true, "https://portal.example.se", CookieName, true},
		{"plain http to loopback in development", true, "http://127.0.0.1:8080", DevCookieName, false},
		{"plain http to localhost in development", true, "http://localhost:8080", DevCookieName, false},
		{"plain http to a name under .localhost in development", true, "http://arenden.arendevy.localhost:8080", DevCookieName, false},
		{"plain http to a public host stays Secure (a TLS proxy in front)", true, "http://portal.example.se", CookieName, true},
		{"loopback without the development switch stays Secure", false, "http://127.0.0.1:8080", CookieName, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := newClock()
			a := newApp(t, NewMemory(MemoryConfig{Now: c.Now}), c, func(cfg *Config) { cfg.AllowPlainHTTP = tt.allowPlain })
			b := a.browser(t)
			b.origin = tt.origin
			res := b.acs(eleg(agnes, LoA3))
			require.Equal(t, http.StatusNoContent, res.StatusCode)
			ck := res.Cookies()[0]
			require.Equal(t, tt.cookie, ck.Name)
			require.Equal(t, tt.secure, ck.Secure)
			require.Equal(t, http.StatusOK, b.overview())
		})
	}
}

// TestCookieDomain: with a CookieDomain the session cookie goes to every
// host of the domain (as __Secure-, Lax as ever), its SAML twins stay on the
// kit's host, and logout expires it for the same domain.
func TestCookieDomain(t *testing.T) {
	c := newClock()
	a := newApp(t, NewMemory(MemoryConfig{Now: c.Now}), c, func(cfg *Config) { cfg.CookieDomain = "example.se" })
	b := a.browser(t)
	res := b.acs(eleg(agnes, LoA3))
	require.Equal(t, http.StatusNoContent, res.StatusCode)
	cookies := map[string]*http.Cookie{}
	for _, ck := range res.Cookies() {
		cookies[ck.Name] = ck
	}
	require.NotContains(t, cookies, CookieName, "a __Host- cookie cannot have a Domain")
	ck := cookies[DomainCookieName]
	require.NotNil(t, ck)
	require.Equal(t, "example.se", ck.Domain)
	require.True(t, ck.Secure)
	require.True(t, ck.HttpOnly)
	require.Equal(t, http.SameSiteLaxMode, ck.SameSite)
	require.Equal(t, "/", ck.Path)
	for _, twin := range []string{ACSCookieName, SLOCookieName} {
		require.NotNil(t, cookies[twin])
		require.Empty(t, cookies[twin].Domain, "the SAML twins stay on the kit's host")
		require.Equal(t, ck.Value, cookies[twin].Value)
	}
	require.Equal(t, http.StatusOK, b.overview())

	res = b.logout()
	require.Equal(t, http.StatusOK, res.StatusCode)
	var expired *http.Cookie
	for _, ck := range res.Cookies() {
		if ck.Name == DomainCookieName {
			expired = ck
		}
	}
	require.NotNil(t, expired)
	require.Equal(t, "example.se", expired.Domain, "expired for the domain it was set for")
	require.Negative(t, expired.MaxAge)

	dev := newApp(t, NewMemory(MemoryConfig{Now: c.Now}), c, func(cfg *Config) {
		cfg.CookieDomain, cfg.AllowPlainHTTP = "arendevy.localhost", true
	})
	db := dev.browser(t)
	db.origin = "http://arenden.arendevy.localhost:8080"
	res = db.acs(eleg(agnes, LoA3))
	require.Equal(t, DevCookieName, res.Cookies()[0].Name)
	require.Equal(t, "arendevy.localhost", res.Cookies()[0].Domain)
}

func TestCheckCookieDomain(t *testing.T) {
	for _, tc := range []struct{ domain, host, problem string }{
		{"bank.se", "arenden.bank.se", ""},
		{"arenden.bank.se", "arenden.bank.se", ""},
		{"bank.se", "a.b.bank.se", ""},
		{"bank.se", "ARENDEN.BANK.SE.", ""},
		{"arendevy.localhost", "arenden.arendevy.localhost", ""},
		{"bank.se", "", ""},

		{"", "arenden.bank.se", "not a domain name"},
		{".bank.se", "arenden.bank.se", "leading dot"},
		{"Bank.se", "arenden.bank.se", "not a domain name"},
		{"bank.se:443", "arenden.bank.se", "not a domain name"},
		{"bank..se", "arenden.bank.se", "not a domain name"},
		{"bank.se/", "arenden.bank.se", "not a domain name"},
		{"se", "arenden.bank.se", "public suffix"},
		{"github.io", "bank.github.io", "public suffix"},
		{"localhost", "arenden.localhost", "public suffix"},
		{"127.0.0.1", "127.0.0.1", "an address"},
		{"other.se", "arenden.bank.se", "not arenden.bank.se or a parent"},
		{"ank.se", "arenden.bank.se", "not arenden.bank.se or a parent"},
		{"www.bank.se", "arenden.bank.se", "not arenden.bank.se or a parent"},
	} {
		err := CheckCookieDomain(tc.domain, tc.host)
		if tc.problem == "" {
			require.NoError(t, err, tc.domain)
			continue
		}
		require.ErrorContains(t, err, tc.problem, tc.domain)
	}
}

// brokenStore fails every call, like a Redis that went away.
type brokenStore struct{}

var errDown = errors.New("store down")

func (brokenStore) Load(context.Context, string) (Data, error)              { return Data{}, errDown }
func (brokenStore) Save(context.Context, string, Data, time.Duration) error { return errDown }
func (brokenStore) Delete(context.Context, string) error                    { return errDown }
func (brokenStore) Update(context.Context, string, func(*Data) (time.Duration, error)) error {
	return errDown
}

func TestStoreOutageIsAClear503(t *testing.T) {
	c := newClock()
	a := newApp(t, brokenStore{}, c, nil)
	b := a.browser(t)
	b.plant(CookieName, randomToken())
	res := b.do(http.MethodGet, "/arendevy/api/overview", nil, nil)
	require.Equal(t, http.StatusServiceUnavailable, res.StatusCode)
	require.Equal(t, "application/problem+json", res.Header.Get("Content-Type"))
	require.Contains(t, a.logs.String(), "store down")

	delete(b.jar, CookieName)
	require.Equal(t, http.StatusForbidden, b.acs(eleg(agnes, LoA3)).StatusCode, "a login that cannot be saved fails")
}

func TestNewManagerRejectsBadConfig(t *testing.T) {
	for name, cfg := range map[string]Config{
		"idle beyond absolute": {IdleTimeout: 9 * time.Hour},
		"no accepted levels":   {AcceptedLoAs: []string{}},
		"negative timeout":     {IdleTimeout: -time.Minute},
		"a public suffix":      {CookieDomain: "se"},
		"a leading dot":        {CookieDomain: ".bank.se"},
	} {
		t.Run(name, func(t *testing.T) {
			_, err := NewManager(cfg)
			require.Error(t, err)
		})
	}
}

// TestHandlerTakesTheKitsMount: the Manager has no mount of its own; it
// serves the one it is handed and refuses a second.
func TestHandlerTakesTheKitsMount(t *testing.T) {
	m, err := NewManager(Config{Logger: slog.New(slog.DiscardHandler)})
	require.NoError(t, err)
	for _, bad := range []string{"", "arendevy", "/arendevy/"} {
		_, err := m.Handler(bad)
		require.Error(t, err, bad)
	}
	_, err = m.Handler("/x")
	require.NoError(t, err)
	_, err = m.Handler("/x")
	require.NoError(t, err, "the same mount again is fine")
	_, err = m.Handler("/arendevy")
	require.ErrorContains(t, err, "mounted at /x already, not /arendevy")
	require.Equal(t, "/x/saml/acs", m.acsPath())
}

func FuzzMiddlewareCookie(f *testing.F) {
	c := newClock()
	m, err := NewManager(Config{Now: c.Now, Logger: slog.New(slog.DiscardHandler)})
	require.NoError(f, err)
	h := m.Middleware(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if _, ok := identity.FromContext(r.Context()); ok {
			w.WriteHeader(http.StatusOK)
			return
		}
		w.WriteHeader(http.StatusUnauthorized)
	}))
	f.Add(randomToken())
	f.Add("")
	f.Add(strings.Repeat("A", 43))
	f.Add("a;b=c, d")
	f.Fuzz(func(t *testing.T, v string) {
		r := httptest.NewRequest(http.MethodGet, portal+"/arendevy/api/overview", nil)
		r.Header.Set("Cookie", CookieName+"="+v)
		w := httptest.NewRecorder()
		h.ServeHTTP(w, r)
		require.Equal(t, http.StatusUnauthorized, w.Code)
	})
}

// BenchmarkMiddleware: every request of a logged-in user loads and touches
// the session.
func BenchmarkMiddleware(b *testing.B) {
	for _, kind := range []string{"memory", "redis"} {
		b.Run(kind, func(b *testing.B) {
			var store Store = NewMemory(MemoryConfig{})
			if kind == "redis" {
				store = NewRedis(redisClient(b), "bench:")
			}
			m, err := NewManager(Config{Store: store, Logger: slog.New(slog.DiscardHandler)})
			require.NoError(b, err)
			login := httptest.NewRecorder()
			require.NoError(b, m.Login(login, httptest.NewRequest(http.MethodPost, portal+"/arendevy/saml/acs", nil), eleg(agnes, LoA3), SAMLInfo{}))
			cookie := login.Result().Cookies()[0]
			h := m.Middleware(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				if _, ok := identity.FromContext(r.Context()); !ok {
					b.Fatal("no subject")
				}
			}))
			for b.Loop() {
				r := httptest.NewRequest(http.MethodGet, portal+"/arendevy/api/overview", nil)
				r.AddCookie(cookie)
				h.ServeHTTP(httptest.NewRecorder(), r)
			}
		})
	}
}
