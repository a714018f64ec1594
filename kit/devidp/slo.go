package devidp

import (
	"bytes"
	"compress/flate"
	"encoding/base64"
	"encoding/xml"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"net/url"

	"github.com/crewjam/saml"
	xrv "github.com/mattermost/xml-roundtrip-validator"
)

// maxLogoutRequest bounds the inflated LogoutRequest.
const maxLogoutRequest = 64 << 10

// serveSLO ends the IdP session for a LogoutRequest (HTTP-Redirect binding)
// from a registered SP and sends the SP a LogoutResponse whose query is
// signed with RSA-SHA256. The request's own signature is not checked: this
// IdP only ever ends its own development session, which any loopback
// client could do by dropping the cookie.
func (p *IdP) serveSLO(w http.ResponseWriter, r *http.Request) {
	lr, err := readLogoutRequest(r.URL.Query().Get("SAMLRequest"))
	if err != nil || lr.Issuer == nil {
		http.Error(w, p.localizer(r).Text("devidp.notLogoutRequest"), http.StatusBadRequest)
		return
	}
	md, err := p.GetServiceProvider(r, lr.Issuer.Value)
	if err != nil {
		http.Error(w, p.localizer(r).Text("devidp.unknownServiceProvider"), http.StatusBadRequest)
		return
	}
	dest := ""
	for _, d := range md.SPSSODescriptors {
		for _, s := range d.SingleLogoutServices {
			if s.Binding == saml.HTTPRedirectBinding && dest == "" {
				dest = s.Location
				if s.ResponseLocation != "" {
					dest = s.ResponseLocation
				}
			}
		}
	}
	p.endSession(w, r)
	if dest == "" {
		http.Error(w, p.localizer(r).Text("devidp.loggedOutNoReturn"), http.StatusOK)
		return
	}
	resp := saml.LogoutResponse{
		ID:           "id-" + randomHex(20),
		InResponseTo: lr.ID,
		Version:      "2.0",
		IssueInstant: p.cfg.Now().UTC(),
		Destination:  dest,
		Issuer:       &saml.Issuer{Format: entityFormat, Value: p.idp.Metadata().EntityID},
		Status:       saml.Status{StatusCode: saml.StatusCode{Value: saml.StatusSuccess}},
	}
	to, err := p.signRedirect(resp.Redirect(r.URL.Query().Get("RelayState")))
	if err != nil {
		p.cfg.Logger.LogAttrs(r.Context(), slog.LevelError, "devidp: sign logout response", slog.Any("error", err))
		http.Error(w, http.StatusText(http.StatusInternalServerError), http.StatusInternalServerError)
		return
	}
	http.Redirect(w, r, to, http.StatusSeeOther)
}

func readLogoutRequest(param string) (*saml.LogoutRequest, error) {
	deflated, err := base64.StdEncoding.DecodeString(param)
	if err != nil {
		return nil, err
	}
	fr := flate.NewReader(bytes.NewReader(deflated))
	defer fr.Close()
	raw, err := io.ReadAll(io.LimitReader(fr, maxLogoutRequest))
	if err != nil {
		return nil, err
	}
	if bytes.Contains(raw, []byte("<!DOCTYPE")) || bytes.Contains(raw, []byte("<!ENTITY")) {
		return nil, errors.New("devidp: DTD in a LogoutRequest")
	}
	if err := xrv.Validate(bytes.NewReader(raw)); err != nil {
		return nil, err
	}
	var lr saml.LogoutRequest
	if err := xml.Unmarshal(raw, &lr); err != nil {
		return nil, err
	}
	return &lr, nil
}

// signRedirect adds SigAlg and Signature to crewjam's unsigned redirect
// URL, signing SAMLResponse=…&RelayState=…&SigAlg=… in the binding's order
// with the values encoded as they appear in the query.
func (p *IdP) signRedirect(u *url.URL) (string, error) {
	q := u.Query()
	signed := "SAMLResponse=" + url.QueryEscape(q.Get("SAMLResponse"))
	if rs := q.Get("RelayState"); rs != "" {
		signed += "&RelayState=" + url.QueryEscape(rs)
	}
	signed += "&SigAlg=" + url.QueryEscape(p.signer.GetSignatureMethodIdentifier())
	sig, err := p.signer.SignString(signed)
	if err != nil {
		return "", err
	}
	dest := *u
	dest.RawQuery = ""
	return dest.String() + "?" + signed + "&Signature=" + url.QueryEscape(base64.StdEncoding.EncodeToString(sig)), nil
}
