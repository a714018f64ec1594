// Package devidp is a development SAML identity provider for the reference
// portal and for tests. It keeps crewjam's saml.IdentityProvider (the engine
// of crewjam's samlidp) and replaces the rest of samlidp: its REST admin
// API (users, services, sessions, shortcuts) is unauthenticated and its
// login form never completes (crewjam/saml#613). What is left:
//
//	GET      {BaseURL}/metadata  IdP metadata
//	GET/POST {BaseURL}/sso       SSO (HTTP-Redirect or POST); shows a persona chooser
//	GET      {BaseURL}/slo       single logout (HTTP-Redirect)
//
// It asserts the Swedish eID Framework's attributes by OID and a level of
// assurance (LoA 3 by default; a request for only other levels gets an error
// status), signs with RSA-SHA256, offers demo personas
// from its configuration, and serves loopback clients only: its BaseURL,
// its listener and every request's peer must be loopback addresses.
package devidp

import (
	"crypto"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"math/big"
	"net"
	"net/http"
	"net/url"
	"os"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/beevik/etree"
	"github.com/crewjam/saml"
	dsig "github.com/russellhaering/goxmldsig"

	"github.com/arendevy/arendevy/kit/i18n"
	"github.com/arendevy/arendevy/kit/identity"
	"github.com/arendevy/arendevy/kit/loopback"
	"github.com/arendevy/arendevy/kit/session"
)

// Defaults for Config.
const (
	DefaultLoA = session.LoA3
	// DefaultSessionLifetime is the longest the Sweden Connect federation
	// lets an IdP reuse an authentication for SSO (Tekniska
	// anslutningsregler, 2.2): 60 minutes from the login, not sliding.
	DefaultSessionLifetime = 60 * time.Minute
	// pendingLifetime is how long a user may take to choose a persona.
	pendingLifetime = 15 * time.Minute
	maxPending      = 1000
	maxSessions     = 1000
	maxFormBody     = 16 << 10
)

// Attribute names of the Swedish eID Framework (the same as kit/saml's
// Attr* constants; this package cannot import kit/saml, whose tests use it).
const (
	attrPersonalIdentityNumber = "urn:oid:1.2.752.29.4.13"
	attrDisplayName            = "urn:oid:2.16.840.1.113730.3.1.241"
	attrGivenName              = "urn:oid:2.5.4.42"
	attrSurname                = "urn:oid:2.5.4.4"
	attrNameFormatURI          = "urn:oasis:names:tc:SAML:2.0:attrname-format:uri"
)

// ErrNotLoopback is returned for any address that is not a loopback address.
var ErrNotLoopback = errors.New("devidp: serves loopback only")

// Persona is a demo person a developer can log in as.
type Persona struct {
	Number      string // 12 digits: personnummer or samordningsnummer
	GivenName   string
	Surname     string
	DisplayName string // default GivenName + " " + Surname
	// ActsFor are the people and organisations the persona holds a mandate
	// for: the chooser names the persona's role from them ("Agent for …").
	ActsFor []identity.Party
}

// KeyPair makes a self-signed RSA key pair named cn, valid for a year:
// for the development IdP, and for an SP that only it trusts.
func KeyPair(cn string) (*rsa.PrivateKey, *x509.Certificate, error) {
	key, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		return nil, nil, err
	}
	serial, err := rand.Int(rand.Reader, new(big.Int).Lsh(big.NewInt(1), 62))
	if err != nil {
		return nil, nil, err
	}
	tmpl := &x509.Certificate{
		SerialNumber: serial, Subject: pkix.Name{CommonName: cn},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(365 * 24 * time.Hour),
		KeyUsage: x509.KeyUsageDigitalSignature | x509.KeyUsageKeyEncipherment,
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		return nil, nil, err
	}
	cert, err := x509.ParseCertificate(der)
	return key, cert, err
}

// PersonasOf offers the people among parties as personas, in their order:
// an organisation does not log in (its signatory does), and a name is
// split at its first space into given name and surname.
func PersonasOf(parties []identity.Party) []Persona {
	var ps []Persona
	for _, p := range parties {
		if p.Kind == identity.Organisationsnummer {
			continue
		}
		given, sur, _ := strings.Cut(p.Name, " ")
		ps = append(ps, Persona{Number: p.Number, GivenName: given, Surname: sur, DisplayName: p.Name})
	}
	return ps
}

// Config configures the development IdP.
type Config struct {
	// BaseURL is where the IdP is served, e.g. http://127.0.0.1:8080/devidp.
	// Its host must be a loopback address or localhost.
	BaseURL string
	// Key signs assertions and responses; it must be RSA.
	Key crypto.Signer
	// Certificate is Key's certificate, published in the metadata.
	Certificate *x509.Certificate
	// Personas are offered in the chooser, in this order; at least one.
	Personas []Persona
	// LoA is the AuthnContextClassRef asserted; default LoA 3.
	LoA string
	// SessionLifetime is how long the IdP remembers a login for SSO without
	// asking again (unless the SP sends ForceAuthn); default 60 min.
	SessionLifetime time.Duration
	// Logger receives operational logs, never persona data; default slog.Default().
	Logger *slog.Logger
	// Now is the clock; default time.Now.
	Now func() time.Time
}

// IdP is the development identity provider. It is safe for concurrent use.
type IdP struct {
	cfg      Config
	messages *i18n.Bundle // the pages' texts
	base     *url.URL
	idp      *saml.IdentityProvider
	signer   *dsig.SigningContext
	mu       sync.Mutex
	sps      map[string]*saml.EntityDescriptor
	sessions map[string]*saml.Session
	pending  map[string]*pendingRequest
}

// pendingRequest is an AuthnRequest waiting for the user to choose a
// persona. It is kept here, not re-sent in the form, so the request is not
// validated again when the user submits: crewjam's IdP refuses requests
// older than 90 seconds, and a user may take longer than that.
type pendingRequest struct {
	req     saml.IdpAuthnRequest
	expires time.Time
}

// New checks cfg and builds the IdP.
func New(cfg Config) (*IdP, error) {
	var problems []string
	base, err := url.Parse(strings.TrimSuffix(cfg.BaseURL, "/"))
	if err != nil || (base.Scheme != "http" && base.Scheme != "https") || base.User != nil {
		problems = append(problems, "BaseURL: want an absolute http(s) URL")
	} else if !loopback.Host(base.Hostname()) {
		problems = append(problems, "BaseURL: "+ErrNotLoopback.Error())
	}
	if cfg.Key == nil || cfg.Certificate == nil {
		problems = append(problems, "Key and Certificate: required")
	} else if pub, ok := cfg.Key.Public().(*rsa.PublicKey); !ok || !pub.Equal(cfg.Certificate.PublicKey) {
		problems = append(problems, "Key: must be RSA and match Certificate")
	}
	if len(cfg.Personas) == 0 {
		problems = append(problems, "Personas: at least one")
	}
	cfg.Personas = slices.Clone(cfg.Personas) // normalised below; the caller's slice stays as it was
	for i, p := range cfg.Personas {
		n, kind, err := identity.ParseNumber(p.Number)
		if err != nil || len(n) != 12 || kind == identity.Organisationsnummer {
			problems = append(problems, fmt.Sprintf("Personas[%d].Number: not a valid 12-digit personnummer", i))
		}
		if strings.TrimSpace(p.GivenName) == "" || strings.TrimSpace(p.Surname) == "" {
			problems = append(problems, fmt.Sprintf("Personas[%d]: GivenName and Surname required", i))
		}
		if p.DisplayName == "" {
			cfg.Personas[i].DisplayName = p.GivenName + " " + p.Surname
		}
		cfg.Personas[i].Number = n
	}
	if len(problems) > 0 {
		return nil, fmt.Errorf("devidp config: %s", strings.Join(problems, "; "))
	}
	if cfg.LoA == "" {
		cfg.LoA = DefaultLoA
	}
	if cfg.SessionLifetime <= 0 {
		cfg.SessionLifetime = DefaultSessionLifetime
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
	p := &IdP{
		cfg:      cfg,
		messages: messages,
		base:     base,
		sps:      map[string]*saml.EntityDescriptor{},
		sessions: map[string]*saml.Session{},
		pending:  map[string]*pendingRequest{},
	}
	at := func(path string) url.URL { u := *base; u.Path += path; return u }
	p.idp = &saml.IdentityProvider{
		Signer:                  cfg.Key,
		Certificate:             cfg.Certificate,
		Logger:                  slog.NewLogLogger(cfg.Logger.Handler(), slog.LevelWarn),
		MetadataURL:             at("/metadata"),
		SSOURL:                  at("/sso"),
		LogoutURL:               at("/slo"),
		ServiceProviderProvider: p,
		SessionProvider:         p,
		AssertionMaker:          assertionMaker{p},
		SignatureMethod:         dsig.RSASHA256SignatureMethod, // crewjam would default to SHA-1
		ResponseFormTemplate:    responseForm(messages),
	}
	if p.signer, err = dsig.NewSigningContext(cfg.Key, [][]byte{cfg.Certificate.Raw}); err != nil {
		return nil, fmt.Errorf("devidp: signing context: %w", err)
	}
	if err := p.signer.SetSignatureMethod(dsig.RSASHA256SignatureMethod); err != nil {
		return nil, fmt.Errorf("devidp: signing context: %w", err)
	}
	return p, nil
}

// Metadata is the IdP's metadata, for configuring an SP in code.
func (p *IdP) Metadata() *saml.EntityDescriptor { return p.idp.Metadata() }

// Register lets the SP described by md log in here.
func (p *IdP) Register(md *saml.EntityDescriptor) error {
	if md == nil || md.EntityID == "" || len(md.SPSSODescriptors) == 0 {
		return errors.New("devidp: SP metadata needs an entity ID and an SPSSODescriptor")
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	p.sps[md.EntityID] = md
	return nil
}

// GetServiceProvider implements saml.ServiceProviderProvider.
func (p *IdP) GetServiceProvider(_ *http.Request, id string) (*saml.EntityDescriptor, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if md, ok := p.sps[id]; ok {
		return md, nil
	}
	return nil, errNotExist
}

// Handler serves the IdP's three endpoints to loopback peers only; every
// other path, including samlidp's admin API, does not exist.
func (p *IdP) Handler() http.Handler {
	mux := http.NewServeMux()
	b := p.base.Path
	mux.HandleFunc("GET "+b+"/metadata", p.idp.ServeMetadata)
	mux.HandleFunc("GET "+b+"/sso", p.serveSSO)
	mux.HandleFunc("POST "+b+"/sso", p.serveSSO)
	mux.HandleFunc("GET "+b+"/slo", p.serveSLO)
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if !loopbackPeer(r.RemoteAddr) {
			p.cfg.Logger.LogAttrs(r.Context(), slog.LevelWarn, "devidp: request from a non-loopback peer refused")
			http.Error(w, p.localizer(r).Text("devidp.loopbackOnly"), http.StatusForbidden)
			return
		}
		h := w.Header()
		h.Set("Cache-Control", "no-store")
		h.Set("X-Content-Type-Options", "nosniff")
		h.Set("Referrer-Policy", "no-referrer")
		h.Set("Content-Security-Policy", contentSecurityPolicy)
		mux.ServeHTTP(w, r)
	})
}

// Listen opens a TCP listener on addr, which must name a loopback address
// ("127.0.0.1:0", "[::1]:8081", "localhost:8081"); an empty or wildcard
// host would listen on every interface and is refused.
func Listen(addr string) (net.Listener, error) {
	host, port, err := net.SplitHostPort(addr)
	if err != nil {
		return nil, fmt.Errorf("devidp: listen address: %w", err)
	}
	if strings.EqualFold(host, "localhost") {
		host = "127.0.0.1"
	}
	if ip := net.ParseIP(host); ip == nil || !ip.IsLoopback() {
		return nil, fmt.Errorf("%w: %q", ErrNotLoopback, addr)
	}
	return net.Listen("tcp", net.JoinHostPort(host, port))
}

// Serve serves the IdP on l, which must listen on a loopback address.
func (p *IdP) Serve(l net.Listener) error {
	a, ok := l.Addr().(*net.TCPAddr)
	if !ok || !a.IP.IsLoopback() {
		return fmt.Errorf("%w: listener on %s", ErrNotLoopback, l.Addr())
	}
	srv := &http.Server{Handler: p.Handler(), ReadHeaderTimeout: 10 * time.Second}
	return srv.Serve(l)
}

// serveSSO is crewjam's SSO endpoint, except for the persona chooser's own
// posts, which finish a pending request.
func (p *IdP) serveSSO(w http.ResponseWriter, r *http.Request) {
	if r.Method == http.MethodPost {
		r.Body = http.MaxBytesReader(w, r.Body, maxFormBody)
		if err := r.ParseForm(); err != nil {
			http.Error(w, http.StatusText(http.StatusBadRequest), http.StatusBadRequest)
			return
		}
		if r.PostForm.Has("pending") {
			p.choose(w, r)
			return
		}
	}
	p.idp.ServeSSO(w, r)
}

// GetSession implements saml.SessionProvider: the IdP session when there is
// one and the SP did not force a new authentication, else the chooser; an
// error status when the SP asks for a level of assurance this IdP does not
// assert.
func (p *IdP) GetSession(w http.ResponseWriter, r *http.Request, req *saml.IdpAuthnRequest) *saml.Session {
	if !p.asserts(req.RequestBuffer) {
		p.refuse(w, r, req, saml.StatusNoAuthnContext)
		return nil
	}
	forced := req.Request.ForceAuthn != nil && *req.Request.ForceAuthn
	if s := p.session(r); s != nil && !forced {
		return s
	}
	tok := p.park(req)
	p.renderChooser(w, r, tok)
	return nil
}

// asserts tells whether the AuthnRequest (raw XML, already validated by
// crewjam) lets this IdP answer with its level of assurance: it asks for
// none, or, compared exactly (SAML's default), lists it among its
// AuthnContextClassRefs. crewjam's AuthnRequest keeps only one of them.
// Other comparisons need an order of levels; they are not judged here.
func (p *IdP) asserts(raw []byte) bool {
	doc := etree.NewDocument()
	if err := doc.ReadFromBytes(raw); err != nil || doc.Root() == nil {
		return false
	}
	rac := doc.Root().SelectElement("RequestedAuthnContext")
	if rac == nil || rac.SelectAttrValue("Comparison", "exact") != "exact" {
		return true
	}
	for _, ref := range rac.SelectElements("AuthnContextClassRef") {
		if strings.TrimSpace(ref.Text()) == p.cfg.LoA {
			return true
		}
	}
	return false
}

// refuse answers the SP with a signed Response that carries only an error
// status (Requester, then sub), posted like a login's: the Deployment
// Profile for the Swedish eID Framework (5.4.4) has an IdP answer so when it
// supports none of the requested levels of assurance.
func (p *IdP) refuse(w http.ResponseWriter, r *http.Request, req *saml.IdpAuthnRequest, sub string) {
	resp := saml.Response{
		ID:           "id-" + randomHex(20),
		InResponseTo: req.Request.ID,
		Version:      "2.0",
		IssueInstant: p.cfg.Now().UTC(),
		Destination:  req.ACSEndpoint.Location,
		Issuer:       &saml.Issuer{Format: entityFormat, Value: p.idp.Metadata().EntityID},
		Status:       saml.Status{StatusCode: saml.StatusCode{Value: saml.StatusRequester, StatusCode: &saml.StatusCode{Value: sub}}},
	}
	el, err := p.signer.SignEnveloped(resp.Element())
	if err == nil {
		req.ResponseEl = el
		err = req.WriteResponse(w)
	}
	if err != nil {
		p.cfg.Logger.LogAttrs(r.Context(), slog.LevelError, "devidp: error response", slog.Any("error", err))
		http.Error(w, http.StatusText(http.StatusInternalServerError), http.StatusInternalServerError)
	}
}

// choose finishes a pending request with the chosen persona, or shows the
// chooser again (in the other language) when no persona was chosen.
func (p *IdP) choose(w http.ResponseWriter, r *http.Request) {
	tok := r.PostForm.Get("pending")
	if !r.PostForm.Has("persona") {
		if !p.isPending(tok) {
			http.Error(w, p.localizer(r).Text("devidp.expired"), http.StatusBadRequest)
			return
		}
		p.renderChooser(w, r, tok)
		return
	}
	var idx int
	if _, err := fmt.Sscanf(r.PostForm.Get("persona"), "%d", &idx); err != nil || idx < 0 || idx >= len(p.cfg.Personas) {
		http.Error(w, p.localizer(r).Text("devidp.choosePersona"), http.StatusBadRequest)
		return
	}
	pr := p.take(tok)
	if pr == nil {
		http.Error(w, p.localizer(r).Text("devidp.expired"), http.StatusBadRequest)
		return
	}
	s := p.startSession(w, p.cfg.Personas[idx])
	req := pr.req
	req.HTTPRequest = r
	req.Now = p.cfg.Now().UTC()
	if err := p.idp.AssertionMaker.MakeAssertion(&req, s); err != nil {
		p.cfg.Logger.LogAttrs(r.Context(), slog.LevelError, "devidp: make assertion", slog.Any("error", err))
		http.Error(w, http.StatusText(http.StatusInternalServerError), http.StatusInternalServerError)
		return
	}
	if err := req.WriteResponse(w); err != nil {
		p.cfg.Logger.LogAttrs(r.Context(), slog.LevelError, "devidp: write response", slog.Any("error", err))
		http.Error(w, http.StatusText(http.StatusInternalServerError), http.StatusInternalServerError)
	}
}

// park keeps a validated request for the chooser and returns its token.
func (p *IdP) park(req *saml.IdpAuthnRequest) string {
	tok := randomHex(16)
	kept := *req
	kept.HTTPRequest = nil
	p.mu.Lock()
	defer p.mu.Unlock()
	now := p.cfg.Now()
	for k, v := range p.pending {
		if !now.Before(v.expires) {
			delete(p.pending, k)
		}
	}
	if len(p.pending) >= maxPending {
		for k := range p.pending { // a development IdP may forget an abandoned login
			delete(p.pending, k)
			break
		}
	}
	p.pending[tok] = &pendingRequest{req: kept, expires: now.Add(pendingLifetime)}
	return tok
}

func (p *IdP) isPending(tok string) bool {
	p.mu.Lock()
	defer p.mu.Unlock()
	pr, ok := p.pending[tok]
	return ok && p.cfg.Now().Before(pr.expires)
}

// take removes and returns a pending request: each is answered once.
func (p *IdP) take(tok string) *pendingRequest {
	p.mu.Lock()
	defer p.mu.Unlock()
	pr, ok := p.pending[tok]
	delete(p.pending, tok)
	if !ok || !p.cfg.Now().Before(pr.expires) {
		return nil
	}
	return pr
}

const sessionCookie = "devidp_session"

// entityFormat is the NameID format of an Issuer that names an entity.
const entityFormat = "urn:oasis:names:tc:SAML:2.0:nameid-format:entity"

// startSession remembers the persona's login for SSO and sets the cookie.
func (p *IdP) startSession(w http.ResponseWriter, persona Persona) *saml.Session {
	now := p.cfg.Now().UTC()
	s := &saml.Session{
		ID:           randomHex(32),
		CreateTime:   now,
		ExpireTime:   now.Add(p.cfg.SessionLifetime),
		Index:        randomHex(16),
		NameID:       "_" + randomHex(20), // transient: never the personnummer
		NameIDFormat: "urn:oasis:names:tc:SAML:2.0:nameid-format:transient",
		CustomAttributes: []saml.Attribute{
			attribute(attrPersonalIdentityNumber, "personalIdentityNumber", persona.Number),
			attribute(attrGivenName, "givenName", persona.GivenName),
			attribute(attrSurname, "sn", persona.Surname),
			attribute(attrDisplayName, "displayName", persona.DisplayName),
		},
	}
	p.mu.Lock()
	for k, v := range p.sessions {
		if !now.Before(v.ExpireTime) {
			delete(p.sessions, k)
		}
	}
	if len(p.sessions) >= maxSessions {
		for k := range p.sessions {
			delete(p.sessions, k)
			break
		}
	}
	p.sessions[s.ID] = s
	p.mu.Unlock()
	http.SetCookie(w, &http.Cookie{
		Name:     sessionCookie,
		Value:    s.ID,
		Path:     p.base.Path + "/",
		MaxAge:   int(p.cfg.SessionLifetime / time.Second),
		HttpOnly: true,
		Secure:   p.base.Scheme == "https",
		SameSite: http.SameSiteLaxMode,
	})
	return s
}

// session returns the request's unexpired IdP session, if any.
func (p *IdP) session(r *http.Request) *saml.Session {
	c, err := r.Cookie(sessionCookie)
	if err != nil {
		return nil
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	s, ok := p.sessions[c.Value]
	if !ok || !p.cfg.Now().Before(s.ExpireTime) {
		return nil
	}
	return s
}

func (p *IdP) endSession(w http.ResponseWriter, r *http.Request) {
	if c, err := r.Cookie(sessionCookie); err == nil {
		p.mu.Lock()
		delete(p.sessions, c.Value)
		p.mu.Unlock()
	}
	http.SetCookie(w, &http.Cookie{Name: sessionCookie, Path: p.base.Path + "/", MaxAge: -1, HttpOnly: true,
		Secure: p.base.Scheme == "https", SameSite: http.SameSiteLaxMode})
}

func attribute(name, friendly, value string) saml.Attribute {
	return saml.Attribute{
		FriendlyName: friendly,
		Name:         name,
		NameFormat:   attrNameFormatURI,
		Values:       []saml.AttributeValue{{Type: "xs:string", Value: value}},
	}
}

// assertionMaker builds the Swedish eID Framework's assertion.
type assertionMaker struct{ p *IdP }

// assertionLifetime is how long the SP may take to consume the assertion.
const assertionLifetime = 5 * time.Minute

// MakeAssertion implements saml.AssertionMaker.
func (m assertionMaker) MakeAssertion(req *saml.IdpAuthnRequest, s *saml.Session) error {
	now := req.Now
	idpID := m.p.idp.Metadata().EntityID
	spID := req.ServiceProviderMetadata.EntityID
	req.Assertion = &saml.Assertion{
		ID:           "id-" + randomHex(20),
		IssueInstant: now,
		Version:      "2.0",
		Issuer:       saml.Issuer{Format: entityFormat, Value: idpID},
		Subject: &saml.Subject{
			NameID: &saml.NameID{Format: s.NameIDFormat, NameQualifier: idpID, SPNameQualifier: spID, Value: s.NameID},
			SubjectConfirmations: []saml.SubjectConfirmation{{
				Method: "urn:oasis:names:tc:SAML:2.0:cm:bearer",
				SubjectConfirmationData: &saml.SubjectConfirmationData{
					InResponseTo: req.Request.ID,
					NotOnOrAfter: now.Add(assertionLifetime),
					Recipient:    req.ACSEndpoint.Location,
				},
			}},
		},
		Conditions: &saml.Conditions{
			NotBefore:            now,
			NotOnOrAfter:         now.Add(assertionLifetime),
			AudienceRestrictions: []saml.AudienceRestriction{{Audience: saml.Audience{Value: spID}}},
		},
		AuthnStatements: []saml.AuthnStatement{{
			AuthnInstant: s.CreateTime,
			SessionIndex: s.Index,
			AuthnContext: saml.AuthnContext{AuthnContextClassRef: &saml.AuthnContextClassRef{Value: m.p.cfg.LoA}},
		}},
		AttributeStatements: []saml.AttributeStatement{{Attributes: s.CustomAttributes}},
	}
	return nil
}

func randomHex(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b) // crypto/rand never fails; it aborts the program instead
	return hex.EncodeToString(b)
}

func loopbackPeer(remoteAddr string) bool {
	host, _, err := net.SplitHostPort(remoteAddr)
	if err != nil {
		return false
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// errNotExist is what saml.ServiceProviderProvider must return for an
// unknown SP: crewjam compares with os.ErrNotExist.
var errNotExist = os.ErrNotExist
