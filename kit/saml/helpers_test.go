package saml

import (
	"bytes"
	"compress/flate"
	"context"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/base64"
	"encoding/xml"
	"errors"
	"io"
	"log/slog"
	"math/big"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/beevik/etree"
	crewjam "github.com/crewjam/saml"
	"github.com/crewjam/saml/xmlenc"
	dsig "github.com/russellhaering/goxmldsig"
	"github.com/stretchr/testify/require"

	"github.com/arendevy/arendevy/kit/identity"
	"github.com/arendevy/arendevy/kit/session"
)

// Test identities: Skatteverket's published test personnummer.
const (
	testNumber     = "199001012385" // a personnummer whose check digit is right
	testSamordning = "199001612382" // day+60: a samordningsnummer
	testGiven      = "Tolvan"
	testSurname    = "Tolvansson"
	testDisplay    = "Tolvan Tolvansson"

	testRoot     = "https://portal.test"
	testACS      = testRoot + "/arendevy/saml/acs"
	testSLO      = testRoot + "/arendevy/saml/slo"
	testEntityID = testRoot + "/arendevy/saml/metadata"
	idpEntityID  = "https://idp.test/metadata"
	idpSSO       = "https://idp.test/sso"
	idpSLO       = "https://idp.test/slo"

	loa2 = "http://id.elegnamnden.se/loa/1.0/loa2"
	loa3 = "http://id.elegnamnden.se/loa/1.0/loa3"
)

// keyPair is a key with its self-signed certificate. Keys are generated
// once per test binary: RSA generation dominates the package's run time.
type keyPair struct {
	key  *rsa.PrivateKey
	cert *x509.Certificate
}

var (
	keysOnce              sync.Once
	idpKeys, spKeys, evil keyPair
)

func testKeys(t testing.TB) {
	t.Helper()
	keysOnce.Do(func() {
		idpKeys, spKeys, evil = newKeyPair("idp.test"), newKeyPair("portal.test"), newKeyPair("evil.test")
	})
	require.NotNil(t, idpKeys.key)
}

func newKeyPair(cn string) keyPair {
	key, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		panic(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(1),
		Subject:      pkix.Name{CommonName: cn},
		NotBefore:    time.Now().Add(-time.Hour),
		NotAfter:     time.Now().Add(365 * 24 * time.Hour),
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		panic(err)
	}
	cert, err := x509.ParseCertificate(der)
	if err != nil {
		panic(err)
	}
	return keyPair{key: key, cert: cert}
}

// idpMetadata describes the test IdP; withSLO adds single logout.
func idpMetadata(withSLO bool) *crewjam.EntityDescriptor {
	cert := base64.StdEncoding.EncodeToString(idpKeys.cert.Raw)
	d := crewjam.IDPSSODescriptor{
		SingleSignOnServices: []crewjam.Endpoint{{Binding: crewjam.HTTPRedirectBinding, Location: idpSSO}},
	}
	d.KeyDescriptors = []crewjam.KeyDescriptor{{
		Use:     "signing",
		KeyInfo: crewjam.KeyInfo{X509Data: crewjam.X509Data{X509Certificates: []crewjam.X509Certificate{{Data: cert}}}},
	}}
	if withSLO {
		d.SingleLogoutServices = []crewjam.Endpoint{{Binding: crewjam.HTTPRedirectBinding, Location: idpSLO}}
	}
	return &crewjam.EntityDescriptor{EntityID: idpEntityID, IDPSSODescriptors: []crewjam.IDPSSODescriptor{d}}
}

// fakeSink records logins and logouts.
type fakeSink struct {
	mu        sync.Mutex
	logins    []loginCall
	logouts   int
	loginErr  error
	logoutErr error
	data      session.Data // what Logout returns
}

type loginCall struct {
	subject identity.Subject
	info    session.SAMLInfo
}

func (f *fakeSink) Login(_ http.ResponseWriter, _ *http.Request, s identity.Subject, info session.SAMLInfo) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.loginErr != nil {
		return f.loginErr
	}
	f.logins = append(f.logins, loginCall{s, info})
	return nil
}

func (f *fakeSink) Logout(http.ResponseWriter, *http.Request) (session.Data, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.logouts++
	return f.data, f.logoutErr
}

func (f *fakeSink) Current(*http.Request) (session.Data, bool) {
	f.mu.Lock()
	defer f.mu.Unlock()
	// The tests' sessions are SAML sessions; no NameID is no session.
	return f.data, f.data.SAML.NameID != ""
}

func (f *fakeSink) loginCount() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return len(f.logins)
}

// logCapture keeps every record (to find the error a refusal logged) and
// renders them as text (to prove nothing personal reaches the log).
type logCapture struct {
	mu      sync.Mutex
	records []slog.Record
	text    bytes.Buffer
	th      slog.Handler
}

func newLogCapture() *logCapture {
	c := &logCapture{}
	c.th = slog.NewTextHandler(&c.text, &slog.HandlerOptions{Level: slog.LevelDebug})
	return c
}

func (c *logCapture) Enabled(context.Context, slog.Level) bool { return true }
func (c *logCapture) WithAttrs([]slog.Attr) slog.Handler       { return c }
func (c *logCapture) WithGroup(string) slog.Handler            { return c }
func (c *logCapture) Handle(ctx context.Context, r slog.Record) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.records = append(c.records, r.Clone())
	return c.th.Handle(ctx, r)
}

func (c *logCapture) count() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return len(c.records)
}

// errorSince returns the error logged by a record after the first n.
func (c *logCapture) errorSince(n int) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	for _, r := range c.records[n:] {
		var found error
		r.Attrs(func(a slog.Attr) bool {
			if e, ok := a.Value.Any().(error); ok && a.Key == "error" {
				found = e
				return false
			}
			return true
		})
		if found != nil {
			return found
		}
	}
	return nil
}

func (c *logCapture) String() string {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.text.String()
}

// env is an SP under test with a controllable clock.
type env struct {
	t       testing.TB
	sp      *SP
	h       http.Handler
	sink    *fakeSink
	log     *logCapture
	offset  atomic.Int64 // added to the real time
	replays ReplayCache
}

func newEnv(t testing.TB, mods ...func(*Config)) *env {
	t.Helper()
	testKeys(t)
	e := &env{t: t, sink: &fakeSink{}, log: newLogCapture()}
	cfg := Config{
		RootURL:     testRoot,
		Mount:       "/arendevy",
		Key:         spKeys.key,
		Certificate: spKeys.cert,
		IdPMetadata: idpMetadata(true),
		Sessions:    e.sink,
		Logger:      slog.New(e.log),
		Now:         e.now,
	}
	for _, m := range mods {
		m(&cfg)
	}
	sp, err := New(cfg)
	require.NoError(t, err)
	e.sp, e.h = sp, sp.Handler()
	return e
}

func (e *env) now() time.Time { return time.Now().Add(time.Duration(e.offset.Load())) }

// login starts a login and returns the AuthnRequest, the RelayState and
// the tracking cookie.
func (e *env) login(returnTo string) (crewjam.AuthnRequest, string, *http.Cookie) {
	e.t.Helper()
	target := "/arendevy/saml/login"
	if returnTo != "" {
		target += "?return=" + url.QueryEscape(returnTo)
	}
	rec := httptest.NewRecorder()
	e.h.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, testRoot+target, nil))
	require.Equal(e.t, http.StatusSeeOther, rec.Code, rec.Body.String())
	loc, err := url.Parse(rec.Header().Get("Location"))
	require.NoError(e.t, err)
	var req crewjam.AuthnRequest
	require.NoError(e.t, xml.Unmarshal(inflateParam(e.t, loc.Query().Get("SAMLRequest")), &req))
	cookies := rec.Result().Cookies()
	require.Len(e.t, cookies, 1)
	return req, loc.Query().Get("RelayState"), cookies[0]
}

func inflateParam(t testing.TB, b64 string) []byte {
	t.Helper()
	raw, err := base64.StdEncoding.DecodeString(b64)
	require.NoError(t, err)
	out, err := io.ReadAll(flate.NewReader(bytes.NewReader(raw)))
	require.NoError(t, err)
	return out
}

// post sends a response to the ACS and returns the recording and the error
// the SP logged for it, if any.
func (e *env) post(doc []byte, relay string, cookies ...*http.Cookie) (*httptest.ResponseRecorder, error) {
	e.t.Helper()
	form := url.Values{"SAMLResponse": {base64.StdEncoding.EncodeToString(doc)}}
	if relay != "" {
		form.Set("RelayState", relay)
	}
	return e.postForm(strings.NewReader(form.Encode()), cookies...)
}

func (e *env) postForm(body io.Reader, cookies ...*http.Cookie) (*httptest.ResponseRecorder, error) {
	e.t.Helper()
	req := httptest.NewRequest(http.MethodPost, testACS, body)
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	for _, c := range cookies {
		req.AddCookie(&http.Cookie{Name: c.Name, Value: c.Value})
	}
	n := e.log.count()
	rec := httptest.NewRecorder()
	e.h.ServeHTTP(rec, req)
	return rec, e.log.errorSince(n)
}

// requireRefused checks what every refusal must look like to the user and
// in the log, and that the logged error is want.
func (e *env) requireRefused(rec *httptest.ResponseRecorder, err error, want error) {
	e.t.Helper()
	require.ErrorIs(e.t, err, want)
	require.GreaterOrEqual(e.t, rec.Code, 400)
	require.Less(e.t, rec.Code, 600)
	require.Zero(e.t, e.sink.loginCount(), "no session may start")
	body, logged := rec.Body.String(), e.log.String()
	require.Contains(e.t, body, "<h1>Inloggning</h1>")
	for _, secret := range []string{testNumber, testSamordning, testGiven, testSurname, "<saml", "<samlp", "SAMLResponse="} {
		require.NotContains(e.t, body, secret)
		require.NotContains(e.t, logged, secret)
	}
}

// response is a test IdP response that tests may change before building.
type response struct {
	resp          crewjam.Response
	assertion     *crewjam.Assertion
	extra         []*crewjam.Assertion // further assertions, signed like the first
	signAssertion bool
	signResponse  bool
	encrypt       bool
	pkcs1v15      bool    // encrypt the key with RSA PKCS#1 v1.5 instead of OAEP
	method        string  // signature method; default RSA-SHA256
	signer        keyPair // signs the Response; default the IdP's keys
	assertionKeys keyPair // signs the assertions; default signer
	// shape edits each assertion element before it is signed, for content
	// crewjam's types cannot express.
	shape func(assertion *etree.Element)
	// tamper edits the built Response element after all signing.
	tamper func(resp *etree.Element)
}

// goodResponse answers requestID ("" for unsolicited) correctly at now.
func goodResponse(requestID string, now time.Time) *response {
	now = now.UTC()
	return &response{
		resp: crewjam.Response{
			ID:           "id-resp-" + randomID(),
			InResponseTo: requestID,
			Version:      "2.0",
			IssueInstant: now,
			Destination:  testACS,
			Issuer:       &crewjam.Issuer{Format: entityFormat, Value: idpEntityID},
			Status:       crewjam.Status{StatusCode: crewjam.StatusCode{Value: crewjam.StatusSuccess}},
		},
		assertion:     goodAssertion(requestID, now),
		signAssertion: true,
		signResponse:  true,
	}
}

func goodAssertion(requestID string, now time.Time) *crewjam.Assertion {
	return &crewjam.Assertion{
		ID:           "id-assertion-" + randomID(),
		IssueInstant: now,
		Version:      "2.0",
		Issuer:       crewjam.Issuer{Format: entityFormat, Value: idpEntityID},
		Subject: &crewjam.Subject{
			NameID: &crewjam.NameID{Format: string(crewjam.TransientNameIDFormat), Value: "_nameid-" + randomID()},
			SubjectConfirmations: []crewjam.SubjectConfirmation{{
				Method: bearer,
				SubjectConfirmationData: &crewjam.SubjectConfirmationData{
					InResponseTo: requestID,
					NotOnOrAfter: now.Add(5 * time.Minute),
					Recipient:    testACS,
				},
			}},
		},
		Conditions: &crewjam.Conditions{
			NotBefore:            now.Add(-time.Minute),
			NotOnOrAfter:         now.Add(5 * time.Minute),
			AudienceRestrictions: []crewjam.AudienceRestriction{{Audience: crewjam.Audience{Value: testEntityID}}},
		},
		AuthnStatements: []crewjam.AuthnStatement{{
			AuthnInstant: now.Add(-10 * time.Second),
			SessionIndex: "_session-index",
			AuthnContext: crewjam.AuthnContext{AuthnContextClassRef: &crewjam.AuthnContextClassRef{Value: loa3}},
		}},
		AttributeStatements: []crewjam.AttributeStatement{{Attributes: []crewjam.Attribute{
			attr(AttrPersonalIdentityNumber, "personalIdentityNumber", testNumber),
			attr(AttrGivenName, "givenName", testGiven),
			attr(AttrSurname, "sn", testSurname),
			attr(AttrDisplayName, "displayName", testDisplay),
		}}},
	}
}

func attr(name, friendly string, values ...string) crewjam.Attribute {
	a := crewjam.Attribute{Name: name, FriendlyName: friendly, NameFormat: attrNameFormURI}
	for _, v := range values {
		a.Values = append(a.Values, crewjam.AttributeValue{Type: "xs:string", Value: v})
	}
	return a
}

func randomID() string { return newID()[3:] }

// build renders the response: assertions signed (and encrypted), then the
// Response signed, then tampered with.
func (r *response) build(t testing.TB) []byte {
	t.Helper()
	el := r.element(t)
	doc := etree.NewDocument()
	doc.SetRoot(el)
	b, err := doc.WriteToBytes()
	require.NoError(t, err)
	return b
}

func (r *response) element(t testing.TB) *etree.Element {
	t.Helper()
	if r.signer.key == nil {
		r.signer = idpKeys
	}
	if r.assertionKeys.key == nil {
		r.assertionKeys = r.signer
	}
	if r.method == "" {
		r.method = dsig.RSASHA256SignatureMethod
	}
	el := r.resp.Element()
	for _, a := range append([]*crewjam.Assertion{r.assertion}, r.extra...) {
		if a == nil {
			continue
		}
		ael := a.Element()
		if r.shape != nil {
			r.shape(ael)
		}
		if r.signAssertion {
			ael = sign(t, ael, r.assertionKeys, r.method)
		}
		if r.encrypt {
			ael = encrypt(t, ael, r.pkcs1v15)
		}
		el.AddChild(ael)
	}
	if r.signResponse {
		el = sign(t, el, r.signer, r.method)
	}
	if r.tamper != nil {
		r.tamper(el)
	}
	return el
}

// sign adds an enveloped signature right after Issuer, where the schema
// wants it (the enveloped transform removes it wherever it is).
func sign(t testing.TB, el *etree.Element, kp keyPair, method string) *etree.Element {
	t.Helper()
	ctx, err := dsig.NewSigningContext(kp.key, [][]byte{kp.cert.Raw})
	require.NoError(t, err)
	ctx.Canonicalizer = dsig.MakeC14N10ExclusiveCanonicalizerWithPrefixList("")
	require.NoError(t, ctx.SetSignatureMethod(method))
	sig, err := ctx.ConstructSignature(el, true)
	require.NoError(t, err)
	signed := el.Copy()
	signed.InsertChildAt(signed.SelectElement("Issuer").Index()+1, sig)
	return signed
}

func encrypt(t testing.TB, assertion *etree.Element, pkcs1v15 bool) *etree.Element {
	t.Helper()
	transport := xmlenc.OAEP()
	if pkcs1v15 {
		transport = xmlenc.PKCS1v15()
	}
	transport.BlockCipher = xmlenc.AES128CBC
	transport.DigestMethod = &xmlenc.SHA1
	doc := etree.NewDocument()
	doc.SetRoot(assertion)
	plain, err := doc.WriteToBytes()
	require.NoError(t, err)
	data, err := transport.Encrypt(spKeys.cert, plain, nil)
	require.NoError(t, err)
	data.CreateAttr("Type", "http://www.w3.org/2001/04/xmlenc#Element")
	ea := etree.NewElement("saml:EncryptedAssertion")
	ea.AddChild(data)
	return ea
}

// find returns the first descendant of el with local name tag.
func find(el *etree.Element, tag string) *etree.Element {
	for _, c := range el.ChildElements() {
		if c.Tag == tag {
			return c
		}
		if f := find(c, tag); f != nil {
			return f
		}
	}
	return nil
}

func isAny(err error, targets ...error) bool {
	for _, t := range targets {
		if errors.Is(err, t) {
			return true
		}
	}
	return false
}
