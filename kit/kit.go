// Package kit is the front door of arendevy: a portal builds a Kit from a
// Config and mounts its Handler. The Kit compiles a user's standard case
// overview on request from the configured sources, serves it as JSON to the
// <arendevy-overview> element, and keeps nothing about a case afterwards.
//
// The model and the seams live in sub-packages named after what they do:
// cases (the standard model and the Source seam), identity (who is asking),
// listing (sorting and filtering), fanout (many sources, one deadline),
// memory, hub and minaarenden (sources).
package kit

import (
	"fmt"
	"net/http"
	"runtime"
	"strings"

	"github.com/arendevy/arendevy/kit/compress"
	"github.com/arendevy/arendevy/kit/cors"
	"github.com/arendevy/arendevy/kit/fanout"
	"github.com/arendevy/arendevy/kit/internal/deeplink"
	"github.com/arendevy/arendevy/kit/listing"
	"github.com/arendevy/arendevy/kit/websec"
)

// Kit serves the standard case overview.
type Kit struct {
	cfg     Config
	turns   turns
	source  *fanout.Fanout
	query   listing.Query
	mux     *http.ServeMux
	guard   *websec.Guard // nil without Sessions
	handler http.Handler
	view    view
	limits  limiters
	links   *deeplink.Links // the kit's sealed links; nil when the portal rewrites links itself or has no sessions
}

// New checks cfg and builds a Kit.
func New(cfg Config) (*Kit, error) {
	if err := cfg.check(); err != nil {
		return nil, err
	}
	cfg.withDefaults()
	k := &Kit{
		cfg:    cfg,
		turns:  newTurns(runtime.GOMAXPROCS(0)),
		query:  listing.Default(),
		limits: newLimiters(cfg.Limits, cfg.Now),
		source: &fanout.Fanout{
			Members: cfg.Sources, Deadline: cfg.Deadline, Logger: cfg.Logger, Observe: cfg.Observe,
			Listed: func(id string) bool {
				_, ok := cfg.Producers.Lookup(id)
				return ok
			},
		},
	}
	if cfg.DefaultQuery != nil {
		k.query = *cfg.DefaultQuery
	}
	k.mux = http.NewServeMux()
	k.handler = k.mux
	if cfg.Sessions != nil {
		if err := k.secure(); err != nil {
			return nil, err
		}
	}
	k.mux.HandleFunc("GET "+cfg.Mount+"/api/overview", k.serveOverview)
	if cfg.Sessions == nil {
		// The portal keeps its own sessions: the element has no session
		// clock to watch, and 204 tells it so without an error in the console.
		k.mux.HandleFunc("GET "+cfg.Mount+"/api/session", func(w http.ResponseWriter, _ *http.Request) {
			noStore(w)
			w.WriteHeader(http.StatusNoContent)
		})
	}
	if err := k.mountView(); err != nil {
		return nil, err
	}
	if cfg.Preferences != nil {
		k.mux.HandleFunc("GET "+cfg.Mount+"/api/preferences", k.getPreferences)
		k.mux.HandleFunc("PUT "+cfg.Mount+"/api/preferences", k.putPreferences)
		if k.keepsGroups() {
			k.mux.HandleFunc("POST "+cfg.Mount+"/api/groups", k.serveGroups)
		}
	}
	if cfg.Consent.Required {
		for _, method := range []string{"GET", "PUT", "DELETE"} {
			k.mux.HandleFunc(method+" "+cfg.Mount+"/api/consent", k.serveConsent)
		}
	}
	return k, nil
}

// secure wires the login layer: the guard, the session routes, the SSO
// routes and the session-bound deep-link redirect.
func (k *Kit) secure() error {
	sec := k.cfg.Security
	sec.CSRFToken = k.cfg.Sessions.CSRFToken
	if sec.Exempt == nil {
		// The IdP posts to both cross-site, without our CSRF token: the ACS
		// is protected by the request tracking and the signatures, the SLO
		// endpoint (HTTP-POST binding) by the signature, the session match
		// and the replay cache.
		sec.Exempt = []string{k.cfg.Mount + "/saml/acs", k.cfg.Mount + "/saml/slo"}
	}
	if sec.FormAction == nil && k.cfg.SSO != nil {
		// Logout posts to us and we answer 303 to the IdP's SLO endpoint:
		// without its origin in form-action the browser stops there, on a
		// page that still shows cases, and the IdP session stays.
		sec.FormAction = k.cfg.SSO.IdPOrigins()
	}
	if sec.Logger == nil {
		sec.Logger = k.cfg.Logger
	}
	if sec.CrossOrigins == nil {
		sec.CrossOrigins = k.cfg.EmbedOrigins
	}
	guard, err := websec.New(sec)
	if err != nil {
		return fmt.Errorf("kit: security: %w", err)
	}
	k.guard = guard
	sessionRoutes, err := k.cfg.Sessions.Handler(k.cfg.Mount)
	if err != nil {
		return fmt.Errorf("kit: sessions: %w", err)
	}
	for _, route := range []string{"POST /act-for", "GET /api/principals", "GET /api/session", "POST /api/session"} {
		method, path, _ := strings.Cut(route, " ")
		k.mux.Handle(method+" "+k.cfg.Mount+path, sessionRoutes)
	}
	// The token is the one secret a page reads: only our pages and the
	// embedding ones get it (the cookie alone would reach a sibling host's).
	k.mux.Handle("GET "+k.cfg.Mount+"/api/csrf", guard.OwnPagesOnly(sessionRoutes))
	var loginURL func(string) string
	if k.cfg.SSO != nil {
		loginURL = k.cfg.SSO.LoginURL
		k.mux.Handle(k.cfg.Mount+"/saml/", k.cfg.SSO.Handler())
	}
	if k.cfg.Producers != nil && k.cfg.Links == nil {
		admit := func(r *http.Request) (bool, int) {
			ok, wait := k.Admit(r)
			return ok, RetryAfterSeconds(wait)
		}
		links, err := deeplink.New(deeplink.Config{Producers: k.cfg.Producers, Cases: k.casesOf, Admit: admit,
			Key: k.cfg.LinkKey, Mount: k.cfg.Mount, LoginURL: loginURL, SignedOut: k.cfg.View.SignedOutURL, Logger: k.cfg.Logger, Now: k.cfg.Now})
		if err != nil {
			return fmt.Errorf("kit: deep links: %w", err)
		}
		k.cfg.Links = links.Rewriter
		k.links = links
		k.mux.Handle("GET "+k.cfg.Mount+"/go/", links.Handler())
	}
	// The element's files are public and cached for a year: they get the
	// security headers but skip the session, which would cost a store
	// lookup per file for nothing.
	protected, public := k.Protect(k.mux), guard.Handler(k.mux)
	if len(k.cfg.EmbedOrigins) > 0 {
		// The assets answer every origin with "*" (they are public and
		// carry no credentials); what needs the session answers only the
		// embedding pages, preflights before the session and CSRF check.
		policy, err := cors.New(k.cfg.EmbedOrigins, "")
		if err != nil {
			return fmt.Errorf("kit: embed origins: %w", err)
		}
		protected = policy.Handler(protected)
	}
	assets := k.cfg.Mount + "/assets/"
	k.handler = http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if strings.HasPrefix(r.URL.Path, assets) {
			public.ServeHTTP(w, r)
			return
		}
		protected.ServeHTTP(w, r)
	})
	return nil
}

// Protect runs h behind the kit's login layer: security headers, the CSRF
// check on state-changing requests, and the session, which puts the
// subject in the request context. A portal wraps its own pages with it.
// Without Sessions it returns h unchanged.
func (k *Kit) Protect(h http.Handler) http.Handler {
	if k.guard == nil {
		return h
	}
	return k.guard.Handler(k.cfg.Sessions.Middleware(h))
}

// LoginURL is where a user logs in and comes back to returnTo; "" without SSO.
func (k *Kit) LoginURL(returnTo string) string {
	if k.cfg.SSO == nil {
		return ""
	}
	return k.cfg.SSO.LoginURL(returnTo)
}

// Route is the pattern of the kit's route that serves r, without its
// method ("/arendevy/api/overview", "/arendevy/go/"), or "" when r is not
// one of the kit's: the name logs and metrics use, never the raw path,
// which may carry a deep link's token or a case reference.
func (k *Kit) Route(r *http.Request) string {
	if !strings.HasPrefix(r.URL.Path, k.cfg.Mount+"/") {
		return ""
	}
	_, pattern := k.mux.Handler(r)
	if _, path, ok := strings.Cut(pattern, " "); ok {
		return path
	}
	return pattern
}

// Mount is the path prefix the kit serves under.
func (k *Kit) Mount() string { return k.cfg.Mount }

// Handler serves every route of the kit under its mount path, behind the
// login layer when Sessions is set, compressed as the browser accepts
// (compress.Handler). Without Sessions the subject must already be in the
// request context (identity.WithSubject).
func (k *Kit) Handler() http.Handler { return compress.Handler(k.handler) }
