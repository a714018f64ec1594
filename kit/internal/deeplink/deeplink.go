// Package deeplink keeps case data out of the portal's URLs and stops the
// overview from becoming an open redirector. The page never gets a
// producer's deep link: it gets {Mount}/go/{token}, a short reference to
// the case made under a key of the session whose overview held it (the
// layout is in token.go). Following it, the kit checks that the token was
// made in the request's session and has not expired, asks the sources
// again for the user's cases (it keeps none between requests), finds the
// case the token refers to, checks its link against the producer's
// allow-list as it is now and redirects there, through the producer's
// IdP-initiated SSO entry point when it has one, so the user arrives
// logged in.
package deeplink

import (
	"context"
	"crypto/hmac"
	"crypto/rand"
	"encoding/base64"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/arendevy/arendevy/kit/cases"
	"github.com/arendevy/arendevy/kit/i18n"
	"github.com/arendevy/arendevy/kit/identity"
	"github.com/arendevy/arendevy/kit/internal/errorpage"
	"github.com/arendevy/arendevy/kit/producers"
	"github.com/arendevy/arendevy/kit/session"
)

// Defaults for Config.
const (
	DefaultLifetime = time.Hour
	KeySize         = 32 // HMAC-SHA256
)

var (
	// ErrInvalidToken: the token is malformed, tampered with, made under
	// another key or layout, or made in another session.
	ErrInvalidToken = errors.New("deeplink: invalid token")
	// ErrExpired: the token was valid once; the overview that held it is too old.
	ErrExpired = errors.New("deeplink: token expired")
	// ErrNoSession: the request has no session binding to make a token in
	// or check it against (session.BindingFromContext).
	ErrNoSession = errors.New("deeplink: no session")
	// ErrGone: every source answered in full, and none of the user's cases
	// is the one the token refers to (the producer removed it, or the user
	// now acts for someone else).
	ErrGone = errors.New("deeplink: the case is not among the user's cases")
	// ErrUnavailable: the case was not found, and some source did not
	// answer in full, so it may be there.
	ErrUnavailable = errors.New("deeplink: the sources did not answer in full")
)

// Config configures Links.
type Config struct {
	// Producers is the directory whose allow-lists links are checked against. Required.
	Producers *producers.Directory
	// Cases asks the sources for subject's cases as they are now, when a
	// link is followed: the kit keeps none between requests. Required.
	Cases func(ctx context.Context, subject identity.Subject) (cases.Result, error)
	// Admit, when set, is asked before the sources are: false answers 429
	// with Retry-After in the whole seconds it returns (the kit's limits,
	// (*kit.Kit).Admit).
	Admit func(r *http.Request) (ok bool, retryAfter int)
	// Key makes the sessions' keys (32 bytes). Nil: a random key per
	// process, which is right for one instance; several instances behind a
	// load balancer share one key, or a link made by one fails on another.
	Key []byte
	// Lifetime is how long a link in a compiled overview stays usable; default 1 h.
	Lifetime time.Duration
	// Mount is the kit's path prefix (kit.Config.Mount). Required.
	Mount string
	// LoginURL, when set, gives the "log in first" page a login link that
	// returns to the deep link (saml.SP.LoginURL).
	LoginURL func(returnTo string) string
	// SignedOut, when set, is the portal's own page for a link followed
	// without a session (kit.View.SignedOutURL): the link answers 303 there
	// instead of with the kit's plain "log in first" page, so the window it
	// opens in carries the portal's layout, theme and login.
	SignedOut string
	// Logger receives refusals with their reason, never a link or token.
	Logger *slog.Logger
	// Now is the clock; default time.Now.
	Now func() time.Time
}

// Links rewrites deep links into kit URLs and follows them.
type Links struct {
	cfg      Config
	messages *i18n.Bundle // the pages' texts
}

// New checks cfg and builds Links.
func New(cfg Config) (*Links, error) {
	if cfg.Producers == nil {
		return nil, errors.New("deeplink config: Producers is required")
	}
	if cfg.Cases == nil {
		return nil, errors.New("deeplink config: Cases is required")
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
	messages, err := i18n.Default()
	if err != nil {
		return nil, err
	}
	return &Links{cfg: cfg, messages: messages}, nil
}

// Rewriter returns what gives each case of one overview, compiled in ctx's
// session, its link: {Mount}/go/{token} and true when its producer's hosts
// allow the case's link, else false (the case then shows the producer's
// information page instead). Without a session in ctx it refuses every
// link. Plug it into kit.Config.Links. What it returns is not safe for
// concurrent use: one overview is compiled in one goroutine.
func (l *Links) Rewriter(ctx context.Context) func(c *cases.Case) (string, bool) {
	binding, ok := session.BindingFromContext(ctx)
	if !ok {
		return func(*cases.Case) (string, bool) { return "", false }
	}
	t := l.tagsFor(purpose, binding)
	expiry := expiryBytes(l.cfg.Now().Add(l.cfg.Lifetime))
	// Every link of the overview starts alike: the mount, the expiry and
	// the check. Only the reference is the case's own.
	start := base64.RawURLEncoding.AppendEncode([]byte(l.cfg.Mount+"/go/"), append(expiry, t.check(expiry)...))
	var u []byte
	return func(c *cases.Case) (string, bool) {
		if !l.cfg.Producers.Allows(c.Sender.ID, c.Link) {
			return "", false
		}
		u = base64.RawURLEncoding.AppendEncode(append(u[:0], start...), t.ref(expiry, c.Sender.ID, c.ID))
		return string(u), true
	}
}

// Info returns page followed by a token that refers to c, for the
// portal's information page of a case without an e-service
// (kit.Config.InfoPath), made in ctx's session; false without a session.
// The token is laid out as a deep link's, under a key of its own purpose:
// neither opens as the other, and like a deep link it names no case field.
func (l *Links) Info(ctx context.Context, page string, c *cases.Case) (string, bool) {
	binding, ok := session.BindingFromContext(ctx)
	if !ok {
		return "", false
	}
	t := l.tagsFor(infoPurpose, binding)
	expiry := expiryBytes(l.cfg.Now().Add(l.cfg.Lifetime))
	token := append(append(slices.Clone(expiry), t.check(expiry)...), t.ref(expiry, c.Sender.ID, c.ID)...)
	return page + base64.RawURLEncoding.EncodeToString(token), true
}

// OpenInfo returns the case that token, made by Info, refers to, among
// subject's cases as the sources tell them now: the token is checked
// first (ErrNoSession, ErrInvalidToken, ErrExpired), without asking any
// source; then ErrGone or ErrUnavailable as for a deep link.
func (l *Links) OpenInfo(ctx context.Context, subject identity.Subject, token string) (*cases.Case, error) {
	t, parsed, err := l.checkToken(ctx, infoPurpose, token)
	if err != nil {
		return nil, err
	}
	return l.find(ctx, subject, t, parsed)
}

// Handler serves GET {Mount}/go/{token}: it needs a logged-in subject and
// the session's binding in the request context (session.Manager.Middleware),
// and answers 303 to the producer's e-service, or a page: 401 "log in
// first" (or 303 to Config.SignedOut), 400 "cannot be opened" or
// "expired", 404 "no longer in your overview", 503 or 429 "cannot be
// reached right now".
func (l *Links) Handler() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET "+l.cfg.Mount+"/go/{token}", l.serveGo)
	return mux
}

func (l *Links) serveGo(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Cache-Control", "no-store")
	subject, ok := identity.FromContext(r.Context())
	if !ok {
		if l.cfg.SignedOut != "" {
			http.Redirect(w, r, l.cfg.SignedOut, http.StatusSeeOther)
			return
		}
		p := l.page(r, pageLogin)
		if l.cfg.LoginURL != nil {
			p.Link = l.cfg.LoginURL(r.URL.EscapedPath())
		}
		errorpage.Write(w, http.StatusUnauthorized, p)
		return
	}
	c, err := l.resolve(r, subject)
	var busy *busyError
	switch {
	case errors.As(err, &busy):
		w.Header().Set("Retry-After", strconv.Itoa(busy.retryAfter))
		errorpage.Write(w, http.StatusTooManyRequests, l.page(r, pageUnavailable))
		return
	case err != nil:
		l.cfg.Logger.LogAttrs(r.Context(), slog.LevelWarn, "deep link refused", slog.String("reason", err.Error()))
		switch {
		case errors.Is(err, ErrExpired):
			errorpage.Write(w, http.StatusBadRequest, l.page(r, pageExpired))
		case errors.Is(err, ErrGone):
			errorpage.Write(w, http.StatusNotFound, l.page(r, pageGone))
		case errors.Is(err, ErrUnavailable):
			errorpage.Write(w, http.StatusServiceUnavailable, l.page(r, pageUnavailable))
		default:
			errorpage.Write(w, http.StatusBadRequest, l.page(r, pageInvalid))
		}
		return
	}
	dest, reason := l.destination(c.Sender.ID, c.Link)
	if reason != "" {
		attrs := []slog.Attr{slog.String("reason", reason)}
		if _, listed := l.cfg.Producers.Lookup(c.Sender.ID); listed {
			// Only a producer of the portal's own directory is named in the log.
			attrs = append(attrs, slog.String("producer", c.Sender.ID))
		}
		l.cfg.Logger.LogAttrs(r.Context(), slog.LevelWarn, "deep link refused", attrs...)
		errorpage.Write(w, http.StatusBadRequest, l.page(r, pageInvalid))
		return
	}
	http.Redirect(w, r, dest, http.StatusSeeOther)
}

// busyError: the request is over the rate limits (Config.Admit).
type busyError struct{ retryAfter int }

func (e *busyError) Error() string { return "deeplink: over the rate limits" }

// resolve finds the case the request's token refers to: the token checked
// first, so that no source is asked for one this session did not make.
func (l *Links) resolve(r *http.Request, subject identity.Subject) (*cases.Case, error) {
	t, token, err := l.check(r)
	if err != nil {
		return nil, err
	}
	if l.cfg.Admit != nil {
		if ok, retryAfter := l.cfg.Admit(r); !ok {
			return nil, &busyError{retryAfter: retryAfter}
		}
	}
	return l.find(r.Context(), subject, t, token)
}

// check takes the request's token apart and checks, without asking any
// source, that it was made in the request's session and has not expired.
func (l *Links) check(r *http.Request) (*tags, parsed, error) {
	return l.checkToken(r.Context(), purpose, r.PathValue("token"))
}

// checkToken is check for a token of purpose made in ctx's session.
func (l *Links) checkToken(ctx context.Context, purpose, raw string) (*tags, parsed, error) {
	binding, ok := session.BindingFromContext(ctx)
	if !ok {
		return nil, parsed{}, ErrNoSession
	}
	token, err := parse(raw)
	if err != nil {
		return nil, parsed{}, err
	}
	t := l.tagsFor(purpose, binding)
	if !hmac.Equal(token.check, t.check(token.expiry)) {
		return nil, parsed{}, fmt.Errorf("%w: made in another session, under another key or layout, or tampered with", ErrInvalidToken)
	}
	if !l.cfg.Now().Before(token.expires) {
		return nil, parsed{}, ErrExpired
	}
	return t, token, nil
}

// find asks the sources for subject's cases and returns the one token
// refers to.
func (l *Links) find(ctx context.Context, subject identity.Subject, t *tags, token parsed) (*cases.Case, error) {
	res, err := l.cfg.Cases(ctx, subject)
	if err != nil {
		return nil, fmt.Errorf("%w: %w", ErrUnavailable, err)
	}
	for i := range res.Cases {
		c := &res.Cases[i]
		if hmac.Equal(token.ref, t.ref(token.expiry, c.Sender.ID, c.ID)) {
			return c, nil
		}
	}
	for _, o := range res.Outcomes {
		if o.State != cases.OK || o.Truncated != nil {
			return nil, ErrUnavailable
		}
	}
	return nil, ErrGone
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
