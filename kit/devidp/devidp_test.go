package devidp

import (
	"bytes"
	"compress/flate"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/base64"
	"html"
	"io"
	"log/slog"
	"math/big"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/beevik/etree"
	"github.com/crewjam/saml"
	dsig "github.com/russellhaering/goxmldsig"
	"github.com/stretchr/testify/require"

	"github.com/arendevy/arendevy/kit/identity"
)

const (
	base  = "https://127.0.0.1:8443/devidp"
	spID  = "https://portal.test/saml/metadata"
	spACS = "https://portal.test/saml/acs"
	spSLO = "https://portal.test/saml/slo"
	pnr1  = "199001012385"
	pnr2  = "199001612382"
)

var (
	keyOnce sync.Once
	idpKey  *rsa.PrivateKey
	idpCert *x509.Certificate
)

func testKey(t testing.TB) {
	t.Helper()
	keyOnce.Do(func() {
		k, err := rsa.GenerateKey(rand.Reader, 2048)
		if err != nil {
			panic(err)
		}
		tmpl := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "devidp"},
			NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(24 * time.Hour)}
		der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &k.PublicKey, k)
		if err != nil {
			panic(err)
		}
		idpKey = k
		idpCert, _ = x509.ParseCertificate(der)
	})
}

// fixture is a development IdP with one registered SP, as crewjam's SP
// building blocks describe it, and a clock the test can move.
type fixture struct {
	idp    *IdP
	h      http.Handler
	sp     *saml.ServiceProvider
	offset atomic.Int64
}

func newFixture(t testing.TB) *fixture {
	t.Helper()
	testKey(t)
	f := &fixture{}
	idp, err := New(Config{
		BaseURL:     base,
		Key:         idpKey,
		Certificate: idpCert,
		Personas: []Persona{
			{Number: pnr1, GivenName: "Tolvan", Surname: "Tolvansson"},
			{Number: "19900161-2382", GivenName: "Lisa", Surname: "Samordning", DisplayName: "Lisa S.", ActsFor: []identity.Party{
				{Number: pnr1, Kind: identity.Personnummer, Name: "Tolvan Tolvansson"},
				{Number: "5599991006", Kind: identity.Organisationsnummer, Name: "Snickarna AB"},
			}},
		},
		Logger: slog.New(slog.NewTextHandler(io.Discard, nil)),
		Now:    func() time.Time { return time.Now().Add(time.Duration(f.offset.Load())) },
	})
	require.NoError(t, err)
	f.idp, f.h = idp, idp.Handler()
	acs, _ := url.Parse(spACS)
	slo, _ := url.Parse(spSLO)
	f.sp = &saml.ServiceProvider{EntityID: spID, AcsURL: *acs, SloURL: *slo, IDPMetadata: idp.Metadata(),
		LogoutBindings: []string{saml.HTTPRedirectBinding}}
	require.NoError(t, idp.Register(f.sp.Metadata()))
	return f
}

// serve runs one request from a loopback peer.
func (f *fixture) serve(r *http.Request) *httptest.ResponseRecorder {
	r.RemoteAddr = "127.0.0.1:50000"
	rec := httptest.NewRecorder()
	f.h.ServeHTTP(rec, r)
	return rec
}

// authn starts a login at the IdP as the SP's redirect would.
func (f *fixture) authn(t *testing.T, force bool, cookies ...*http.Cookie) *httptest.ResponseRecorder {
	t.Helper()
	f.sp.ForceAuthn = &force
	u, err := f.sp.MakeRedirectAuthenticationRequest("relay-1")
	require.NoError(t, err)
	r := httptest.NewRequest(http.MethodGet, u.String(), nil)
	for _, c := range cookies {
		r.AddCookie(c)
	}
	return f.serve(r)
}

var (
	hiddenRe = regexp.MustCompile(`<input type="hidden" name="([^"]+)" value="([^"]*)">`)
	actionRe = regexp.MustCompile(`<form method="post" action="([^"]+)">`)
)

// submit posts the first form of page with extra fields.
func (f *fixture) submit(t *testing.T, page string, extra url.Values) *httptest.ResponseRecorder {
	t.Helper()
	m := actionRe.FindStringSubmatch(page)
	require.NotNil(t, m, page)
	form := url.Values{}
	first := page[:strings.Index(page, "</form>")]
	for _, h := range hiddenRe.FindAllStringSubmatch(first, -1) {
		form.Set(h[1], html.UnescapeString(h[2]))
	}
	for k, v := range extra {
		form[k] = v
	}
	r := httptest.NewRequest(http.MethodPost, "https://127.0.0.1:8443"+m[1], strings.NewReader(form.Encode()))
	r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	return f.serve(r)
}

// samlResponse reads the Response from the IdP's auto-submitting form.
func samlResponse(t *testing.T, page string) *etree.Element {
	t.Helper()
	var b64 string
	for _, h := range hiddenRe.FindAllStringSubmatch(page, -1) {
		if h[1] == "SAMLResponse" {
			b64 = html.UnescapeString(h[2])
		}
	}
	require.NotEmpty(t, b64, page)
	raw, err := base64.StdEncoding.DecodeString(b64)
	require.NoError(t, err)
	doc := etree.NewDocument()
	require.NoError(t, doc.ReadFromBytes(raw))
	return doc.Root()
}

func TestLoginAssertsTheChosenPersonaTheSwedishWay(t *testing.T) {
	f := newFixture(t)
	rec := f.authn(t, true)
	require.Equal(t, http.StatusOK, rec.Code, rec.Body.String())
	rec = f.submit(t, rec.Body.String(), url.Values{"persona": {"1"}})
	require.Equal(t, http.StatusOK, rec.Code, rec.Body.String())
	page := rec.Body.String()
	require.Contains(t, page, `action="`+spACS+`"`)
	require.Contains(t, page, `name="RelayState" value="relay-1"`)

	resp := samlResponse(t, page)
	require.Equal(t, spACS, resp.SelectAttrValue("Destination", ""))
	require.Equal(t, dsig.RSASHA256SignatureMethod, resp.FindElement("./Signature/SignedInfo/SignatureMethod").SelectAttrValue("Algorithm", ""))
	a := resp.SelectElement("Assertion")
	require.NotNil(t, a, "no encryption certificate in this SP's metadata: a plain assertion")
	require.Equal(t, dsig.RSASHA256SignatureMethod, a.FindElement("./Signature/SignedInfo/SignatureMethod").SelectAttrValue("Algorithm", ""))
	require.Equal(t, DefaultLoA, a.FindElement(".//AuthnContextClassRef").Text())
	require.Equal(t, spID, a.FindElement(".//Audience").Text())
	require.Equal(t, spACS, a.FindElement(".//SubjectConfirmationData").SelectAttrValue("Recipient", ""))
	require.NotEmpty(t, a.FindElement(".//SubjectConfirmationData").SelectAttrValue("InResponseTo", ""))
	nameID := a.FindElement(".//NameID").Text()
	require.NotContains(t, nameID, pnr2, "the NameID is transient, never the personnummer")

	attrs := map[string]string{}
	for _, at := range a.FindElements(".//Attribute") {
		attrs[at.SelectAttrValue("Name", "")] = at.SelectElement("AttributeValue").Text()
	}
	require.Equal(t, map[string]string{
		attrPersonalIdentityNumber: pnr2,
		attrGivenName:              "Lisa",
		attrSurname:                "Samordning",
		attrDisplayName:            "Lisa S.",
	}, attrs)
}

// An SP that asks, exactly, for a level of assurance the IdP does not assert
// gets a signed Response with an error status and no assertion, at once.
func TestALevelItDoesNotAssertGetsAnErrorStatus(t *testing.T) {
	const loa4 = "http://id.elegnamnden.se/loa/1.0/loa4"
	for _, tc := range []struct {
		name, comparison, ref string
		chooser               bool
	}{
		{"its own level, exactly", "exact", DefaultLoA, true},
		{"another level, exactly", "exact", loa4, false},
		{"another level, at least: not judged", "minimum", loa4, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f := newFixture(t)
			f.sp.RequestedAuthnContext = &saml.RequestedAuthnContext{Comparison: tc.comparison, AuthnContextClassRef: tc.ref}
			page := f.authn(t, false).Body.String()
			if tc.chooser {
				require.Contains(t, page, `name="persona"`)
				return
			}
			require.NotContains(t, page, `name="persona"`)
			fields := map[string]string{}
			for _, h := range hiddenRe.FindAllStringSubmatch(page, -1) {
				fields[h[1]] = html.UnescapeString(h[2])
			}
			require.Equal(t, "relay-1", fields["RelayState"])
			raw, err := base64.StdEncoding.DecodeString(fields["SAMLResponse"])
			require.NoError(t, err)
			doc := etree.NewDocument()
			require.NoError(t, doc.ReadFromBytes(raw))
			resp := doc.Root()
			require.Equal(t, spACS, resp.SelectAttrValue("Destination", ""))
			code := resp.FindElement("./Status/StatusCode")
			require.Equal(t, saml.StatusRequester, code.SelectAttrValue("Value", ""))
			require.Equal(t, saml.StatusNoAuthnContext, code.FindElement("./StatusCode").SelectAttrValue("Value", ""))
			require.Nil(t, resp.FindElement("//Assertion"))
			require.Nil(t, resp.FindElement("//EncryptedAssertion"))
			require.NotNil(t, resp.SelectElement("Signature"), "signed like every response")
		})
	}
}

func TestSingleSignOnAndForceAuthn(t *testing.T) {
	f := newFixture(t)
	rec := f.submit(t, f.authn(t, false).Body.String(), url.Values{"persona": {"0"}})
	require.Equal(t, http.StatusOK, rec.Code)
	var session *http.Cookie
	for _, c := range rec.Result().Cookies() {
		if c.Name == sessionCookie {
			session = c
		}
	}
	require.NotNil(t, session)
	require.True(t, session.HttpOnly)
	require.Equal(t, int(DefaultSessionLifetime/time.Second), session.MaxAge)

	rec = f.authn(t, false, session)
	require.NotContains(t, rec.Body.String(), `name="persona"`, "an IdP session answers at once")
	require.Contains(t, rec.Body.String(), "SAMLResponse")

	rec = f.authn(t, true, session)
	require.Contains(t, rec.Body.String(), `name="persona"`, "ForceAuthn asks again")

	// Counted from the login, not from the last use (Sweden Connect's rule):
	// used at 50 minutes, it still ends at 60.
	f.offset.Store(int64(50 * time.Minute))
	rec = f.authn(t, false, session)
	require.NotContains(t, rec.Body.String(), `name="persona"`, "the IdP session still answers at 50 minutes")
	f.offset.Store(int64(DefaultSessionLifetime + time.Minute))
	rec = f.authn(t, false, session)
	require.Contains(t, rec.Body.String(), `name="persona"`, "the 60-minute IdP session has ended")
}

func TestChooserTakesItsTime(t *testing.T) {
	for _, tc := range []struct {
		name  string
		after time.Duration
		ok    bool
	}{
		{"ten minutes", 10 * time.Minute, true},
		{"sixteen minutes", 16 * time.Minute, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f := newFixture(t)
			chooser := f.authn(t, true).Body.String()
			f.offset.Store(int64(tc.after))
			rec := f.submit(t, chooser, url.Values{"persona": {"0"}})
			if tc.ok {
				require.Equal(t, http.StatusOK, rec.Code, rec.Body.String())
				require.Contains(t, rec.Body.String(), "SAMLResponse")
				return
			}
			require.Equal(t, http.StatusBadRequest, rec.Code)
			require.Contains(t, rec.Body.String(), "Inloggningsbegäran har slutat gälla", "in the chooser's language: the request expired")
		})
	}
}

func TestPendingRequestIsAnsweredOnce(t *testing.T) {
	f := newFixture(t)
	chooser := f.authn(t, true).Body.String()
	require.Equal(t, http.StatusOK, f.submit(t, chooser, url.Values{"persona": {"0"}}).Code)
	rec := f.submit(t, chooser, url.Values{"persona": {"0"}})
	require.Equal(t, http.StatusBadRequest, rec.Code)
	require.NotContains(t, rec.Body.String(), "SAMLResponse")
}

func TestChooserRefusesAPersonaNotOffered(t *testing.T) {
	f := newFixture(t)
	chooser := f.authn(t, true).Body.String()
	for _, p := range []string{"2", "-1", "x"} {
		rec := f.submit(t, chooser, url.Values{"persona": {p}})
		require.Equal(t, http.StatusBadRequest, rec.Code, p)
	}
}

// ?lang= outranks Accept-Language; the page is in that language and its
// writing direction (Arabic right to left), and offers the others each by
// its own name and in its own direction.
func TestChooserLanguageFromTheQuery(t *testing.T) {
	for _, tc := range []struct{ lang, dir, heading string }{
		{"en", "ltr", `<h1>Choose a test person</h1>`},
		{"ar", "rtl", `<h1>\p{Arabic}[^<]*</h1>`},
	} {
		f := newFixture(t)
		force := true
		f.sp.ForceAuthn = &force
		u, err := f.sp.MakeRedirectAuthenticationRequest("")
		require.NoError(t, err)
		r := httptest.NewRequest(http.MethodGet, u.String()+"&lang="+tc.lang, nil)
		r.Header.Set("Accept-Language", "sv-SE")
		page := f.serve(r).Body.String()
		require.Contains(t, page, `<html lang="`+tc.lang+`" dir="`+tc.dir+`">`)
		require.Regexp(t, tc.heading, page)
		require.Contains(t, page, `name="lang" value="sv" lang="sv" dir="ltr">På svenska</button>`)
		if tc.lang != "ar" {
			require.Regexp(t, `name="lang" value="ar" lang="ar" dir="rtl">\p{Arabic}[^<]*</button>`, page, "Arabic offered in its own name and direction")
		}
	}
}

func TestChooserIsAccessibleInSwedishAndEnglish(t *testing.T) {
	for _, tc := range []struct {
		name, acceptLanguage, lang, heading, button, person, lisa string
	}{
		{"Swedish by default", "", "sv", "Välj testperson", "Logga in",
			"Privatperson", "Ombud för Tolvan Tolvansson; Företrädare för Snickarna AB"},
		{"English by Accept-Language", "en-GB,en;q=0.9", "en", "Choose a test person", "Log in",
			"Private person", "Agent for Tolvan Tolvansson; Representative of Snickarna AB"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f := newFixture(t)
			force := true
			f.sp.ForceAuthn = &force
			u, err := f.sp.MakeRedirectAuthenticationRequest("")
			require.NoError(t, err)
			r := httptest.NewRequest(http.MethodGet, u.String(), nil)
			if tc.acceptLanguage != "" {
				r.Header.Set("Accept-Language", tc.acceptLanguage)
			}
			rec := f.serve(r)
			page := rec.Body.String()
			require.Contains(t, page, `<html lang="`+tc.lang+`" dir="ltr">`)
			require.Contains(t, page, "<h1>"+tc.heading+"</h1>")
			require.Contains(t, page, "<fieldset>")
			require.Regexp(t, `<legend>[^<]+</legend>`, page)
			for _, id := range []string{"persona-0", "persona-1"} {
				require.Contains(t, page, `id="`+id+`"`)
				require.Regexp(t, `<label for="`+id+`">[^<]+\(\d{8}-\d{4}\)</label>`, page)
			}
			// Each persona's role in words, tied to its choice: a private
			// person, or the agent and representative of whom its mandates name.
			require.Contains(t, page, `aria-describedby="persona-0-role"`)
			require.Contains(t, page, `<span class="role" id="persona-0-role">`+tc.person+`</span>`)
			require.Contains(t, page, `<span class="role" id="persona-1-role">`+tc.lisa+`</span>`)
			require.Contains(t, page, `<button type="submit">`+tc.button+`</button>`)
			require.Contains(t, page, ":focus-visible{outline:3px solid", "a visible focus")
			require.Contains(t, page, `<meta name="viewport"`)

			csp := rec.Header().Get("Content-Security-Policy")
			require.Contains(t, csp, "default-src 'none'")
			require.Contains(t, csp, hashSource(pageCSS), "the inline style is allowed by its hash")
			require.Contains(t, csp, "frame-ancestors 'none'")
		})
	}
}

func TestAdminEndpointsAreUnreachable(t *testing.T) {
	f := newFixture(t)
	for _, tc := range []struct{ method, path string }{
		{http.MethodGet, "/users/"}, {http.MethodPut, "/users/alice"}, {http.MethodDelete, "/users/alice"},
		{http.MethodGet, "/services/"}, {http.MethodPut, "/services/evil"}, {http.MethodPost, "/services/evil"},
		{http.MethodDelete, "/services/evil"},
		{http.MethodGet, "/sessions/"}, {http.MethodDelete, "/sessions/x"},
		{http.MethodGet, "/shortcuts/"}, {http.MethodPut, "/shortcuts/x"}, {http.MethodDelete, "/shortcuts/x"},
		{http.MethodGet, "/login"}, {http.MethodGet, "/login/x"},
	} {
		t.Run(tc.method+" "+tc.path, func(t *testing.T) {
			rec := f.serve(httptest.NewRequest(tc.method, base+tc.path, strings.NewReader(`{"name":"evil"}`)))
			require.Contains(t, []int{http.StatusNotFound, http.StatusMethodNotAllowed}, rec.Code)
		})
	}
	_, err := f.idp.GetServiceProvider(nil, "evil")
	require.ErrorIs(t, err, errNotExist, "nothing was registered by those requests")
}

func TestLoopbackOnly(t *testing.T) {
	t.Run("requests from other peers are refused", func(t *testing.T) {
		f := newFixture(t)
		for _, peer := range []string{"192.0.2.10:1234", "[2001:db8::1]:1234", "garbage"} {
			r := httptest.NewRequest(http.MethodGet, base+"/metadata", nil)
			r.RemoteAddr = peer
			rec := httptest.NewRecorder()
			f.h.ServeHTTP(rec, r)
			require.Equal(t, http.StatusForbidden, rec.Code, peer)
		}
		for _, peer := range []string{"127.0.0.1:1234", "[::1]:1234"} {
			r := httptest.NewRequest(http.MethodGet, base+"/metadata", nil)
			r.RemoteAddr = peer
			rec := httptest.NewRecorder()
			f.h.ServeHTTP(rec, r)
			require.Equal(t, http.StatusOK, rec.Code, peer)
		}
	})
	t.Run("listen addresses", func(t *testing.T) {
		for _, addr := range []string{":0", "0.0.0.0:0", "[::]:0", "192.0.2.10:0", "example.com:0"} {
			_, err := Listen(addr)
			require.ErrorIs(t, err, ErrNotLoopback, addr)
		}
		for _, addr := range []string{"127.0.0.1:0", "localhost:0"} {
			l, err := Listen(addr)
			require.NoError(t, err, addr)
			require.True(t, l.Addr().(*net.TCPAddr).IP.IsLoopback())
			require.NoError(t, l.Close())
		}
	})
	t.Run("serve refuses a listener on all interfaces", func(t *testing.T) {
		f := newFixture(t)
		l, err := Listen("127.0.0.1:0")
		require.NoError(t, err)
		defer l.Close()
		require.ErrorIs(t, f.idp.Serve(wildcardListener{l}), ErrNotLoopback)
	})
	t.Run("serve on loopback answers", func(t *testing.T) {
		testKey(t)
		l, err := Listen("127.0.0.1:0")
		require.NoError(t, err)
		idp, err := New(Config{BaseURL: "http://" + l.Addr().String() + "/devidp", Key: idpKey, Certificate: idpCert,
			Personas: []Persona{{Number: pnr1, GivenName: "Tolvan", Surname: "Tolvansson"}}})
		require.NoError(t, err)
		done := make(chan error, 1)
		go func() { done <- idp.Serve(l) }()
		resp, err := http.Get("http://" + l.Addr().String() + "/devidp/metadata")
		require.NoError(t, err)
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		require.Equal(t, http.StatusOK, resp.StatusCode)
		require.Contains(t, string(body), "IDPSSODescriptor")
		require.NoError(t, l.Close())
		require.Error(t, <-done)
	})
	t.Run("a base URL off loopback is refused", func(t *testing.T) {
		testKey(t)
		_, err := New(Config{BaseURL: "https://idp.example.se/devidp", Key: idpKey, Certificate: idpCert,
			Personas: []Persona{{Number: pnr1, GivenName: "Tolvan", Surname: "Tolvansson"}}})
		require.ErrorContains(t, err, ErrNotLoopback.Error())
	})
}

// wildcardListener pretends to listen on every interface.
type wildcardListener struct{ net.Listener }

func (wildcardListener) Addr() net.Addr { return &net.TCPAddr{IP: net.IPv4zero, Port: 8080} }

func TestConfig(t *testing.T) {
	testKey(t)
	for _, tc := range []struct {
		name     string
		personas []Persona
		want     string
	}{
		{"no personas", nil, "Personas: at least one"},
		{"wrong check digit", []Persona{{Number: "199001012384", GivenName: "A", Surname: "B"}}, "Personas[0].Number"},
		{"organisationsnummer", []Persona{{Number: "5560360793", GivenName: "A", Surname: "B"}}, "Personas[0].Number"},
		{"no names", []Persona{{Number: pnr1}}, "GivenName and Surname"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := New(Config{BaseURL: base, Key: idpKey, Certificate: idpCert, Personas: tc.personas})
			require.ErrorContains(t, err, tc.want)
		})
	}
}

func TestMetadata(t *testing.T) {
	f := newFixture(t)
	md := f.idp.Metadata()
	require.Equal(t, base+"/metadata", md.EntityID)
	d := md.IDPSSODescriptors[0]
	require.Equal(t, base+"/sso", d.SingleSignOnServices[0].Location)
	require.Equal(t, base+"/slo", d.SingleLogoutServices[0].Location)
	require.Equal(t, base64.StdEncoding.EncodeToString(idpCert.Raw), d.KeyDescriptors[0].KeyInfo.X509Data.X509Certificates[0].Data)
}

func TestSingleLogout(t *testing.T) {
	f := newFixture(t)
	rec := f.submit(t, f.authn(t, false).Body.String(), url.Values{"persona": {"0"}})
	session := rec.Result().Cookies()[0]

	u, err := f.sp.MakeRedirectLogoutRequest("_nameid", "/hej-da")
	require.NoError(t, err)
	r := httptest.NewRequest(http.MethodGet, u.String(), nil)
	r.AddCookie(session)
	rec = f.serve(r)
	require.Equal(t, http.StatusSeeOther, rec.Code, rec.Body.String())
	loc := rec.Header().Get("Location")
	require.True(t, strings.HasPrefix(loc, spSLO+"?SAMLResponse="), loc)

	// The query is signed in the binding's order with RSA-SHA256.
	q := loc[len(spSLO)+1:]
	signed, sigPart, ok := strings.Cut(q, "&Signature=")
	require.True(t, ok)
	require.Contains(t, signed, "&RelayState=%2Fhej-da&SigAlg=")
	sigB64, err := url.QueryUnescape(sigPart)
	require.NoError(t, err)
	sig, err := base64.StdEncoding.DecodeString(sigB64)
	require.NoError(t, err)
	require.NoError(t, idpCert.CheckSignature(x509.SHA256WithRSA, []byte(signed), sig))

	values, err := url.ParseQuery(q)
	require.NoError(t, err)
	raw, err := base64.StdEncoding.DecodeString(values.Get("SAMLResponse"))
	require.NoError(t, err)
	lr, err := io.ReadAll(flate.NewReader(bytes.NewReader(raw)))
	require.NoError(t, err)
	require.Contains(t, string(lr), saml.StatusSuccess)

	rec = f.authn(t, false, session)
	require.Contains(t, rec.Body.String(), `name="persona"`, "the IdP session ended")
}

func FuzzReadLogoutRequest(f *testing.F) {
	testKey(f)
	fx := newFixture(f)
	u, err := fx.sp.MakeRedirectLogoutRequest("_nameid", "")
	require.NoError(f, err)
	f.Add(u.Query().Get("SAMLRequest"))
	f.Add("")
	f.Add("!!!")
	f.Fuzz(func(t *testing.T, param string) {
		lr, err := readLogoutRequest(param)
		if err == nil {
			require.NotNil(t, lr)
		}
	})
}
