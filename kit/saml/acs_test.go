package saml

import (
	"bytes"
	"compress/flate"
	"crypto/x509"
	"encoding/base64"
	"io"
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

	"github.com/arendevy/arendevy/kit/identity"
	"github.com/arendevy/arendevy/kit/session"
)

func TestLoginEndsInASessionForTheAssertedPerson(t *testing.T) {
	for _, tc := range []struct {
		name    string
		encrypt bool
		number  string
		kind    identity.Kind
	}{
		{"signed assertion", false, testNumber, identity.Personnummer},
		{"encrypted assertion", true, testNumber, identity.Personnummer},
		{"samordningsnummer", false, testSamordning, identity.Samordningsnummer},
	} {
		t.Run(tc.name, func(t *testing.T) {
			e := newEnv(t)
			req, relay, cookie := e.login("/minasidor?flik=arenden")
			r := goodResponse(req.ID, e.now())
			r.encrypt = tc.encrypt
			r.assertion.AttributeStatements[0].Attributes[0] = attr(AttrPersonalIdentityNumber, "personalIdentityNumber", tc.number)
			authn := r.assertion.AuthnStatements[0].AuthnInstant

			rec, err := e.post(r.build(t), relay, cookie)
			require.NoError(t, err)
			require.Equal(t, http.StatusSeeOther, rec.Code)
			require.Equal(t, "/minasidor?flik=arenden", rec.Header().Get("Location"))

			require.Len(t, e.sink.logins, 1)
			got := e.sink.logins[0]
			require.Equal(t, identity.Party{Number: tc.number, Kind: tc.kind, Name: testDisplay}, got.subject.User)
			require.True(t, got.subject.ActingFor.IsZero())
			require.Equal(t, loa3, got.subject.LoA)
			require.WithinDuration(t, authn, got.subject.AuthnInstant, time.Millisecond)
			require.Equal(t, idpEntityID, got.subject.IdP)
			require.Equal(t, session.SAMLInfo{
				NameID:       r.assertion.Subject.NameID.Value,
				NameIDFormat: string(crewjam.TransientNameIDFormat),
				SessionIndex: "_session-index",
				IdP:          idpEntityID,
			}, got.info)

			expired := false
			for _, c := range rec.Result().Cookies() {
				expired = expired || (c.Name == cookie.Name && c.MaxAge < 0)
			}
			require.True(t, expired, "the ACS expires the tracking cookie")
			require.NotContains(t, e.log.String(), tc.number)
			require.NotContains(t, e.log.String(), testGiven)
		})
	}
}

func TestNameFromGivenNameAndSurnameWithoutDisplayName(t *testing.T) {
	e := newEnv(t)
	req, relay, cookie := e.login("")
	r := goodResponse(req.ID, e.now())
	r.assertion.AttributeStatements[0].Attributes = r.assertion.AttributeStatements[0].Attributes[:3]
	rec, err := e.post(r.build(t), relay, cookie)
	require.NoError(t, err)
	require.Equal(t, "/", rec.Header().Get("Location"), "no return target: DefaultReturn")
	require.Equal(t, testGiven+" "+testSurname, e.sink.logins[0].subject.User.Name)
}

// A user who spends five minutes at BankID gets in; crewjam's own request
// tracking would have forgotten the request after 90 seconds. One who takes
// longer than RequestLifetime is told the login took too long.
func TestSlowUser(t *testing.T) {
	for _, tc := range []struct {
		name  string
		spent time.Duration
		ok    bool
	}{
		{"five minutes", 5 * time.Minute, true},
		{"nine and a half minutes", 9*time.Minute + 30*time.Second, true},
		{"eleven minutes", 11 * time.Minute, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			e := newEnv(t)
			e.offset.Store(int64(-tc.spent)) // the request was made tc.spent ago
			req, relay, cookie := e.login("/minasidor")
			e.offset.Store(0)
			rec, err := e.post(goodResponse(req.ID, e.now()).build(t), relay, cookie)
			if tc.ok {
				require.NoError(t, err)
				require.Equal(t, "/minasidor", rec.Header().Get("Location"))
				require.Equal(t, 1, e.sink.loginCount())
				return
			}
			e.requireRefused(rec, err, ErrRequestExpired)
			require.Contains(t, rec.Body.String(), "tog för lång tid")
		})
	}
}

// With ForceAuthn the IdP must authenticate anew; an assertion from an older
// session (an IdP that ignores ForceAuthn) is refused, with the clock skew
// as leeway. Without ForceAuthn an IdP session is fine.
func TestForceAuthnWantsAFreshAuthentication(t *testing.T) {
	for _, tc := range []struct {
		name        string
		force       bool
		unsolicited bool
		age         time.Duration // of the authentication, before the request (or the answer, unsolicited)
		ok          bool
	}{
		{"forced, authenticated after the request", true, false, -5 * time.Second, true},
		{"forced, within the clock skew", true, false, 2 * time.Minute, true},
		{"forced, from an older IdP session", true, false, 10 * time.Minute, false},
		{"not forced, from an older IdP session", false, false, 50 * time.Minute, true},
		{"forced, unsolicited, within a login's time", true, true, 5 * time.Minute, true},
		{"forced, unsolicited, from an older IdP session", true, true, 30 * time.Minute, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			e := newEnv(t, func(c *Config) { c.ForceAuthn, c.AllowIdPInitiated = tc.force, tc.unsolicited })
			requested := e.now()
			var req crewjam.AuthnRequest
			var relay string
			var cookies []*http.Cookie
			if !tc.unsolicited {
				var c *http.Cookie
				req, relay, c = e.login("/minasidor")
				cookies = append(cookies, c)
			}
			e.offset.Store(int64(time.Minute)) // the user answers the IdP in a minute
			r := goodResponse(req.ID, e.now())
			from := requested
			if tc.unsolicited {
				from = e.now()
			}
			r.assertion.AuthnStatements[0].AuthnInstant = from.Add(-tc.age).UTC()

			rec, err := e.post(r.build(t), relay, cookies...)
			if tc.ok {
				require.NoError(t, err)
				require.Equal(t, http.StatusSeeOther, rec.Code)
				require.Equal(t, 1, e.sink.loginCount())
				return
			}
			e.requireRefused(rec, err, ErrStaleAuthn)
		})
	}
}

func TestAuthnRequest(t *testing.T) {
	const eidasSub = "http://id.elegnamnden.se/loa/1.0/eidas-sub"
	for _, tc := range []struct {
		name  string
		force bool
		loas  []string
	}{
		{"defaults", false, nil},
		{"forced, two levels", true, []string{loa3, eidasSub}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			e := newEnv(t, func(c *Config) { c.ForceAuthn, c.LoAs = tc.force, tc.loas })
			rec := httptest.NewRecorder()
			e.h.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, testRoot+"/arendevy/saml/login?return=%2Fminasidor", nil))
			require.Equal(t, http.StatusSeeOther, rec.Code)
			require.Equal(t, "no-store", rec.Header().Get("Cache-Control"))
			loc := rec.Header().Get("Location")
			require.True(t, strings.HasPrefix(loc, idpSSO+"?"), loc)

			// The query is signed with RSA-SHA256 over the encoded parameters in
			// the binding's order.
			raw := map[string]string{}
			for _, kv := range strings.Split(loc[len(idpSSO)+1:], "&") {
				k, v, _ := strings.Cut(kv, "=")
				raw[k] = v
			}
			sigAlg, err := url.QueryUnescape(raw["SigAlg"])
			require.NoError(t, err)
			require.Equal(t, dsig.RSASHA256SignatureMethod, sigAlg)
			sigB64, err := url.QueryUnescape(raw["Signature"])
			require.NoError(t, err)
			sig, err := base64.StdEncoding.DecodeString(sigB64)
			require.NoError(t, err)
			signed := "SAMLRequest=" + raw["SAMLRequest"] + "&RelayState=" + raw["RelayState"] + "&SigAlg=" + raw["SigAlg"]
			require.NoError(t, spKeys.cert.CheckSignature(x509.SHA256WithRSA, []byte(signed), sig))

			b64, err := url.QueryUnescape(raw["SAMLRequest"])
			require.NoError(t, err)
			doc := etree.NewDocument()
			require.NoError(t, doc.ReadFromBytes(inflateParam(t, b64)))
			ar := doc.Root()
			require.Equal(t, "AuthnRequest", ar.Tag)
			require.Equal(t, map[bool]string{true: "true", false: "false"}[tc.force], ar.SelectAttrValue("ForceAuthn", "absent"))
			require.Equal(t, testACS, ar.SelectAttrValue("AssertionConsumerServiceURL", ""))
			require.Equal(t, crewjam.HTTPPostBinding, ar.SelectAttrValue("ProtocolBinding", ""))
			require.Equal(t, idpSSO, ar.SelectAttrValue("Destination", ""))
			require.Equal(t, testEntityID, ar.SelectElement("Issuer").Text())
			rac := ar.SelectElement("RequestedAuthnContext")
			require.NotNil(t, rac)
			require.Equal(t, "exact", rac.SelectAttrValue("Comparison", ""))
			var refs []string
			for _, c := range rac.SelectElements("AuthnContextClassRef") {
				refs = append(refs, c.Text())
			}
			want := tc.loas
			if want == nil {
				want = []string{loa3}
			}
			require.Equal(t, want, refs)

			cookies := rec.Result().Cookies()
			require.Len(t, cookies, 1)
			c := cookies[0]
			relay, err := url.QueryUnescape(raw["RelayState"])
			require.NoError(t, err)
			require.Equal(t, trackingCookiePrefix+relay, c.Name)
			require.Equal(t, "/arendevy/saml/acs", c.Path)
			require.True(t, c.HttpOnly)
			require.True(t, c.Secure)
			require.Equal(t, http.SameSiteNoneMode, c.SameSite)
			require.Equal(t, int(DefaultRequestLifetime/time.Second), c.MaxAge)
			require.NotContains(t, c.Value, "minasidor", "the return path is sealed")
			require.NotContains(t, c.Value, ar.SelectAttrValue("ID", ""), "the request ID is sealed")
		})
	}
}

func TestStepUpMismatchAndSessionFailures(t *testing.T) {
	for _, tc := range []struct {
		name   string
		err    error
		status int
		says   string
	}{
		{"another person than the bound account", session.ErrStepUpMismatch, http.StatusForbidden, "annan person"},
		{"session store down", io.ErrUnexpectedEOF, http.StatusServiceUnavailable, "fungerar inte just nu"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			e := newEnv(t)
			e.sink.loginErr = tc.err
			req, relay, cookie := e.login("")
			rec, err := e.post(goodResponse(req.ID, e.now()).build(t), relay, cookie)
			e.requireRefused(rec, err, tc.err)
			require.Equal(t, tc.status, rec.Code)
			require.Contains(t, rec.Body.String(), tc.says)
		})
	}
}

// solicited logs in, lets change alter the IdP's response, and posts it.
func solicited(t *testing.T, e *env, change func(r *response)) (*httptest.ResponseRecorder, error) {
	t.Helper()
	req, relay, cookie := e.login("/minasidor")
	r := goodResponse(req.ID, e.now())
	change(r)
	return e.post(r.build(t), relay, cookie)
}

func TestAttackSuite(t *testing.T) {
	testKeys(t)
	now := time.Now().UTC()
	for _, tc := range []struct {
		name   string
		change func(r *response)
		want   error
	}{
		{"unsigned response", func(r *response) { r.signResponse, r.signAssertion = false, false }, ErrUnsigned},
		{"assertion signed but response not", func(r *response) { r.signResponse = false }, ErrUnsigned},
		{"response signed but assertion not", func(r *response) { r.signAssertion = false }, ErrUnsigned},
		{"attribute changed after signing", func(r *response) {
			r.tamper = func(el *etree.Element) {
				for _, v := range el.FindElements("//AttributeValue") {
					if v.Text() == testNumber {
						v.SetText(testSamordning)
					}
				}
			}
		}, ErrSignature},
		{"NameID changed after signing", func(r *response) {
			r.tamper = func(el *etree.Element) { find(el, "NameID").SetText("_someone-else") }
		}, ErrSignature},
		{"signature by a key not in the IdP metadata (certificate in KeyInfo)", func(r *response) { r.signer = evil }, ErrSignature},
		{"assertion signed by a key not in the IdP metadata", func(r *response) { r.assertionKeys = evil }, ErrSignature},
		{"two assertions", func(r *response) { r.extra = []*crewjam.Assertion{goodAssertion(r.resp.InResponseTo, now)} }, ErrAssertionCount},
		{"no assertion", func(r *response) { r.assertion = nil }, ErrAssertionCount},
		{"SHA-1 signature", func(r *response) { r.method = dsig.RSASHA1SignatureMethod }, ErrWeakAlgorithm},
		{"RSA PKCS#1 v1.5 key transport", func(r *response) { r.encrypt, r.pkcs1v15 = true, true }, ErrWeakAlgorithm},
		{"Conditions expired", func(r *response) {
			r.assertion.Conditions.NotOnOrAfter = now.Add(-10 * time.Minute)
		}, ErrExpired},
		{"Conditions not yet valid", func(r *response) {
			r.assertion.Conditions.NotBefore = now.Add(10 * time.Minute)
		}, ErrNotYetValid},
		{"SubjectConfirmationData expired", func(r *response) {
			r.assertion.Subject.SubjectConfirmations[0].SubjectConfirmationData.NotOnOrAfter = now.Add(-10 * time.Minute)
		}, ErrExpired},
		{"SubjectConfirmationData not yet valid", func(r *response) {
			r.assertion.Subject.SubjectConfirmations[0].SubjectConfirmationData.NotBefore = now.Add(10 * time.Minute)
		}, ErrNotYetValid},
		{"SubjectConfirmationData without NotOnOrAfter", func(r *response) {
			r.assertion.Subject.SubjectConfirmations[0].SubjectConfirmationData.NotOnOrAfter = time.Time{}
		}, ErrSubjectConfirm},
		{"response issued in the future", func(r *response) { r.resp.IssueInstant = now.Add(time.Hour) }, ErrNotYetValid},
		{"wrong Audience", func(r *response) {
			r.assertion.Conditions.AudienceRestrictions[0].Audience.Value = "https://other.test/metadata"
		}, ErrAudience},
		{"a second AudienceRestriction without us", func(r *response) {
			r.assertion.Conditions.AudienceRestrictions = append(r.assertion.Conditions.AudienceRestrictions,
				crewjam.AudienceRestriction{Audience: crewjam.Audience{Value: "https://other.test/metadata"}})
		}, ErrAudience},
		{"no AudienceRestriction", func(r *response) { r.assertion.Conditions.AudienceRestrictions = nil }, ErrAudience},
		{"wrong Destination", func(r *response) { r.resp.Destination = "https://other.test/arendevy/saml/acs" }, ErrDestination},
		{"wrong Recipient", func(r *response) {
			r.assertion.Subject.SubjectConfirmations[0].SubjectConfirmationData.Recipient = "https://other.test/acs"
		}, ErrRecipient},
		{"wrong Response Issuer", func(r *response) { r.resp.Issuer.Value = "https://evil.test/metadata" }, ErrIssuer},
		{"wrong Assertion Issuer", func(r *response) { r.assertion.Issuer.Value = "https://evil.test/metadata" }, ErrIssuer},
		{"missing SubjectConfirmation", func(r *response) { r.assertion.Subject.SubjectConfirmations = nil }, ErrSubjectConfirm},
		{"two SubjectConfirmations", func(r *response) {
			sc := r.assertion.Subject.SubjectConfirmations
			r.assertion.Subject.SubjectConfirmations = append(sc, sc[0])
		}, ErrSubjectConfirm},
		{"holder-of-key instead of bearer", func(r *response) {
			r.assertion.Subject.SubjectConfirmations[0].Method = "urn:oasis:names:tc:SAML:2.0:cm:holder-of-key"
		}, ErrSubjectConfirm},
		{"missing AuthnStatement", func(r *response) { r.assertion.AuthnStatements = nil }, ErrMissingElement},
		{"missing Subject", func(r *response) { r.assertion.Subject = nil }, ErrMissingElement},
		{"missing Conditions", func(r *response) { r.assertion.Conditions = nil }, ErrMissingElement},
		{"encrypted assertion missing Subject", func(r *response) { r.assertion.Subject, r.encrypt = nil, true }, ErrMissingElement},
		{"encrypted assertion missing Conditions", func(r *response) { r.assertion.Conditions, r.encrypt = nil, true }, ErrMissingElement},
		{"lower level of assurance than requested", func(r *response) {
			r.assertion.AuthnStatements[0].AuthnContext.AuthnContextClassRef.Value = loa2
		}, ErrLoA},
		{"no level of assurance", func(r *response) {
			r.assertion.AuthnStatements[0].AuthnContext.AuthnContextClassRef = nil
		}, ErrLoA},
		{"status cancel", func(r *response) { r.assertion = nil; r.resp.Status = status(StatusCancel) }, ErrCancelled},
		{"status fraud", func(r *response) { r.assertion = nil; r.resp.Status = status(StatusFraud) }, ErrFraud},
		{"status authentication failed", func(r *response) {
			r.assertion = nil
			r.resp.Status = status("urn:oasis:names:tc:SAML:2.0:status:AuthnFailed")
		}, ErrStatus},
		{"personnummer missing", func(r *response) {
			r.assertion.AttributeStatements[0].Attributes = r.assertion.AttributeStatements[0].Attributes[1:]
		}, ErrAttribute},
		{"personnummer duplicated", func(r *response) {
			as := &r.assertion.AttributeStatements[0]
			as.Attributes = append(as.Attributes, attr(AttrPersonalIdentityNumber, "personalIdentityNumber", testSamordning))
		}, ErrAttribute},
		{"personnummer with two values", func(r *response) {
			r.assertion.AttributeStatements[0].Attributes[0] = attr(AttrPersonalIdentityNumber, "personalIdentityNumber", testNumber, testSamordning)
		}, ErrAttribute},
		{"personnummer only under its FriendlyName", func(r *response) {
			r.assertion.AttributeStatements[0].Attributes[0] = attr("urn:oid:9.9.9", "personalIdentityNumber", testNumber)
		}, ErrAttribute},
		{"personnummer with a wrong check digit", func(r *response) {
			r.assertion.AttributeStatements[0].Attributes[0] = attr(AttrPersonalIdentityNumber, "", "199001012384")
		}, ErrAttribute},
		{"personnummer with ten digits", func(r *response) {
			r.assertion.AttributeStatements[0].Attributes[0] = attr(AttrPersonalIdentityNumber, "", "9001012385")
		}, ErrAttribute},
		{"organisationsnummer instead of personnummer", func(r *response) {
			r.assertion.AttributeStatements[0].Attributes[0] = attr(AttrPersonalIdentityNumber, "", "165560360793")
		}, ErrAttribute},
		{"displayName duplicated", func(r *response) {
			as := &r.assertion.AttributeStatements[0]
			as.Attributes = append(as.Attributes, attr(AttrDisplayName, "displayName", "Someone Else"))
		}, ErrAttribute},
	} {
		t.Run(tc.name, func(t *testing.T) {
			e := newEnv(t)
			rec, err := solicited(t, e, tc.change)
			e.requireRefused(rec, err, tc.want)
		})
	}
}

// status is an error status with a second-level code, as Swedish IdPs send.
func status(sub string) crewjam.Status {
	return crewjam.Status{StatusCode: crewjam.StatusCode{Value: crewjam.StatusResponder, StatusCode: &crewjam.StatusCode{Value: sub}}}
}

// withMarkup signs a personal identity number whose value has a child
// element around which its text reads as testNumber.
func withMarkup(r *response) {
	r.shape = func(a *etree.Element) {
		for _, v := range a.FindElements("//AttributeValue") {
			if v.Text() == testNumber {
				v.SetText(testNumber[:10])
				v.CreateElement("b").SetText("x")
				v.CreateText(testNumber[10:])
			}
		}
	}
}

func TestAttributeValueWithMarkupIsRefused(t *testing.T) {
	testKeys(t)
	for name, change := range map[string]func(*response){
		"signed":            withMarkup,
		"signed, encrypted": func(r *response) { withMarkup(r); r.encrypt = true },
	} {
		t.Run(name, func(t *testing.T) {
			e := newEnv(t)
			rec, err := solicited(t, e, change)
			e.requireRefused(rec, err, ErrAttributeMarkup)
		})
	}
}

func TestCancelTellsTheUser(t *testing.T) {
	e := newEnv(t)
	rec, err := solicited(t, e, func(r *response) { r.assertion = nil; r.resp.Status = status(StatusCancel) })
	e.requireRefused(rec, err, ErrCancelled)
	require.Equal(t, http.StatusUnauthorized, rec.Code)
	require.Contains(t, rec.Body.String(), "Du avbröt inloggningen")
}

// The failure page comes before anything told the language, so it speaks
// every one, each paragraph in its own language and writing direction.
func TestFailurePageSpeaksEveryLanguageInItsDirection(t *testing.T) {
	e := newEnv(t)
	rec, err := solicited(t, e, func(r *response) { r.assertion = nil; r.resp.Status = status(StatusCancel) })
	e.requireRefused(rec, err, ErrCancelled)
	page := rec.Body.String()
	require.Contains(t, page, `<html lang="sv" dir="ltr">`)
	require.Contains(t, page, `<p lang="en" dir="ltr">You cancelled the login`)
	require.Regexp(t, `<p lang="ar" dir="rtl">\p{Arabic}`, page)
}

// The XML signature wrapping variants XSW1–XSW8 (as named by SAML Raider)
// start from a response the attacker legitimately got for themselves and
// add an "evil" copy that says something else.
func TestSignatureWrapping(t *testing.T) {
	testKeys(t)
	evilAssertion := func(orig *etree.Element) *etree.Element {
		a := orig.Copy()
		a.CreateAttr("ID", "id-evil-assertion")
		for _, s := range children(a, nsDSig, "Signature") {
			a.RemoveChild(s)
		}
		for _, v := range a.FindElements("//AttributeValue") {
			if v.Text() == testNumber {
				v.SetText(testSamordning)
			}
		}
		return a
	}
	unsigned := func(el *etree.Element) *etree.Element {
		c := el.Copy()
		for _, s := range children(c, nsDSig, "Signature") {
			c.RemoveChild(s)
		}
		return c
	}
	for _, tc := range []struct {
		name string
		wrap func(resp *etree.Element) *etree.Element
		want error
	}{
		{"XSW1 signed response inside the signature of an evil response", func(resp *etree.Element) *etree.Element {
			ev := unsigned(resp)
			ev.CreateAttr("ID", "id-evil-response")
			a := ev.SelectElement("Assertion")
			ev.RemoveChild(a)
			ev.AddChild(evilAssertion(a))
			sig := resp.SelectElement("Signature").Copy()
			sig.AddChild(resp.Copy())
			ev.InsertChildAt(1, sig)
			return ev
		}, ErrWrapped},
		{"XSW2 signed response beside a detached signature in an evil response", func(resp *etree.Element) *etree.Element {
			ev := unsigned(resp)
			ev.CreateAttr("ID", "id-evil-response")
			a := ev.SelectElement("Assertion")
			ev.RemoveChild(a)
			ev.AddChild(evilAssertion(a))
			ev.InsertChildAt(1, resp.SelectElement("Signature").Copy())
			ev.InsertChildAt(1, resp.Copy())
			return ev
		}, ErrWrapped},
		{"XSW3 evil assertion before the signed one", func(resp *etree.Element) *etree.Element {
			a := resp.SelectElement("Assertion")
			resp.InsertChildAt(a.Index(), evilAssertion(a))
			return resp
		}, ErrAssertionCount},
		{"XSW4 signed assertion inside the evil one", func(resp *etree.Element) *etree.Element {
			a := resp.SelectElement("Assertion")
			ev := evilAssertion(a)
			resp.RemoveChild(a)
			ev.AddChild(a)
			resp.AddChild(ev)
			return resp
		}, ErrWrapped},
		{"XSW5 evil assertion keeps the signature, original appended unsigned", func(resp *etree.Element) *etree.Element {
			a := resp.SelectElement("Assertion")
			ev := evilAssertion(a)
			ev.InsertChildAt(1, a.SelectElement("Signature").Copy())
			resp.RemoveChild(a)
			resp.AddChild(ev)
			resp.AddChild(unsigned(a))
			return resp
		}, ErrWrapped},
		{"XSW6 signed assertion inside the signature of the evil one", func(resp *etree.Element) *etree.Element {
			a := resp.SelectElement("Assertion")
			ev := evilAssertion(a)
			sig := a.SelectElement("Signature").Copy()
			sig.AddChild(unsigned(a))
			ev.InsertChildAt(1, sig)
			resp.RemoveChild(a)
			resp.AddChild(ev)
			return resp
		}, ErrWrapped},
		{"XSW7 signed assertion in Extensions", func(resp *etree.Element) *etree.Element {
			a := resp.SelectElement("Assertion")
			resp.RemoveChild(a)
			ext := etree.NewElement("samlp:Extensions")
			ext.AddChild(a)
			resp.InsertChildAt(1, ext)
			resp.AddChild(evilAssertion(a))
			return resp
		}, ErrWrapped},
		{"XSW8 signed assertion in an Object of the evil one's signature", func(resp *etree.Element) *etree.Element {
			a := resp.SelectElement("Assertion")
			ev := evilAssertion(a)
			sig := a.SelectElement("Signature").Copy()
			obj := sig.CreateElement("ds:Object")
			obj.AddChild(unsigned(a))
			ev.InsertChildAt(1, sig)
			resp.RemoveChild(a)
			resp.AddChild(ev)
			return resp
		}, ErrWrapped},
	} {
		t.Run(tc.name, func(t *testing.T) {
			e := newEnv(t)
			req, relay, cookie := e.login("/minasidor")
			el := goodResponse(req.ID, e.now()).element(t)
			doc := etree.NewDocument()
			doc.SetRoot(tc.wrap(el))
			b, err := doc.WriteToBytes()
			require.NoError(t, err)
			rec, err := e.post(b, relay, cookie)
			e.requireRefused(rec, err, tc.want)
		})
	}
}

func TestDocumentTypeDeclarationsAreRefused(t *testing.T) {
	testKeys(t)
	for _, tc := range []struct{ name, prolog, entityRef string }{
		{"DOCTYPE", `<!DOCTYPE Response>`, ""},
		{"external entity (XXE)", `<!DOCTYPE r [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>`, "&xxe;"},
		{"entity expansion (billion laughs)", `<!DOCTYPE r [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;"><!ENTITY c "&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;">]>`, "&c;"},
		{"parameter entity", `<!DOCTYPE r [<!ENTITY % p SYSTEM "http://evil.test/x.dtd"> %p;]>`, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			e := newEnv(t)
			req, relay, cookie := e.login("")
			doc := string(goodResponse(req.ID, e.now()).build(t))
			if tc.entityRef != "" {
				doc = strings.Replace(doc, "_session-index", tc.entityRef, 1)
			}
			rec, err := e.post([]byte(`<?xml version="1.0"?>`+tc.prolog+doc), relay, cookie)
			e.requireRefused(rec, err, ErrDoctype)
		})
	}
}

// countingReader counts what the server read of an endless body.
type countingReader struct{ n, limit int64 }

func (c *countingReader) Read(p []byte) (int, error) {
	if c.n >= c.limit {
		return 0, io.EOF
	}
	p = p[:min(int64(len(p)), c.limit-c.n)]
	for i := range p {
		p[i] = 'A'
	}
	c.n += int64(len(p))
	return len(p), nil
}

func TestOversizedInput(t *testing.T) {
	t.Run("30 MiB body", func(t *testing.T) {
		e := newEnv(t)
		body := &countingReader{limit: 30 << 20}
		rec, err := e.postForm(io.MultiReader(strings.NewReader("SAMLResponse="), body))
		e.requireRefused(rec, err, ErrTooLarge)
		require.Equal(t, http.StatusRequestEntityTooLarge, rec.Code)
		require.Less(t, body.n, int64(1<<20), "the body is refused long before it is read")
	})
	t.Run("deflate bomb posted to the ACS is not inflated", func(t *testing.T) {
		e := newEnv(t)
		rec, err := e.post(deflateBomb(t, 100<<20), "")
		e.requireRefused(rec, err, ErrMalformed)
	})
	t.Run("unsigned deflate bomb to single logout is refused before inflating", func(t *testing.T) {
		e := newEnv(t)
		q := "SAMLRequest=" + url.QueryEscape(base64.StdEncoding.EncodeToString(deflateBomb(t, 10<<20)))
		rec, err := e.get("/arendevy/saml/slo?" + q)
		e.requireRefused(rec, err, ErrUnsigned)
	})
	t.Run("signed deflate bomb to single logout stops at the inflate limit", func(t *testing.T) {
		e := newEnv(t)
		q := idpSignedQuery(t, "SAMLRequest", deflateBomb(t, 10<<20), "", dsig.RSASHA256SignatureMethod)
		rec, err := e.get("/arendevy/saml/slo?" + q)
		e.requireRefused(rec, err, ErrTooLarge)
	})
}

func deflateBomb(t testing.TB, size int) []byte {
	t.Helper()
	var buf bytes.Buffer
	fw, err := flate.NewWriter(&buf, flate.BestCompression)
	require.NoError(t, err)
	_, err = io.Copy(fw, io.LimitReader(zeros{}, int64(size)))
	require.NoError(t, err)
	require.NoError(t, fw.Close())
	return buf.Bytes()
}

type zeros struct{}

func (zeros) Read(p []byte) (int, error) { clear(p); return len(p), nil }

func TestRequestBinding(t *testing.T) {
	t.Run("unknown InResponseTo", func(t *testing.T) {
		e := newEnv(t)
		rec, err := e.post(goodResponse("id-never-requested", e.now()).build(t), "")
		e.requireRefused(rec, err, ErrUnknownRequest)
	})
	t.Run("tracking RelayState without its cookie", func(t *testing.T) {
		e := newEnv(t)
		req, relay, _ := e.login("")
		rec, err := e.post(goodResponse(req.ID, e.now()).build(t), relay)
		e.requireRefused(rec, err, ErrUnknownRequest)
	})
	t.Run("forged tracking cookie", func(t *testing.T) {
		e := newEnv(t)
		req, relay, cookie := e.login("")
		forged := &http.Cookie{Name: cookie.Name, Value: base64.RawURLEncoding.EncodeToString(bytes.Repeat([]byte{1}, 64))}
		rec, err := e.post(goodResponse(req.ID, e.now()).build(t), relay, forged)
		e.requireRefused(rec, err, ErrUnknownRequest)
	})
	t.Run("foreign InResponseTo", func(t *testing.T) {
		e := newEnv(t)
		_, relayA, cookieA := e.login("")
		reqB, _, _ := e.login("") // another browser's login
		rec, err := e.post(goodResponse(reqB.ID, e.now()).build(t), relayA, cookieA)
		e.requireRefused(rec, err, ErrRequestMismatch)
	})
	t.Run("reused InResponseTo with a copied tracking cookie", func(t *testing.T) {
		e := newEnv(t)
		req, relay, cookie := e.login("")
		_, err := e.post(goodResponse(req.ID, e.now()).build(t), relay, cookie)
		require.NoError(t, err)
		e.sink.logins = nil
		rec, err := e.post(goodResponse(req.ID, e.now()).build(t), relay, cookie)
		e.requireRefused(rec, err, ErrRequestReused)
	})
	t.Run("replay of a consumed assertion with a copied tracking cookie", func(t *testing.T) {
		e := newEnv(t)
		req, relay, cookie := e.login("")
		doc := goodResponse(req.ID, e.now()).build(t)
		_, err := e.post(doc, relay, cookie)
		require.NoError(t, err)
		e.sink.logins = nil
		rec, err := e.post(doc, relay, cookie)
		e.requireRefused(rec, err, ErrReplay)
	})
	t.Run("replay of a consumed unsolicited assertion", func(t *testing.T) {
		e := newEnv(t, func(c *Config) { c.AllowIdPInitiated = true })
		doc := goodResponse("", e.now()).build(t)
		rec, err := e.post(doc, "")
		require.NoError(t, err)
		require.Equal(t, "/", rec.Header().Get("Location"))
		e.sink.logins = nil
		rec, err = e.post(doc, "")
		e.requireRefused(rec, err, ErrReplay)
	})
	t.Run("unsolicited response", func(t *testing.T) {
		e := newEnv(t)
		rec, err := e.post(goodResponse("", e.now()).build(t), "")
		e.requireRefused(rec, err, ErrUnsolicited)
	})
	t.Run("SubjectConfirmationData answers another request", func(t *testing.T) {
		e := newEnv(t)
		rec, err := solicited(t, e, func(r *response) {
			r.assertion.Subject.SubjectConfirmations[0].SubjectConfirmationData.InResponseTo = "id-other"
		})
		e.requireRefused(rec, err, ErrRequestMismatch)
	})
}

func TestReturnTargetsAreLocalOnly(t *testing.T) {
	for _, target := range []string{"https://evil.test/", "//evil.test", `/\evil.test`, "javascript:alert(1)", "/\t/evil.test"} {
		t.Run("login return "+target, func(t *testing.T) {
			e := newEnv(t)
			rec, err := e.get("/arendevy/saml/login?return=" + url.QueryEscape(target))
			e.requireRefused(rec, err, ErrUnsafeReturn)
			require.Empty(t, rec.Result().Cookies(), "no login starts")
			require.Empty(t, rec.Header().Get("Location"))
		})
		t.Run("unsolicited RelayState "+target, func(t *testing.T) {
			e := newEnv(t, func(c *Config) { c.AllowIdPInitiated = true })
			rec, err := e.post(goodResponse("", e.now()).build(t), target)
			e.requireRefused(rec, err, ErrUnsafeReturn)
		})
	}
	t.Run("unsolicited RelayState that is a local path", func(t *testing.T) {
		e := newEnv(t, func(c *Config) { c.AllowIdPInitiated = true })
		rec, err := e.post(goodResponse("", e.now()).build(t), "/minasidor/arenden")
		require.NoError(t, err)
		require.Equal(t, "/minasidor/arenden", rec.Header().Get("Location"))
	})
}

// TestLoginReturnsToAnEmbeddingPage: with ReturnOrigins, a login started
// by the element on a page of another host of the site ends on that page;
// any other absolute target is still refused before the IdP is asked.
func TestLoginReturnsToAnEmbeddingPage(t *testing.T) {
	const page = "https://www.example.se/mina-sidor?flik=arenden"
	withOrigins := func(c *Config) { c.ReturnOrigins = []string{"https://www.example.se"} }
	e := newEnv(t, withOrigins)
	req, relay, cookie := e.login(page)
	rec, err := e.post(goodResponse(req.ID, e.now()).build(t), relay, cookie)
	require.NoError(t, err)
	require.Equal(t, http.StatusSeeOther, rec.Code)
	require.Equal(t, page, rec.Header().Get("Location"))
	require.Equal(t, "/arendevy/saml/login?return="+url.QueryEscape(page), e.sp.LoginURL(page))

	for _, target := range []string{"https://evil.example.se/", "https://www.example.se.evil.test/", "https://www.example.se@evil.test/",
		"http://www.example.se/", "https://www.example.se:8443/", "https://www.example.se//evil.test", `https://www.example.se/\evil.test`} {
		t.Run(target, func(t *testing.T) {
			e := newEnv(t, withOrigins)
			rec, err := e.get("/arendevy/saml/login?return=" + url.QueryEscape(target))
			e.requireRefused(rec, err, ErrUnsafeReturn)
			require.Empty(t, rec.Header().Get("Location"))
			require.Equal(t, "/arendevy/saml/login", e.sp.LoginURL(target))
		})
	}
	t.Run("an unsolicited RelayState stays local", func(t *testing.T) {
		e := newEnv(t, withOrigins, func(c *Config) { c.AllowIdPInitiated = true })
		rec, err := e.post(goodResponse("", e.now()).build(t), "https://www.example.se/")
		e.requireRefused(rec, err, ErrUnsafeReturn)
	})
	_, err = New(Config{ReturnOrigins: []string{"https://www.example.se/"}})
	require.ErrorContains(t, err, "ReturnOrigins[0]")
	require.Equal(t, testRoot, newEnv(t).sp.Origin())
}

func TestLoginURL(t *testing.T) {
	e := newEnv(t)
	require.Equal(t, "/arendevy/saml/login?return=%2Fminasidor%3Fa%3D1", e.sp.LoginURL("/minasidor?a=1"))
	require.Equal(t, "/arendevy/saml/login", e.sp.LoginURL("https://evil.test"))
}

func (e *env) get(target string) (*httptest.ResponseRecorder, error) {
	e.t.Helper()
	n := e.log.count()
	rec := httptest.NewRecorder()
	e.h.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, testRoot+target, nil))
	return rec, e.log.errorSince(n)
}
