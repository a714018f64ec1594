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
	"log/slog"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/arendevy/arendevy/kit/actors"
	"github.com/arendevy/arendevy/kit/cases"
	"github.com/arendevy/arendevy/kit/fanout"
	"github.com/arendevy/arendevy/kit/identity"
	"github.com/arendevy/arendevy/kit/listing"
	"github.com/arendevy/arendevy/kit/preferences"
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
	// Links rewrites an allowed deep link into the URL the page gets (the kit's
	// redirect endpoint, which keeps case data out of URLs). Nil: the link is
	// passed through as it is.
	Links func(producerID, link string) (string, bool)
	// InfoURL is the page for a producer without an e-service; default
	// Mount + "/producers/{id}".
	InfoURL func(producerID string) string
	// Preferences keeps what each customer chose (sort order, hidden actors,
	// closed cases, notifications); nil: everyone gets DefaultQuery. They are
	// the preferences of the customer whose cases are shown, so an agent sees
	// and changes what their principal chose.
	Preferences preferences.Store
}

// Kit serves the standard case overview.
type Kit struct {
	cfg    Config
	source cases.Source
	query  listing.Query
	mux    *http.ServeMux
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
		query: listing.Default(),
		source: &fanout.Fanout{
			Members: cfg.Sources, Deadline: cfg.Deadline, Logger: cfg.Logger, Observe: cfg.Observe,
		},
	}
	if cfg.DefaultQuery != nil {
		k.query = *cfg.DefaultQuery
	}
	k.mux = http.NewServeMux()
	k.mux.HandleFunc("GET "+cfg.Mount+"/api/overview", k.serveOverview)
	if cfg.Preferences != nil {
		k.mux.HandleFunc("GET "+cfg.Mount+"/api/preferences", k.getPreferences)
		k.mux.HandleFunc("PUT "+cfg.Mount+"/api/preferences", k.putPreferences)
	}
	return k, nil
}

// Mount is the path prefix the kit serves under.
func (k *Kit) Mount() string { return k.cfg.Mount }

// Handler serves every route of the kit under its mount path. The subject
// must be in the request context (identity.WithSubject) — the SSO layer puts
// it there.
func (k *Kit) Handler() http.Handler { return k.mux }

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
	res, err := k.source.Overview(ctx, subject)
	if err != nil {
		return Overview{}, err
	}
	all := senders(res.Cases)
	shown := p.Apply(res.Cases)
	ov := Overview{
		CompiledAt: k.cfg.Now().UTC().Truncate(time.Second),
		Customer:   customerOf(subject),
		Query:      q,
		Total:      len(shown),
		Sources:    res.Outcomes,
		Senders:    senders(shown),
		Hidden:     []cases.Actor{},
	}
	for _, a := range all {
		if slices.Contains(p.HiddenActors, a.ID) {
			ov.Hidden = append(ov.Hidden, a)
		}
	}
	ov.Cases = k.views(listing.Apply(shown, q))
	return ov, nil
}

// CaseView is a case as the page gets it: its deep link checked against the
// producer's allow-list and rewritten, or the information page instead.
type CaseView struct {
	cases.Case
	// Link shadows the producer's link: only what the kit accepted.
	Link string `json:"link,omitempty"`
	// Info is the information page naming the producer and its customer
	// service; set when there is no usable link.
	Info string `json:"info,omitempty"`
}

func (k *Kit) views(cs []cases.Case) []CaseView {
	out := make([]CaseView, len(cs))
	for i, c := range cs {
		out[i] = CaseView{Case: c}
		if link, ok := k.link(c); ok {
			out[i].Link = link
		} else {
			out[i].Info = k.cfg.InfoURL(c.Sender.ID)
		}
	}
	return out
}

func (k *Kit) link(c cases.Case) (string, bool) {
	if c.Link == "" || !k.cfg.Producers.Allows(c.Sender.ID, c.Link) {
		return "", false
	}
	if k.cfg.Links == nil {
		return c.Link, true
	}
	return k.cfg.Links(c.Sender.ID, c.Link)
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
	ov, err := k.Overview(r.Context(), subject, q, prefs)
	if err != nil {
		k.cfg.Logger.LogAttrs(r.Context(), slog.LevelError, "overview failed", slog.String("error", err.Error()))
		writeProblem(w, problem{Status: http.StatusServiceUnavailable, Title: "Overview unavailable",
			Detail: "The overview could not be compiled right now. Try again shortly."})
		return
	}
	writeJSON(w, http.StatusOK, ov)
}
