package main

import (
	"cmp"
	"context"
	"crypto/rand"
	"crypto/rsa"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"os"
	"strconv"
	"strings"
	"sync/atomic"
	"time"

	crewjam "github.com/crewjam/saml"
	"github.com/redis/go-redis/v9"

	"github.com/arendevy/arendevy/kit"
	"github.com/arendevy/arendevy/kit/accesslog"
	"github.com/arendevy/arendevy/kit/devidp"
	"github.com/arendevy/arendevy/kit/devidp/eservice"
	"github.com/arendevy/arendevy/kit/fanout"
	"github.com/arendevy/arendevy/kit/hub"
	"github.com/arendevy/arendevy/kit/identity"
	"github.com/arendevy/arendevy/kit/loopback"
	"github.com/arendevy/arendevy/kit/mandate"
	"github.com/arendevy/arendevy/kit/memory"
	"github.com/arendevy/arendevy/kit/metrics"
	"github.com/arendevy/arendevy/kit/minaarenden"
	"github.com/arendevy/arendevy/kit/notification"
	"github.com/arendevy/arendevy/kit/postgres"
	"github.com/arendevy/arendevy/kit/preferences"
	"github.com/arendevy/arendevy/kit/producers"
	"github.com/arendevy/arendevy/kit/ratelimit"
	"github.com/arendevy/arendevy/kit/saml"
	"github.com/arendevy/arendevy/kit/session"
	"github.com/arendevy/arendevy/reference-portal/config"
	"github.com/arendevy/arendevy/reference-portal/portal"
)

// app is the wired portal: its handler and what start-up and shutdown need.
type app struct {
	handler  http.Handler
	personas []memory.Persona // the development IdP's demo personas, printed at start
	devIdP   bool
	// idp serves the development IdP on its own listener
	// (saml.dev_idp_listen); nil when it is under the portal's /devidp/.
	idp http.Handler
	// eservice is the demo e-service (kit/devidp/eservice), served on its
	// own loopback listener, opened by build because its URL goes into the
	// producers' SSO entry points; nil without the development IdP.
	eservice         *eservice.Service
	eserviceHandler  http.Handler // eservice.Handler()
	eserviceListener net.Listener
	outbox           bool // the development outbox page is served
	// prefs is the preference store the kit and the portal share (which
	// the privacy tests read back whole).
	prefs   preferences.Store
	ready   atomic.Bool
	closers []func()
	logger  *slog.Logger
}

func (a *app) setReady(v bool) { a.ready.Store(v) }

func (a *app) close() {
	for i := len(a.closers) - 1; i >= 0; i-- {
		a.closers[i]()
	}
}

// listen opens the listener. With the development IdP, where anybody logs in
// without a password, only loopback is allowed: a listen address without a
// host means localhost, and anything else is refused.
func (a *app) listen(addr string) (net.Listener, error) {
	if !a.devIdP {
		return net.Listen("tcp", addr)
	}
	if strings.HasPrefix(addr, ":") {
		addr = "127.0.0.1" + addr
	}
	return devidp.Listen(addr)
}

func (a *app) printWelcome(w io.Writer, cfg config.Config) {
	fmt.Fprintf(w, "arendevy reference portal: %s (theme %s)\n", cfg.PublicURL, cfg.Theme)
	if a.idp != nil {
		fmt.Fprintf(w, "Development IdP: %s\n", devIdPBase(cfg))
	}
	if a.outbox {
		fmt.Fprintf(w, "Development outbox (what the demo hub would notify): %s%s\n", cfg.PublicURL, portal.OutboxPath)
	}
	if a.eservice != nil {
		fmt.Fprintf(w, "Demo e-service: %s (deep links open it, logged in; its SP metadata: %s)\n", a.eservice.URL(), a.eservice.MetadataURL())
	}
	if len(a.personas) > 0 {
		fmt.Fprintln(w, "Demo personas at the development IdP:")
	}
	for _, p := range a.personas {
		line := fmt.Sprintf("  %-22s %s", p.Party.Name, p.Description)
		for _, f := range p.ActsFor {
			line += fmt.Sprintf("; acts for %s", f.Name)
		}
		fmt.Fprintln(w, line)
	}
	fmt.Fprintln(w, "Stop with Ctrl-C.")
}

// parts are what the configuration makes without the network: the
// sources, the SP's key, the development IdP and the preference store.
type parts struct {
	src    sources
	spKey  *rsa.PrivateKey
	spCert *x509.Certificate
	devIdP *devidp.IdP // nil unless saml.dev_idp
	prefs  preferences.Store
}

// prepare makes parts from a loaded configuration. It is the one check of
// what the configuration file's own rules cannot see (a client refusing its
// settings, a development IdP without personas): start-up runs it inside
// build and -check-config runs it after config.Load, so the two refuse the
// same configurations with the same message.
func prepare(cfg config.Config, logger *slog.Logger) (*parts, error) {
	src, err := buildSources(cfg, logger)
	if err != nil {
		return nil, err
	}
	p := &parts{src: src}
	if p.spKey, p.spCert, err = spKeyPair(cfg); err != nil {
		return nil, err
	}
	if cfg.SAML.DevIdP {
		if p.devIdP, err = developmentIdP(cfg, src.personas, logger); err != nil {
			return nil, err
		}
	}
	if cfg.Preferences.Store != config.StorePostgres {
		// PostgreSQL is opened (and migrated) by build: that needs the
		// network, which a check of the configuration does not use.
		if p.prefs, err = preferenceStore(context.Background(), cfg, src.hubs); err != nil {
			return nil, err
		}
	}
	return p, nil
}

// build wires the kit and the portal from cfg.
func build(ctx context.Context, cfg config.Config, logger *slog.Logger) (*app, error) {
	a := &app{devIdP: cfg.SAML.DevIdP, logger: logger}
	fail := func(err error) (*app, error) { a.close(); return nil, err }

	var reg *metrics.Registry
	if cfg.Metrics.Enabled {
		reg = metrics.New()
	}
	pp, err := prepare(cfg, logger)
	if err != nil {
		return fail(err)
	}
	src := pp.src
	if cfg.SAML.DevIdP {
		// Only the development IdP lets anybody log in as them.
		a.personas = src.personas
	}

	var rdb redis.UniversalClient
	if cfg.Session.Store == config.StoreRedis {
		var err error
		if rdb, err = redisClient(cfg.Session); err != nil {
			return fail(err)
		}
		a.closers = append(a.closers, func() { _ = rdb.Close() })
		pingCtx, cancel := context.WithTimeout(ctx, 5*time.Second)
		err = rdb.Ping(pingCtx).Err()
		cancel()
		if err != nil {
			return fail(fmt.Errorf("session: Redis does not answer: %w", err))
		}
	}

	var store session.Store = session.NewMemory(session.MemoryConfig{Logger: logger})
	var replay saml.ReplayCache = saml.NewMemoryReplayCache(saml.MemoryReplayConfig{})
	if rdb != nil {
		store = session.NewRedis(rdb, "")
		replay = saml.NewRedisReplayCache(rdb, "")
	}
	loopback := isLoopbackURL(cfg.PublicURL)
	sm, err := session.NewManager(session.Config{
		Store: store, IdleTimeout: cfg.Session.Idle, AbsoluteTimeout: cfg.Session.Absolute,
		AcceptedLoAs: cfg.SAML.LoA, Mandates: src.mandates, AllowPlainHTTP: loopback, Logger: logger,
		CookieDomain: cfg.Session.CookieDomain,
	})
	if err != nil {
		return fail(err)
	}

	spKey, spCert, idp := pp.spKey, pp.spCert, pp.devIdP
	idpMeta, err := identityProvider(ctx, cfg, idp)
	if err != nil {
		return fail(err)
	}
	// The SP publishes its ACS in metadata before the kit exists, so it is
	// told the kit's mount; kit.New refuses the two if they ever differ.
	sp, err := saml.New(saml.Config{
		RootURL: cfg.PublicURL, Mount: kit.DefaultMount, EntityID: cfg.SAML.EntityID, Key: spKey, Certificate: spCert,
		IdPMetadata: idpMeta, LoAs: cfg.SAML.LoA, ForceAuthn: cfg.SAML.ForceAuthn,
		ClockSkew: cfg.SAML.ClockSkew, AllowIdPInitiated: cfg.SAML.AllowIdPInitiated,
		Replay: replay, Sessions: sm, AllowPlainHTTP: loopback, Logger: logger,
		DefaultReturn: "/mina-arenden", ReturnOrigins: cfg.EmbedOrigins,
	})
	if err != nil {
		return fail(err)
	}
	directory := src.directory
	if idp != nil {
		if err := idp.Register(sp.Metadata()); err != nil {
			return fail(err)
		}
		if a.eservice, a.eserviceListener, err = demoEService(cfg, idp, directory, logger); err != nil {
			return fail(err)
		}
		a.closers = append(a.closers, func() { _ = a.eserviceListener.Close() })
		a.eserviceHandler = a.eservice.Handler()
		// The demo producers' deep links open the demo e-service.
		if directory, err = a.eservice.Directory(); err != nil {
			return fail(err)
		}
	}

	prefs := pp.prefs
	if prefs == nil {
		if prefs, err = preferenceStore(ctx, cfg, src.hubs); err != nil {
			return fail(err)
		}
		if pg, ok := prefs.(*postgres.Store); ok {
			a.closers = append(a.closers, pg.Close)
		}
	}
	a.prefs = prefs
	kcfg := kit.Config{
		Sources: src.members, Deadline: cfg.Deadline, Producers: directory,
		Sessions: sm, SSO: sp, Preferences: prefs, Logger: logger, EmbedOrigins: cfg.EmbedOrigins,
		Consent:         kit.Consent{Required: cfg.Preferences.Consent, Page: portal.ConsentPath},
		AccountSettings: accountSettings(cfg, src),
		Limits: kit.Limits{
			PerSession:        ratelimit.Rate{Burst: cfg.Limits.SessionBurst, Every: cfg.Limits.SessionEvery},
			PerAddress:        ratelimit.Rate{Burst: cfg.Limits.AddressBurst, Every: cfg.Limits.AddressEvery},
			TrustedProxies:    cfg.Limits.Prefixes(),
			SourceConcurrency: cfg.Limits.SourceConcurrency,
		},
	}
	if reg != nil {
		kcfg.Observe = reg.Observe
	}
	if cfg.Session.KeyFile != "" {
		if kcfg.LinkKey, err = config.ReadSecret(cfg.Session.KeyFile); err != nil {
			return fail(fmt.Errorf("session.key_file: %w", err))
		}
		kcfg.LinkKey = kcfg.LinkKey[:32]
	}
	// The cases page's own heading says "Mina ärenden"; the settings page
	// shows hidden actors again; a case without an e-service leads to the
	// portal's own information page.
	kcfg.View.HeadingYields = true
	kcfg.View.SettingsURL = "/installningar"
	// A link to a case followed without a session opens the start page, in
	// the portal's layout, with a notice and the login (portal.Options).
	kcfg.View.SignedOutURL = portal.SignedOutPath
	kcfg.InfoPath = portal.InfoPath
	k, err := kit.New(kcfg)
	if err != nil {
		return fail(err)
	}

	extra := map[string]http.Handler{
		"GET /healthz": http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
			w.Header().Set("Cache-Control", "no-store")
			_, _ = io.WriteString(w, "ok\n")
		}),
		"GET /readyz": http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Cache-Control", "no-store")
			if !a.ready.Load() || !redisAnswers(r.Context(), rdb) {
				http.Error(w, "not ready", http.StatusServiceUnavailable)
				return
			}
			_, _ = io.WriteString(w, "ready\n")
		}),
	}
	switch {
	case idp != nil && cfg.SAML.DevIdPListen != "":
		a.idp = idp.Handler()
	case idp != nil:
		extra["/devidp/"] = idp.Handler()
	}
	route := func(r *http.Request) string {
		if kr := k.Route(r); kr != "" {
			return kr
		}
		return pageRoute(r)
	}
	var middleware []func(http.Handler) http.Handler
	middleware = append(middleware, accesslog.Middleware(logger, route))
	if reg != nil {
		extra["GET "+cfg.Metrics.Path] = reg.Handler()
		middleware = append(middleware, reg.Middleware(route))
	}
	// The trust line: the configured one, else "approved by" the
	// configured authority, in the catalogue's words.
	trust := map[string]string{}
	for _, lang := range cfg.Languages {
		switch line, by := cfg.TrustLine.For(lang), cfg.ApprovedBy.For(lang); {
		case line != "":
			trust[lang] = line
		case by != "":
			trust[lang] = k.Messages().Localizer(lang).Text("approved", "By", by)
		}
	}
	var outbox *portal.Outbox
	if cfg.SAML.DevIdP && src.notifier != nil {
		// Only beside the development IdP, like its pages: the outbox shows
		// every demo persona's address.
		outbox = &portal.Outbox{Notifier: src.notifier, Personas: src.personas}
	}
	p, err := portal.New(portal.Options{
		Outbox: outbox,
		Kit:    k, Sessions: sm, Preferences: prefs, Producers: directory,
		LoginURL: k.LoginURL, Theme: cfg.Theme, Languages: cfg.Languages, Trust: trust, Demo: cfg.SAML.DevIdP, PublicURL: cfg.PublicURL,
		Extra: extra, Middleware: middleware, Logger: logger,
	})
	if err != nil {
		return fail(err)
	}
	a.handler = p.Handler()
	a.outbox = outbox != nil
	a.prefs = prefs
	return a, nil
}

// redisClient is the configured Redis: one server by URL, or the primary
// that the Sentinels name (go-redis's failover client asks them again
// whenever the primary changes). Behind Sentinel a command that meets a
// primary gone away is retried for about four seconds, backing off to a
// second, which is how long Sentinel takes to notice and promote the
// replica: a request in that window waits instead of failing.
func redisClient(s config.Session) (redis.UniversalClient, error) {
	if len(s.RedisSentinels) > 0 {
		return redis.NewFailoverClient(&redis.FailoverOptions{
			MasterName: s.RedisMaster, SentinelAddrs: s.RedisSentinels,
			DialTimeout: time.Second, ReadTimeout: time.Second, WriteTimeout: time.Second,
			MaxRetries: 6, MinRetryBackoff: 100 * time.Millisecond, MaxRetryBackoff: time.Second,
		}), nil
	}
	opts, err := redis.ParseURL(s.RedisURL)
	if err != nil {
		return nil, fmt.Errorf("session.redis_url: %w", err)
	}
	return redis.NewClient(opts), nil
}

// readyPing bounds /readyz's PING of Redis, well within a balancer's
// check timeout.
const readyPing = 500 * time.Millisecond

// redisAnswers reports whether the session store can be reached, so that a
// balancer stops sending users to an instance that cannot check logins;
// true without Redis.
func redisAnswers(ctx context.Context, rdb redis.UniversalClient) bool {
	if rdb == nil {
		return true
	}
	ctx, cancel := context.WithTimeout(ctx, readyPing)
	defer cancel()
	return rdb.Ping(ctx).Err() == nil
}

// pageRoute names a portal page's route for logs and metrics, or "" for the
// operational routes (their ServeMux pattern names them). Never a raw path:
// anything unknown is "other".
func pageRoute(r *http.Request) string {
	if r.Pattern != "" && r.Pattern != "/" {
		return ""
	}
	switch r.URL.Path {
	case "/", "/mina-arenden", "/installningar", "/om-tjansten":
		return r.URL.Path
	}
	if strings.HasPrefix(r.URL.Path, "/sprak/") {
		return "/sprak/{lang}"
	}
	if strings.HasPrefix(r.URL.Path, portal.InfoPath) {
		return portal.InfoPath + "{token}"
	}
	return "other"
}

// sources is what the configured sources amount to.
type sources struct {
	members   []fanout.Member
	directory *producers.Directory
	personas  []memory.Persona
	mandates  mandate.Source
	hubs      map[string]*hub.Client
	// notifier is the demo hub's notification service, with a demo source.
	notifier *memory.Notifier
}

func buildSources(cfg config.Config, logger *slog.Logger) (sources, error) {
	var s sources
	s.hubs = map[string]*hub.Client{}
	var demo *memory.Data
	for i, sc := range cfg.Sources {
		field := fmt.Sprintf("sources[%d]", i)
		m := fanout.Member{Name: sc.Name, Actor: sc.Operator, Timeout: sc.Timeout}
		// A source's requests end when the source's time is up, so that no
		// connection attempt outlives the overview that asked for it.
		timeout := cmp.Or(sc.Timeout, cfg.Deadline)
		switch sc.Kind {
		case config.KindDemo:
			data, err := demoData(sc.DataFile)
			if err != nil {
				return s, fmt.Errorf("%s.data_file: %w", field, err)
			}
			demo = data
			m.Source = data
		case config.KindHub:
			tc, err := sc.ClientTLS()
			if err != nil {
				return s, fmt.Errorf("%s: %w", field, err)
			}
			c, err := hub.New(hub.Config{URL: sc.URL, TLS: tc, Timeout: timeout, Headers: sc.Headers, Name: sc.Name, Actor: sc.Operator})
			if err != nil {
				return s, fmt.Errorf("%s: %w", field, err)
			}
			s.hubs[sc.Name] = c
			m.Source = c
		case config.KindMinaArenden:
			tc, err := sc.ClientTLS()
			if err != nil {
				return s, fmt.Errorf("%s: %w", field, err)
			}
			c, err := minaarenden.New(minaarenden.Config{
				URL: sc.URL, TLS: tc, Timeout: timeout,
				Headers: sc.Headers, User: sc.User, Types: sc.Types, Tags: sc.Tags, Since: sc.Since,
				Catalogue: sc.Catalogue(),
			})
			if err != nil {
				return s, fmt.Errorf("%s: %w", field, err)
			}
			m.Source = c
		default:
			return s, fmt.Errorf("%s.kind: unknown %q", field, sc.Kind)
		}
		s.members = append(s.members, m)
	}
	var err error
	switch {
	case len(cfg.Producers) > 0:
		s.directory, err = producers.New(cfg.Producers)
	case demo != nil:
		s.directory = demo.Directory()
	default:
		s.directory, err = producers.New(nil)
	}
	if err != nil {
		return s, err
	}
	if demo != nil {
		s.notifier = memory.NewNotifier(nil)
		s.personas = demo.Personas()
		static := mandate.Static{}
		for _, p := range s.personas {
			if len(p.ActsFor) > 0 {
				static[p.Party.Number] = append([]identity.Party(nil), p.ActsFor...)
			}
		}
		s.mandates = static
	}
	logger.Debug("sources wired", slog.Int("count", len(s.members)))
	return s, nil
}

func demoData(file string) (*memory.Data, error) {
	if file == "" {
		return memory.Demo(time.Now()), nil
	}
	f, err := os.Open(file)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	return memory.Load(f, memory.ShiftTo(time.Now()))
}

// spKeyPair is the SP's signing key: from files, or made at start for the
// development IdP (nothing outside this process trusts it).
func spKeyPair(cfg config.Config) (*rsa.PrivateKey, *x509.Certificate, error) {
	if cfg.SAML.SPKeyFile == "" {
		return devidp.KeyPair("arendevy reference portal (development)")
	}
	pair, err := tls.LoadX509KeyPair(cfg.SAML.SPCertFile, cfg.SAML.SPKeyFile)
	if err != nil {
		return nil, nil, fmt.Errorf("saml.sp_cert_file: %w", err)
	}
	key, ok := pair.PrivateKey.(*rsa.PrivateKey)
	if !ok {
		return nil, nil, errors.New("saml.sp_key_file: must be an RSA key")
	}
	cert, err := x509.ParseCertificate(pair.Certificate[0])
	if err != nil {
		return nil, nil, fmt.Errorf("saml.sp_cert_file: %w", err)
	}
	return key, cert, nil
}

// devIdPBase is where the development IdP is served: under the portal, or
// on its own loopback listener (another origin).
func devIdPBase(cfg config.Config) string {
	if cfg.SAML.DevIdPListen == "" {
		return cfg.PublicURL + "/devidp"
	}
	return "http://" + cfg.SAML.DevIdPListen + "/devidp"
}

// demoEService opens the demo e-service's loopback listener (a free port
// unless saml.demo_eservice_listen names one) and builds the service there,
// a second SP of the development IdP. Its URL has the IdP's host name,
// whatever address it listens on: the IdP's form posts the login to it, and
// only a same-site post brings the service's login cookie (SameSite=Lax).
func demoEService(cfg config.Config, idp *devidp.IdP, dir *producers.Directory, logger *slog.Logger) (*eservice.Service, net.Listener, error) {
	l, err := devidp.Listen(cmp.Or(cfg.SAML.DemoEServiceListen, "127.0.0.1:0"))
	if err != nil {
		return nil, nil, fmt.Errorf("saml.demo_eservice_listen: %w", err)
	}
	idpURL, err := url.Parse(devIdPBase(cfg))
	if err != nil {
		_ = l.Close()
		return nil, nil, err
	}
	port := strconv.Itoa(l.Addr().(*net.TCPAddr).Port)
	svc, err := eservice.New(eservice.Config{BaseURL: "http://" + net.JoinHostPort(idpURL.Hostname(), port),
		IdP: idp, Producers: dir, Logger: logger})
	if err != nil {
		_ = l.Close()
		return nil, nil, fmt.Errorf("saml.demo_eservice_listen: %w", err)
	}
	return svc, l, nil
}

// developmentIdP is the embedded development IdP, whose users are the demo
// personas.
func developmentIdP(cfg config.Config, personas []memory.Persona, logger *slog.Logger) (*devidp.IdP, error) {
	if len(personas) == 0 {
		return nil, errors.New("saml.dev_idp: the development IdP logs users in as the demo data's personas, and no source has any: " +
			"add a source of kind = \"demo\", or set dev_idp = false and name your IdP's metadata")
	}
	key, cert, err := devidp.KeyPair("arendevy development IdP")
	if err != nil {
		return nil, err
	}
	idp, err := devidp.New(devidp.Config{BaseURL: devIdPBase(cfg), Key: key, Certificate: cert,
		Personas: devPersonas(personas), Logger: logger})
	if err != nil {
		return nil, fmt.Errorf("saml.dev_idp: %w", err)
	}
	return idp, nil
}

// identityProvider is the IdP's metadata: the embedded development IdP's
// (dev, when configured), a file's, or fetched once at start from its
// https URL.
func identityProvider(ctx context.Context, cfg config.Config, dev *devidp.IdP) (*crewjam.EntityDescriptor, error) {
	switch {
	case dev != nil:
		return dev.Metadata(), nil
	case cfg.SAML.IdPMetadataFile != "":
		md, err := config.ReadIdPMetadata(cfg.SAML.IdPMetadataFile)
		if err != nil {
			return nil, fmt.Errorf("saml.idp_metadata_file: %w", err)
		}
		return md, nil
	default:
		md, err := fetchMetadata(ctx, cfg.SAML.IdPMetadataURL)
		if err != nil {
			return nil, fmt.Errorf("saml.idp_metadata_url: %w", err)
		}
		return md, nil
	}
}

// devPersonas are the people among the demo personas, with the mandates
// that the development IdP's chooser names as their role.
func devPersonas(personas []memory.Persona) []devidp.Persona {
	out := devidp.PersonasOf(partiesOf(personas))
	for i := range out {
		for _, p := range personas {
			if p.Party.Number == out[i].Number {
				out[i].ActsFor = p.ActsFor
			}
		}
	}
	return out
}

func partiesOf(personas []memory.Persona) []identity.Party {
	out := make([]identity.Party, len(personas))
	for i, p := range personas {
		out[i] = p.Party
	}
	return out
}

// fetchMetadata reads the IdP's metadata from u (saml.FetchIdPMetadata:
// no redirect followed) and checks it.
func fetchMetadata(ctx context.Context, u string) (*crewjam.EntityDescriptor, error) {
	raw, err := saml.FetchIdPMetadata(ctx, u)
	if err != nil {
		return nil, err
	}
	return config.ParseIdPMetadata(raw)
}

// preferenceStore builds the configured store. PostgreSQL is asked at start
// (and its migrations applied), as Redis is: a portal that cannot reach its
// database is told so now, not by each user later.
func preferenceStore(ctx context.Context, cfg config.Config, hubs map[string]*hub.Client) (preferences.Store, error) {
	if cfg.Preferences.Store == config.StoreHub {
		name := cfg.Preferences.Source
		if name == "" {
			for n := range hubs {
				name = n
			}
		}
		c, ok := hubs[name]
		if !ok {
			return nil, fmt.Errorf("preferences.source: no hub source named %q", name)
		}
		return c, nil
	}
	secret := make([]byte, 32)
	if cfg.Preferences.SecretFile != "" {
		var err error
		if secret, err = config.ReadSecret(cfg.Preferences.SecretFile); err != nil {
			return nil, fmt.Errorf("preferences.secret_file: %w", err)
		}
	} else if _, err := rand.Read(secret); err != nil {
		return nil, err
	}
	if cfg.Preferences.Store == config.StorePostgres {
		openCtx, cancel := context.WithTimeout(ctx, 10*time.Second)
		defer cancel()
		s, err := postgres.Open(openCtx, cfg.Preferences.DSN, secret)
		if err != nil {
			// pgx's errors name host, user and database, never the password.
			return nil, fmt.Errorf("preferences.dsn: %w", err)
		}
		return s, nil
	}
	return preferences.NewMemory(secret)
}

// accountSettings is where the customers' notification settings go: the
// hub that preferences.source names (or the only hub), else the demo's
// notifier, else nowhere: a portal on Mina ärenden alone has no sender,
// and its settings page says it offers no notifications.
func accountSettings(cfg config.Config, src sources) notification.AccountSettings {
	name := cfg.Preferences.Source
	if name == "" && len(src.hubs) == 1 {
		for n := range src.hubs {
			name = n
		}
	}
	if c, ok := src.hubs[name]; ok {
		return c.AccountSettings()
	}
	if src.notifier != nil {
		return src.notifier
	}
	return nil
}

func isLoopbackURL(raw string) bool {
	u, err := url.Parse(raw)
	return err == nil && loopback.Host(u.Hostname())
}
