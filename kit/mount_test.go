package kit_test

import (
	"context"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"math/big"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"golang.org/x/net/html"

	"github.com/arendevy/arendevy/kit"
	"github.com/arendevy/arendevy/kit/cases"
	"github.com/arendevy/arendevy/kit/devidp"
	"github.com/arendevy/arendevy/kit/fanout"
	"github.com/arendevy/arendevy/kit/identity"
	"github.com/arendevy/arendevy/kit/producers"
	"github.com/arendevy/arendevy/kit/ratelimit"
	"github.com/arendevy/arendevy/kit/saml"
	"github.com/arendevy/arendevy/kit/session"
)

// mountedSite is one TLS server on loopback with the development IdP under
// /devidp/ and everything else answered by the kit, so a path the kit does
// not serve gets the kit's own 404.
type mountedSite struct {
	srv    *httptest.Server
	client *http.Client
	kit    *kit.Kit
	closed *atomic.Bool // the producer has removed the customer's case
}

// newMountedSite wires a default session manager, an SP told mount, and a
// kit built with kitMount (and limits, if given), the way a portal does.
func newMountedSite(t *testing.T, mount, kitMount string, limits ...kit.Limits) (*mountedSite, error) {
	t.Helper()
	logger := slog.New(slog.DiscardHandler)
	s := &mountedSite{srv: httptest.NewUnstartedServer(nil), closed: &atomic.Bool{}}
	s.srv.StartTLS()
	t.Cleanup(s.srv.Close)

	idpKey, idpCert := keyPair(t)
	idp, err := devidp.New(devidp.Config{BaseURL: s.srv.URL + "/devidp", Key: idpKey, Certificate: idpCert,
		Personas: []devidp.Persona{{Number: "191212121212", GivenName: "Tolvan", Surname: "Tolvansson"}}, Logger: logger})
	require.NoError(t, err)
	sessions, err := session.NewManager(session.Config{Logger: logger})
	require.NoError(t, err)
	spKey, spCert := keyPair(t)
	sp, err := saml.New(saml.Config{RootURL: s.srv.URL, Mount: mount, Key: spKey, Certificate: spCert,
		IdPMetadata: idp.Metadata(), Sessions: sessions, Logger: logger})
	require.NoError(t, err)
	require.NoError(t, idp.Register(sp.Metadata()))

	dir, err := producers.New([]producers.Info{{ID: "skv", Name: "Skatteverket", Hosts: []string{"www.skatteverket.se"}}})
	require.NoError(t, err)
	var lim kit.Limits
	if len(limits) > 0 {
		lim = limits[0]
	}
	s.kit, err = kit.New(kit.Config{Mount: kitMount, Producers: dir, Sessions: sessions, SSO: sp, Logger: logger, Limits: lim,
		Sources: []fanout.Member{{Name: "skv", Actor: cases.Actor{ID: "skv", Name: "Skatteverket"},
			Source: cases.SourceFunc(func(context.Context, identity.Subject) (cases.Result, error) {
				if s.closed.Load() {
					return cases.Result{}, nil
				}
				return cases.Result{Cases: []cases.Case{{ID: "1", Title: "Ansökan om F-skatt",
					Sender: cases.Actor{ID: "skv", Name: "Skatteverket"}, Status: cases.InProgress,
					Date: time.Date(2026, 11, 20, 9, 0, 0, 0, time.UTC), Link: "https://www.skatteverket.se/arende/1"}}}, nil
			})}}})
	if err != nil {
		return nil, err
	}
	mux := http.NewServeMux()
	mux.Handle("/devidp/", idp.Handler())
	mux.Handle("/", s.kit.Handler())
	s.srv.Config.Handler = mux

	jar, err := cookiejar.New(nil)
	require.NoError(t, err)
	s.client = s.srv.Client()
	s.client.Jar = jar
	return s, nil
}

func (s *mountedSite) do(t *testing.T, method, path string, form url.Values, header http.Header) (*http.Response, string) {
	t.Helper()
	target := path
	if !strings.HasPrefix(target, "https://") {
		target = s.srv.URL + path
	}
	var body io.Reader
	if form != nil {
		body = strings.NewReader(form.Encode())
	}
	req, err := http.NewRequest(method, target, body)
	require.NoError(t, err)
	if form != nil {
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	for k, v := range header {
		req.Header[k] = v
	}
	resp, err := s.client.Do(req)
	require.NoError(t, err)
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	return resp, string(b)
}

// submit posts the page's first form as a browser would, with the checked
// radio button: the IdP's chooser, then its auto-submitting answer.
func (s *mountedSite) submit(t *testing.T, page string) (*http.Response, string) {
	t.Helper()
	var action string
	fields := url.Values{}
	z := html.NewTokenizer(strings.NewReader(page))
	for tt := z.Next(); tt != html.ErrorToken; tt = z.Next() {
		tok := z.Token()
		if tok.Type == html.EndTagToken && tok.Data == "form" {
			break
		}
		attr := map[string]string{}
		for _, a := range tok.Attr {
			attr[a.Key] = a.Val
		}
		_, checked := attr["checked"]
		switch {
		case tok.Data == "form":
			action = attr["action"]
		case tok.Data == "input" && (attr["type"] != "radio" || checked):
			fields.Add(attr["name"], attr["value"])
		}
	}
	require.NotEmpty(t, action, "a form on the page")
	return s.do(t, http.MethodPost, action, fields, nil)
}

// TestKitMountedElsewhere: Config.Mount is the one place the prefix is
// chosen. A kit at /x, with a default session manager and an SP told the
// same mount, logs in through the development IdP end to end and serves
// the API, the session routes, the CSRF check and the deep links under /x;
// nothing answers under /arendevy.
func TestKitMountedElsewhere(t *testing.T) {
	s, err := newMountedSite(t, "/x", "/x")
	require.NoError(t, err)

	resp, body := s.do(t, http.MethodGet, "/x/api/overview", nil, nil)
	require.Equal(t, http.StatusUnauthorized, resp.StatusCode)
	require.Contains(t, body, `"/x/saml/login`)

	resp, chooser := s.do(t, http.MethodGet, "/x/saml/login?return=%2Fx%2Fapi%2Foverview", nil, nil)
	require.Equal(t, http.StatusOK, resp.StatusCode, chooser)
	require.True(t, strings.HasPrefix(resp.Request.URL.Path, "/devidp/"), "at the IdP")
	resp, answer := s.submit(t, chooser)
	require.Equal(t, http.StatusOK, resp.StatusCode, answer)
	require.Contains(t, answer, s.srv.URL+"/x/saml/acs")
	resp, overview := s.submit(t, answer) // the ACS, exempt from the CSRF check at /x
	require.Equal(t, http.StatusOK, resp.StatusCode, overview)
	require.Equal(t, "/x/api/overview", resp.Request.URL.Path)
	require.Contains(t, overview, "Ansökan om F-skatt")
	require.Contains(t, overview, `"/x/go/`, "deep links go through the kit under the mount")

	resp, body = s.do(t, http.MethodGet, "/x/api/csrf", nil, nil)
	require.Equal(t, http.StatusOK, resp.StatusCode, body)
	var csrf struct{ Token string }
	require.NoError(t, json.Unmarshal([]byte(body), &csrf))
	require.NotEmpty(t, csrf.Token)
	resp, body = s.do(t, http.MethodPost, "/x/act-for", url.Values{"party": {"0"}},
		http.Header{"X-Csrf-Token": {csrf.Token}, "Sec-Fetch-Site": {"same-origin"}, "Accept": {"application/json"}})
	require.Equal(t, http.StatusOK, resp.StatusCode, body)
	require.Contains(t, body, "Tolvan Tolvansson")

	for _, path := range []string{"/arendevy/api/overview", "/arendevy/api/csrf", "/arendevy/api/principals", "/arendevy/saml/metadata"} {
		resp, _ := s.do(t, http.MethodGet, path, nil, nil)
		require.Equal(t, http.StatusNotFound, resp.StatusCode, path)
	}
}

// TestKitRefusesAnSPMountedElsewhere: the SP is built before the kit and
// publishes its ACS in metadata, so it is told the mount; a kit with
// another one says so instead of answering 404 at login.
func TestKitRefusesAnSPMountedElsewhere(t *testing.T) {
	_, err := newMountedSite(t, "/arendevy", "/x")
	var ce *kit.ConfigError
	require.True(t, errors.As(err, &ce), "%v", err)
	require.ErrorContains(t, err, "SSO: the SAML SP is mounted at /arendevy but Mount is /x")
}

// keyPair is a fresh RSA key and its self-signed certificate.
func keyPair(t *testing.T) (*rsa.PrivateKey, *x509.Certificate) {
	t.Helper()
	key, err := rsa.GenerateKey(rand.Reader, 2048)
	require.NoError(t, err)
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "test"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour)}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	require.NoError(t, err)
	cert, err := x509.ParseCertificate(der)
	require.NoError(t, err)
	return key, cert
}

// loginAndLoad logs in through the development IdP in the site's browser
// and returns the overview it lands on.
func (s *mountedSite) loginAndLoad(t *testing.T) string {
	t.Helper()
	resp, chooser := s.do(t, http.MethodGet, "/arendevy/saml/login?return=%2Farendevy%2Fapi%2Foverview", nil, nil)
	require.Equal(t, http.StatusOK, resp.StatusCode, chooser)
	_, answer := s.submit(t, chooser)
	resp, overview := s.submit(t, answer)
	require.Equal(t, http.StatusOK, resp.StatusCode, overview)
	require.Equal(t, "/arendevy/api/overview", resp.Request.URL.Path)
	return overview
}

// follow gets a deep link in the site's browser without following the
// redirect out to the producer.
func (s *mountedSite) follow(t *testing.T, link string) *http.Response {
	t.Helper()
	c := *s.client
	c.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	resp, err := c.Get(s.srv.URL + link)
	require.NoError(t, err)
	require.NoError(t, resp.Body.Close())
	return resp
}

// TestDeepLinksOpenOnlyInTheirSession: a link from the overview opens in
// the session that loaded it and in no other, even the same user's.
func TestDeepLinksOpenOnlyInTheirSession(t *testing.T) {
	s, err := newMountedSite(t, "/arendevy", "/arendevy")
	require.NoError(t, err)
	var ov struct{ Cases []struct{ Link string } }
	require.NoError(t, json.Unmarshal([]byte(s.loginAndLoad(t)), &ov))
	link := ov.Cases[0].Link
	require.True(t, strings.HasPrefix(link, "/arendevy/go/"), link)

	resp := s.follow(t, link)
	require.Equal(t, http.StatusSeeOther, resp.StatusCode)
	require.Equal(t, "https://www.skatteverket.se/arende/1", resp.Header.Get("Location"))

	jar, err := cookiejar.New(nil)
	require.NoError(t, err)
	other := *s
	other.client = &http.Client{Transport: s.client.Transport, Jar: jar}
	other.loginAndLoad(t)
	resp = other.follow(t, link)
	require.Equal(t, http.StatusBadRequest, resp.StatusCode, "another browser's session of the same user")
	require.Empty(t, resp.Header.Get("Location"))
}

// TestDeepLinkToACaseGoneSinceTheOverview: the kit keeps no case, so a
// link is looked up at the producer again when it is followed; a case the
// producer has removed since gets a page that says so.
func TestDeepLinkToACaseGoneSinceTheOverview(t *testing.T) {
	s, err := newMountedSite(t, "/arendevy", "/arendevy")
	require.NoError(t, err)
	var ov struct{ Cases []struct{ Link string } }
	require.NoError(t, json.Unmarshal([]byte(s.loginAndLoad(t)), &ov))
	s.closed.Store(true)
	resp, page := s.do(t, http.MethodGet, ov.Cases[0].Link, nil, nil)
	require.Equal(t, http.StatusNotFound, resp.StatusCode)
	require.Equal(t, "no-store", resp.Header.Get("Cache-Control"))
	require.Contains(t, page, "Ärendet finns inte längre i din översikt")
	require.NotContains(t, page, "skatteverket")
}

// TestFollowingDeepLinksCountsAgainstTheLimits: a followed link asks the
// sources again, so it is counted like an overview request.
func TestFollowingDeepLinksCountsAgainstTheLimits(t *testing.T) {
	s, err := newMountedSite(t, "/arendevy", "/arendevy", kit.Limits{PerSession: ratelimit.Rate{Burst: 2, Every: time.Minute}})
	require.NoError(t, err)
	var ov struct{ Cases []struct{ Link string } }
	require.NoError(t, json.Unmarshal([]byte(s.loginAndLoad(t)), &ov))
	require.Equal(t, http.StatusSeeOther, s.follow(t, ov.Cases[0].Link).StatusCode)
	resp, page := s.do(t, http.MethodGet, ov.Cases[0].Link, nil, nil)
	require.Equal(t, http.StatusTooManyRequests, resp.StatusCode)
	require.Equal(t, "60", resp.Header.Get("Retry-After"))
	require.Contains(t, page, "Ärendet kan inte nås just nu")
}
