package saml

import (
	"bytes"
	"compress/flate"
	"crypto/rand"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/beevik/etree"
	crewjam "github.com/crewjam/saml"

	"github.com/arendevy/arendevy/kit/localpath"
)

// Limits of the HTTP-Redirect binding input: a LogoutRequest or
// LogoutResponse inflates to well under a kilobyte; a deflate bomb stops
// at maxInflated.
const (
	maxRedirectParam = 16 << 10
	maxInflated      = 64 << 10
	maxLogoutBody    = 4 << 10
	// maxSLOPostBody bounds an HTTP-POST binding message: signed XML of a
	// few kilobytes, base64-encoded.
	maxSLOPostBody = 64 << 10
)

// serveLogout ends the session here and, when the IdP has single logout
// and the session came from it, sends a signed LogoutRequest there.
func (sp *SP) serveLogout(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Cache-Control", "no-store")
	r.Body = http.MaxBytesReader(w, r.Body, maxLogoutBody)
	if err := r.ParseForm(); err != nil {
		sp.fail(w, r, "logout", fmt.Errorf("%w: form", ErrMalformed))
		return
	}
	ret := r.PostForm.Get("return")
	if ret == "" {
		ret = sp.cfg.DefaultReturn
	}
	if err := localpath.Check(ret); err != nil {
		sp.fail(w, r, "logout", fmt.Errorf("%w: %w", ErrUnsafeReturn, err))
		return
	}
	d, err := sp.cfg.Sessions.Logout(w, r)
	if err != nil {
		sp.fail(w, r, "logout", fmt.Errorf("%w: %w", ErrLogout, err))
		return
	}
	info := d.SAML
	if sp.idp.sloURL == "" || info.NameID == "" || info.IdP != sp.idp.entityID {
		http.Redirect(w, r, ret, http.StatusSeeOther)
		return
	}
	req := crewjam.LogoutRequest{
		ID:           newID(),
		Version:      "2.0",
		IssueInstant: sp.cfg.Now().UTC(),
		Destination:  sp.idp.sloURL,
		Issuer:       &crewjam.Issuer{Format: entityFormat, Value: sp.cfg.EntityID},
		NameID:       &crewjam.NameID{Format: info.NameIDFormat, Value: info.NameID},
	}
	if info.SessionIndex != "" {
		req.SessionIndex = &crewjam.SessionIndex{Value: info.SessionIndex}
	}
	relay := ret
	if len(relay) > maxRelayState {
		relay = "" // the IdP need not carry it; we then end at DefaultReturn
	}
	to, err := sp.redirectURL(sp.idp.sloURL, "SAMLRequest", req.Element(), relay)
	if err != nil {
		// The local session is gone; the user is logged out here at least.
		sp.cfg.Logger.LogAttrs(r.Context(), slog.LevelError, "saml: logout request not sent", slog.Any("error", err))
		http.Redirect(w, r, ret, http.StatusSeeOther)
		return
	}
	http.Redirect(w, r, to, http.StatusSeeOther)
}

// serveSLO handles the IdP's side of single logout over the HTTP-Redirect
// binding: the LogoutResponse to our request, or a LogoutRequest when the
// user logged out elsewhere. Both must be signed by a metadata key.
func (sp *SP) serveSLO(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Cache-Control", "no-store")
	msg, err := sp.readRedirect(r.URL.RawQuery)
	if err != nil {
		sp.fail(w, r, "single logout", err)
		return
	}
	root, err := parseXML(msg.xml)
	if err != nil {
		sp.fail(w, r, "single logout", err)
		return
	}
	sp.handleSLO(w, r, msg.param, root, msg.relay)
}

// serveSLOPost handles the same messages over the HTTP-POST binding. The
// signature is in the XML and is checked as a Response's is (no wrapping
// shapes, a metadata key, SHA-2); only the signed content is read after
// that. The IdP posts cross-site, so this route cannot carry a CSRF token:
// the kit exempts it from the CSRF check, and the signature, the session
// match and the replay cache protect it instead.
func (sp *SP) serveSLOPost(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Cache-Control", "no-store")
	param, root, relay, err := sp.readPost(w, r)
	if err != nil {
		sp.fail(w, r, "single logout", err)
		return
	}
	sp.handleSLO(w, r, param, root, relay)
}

// readPost reads and verifies an HTTP-POST binding message: one
// SAMLRequest or SAMLResponse, at most one RelayState, signed in the XML.
func (sp *SP) readPost(w http.ResponseWriter, r *http.Request) (string, *etree.Element, string, error) {
	r.Body = http.MaxBytesReader(w, r.Body, maxSLOPostBody)
	if err := r.ParseForm(); err != nil {
		var tooBig *http.MaxBytesError
		if errors.As(err, &tooBig) {
			return "", nil, "", fmt.Errorf("%w: body over %d bytes", ErrTooLarge, maxSLOPostBody)
		}
		return "", nil, "", fmt.Errorf("%w: form: %w", ErrMalformed, err)
	}
	reqs, resps, relays := r.PostForm["SAMLRequest"], r.PostForm["SAMLResponse"], r.PostForm["RelayState"]
	var param, b64 string
	switch {
	case len(reqs) == 1 && len(resps) == 0:
		param, b64 = "SAMLRequest", reqs[0]
	case len(resps) == 1 && len(reqs) == 0:
		param, b64 = "SAMLResponse", resps[0]
	default:
		return "", nil, "", fmt.Errorf("%w: want one SAMLRequest or SAMLResponse", ErrMalformed)
	}
	if len(relays) > 1 {
		return "", nil, "", fmt.Errorf("%w: repeated RelayState", ErrMalformed)
	}
	relay := ""
	if len(relays) == 1 {
		relay = relays[0]
	}
	// Some IdPs wrap the base64 in lines.
	b64 = strings.Map(func(c rune) rune {
		if c == '\r' || c == '\n' || c == ' ' || c == '\t' {
			return -1
		}
		return c
	}, b64)
	raw, err := base64.StdEncoding.DecodeString(b64)
	if err != nil {
		return "", nil, "", fmt.Errorf("%w: %s is not base64", ErrMalformed, param)
	}
	root, err := parseXML(raw)
	if err != nil {
		return "", nil, "", err
	}
	if err := checkTree(root); err != nil {
		return "", nil, "", err
	}
	signed, err := sp.verifySignature(root)
	if err != nil {
		return "", nil, "", err
	}
	return param, signed, relay, nil
}

// handleSLO acts on a verified single logout message of either binding.
func (sp *SP) handleSLO(w http.ResponseWriter, r *http.Request, param string, root *etree.Element, relay string) {
	want := "LogoutResponse"
	if param == "SAMLRequest" {
		want = "LogoutRequest"
	}
	if root.Tag != want || root.NamespaceURI() != nsProtocol {
		sp.fail(w, r, "single logout", fmt.Errorf("%w: not a %s", ErrMalformed, want))
		return
	}
	if err := sp.checkIssuer(root); err != nil {
		sp.fail(w, r, "single logout", err)
		return
	}
	if root.SelectAttrValue("Destination", "") != sp.sloURL {
		sp.fail(w, r, "single logout", fmt.Errorf("%w: not our SLO endpoint", ErrDestination))
		return
	}
	ret := localpath.Or(relay, sp.cfg.DefaultReturn)
	if want == "LogoutResponse" {
		if err := checkStatus(root); err != nil {
			sp.cfg.Logger.LogAttrs(r.Context(), slog.LevelWarn, "saml: IdP single logout failed", slog.Any("error", err))
		}
		http.Redirect(w, r, ret, http.StatusSeeOther)
		return
	}
	sp.answerLogoutRequest(w, r, root, relay)
}

// answerLogoutRequest ends the session for an IdP-initiated logout and
// answers the IdP with a signed LogoutResponse. A request that fails
// checkLogoutRequest ends nothing and gets the failure page, as every other
// refused single logout message does.
func (sp *SP) answerLogoutRequest(w http.ResponseWriter, r *http.Request, req *etree.Element, relay string) {
	if err := sp.checkLogoutRequest(r, req, sp.cfg.Now()); err != nil {
		sp.fail(w, r, "single logout", err)
		return
	}
	status := crewjam.StatusSuccess
	if _, err := sp.cfg.Sessions.Logout(w, r); err != nil {
		sp.cfg.Logger.LogAttrs(r.Context(), slog.LevelError, "saml: session not ended for IdP logout", slog.Any("error", err))
		status = crewjam.StatusResponder
	}
	if sp.idp.sloResponse == "" {
		// The IdP has no single logout endpoint to answer; it sent the
		// request anyway, and the session is ended.
		http.Redirect(w, r, sp.cfg.DefaultReturn, http.StatusSeeOther)
		return
	}
	resp := crewjam.LogoutResponse{
		ID:           newID(),
		InResponseTo: req.SelectAttrValue("ID", ""),
		Version:      "2.0",
		IssueInstant: sp.cfg.Now().UTC(),
		Destination:  sp.idp.sloResponse,
		Issuer:       &crewjam.Issuer{Format: entityFormat, Value: sp.cfg.EntityID},
		Status:       crewjam.Status{StatusCode: crewjam.StatusCode{Value: status}},
	}
	to, err := sp.redirectURL(sp.idp.sloResponse, "SAMLResponse", resp.Element(), relay)
	if err != nil {
		sp.fail(w, r, "single logout", fmt.Errorf("%w: %w", ErrLogout, err))
		return
	}
	http.Redirect(w, r, to, http.StatusSeeOther)
}

// checkLogoutRequest refuses a signed LogoutRequest that is not meant for
// this browser's session now. A signature alone proves only that the IdP
// wrote it once: without these checks a request for another user, an old
// one, or one URL used again would end whatever session the browser has.
//
//   - IssueInstant within ClockSkew and RequestLifetime, as for a Response,
//     and NotOnOrAfter (when present) not passed;
//   - the NameID is the session's, and when the session has a SessionIndex
//     it is among the request's SessionIndex values (SAML core 3.7.3.2);
//   - the ID is claimed in the replay cache, last, so a refused request
//     never burns an ID.
func (sp *SP) checkLogoutRequest(r *http.Request, req *etree.Element, now time.Time) error {
	if req.SelectAttrValue("Version", "") != "2.0" {
		return fmt.Errorf("%w: LogoutRequest version", ErrMalformed)
	}
	id := req.SelectAttrValue("ID", "")
	if id == "" {
		return fmt.Errorf("%w: LogoutRequest ID", ErrMissingElement)
	}
	if err := sp.checkIssueInstant(req, now); err != nil {
		return err
	}
	issued, _ := time.Parse(time.RFC3339Nano, req.SelectAttrValue("IssueInstant", ""))
	if v := req.SelectAttrValue("NotOnOrAfter", ""); v != "" {
		t, err := time.Parse(time.RFC3339Nano, v)
		if err != nil || !now.Before(t.Add(sp.cfg.ClockSkew)) {
			return fmt.Errorf("%w: LogoutRequest", ErrExpired)
		}
	}
	// An EncryptedID is not supported: the SP never asks for one.
	nameID, err := only(req, nsAssertion, "NameID")
	if err != nil {
		return fmt.Errorf("%w: LogoutRequest NameID: %w", ErrMissingElement, err)
	}
	d, ok := sp.cfg.Sessions.Current(r)
	info := d.SAML
	if !ok || info.NameID == "" || info.IdP != sp.idp.entityID {
		return fmt.Errorf("%w: no SAML session from this IdP", ErrLogoutSubject)
	}
	if strings.TrimSpace(nameID.Text()) != info.NameID {
		return fmt.Errorf("%w: another NameID", ErrLogoutSubject)
	}
	if f := nameID.SelectAttrValue("Format", ""); f != "" && info.NameIDFormat != "" && f != info.NameIDFormat {
		return fmt.Errorf("%w: another NameID format", ErrLogoutSubject)
	}
	if info.SessionIndex != "" {
		// A request without SessionIndex would mean every session of the
		// NameID (SAML core 3.7.1); the IdP knows which one it issued here,
		// so it must name it.
		found := false
		for _, si := range children(req, nsProtocol, "SessionIndex") {
			found = found || strings.TrimSpace(si.Text()) == info.SessionIndex
		}
		if !found {
			return fmt.Errorf("%w: another SessionIndex", ErrLogoutSubject)
		}
	}
	// checkIssueInstant accepts the request until then; remembering it as
	// long is enough.
	until := issued.Add(sp.cfg.RequestLifetime + sp.cfg.ClockSkew)
	claimed, err := sp.cfg.Replay.Claim(r.Context(), replayKey("logout-request", sp.idp.entityID, id), until)
	if err != nil {
		return fmt.Errorf("%w: %w", ErrReplayUnavailable, err)
	}
	if !claimed {
		return ErrLogoutReplay
	}
	return nil
}

// redirectMessage is a verified HTTP-Redirect binding message.
type redirectMessage struct {
	param string // SAMLRequest or SAMLResponse
	xml   []byte
	relay string
}

// readRedirect verifies the query signature of an HTTP-Redirect binding
// message against the IdP's metadata keys, then inflates the message with a
// hard limit. The signature is checked over the parameters exactly as they
// were encoded in the query, as the binding requires.
func (sp *SP) readRedirect(rawQuery string) (redirectMessage, error) {
	raw := map[string]string{}
	for _, kv := range strings.Split(rawQuery, "&") {
		k, v, _ := strings.Cut(kv, "=")
		if k == "" {
			continue
		}
		if _, dup := raw[k]; dup {
			return redirectMessage{}, fmt.Errorf("%w: repeated query parameter", ErrMalformed)
		}
		if len(v) > maxRedirectParam {
			return redirectMessage{}, fmt.Errorf("%w: query parameter too long", ErrTooLarge)
		}
		raw[k] = v
	}
	var m redirectMessage
	_, isReq := raw["SAMLRequest"]
	_, isResp := raw["SAMLResponse"]
	switch {
	case isReq && !isResp:
		m.param = "SAMLRequest"
	case isResp && !isReq:
		m.param = "SAMLResponse"
	default:
		return m, fmt.Errorf("%w: want SAMLRequest or SAMLResponse", ErrMalformed)
	}
	rawSigAlg, hasSigAlg := raw["SigAlg"]
	rawSig, hasSig := raw["Signature"]
	if !hasSigAlg || !hasSig {
		return m, fmt.Errorf("%w: redirect message", ErrUnsigned)
	}
	sigAlg, err1 := url.QueryUnescape(rawSigAlg)
	sigB64, err2 := url.QueryUnescape(rawSig)
	if err1 != nil || err2 != nil {
		return m, fmt.Errorf("%w: query encoding", ErrMalformed)
	}
	algo, ok := signatureMethods[sigAlg]
	if !ok {
		return m, fmt.Errorf("%w: SigAlg %s", ErrWeakAlgorithm, sigAlg)
	}
	sig, err := base64.StdEncoding.DecodeString(sigB64)
	if err != nil {
		return m, fmt.Errorf("%w: signature encoding", ErrSignature)
	}
	signed := m.param + "=" + raw[m.param]
	if rs, ok := raw["RelayState"]; ok {
		signed += "&RelayState=" + rs
	}
	signed += "&SigAlg=" + rawSigAlg
	verifiedBy := false
	for _, cert := range sp.idp.certs {
		if cert.CheckSignature(algo, []byte(signed), sig) == nil {
			verifiedBy = true
			break
		}
	}
	if !verifiedBy {
		return m, fmt.Errorf("%w: redirect message", ErrSignature)
	}
	if rs, ok := raw["RelayState"]; ok {
		if m.relay, err = url.QueryUnescape(rs); err != nil {
			return m, fmt.Errorf("%w: RelayState encoding", ErrMalformed)
		}
	}
	b64, err := url.QueryUnescape(raw[m.param])
	if err != nil {
		return m, fmt.Errorf("%w: query encoding", ErrMalformed)
	}
	deflated, err := base64.StdEncoding.DecodeString(b64)
	if err != nil {
		return m, fmt.Errorf("%w: not base64", ErrMalformed)
	}
	m.xml, err = inflate(deflated, maxInflated)
	return m, err
}

// inflate decompresses at most limit bytes and refuses anything larger.
func inflate(deflated []byte, limit int64) ([]byte, error) {
	fr := flate.NewReader(bytes.NewReader(deflated))
	defer fr.Close()
	out, err := io.ReadAll(io.LimitReader(fr, limit+1))
	if err != nil && !errors.Is(err, io.ErrUnexpectedEOF) {
		return nil, fmt.Errorf("%w: not deflate data", ErrMalformed)
	}
	if int64(len(out)) > limit {
		return nil, fmt.Errorf("%w: inflates beyond %d bytes", ErrTooLarge, limit)
	}
	if err != nil {
		return nil, fmt.Errorf("%w: truncated deflate data", ErrMalformed)
	}
	return out, nil
}

// newID returns a SAML ID: it must not start with a digit.
func newID() string {
	b := make([]byte, 20)
	_, _ = rand.Read(b)
	return "id-" + hex.EncodeToString(b)
}
