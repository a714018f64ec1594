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
)

func TestLocalPath(t *testing.T) {
	for _, tc := range []struct {
		in string
		ok bool
	}{
		{"/", true},
		{"/minasidor?flik=arenden#topp", true},
		{"/%2F%2Fevil.test", true}, // a path on our own origin, percent-encoded
		{"", false},
		{"https://evil.test/", false},
		{"//evil.test", false},
		{`/\evil.test`, false},
		{`\\evil.test`, false},
		{"javascript:alert(1)", false},
		{"JaVaScRiPt:alert(1)", false},
		{"/\t/evil.test", false},
		{"/\n/evil.test", false},
		{"/ minasidor", false},
		{"minasidor", false},
		{"/" + strings.Repeat("a", maxReturnLen), false},
	} {
		t.Run(tc.in, func(t *testing.T) {
			got, err := localPath(tc.in)
			if tc.ok {
				require.NoError(t, err)
				require.Equal(t, tc.in, got)
				return
			}
			require.ErrorIs(t, err, ErrUnsafeReturn)
		})
	}
}

// FuzzLocalPath: whatever localPath accepts, a browser resolves to our own
// origin.
func FuzzLocalPath(f *testing.F) {
	for _, s := range []string{"/", "/a?b=c", "//evil", `/\evil`, "javascript:x", "/\t/evil", "/%09/evil", "https://evil"} {
		f.Add(s)
	}
	base, _ := url.Parse("https://portal.test/arendevy/x")
	f.Fuzz(func(t *testing.T, s string) {
		p, err := localPath(s)
		if err != nil {
			return
		}
		u, err := url.Parse(p)
		require.NoError(t, err)
		require.Equal(t, "portal.test", base.ResolveReference(u).Host)
		require.Equal(t, "https", base.ResolveReference(u).Scheme)
	})
}

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
		_, err := localPath(rec.Header().Get("Location"))
		require.NoError(t, err)
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
