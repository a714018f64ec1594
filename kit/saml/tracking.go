package saml

import (
	"crypto/cipher"
	"crypto/rand"
	"encoding/base64"
	"encoding/binary"
	"encoding/hex"
	"fmt"
	"net"
	"net/http"
	"strings"
	"time"

	"github.com/arendevy/arendevy/kit/loopback"
)

// The request tracker binds an IdP's response to the browser that started
// the login. Each login gets its own cookie, named after a random token
// that travels to the IdP and back as RelayState. The cookie is sealed
// (AES-GCM, the cookie name as associated data) and holds the request ID,
// the return path and when the request was made; it is path-scoped to the
// ACS, lives RequestLifetime, and is expired by the ACS whatever the
// outcome. That it is used once is enforced by claiming the request ID in
// the replay cache, so a copied cookie does not work twice on any instance.
//
// SameSite=None is needed because the IdP's form posts to the ACS
// cross-site; Secure is required with it.
const trackingCookiePrefix = "arendevy_saml_"

type tracker struct {
	aead      cipher.AEAD
	path      string
	lifetime  time.Duration
	plainHTTP bool
}

type tracked struct {
	requestID string
	returnTo  string
	issued    time.Time
}

// expires is when the request stops being answerable.
func (t tracked) expires(lifetime time.Duration) time.Time { return t.issued.Add(lifetime) }

// issue sets the tracking cookie for requestID and returns the RelayState
// that names it.
func (t *tracker) issue(w http.ResponseWriter, r *http.Request, requestID, returnTo string, now time.Time) (string, error) {
	tok := make([]byte, 16)
	if _, err := rand.Read(tok); err != nil {
		return "", fmt.Errorf("saml: tracking token: %w", err)
	}
	relay := hex.EncodeToString(tok)
	payload := binary.BigEndian.AppendUint64(nil, uint64(now.Unix()))
	payload = append(payload, requestID...)
	payload = append(payload, 0)
	payload = append(payload, returnTo...)
	nonce := make([]byte, t.aead.NonceSize())
	if _, err := rand.Read(nonce); err != nil {
		return "", fmt.Errorf("saml: tracking nonce: %w", err)
	}
	name := trackingCookiePrefix + relay
	sealed := t.aead.Seal(nonce, nonce, payload, []byte(name))
	http.SetCookie(w, t.cookie(r, name, base64.RawURLEncoding.EncodeToString(sealed), int(t.lifetime/time.Second)))
	return relay, nil
}

// take reads and expires the tracking cookie named by relay.
func (t *tracker) take(w http.ResponseWriter, r *http.Request, relay string, now time.Time) (tracked, error) {
	if !isRelayToken(relay) {
		return tracked{}, fmt.Errorf("%w: no tracking RelayState", ErrUnknownRequest)
	}
	name := trackingCookiePrefix + relay
	c, err := r.Cookie(name)
	if err != nil {
		return tracked{}, fmt.Errorf("%w: no tracking cookie", ErrUnknownRequest)
	}
	http.SetCookie(w, t.cookie(r, name, "", -1))
	sealed, err := base64.RawURLEncoding.DecodeString(c.Value)
	if err != nil || len(sealed) < t.aead.NonceSize() {
		return tracked{}, fmt.Errorf("%w: tracking cookie unreadable", ErrUnknownRequest)
	}
	n := t.aead.NonceSize()
	payload, err := t.aead.Open(nil, sealed[:n], sealed[n:], []byte(name))
	if err != nil || len(payload) < 9 {
		return tracked{}, fmt.Errorf("%w: tracking cookie not ours", ErrUnknownRequest)
	}
	id, ret, ok := strings.Cut(string(payload[8:]), "\x00")
	if !ok {
		return tracked{}, fmt.Errorf("%w: tracking cookie unreadable", ErrUnknownRequest)
	}
	tr := tracked{requestID: id, returnTo: ret, issued: time.Unix(int64(binary.BigEndian.Uint64(payload[:8])), 0)}
	if !now.Before(tr.expires(t.lifetime)) {
		return tracked{}, fmt.Errorf("%w: request older than %s", ErrRequestExpired, t.lifetime)
	}
	return tr, nil
}

func (t *tracker) cookie(r *http.Request, name, value string, maxAge int) *http.Cookie {
	c := &http.Cookie{
		Name:     name,
		Value:    value,
		Path:     t.path,
		MaxAge:   maxAge,
		HttpOnly: true,
		Secure:   true,
		SameSite: http.SameSiteNoneMode,
	}
	if t.plainHTTP && r.TLS == nil && loopback.Host(hostOnly(r.Host)) {
		c.Secure, c.SameSite = false, http.SameSiteLaxMode
	}
	return c
}

func isRelayToken(s string) bool {
	if len(s) != 32 {
		return false
	}
	_, err := hex.DecodeString(s)
	return err == nil && strings.ToLower(s) == s
}

func hostOnly(hostport string) string {
	if h, _, err := net.SplitHostPort(hostport); err == nil {
		return h
	}
	return strings.Trim(hostport, "[]")
}
