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
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/arendevy/arendevy/kit/actors"
	"github.com/arendevy/arendevy/kit/cases"
	"github.com/arendevy/arendevy/kit/deeplink"
	"github.com/arendevy/arendevy/kit/fanout"
	"github.com/arendevy/arendevy/kit/identity"
	"github.com/arendevy/arendevy/kit/listing"
	"github.com/arendevy/arendevy/kit/preferences"
	"github.com/arendevy/arendevy/kit/saml"
	"github.com/arendevy/arendevy/kit/session"
	"github.com/arendevy/arendevy/kit/websec"
)

// DefaultMount is where the kit's routes live unless Config.Mount says otherwise.
const DefaultMount = "/arendevy"

// Config is everything a portal decides. The zero value of every field but
// Sources works.
type Config struct {
	// Mount is the path prefix of every route the kit serves; default /arendevy.
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
	// (a metrics hook); optional.
	Observe func(source string, outcomes []cases.Outcome, took time.Duration)
	// Now is the clock; default time.Now.
	Now func() time.Time
	// Producers is the directory of producers: the deep-link allow-list and
	// the customer-service contacts for the information page. A case whose
	// link its producer's hosts do not allow is shown without the link.
	Producers *actors.Directory
	// Links rewrites a deep link into the URL the page gets (the kit's
	// redirect endpoint, which keeps case data out of URLs); it must refuse
	// a link its producer's hosts do not allow. Nil: an allowed link is
	// passed through as it is.
	Links func(producerID, link string) (string, bool)
	// InfoURL is the page for a producer without an e-service; default
	// Mount + "/producers/{id}".
	InfoURL func(producerID string) string
	// Sessions keeps who is logged in. With Sessions the kit serves its
	// session routes (act-for, principals, csrf), runs every request through
	// the session and the security guard (headers, CSRF), and rewrites deep
	// links through its sealed redirect. Nil: the portal puts the subject in
	// the request context itself (identity.WithSubject) and guards its pages.
	Sessions *session.Manager
	// SSO is the SAML service provider whose routes the kit serves and where
	// a 401 sends the user to log in (kit/saml, built with Sessions as sink).
	SSO *saml.SP
	// Security configures the security headers and CSRF check; CSRFToken is
	// taken from Sessions and Mount from the kit.
	Security websec.Config
	// LinkKey seals deep links (32 bytes); nil: a random key per process.
	// Several instances behind a load balancer share one.
	LinkKey []byte
	// Preferences keeps what each customer chose (sort order, hidden actors,
	// closed cases, notifications); nil: everyone gets DefaultQuery. They are
	// the preferences of the customer whose cases are shown, so an agent sees
	// and changes what their principal chose.
	Preferences preferences.Store
	// View is how the overview looks: trust line, page size, theme (view.go).
	View View
}

// Kit serves the standard case overview.
type Kit struct {
	cfg     Config
	turns   turns
	source  cases.Source
	query   listing.Query
	mux     *http.ServeMux
	guard   *websec.Guard // nil without Sessions
	handler http.Handler
	view    view
}

// ConfigError lists every problem of a Config.
type ConfigError struct{ Problems []string }

func (e *ConfigError) Error() string { return "kit config: " + strings.Join(e.Problems, "; ") }

// New checks cfg and builds a Kit.
func New(cfg Config) (*Kit, error) {
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
	if cfg.Deadline < 0 {
		problems = append(problems, "Deadline: must not be negative")
	}
	if cfg.SSO != nil && cfg.Sessions == nil {
		problems = append(problems, "SSO: needs Sessions")
	}
	if q := cfg.DefaultQuery; q != nil {
		// The same checks as a request's parameters: a query the API would
		// refuse cannot be everyone's default.
		if _, err := listing.Parse(q.Values(), listing.Default()); err != nil {
			problems = append(problems, "DefaultQuery: "+err.Error())
		}
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
	if cfg.InfoURL == nil {
		mount := cfg.Mount
		cfg.InfoURL = func(id string) string { return mount + "/producers/" + url.PathEscape(id) }
	}
	k := &Kit{
		cfg:   cfg,
		turns: newTurns(runtime.GOMAXPROCS(0)),
		query: listing.Default(),
		source: &fanout.Fanout{
			Members: cfg.Sources, Deadline: cfg.Deadline, Logger: cfg.Logger, Observe: cfg.Observe,
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
	if err := k.mountView(); err != nil {
		return nil, err
	}
	if cfg.Preferences != nil {
		k.mux.HandleFunc("GET "+cfg.Mount+"/api/preferences", k.getPreferences)
		k.mux.HandleFunc("PUT "+cfg.Mount+"/api/preferences", k.putPreferences)
	}
	return k, nil
}

// secure wires the login layer: the guard, the session routes, the SSO
// routes and the sealed deep-link redirect.
func (k *Kit) secure() error {
	sec := k.cfg.Security
	sec.CSRFToken = k.cfg.Sessions.CSRFToken
	sec.Mount = k.cfg.Mount
	if sec.Logger == nil {
		sec.Logger = k.cfg.Logger
	}
	guard, err := websec.New(sec)
	if err != nil {
		return fmt.Errorf("kit: security: %w", err)
	}
	k.guard = guard
	sessionRoutes := k.cfg.Sessions.Handler()
	for _, route := range []string{"POST /act-for", "GET /api/principals", "GET /api/csrf"} {
		method, path, _ := strings.Cut(route, " ")
		k.mux.Handle(method+" "+k.cfg.Mount+path, sessionRoutes)
	}
	var loginURL func(string) string
	if k.cfg.SSO != nil {
		loginURL = k.cfg.SSO.LoginURL
		k.mux.Handle(k.cfg.Mount+"/saml/", k.cfg.SSO.Handler())
	}
	if k.cfg.Producers != nil && k.cfg.Links == nil {
		links, err := deeplink.New(deeplink.Config{Producers: k.cfg.Producers, Key: k.cfg.LinkKey,
			Mount: k.cfg.Mount, LoginURL: loginURL, Logger: k.cfg.Logger, Now: k.cfg.Now})
		if err != nil {
			return fmt.Errorf("kit: deep links: %w", err)
		}
		k.cfg.Links = links.Rewrite
		k.mux.Handle("GET "+k.cfg.Mount+"/go/", links.Handler())
	}
	// The element's files are public and cached for a year: they get the
	// security headers but skip the session, which would cost a store
	// lookup per file for nothing.
	protected, public := k.Protect(k.mux), guard.Handler(k.mux)
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
// which may carry a sealed link or a case reference.
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
// login layer when Sessions is set. Without Sessions the subject must already
// be in the request context (identity.WithSubject).
func (k *Kit) Handler() http.Handler { return k.handler }

// Customer says whose overview it is, for the view's heading.
type Customer struct {
	Name  string        `json:"name"`
	Kind  identity.Kind `json:"kind"`
	Agent bool          `json:"agent"`          // the user acts for this customer
	User  string        `json:"user,omitempty"` // the agent's own name, when Agent
}

// Overview is one compiled overview: what the API returns and what the
// server-rendered view shows.
type Overview struct {
	CompiledAt time.Time       `json:"compiledAt"`
	Customer   Customer        `json:"customer"`
	Query      listing.Query   `json:"query"`
	Total      int             `json:"total"`   // valid cases before filtering
	Cases      []CaseView      `json:"cases"`   // filtered and sorted
	Senders    []cases.Actor   `json:"senders"` // every sender among the cases, by name
	Hidden     []cases.Actor   `json:"hidden"`  // actors the customer chose to hide: not in Cases, Total or Senders
	Sources    []cases.Outcome `json:"sources"` // one per producer: ok, timeout, error, invalid
}

// Query is the listing query for one request: the kit's default, then the
// customer's preferences, then the request's own parameters, which win.
func (k *Kit) Query(ctx context.Context, subject identity.Subject, params url.Values) (listing.Query, preferences.Preferences, error) {
	p := k.preferences(ctx, subject)
	q, err := listing.Parse(params, p.Query(k.query))
	return q, p, err
}

// preferences are the customer's, or the defaults when there is no store or
// it fails: a preferences outage must not take the overview down.
func (k *Kit) preferences(ctx context.Context, subject identity.Subject) preferences.Preferences {
	if k.cfg.Preferences == nil {
		return preferences.Default()
	}
	p, err := k.cfg.Preferences.Get(ctx, subject.Customer())
	if err != nil {
		k.cfg.Logger.LogAttrs(ctx, slog.LevelWarn, "preferences unavailable; using defaults", slog.String("error", err.Error()))
		return preferences.Default()
	}
	return p
}

// Overview compiles the overview for subject: every source asked, the
// actors the customer hid left out, the rest filtered and sorted by q.
func (k *Kit) Overview(ctx context.Context, subject identity.Subject, q listing.Query, p preferences.Preferences) (Overview, error) {
	var ov Overview
	err := k.overview(ctx, subject, q, p, func(o *Overview) error {
		ov = *o
		return nil
	})
	return ov, err
}

// overview asks every source, then compiles the overview and hands it to
// use, which encodes it; all of it in turns (see turns).
func (k *Kit) overview(ctx context.Context, subject identity.Subject, q listing.Query, p preferences.Preferences, use func(*Overview) error) error {
	if err := k.turns.take(ctx); err != nil {
		return err
	}
	var res cases.Result
	err := k.turns.during(ctx, func() (err error) {
		res, err = k.source.Overview(ctx, subject)
		return err
	})
	if err != nil {
		return err
	}
	defer k.turns.give()
	ov := k.compile(res, subject, q, p)
	return use(&ov)
}

func (k *Kit) compile(res cases.Result, subject identity.Subject, q listing.Query, p preferences.Preferences) Overview {
	all := senders(res.Cases)
	shown := p.Apply(res.Cases)
	ov := Overview{
		CompiledAt: k.cfg.Now().UTC().Truncate(time.Second),
		Customer:   customerOf(subject),
		Query:      q,
		Total:      len(shown),
		Sources:    res.Outcomes,
		Senders:    all,
		Hidden:     []cases.Actor{},
	}
	if len(shown) < len(res.Cases) { // some hidden: their actors are no senders
		ov.Senders = senders(shown)
	}
	for _, a := range all {
		if slices.Contains(p.HiddenActors, a.ID) {
			ov.Hidden = append(ov.Hidden, a)
		}
	}
	ov.Cases = k.views(shown, listing.Select(shown, q))
	return ov
}

// CaseView is a case as the page gets it: its deep link checked against the
// producer's allow-list and rewritten, or the information page instead.
type CaseView struct {
	// Case is the case as the source gave it (after validation); the views
	// of an overview point into its cases rather than copying them.
	*cases.Case
	// Link shadows the producer's link: only what the kit accepted.
	Link string `json:"link,omitempty"`
	// Info is the information page naming the producer and its customer
	// service; set when there is no usable link.
	Info string `json:"info,omitempty"`
}

// views are the cases of cs at the positions idx, in that order.
func (k *Kit) views(cs []cases.Case, idx []int) []CaseView {
	out := make([]CaseView, len(idx))
	for n, i := range idx {
		v := &out[n]
		v.Case = &cs[i]
		if link, ok := k.link(v.Case); ok {
			v.Link = link
		} else {
			v.Info = k.cfg.InfoURL(v.Sender.ID)
		}
	}
	return out
}

func (k *Kit) link(c *cases.Case) (string, bool) {
	switch {
	case c.Link == "":
		return "", false
	case k.cfg.Links != nil:
		return k.cfg.Links(c.Sender.ID, c.Link) // checks the allow-list itself
	case k.cfg.Producers.Allows(c.Sender.ID, c.Link):
		return c.Link, true
	}
	return "", false
}

// DefaultQuery is the query applied when the request gives none.
func (k *Kit) DefaultQuery() listing.Query { return k.query }

func customerOf(s identity.Subject) Customer {
	c := s.Customer()
	out := Customer{Name: c.Name, Kind: c.Kind, Agent: s.IsAgent()}
	if out.Agent {
		out.User = s.User.Name
	}
	return out
}

func senders(cs []cases.Case) []cases.Actor {
	seen := map[string]bool{}
	var out []cases.Actor
	for _, c := range cs {
		if !seen[c.Sender.ID] {
			seen[c.Sender.ID] = true
			out = append(out, c.Sender)
		}
	}
	slices.SortFunc(out, func(a, b cases.Actor) int { return listing.CompareText(a.Name, b.Name) })
	return out
}

func (k *Kit) serveOverview(w http.ResponseWriter, r *http.Request) {
	noStore(w)
	subject, ok := k.subject(w, r)
	if !ok {
		return
	}
	q, prefs, err := k.Query(r.Context(), subject, r.URL.Query())
	var pe *listing.ParamError
	if errors.As(err, &pe) {
		writeProblem(w, problem{Status: http.StatusBadRequest, Title: "Invalid query parameter",
			Detail: pe.Error(), InvalidParams: pe.Params})
		return
	}
	var answer *encoded
	err = k.overview(r.Context(), subject, q, prefs, func(ov *Overview) (err error) {
		answer, err = encode(ov)
		return err
	})
	var enc *encodeError
	switch {
	case err == nil:
		answer.write(w)
	case r.Context().Err() != nil:
		// The client left while the overview waited its turn: nobody to answer.
	case errors.As(err, &enc):
		k.cfg.Logger.LogAttrs(r.Context(), slog.LevelError, "overview not encodable", slog.String("error", err.Error()))
		writeProblem(w, problem{Status: http.StatusInternalServerError, Title: "Overview unavailable",
			Detail: "The overview could not be sent. Try again shortly."})
	default:
		k.cfg.Logger.LogAttrs(r.Context(), slog.LevelError, "overview failed", slog.String("error", err.Error()))
		writeProblem(w, problem{Status: http.StatusServiceUnavailable, Title: "Overview unavailable",
			Detail: "The overview could not be compiled right now. Try again shortly."})
	}
}
