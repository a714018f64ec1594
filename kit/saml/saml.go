// Package saml is the kit's SAML 2.0 service provider for Swedish
// e-legitimation, following the deployment profile of the Swedish eID
// Framework: SP-initiated login that asks for the configured levels of
// assurance, a strict validation layer built from crewjam/saml's and
// goxmldsig's building blocks, a replay cache, SP metadata with the
// framework's entity category, and single logout.
//
// A verified login becomes an identity.Subject handed to a LoginSink
// (kit/session's Manager). Nothing from an assertion is ever logged, put in
// a URL or a cookie; a refused login shows the user a plain, generic page
// with a reference the operator can find in the log.
package saml

import (
	"crypto"
	"crypto/aes"
	"crypto/cipher"
	"crypto/hkdf"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/x509"
	"encoding/base64"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"time"

	crewjam "github.com/crewjam/saml"
	dsig "github.com/russellhaering/goxmldsig"

	"github.com/arendevy/arendevy/kit/i18n"
	"github.com/arendevy/arendevy/kit/identity"
	"github.com/arendevy/arendevy/kit/localpath"
	"github.com/arendevy/arendevy/kit/loopback"
	"github.com/arendevy/arendevy/kit/session"
)

// Defaults for Config.
const (
	DefaultClockSkew       = 3 * time.Minute
	DefaultRequestLifetime = 10 * time.Minute
	DefaultReturn          = "/"
)

// Entity category of a service that needs a personal identity number at
// LoA 3 (Swedish eID Framework, Entity Categories).
const EntityCategoryLoA3PNR = "http://id.elegnamnden.se/ec/1.0/loa3-pnr"

// Attribute names (OIDs) of the Swedish eID Framework's attribute
// specification. Attributes are read by Name only, never FriendlyName: the
// friendly name is not part of the attribute's identity.
const (
	AttrPersonalIdentityNumber = "urn:oid:1.2.752.29.4.13"
	AttrDisplayName            = "urn:oid:2.16.840.1.113730.3.1.241"
	AttrGivenName              = "urn:oid:2.5.4.42"
	AttrSurname                = "urn:oid:2.5.4.4"
)

// Second-level status codes of the Swedish eID Framework.
const (
	StatusCancel = "http://id.elegnamnden.se/status/1.0/cancel"
	StatusFraud  = "http://id.elegnamnden.se/status/1.0/fraud"
)

// LoginSink receives verified logins; *session.Manager satisfies it.
type LoginSink interface {
	Login(w http.ResponseWriter, r *http.Request, s identity.Subject, info session.SAMLInfo) error
	Logout(w http.ResponseWriter, r *http.Request) (session.Data, error)
	// Current returns the request's session without changing it: an
	// IdP-initiated LogoutRequest must be checked against it before
	// anything is ended.
	Current(r *http.Request) (session.Data, bool)
}

var _ LoginSink = (*session.Manager)(nil)

// Config configures the service provider. RootURL, Mount, Key,
// Certificate, IdPMetadata and Sessions are required; every other field has
// a default that works.
type Config struct {
	// RootURL is the portal's origin as the browser sees it, e.g.
	// https://minasidor.example.se. ACS = RootURL + Mount + "/saml/acs".
	RootURL string
	// EntityID is our SP's entity ID; default RootURL + Mount + "/saml/metadata".
	EntityID string
	// Mount is the kit's path prefix: kit.Config.Mount, or kit.DefaultMount
	// when that is left empty. The SP needs it before the kit exists (its
	// metadata names the ACS), so it cannot take it from the kit; kit.New
	// refuses an SP mounted elsewhere.
	Mount string
	// Key signs our requests and derives the request-tracking key; it must
	// be RSA (2048 bits or more). When it is an *rsa.PrivateKey it also
	// decrypts encrypted assertions and the metadata offers it for that.
	Key crypto.Signer
	// Certificate is Key's certificate, published in our metadata.
	Certificate *x509.Certificate
	// IdPMetadata describes the one IdP we trust: its entity ID, SSO and
	// SLO endpoints and signing certificates. Only keys found here verify
	// a response; a certificate inside the response is never trusted.
	IdPMetadata *crewjam.EntityDescriptor
	// LoAs are the AuthnContextClassRefs we request (Comparison="exact")
	// and accept; default loa3.
	LoAs []string
	// ForceAuthn asks the IdP to authenticate the user again even when it
	// has a session of its own. It is always sent, true or false; when true,
	// an assertion whose AuthnInstant is older than the request is refused.
	ForceAuthn bool
	// ClockSkew is the leeway for the IdP's clock; default 3 min.
	ClockSkew time.Duration
	// RequestLifetime is how long a login may take from our request to the
	// IdP's answer; default 10 min, so a user who spends 5 minutes with
	// BankID still gets in.
	RequestLifetime time.Duration
	// AllowIdPInitiated accepts unsolicited responses (no request of ours).
	// Off by default: an unsolicited response cannot be bound to the browser
	// that started the login.
	AllowIdPInitiated bool
	// Replay remembers consumed assertion and request IDs; default an
	// in-memory cache. Use a RedisReplayCache when several instances share
	// the entity ID.
	Replay ReplayCache
	// Sessions receives verified logins and ends them at logout.
	Sessions LoginSink
	// DisplayName is the service's name per language for mdui:UIInfo;
	// "sv" and "en" default to "Mina ärenden" and "My cases".
	DisplayName map[string]string
	// Description is an optional mdui:Description per language.
	Description map[string]string
	// EntityCategories are published in our metadata; default loa3-pnr.
	EntityCategories []string
	// DefaultReturn is where a login or logout without a return target
	// ends; a local path, default "/".
	DefaultReturn string
	// ReturnOrigins are the origins besides our own that a login may
	// return to: pages on other hosts of the site that embed the element
	// (https://www.bank.se), so the user lands back on the page they
	// started from. kit.Config.EmbedOrigins must list the same (kit.New
	// checks). A login's return target is then a local path or a page of
	// one of these (localpath.CheckAt); logout and RelayState stay local.
	ReturnOrigins []string
	// AllowPlainHTTP lets plain-http requests to a loopback host get the
	// request-tracking cookie without Secure (SameSite=Lax). For local
	// development only, like session.Config.AllowPlainHTTP.
	AllowPlainHTTP bool
	// Logger receives operational logs, never a SAML message, an identity
	// number or a name; default slog.Default().
	Logger *slog.Logger
	// Now is the clock; default time.Now.
	Now func() time.Time
}

// ConfigError lists every problem of a Config.
type ConfigError struct{ Problems []string }

func (e *ConfigError) Error() string { return "saml config: " + strings.Join(e.Problems, "; ") }

// SP is the service provider. It is safe for concurrent use.
type SP struct {
	cfg       Config
	base      crewjam.ServiceProvider // builds AuthnRequests and the base of our metadata
	acsURL    string
	sloURL    string
	idp       idpInfo
	signer    *dsig.SigningContext
	decryptor *rsa.PrivateKey // nil: encrypted assertions are refused and not offered
	tracker   *tracker
	loas      map[string]bool
	messages  *i18n.Bundle // the failure page's texts
}

// idpInfo is what we use of the IdP's metadata.
type idpInfo struct {
	entityID    string
	ssoURL      string // HTTP-Redirect binding
	sloURL      string // HTTP-Redirect binding; "" when the IdP has no single logout
	sloResponse string // where our LogoutResponse goes
	certs       []*x509.Certificate
}

// New checks cfg, fills in defaults and builds the service provider.
func New(cfg Config) (*SP, error) {
	var problems []string
	add := func(format string, a ...any) { problems = append(problems, fmt.Sprintf(format, a...)) }

	cfg.Mount = strings.TrimSuffix(cfg.Mount, "/")
	switch {
	case cfg.Mount == "":
		add("Mount: required")
	case !strings.HasPrefix(cfg.Mount, "/"):
		add("Mount: must start with /")
	}
	cfg.RootURL = strings.TrimSuffix(cfg.RootURL, "/")
	if err := checkEndpoint(cfg.RootURL, cfg.AllowPlainHTTP); err != nil {
		add("RootURL: %v", err)
	}
	if cfg.EntityID == "" {
		cfg.EntityID = cfg.RootURL + cfg.Mount + "/saml/metadata"
	}
	if cfg.Key == nil || cfg.Certificate == nil {
		add("Key and Certificate: required")
	} else if err := checkKeyPair(cfg.Key, cfg.Certificate); err != nil {
		add("Key: %v", err)
	}
	idp, err := readIdPMetadata(cfg.IdPMetadata, cfg.AllowPlainHTTP)
	if err != nil {
		add("IdPMetadata: %v", err)
	}
	if len(cfg.LoAs) == 0 {
		cfg.LoAs = []string{session.LoA3}
	}
	for i, l := range cfg.LoAs {
		if strings.TrimSpace(l) == "" {
			add("LoAs[%d]: empty", i)
		}
	}
	if cfg.ClockSkew == 0 {
		cfg.ClockSkew = DefaultClockSkew
	}
	if cfg.ClockSkew < 0 || cfg.ClockSkew > 10*time.Minute {
		add("ClockSkew: must be between 0 and 10 minutes")
	}
	if cfg.RequestLifetime == 0 {
		cfg.RequestLifetime = DefaultRequestLifetime
	}
	if cfg.RequestLifetime < time.Minute || cfg.RequestLifetime > time.Hour {
		add("RequestLifetime: must be between 1 minute and 1 hour")
	}
	if cfg.Sessions == nil {
		add("Sessions: required")
	}
	if cfg.DefaultReturn == "" {
		cfg.DefaultReturn = DefaultReturn
	}
	if localpath.Check(cfg.DefaultReturn) != nil {
		add("DefaultReturn: must be a local path")
	}
	cfg.ReturnOrigins = slices.Clone(cfg.ReturnOrigins) // the caller keeps its slice
	for i, o := range cfg.ReturnOrigins {
		if err := localpath.CheckOrigin(o); err != nil {
			add("ReturnOrigins[%d]: %v", i, err)
		}
	}
	messages, err := i18n.Default()
	if err != nil {
		return nil, err
	}
	cfg.DisplayName = withDefaults(cfg.DisplayName, inEveryLanguage(messages, "heading"))
	if len(cfg.EntityCategories) == 0 {
		cfg.EntityCategories = []string{EntityCategoryLoA3PNR}
	}
	if len(problems) > 0 {
		return nil, &ConfigError{Problems: problems}
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.Default()
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.Replay == nil {
		cfg.Replay = NewMemoryReplayCache(MemoryReplayConfig{Now: cfg.Now})
	}

	sp := &SP{
		cfg:      cfg,
		messages: messages,
		acsURL:   cfg.RootURL + cfg.Mount + "/saml/acs",
		sloURL:   cfg.RootURL + cfg.Mount + "/saml/slo",
		idp:      idp,
		loas:     map[string]bool{},
	}
	for _, l := range cfg.LoAs {
		sp.loas[l] = true
	}
	forceAuthn := cfg.ForceAuthn
	sp.base = crewjam.ServiceProvider{
		EntityID:          cfg.EntityID,
		Key:               cfg.Key,
		Certificate:       cfg.Certificate,
		AcsURL:            mustParse(sp.acsURL),
		SloURL:            mustParse(sp.sloURL),
		MetadataURL:       mustParse(cfg.RootURL + cfg.Mount + "/saml/metadata"),
		IDPMetadata:       cfg.IdPMetadata,
		AuthnNameIDFormat: crewjam.TransientNameIDFormat,
		ForceAuthn:        &forceAuthn,
		SignatureMethod:   dsig.RSASHA256SignatureMethod, // crewjam would default to SHA-1
		// Both bindings the SLO endpoint answers; we send over Redirect.
		LogoutBindings: []string{crewjam.HTTPRedirectBinding, crewjam.HTTPPostBinding},
	}
	if sp.signer, err = dsig.NewSigningContext(cfg.Key, [][]byte{cfg.Certificate.Raw}); err != nil {
		return nil, fmt.Errorf("saml: signing context: %w", err)
	}
	if err := sp.signer.SetSignatureMethod(dsig.RSASHA256SignatureMethod); err != nil {
		return nil, fmt.Errorf("saml: signing context: %w", err)
	}
	if k, ok := cfg.Key.(*rsa.PrivateKey); ok {
		sp.decryptor = k
	}
	aead, err := trackingAEAD(cfg.Key)
	if err != nil {
		return nil, err
	}
	sp.tracker = &tracker{
		aead:      aead,
		path:      cfg.Mount + "/saml/acs",
		lifetime:  cfg.RequestLifetime,
		plainHTTP: cfg.AllowPlainHTTP,
	}
	return sp, nil
}

// Handler serves, under Mount:
//
//	GET  /saml/metadata         our SP metadata
//	GET  /saml/login?return=/p  starts a login that ends at the local path /p (or a page of ReturnOrigins)
//	POST /saml/acs              the assertion consumer service (HTTP-POST binding)
//	POST /saml/logout           form field "return"; ends the session, and at the IdP when it has single logout
//	GET  /saml/slo              the IdP's LogoutResponse or LogoutRequest (HTTP-Redirect binding)
//	POST /saml/slo              the same, HTTP-POST binding (signed in the XML)
//
// /saml/logout changes state and belongs behind the kit's CSRF check; the
// ACS cannot carry a CSRF token (the IdP posts it) and is protected by the
// request tracking instead; nor can a POST to /saml/slo, which the IdP's
// signature, the session match and the replay cache protect.
func (sp *SP) Handler() http.Handler {
	mux := http.NewServeMux()
	m := sp.cfg.Mount
	mux.HandleFunc("GET "+m+"/saml/metadata", sp.serveMetadata)
	mux.HandleFunc("GET "+m+"/saml/login", sp.serveLogin)
	mux.HandleFunc("POST "+m+"/saml/acs", sp.serveACS)
	mux.HandleFunc("POST "+m+"/saml/logout", sp.serveLogout)
	mux.HandleFunc("GET "+m+"/saml/slo", sp.serveSLO)
	mux.HandleFunc("POST "+m+"/saml/slo", sp.serveSLOPost)
	return mux
}

// Mount is the path prefix the SP's routes and URLs are under.
func (sp *SP) Mount() string { return sp.cfg.Mount }

// IdPOrigins are the origins (scheme://host[:port]) of the IdP's SSO and
// SLO endpoints from its metadata, each once, in that order. The browser is
// sent there by a redirect after our logout form posts, so a CSP's
// form-action must allow them (kit.New does); nothing else of the metadata
// belongs there.
func (sp *SP) IdPOrigins() []string {
	var origins []string
	for _, endpoint := range []string{sp.idp.ssoURL, sp.idp.sloURL} {
		// readIdPMetadata checked both: absolute, http(s), no user info.
		u, err := url.Parse(endpoint)
		if err != nil || endpoint == "" {
			continue
		}
		origin := strings.ToLower(u.Scheme + "://" + u.Host)
		if !slices.Contains(origins, origin) {
			origins = append(origins, origin)
		}
	}
	return origins
}

// Origin is our origin as the browser sees it (scheme://host[:port] of
// RootURL, in lower case).
func (sp *SP) Origin() string {
	u := mustParse(sp.cfg.RootURL) // New checked it
	return strings.ToLower(u.Scheme + "://" + u.Host)
}

// ReturnOrigins are Config.ReturnOrigins.
func (sp *SP) ReturnOrigins() []string { return slices.Clone(sp.cfg.ReturnOrigins) }

// LoginURL returns the local URL that starts a login and comes back to
// returnTo. A returnTo that is neither a local path nor a page of one of
// ReturnOrigins is left out: the login then ends at DefaultReturn.
func (sp *SP) LoginURL(returnTo string) string {
	u := sp.cfg.Mount + "/saml/login"
	if localpath.CheckAt(returnTo, sp.cfg.ReturnOrigins) == nil {
		u += "?return=" + url.QueryEscape(returnTo)
	}
	return u
}

// checkKeyPair insists on RSA of at least 2048 bits, and on the certificate
// belonging to the key, so our metadata never advertises a key we do not hold.
func checkKeyPair(key crypto.Signer, cert *x509.Certificate) error {
	pub, ok := key.Public().(*rsa.PublicKey)
	if !ok {
		return errors.New("must be an RSA key (requests are signed with RSA-SHA256)")
	}
	if pub.N.BitLen() < 2048 {
		return errors.New("RSA key must have at least 2048 bits")
	}
	certPub, ok := cert.PublicKey.(*rsa.PublicKey)
	if !ok || !certPub.Equal(pub) {
		return errors.New("Certificate does not belong to Key")
	}
	return nil
}

// readIdPMetadata takes the endpoints and signing certificates we need.
func readIdPMetadata(md *crewjam.EntityDescriptor, plainHTTP bool) (idpInfo, error) {
	var info idpInfo
	if md == nil {
		return info, errors.New("required")
	}
	if md.EntityID == "" {
		return info, errors.New("entityID missing")
	}
	if len(md.IDPSSODescriptors) != 1 {
		return info, errors.New("want exactly one IDPSSODescriptor")
	}
	d := md.IDPSSODescriptors[0]
	info.entityID = md.EntityID
	for _, s := range d.SingleSignOnServices {
		if s.Binding == crewjam.HTTPRedirectBinding && info.ssoURL == "" {
			info.ssoURL = s.Location
		}
	}
	if err := checkEndpoint(info.ssoURL, plainHTTP); err != nil {
		return info, fmt.Errorf("SingleSignOnService (HTTP-Redirect): %w", err)
	}
	for _, s := range d.SingleLogoutServices {
		if s.Binding == crewjam.HTTPRedirectBinding && info.sloURL == "" {
			info.sloURL, info.sloResponse = s.Location, s.ResponseLocation
		}
	}
	if info.sloURL != "" {
		if info.sloResponse == "" {
			info.sloResponse = info.sloURL
		}
		if err := checkEndpoint(info.sloURL, plainHTTP); err != nil {
			return info, fmt.Errorf("SingleLogoutService: %w", err)
		}
		if err := checkEndpoint(info.sloResponse, plainHTTP); err != nil {
			return info, fmt.Errorf("SingleLogoutService ResponseLocation: %w", err)
		}
	}
	for _, kd := range d.KeyDescriptors {
		if kd.Use != "" && kd.Use != "signing" {
			continue
		}
		for _, c := range kd.KeyInfo.X509Data.X509Certificates {
			der, err := base64.StdEncoding.DecodeString(whitespace.ReplaceAllString(c.Data, ""))
			if err != nil {
				return info, fmt.Errorf("signing certificate: %w", err)
			}
			cert, err := x509.ParseCertificate(der)
			if err != nil {
				return info, fmt.Errorf("signing certificate: %w", err)
			}
			info.certs = append(info.certs, cert)
		}
	}
	if len(info.certs) == 0 {
		return info, errors.New("no signing certificate")
	}
	return info, nil
}

var whitespace = regexp.MustCompile(`\s+`)

// checkEndpoint accepts an absolute https URL, or http to a loopback host
// when plain http is allowed for development.
func checkEndpoint(raw string, plainHTTP bool) error {
	if raw == "" {
		return errors.New("missing")
	}
	u, err := url.Parse(raw)
	if err != nil || u.Host == "" || u.User != nil || u.Fragment != "" {
		return errors.New("must be an absolute URL without user info or fragment")
	}
	switch {
	case u.Scheme == "https":
		return nil
	case u.Scheme == "http" && plainHTTP && loopback.Host(u.Hostname()):
		return nil
	default:
		return errors.New("must use https")
	}
}

// trackingAEAD derives the key that seals request-tracking cookies from the
// SP's own key: an RSA PKCS#1 v1.5 signature is deterministic, so every
// instance holding the SP key derives the same secret, a login started on
// one instance finishes on another, and there is no extra secret to
// configure. The signed message is used for nothing else.
func trackingAEAD(key crypto.Signer) (cipher.AEAD, error) {
	digest := sha256.Sum256([]byte("arendevy kit/saml request-tracking key v1"))
	sig, err := key.Sign(rand.Reader, digest[:], crypto.SHA256)
	if err != nil {
		return nil, fmt.Errorf("saml: derive tracking key: %w", err)
	}
	k, err := hkdf.Key(sha256.New, sig, nil, "arendevy saml request tracking", 32)
	if err != nil {
		return nil, fmt.Errorf("saml: derive tracking key: %w", err)
	}
	block, err := aes.NewCipher(k)
	if err != nil {
		return nil, fmt.Errorf("saml: tracking cipher: %w", err)
	}
	return cipher.NewGCM(block)
}

// inEveryLanguage is message id in each language of the catalogue, by tag.
func inEveryLanguage(messages *i18n.Bundle, id string) map[string]string {
	out := map[string]string{}
	for _, tag := range messages.Languages() {
		out[tag.String()] = messages.Localizer(tag.String()).Text(id)
	}
	return out
}

func withDefaults(m, defaults map[string]string) map[string]string {
	out := make(map[string]string, len(m)+len(defaults))
	for k, v := range defaults {
		out[k] = v
	}
	for k, v := range m {
		if strings.TrimSpace(v) != "" {
			out[k] = v
		}
	}
	return out
}

// mustParse is only called with URLs New has validated.
func mustParse(raw string) url.URL {
	u, err := url.Parse(raw)
	if err != nil {
		panic(err)
	}
	return *u
}
