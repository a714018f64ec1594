package kit

import (
	"context"
	"fmt"
	"log/slog"
	"net/netip"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/arendevy/arendevy/kit/cases"
	"github.com/arendevy/arendevy/kit/cors"
	"github.com/arendevy/arendevy/kit/fanout"
	"github.com/arendevy/arendevy/kit/listing"
	"github.com/arendevy/arendevy/kit/notification"
	"github.com/arendevy/arendevy/kit/preferences"
	"github.com/arendevy/arendevy/kit/producers"
	"github.com/arendevy/arendevy/kit/ratelimit"
	"github.com/arendevy/arendevy/kit/saml"
	"github.com/arendevy/arendevy/kit/session"
	"github.com/arendevy/arendevy/kit/websec"
)

// DefaultMount is where the kit's routes live unless Config.Mount says otherwise.
const DefaultMount = "/arendevy"

// Config is everything a portal decides. The zero value of every field but
// Sources works.
type Config struct {
	// Mount is the path prefix of every route the kit serves; default
	// DefaultMount. It is the one place the prefix is chosen: the kit hands
	// it to the session manager, the security guard and the deep links, and
	// refuses an SSO built with another.
	Mount string
	// Sources are asked concurrently for every overview.
	Sources []fanout.Member
	// Deadline bounds a whole overview; default 3 s.
	Deadline time.Duration
	// DefaultQuery is the sorting and filtering before the user chooses;
	// default: every case, newest first.
	DefaultQuery *listing.Query
	// Logger receives operational logs, never case data; default slog.Default().
	Logger *slog.Logger
	// Observe is called per source and request with outcomes and latency
	// (a metrics hook); optional. A producer that is neither in Producers
	// nor a source's Actor is named fanout.Unlisted there, and in the log:
	// its ID and name came from the source's data.
	Observe func(source string, outcomes []cases.Outcome, took time.Duration)
	// Now is the clock; default time.Now.
	Now func() time.Time
	// Producers is the directory of producers: the deep-link allow-list and
	// the customer-service contacts for the information page. A case whose
	// link its producer's hosts do not allow is shown without the link.
	Producers *producers.Directory
	// Links gives the deep links of one overview: called once per overview
	// with the ctx Overview was called with (the kit's own links are bound
	// to its session), it returns what turns each case with a link into
	// the URL the page gets (the kit's redirect endpoint, which keeps case
	// data out of URLs), or false for a link its producer's hosts do not
	// allow. Nil: an allowed link is passed through as it is.
	Links func(ctx context.Context) func(c *cases.Case) (string, bool)
	// InfoURL is the page for a producer without an e-service; default
	// Mount + "/producers/{id}".
	InfoURL func(producerID string) string
	// InfoPath, when set, is the portal's own page for a case without an
	// e-service, ending in "/" ("/mina-arenden/kontakt/"): such a case
	// links to InfoPath followed by a token sealed to the session that
	// names its producer and case number, and the page shows them in the
	// portal's layout with (*Kit).RenderInfo. Needs Sessions and the kit's
	// own deep links (Links nil); otherwise InfoURL is used.
	InfoPath string
	// Sessions keeps who is logged in. With Sessions the kit serves its
	// session routes (act-for, principals, csrf), runs every request through
	// the session and the security guard (headers, CSRF), and rewrites deep
	// links through its session-bound redirect. Nil: the portal puts the subject in
	// the request context itself (identity.WithSubject) and guards its pages.
	Sessions *session.Manager
	// SSO is the SAML service provider whose routes the kit serves and where
	// a 401 sends the user to log in (kit/saml, built with Sessions as sink
	// and this Mount: its metadata needs the mount before the kit exists).
	SSO *saml.SP
	// Security configures the security headers and CSRF check; CSRFToken is
	// taken from Sessions, and a nil Exempt exempts the kit's SAML ACS and
	// SLO endpoint (the IdP posts to both cross-site). A nil FormAction is
	// the origins of the IdP's SSO and SLO endpoints (SSO.IdPOrigins).
	Security websec.Config
	// LinkKey makes the keys of the deep links' tokens (32 bytes); nil: a random key per process.
	// Several instances behind a load balancer share one.
	LinkKey []byte
	// Preferences keeps what each customer chose (sort order, hidden actors,
	// closed cases, notifications); nil: everyone gets DefaultQuery. They are
	// the preferences of the customer whose cases are shown, so an agent sees
	// and changes what their principal chose.
	Preferences preferences.Store
	// View is how the overview looks: trust line, page size, theme (view.go).
	View View
	// Consent asks each customer for informed, explicit consent before
	// their first overview, and lets them withdraw it (consent.go); the zero
	// value asks nothing.
	Consent Consent
	// AccountSettings is where the customers' notification settings go:
	// the hub's account-settings endpoint ((*hub.Client).AccountSettings)
	// or the demo's notifier. Nil: this portal's source sends no
	// notifications, and the portal must not promise any.
	AccountSettings notification.AccountSettings
	// Limits protect the producers from refresh storms; the zero value
	// limits nothing.
	Limits Limits
	// EmbedOrigins are pages on other hosts of the kit's own site that show
	// the element (https://www.bank.se for a kit at https://arenden.bank.se):
	// they get CORS with credentials on the API (kit/cors), their
	// state-changing requests pass the CSRF check with the session's token,
	// {mount}/api/csrf answers them, and a login they start returns to their
	// page. Each must be same-site with the kit (same scheme and registrable
	// domain); a page on another site is served through its reverse proxy
	// instead (docs/widget.md). Needs Sessions; the SSO must be built with
	// saml.Config.ReturnOrigins the same. Empty: same-origin only.
	EmbedOrigins []string
}

// Limits on overview requests ({mount}/api/overview, a followed deep link,
// which asks the sources again, and Kit.Admit). A request over a limit gets
// 429 with Retry-After and is never sent to a source.
type Limits struct {
	// PerSession is the bucket of each logged-in session (one browser).
	PerSession ratelimit.Rate
	// PerAddress is the bucket of each client address (see
	// ratelimit.ClientAddress); more generous than PerSession, as one
	// office or school may share an address.
	PerAddress ratelimit.Rate
	// TrustedProxies are the load balancers whose X-Forwarded-For is
	// believed; empty: the connection's address counts, and the header,
	// which anyone can write, is ignored.
	TrustedProxies []netip.Prefix
	// MaxKeys bounds the sessions and addresses tracked, each;
	// default ratelimit.DefaultMax.
	MaxKeys int
	// SourceConcurrency caps the requests in flight to each source whose
	// fanout.Member leaves MaxConcurrent zero; zero: no cap.
	SourceConcurrency int
}

// ConfigError lists every problem of a Config.
type ConfigError struct{ Problems []string }

func (e *ConfigError) Error() string { return "kit config: " + strings.Join(e.Problems, "; ") }

// check normalises cfg's mount and names every problem of cfg; none: nil.
func (cfg *Config) check() error {
	var problems []string
	if cfg.Mount == "" {
		cfg.Mount = DefaultMount
	}
	cfg.Mount = strings.TrimSuffix(cfg.Mount, "/")
	if !strings.HasPrefix(cfg.Mount, "/") {
		problems = append(problems, "Mount: must start with /")
	}
	if len(cfg.Sources) == 0 {
		problems = append(problems, "Sources: at least one source is needed")
	}
	seen := map[string]bool{}
	for i, m := range cfg.Sources {
		switch {
		case m.Name == "":
			problems = append(problems, "Sources["+strconv.Itoa(i)+"].Name: required")
		case seen[m.Name]:
			problems = append(problems, "Sources["+strconv.Itoa(i)+"].Name: "+m.Name+" used twice")
		}
		seen[m.Name] = true
		if m.Source == nil {
			problems = append(problems, "Sources["+strconv.Itoa(i)+"].Source: required")
		}
		if m.Actor.ID == "" || m.Actor.Name == "" {
			problems = append(problems, "Sources["+strconv.Itoa(i)+"].Actor: ID and Name required")
		}
	}
	for name, r := range map[string]ratelimit.Rate{"PerSession": cfg.Limits.PerSession, "PerAddress": cfg.Limits.PerAddress} {
		if r.Burst < 0 || r.Every < 0 || r.Burst > 0 && r.Every == 0 {
			problems = append(problems, "Limits."+name+": Burst and Every must be positive (or both zero: no limit)")
		}
	}
	if cfg.Limits.MaxKeys < 0 || cfg.Limits.SourceConcurrency < 0 {
		problems = append(problems, "Limits: MaxKeys and SourceConcurrency must not be negative")
	}
	if cfg.Deadline < 0 {
		problems = append(problems, "Deadline: must not be negative")
	}
	if cfg.SSO != nil && cfg.Sessions == nil {
		problems = append(problems, "SSO: needs Sessions")
	}
	if cfg.SSO != nil && cfg.SSO.Mount() != cfg.Mount {
		problems = append(problems, "SSO: the SAML SP is mounted at "+cfg.SSO.Mount()+
			" but Mount is "+cfg.Mount+"; build it with saml.Config.Mount "+cfg.Mount)
	}
	if p := cfg.InfoPath; p != "" && (!strings.HasPrefix(p, "/") || !strings.HasSuffix(p, "/") || strings.HasPrefix(p, "//")) {
		problems = append(problems, "InfoPath: must be a path of this site ending in / (\"/mina-arenden/kontakt/\")")
	}
	problems = append(problems, cfg.checkConsent()...)
	problems = append(problems, cfg.checkEmbedding()...)
	if q := cfg.DefaultQuery; q != nil {
		// The same checks as a request's parameters: a query the API would
		// refuse cannot be everyone's default.
		if _, err := listing.Parse(q.Values(), listing.Default()); err != nil {
			problems = append(problems, "DefaultQuery: "+err.Error())
		}
	}
	if len(problems) > 0 {
		return &ConfigError{Problems: problems}
	}
	return nil
}

// checkEmbedding names the problems of EmbedOrigins and of the session
// cookie's domain, judged against the kit's origin when the SSO knows it.
func (cfg *Config) checkEmbedding() []string {
	var problems []string
	own := ""
	if cfg.SSO != nil {
		own = cfg.SSO.Origin()
	}
	if len(cfg.EmbedOrigins) > 0 {
		if cfg.Sessions == nil {
			problems = append(problems, "EmbedOrigins: needs Sessions")
		}
		if _, err := cors.New(cfg.EmbedOrigins, own); err != nil {
			for _, e := range strings.Split(err.Error(), "\n") {
				problems = append(problems, "EmbedOrigins"+e)
			}
		}
	}
	if cfg.SSO != nil && !sameSet(cfg.SSO.ReturnOrigins(), cfg.EmbedOrigins) {
		problems = append(problems, fmt.Sprintf("SSO: the SAML SP returns logins to %v but EmbedOrigins is %v; "+
			"build it with saml.Config.ReturnOrigins the same", cfg.SSO.ReturnOrigins(), cfg.EmbedOrigins))
	}
	if cfg.Sessions != nil && cfg.Sessions.CookieDomain() != "" && own != "" {
		u, _ := url.Parse(own) // the SSO checked it
		if err := session.CheckCookieDomain(cfg.Sessions.CookieDomain(), u.Hostname()); err != nil {
			problems = append(problems, "Sessions: CookieDomain "+err.Error())
		}
	}
	return problems
}

func sameSet(a, b []string) bool {
	return !slices.ContainsFunc(a, func(s string) bool { return !slices.Contains(b, s) }) &&
		!slices.ContainsFunc(b, func(s string) bool { return !slices.Contains(a, s) })
}

// withDefaults fills in what cfg leaves to the kit.
func (cfg *Config) withDefaults() {
	if cfg.Logger == nil {
		cfg.Logger = slog.Default()
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if n := cfg.Limits.SourceConcurrency; n > 0 {
		members := slices.Clone(cfg.Sources) // the portal's slice stays as it gave it
		for i := range members {
			if members[i].MaxConcurrent == 0 {
				members[i].MaxConcurrent = n
			}
		}
		cfg.Sources = members
	}
	if cfg.InfoURL == nil {
		mount := cfg.Mount
		cfg.InfoURL = func(id string) string { return mount + "/producers/" + url.PathEscape(id) }
	}
}
