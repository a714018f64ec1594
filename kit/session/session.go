// Package session keeps who is logged in on the server and tells the rest of
// the kit through the request context. The browser holds only a random,
// opaque 256-bit session ID in a cookie (gorilla/sessions writes it); the
// subject, its level of assurance, the CSRF token and what single logout
// needs live in a Store (memory for one instance, Redis for many).
//
// Idle and absolute timeouts are enforced here, on the server, whatever the
// cookie says. A login always gets a new session ID and the old session is
// deleted (no fixation); a logout deletes the session so a replayed cookie
// finds nothing. A portal with a weaker login of its own binds its account's
// identity number with BindPortalLogin; the overview then demands a
// step-up to e-legitimation, and Login refuses an e-legitimation that
// belongs to someone else.
package session

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"regexp"
	"strings"
	"sync/atomic"
	"time"

	"github.com/gorilla/sessions"
	"golang.org/x/net/publicsuffix"

	"github.com/arendevy/arendevy/kit/i18n"
	"github.com/arendevy/arendevy/kit/identity"
	"github.com/arendevy/arendevy/kit/loopback"
	"github.com/arendevy/arendevy/kit/mandate"
)

// Cookie names. The __Host- prefix makes the browser insist on Secure,
// Path=/ and no Domain, so no sibling host can plant or shadow the cookie.
// DomainCookieName replaces it when Config.CookieDomain is set: a cookie
// with a Domain cannot be a __Host- one, and __Secure- still demands
// Secure.
//
// ACSCookieName carries the same ID, but only to the SAML assertion consumer
// service and with SameSite=None: the IdP's response arrives as a cross-site
// POST, which never carries a SameSite=Lax cookie, and without the session
// Login could not see the portal binding that step-up must enforce.
//
// SLOCookieName is its twin for the SAML single logout endpoint, for the
// same reason: an IdP's LogoutRequest over the HTTP-POST binding is a
// cross-site POST, and without the session it could only be refused.
const (
	CookieName       = "__Host-arendevy"
	DomainCookieName = "__Secure-arendevy"
	ACSCookieName    = "__Secure-arendevy-acs"
	SLOCookieName    = "__Secure-arendevy-slo"
	DevCookieName    = "arendevy" // plain-http loopback development only
)

// Defaults for Config.
const (
	DefaultIdleTimeout     = 15 * time.Minute
	DefaultAbsoluteTimeout = 8 * time.Hour
)

// Levels of assurance of the Swedish eID framework accepted by default.
const (
	LoA3             = "http://id.elegnamnden.se/loa/1.0/loa3"
	LoA4             = "http://id.elegnamnden.se/loa/1.0/loa4"
	EIDASSubstantial = "http://id.elegnamnden.se/loa/1.0/eidas-sub"
	EIDASHigh        = "http://id.elegnamnden.se/loa/1.0/eidas-high"
)

// DefaultAcceptedLoAs returns the levels the overview accepts unless
// Config.AcceptedLoAs says otherwise.
func DefaultAcceptedLoAs() []string { return []string{LoA3, EIDASSubstantial, EIDASHigh, LoA4} }

var (
	// ErrStepUpMismatch: the e-legitimation login belongs to another person
	// than the one the portal account is bound to.
	ErrStepUpMismatch = errors.New("session: step-up login is not the person bound to the portal account")
	// ErrLoANotAccepted: the login's level of assurance is not among Config.AcceptedLoAs.
	ErrLoANotAccepted = errors.New("session: level of assurance not accepted")
	// ErrNoIdentity: Login got a subject without an identity number.
	ErrNoIdentity = errors.New("session: subject has no identity number")
)

// Data is everything the server keeps for one login. Never written to a cookie.
type Data struct {
	Subject  identity.Subject // who logged in (and whom they act for)
	Bound    string           // identity number the portal bound to its own (weaker) login; "" if none
	Created  time.Time        // absolute timeout counts from here
	LastSeen time.Time        // idle timeout counts from here
	CSRF     string           // per-session CSRF token
	SAML     SAMLInfo         // what SingleLogout needs
}

// SAMLInfo is what a SAML LogoutRequest for this login needs.
type SAMLInfo struct{ NameID, NameIDFormat, SessionIndex, IdP string }

// Config configures a Manager; the zero value works for one instance.
type Config struct {
	// Store keeps the sessions; default a Memory store.
	Store Store
	// IdleTimeout ends a session nobody used for this long; default 15 min.
	IdleTimeout time.Duration
	// AbsoluteTimeout ends every session this long after login; default 8 h.
	AbsoluteTimeout time.Duration
	// WarnBefore is how long before the idle timeout the element offers to
	// stay logged in (GET {mount}/api/session); default 2 min, and never
	// more than half the idle timeout.
	WarnBefore time.Duration
	// AcceptedLoAs are the levels of assurance that let a subject see the
	// overview; default DefaultAcceptedLoAs().
	AcceptedLoAs []string
	// Mandates says for whom a user may act; nil: for nobody but themselves.
	Mandates mandate.Source
	// AllowPlainHTTP lets a request over plain http to a loopback host
	// (localhost, a name under .localhost, 127.0.0.0/8, ::1; see
	// kit/loopback) use the cookie DevCookieName without Secure. For local
	// development only; every other request gets CookieName with Secure
	// whatever this says.
	AllowPlainHTTP bool
	// CookieDomain, when set, is the session cookie's Domain: every host
	// under it gets the cookie (as DomainCookieName), so another host of the
	// site that runs the kit with the same Store sees the same login. It
	// must be the kit's host or a parent of it, and not a public suffix
	// (CheckCookieDomain). Empty, the default and the safer choice, keeps
	// the cookie to the kit's own host, which is all the element on another
	// host of the site needs: its requests to the kit are same-site and
	// carry a host-only cookie too. SameSite stays Lax either way.
	CookieDomain string
	// Logger receives operational logs, never numbers, names or session IDs.
	Logger *slog.Logger
	// Now is the clock; default time.Now.
	Now func() time.Time
}

// Manager issues, checks and ends sessions.
type Manager struct {
	cfg      Config
	accepted map[string]bool
	cookies  *cookieStore
	// mount is the kit's path prefix, handed over by Handler; nil until
	// then. The ACS cookie is scoped below it.
	mount    atomic.Pointer[string]
	messages *i18n.Bundle // the problems' texts
}

// NewManager checks cfg and builds a Manager.
func NewManager(cfg Config) (*Manager, error) {
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.Default()
	}
	if cfg.Store == nil {
		cfg.Store = NewMemory(MemoryConfig{Now: cfg.Now, Logger: cfg.Logger})
	}
	if cfg.IdleTimeout == 0 {
		cfg.IdleTimeout = DefaultIdleTimeout
	}
	if cfg.AbsoluteTimeout == 0 {
		cfg.AbsoluteTimeout = DefaultAbsoluteTimeout
	}
	if cfg.WarnBefore == 0 {
		cfg.WarnBefore = DefaultWarnBefore
	}
	if cfg.AcceptedLoAs == nil {
		cfg.AcceptedLoAs = DefaultAcceptedLoAs()
	}
	var problems []string
	if cfg.IdleTimeout < 0 || cfg.AbsoluteTimeout < 0 || cfg.WarnBefore < 0 {
		problems = append(problems, "timeouts must be positive")
	}
	if cfg.IdleTimeout > cfg.AbsoluteTimeout {
		problems = append(problems, "IdleTimeout must not exceed AbsoluteTimeout")
	}
	if len(cfg.AcceptedLoAs) == 0 {
		problems = append(problems, "AcceptedLoAs: at least one level is needed")
	}
	if cfg.CookieDomain != "" {
		if err := CheckCookieDomain(cfg.CookieDomain, ""); err != nil {
			problems = append(problems, "CookieDomain: "+err.Error())
		}
	}
	if len(problems) > 0 {
		return nil, fmt.Errorf("session config: %s", strings.Join(problems, "; "))
	}
	messages, err := i18n.Default()
	if err != nil {
		return nil, err
	}
	m := &Manager{cfg: cfg, accepted: map[string]bool{}, messages: messages}
	for _, l := range cfg.AcceptedLoAs {
		m.accepted[l] = true
	}
	m.cookies = &cookieStore{m: m}
	return m, nil
}

// Login is called by the SAML ACS after a verified assertion. It enforces
// step-up (when the current session is bound to a portal account, s must be
// the same person, else ErrStepUpMismatch, logged without the number), then
// issues a new session ID carrying s and deletes the old session.
func (m *Manager) Login(w http.ResponseWriter, r *http.Request, s identity.Subject, info SAMLInfo) error {
	if s.User.IsZero() {
		return ErrNoIdentity
	}
	if !m.accepted[s.LoA] {
		m.cfg.Logger.LogAttrs(r.Context(), slog.LevelWarn, "login refused: level of assurance not accepted",
			slog.String("loa", s.LoA), slog.String("idp", s.IdP))
		return fmt.Errorf("%w: %q", ErrLoANotAccepted, s.LoA)
	}
	gs, err := m.load(r)
	if err != nil {
		return err
	}
	prev := gs
	if gs.IsNew && m.cookieName(r) != DevCookieName {
		// The IdP's cross-site POST brings only the ACS cookie.
		if prev, err = m.cookies.Get(r, ACSCookieName); err != nil {
			return fmt.Errorf("session: load: %w", err)
		}
	}
	var bound string
	if cur, ok := m.valid(prev); ok && cur.Bound != "" {
		if subtle.ConstantTimeCompare([]byte(cur.Bound), []byte(s.User.Number)) != 1 {
			m.cfg.Logger.LogAttrs(r.Context(), slog.LevelWarn,
				"step-up refused: the e-legitimation belongs to another person than the portal account",
				slog.String("loa", s.LoA), slog.String("idp", s.IdP))
			return ErrStepUpMismatch
		}
		bound = cur.Bound
	}
	now := m.cfg.Now()
	d := Data{Subject: s, Bound: bound, Created: now, LastSeen: now, CSRF: randomToken(), SAML: info}
	if err := m.issue(w, r, gs, prev.ID, d); err != nil {
		return err
	}
	m.cfg.Logger.LogAttrs(r.Context(), slog.LevelInfo, "login",
		slog.String("loa", s.LoA), slog.String("idp", s.IdP), slog.Bool("step_up", bound != ""))
	return nil
}

// BindPortalLogin is how a portal with a weaker own login (username and
// password) tells the kit which identity number its account belongs to. The
// new session has no subject at an accepted level, so the overview demands
// an e-legitimation login, which Login then compares with number. A session
// that already proves number by e-legitimation is kept as it is.
func (m *Manager) BindPortalLogin(w http.ResponseWriter, r *http.Request, number string) error {
	n, _, err := identity.ParseNumber(number)
	if err != nil {
		return fmt.Errorf("session: bind portal login: %w", err)
	}
	gs, err := m.load(r)
	if err != nil {
		return err
	}
	if cur, ok := m.valid(gs); ok && m.accepted[cur.Subject.LoA] &&
		subtle.ConstantTimeCompare([]byte(cur.Subject.User.Number), []byte(n)) == 1 {
		return nil
	}
	now := m.cfg.Now()
	if err := m.issue(w, r, gs, gs.ID, Data{Bound: n, Created: now, LastSeen: now, CSRF: randomToken()}); err != nil {
		return err
	}
	m.cfg.Logger.LogAttrs(r.Context(), slog.LevelInfo, "portal login bound; step-up pending")
	return nil
}

// CookieDomain is Config.CookieDomain.
func (m *Manager) CookieDomain() string { return m.cfg.CookieDomain }

// Current returns the request's session if it exists and has not timed
// out, whatever its level of assurance.
func (m *Manager) Current(r *http.Request) (Data, bool) {
	gs, err := m.loadAtSLO(r)
	if err != nil {
		m.cfg.Logger.LogAttrs(r.Context(), slog.LevelError, "session store unavailable", slog.String("error", err.Error()))
		return Data{}, false
	}
	return m.valid(gs)
}

// CSRFToken returns the token state-changing requests of this session must
// carry (form field "csrf" or header X-CSRF-Token); "" without a session.
// Server-rendered forms put it in a hidden field; the element fetches it
// from GET {mount}/api/csrf.
func (m *Manager) CSRFToken(r *http.Request) string {
	d, ok := m.Current(r)
	if !ok {
		return ""
	}
	return d.CSRF
}

// Logout destroys the session on the server, expires the cookie and
// returns what the session held (for SAML single logout). Without a
// session it returns zero Data and no error: logging out twice is fine.
func (m *Manager) Logout(w http.ResponseWriter, r *http.Request) (Data, error) {
	gs, err := m.loadAtSLO(r)
	if err != nil {
		return Data{}, err
	}
	d, _ := gs.Values[dataKey{}].(Data)
	if err := m.end(w, r, gs); err != nil {
		return Data{}, err
	}
	m.cfg.Logger.LogAttrs(r.Context(), slog.LevelInfo, "logout")
	return d, nil
}

type loadedKey struct{}

// Middleware loads the session; when it is valid and its level of
// assurance accepted it puts identity.WithSubject into the request context
// and records the activity for the idle timeout. A timed-out session is
// deleted. When the store fails the request gets 503: sending the user to a
// login that cannot be saved would only loop.
func (m *Manager) Middleware(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Context().Value(loadedKey{}) != nil {
			next.ServeHTTP(w, r)
			return
		}
		r = r.WithContext(context.WithValue(r.Context(), loadedKey{}, true))
		if m.isPeek(r) {
			next.ServeHTTP(w, r)
			return
		}
		d, ok, err := m.touch(w, r)
		if err != nil {
			m.storeFailed(w, r, err)
			return
		}
		if ok && m.accepted[d.Subject.LoA] && !d.Subject.User.IsZero() {
			ctx := identity.WithSubject(r.Context(), d.Subject)
			r = r.WithContext(WithBinding(ctx, binding(d)))
		}
		next.ServeHTTP(w, r)
	})
}

type bindingKey struct{}

// WithBinding returns ctx carrying b as the binding of the session the
// request runs in. The Middleware puts it there next to the subject.
func WithBinding(ctx context.Context, b []byte) context.Context {
	return context.WithValue(ctx, bindingKey{}, b)
}

// BindingFromContext returns the binding of the request's logged-in
// session: a value that stays the same for the whole session and differs
// between sessions, including two logins of the same user. It is not a
// secret of the session and never works as a cookie or CSRF token, but it
// is only meant to be bound to, not shown: the deep-link tokens are made
// under a key derived from it, so a token works only in the session whose
// overview it was made for.
func BindingFromContext(ctx context.Context) ([]byte, bool) {
	b, ok := ctx.Value(bindingKey{}).([]byte)
	return b, ok && len(b) > 0
}

// binding derives d's binding from its CSRF token, which every session gets
// fresh and random at its start and keeps to its end. Hashing it, under a
// label of its own, keeps the token itself out of other packages' hands.
func binding(d Data) []byte {
	sum := sha256.Sum256([]byte("arendevy session binding\x00" + d.CSRF))
	return sum[:]
}

var errTimedOut = errors.New("session timed out")

// touch loads the session and, when it is valid, moves LastSeen to now.
func (m *Manager) touch(w http.ResponseWriter, r *http.Request) (Data, bool, error) {
	gs, err := m.load(r)
	if err != nil || gs.IsNew {
		return Data{}, false, err
	}
	var fresh Data
	now := m.cfg.Now()
	err = m.cfg.Store.Update(r.Context(), storeKey(gs.ID), func(d *Data) (time.Duration, error) {
		if reason := m.timedOut(*d, now); reason != "" {
			m.cfg.Logger.LogAttrs(r.Context(), slog.LevelInfo, "session timed out", slog.String("reason", reason))
			return 0, errTimedOut
		}
		d.LastSeen = now
		fresh = *d
		return m.ttl(*d, now), nil
	})
	switch {
	case errors.Is(err, errTimedOut), errors.Is(err, ErrNotFound):
		return Data{}, false, m.end(w, r, gs)
	case err != nil:
		return Data{}, false, err
	}
	gs.Values[dataKey{}] = fresh
	return fresh, true, nil
}

// issue replaces the request's session by a new one carrying d: the old
// session (gs's, or prevID when it came in the ACS cookie) is deleted first,
// so its ID is worthless whatever happens next.
func (m *Manager) issue(w http.ResponseWriter, r *http.Request, gs *sessions.Session, prevID string, d Data) error {
	for _, id := range []string{gs.ID, prevID} {
		if id == "" {
			continue
		}
		if err := m.cfg.Store.Delete(r.Context(), storeKey(id)); err != nil {
			return fmt.Errorf("session: drop the previous session: %w", err)
		}
	}
	gs.ID, gs.IsNew = "", true
	gs.Values = map[any]any{dataKey{}: d}
	gs.Options.MaxAge = 0
	return gs.Save(r, w)
}

// end deletes the request's session and expires its cookie.
func (m *Manager) end(w http.ResponseWriter, r *http.Request, gs *sessions.Session) error {
	gs.Options.MaxAge = -1
	err := gs.Save(r, w)
	gs.ID, gs.IsNew, gs.Values = "", true, map[any]any{}
	gs.Options.MaxAge = 0
	return err
}

func (m *Manager) load(r *http.Request) (*sessions.Session, error) {
	gs, err := m.cookies.Get(r, m.cookieName(r))
	if err != nil {
		return nil, fmt.Errorf("session: load: %w", err)
	}
	return gs, nil
}

// loadAtSLO loads the request's session; at the SLO endpoint, when the
// request brought no session cookie (the IdP's cross-site POST), from the
// SLO twin.
func (m *Manager) loadAtSLO(r *http.Request) (*sessions.Session, error) {
	gs, err := m.load(r)
	if err != nil || !gs.IsNew || m.cookieName(r) == DevCookieName || r.URL.Path != m.sloPath() || m.sloPath() == "" {
		return gs, err
	}
	twin, err := m.cookies.Get(r, SLOCookieName)
	if err != nil {
		return nil, fmt.Errorf("session: load: %w", err)
	}
	return twin, nil
}

// valid returns the session's data when it has not timed out.
func (m *Manager) valid(gs *sessions.Session) (Data, bool) {
	d, ok := gs.Values[dataKey{}].(Data)
	if gs.IsNew || !ok || m.timedOut(d, m.cfg.Now()) != "" {
		return Data{}, false
	}
	return d, true
}

// timedOut says which timeout d has passed at now, or "".
func (m *Manager) timedOut(d Data, now time.Time) string {
	switch {
	case now.Sub(d.Created) >= m.cfg.AbsoluteTimeout:
		return "absolute"
	case now.Sub(d.LastSeen) >= m.cfg.IdleTimeout:
		return "idle"
	}
	return ""
}

// ttl is how long d may live from now: the sooner of the two timeouts.
func (m *Manager) ttl(d Data, now time.Time) time.Duration {
	return min(d.LastSeen.Add(m.cfg.IdleTimeout).Sub(now), d.Created.Add(m.cfg.AbsoluteTimeout).Sub(now))
}

// cookieName picks the development cookie only for plain http to a
// loopback host when the portal allowed it; anything else, including a
// TLS-terminating proxy in front of us, gets the Secure __Host- cookie, or
// the __Secure- one with a CookieDomain.
func (m *Manager) cookieName(r *http.Request) string {
	switch {
	case m.cfg.AllowPlainHTTP && r.TLS == nil && loopback.Host(hostOnly(r.Host)):
		return DevCookieName
	case m.cfg.CookieDomain != "":
		return DomainCookieName
	}
	return CookieName
}

// CheckCookieDomain says why domain cannot be the Domain of the session
// cookie of a kit at host ("" when not known), or nil: it must be a host
// name in lower case without a leading dot, not an address, not a public
// suffix (browsers refuse a cookie for "se" or "github.io"), and host itself
// or a parent of it (browsers refuse a cookie for another domain).
func CheckCookieDomain(domain, host string) error {
	host = strings.ToLower(strings.TrimSuffix(host, "."))
	switch {
	case strings.HasPrefix(domain, "."):
		return fmt.Errorf("%q: leave out the leading dot", domain)
	case !cookieDomain.MatchString(domain):
		return fmt.Errorf("%q is not a domain name in lower case like bank.se", domain)
	case net.ParseIP(domain) != nil:
		return fmt.Errorf("%q is an address: a cookie for an address goes to that host only, so leave the domain out", domain)
	}
	if suffix, _ := publicsuffix.PublicSuffix(domain); suffix == domain {
		return fmt.Errorf("%q is a public suffix: browsers refuse a cookie for every site under it", domain)
	}
	if host != "" && host != domain && !strings.HasSuffix(host, "."+domain) {
		return fmt.Errorf("%q is not %s or a parent of it: browsers refuse a cookie for another domain", domain, host)
	}
	return nil
}

// cookieDomain is a DNS name: dot-separated labels of lower-case letters,
// digits and inner hyphens.
var cookieDomain = regexp.MustCompile(`^([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)*[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$`)

// hostOnly is the host of a Host header, without its port.
func hostOnly(hostport string) string {
	if h, _, err := net.SplitHostPort(hostport); err == nil {
		return h
	}
	return hostport
}

// randomToken returns 256 bits from crypto/rand, base64url without padding.
func randomToken() string {
	b := make([]byte, 32)
	_, _ = rand.Read(b) // never fails: crypto/rand aborts the program instead
	return base64.RawURLEncoding.EncodeToString(b)
}

// validID reports whether v has the shape of a session ID, so junk in a
// cookie never reaches the store.
func validID(v string) bool {
	if len(v) != 43 {
		return false
	}
	_, err := base64.RawURLEncoding.Strict().DecodeString(v)
	return err == nil
}

// storeKey is what the store is keyed by: a hash of the session ID, so the
// store never holds a value that works as a cookie.
func storeKey(id string) string {
	sum := sha256.Sum256([]byte(id))
	return base64.RawURLEncoding.EncodeToString(sum[:])
}
