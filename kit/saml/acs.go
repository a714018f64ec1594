package saml

import (
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"strings"

	"github.com/arendevy/arendevy/kit/localpath"
)

// Limits of the ACS input. A real response is a few kilobytes; the cap
// stops a large body before it is read, and base64 cannot expand it.
const (
	maxACSBody    = 256 << 10
	maxRelayState = 80 // SAML bindings §3.4.3: RelayState MUST NOT exceed 80 bytes
)

// serveACS consumes the IdP's response (HTTP-POST binding).
func (sp *SP) serveACS(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Cache-Control", "no-store")
	returnTo, err := sp.consume(w, r)
	if err != nil {
		sp.fail(w, r, "login", err)
		return
	}
	http.Redirect(w, r, returnTo, http.StatusSeeOther)
}

// consume verifies the posted response, binds it to the request this
// browser made, claims it against replay and starts the session. It
// returns the local path the user goes on to.
func (sp *SP) consume(w http.ResponseWriter, r *http.Request) (string, error) {
	raw, relay, err := readACSForm(w, r)
	if err != nil {
		return "", err
	}
	now := sp.cfg.Now()

	// The tracking cookie is read (and expired) before anything else, so it
	// is gone whatever the outcome.
	var tr *tracked
	var trErr error
	if isRelayToken(relay) {
		t, err := sp.tracker.take(w, r, relay, now)
		tr, trErr = &t, err
	}

	v, err := sp.verifyResponse(raw, now)
	if err != nil {
		return "", err
	}

	returnTo := sp.cfg.DefaultReturn
	var requestID string
	switch {
	case v.inResponseTo == "":
		if !sp.cfg.AllowIdPInitiated {
			return "", ErrUnsolicited
		}
		if relay != "" {
			if err := localpath.Check(relay); err != nil {
				return "", fmt.Errorf("%w: %w", ErrUnsafeReturn, err)
			}
			returnTo = relay
		}
	case tr == nil:
		return "", fmt.Errorf("%w: no tracking state for InResponseTo", ErrUnknownRequest)
	case trErr != nil:
		return "", trErr
	case tr.requestID != v.inResponseTo:
		return "", fmt.Errorf("%w: InResponseTo is not the request of this browser", ErrRequestMismatch)
	default:
		returnTo, requestID = tr.returnTo, tr.requestID
	}

	// ForceAuthn asks the IdP for a new authentication. One that answers from
	// its own older session anyway is refused (Deployment Profile for the
	// Swedish eID Framework, 6.3.5): the authentication must be no older
	// than our request, or, unsolicited, than the time a login may take.
	if sp.cfg.ForceAuthn {
		since := now.Add(-sp.cfg.RequestLifetime)
		if requestID != "" {
			since = tr.issued
		}
		if v.subject.AuthnInstant.Before(since.Add(-sp.cfg.ClockSkew)) {
			return "", ErrStaleAuthn
		}
	}

	// Claims come last, so a refused response never burns an ID.
	ok, err := sp.cfg.Replay.Claim(r.Context(), replayKey("assertion", sp.idp.entityID, v.assertionID), v.until)
	if err != nil {
		return "", fmt.Errorf("%w: %w", ErrReplayUnavailable, err)
	}
	if !ok {
		return "", ErrReplay
	}
	if requestID != "" {
		ok, err := sp.cfg.Replay.Claim(r.Context(), replayKey("request", sp.cfg.EntityID, requestID), tr.expires(sp.cfg.RequestLifetime))
		if err != nil {
			return "", fmt.Errorf("%w: %w", ErrReplayUnavailable, err)
		}
		if !ok {
			return "", ErrRequestReused
		}
	}

	if err := sp.cfg.Sessions.Login(w, r, v.subject, v.info); err != nil {
		return "", fmt.Errorf("%w: %w", ErrLogin, err)
	}
	sp.cfg.Logger.LogAttrs(r.Context(), slog.LevelInfo, "saml: login",
		slog.String("loa", v.subject.LoA), slog.String("idp", v.subject.IdP), slog.Bool("unsolicited", requestID == ""))
	return returnTo, nil
}

// readACSForm reads SAMLResponse (decoded) and RelayState from the body,
// refusing anything larger than maxACSBody before reading it.
func readACSForm(w http.ResponseWriter, r *http.Request) ([]byte, string, error) {
	r.Body = http.MaxBytesReader(w, r.Body, maxACSBody)
	if err := r.ParseForm(); err != nil {
		var tooBig *http.MaxBytesError
		if errors.As(err, &tooBig) {
			return nil, "", fmt.Errorf("%w: body over %d bytes", ErrTooLarge, maxACSBody)
		}
		return nil, "", fmt.Errorf("%w: form", ErrMalformed)
	}
	responses, relays := r.PostForm["SAMLResponse"], r.PostForm["RelayState"]
	if len(responses) != 1 || len(relays) > 1 {
		return nil, "", fmt.Errorf("%w: want one SAMLResponse and at most one RelayState", ErrMalformed)
	}
	relay := ""
	if len(relays) == 1 {
		relay = relays[0]
	}
	if len(relay) > maxRelayState {
		return nil, "", fmt.Errorf("%w: RelayState over %d bytes", ErrMalformed, maxRelayState)
	}
	// Some IdPs wrap the base64 in lines.
	b64 := strings.Map(func(c rune) rune {
		if c == '\r' || c == '\n' || c == ' ' || c == '\t' {
			return -1
		}
		return c
	}, responses[0])
	raw, err := base64.StdEncoding.DecodeString(b64)
	if err != nil {
		return nil, "", fmt.Errorf("%w: SAMLResponse is not base64", ErrMalformed)
	}
	return raw, relay, nil
}

// replayKey hashes the IDs so keys have a fixed size whatever the IdP sends.
func replayKey(kind, issuer, id string) string {
	h := sha256.Sum256([]byte(issuer + "\x00" + id))
	return kind + ":" + hex.EncodeToString(h[:])
}
