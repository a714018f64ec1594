package saml

import (
	"fmt"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	crewjam "github.com/crewjam/saml"
	"github.com/stretchr/testify/require"

	"github.com/arendevy/arendevy/e2e/htmlform"
	"github.com/arendevy/arendevy/kit/devidp"
	"github.com/arendevy/arendevy/kit/identity"
	"github.com/arendevy/arendevy/kit/session"
)

// world is a portal (our SP and the real session manager) and the
// development IdP, each behind its own TLS server on loopback, and a
// browser-like client with a cookie jar.
type world struct {
	*env
	portal, idpSrv *httptest.Server
	client         *http.Client
}

func newWorld(t *testing.T, mods ...func(*Config)) *world {
	t.Helper()
	testKeys(t)
	w := &world{}
	w.idpSrv = httptest.NewUnstartedServer(nil)
	w.idpSrv.StartTLS()
	t.Cleanup(w.idpSrv.Close)
	w.portal = httptest.NewUnstartedServer(nil)
	w.portal.StartTLS()
	t.Cleanup(w.portal.Close)

	idp, err := devidp.New(devidp.Config{
		BaseURL:     w.idpSrv.URL + "/devidp",
		Key:         idpKeys.key,
		Certificate: idpKeys.cert,
		Personas: []devidp.Persona{
			{Number: testNumber, GivenName: testGiven, Surname: testSurname},
			{Number: testSamordning, GivenName: "Lisa", Surname: "Samordning"},
		},
		Logger: discard(),
	})
	require.NoError(t, err)
	w.idpSrv.Config.Handler = idp.Handler()

	mgr, err := session.NewManager(session.Config{Logger: discard()})
	require.NoError(t, err)
	w.env = newEnv(t, append([]func(*Config){func(c *Config) {
		c.RootURL = w.portal.URL
		c.EntityID = w.portal.URL + "/arendevy/saml/metadata"
		c.IdPMetadata = idp.Metadata()
		c.Sessions = mgr
	}}, mods...)...)
	require.NoError(t, idp.Register(w.sp.Metadata()))

	// Mounted as the kit mounts it, so the ACS cookie a real browser
	// needs for step-up is set too.
	sessionRoutes, err := mgr.Handler("/arendevy")
	require.NoError(t, err)
	mux := http.NewServeMux()
	mux.Handle("/arendevy/api/", sessionRoutes)
	mux.Handle("/arendevy/saml/", w.sp.Handler())
	mux.Handle("/minasidor", mgr.Middleware(http.HandlerFunc(func(rw http.ResponseWriter, r *http.Request) {
		s, ok := identity.FromContext(r.Context())
		if !ok {
			http.Error(rw, "login required", http.StatusUnauthorized)
			return
		}
		fmt.Fprintf(rw, "subject %s %s %s", s.User.Number, s.User.Name, s.LoA)
	})))
	mux.HandleFunc("/hej-da", func(rw http.ResponseWriter, _ *http.Request) { fmt.Fprint(rw, "utloggad") })
	// A portal's own, weaker login (username and password) for testNumber's account.
	mux.HandleFunc("/portal-login", func(rw http.ResponseWriter, r *http.Request) {
		if err := mgr.BindPortalLogin(rw, r, testNumber); err != nil {
			http.Error(rw, err.Error(), http.StatusInternalServerError)
		}
	})
	w.portal.Config.Handler = mux

	jar, err := cookiejar.New(nil)
	require.NoError(t, err)
	w.client = w.portal.Client() // trusts httptest's certificate, which both servers use
	w.client.Jar = jar
	return w
}

func (w *world) do(t *testing.T, method, target string, body url.Values) (*http.Response, string) {
	t.Helper()
	var r io.Reader
	if body != nil {
		r = strings.NewReader(body.Encode())
	}
	req, err := http.NewRequest(method, target, r)
	require.NoError(t, err)
	if body != nil {
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	resp, err := w.client.Do(req)
	require.NoError(t, err)
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	return resp, string(b)
}

// startLogin follows the redirect to the IdP and returns its page.
func (w *world) startLogin(t *testing.T, returnTo string) string {
	t.Helper()
	resp, page := w.do(t, http.MethodGet, w.portal.URL+"/arendevy/saml/login?return="+url.QueryEscape(returnTo), nil)
	require.Equal(t, http.StatusOK, resp.StatusCode, page)
	require.True(t, strings.HasPrefix(resp.Request.URL.String(), w.idpSrv.URL+"/devidp/sso?"), "at the IdP")
	return page
}

// choose picks persona i on the chooser page and returns the IdP's answer.
func (w *world) choose(t *testing.T, chooser string, i int) string {
	t.Helper()
	fs := htmlform.Parse(chooser)
	require.NotEmpty(t, fs)
	f := fs[0]
	require.Greater(t, len(f.Radios), i)
	f.Fields.Set("persona", f.Radios[i])
	resp, page := w.do(t, http.MethodPost, w.idpSrv.URL+f.Action, f.Fields)
	require.Equal(t, http.StatusOK, resp.StatusCode, page)
	return page
}

// deliver posts the IdP's auto-submitting form to the ACS, as the
// browser's script would, and returns where the user ends up.
func (w *world) deliver(t *testing.T, idpPage string) (*http.Response, string) {
	t.Helper()
	fs := htmlform.Parse(idpPage)
	require.Len(t, fs, 1)
	require.Equal(t, w.portal.URL+"/arendevy/saml/acs", fs[0].Action)
	return w.do(t, http.MethodPost, fs[0].Action, fs[0].Fields)
}

func TestEndToEndWithTheDevelopmentIdP(t *testing.T) {
	w := newWorld(t)

	resp, page := w.do(t, http.MethodGet, w.portal.URL+"/minasidor", nil)
	require.Equal(t, http.StatusUnauthorized, resp.StatusCode, "not logged in yet")

	chooser := w.startLogin(t, "/minasidor")
	require.Contains(t, chooser, "Välj testperson")
	resp, page = w.deliver(t, w.choose(t, chooser, 1))
	require.Equal(t, http.StatusOK, resp.StatusCode, page)
	require.Equal(t, w.portal.URL+"/minasidor", resp.Request.URL.String())
	require.Equal(t, "subject "+testSamordning+" Lisa Samordning "+loa3, page)

	// The IdP remembers the login: without ForceAuthn the next login is
	// single sign-on, straight back with an assertion.
	resp, page = w.do(t, http.MethodGet, w.portal.URL+"/arendevy/saml/login?return=%2Fminasidor", nil)
	require.Equal(t, http.StatusOK, resp.StatusCode)
	require.NotContains(t, page, "Välj testperson")
	resp, page = w.deliver(t, page)
	require.Equal(t, "subject "+testSamordning+" Lisa Samordning "+loa3, page)

	// Logout ends the portal session and, by single logout, the IdP's.
	resp, page = w.do(t, http.MethodPost, w.portal.URL+"/arendevy/saml/logout", url.Values{"return": {"/hej-da"}})
	require.Equal(t, http.StatusOK, resp.StatusCode, page)
	require.Equal(t, w.portal.URL+"/hej-da", resp.Request.URL.String(), "back from the IdP's single logout")
	require.Equal(t, "utloggad", page)
	resp, _ = w.do(t, http.MethodGet, w.portal.URL+"/minasidor", nil)
	require.Equal(t, http.StatusUnauthorized, resp.StatusCode, "the session is gone")
	require.Contains(t, w.startLogin(t, "/minasidor"), "Välj testperson", "the IdP session is gone too")
}

// An SP that asks for a level of assurance the IdP does not assert gets the
// IdP's error status at once: no chooser, and no assertion it must refuse.
func TestEndToEndLevelTheIdPDoesNotAssert(t *testing.T) {
	const loa4 = "http://id.elegnamnden.se/loa/1.0/loa4"
	w := newWorld(t, func(c *Config) { c.LoAs = []string{loa4} })
	page := w.startLogin(t, "/minasidor")
	require.NotContains(t, page, "Välj testperson")
	n := w.log.count()
	resp, body := w.deliver(t, page)
	require.Equal(t, http.StatusBadRequest, resp.StatusCode)
	require.Contains(t, body, "Inloggningen kunde inte genomföras")
	var status *StatusError
	require.ErrorAs(t, w.log.errorSince(n), &status)
	require.Equal(t, StatusError{Code: crewjam.StatusRequester, SubCode: crewjam.StatusNoAuthnContext}, *status)
	resp, _ = w.do(t, http.MethodGet, w.portal.URL+"/minasidor", nil)
	require.Equal(t, http.StatusUnauthorized, resp.StatusCode, "no session")
}

func TestEndToEndForceAuthnAlwaysAsks(t *testing.T) {
	w := newWorld(t, func(c *Config) { c.ForceAuthn = true })
	w.deliver(t, w.choose(t, w.startLogin(t, "/minasidor"), 0))
	require.Contains(t, w.startLogin(t, "/minasidor"), "Välj testperson", "ForceAuthn: the IdP asks again")
}

// The five-minute user: the login started five minutes before the
// assertion arrives (crewjam's own tracking gives up after 90 seconds).
func TestEndToEndFiveMinuteUser(t *testing.T) {
	w := newWorld(t)
	w.offset.Store(int64(-5 * time.Minute))
	chooser := w.startLogin(t, "/minasidor")
	w.offset.Store(0)
	resp, page := w.deliver(t, w.choose(t, chooser, 0))
	require.Equal(t, http.StatusOK, resp.StatusCode, page)
	require.Equal(t, "subject "+testNumber+" "+testDisplay+" "+loa3, page)
}

func TestEndToEndChooserInEnglish(t *testing.T) {
	w := newWorld(t)
	chooser := w.startLogin(t, "/minasidor")
	fs := htmlform.Parse(chooser)
	require.Len(t, fs, 2, "the persona form and the language switch")
	sw := fs[1]
	sw.Fields.Set("lang", "en")
	_, english := w.do(t, http.MethodPost, w.idpSrv.URL+sw.Action, sw.Fields)
	require.Contains(t, english, `<html lang="en" dir="ltr">`)
	require.Contains(t, english, "Choose a test person")
	resp, page := w.deliver(t, w.choose(t, english, 0))
	require.Equal(t, http.StatusOK, resp.StatusCode, page)
	require.Equal(t, "subject "+testNumber+" "+testDisplay+" "+loa3, page)
}

// Step-up: after the portal's own login for one person's account, an
// e-legitimation of someone else starts no session; the right person's does.
// ForceAuthn makes the IdP ask again after the wrong person's attempt.
func TestEndToEndStepUp(t *testing.T) {
	w := newWorld(t, func(c *Config) { c.ForceAuthn = true })
	resp, _ := w.do(t, http.MethodGet, w.portal.URL+"/portal-login", nil)
	require.Equal(t, http.StatusOK, resp.StatusCode)
	resp, _ = w.do(t, http.MethodGet, w.portal.URL+"/minasidor", nil)
	require.Equal(t, http.StatusUnauthorized, resp.StatusCode, "the portal login is not enough for the overview")

	resp, page := w.deliver(t, w.choose(t, w.startLogin(t, "/minasidor"), 1))
	require.Equal(t, http.StatusForbidden, resp.StatusCode)
	require.Contains(t, page, "annan person")
	require.NotContains(t, page, testSamordning)
	resp, _ = w.do(t, http.MethodGet, w.portal.URL+"/minasidor", nil)
	require.Equal(t, http.StatusUnauthorized, resp.StatusCode)

	resp, page = w.deliver(t, w.choose(t, w.startLogin(t, "/minasidor"), 0))
	require.Equal(t, http.StatusOK, resp.StatusCode, page)
	require.Equal(t, "subject "+testNumber+" "+testDisplay+" "+loa3, page)
}
