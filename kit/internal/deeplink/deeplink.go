// Package deeplink keeps case data out of the portal's URLs and stops the
// overview from becoming an open redirector. The page never gets a
// producer's deep link: it gets {Mount}/go/{token}, where the token seals
// (AES-256-GCM) the producer, the link and an expiry. Following it, the kit
// opens the token (only in the session whose overview held it), checks the
// link again against the producer's allow-list and redirects there, through
// the producer's IdP-initiated SSO entry point when it has one, so the user
// arrives logged in.
package deeplink

import (
	"bytes"
	"context"
	"crypto/aes"
	"crypto/cipher"
	"crypto/rand"
	"encoding/base64"
	"encoding/binary"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/arendevy/arendevy/kit/i18n"
	"github.com/arendevy/arendevy/kit/identity"
	"github.com/arendevy/arendevy/kit/internal/errorpage"
	"github.com/arendevy/arendevy/kit/producers"
	"github.com/arendevy/arendevy/kit/session"
)

// Defaults for Config.
const (
	DefaultLifetime = time.Hour
	KeySize         = 32 // AES-256
)

var (
	// ErrInvalidToken: the token is malformed, tampered with or sealed under another key.
	ErrInvalidToken = errors.New("deeplink: invalid token")
	// ErrExpired: the token was valid once; the overview that held it is too old.
	ErrExpired = errors.New("deeplink: token expired")
	// ErrNoSession: the request has no session binding to seal a token to or
	// open it with (session.BindingFromContext).
	ErrNoSession = errors.New("deeplink: no session")
)

// Token layout. The plaintext is: version, expiry (Unix seconds, big
// endian), producer ID length, producer ID, link, then padding: 0x80 and
// as many zero bytes as make it paddedSize. The padding keeps the token's
// length from telling the producer's link (or the producer) apart from
// others of roughly its size: an eavesdropper on a log or a shoulder sees
// one of a few lengths. The version, the purpose and the
// session's binding (session.BindingFromContext) are bound as additional
// data: a token sealed for another purpose under the same key, in another
// layout, or for another session (another user, or another login of the
// same user) never opens here. The binding never travels in the token, so
// the token neither grows nor shows anything of the session.
const (
	version      = 3
	maxProducer  = 255
	padMin       = 64  // the smallest padded plaintext
	padBlock     = 512 // above it, multiples of it
	padMarker    = 0x80
	maxTokenSize = 4096 // base64 characters; a MaxLink link fits with room to spare
)

const purpose = "arendevy deep link v3\x00"

// additionalData is what a token for the session binding is sealed with.
func additionalData(binding []byte) []byte {
	return append([]byte(purpose), binding...)
}

// paddedSize is the length of a plaintext of n bytes once padded (the
// marker always takes one byte): the next power of two from padMin up to
// padBlock, then the next multiple of padBlock. A length then tells only
// which of a handful of size classes a link is in (64, 128, 256 or 512
// bytes, then per 512), the same few bits 256-byte blocks told, while the
// usual link of 60–110 bytes makes a token of 208 characters instead of 379
// (docs/sessions.md). Every overview carries one per case, and random bytes
// do not compress.
func paddedSize(n int) int {
	size := padMin
	for size < n+1 && size < padBlock {
		size *= 2
	}
	if size < n+1 {
		size = (n + 1 + padBlock - 1) / padBlock * padBlock
	}
	return size
}

// Config configures Links.
type Config struct {
	// Producers is the directory whose allow-lists links are checked against. Required.
	Producers *producers.Directory
	// Key seals the tokens (32 bytes). Nil: a random key per process, which
	// is right for one instance; several instances behind a load balancer
	// share one key, or a link made by one fails on another.
	Key []byte
	// Lifetime is how long a link in a compiled overview stays usable; default 1 h.
	Lifetime time.Duration
	// Mount is the kit's path prefix (kit.Config.Mount). Required.
	Mount string
	// LoginURL, when set, gives the "log in first" page a login link that
	// returns to the deep link (saml.SP.LoginURL).
	LoginURL func(returnTo string) string
	// Logger receives refusals with their reason, never a link or token.
	Logger *slog.Logger
	// Now is the clock; default time.Now.
	Now func() time.Time
}

// Links rewrites deep links into sealed kit URLs and follows them.
type Links struct {
	cfg      Config
	aead     cipher.AEAD
	messages *i18n.Bundle // the pages' texts
}

// New checks cfg and builds Links.
func New(cfg Config) (*Links, error) {
	if cfg.Producers == nil {
		return nil, errors.New("deeplink config: Producers is required")
	}
	if cfg.Key == nil {
		cfg.Key = make([]byte, KeySize)
		_, _ = rand.Read(cfg.Key) // never fails: crypto/rand aborts the program instead
	}
	if len(cfg.Key) != KeySize {
		return nil, fmt.Errorf("deeplink config: Key must be %d bytes, got %d", KeySize, len(cfg.Key))
	}
	if cfg.Lifetime < 0 {
		return nil, errors.New("deeplink config: Lifetime must not be negative")
	}
	if cfg.Lifetime == 0 {
		cfg.Lifetime = DefaultLifetime
	}
	if !strings.HasPrefix(cfg.Mount, "/") {
		return nil, errors.New("deeplink config: Mount is required and must start with /")
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.Default()
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	block, err := aes.NewCipher(cfg.Key)
	if err != nil {
		return nil, fmt.Errorf("deeplink config: %w", err)
	}
	aead, err := cipher.NewGCM(block)
	if err != nil {
		return nil, fmt.Errorf("deeplink config: %w", err)
	}
	messages, err := i18n.Default()
	if err != nil {
		return nil, err
	}
	return &Links{cfg: cfg, aead: aead, messages: messages}, nil
}

// Rewrite returns the kit URL that stands for link in the page of ctx's
// session, or false when link is not an allowed deep link of producerID or
// ctx has no session (the case then shows the producer's information page
// instead). Plug it into kit.Config.Links.
func (l *Links) Rewrite(ctx context.Context, producerID, link string) (string, bool) {
	binding, ok := session.BindingFromContext(ctx)
	if !ok || len(producerID) > maxProducer || !l.cfg.Producers.Allows(producerID, link) {
		return "", false
	}
	return l.seal(binding, producerID, link, l.cfg.Now().Add(l.cfg.Lifetime)), true
}

// seal returns {Mount}/go/{token}. It runs for every case with a link in
// every overview, so it builds the token in one buffer, sealed in place,
// and the URL in one string.
func (l *Links) seal(binding []byte, producerID, link string, expires time.Time) string {
	ns := l.aead.NonceSize()
	size := paddedSize(10 + len(producerID) + len(link))
	sealed := make([]byte, ns, ns+size+l.aead.Overhead())
	_, _ = rand.Read(sealed) // the nonce; never fails: crypto/rand aborts the program instead
	plain := append(sealed[ns:], version)
	plain = binary.BigEndian.AppendUint64(plain, uint64(expires.Unix()))
	plain = append(plain, byte(len(producerID)))
	plain = append(plain, producerID...)
	plain = append(plain, link...)
	plain = append(plain, padMarker)
	plain = plain[:size] // zeros: make allocated them
	sealed = l.aead.Seal(sealed[:ns], sealed[:ns], plain, additionalData(binding))

	var u strings.Builder
	u.Grow(len(l.cfg.Mount) + len("/go/") + base64.RawURLEncoding.EncodedLen(len(sealed)))
	u.WriteString(l.cfg.Mount)
	u.WriteString("/go/")
	// Whole groups of three bytes encode without padding, so the token can
	// go through a small buffer piece by piece.
	var chunk [64]byte
	for len(sealed) > 0 {
		n := min(len(sealed), 48)
		base64.RawURLEncoding.Encode(chunk[:], sealed[:n])
		u.Write(chunk[:base64.RawURLEncoding.EncodedLen(n)])
		sealed = sealed[n:]
	}
	return u.String()
}

// open returns the producer and link sealed in token for the session binding.
func (l *Links) open(binding []byte, token string) (producerID, link string, err error) {
	if len(token) > maxTokenSize {
		return "", "", fmt.Errorf("%w: too long", ErrInvalidToken)
	}
	raw, err := base64.RawURLEncoding.Strict().DecodeString(token)
	if err != nil {
		return "", "", fmt.Errorf("%w: not base64url", ErrInvalidToken)
	}
	ns := l.aead.NonceSize()
	if len(raw) < ns+l.aead.Overhead() {
		return "", "", fmt.Errorf("%w: too short", ErrInvalidToken)
	}
	plain, err := l.aead.Open(nil, raw[:ns], raw[ns:], additionalData(binding))
	if err != nil {
		return "", "", fmt.Errorf("%w: does not authenticate (tampered with, another key or layout, or another session)", ErrInvalidToken)
	}
	plain = bytes.TrimRight(plain, "\x00")
	if len(plain) < 11 || plain[len(plain)-1] != padMarker || plain[0] != version || len(plain)-1 < 10+int(plain[9]) {
		return "", "", fmt.Errorf("%w: bad layout", ErrInvalidToken)
	}
	plain = plain[:len(plain)-1]
	expires := time.Unix(int64(binary.BigEndian.Uint64(plain[1:9])), 0)
	if !l.cfg.Now().Before(expires) {
		return "", "", ErrExpired
	}
	n := int(plain[9])
	return string(plain[10 : 10+n]), string(plain[10+n:]), nil
}

// Handler serves GET {Mount}/go/{token}: it needs a logged-in subject and
// the session's binding in the request context (session.Manager.Middleware),
// and answers 303 to the producer's e-service, 401 with a "log in first"
// page, or 400 with a page saying the link cannot be opened.
func (l *Links) Handler() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET "+l.cfg.Mount+"/go/{token}", l.serveGo)
	return mux
}

func (l *Links) serveGo(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Cache-Control", "no-store")
	if _, ok := identity.FromContext(r.Context()); !ok {
		p := l.page(r, pageLogin)
		if l.cfg.LoginURL != nil {
			p.Link = l.cfg.LoginURL(r.URL.EscapedPath())
		}
		errorpage.Write(w, http.StatusUnauthorized, p)
		return
	}
	producerID, link, err := "", "", ErrNoSession
	if binding, ok := session.BindingFromContext(r.Context()); ok {
		producerID, link, err = l.open(binding, r.PathValue("token"))
	}
	if err != nil {
		l.cfg.Logger.LogAttrs(r.Context(), slog.LevelWarn, "deep link refused", slog.String("reason", err.Error()))
		which := pageInvalid
		if errors.Is(err, ErrExpired) {
			which = pageExpired
		}
		errorpage.Write(w, http.StatusBadRequest, l.page(r, which))
		return
	}
	dest, reason := l.destination(producerID, link)
	if reason != "" {
		l.cfg.Logger.LogAttrs(r.Context(), slog.LevelWarn, "deep link refused",
			slog.String("reason", reason), slog.String("producer", producerID))
		errorpage.Write(w, http.StatusBadRequest, l.page(r, pageInvalid))
		return
	}
	http.Redirect(w, r, dest, http.StatusSeeOther)
}

// destination checks link against producerID's allow-list as it is now
// and returns where to send the browser, or why not.
func (l *Links) destination(producerID, link string) (string, string) {
	info, ok := l.cfg.Producers.Lookup(producerID)
	if !ok {
		return "", "unknown producer"
	}
	if !l.cfg.Producers.Allows(producerID, link) {
		return "", "link not allowed for its producer"
	}
	if info.SSO == "" {
		return link, ""
	}
	dest := strings.ReplaceAll(info.SSO, "{target}", url.QueryEscape(link))
	if reason := producers.CheckSSO(dest); reason != "" {
		return "", "SSO entry point: " + reason
	}
	return dest, ""
}
