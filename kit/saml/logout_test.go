package saml

import (
	"bytes"
	"compress/flate"
	"crypto/x509"
	"encoding/base64"
	"encoding/xml"
	"errors"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/beevik/etree"
	crewjam "github.com/crewjam/saml"
	dsig "github.com/russellhaering/goxmldsig"
	"github.com/stretchr/testify/require"

	"github.com/arendevy/arendevy/kit/session"
)

func deflateElement(t testing.TB, el *etree.Element) []byte {
	t.Helper()
	doc := etree.NewDocument()
	doc.SetRoot(el)
	var buf bytes.Buffer
	fw, err := flate.NewWriter(&buf, flate.BestCompression)
	require.NoError(t, err)
	_, err = doc.WriteTo(fw)
	require.NoError(t, err)
	require.NoError(t, fw.Close())
	return buf.Bytes()
}

// idpSignedQuery is an HTTP-Redirect binding query as the test IdP sends it.
func idpSignedQuery(t testing.TB, param string, deflated []byte, relay, sigAlg string) string {
	t.Helper()
	return signedQuery(t, idpKeys, param, deflated, relay, sigAlg)
}

func signedQuery(t testing.TB, kp keyPair, param string, deflated []byte, relay, sigAlg string) string {
	t.Helper()
	q := param + "=" + url.QueryEscape(base64.StdEncoding.EncodeToString(deflated))
	if relay != "" {
		q += "&RelayState=" + url.QueryEscape(relay)
	}
	q += "&SigAlg=" + url.QueryEscape(sigAlg)
	ctx, err := dsig.NewSigningContext(kp.key, [][]byte{kp.cert.Raw})
	require.NoError(t, err)
	require.NoError(t, ctx.SetSignatureMethod(sigAlg))
	sig, err := ctx.SignString(q)
	require.NoError(t, err)
	return q + "&Signature=" + url.QueryEscape(base64.StdEncoding.EncodeToString(sig))
}

// verifySPQuery checks that a redirect URL we sent carries a valid
// RSA-SHA256 query signature and returns its inflated message and RelayState.
func verifySPQuery(t *testing.T, loc, param string) ([]byte, string) {
	t.Helper()
	_, rawQuery, ok := strings.Cut(loc, "?")
	require.True(t, ok)
	raw := map[string]string{}
	for _, kv := range strings.Split(rawQuery, "&") {
		k, v, _ := strings.Cut(kv, "=")
		raw[k] = v
	}
	signed := param + "=" + raw[param]
	if rs, ok := raw["RelayState"]; ok {
		signed += "&RelayState=" + rs
	}
	signed += "&SigAlg=" + raw["SigAlg"]
	sigB64, err := url.QueryUnescape(raw["Signature"])
	require.NoError(t, err)
	sig, err := base64.StdEncoding.DecodeString(sigB64)
	require.NoError(t, err)
	require.NoError(t, spKeys.cert.CheckSignature(x509.SHA256WithRSA, []byte(signed), sig))
	msg, err := url.QueryUnescape(raw[param])
	require.NoError(t, err)
	relay, err := url.QueryUnescape(raw["RelayState"])
	require.NoError(t, err)
	return inflateParam(t, msg), relay
}

func (e *env) logout(ret string) (*httptest.ResponseRecorder, error) {
	e.t.Helper()
	form := url.Values{}
	if ret != "" {
		form.Set("return", ret)
	}
	req := httptest.NewRequest(http.MethodPost, testRoot+"/arendevy/saml/logout", strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	n := e.log.count()
	rec := httptest.NewRecorder()
	e.h.ServeHTTP(rec, req)
	return rec, e.log.errorSince(n)
}

var samlSession = session.Data{SAML: session.SAMLInfo{
	NameID: "_nameid-1", NameIDFormat: string(crewjam.TransientNameIDFormat), SessionIndex: "_session-1", IdP: idpEntityID,
}}

func TestLogoutSendsASignedLogoutRequest(t *testing.T) {
	e := newEnv(t)
	e.sink.data = samlSession
	rec, err := e.logout("/hej-da")
	require.NoError(t, err)
	require.Equal(t, http.StatusSeeOther, rec.Code)
	loc := rec.Header().Get("Location")
	require.True(t, strings.HasPrefix(loc, idpSLO+"?"), loc)
	require.Equal(t, 1, e.sink.logouts)

	msg, relay := verifySPQuery(t, loc, "SAMLRequest")
	require.Equal(t, "/hej-da", relay)
	var lr crewjam.LogoutRequest
	require.NoError(t, xml.Unmarshal(msg, &lr))
	require.Equal(t, idpSLO, lr.Destination)
	require.Equal(t, testEntityID, lr.Issuer.Value)
	require.Equal(t, "_nameid-1", lr.NameID.Value)
	require.Equal(t, string(crewjam.TransientNameIDFormat), lr.NameID.Format)
	require.Equal(t, "_session-1", lr.SessionIndex.Value)
	require.WithinDuration(t, time.Now(), lr.IssueInstant, time.Minute)
}

func TestLogoutWithoutSingleLogout(t *testing.T) {
	for _, tc := range []struct {
		name    string
		withSLO bool
		data    session.Data
	}{
		{"IdP without single logout", false, samlSession},
		{"session not from SAML (portal login)", true, session.Data{}},
		{"session from another IdP", true, session.Data{SAML: session.SAMLInfo{NameID: "_x", IdP: "https://other.test/idp"}}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			e := newEnv(t, func(c *Config) { c.IdPMetadata = idpMetadata(tc.withSLO) })
			e.sink.data = tc.data
			rec, err := e.logout("/hej-da")
			require.NoError(t, err)
			require.Equal(t, http.StatusSeeOther, rec.Code)
			require.Equal(t, "/hej-da", rec.Header().Get("Location"))
			require.Equal(t, 1, e.sink.logouts)
		})
	}
}

func TestLogoutRefusals(t *testing.T) {
	for _, target := range []string{"https://evil.test", "//evil.test", `/\evil.test`, "javascript:alert(1)"} {
		t.Run("return "+target, func(t *testing.T) {
			e := newEnv(t)
			rec, err := e.logout(target)
			e.requireRefused(rec, err, ErrUnsafeReturn)
			require.Zero(t, e.sink.logouts, "nothing happens on a refused logout")
		})
	}
	t.Run("session store failure", func(t *testing.T) {
		e := newEnv(t)
		e.sink.logoutErr = errors.New("store down")
		rec, err := e.logout("")
		e.requireRefused(rec, err, ErrLogout)
		require.Equal(t, http.StatusServiceUnavailable, rec.Code)
		require.Contains(t, rec.Body.String(), "Utloggningen kunde inte genomföras")
	})
	t.Run("GET is not a logout", func(t *testing.T) {
		e := newEnv(t)
		rec := httptest.NewRecorder()
		e.h.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, testRoot+"/arendevy/saml/logout", nil))
		require.Equal(t, http.StatusMethodNotAllowed, rec.Code)
		require.Zero(t, e.sink.logouts)
	})
}

func logoutResponse(dest, issuer string) *etree.Element {
	r := crewjam.LogoutResponse{
		ID: "id-lr-" + randomID(), InResponseTo: "id-ours", Version: "2.0", IssueInstant: time.Now().UTC(),
		Destination: dest, Issuer: &crewjam.Issuer{Format: entityFormat, Value: issuer},
		Status: crewjam.Status{StatusCode: crewjam.StatusCode{Value: crewjam.StatusSuccess}},
	}
	return r.Element()
}

func TestSingleLogoutResponse(t *testing.T) {
	testKeys(t)
	good := func(t *testing.T) []byte { return deflateElement(t, logoutResponse(testSLO, idpEntityID)) }
	for _, tc := range []struct {
		name  string
		query func(t *testing.T) string
		to    string // where the user goes, or "" when refused
		want  error
	}{
		{"signed by the IdP", func(t *testing.T) string {
			return idpSignedQuery(t, "SAMLResponse", good(t), "/hej-da", dsig.RSASHA256SignatureMethod)
		}, "/hej-da", nil},
		{"RelayState https://evil", func(t *testing.T) string {
			return idpSignedQuery(t, "SAMLResponse", good(t), "https://evil.test", dsig.RSASHA256SignatureMethod)
		}, "/", nil},
		{"RelayState //evil", func(t *testing.T) string {
			return idpSignedQuery(t, "SAMLResponse", good(t), "//evil.test", dsig.RSASHA256SignatureMethod)
		}, "/", nil},
		{`RelayState /\evil`, func(t *testing.T) string {
			return idpSignedQuery(t, "SAMLResponse", good(t), `/\evil.test`, dsig.RSASHA256SignatureMethod)
		}, "/", nil},
		{"RelayState javascript:", func(t *testing.T) string {
			return idpSignedQuery(t, "SAMLResponse", good(t), "javascript:alert(1)", dsig.RSASHA256SignatureMethod)
		}, "/", nil},
		{"unsigned", func(t *testing.T) string {
			return "SAMLResponse=" + url.QueryEscape(base64.StdEncoding.EncodeToString(good(t))) + "&RelayState=%2F"
		}, "", ErrUnsigned},
		{"signed by a key not in the metadata", func(t *testing.T) string {
			return signedQuery(t, evil, "SAMLResponse", good(t), "/", dsig.RSASHA256SignatureMethod)
		}, "", ErrSignature},
		{"SHA-1 signature", func(t *testing.T) string {
			return idpSignedQuery(t, "SAMLResponse", good(t), "/", dsig.RSASHA1SignatureMethod)
		}, "", ErrWeakAlgorithm},
		{"RelayState changed after signing", func(t *testing.T) string {
			return strings.Replace(idpSignedQuery(t, "SAMLResponse", good(t), "/a", dsig.RSASHA256SignatureMethod),
				"RelayState=%2Fa", "RelayState=%2Fb", 1)
		}, "", ErrSignature},
		{"wrong Destination", func(t *testing.T) string {
			return idpSignedQuery(t, "SAMLResponse", deflateElement(t, logoutResponse("https://other.test/slo", idpEntityID)), "", dsig.RSASHA256SignatureMethod)
		}, "", ErrDestination},
		{"wrong Issuer", func(t *testing.T) string {
			return idpSignedQuery(t, "SAMLResponse", deflateElement(t, logoutResponse(testSLO, "https://evil.test/idp")), "", dsig.RSASHA256SignatureMethod)
		}, "", ErrIssuer},
		{"repeated parameter", func(t *testing.T) string {
			return idpSignedQuery(t, "SAMLResponse", good(t), "/", dsig.RSASHA256SignatureMethod) + "&RelayState=%2Fx"
		}, "", ErrMalformed},
	} {
		t.Run(tc.name, func(t *testing.T) {
			e := newEnv(t)
			rec, err := e.get("/arendevy/saml/slo?" + tc.query(t))
			if tc.want != nil {
				e.requireRefused(rec, err, tc.want)
				return
			}
			require.NoError(t, err)
			require.Equal(t, http.StatusSeeOther, rec.Code)
			require.Equal(t, tc.to, rec.Header().Get("Location"))
			require.Zero(t, e.sink.logouts, "a LogoutResponse only finishes our own logout")
		})
	}
}

// idpLogoutRequest is the test IdP's LogoutRequest for samlSession.
func idpLogoutRequest() crewjam.LogoutRequest {
	return crewjam.LogoutRequest{
		ID: "id-idp-logout-" + randomID(), Version: "2.0", IssueInstant: time.Now().UTC(), Destination: testSLO,
		Issuer:       &crewjam.Issuer{Format: entityFormat, Value: idpEntityID},
		NameID:       &crewjam.NameID{Value: "_nameid-1"},
		SessionIndex: &crewjam.SessionIndex{Value: "_session-1"},
	}
}

func TestIdPInitiatedSingleLogout(t *testing.T) {
	e := newEnv(t)
	e.sink.data = samlSession
	lr := idpLogoutRequest()
	lr.ID = "id-idp-logout"
	rec, err := e.get("/arendevy/saml/slo?" + idpSignedQuery(t, "SAMLRequest", deflateElement(t, lr.Element()), "state-1", dsig.RSASHA256SignatureMethod))
	require.NoError(t, err)
	require.Equal(t, 1, e.sink.logouts, "the session ends")
	require.Equal(t, http.StatusSeeOther, rec.Code)
	loc := rec.Header().Get("Location")
	require.True(t, strings.HasPrefix(loc, idpSLO+"?"), loc)
	msg, relay := verifySPQuery(t, loc, "SAMLResponse")
	require.Equal(t, "state-1", relay)
	var resp crewjam.LogoutResponse
	require.NoError(t, xml.Unmarshal(msg, &resp))
	require.Equal(t, "id-idp-logout", resp.InResponseTo)
	require.Equal(t, crewjam.StatusSuccess, resp.Status.StatusCode.Value)
	require.Equal(t, testEntityID, resp.Issuer.Value)

	t.Run("forged LogoutRequest ends nothing", func(t *testing.T) {
		e := newEnv(t)
		e.sink.data = samlSession
		rec, err := e.get("/arendevy/saml/slo?" + signedQuery(t, evil, "SAMLRequest", deflateElement(t, lr.Element()), "", dsig.RSASHA256SignatureMethod))
		e.requireRefused(rec, err, ErrSignature)
		require.Zero(t, e.sink.logouts)
	})
	t.Run("expired LogoutRequest ends nothing", func(t *testing.T) {
		e := newEnv(t)
		e.sink.data = samlSession
		old := lr
		past := time.Now().Add(-time.Hour)
		old.NotOnOrAfter = &past
		rec, err := e.get("/arendevy/saml/slo?" + idpSignedQuery(t, "SAMLRequest", deflateElement(t, old.Element()), "", dsig.RSASHA256SignatureMethod))
		e.requireRefused(rec, err, ErrExpired)
		require.Zero(t, e.sink.logouts)
	})
}

// TestIdPInitiatedSingleLogoutIsStrict: a signed LogoutRequest ends the
// session only when it is for this session, fresh, and used once.
func TestIdPInitiatedSingleLogoutIsStrict(t *testing.T) {
	for _, tc := range []struct {
		name string
		edit func(*crewjam.LogoutRequest)
		data session.Data
		want error
	}{
		{"another NameID", func(lr *crewjam.LogoutRequest) { lr.NameID.Value = "_nameid-2" }, samlSession, ErrLogoutSubject},
		{"another SessionIndex", func(lr *crewjam.LogoutRequest) { lr.SessionIndex.Value = "_session-2" }, samlSession, ErrLogoutSubject},
		{"no SessionIndex when the session has one", func(lr *crewjam.LogoutRequest) { lr.SessionIndex = nil }, samlSession, ErrLogoutSubject},
		{"another NameID format", func(lr *crewjam.LogoutRequest) { lr.NameID.Format = string(crewjam.PersistentNameIDFormat) }, samlSession, ErrLogoutSubject},
		{"session from another IdP", func(*crewjam.LogoutRequest) {}, session.Data{SAML: session.SAMLInfo{NameID: "_nameid-1", SessionIndex: "_session-1", IdP: "https://other.test/idp"}}, ErrLogoutSubject},
		{"no session", func(*crewjam.LogoutRequest) {}, session.Data{}, ErrLogoutSubject},
		{"issued two days ago", func(lr *crewjam.LogoutRequest) { lr.IssueInstant = time.Now().Add(-48 * time.Hour).UTC() }, samlSession, ErrExpired},
		{"issued two days ago, NotOnOrAfter ahead", func(lr *crewjam.LogoutRequest) {
			lr.IssueInstant = time.Now().Add(-48 * time.Hour).UTC()
			later := time.Now().Add(time.Hour)
			lr.NotOnOrAfter = &later
		}, samlSession, ErrExpired},
		{"issued in the future", func(lr *crewjam.LogoutRequest) { lr.IssueInstant = time.Now().Add(time.Hour).UTC() }, samlSession, ErrNotYetValid},
	} {
		t.Run(tc.name, func(t *testing.T) {
			e := newEnv(t)
			e.sink.data = tc.data
			lr := idpLogoutRequest()
			tc.edit(&lr)
			rec, err := e.get("/arendevy/saml/slo?" + idpSignedQuery(t, "SAMLRequest", deflateElement(t, lr.Element()), "", dsig.RSASHA256SignatureMethod))
			e.requireRefused(rec, err, tc.want)
			require.Zero(t, e.sink.logouts, "a refused LogoutRequest ends nothing")
		})
	}
	t.Run("several SessionIndex values, ours among them", func(t *testing.T) {
		e := newEnv(t)
		e.sink.data = samlSession
		lr := idpLogoutRequest()
		el := lr.Element()
		extra := el.CreateElement("samlp:SessionIndex")
		extra.SetText("_session-0")
		el.InsertChildAt(el.FindElement("./SessionIndex").Index(), extra)
		rec, err := e.get("/arendevy/saml/slo?" + idpSignedQuery(t, "SAMLRequest", deflateElement(t, el), "", dsig.RSASHA256SignatureMethod))
		require.NoError(t, err)
		require.Equal(t, http.StatusSeeOther, rec.Code)
		require.Equal(t, 1, e.sink.logouts)
	})
	t.Run("replayed ID", func(t *testing.T) {
		e := newEnv(t)
		e.sink.data = samlSession
		lr := idpLogoutRequest()
		q := idpSignedQuery(t, "SAMLRequest", deflateElement(t, lr.Element()), "", dsig.RSASHA256SignatureMethod)
		rec, err := e.get("/arendevy/saml/slo?" + q)
		require.NoError(t, err)
		require.Equal(t, http.StatusSeeOther, rec.Code)
		require.Equal(t, 1, e.sink.logouts)
		// The same URL again, for the next user of the browser (or another
		// user with the same NameID): refused, nothing ended.
		rec, err = e.get("/arendevy/saml/slo?" + q)
		e.requireRefused(rec, err, ErrLogoutReplay)
		require.Equal(t, 1, e.sink.logouts)
	})
}

// postSLO sends an HTTP-POST binding message to the SLO endpoint.
func (e *env) postSLO(param string, el *etree.Element, relay string) (*httptest.ResponseRecorder, error) {
	e.t.Helper()
	doc := etree.NewDocument()
	doc.SetRoot(el)
	b, err := doc.WriteToBytes()
	require.NoError(e.t, err)
	form := url.Values{param: {base64.StdEncoding.EncodeToString(b)}}
	if relay != "" {
		form.Set("RelayState", relay)
	}
	req := httptest.NewRequest(http.MethodPost, testSLO, strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	n := e.log.count()
	rec := httptest.NewRecorder()
	e.h.ServeHTTP(rec, req)
	return rec, e.log.errorSince(n)
}

func TestIdPInitiatedSingleLogoutPost(t *testing.T) {
	testKeys(t)
	t.Run("signed LogoutRequest ends the session", func(t *testing.T) {
		e := newEnv(t)
		e.sink.data = samlSession
		lr := idpLogoutRequest()
		rec, err := e.postSLO("SAMLRequest", sign(t, lr.Element(), idpKeys, dsig.RSASHA256SignatureMethod), "state-1")
		require.NoError(t, err)
		require.Equal(t, 1, e.sink.logouts, "the session ends")
		require.Equal(t, http.StatusSeeOther, rec.Code)
		loc := rec.Header().Get("Location")
		require.True(t, strings.HasPrefix(loc, idpSLO+"?"), loc)
		msg, relay := verifySPQuery(t, loc, "SAMLResponse")
		require.Equal(t, "state-1", relay)
		var resp crewjam.LogoutResponse
		require.NoError(t, xml.Unmarshal(msg, &resp))
		require.Equal(t, lr.ID, resp.InResponseTo)
		require.Equal(t, crewjam.StatusSuccess, resp.Status.StatusCode.Value)
	})
	t.Run("signed LogoutResponse finishes our logout", func(t *testing.T) {
		e := newEnv(t)
		rec, err := e.postSLO("SAMLResponse", sign(t, logoutResponse(testSLO, idpEntityID), idpKeys, dsig.RSASHA256SignatureMethod), "/hej-da")
		require.NoError(t, err)
		require.Equal(t, http.StatusSeeOther, rec.Code)
		require.Equal(t, "/hej-da", rec.Header().Get("Location"))
		require.Zero(t, e.sink.logouts)
	})
	for _, tc := range []struct {
		name string
		el   func(t *testing.T) *etree.Element
		want error
	}{
		{"unsigned", func(t *testing.T) *etree.Element { lr := idpLogoutRequest(); return lr.Element() }, ErrUnsigned},
		{"signed by a key not in the metadata", func(t *testing.T) *etree.Element {
			lr := idpLogoutRequest()
			return sign(t, lr.Element(), evil, dsig.RSASHA256SignatureMethod)
		}, ErrSignature},
		{"NameID changed after signing", func(t *testing.T) *etree.Element {
			other := idpLogoutRequest()
			other.NameID.Value = "_nameid-2"
			el := sign(t, other.Element(), idpKeys, dsig.RSASHA256SignatureMethod)
			el.FindElement("./NameID").SetText("_nameid-1")
			return el
		}, ErrSignature},
		{"SHA-1 signature", func(t *testing.T) *etree.Element {
			lr := idpLogoutRequest()
			return sign(t, lr.Element(), idpKeys, dsig.RSASHA1SignatureMethod)
		}, ErrWeakAlgorithm},
		{"signed, for another NameID", func(t *testing.T) *etree.Element {
			lr := idpLogoutRequest()
			lr.NameID.Value = "_nameid-2"
			return sign(t, lr.Element(), idpKeys, dsig.RSASHA256SignatureMethod)
		}, ErrLogoutSubject},
		{"signed, issued two days ago", func(t *testing.T) *etree.Element {
			lr := idpLogoutRequest()
			lr.IssueInstant = time.Now().Add(-48 * time.Hour).UTC()
			return sign(t, lr.Element(), idpKeys, dsig.RSASHA256SignatureMethod)
		}, ErrExpired},
	} {
		t.Run(tc.name, func(t *testing.T) {
			e := newEnv(t)
			e.sink.data = samlSession
			rec, err := e.postSLO("SAMLRequest", tc.el(t), "")
			e.requireRefused(rec, err, tc.want)
			require.Zero(t, e.sink.logouts, "a refused LogoutRequest ends nothing")
		})
	}
	t.Run("replayed over the other binding", func(t *testing.T) {
		e := newEnv(t)
		e.sink.data = samlSession
		lr := idpLogoutRequest()
		rec, err := e.get("/arendevy/saml/slo?" + idpSignedQuery(t, "SAMLRequest", deflateElement(t, lr.Element()), "", dsig.RSASHA256SignatureMethod))
		require.NoError(t, err)
		require.Equal(t, http.StatusSeeOther, rec.Code)
		rec, err = e.postSLO("SAMLRequest", sign(t, lr.Element(), idpKeys, dsig.RSASHA256SignatureMethod), "")
		e.requireRefused(rec, err, ErrLogoutReplay)
		require.Equal(t, 1, e.sink.logouts)
	})
}
