package eservice

import (
	"bytes"
	"compress/flate"
	"encoding/base64"
	"encoding/xml"
	"html"
	"io"
	"log/slog"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/beevik/etree"
	"github.com/crewjam/saml"
	"github.com/stretchr/testify/require"

	"github.com/arendevy/arendevy/kit/devidp"
	"github.com/arendevy/arendevy/kit/producers"
	kitsaml "github.com/arendevy/arendevy/kit/saml"
	"github.com/arendevy/arendevy/kit/session"
)

const (
	persona = "Tolvan Tolvansson"
	link    = "https://etjanster.vaxholm.example/arenden/BYGG-2025-000412"
)

// world is a development IdP and the e-service, each on its own loopback
// server, and the log the e-service writes.
type world struct {
	idp, svc *httptest.Server
	service  *Service
	log      *bytes.Buffer
}

// newIdP is a development IdP at base with a key of its own.
func newIdP(t *testing.T, base string) *devidp.IdP {
	t.Helper()
	key, cert, err := devidp.KeyPair("test IdP")
	require.NoError(t, err)
	idp, err := devidp.New(devidp.Config{BaseURL: base + "/devidp", Key: key, Certificate: cert,
		Personas: []devidp.Persona{{Number: "191212121212", GivenName: "Tolvan", Surname: "Tolvansson"}}})
	require.NoError(t, err)
	return idp
}

func newWorld(t *testing.T) *world {
	t.Helper()
	w := &world{log: &bytes.Buffer{}}
	w.idp = httptest.NewUnstartedServer(nil)
	w.svc = httptest.NewUnstartedServer(nil)
	idp := newIdP(t, "http://"+w.idp.Listener.Addr().String())
	dir, err := producers.New([]producers.Info{
		{ID: "vaxholm", Name: "Vaxholms stad", Hosts: []string{"etjanster.vaxholm.example"}},
		{ID: "lm", Name: "Lantmäteriet"},
	})
	require.NoError(t, err)
	w.service, err = New(Config{BaseURL: "http://" + w.svc.Listener.Addr().String(), IdP: idp, Producers: dir,
		Logger: slog.New(slog.NewTextHandler(w.log, nil))})
	require.NoError(t, err)
	w.idp.Config.Handler, w.svc.Config.Handler = idp.Handler(), w.service.Handler()
	w.idp.Start()
	w.svc.Start()
	t.Cleanup(w.idp.Close)
	t.Cleanup(w.svc.Close)
	return w
}

// browser is an HTTP client with cookies that does not follow redirects.
func browser(t *testing.T) *http.Client {
	t.Helper()
	jar, err := cookiejar.New(nil)
	require.NoError(t, err)
	return &http.Client{Jar: jar, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
}

func get(t *testing.T, c *http.Client, u string) (*http.Response, string) {
	t.Helper()
	resp, err := c.Get(u)
	require.NoError(t, err)
	return read(t, resp)
}

func post(t *testing.T, c *http.Client, u string, form url.Values) (*http.Response, string) {
	t.Helper()
	resp, err := c.PostForm(u, form)
	require.NoError(t, err)
	return read(t, resp)
}

func read(t *testing.T, resp *http.Response) (*http.Response, string) {
	t.Helper()
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	return resp, string(body)
}

// field is a hidden input's value in a page.
func field(t *testing.T, page, name string) string {
	t.Helper()
	m := regexp.MustCompile(`name="` + name + `" value="([^"]*)"`).FindStringSubmatch(page)
	require.NotNil(t, m, "no %s in %s", name, page)
	return html.UnescapeString(m[1])
}

func (w *world) caseURL(target string) string {
	return w.svc.URL + casePath + "?target=" + url.QueryEscape(target)
}

// start opens the case without a login and follows the 302 to the IdP:
// what the IdP answers (the persona chooser, or the form that posts the
// response) and the AuthnRequest's URL.
func (w *world) start(t *testing.T, c *http.Client, target string) (string, *url.URL) {
	t.Helper()
	resp, _ := get(t, c, w.caseURL(target))
	require.Equal(t, http.StatusFound, resp.StatusCode)
	loc, err := url.Parse(resp.Header.Get("Location"))
	require.NoError(t, err)
	require.Equal(t, w.idp.URL+"/devidp/sso", loc.Scheme+"://"+loc.Host+loc.Path, "to the IdP's SSO endpoint")
	_, page := get(t, c, loc.String())
	return page, loc
}

// choose picks the persona at the IdP's chooser: the form that posts the response.
func choose(t *testing.T, c *http.Client, idpURL, chooser string) string {
	t.Helper()
	resp, page := post(t, c, idpURL+"/devidp/sso", url.Values{"pending": {field(t, chooser, "pending")}, "persona": {"0"}})
	require.Equal(t, http.StatusOK, resp.StatusCode)
	return page
}

// deliver posts the IdP's response form to the ACS and follows the 303.
func (w *world) deliver(t *testing.T, c *http.Client, form string) (*http.Response, string) {
	t.Helper()
	resp, body := post(t, c, w.svc.URL+acsPath, url.Values{"SAMLResponse": {field(t, form, "SAMLResponse")}, "RelayState": {field(t, form, "RelayState")}})
	if resp.StatusCode != http.StatusSeeOther {
		return resp, body
	}
	require.Equal(t, casePath+"?target="+url.QueryEscape(link), resp.Header.Get("Location"))
	return get(t, c, w.svc.URL+resp.Header.Get("Location"))
}

const chooserMark = `name="persona"`

// The second SP logs in through the IdP's session: the first visit asks
// for a persona, a later visit from a browser with only the IdP's cookie
// gets the response at once. The page names the producer, the person and
// the case, and is not cached.
func TestSingleSignOnThroughTheIdPSession(t *testing.T) {
	w := newWorld(t)
	c := browser(t)
	chooser, loc := w.start(t, c, link)
	require.Contains(t, chooser, chooserMark, "the first login asks who you are")

	req := authnRequest(t, loc)
	require.Equal(t, "false", req.SelectAttrValue("ForceAuthn", ""), "ForceAuthn said, and off")
	require.Equal(t, "http://www.w3.org/2001/04/xmldsig-more#rsa-sha256", loc.Query().Get("SigAlg"))
	require.NotEmpty(t, loc.Query().Get("Signature"))
	require.Equal(t, session.LoA3, req.FindElement("./RequestedAuthnContext/AuthnContextClassRef").Text())

	resp, page := w.deliver(t, c, choose(t, c, w.idp.URL, chooser))
	require.Equal(t, http.StatusOK, resp.StatusCode, page)
	require.Contains(t, page, `<html lang="sv" dir="ltr">`)
	require.Contains(t, page, "<h1>Du är inloggad hos Vaxholms stad som Tolvan Tolvansson</h1>")
	require.Contains(t, page, `<strong class="case-ref">BYGG-2025-000412</strong>`)
	require.Equal(t, "no-store", resp.Header.Get("Cache-Control"))
	require.NotContains(t, page, "191212121212")

	// Another browser window of the same person, logged in at the IdP but
	// not at the e-service: no chooser.
	idpOnly := browser(t)
	idpURL, _ := url.Parse(w.idp.URL + "/devidp/")
	idpOnly.Jar.SetCookies(idpURL, c.Jar.Cookies(idpURL))
	form, _ := w.start(t, idpOnly, link)
	require.NotContains(t, form, chooserMark, "the IdP answers from its session")
	resp, page = w.deliver(t, idpOnly, form)
	require.Equal(t, http.StatusOK, resp.StatusCode, page)
	require.Contains(t, page, persona)

	// In English for a browser that prefers it.
	enReq, err := http.NewRequest(http.MethodGet, w.caseURL(link), nil)
	require.NoError(t, err)
	enReq.Header.Set("Accept-Language", "en-GB,en;q=0.8")
	en, err := idpOnly.Do(enReq)
	require.NoError(t, err)
	_, page = read(t, en)
	require.Contains(t, page, `<html lang="en" dir="ltr">`)
	require.Contains(t, page, "<h1>You are logged in at Vaxholms stad as Tolvan Tolvansson</h1>")
	for _, ck := range idpOnly.Jar.Cookies(mustParse(t, w.svc.URL+Prefix+"/")) {
		require.NotContains(t, ck.Value, "1912121212", "no personnummer in a cookie")
	}
}

// It is a real SP: a response its IdP did not sign is refused, whether
// unsigned or signed by a key the IdP's metadata does not have, and the
// browser gets no session.
func TestRefusesUnsignedAndForeignAssertions(t *testing.T) {
	w := newWorld(t)
	t.Run("signed by another key", func(t *testing.T) {
		c := browser(t)
		_, loc := w.start(t, c, link)
		// An IdP with the same entity ID and another key answers the same request.
		foreign := newIdP(t, w.idp.URL)
		require.NoError(t, foreign.Register(w.service.metadata()))
		rec := httptest.NewRecorder()
		foreign.Handler().ServeHTTP(rec, loopbackRequest(http.MethodGet, loc.String(), nil))
		chooser := rec.Body.String()
		rec = httptest.NewRecorder()
		foreign.Handler().ServeHTTP(rec, loopbackRequest(http.MethodPost, w.idp.URL+"/devidp/sso",
			url.Values{"pending": {field(t, chooser, "pending")}, "persona": {"0"}}))
		resp, page := w.deliver(t, c, rec.Body.String())
		refused(t, w, c, resp, page, "response not valid")
	})
	t.Run("unsigned", func(t *testing.T) {
		c := browser(t)
		_, loc := w.start(t, c, link)
		req := authnRequest(t, loc)
		form := `name="SAMLResponse" value="` + base64.StdEncoding.EncodeToString(unsignedResponse(t, w, req.SelectAttrValue("ID", ""))) +
			`" name="RelayState" value="` + html.EscapeString(loc.Query().Get("RelayState")) + `"`
		resp, page := w.deliver(t, c, form)
		refused(t, w, c, resp, page, "response not valid")
	})
	t.Run("not started in this browser", func(t *testing.T) {
		c := browser(t)
		chooser, _ := w.start(t, c, link)
		form := choose(t, c, w.idp.URL, chooser)
		other := browser(t)
		resp, page := w.deliver(t, other, form)
		refused(t, w, other, resp, page, "not started in this browser")
	})
	t.Run("a peer that is not loopback", func(t *testing.T) {
		r := loopbackRequest(http.MethodGet, w.caseURL(link), nil)
		r.RemoteAddr = "192.0.2.1:40000"
		rec := httptest.NewRecorder()
		w.service.Handler().ServeHTTP(rec, r)
		require.Equal(t, http.StatusForbidden, rec.Code)
		require.Empty(t, rec.Header().Get("Location"), "no login starts")
	})
	t.Run("a target that is no producer's case", func(t *testing.T) {
		c := browser(t)
		for _, target := range []string{"", "https://evil.example/<script>", "http://etjanster.vaxholm.example/x", "https://www.lantmateriet.example/", "https://etjanster.vaxholm.example/"} {
			resp, page := get(t, c, w.caseURL(target))
			require.Equal(t, http.StatusBadRequest, resp.StatusCode)
			require.NotContains(t, page, "<script>")
			require.NotContains(t, page, "evil")
			require.Regexp(t, "Ärendet kan inte visas|The case cannot be shown", page)
		}
	})
}

func refused(t *testing.T, w *world, c *http.Client, resp *http.Response, page, reason string) {
	t.Helper()
	require.Equal(t, http.StatusForbidden, resp.StatusCode, page)
	require.Regexp(t, "Inloggningen kunde inte slutföras|The login could not be completed", page)
	require.NotContains(t, page, persona)
	require.Contains(t, w.log.String(), reason)
	require.NotContains(t, w.log.String(), "191212121212")
	require.NotContains(t, w.log.String(), "Tolvan")
	resp, page = get(t, c, w.caseURL(link))
	require.Equal(t, http.StatusFound, resp.StatusCode, "no session: a new login starts (%s)", page)
}

func loopbackRequest(method, target string, form url.Values) *http.Request {
	var body io.Reader
	if form != nil {
		body = strings.NewReader(form.Encode())
	}
	r := httptest.NewRequest(method, target, body)
	if form != nil {
		r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	r.RemoteAddr = "127.0.0.1:50000"
	return r
}

func mustParse(t *testing.T, raw string) *url.URL {
	t.Helper()
	u, err := url.Parse(raw)
	require.NoError(t, err)
	return u
}

// authnRequest inflates the AuthnRequest of an HTTP-Redirect URL.
func authnRequest(t *testing.T, loc *url.URL) *etree.Element {
	t.Helper()
	raw, err := base64.StdEncoding.DecodeString(loc.Query().Get("SAMLRequest"))
	require.NoError(t, err)
	doc := etree.NewDocument()
	_, err = doc.ReadFrom(flate.NewReader(bytes.NewReader(raw)))
	require.NoError(t, err)
	return doc.Root()
}

// unsignedResponse is what the IdP would say for requestID, every
// condition right, without a signature.
func unsignedResponse(t *testing.T, w *world, requestID string) []byte {
	t.Helper()
	now := time.Now().UTC()
	idp := w.service.sp.IDPMetadata.EntityID
	acs := w.service.sp.AcsURL.String()
	resp := saml.Response{
		ID: "id-unsigned", InResponseTo: requestID, Version: "2.0", IssueInstant: now, Destination: acs,
		Issuer: &saml.Issuer{Value: idp},
		Status: saml.Status{StatusCode: saml.StatusCode{Value: saml.StatusSuccess}},
		Assertion: &saml.Assertion{
			ID: "id-unsigned-assertion", IssueInstant: now, Version: "2.0", Issuer: saml.Issuer{Value: idp},
			Subject: &saml.Subject{
				NameID: &saml.NameID{Value: "_x"},
				SubjectConfirmations: []saml.SubjectConfirmation{{Method: "urn:oasis:names:tc:SAML:2.0:cm:bearer",
					SubjectConfirmationData: &saml.SubjectConfirmationData{InResponseTo: requestID, Recipient: acs, NotOnOrAfter: now.Add(time.Minute)}}},
			},
			Conditions: &saml.Conditions{NotBefore: now, NotOnOrAfter: now.Add(time.Minute),
				AudienceRestrictions: []saml.AudienceRestriction{{Audience: saml.Audience{Value: w.service.sp.EntityID}}}},
			AuthnStatements: []saml.AuthnStatement{{AuthnInstant: now,
				AuthnContext: saml.AuthnContext{AuthnContextClassRef: &saml.AuthnContextClassRef{Value: session.LoA3}}}},
			AttributeStatements: []saml.AttributeStatement{{Attributes: []saml.Attribute{
				{Name: kitsaml.AttrDisplayName, Values: []saml.AttributeValue{{Value: persona}}}}}},
		},
	}
	doc := etree.NewDocument()
	doc.SetRoot(resp.Element())
	buf, err := doc.WriteToBytes()
	require.NoError(t, err)
	require.NoError(t, xml.Unmarshal(buf, new(saml.Response)), "well-formed")
	return buf
}
