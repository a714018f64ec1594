// Package eservice is a producer's e-service for development: the page a
// case's deep link opens, behind a SAML login of its own. It is a second
// service provider (SP) of the development IdP (kit/devidp), built on
// crewjam/saml's ServiceProvider rather than on kit/saml, so that single
// sign-on is shown working between the portal and an SP nobody here wrote
// the checks of.
//
// Following "Go to the case" in the reference portal, the kit sends the
// browser to this service's entry point (the producer's SSO URL pattern,
// Entry); the service asks the IdP for a login with an AuthnRequest
// (HTTP-Redirect, RSA-SHA256, ForceAuthn false, LoA 3); the IdP answers from
// the session the portal's login started, without asking anything; and the
// page says at which producer and as whom the user is logged in, and which
// case the link named. It shows nothing of the case beyond the link itself.
//
//	GET  {BaseURL}/e-service/case?target=…  the entry point and the page
//	POST {BaseURL}/e-service/saml/acs        the assertion consumer service
//	GET  {BaseURL}/e-service/saml/metadata   the SP's metadata
//
// Like the development IdP it serves loopback only: its BaseURL must be a
// loopback host and it answers loopback peers only.
package eservice

import (
	"encoding/base64"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"time"

	"github.com/crewjam/saml"
	dsig "github.com/russellhaering/goxmldsig"

	"github.com/arendevy/arendevy/kit/devidp"
	"github.com/arendevy/arendevy/kit/i18n"
	"github.com/arendevy/arendevy/kit/loopback"
	"github.com/arendevy/arendevy/kit/producers"
	kitsaml "github.com/arendevy/arendevy/kit/saml"
	"github.com/arendevy/arendevy/kit/session"
)

// Prefix is the path under which the service serves everything. The
// service shares its host (not its port) with the portal and the IdP, and
// cookies are told apart by host and path, not by port: its cookies stay
// under Prefix, and it reads none but its own.
const Prefix = "/e-service"

const (
	casePath     = Prefix + "/case"
	acsPath      = Prefix + "/saml/acs"
	metadataPath = Prefix + "/saml/metadata"

	sessionCookie = "eservice_session"
	loginCookie   = "eservice_login"

	// sessionLifetime is how long the e-service keeps a login.
	sessionLifetime = 30 * time.Minute
	// loginLifetime is how long a login may take at the IdP. crewjam's SP
	// refuses responses issued more than 90 s before they arrive; the IdP
	// issues its response when the user has chosen, so a slow user is fine.
	loginLifetime = 10 * time.Minute
	maxEntries    = 1000
	maxFormBody   = 256 << 10
)

// Config configures the e-service.
type Config struct {
	// BaseURL is where the service is served, http://localhost:8090: a
	// loopback host. Give it the host name the IdP's BaseURL has, so that
	// the IdP's form post to the ACS is a same-site request and the login
	// cookie (SameSite=Lax) comes with it.
	BaseURL string
	// IdP is the development IdP: the service logs in there and registers
	// its metadata with it. Required.
	IdP *devidp.IdP
	// Producers are those whose e-service this stands in for: a target's
	// host names the producer. Required.
	Producers *producers.Directory
	// Logger receives refusals with their reason, never a name, a number or
	// a SAML message; default slog.Default().
	Logger *slog.Logger
	// Now is the clock; default time.Now.
	Now func() time.Time
}

// Service is the demo e-service. It is safe for concurrent use.
type Service struct {
	cfg      Config
	base     *url.URL
	sp       *saml.ServiceProvider
	messages *i18n.Bundle

	mu       sync.Mutex
	sessions map[string]loginSession // by session cookie
	pending  map[string]pendingLogin // by login cookie, which is also the RelayState
}

// loginSession is what the service keeps of a login: the name to greet,
// never the personal identity number.
type loginSession struct {
	name    string
	expires time.Time
}

// pendingLogin is an AuthnRequest on its way: its ID, which the answer
// must be in response to, and the target to show once logged in.
type pendingLogin struct {
	requestID string
	target    string
	expires   time.Time
}

// New builds the service with a key pair of its own, made now (nothing but
// cfg.IdP trusts it), and registers its metadata with the IdP.
func New(cfg Config) (*Service, error) {
	base, err := url.Parse(strings.TrimSuffix(cfg.BaseURL, "/"))
	switch {
	case err != nil || base.Scheme != "http" && base.Scheme != "https" || base.Host == "" || base.User != nil || base.Path != "":
		return nil, errors.New("eservice config: BaseURL: want an http(s) origin like http://localhost:8090")
	case !loopback.Host(base.Hostname()):
		return nil, fmt.Errorf("eservice config: BaseURL: %w", devidp.ErrNotLoopback)
	case cfg.IdP == nil || cfg.Producers == nil:
		return nil, errors.New("eservice config: IdP and Producers are required")
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.Default()
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	key, cert, err := devidp.KeyPair("arendevy demo e-service (development)")
	if err != nil {
		return nil, err
	}
	messages, err := i18n.Default()
	if err != nil {
		return nil, err
	}
	at := func(path string) url.URL { u := *base; u.Path = path; return u }
	metadataURL := at(metadataPath)
	noForce := false
	s := &Service{
		cfg:      cfg,
		base:     base,
		messages: messages,
		sessions: map[string]loginSession{},
		pending:  map[string]pendingLogin{},
		sp: &saml.ServiceProvider{
			EntityID:          metadataURL.String(), // MetadataURL relies on it
			Key:               key,
			Certificate:       cert,
			MetadataURL:       metadataURL,
			AcsURL:            at(acsPath),
			IDPMetadata:       cfg.IdP.Metadata(),
			AuthnNameIDFormat: saml.TransientNameIDFormat,
			// Said explicitly: crewjam's default would be none (unsigned).
			SignatureMethod: dsig.RSASHA256SignatureMethod,
			// SSO is the point: the IdP may answer from its session.
			ForceAuthn: &noForce,
			RequestedAuthnContext: &saml.RequestedAuthnContext{
				Comparison: "exact", AuthnContextClassRef: session.LoA3,
			},
		},
	}
	if err := cfg.IdP.Register(s.metadata()); err != nil {
		return nil, err
	}
	return s, nil
}

// metadata is the SP's metadata with the HTTP-POST ACS only: crewjam also
// offers the artifact binding, which this service does not take.
func (s *Service) metadata() *saml.EntityDescriptor {
	md := s.sp.Metadata()
	for i := range md.SPSSODescriptors {
		d := &md.SPSSODescriptors[i]
		var post []saml.IndexedEndpoint
		for _, e := range d.AssertionConsumerServices {
			if e.Binding == saml.HTTPPostBinding {
				post = append(post, e)
			}
		}
		d.AssertionConsumerServices = post
	}
	return md
}

// URL is where the service is served, its BaseURL.
func (s *Service) URL() string { return s.base.String() }

// MetadataURL is where the SP's metadata is served.
func (s *Service) MetadataURL() string { return s.sp.EntityID }

// Entry is the service's SSO entry point as a producer's URL pattern
// (producers.Info.SSO): the kit's deep-link endpoint replaces {target} with
// the case's deep link.
func (s *Service) Entry() string {
	u := *s.base
	u.Path = casePath
	return u.String() + "?target={target}"
}

// Directory is producers with this service as the SSO entry point of every
// producer that has an e-service, so that the demo cases' deep links open
// here. Producers without one keep their information page.
func (s *Service) Directory() (*producers.Directory, error) {
	infos := s.cfg.Producers.All()
	for i := range infos {
		if infos[i].HasEService() {
			infos[i].SSO = s.Entry()
		}
	}
	return producers.New(infos)
}

// Handler serves the service to loopback peers only.
func (s *Service) Handler() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET "+casePath, s.serveCase)
	mux.HandleFunc("POST "+acsPath, s.serveACS)
	mux.HandleFunc("GET "+metadataPath, s.serveMetadata)
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h := w.Header()
		h.Set("Cache-Control", "no-store")
		h.Set("X-Content-Type-Options", "nosniff")
		h.Set("Referrer-Policy", "no-referrer")
		h.Set("Content-Security-Policy", "default-src 'none'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'")
		if !loopbackPeer(r.RemoteAddr) {
			s.cfg.Logger.LogAttrs(r.Context(), slog.LevelWarn, "eservice: request from a non-loopback peer refused")
			s.refuse(w, r, http.StatusForbidden, "loopbackOnly")
			return
		}
		mux.ServeHTTP(w, r)
	})
}

func loopbackPeer(remoteAddr string) bool {
	host, _, err := net.SplitHostPort(remoteAddr)
	return err == nil && loopback.Host(host)
}

func (s *Service) serveMetadata(w http.ResponseWriter, _ *http.Request) {
	buf, err := xmlOf(s.metadata())
	if err != nil {
		http.Error(w, http.StatusText(http.StatusInternalServerError), http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "application/samlmetadata+xml")
	_, _ = w.Write(buf)
}

// serveCase shows the case the target names to a logged-in user, and
// starts a login for anybody else: an AuthnRequest to the IdP, bound to
// this browser by the login cookie.
func (s *Service) serveCase(w http.ResponseWriter, r *http.Request) {
	target := r.URL.Query().Get("target")
	producer, ref, ok := s.resolve(target)
	if !ok {
		s.cfg.Logger.LogAttrs(r.Context(), slog.LevelWarn, "eservice: target refused", slog.String("reason", "not a deep link of a known producer"))
		s.refuse(w, r, http.StatusBadRequest, "invalid")
		return
	}
	if name, ok := s.session(r); ok {
		s.renderCase(w, r, producer, name, ref)
		return
	}
	req, err := s.sp.MakeAuthenticationRequest(s.sp.GetSSOBindingLocation(saml.HTTPRedirectBinding), saml.HTTPRedirectBinding, saml.HTTPPostBinding)
	if err != nil {
		s.fail(w, r, "make AuthnRequest", err)
		return
	}
	relay := randomToken()
	redirect, err := req.Redirect(relay, s.sp)
	if err != nil {
		s.fail(w, r, "sign AuthnRequest", err)
		return
	}
	s.remember(relay, pendingLogin{requestID: req.ID, target: target, expires: s.cfg.Now().Add(loginLifetime)})
	http.SetCookie(w, s.cookie(loginCookie, relay, acsPath, loginLifetime))
	http.Redirect(w, r, redirect.String(), http.StatusFound)
}

// resolve finds the producer whose deep link target is and the case
// reference the link's path ends in; a link without one names no case.
func (s *Service) resolve(target string) (producers.Info, string, bool) {
	for _, p := range s.cfg.Producers.All() {
		if s.cfg.Producers.Allows(p.ID, target) {
			u, err := url.Parse(target)
			if err != nil {
				break
			}
			path := strings.Trim(u.Path, "/")
			ref := path[strings.LastIndex(path, "/")+1:]
			return p, ref, ref != ""
		}
	}
	return producers.Info{}, "", false
}

// serveACS takes the IdP's Response for the login this browser started,
// has crewjam's SP validate it (signed by the IdP of the metadata, in
// response to that request, for this SP, in time), checks the level of
// assurance itself, and starts a session.
func (s *Service) serveACS(w http.ResponseWriter, r *http.Request) {
	r.Body = http.MaxBytesReader(w, r.Body, maxFormBody)
	if err := r.ParseForm(); err != nil {
		s.refuse(w, r, http.StatusBadRequest, "refused")
		return
	}
	http.SetCookie(w, s.cookie(loginCookie, "", acsPath, -1))
	relay := r.PostForm.Get("RelayState")
	c, err := r.Cookie(loginCookie)
	if err != nil || relay == "" || c.Value != relay {
		s.reject(w, r, "the login was not started in this browser")
		return
	}
	login, ok := s.take(relay)
	if !ok {
		s.reject(w, r, "the login expired or was answered before")
		return
	}
	name, err := s.assertion(r, login.requestID)
	if err != nil {
		s.reject(w, r, err.Error())
		return
	}
	sid := randomToken()
	s.mu.Lock()
	s.prune()
	s.sessions[sid] = loginSession{name: name, expires: s.cfg.Now().Add(sessionLifetime)}
	s.mu.Unlock()
	http.SetCookie(w, s.cookie(sessionCookie, sid, Prefix+"/", sessionLifetime))
	http.Redirect(w, r, casePath+"?target="+url.QueryEscape(login.target), http.StatusSeeOther)
}

// assertion validates the posted Response and returns the name to greet.
// The artifact binding is never used: crewjam's ParseResponse would resolve
// an artifact over the network, so the form's SAMLResponse is parsed as is.
func (s *Service) assertion(r *http.Request, requestID string) (name string, err error) {
	raw, err := base64.StdEncoding.DecodeString(r.PostForm.Get("SAMLResponse"))
	if err != nil {
		return "", errors.New("SAMLResponse is not base64")
	}
	defer func() {
		// crewjam v0.5.1 panics on a signed assertion without a Subject.
		if recover() != nil {
			name, err = "", errors.New("response not valid")
		}
	}()
	a, err := s.sp.ParseXMLResponse(raw, []string{requestID}, *r.URL)
	if err != nil {
		// InvalidResponseError says only "Authentication failed"; its
		// PrivateErr is the reason, and never quotes a value.
		var ire *saml.InvalidResponseError
		if errors.As(err, &ire) && ire.PrivateErr != nil {
			return "", fmt.Errorf("response not valid: %w", ire.PrivateErr)
		}
		return "", fmt.Errorf("response not valid: %w", err)
	}
	if len(a.AuthnStatements) != 1 || a.AuthnStatements[0].AuthnContext.AuthnContextClassRef == nil ||
		a.AuthnStatements[0].AuthnContext.AuthnContextClassRef.Value != session.LoA3 {
		return "", errors.New("not the level of assurance asked for")
	}
	// The Swedish eID Framework's attributes, by their OID names.
	name = attribute(a, kitsaml.AttrDisplayName)
	if name == "" {
		name = strings.TrimSpace(attribute(a, kitsaml.AttrGivenName) + " " + attribute(a, kitsaml.AttrSurname))
	}
	if name == "" {
		return "", errors.New("no name in the assertion")
	}
	return name, nil
}

func attribute(a *saml.Assertion, name string) string {
	for _, st := range a.AttributeStatements {
		for _, at := range st.Attributes {
			if at.Name == name && len(at.Values) == 1 {
				return strings.TrimSpace(at.Values[0].Value)
			}
		}
	}
	return ""
}

func (s *Service) cookie(name, value, path string, lifetime time.Duration) *http.Cookie {
	return &http.Cookie{
		Name: name, Value: value, Path: path, MaxAge: int(lifetime / time.Second),
		HttpOnly: true, Secure: s.base.Scheme == "https", SameSite: http.SameSiteLaxMode,
	}
}

// session returns the name of the browser's unexpired login, if any.
func (s *Service) session(r *http.Request) (string, bool) {
	c, err := r.Cookie(sessionCookie)
	if err != nil {
		return "", false
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	ls, ok := s.sessions[c.Value]
	if !ok || !s.cfg.Now().Before(ls.expires) {
		return "", false
	}
	return ls.name, true
}

func (s *Service) remember(relay string, p pendingLogin) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.prune()
	s.pending[relay] = p
}

// take removes and returns a pending login: each is answered once.
func (s *Service) take(relay string) (pendingLogin, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	p, ok := s.pending[relay]
	delete(s.pending, relay)
	return p, ok && s.cfg.Now().Before(p.expires)
}

// prune drops what has expired and, past maxEntries, anything: a
// development service may forget a login rather than grow. Called with mu
// held.
func (s *Service) prune() {
	now := s.cfg.Now()
	for k, v := range s.pending {
		if !now.Before(v.expires) || len(s.pending) >= maxEntries {
			delete(s.pending, k)
		}
	}
	for k, v := range s.sessions {
		if !now.Before(v.expires) || len(s.sessions) >= maxEntries {
			delete(s.sessions, k)
		}
	}
}

// reject refuses a login with its reason in the log and a generic page.
func (s *Service) reject(w http.ResponseWriter, r *http.Request, reason string) {
	s.cfg.Logger.LogAttrs(r.Context(), slog.LevelWarn, "eservice: login refused", slog.String("reason", reason))
	s.refuse(w, r, http.StatusForbidden, "refused")
}

func (s *Service) fail(w http.ResponseWriter, r *http.Request, what string, err error) {
	s.cfg.Logger.LogAttrs(r.Context(), slog.LevelError, "eservice: "+what, slog.Any("error", err))
	s.refuse(w, r, http.StatusInternalServerError, "refused")
}
