// Package config is the reference portal's configuration: one TOML file,
// overridden by environment variables, checked as a whole before the portal
// starts. A municipality deploys the portal by writing this file, so every
// problem is reported at once, each with the path of the field it concerns
// (sources[1].url: must be https), and never as a stack trace.
//
// With no file at all, Default applies: the embedded development IdP, the
// demo data and in-memory sessions on http://localhost:8080.
package config

import (
	"errors"
	"fmt"
	"log/slog"
	"net/netip"
	"strings"
	"time"

	"github.com/arendevy/arendevy/kit/cases"
	"github.com/arendevy/arendevy/kit/minaarenden"
	"github.com/arendevy/arendevy/kit/producers"
)

// Config is the portal's configuration after every check has passed. Paths
// of files are absolute or relative to the working directory: a relative
// path in a file is resolved against that file's directory.
type Config struct {
	// Listen is the address the server listens on, host:port.
	Listen string `toml:"listen"`
	// PublicURL is the origin users reach the portal at (scheme://host[:port]),
	// without a trailing slash. SAML endpoints and absolute links derive from it.
	PublicURL string `toml:"public_url"`
	// Theme is one of Themes.
	Theme string `toml:"theme"`
	// Languages the portal speaks, each a language of the kit's catalogue
	// and offered in the language switch; the first is the fallback.
	Languages []string `toml:"languages"`
	// TrustLine overrides the line telling users the service is approved.
	TrustLine Text `toml:"trust_line"`
	// ApprovedBy names the authority that approved the service: the trust
	// line on the overview and the About page says "The service is
	// approved by …" unless TrustLine gives the whole line. Empty: no
	// trust line.
	ApprovedBy Text `toml:"approved_by"`
	// Deadline bounds one whole overview.
	Deadline time.Duration `toml:"deadline"`
	// Drain is how long the portal, told to stop, goes on serving with
	// /readyz answering 503 before it stops accepting connections, so that
	// a load balancer takes it out first; zero stops at once.
	Drain time.Duration `toml:"drain"`
	// EmbedOrigins are pages on other hosts of the portal's site that show
	// the element from this portal (kit.Config.EmbedOrigins): same scheme
	// and registrable domain as PublicURL.
	EmbedOrigins []string `toml:"embed_origins"`

	TLS         TLS              `toml:"tls"`
	SAML        SAML             `toml:"saml"`
	Session     Session          `toml:"session"`
	Sources     []Source         `toml:"sources"`
	Producers   []producers.Info `toml:"producers"`
	Metrics     Metrics          `toml:"metrics"`
	Preferences Preferences      `toml:"preferences"`
	Log         Log              `toml:"log"`
	Limits      Limits           `toml:"limits"`
}

// Limits protect the producers from refresh storms (kit.Limits): a token
// bucket per session and per client address on overview requests, and a
// cap on requests in flight to each source. A burst of 0 turns a bucket off.
type Limits struct {
	SessionBurst int           `toml:"session_burst"`
	SessionEvery time.Duration `toml:"session_every"`
	AddressBurst int           `toml:"address_burst"`
	AddressEvery time.Duration `toml:"address_every"`
	// TrustedProxies are CIDR blocks of the load balancers in front of the
	// portal, whose X-Forwarded-For is believed; empty: the header is
	// ignored and the connection's address counts.
	TrustedProxies    []string `toml:"trusted_proxies"`
	SourceConcurrency int      `toml:"source_concurrency"`
}

// Prefixes are TrustedProxies parsed; call after the config is checked.
func (l Limits) Prefixes() []netip.Prefix {
	var out []netip.Prefix
	for _, s := range l.TrustedProxies {
		if p, err := netip.ParsePrefix(s); err == nil {
			out = append(out, p.Masked())
		}
	}
	return out
}

// Themes are the themes the portal ships.
var Themes = []string{"default", "bank"}

// TLS is the server's certificate. Without one the portal serves plain HTTP,
// for local development or behind a TLS-terminating proxy.
type TLS struct {
	CertFile string `toml:"cert_file"` // PEM, leaf first, then intermediates
	KeyFile  string `toml:"key_file"`  // PEM, unencrypted
}

// Enabled reports whether the portal serves HTTPS itself.
func (t TLS) Enabled() bool { return t.CertFile != "" }

// SAML is the portal as a SAML service provider, or the development IdP.
type SAML struct {
	// DevIdP serves the embedded development IdP, where anybody logs in as a
	// demo persona without a password: only allowed with a loopback PublicURL.
	DevIdP bool `toml:"dev_idp"`
	// DevIdPListen serves the development IdP on a loopback listener of its
	// own (host:port) instead of under the portal's /devidp/: another
	// origin, as a real IdP is, so logout's redirect to it is exercised.
	DevIdPListen string `toml:"dev_idp_listen"`
	// DemoEServiceListen is where the demo e-service (kit/devidp/eservice)
	// listens, a loopback host:port; empty: a free port on 127.0.0.1. It
	// runs whenever DevIdP does, and the demo producers' deep links open it.
	DemoEServiceListen string `toml:"demo_eservice_listen"`
	// IdPMetadataURL or IdPMetadataFile (exactly one, unless DevIdP) is the
	// IdP's SAML metadata.
	IdPMetadataURL  string `toml:"idp_metadata_url"`
	IdPMetadataFile string `toml:"idp_metadata_file"`
	// SPCertFile and SPKeyFile sign requests and decrypt assertions: an RSA
	// key pair, required unless DevIdP.
	SPCertFile string `toml:"sp_cert_file"`
	SPKeyFile  string `toml:"sp_key_file"`
	// EntityID is the SP's entity ID; empty: the SAML package's default.
	EntityID string `toml:"entity_id"`
	// LoA lists the accepted levels of assurance (URIs).
	LoA []string `toml:"loa"`
	// ForceAuthn asks the IdP to authenticate the user again on every login.
	ForceAuthn bool `toml:"force_authn"`
	// AllowIdPInitiated accepts assertions the SP did not ask for.
	AllowIdPInitiated bool `toml:"allow_idp_initiated"`
	// ClockSkew is how far the IdP's clock may differ from ours.
	ClockSkew time.Duration `toml:"clock_skew"`
}

// Session stores.
const (
	StoreMemory = "memory"
	StoreRedis  = "redis"
	StoreHub    = "hub"
	// StorePostgres keeps preferences in PostgreSQL (kit/postgres), shared
	// by every instance and kept across restarts.
	StorePostgres = "postgres"
)

// Session is where logins are kept and for how long.
type Session struct {
	// Store is StoreMemory (one instance) or StoreRedis (several).
	Store string `toml:"store"`
	// RedisURL is one Redis server (redis://host:6379/0); or, instead,
	// RedisSentinels (host:port of each Sentinel) and RedisMaster (the name
	// the Sentinels monitor) find the primary through Sentinel, and follow
	// it when Sentinel fails it over.
	RedisURL       string   `toml:"redis_url"`
	RedisSentinels []string `toml:"redis_sentinels"`
	RedisMaster    string   `toml:"redis_master"`
	// Idle ends a session unused this long; Absolute ends every session this
	// long after login.
	Idle     time.Duration `toml:"idle"`
	Absolute time.Duration `toml:"absolute"`
	// KeyFile holds a secret of at least 32 bytes shared by every instance
	// (see ReadSecret); empty: a random one per start.
	KeyFile string `toml:"key_file"`
	// CookieDomain is the session cookie's Domain (session.Config): the
	// public URL's host or a parent of it; empty: that host only.
	CookieDomain string `toml:"cookie_domain"`
}

// Kind is what a source talks to.
type Kind string

const (
	KindDemo        Kind = "demo"        // the demo data, or a case document of one's own
	KindHub         Kind = "hub"         // a case hub over HTTP
	KindMinaArenden Kind = "minaarenden" // Skatteverket's Mina ärenden forwarding service
)

// Kinds are the source kinds in the order the documentation names them.
var Kinds = []Kind{KindDemo, KindHub, KindMinaArenden}

// Source is one source of cases behind the fan-out.
type Source struct {
	Kind Kind `toml:"kind"`
	// Name identifies the source in outcomes, logs and metrics.
	Name string `toml:"name"`
	// Operator is whom the user is told about when the whole source fails;
	// default: the Mina ärenden service for minaarenden, else ID and Name
	// both the source's name.
	Operator cases.Actor `toml:"operator"`
	// Timeout bounds this source; zero: the overall deadline.
	Timeout time.Duration `toml:"timeout"`
	// DataFile (demo) is a case document in kit/memory's format; empty: the
	// built-in demo data.
	DataFile string `toml:"data_file"`
	// URL (hub, minaarenden) is the service's base URL: https, or http to a
	// loopback host.
	URL string `toml:"url"`
	// ClientCertFile and ClientKeyFile (both or neither) are the client
	// certificate for mutual TLS; CAFile, when set, replaces the system's
	// roots for the service's certificate.
	ClientCertFile string `toml:"client_cert_file"`
	ClientKeyFile  string `toml:"client_key_file"`
	CAFile         string `toml:"ca_file"`
	// Headers are sent with every request. A value "env:NAME" is read from
	// the environment variable NAME, so secrets stay out of the file; the
	// value here is the one read.
	Headers map[string]string `toml:"headers"`
	// Types, Tags, User and Since (minaarenden) narrow the query; see
	// kit/minaarenden.Config.
	Types []string      `toml:"types"`
	Tags  []string      `toml:"tags"`
	User  string        `toml:"user"`
	Since time.Duration `toml:"since"`
	// CatalogueFile (minaarenden) is the type catalogue: event types'
	// statuses, case titles and planned-event wording in sv and en, in the
	// format of kit/minaarenden/catalogue.toml; empty: that file.
	CatalogueFile string `toml:"catalogue_file"`

	// catalogue is CatalogueFile as Load read and checked it.
	catalogue *minaarenden.Catalogue
}

// Catalogue is the type catalogue of a Mina ärenden source, as Load read it
// (the kit's default when no file is given).
func (s Source) Catalogue() *minaarenden.Catalogue {
	if s.catalogue == nil {
		return minaarenden.DefaultCatalogue()
	}
	return s.catalogue
}

// Metrics is the Prometheus endpoint.
type Metrics struct {
	Enabled bool   `toml:"enabled"`
	Path    string `toml:"path"`
}

// Preferences is where users' preferences are kept.
type Preferences struct {
	// Store is StoreMemory (server-side, keyed by a pseudonymous ID),
	// StorePostgres (the same, in PostgreSQL) or StoreHub (the hub's
	// account-settings endpoint).
	Store string `toml:"store"`
	// DSN is the PostgreSQL connection string (StorePostgres). It may hold
	// a password, so messages never repeat it.
	DSN string `toml:"dsn"`
	// SecretFile is the HMAC key for the pseudonymous IDs (see ReadSecret);
	// empty: a random one per start, which forgets preferences on restart
	// (so required with StorePostgres).
	SecretFile string `toml:"secret_file"`
	// Source names the hub source whose account settings hold the
	// preferences (StoreHub); empty: the only hub source. It is also the
	// hub the notification settings go to.
	Source string `toml:"source"`
	// Consent asks each customer to activate the overview with informed,
	// explicit consent before their first overview (kit.Consent); on by
	// default.
	Consent bool `toml:"consent"`
}

// Log formats.
const (
	LogText = "text"
	LogJSON = "json"
)

// Log is how the portal writes its logs.
type Log struct {
	Level  slog.Level `toml:"level"`
	Format string     `toml:"format"` // LogText or LogJSON
}

// Defaults that are also documented in docs/configuration.md.
const (
	DefaultListen    = ":8080"
	DefaultDeadline  = 3 * time.Second
	DefaultLoA       = "http://id.elegnamnden.se/loa/1.0/loa3"
	DefaultClockSkew = 3 * time.Minute
	DefaultIdle      = 15 * time.Minute
	DefaultAbsolute  = 8 * time.Hour
)

// Default is the configuration without a file: the development IdP, the
// demo data and in-memory sessions on http://localhost:8080.
func Default() Config {
	c := defaults()
	c.PublicURL = derivePublicURL(c)
	return c
}

// defaults is Default before the public URL is derived from the listen
// address, which a file or the environment may still change.
func defaults() Config {
	return Config{
		Listen:    DefaultListen,
		Theme:     "default",
		Languages: []string{"sv", "en", "fi", "ar"},
		Deadline:  DefaultDeadline,
		// Portals that show Mina ärenden are approved by Skatteverket, its
		// managing authority.
		ApprovedBy: Text{all: "Skatteverket"},
		SAML:       SAML{DevIdP: true, LoA: []string{DefaultLoA}, ClockSkew: DefaultClockSkew},
		Session:    Session{Store: StoreMemory, Idle: DefaultIdle, Absolute: DefaultAbsolute},
		Sources: []Source{{
			Kind: KindDemo, Name: "demo", Operator: cases.Actor{ID: "demo", Name: "demo"},
		}},
		Metrics:     Metrics{Path: "/metrics"},
		Preferences: Preferences{Store: StoreMemory, Consent: true},
		Log:         Log{Level: slog.LevelInfo, Format: LogText},
		Limits:      DefaultLimits,
	}
}

// DefaultLimits let a person reload and re-sort freely, and an office
// behind one address work as usual, but not a script hammering the sources.
var DefaultLimits = Limits{
	SessionBurst: 30, SessionEvery: time.Second,
	AddressBurst: 600, AddressEvery: 100 * time.Millisecond,
	SourceConcurrency: 64,
}

// Problem is one thing wrong with a configuration.
type Problem struct {
	// Field is the path of the field, e.g. sources[1].url; empty when the
	// problem concerns the file as a whole.
	Field   string
	Message string
}

func (p Problem) String() string {
	if p.Field == "" {
		return p.Message
	}
	return p.Field + ": " + p.Message
}

// ErrInvalid is wrapped by every *Error.
var ErrInvalid = errors.New("invalid configuration")

// Error lists every problem of a configuration.
type Error struct {
	// File is the configuration file; empty without one.
	File     string
	Problems []Problem
}

// Error is one problem per line, each prefixed with the file.
func (e *Error) Error() string {
	var b strings.Builder
	for i, p := range e.Problems {
		if i > 0 {
			b.WriteByte('\n')
		}
		if e.File != "" {
			b.WriteString(e.File + ": ")
		}
		b.WriteString(p.String())
	}
	return b.String()
}

// Unwrap makes errors.Is(err, ErrInvalid) hold.
func (e *Error) Unwrap() error { return ErrInvalid }

// Check loads path like Load and returns every problem; none means the file
// is good. It is what `reference-portal -check-config FILE` prints.
func Check(path string, env func(string) string) []Problem {
	var e *Error
	if _, err := Load(path, env); errors.As(err, &e) {
		return e.Problems
	}
	return nil
}

// Load reads the TOML file at path over the defaults (no file when path is
// empty), applies the environment variables ARENDEVY_<SECTION>_<KEY> and
// PORT, and checks the result, reading and parsing every file it names.
// What derives from other keys is filled in: the development public URL,
// the fallback trust line, sources' operators, header values read from the
// environment ("env:NAME") and the preferences' hub source.
//
// env is usually os.Getenv; nil means an empty environment. A failure is
// always an *Error listing every problem.
func Load(path string, env func(string) string) (Config, error) {
	if env == nil {
		env = func(string) string { return "" }
	}
	ps := &problems{}
	c := defaults()
	if path != "" {
		decodeFile(path, &c, ps)
	}
	overrideFromEnv(&c, env, ps)
	validate(&c, env, ps)
	if len(ps.list) > 0 {
		return Config{}, &Error{File: path, Problems: ps.list}
	}
	return c, nil
}

// problems collects problems; fields set from the environment are named as
// such, because the file would not show the value that is wrong.
type problems struct {
	list    []Problem
	fromEnv map[string]string // field path → environment variable
}

func (ps *problems) add(field, format string, a ...any) {
	msg := fmt.Sprintf(format, a...)
	if name, ok := ps.fromEnv[field]; ok {
		msg += " (set by " + name + ")"
	}
	ps.list = append(ps.list, Problem{Field: field, Message: msg})
}
