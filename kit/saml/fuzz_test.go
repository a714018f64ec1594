package saml

import (
	"bytes"
	"encoding/base64"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	dsig "github.com/russellhaering/goxmldsig"
	"github.com/stretchr/testify/require"

	"github.com/arendevy/arendevy/kit/localpath"
)

// FuzzACS feeds the ACS arbitrary SAMLResponse and RelayState values. It
// must never panic, and nothing but the signed seed may ever log anyone
// in: a mutation that still logs in must not have changed who.
func FuzzACS(f *testing.F) {
	e := newEnv(f, func(c *Config) { c.AllowIdPInitiated = true; c.Logger = discard() })
	plain := goodResponse("", e.now()).build(f)
	enc := goodResponse("", e.now())
	enc.encrypt = true
	f.Add(base64.StdEncoding.EncodeToString(plain), "")
	f.Add(base64.StdEncoding.EncodeToString(enc.build(f)), "/minasidor")
	f.Add(base64.StdEncoding.EncodeToString([]byte(`<!DOCTYPE r [<!ENTITY a "b">]><r>&a;</r>`)), "")
	f.Add(base64.StdEncoding.EncodeToString(bytes.Replace(plain, []byte(testNumber), []byte(testSamordning), 1)), "")
	f.Add("not base64!", "//evil")
	f.Add("", "")
	f.Fuzz(func(t *testing.T, samlResponse, relay string) {
		form := url.Values{"SAMLResponse": {samlResponse}, "RelayState": {relay}}
		req := httptest.NewRequest(http.MethodPost, testACS, strings.NewReader(form.Encode()))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		before := e.sink.loginCount()
		rec := httptest.NewRecorder()
		e.h.ServeHTTP(rec, req)
		if rec.Code != http.StatusSeeOther {
			require.Equal(t, before, e.sink.loginCount())
			require.NotContains(t, rec.Body.String(), testNumber)
			return
		}
		e.sink.mu.Lock()
		last := e.sink.logins[len(e.sink.logins)-1]
		e.sink.mu.Unlock()
		require.Equal(t, testNumber, last.subject.User.Number)
		require.NoError(t, localpath.Check(rec.Header().Get("Location")))
	})
}

// FuzzSLOQuery feeds single logout arbitrary queries: only the IdP-signed
// seed's message may come through, unchanged.
func FuzzSLOQuery(f *testing.F) {
	e := newEnv(f, func(c *Config) { c.Logger = discard() })
	msg := deflateElement(f, logoutResponse(testSLO, idpEntityID))
	signed := idpSignedQuery(f, "SAMLResponse", msg, "/hej", dsig.RSASHA256SignatureMethod)
	f.Add(signed)
	f.Add(signed + "&extra=1")
	f.Add("SAMLResponse=%%%&SigAlg=x&Signature=y")
	f.Add("SAMLRequest=" + url.QueryEscape(base64.StdEncoding.EncodeToString(deflateBomb(f, 1<<20))))
	f.Add("")
	want := inflateParam(f, base64.StdEncoding.EncodeToString(msg))
	f.Fuzz(func(t *testing.T, q string) {
		m, err := e.sp.readRedirect(q)
		if err != nil {
			return
		}
		require.Equal(t, want, m.xml)
	})
}

// FuzzTrackingCookie: no cookie value but one the SP sealed opens.
func FuzzTrackingCookie(f *testing.F) {
	e := newEnv(f, func(c *Config) { c.Logger = discard() })
	req, relay, cookie := e.login("/minasidor")
	f.Add(relay, cookie.Value)
	f.Add(relay, cookie.Value[:len(cookie.Value)-2])
	f.Add(strings.Repeat("0", 32), "")
	f.Add("../../etc", "x")
	f.Fuzz(func(t *testing.T, relay, value string) {
		r := httptest.NewRequest(http.MethodPost, testACS, nil)
		r.AddCookie(&http.Cookie{Name: trackingCookiePrefix + relay, Value: value})
		tr, err := e.sp.tracker.take(httptest.NewRecorder(), r, relay, time.Now())
		if err != nil {
			return
		}
		require.Equal(t, req.ID, tr.requestID)
		require.Equal(t, "/minasidor", tr.returnTo)
	})
}
