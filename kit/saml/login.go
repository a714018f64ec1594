package saml

import (
	"bytes"
	"compress/flate"
	"encoding/base64"
	"fmt"
	"net/http"
	"net/url"
	"strings"

	"github.com/beevik/etree"
	crewjam "github.com/crewjam/saml"
	dsig "github.com/russellhaering/goxmldsig"

	"github.com/arendevy/arendevy/kit/localpath"
)

// serveLogin starts an SP-initiated login: an AuthnRequest to the IdP over
// the HTTP-Redirect binding, its query signed with RSA-SHA256, and a
// tracking cookie that binds the answer to this browser. The return target
// is a local path or a page of one of ReturnOrigins.
func (sp *SP) serveLogin(w http.ResponseWriter, r *http.Request) {
	ret := r.URL.Query().Get("return")
	if ret == "" {
		ret = sp.cfg.DefaultReturn
	}
	if err := localpath.CheckAt(ret, sp.cfg.ReturnOrigins); err != nil {
		sp.fail(w, r, "login", fmt.Errorf("%w: %w", ErrUnsafeReturn, err))
		return
	}
	req, err := sp.base.MakeAuthenticationRequest(sp.idp.ssoURL, crewjam.HTTPRedirectBinding, crewjam.HTTPPostBinding)
	if err != nil {
		sp.fail(w, r, "login", fmt.Errorf("%w: authn request: %w", ErrLogin, err))
		return
	}
	relay, err := sp.tracker.issue(w, r, req.ID, ret, sp.cfg.Now())
	if err != nil {
		sp.fail(w, r, "login", fmt.Errorf("%w: %w", ErrLogin, err))
		return
	}
	to, err := sp.redirectURL(sp.idp.ssoURL, "SAMLRequest", sp.authnRequestElement(req), relay)
	if err != nil {
		sp.fail(w, r, "login", fmt.Errorf("%w: %w", ErrLogin, err))
		return
	}
	w.Header().Set("Cache-Control", "no-store")
	http.Redirect(w, r, to, http.StatusSeeOther)
}

// authnRequestElement is crewjam's AuthnRequest with our
// RequestedAuthnContext: crewjam's type holds one class reference, the
// profile lets us list every level we accept.
func (sp *SP) authnRequestElement(req *crewjam.AuthnRequest) *etree.Element {
	req.RequestedAuthnContext = nil
	el := req.Element()
	rac := el.CreateElement("samlp:RequestedAuthnContext")
	rac.CreateAttr("Comparison", "exact")
	for _, l := range sp.cfg.LoAs {
		rac.CreateElement("saml:AuthnContextClassRef").SetText(l)
	}
	return el
}

// redirectURL encodes el for the HTTP-Redirect binding (deflate, base64)
// and signs the query as the binding prescribes: over
// param=value&RelayState=value&SigAlg=value, with the values URL-encoded.
func (sp *SP) redirectURL(dest, param string, el *etree.Element, relay string) (string, error) {
	doc := etree.NewDocument()
	doc.SetRoot(el)
	var buf bytes.Buffer
	fw, err := flate.NewWriter(&buf, flate.BestCompression)
	if err != nil {
		return "", err
	}
	if _, err := doc.WriteTo(fw); err != nil {
		return "", err
	}
	if err := fw.Close(); err != nil {
		return "", err
	}
	q := param + "=" + url.QueryEscape(base64.StdEncoding.EncodeToString(buf.Bytes()))
	if relay != "" {
		q += "&RelayState=" + url.QueryEscape(relay)
	}
	q += "&SigAlg=" + url.QueryEscape(dsig.RSASHA256SignatureMethod)
	sig, err := sp.signer.SignString(q)
	if err != nil {
		return "", fmt.Errorf("sign redirect: %w", err)
	}
	q += "&Signature=" + url.QueryEscape(base64.StdEncoding.EncodeToString(sig))
	sep := "?"
	if strings.Contains(dest, "?") {
		sep = "&"
	}
	return dest + sep + q, nil
}
