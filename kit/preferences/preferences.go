// Package preferences is what a customer chose about their overview: how it
// is sorted, which actors are hidden, whether closed cases stay in view,
// whether the overview is discreet (for a screen others can see) and which
// changes they want to be told about. Preferences are small and the
// customer's own; they never hold case data.
//
// How preferences reach an overview: the sort order and the choice about
// closed cases only set the starting point of the listing query (Query), so a
// user can still ask for closed cases or another order on one request.
// Hidden actors are a filter (Apply) run before the listing, because
// listing.Query can only say which senders to include, and turning "all but
// these" into an include list would need the set of every connected actor,
// which a preference does not know.
package preferences

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/arendevy/arendevy/kit/cases"
	"github.com/arendevy/arendevy/kit/identity"
	"github.com/arendevy/arendevy/kit/internal/jsondecode"
	"github.com/arendevy/arendevy/kit/listing"
)

// NotifyMode is which changes the customer wants to be notified about.
type NotifyMode string

const (
	NotifyAll            NotifyMode = "all"             // every change of every case
	NotifyActors         NotifyMode = "actors"          // changes of cases from the listed actors
	NotifyActionRequired NotifyMode = "action_required" // only when the customer must act
)

// Notify is the customer's notification scope. The notification service
// tells the customer that something changed, never what.
type Notify struct {
	Mode   NotifyMode `json:"mode"`
	Actors []string   `json:"actors,omitempty"` // actor IDs; only with NotifyActors
}

// Preferences is one customer's choices. The zero value is not valid; start
// from Default.
type Preferences struct {
	Sort         listing.Key `json:"sort"`
	Descending   bool        `json:"descending"`
	HiddenActors []string    `json:"hiddenActors,omitempty"` // actor IDs whose cases are not shown
	ShowClosed   bool        `json:"showClosed"`
	Notify       Notify      `json:"notify"`
	// Discreet is the mode for a shared screen: the overview leaves out
	// every text a producer wrote about a case (title, free text, officer,
	// pairs, history, planned event, what is due) and keeps sender,
	// status and dates in their places. See Redact.
	Discreet bool `json:"discreet"`

	// LastVisit and PreviousVisit are when the customer last looked at the
	// overview and where "new since your last visit" counts from (see
	// Visit). Instants only: never a case's id, title or date.
	LastVisit     time.Time `json:"lastVisit,omitzero"`
	PreviousVisit time.Time `json:"previousVisit,omitzero"`

	// Consent is the customer's consent to the overview, when the portal
	// asks for one (see Consent). Zero: not given.
	Consent Consent `json:"consent,omitzero"`

	// Groups are the customer's case groups (see Group): names and keyed
	// references, never a case's text.
	Groups []Group `json:"groups,omitempty"`

	// fallback marks the defaults standing in for preferences that could
	// not be read; never stored or sent.
	fallback bool
}

// Limits keep a stored preference small.
const (
	MaxActors  = 100 // per list; as many as a listing query accepts
	MaxActorID = cases.MaxActorID
)

// Default is the standard view: every case from every actor, closed ones
// included, newest first, and every change notified.
func Default() Preferences {
	return Preferences{Sort: listing.ByDate, Descending: true, ShowClosed: true, Notify: Notify{Mode: NotifyAll}}
}

// Fallback is Default standing in for the customer's own preferences when
// the store cannot be read: the overview is still shown, and says so.
func Fallback() Preferences {
	p := Default()
	p.fallback = true
	return p
}

// IsFallback reports whether p came from Fallback, not from the customer.
func (p Preferences) IsFallback() bool { return p.fallback }

// ValidationError lists every problem of a Preferences value. Reasons never
// repeat the value, so the error is safe to log and to show.
type ValidationError struct{ Problems []cases.Problem }

func (e *ValidationError) Error() string {
	s := make([]string, len(e.Problems))
	for i, p := range e.Problems {
		s[i] = p.String()
	}
	return "preferences: " + strings.Join(s, "; ")
}

// Validate returns a *ValidationError naming every problem, or nil.
func (p Preferences) Validate() error {
	var ps []cases.Problem
	add := func(field, format string, a ...any) {
		ps = append(ps, cases.Problem{Field: field, Reason: fmt.Sprintf(format, a...)})
	}
	switch p.Sort {
	case listing.ByDate, listing.BySender, listing.ByStatus, listing.ByTitle:
	default:
		add("sort", "must be date, sender, status or title")
	}
	actorList := func(field string, ids []string) {
		if len(ids) > MaxActors {
			add(field, "more than %d actors", MaxActors)
			return
		}
		for i, id := range ids {
			switch {
			case !cases.ValidActorID(id):
				add(fmt.Sprintf("%s[%d]", field, i), "actor IDs are letters, digits, '-', '_' and '.', at most %d characters", MaxActorID)
			case slices.Contains(ids[:i], id):
				add(fmt.Sprintf("%s[%d]", field, i), "listed twice")
			}
		}
	}
	actorList("hiddenActors", p.HiddenActors)
	switch p.Notify.Mode {
	case NotifyAll, NotifyActionRequired:
		if len(p.Notify.Actors) > 0 {
			add("notify.actors", "only allowed with mode actors")
		}
	case NotifyActors:
		if len(p.Notify.Actors) == 0 {
			add("notify.actors", "required with mode actors")
		}
		actorList("notify.actors", p.Notify.Actors)
	default:
		add("notify.mode", "must be all, actors or action_required")
	}
	p.validateGroups(add)
	if p.PreviousVisit.After(p.LastVisit) {
		add("previousVisit", "must not be after lastVisit")
	}
	if c := p.Consent; !c.IsZero() && (c.Version < 1 || c.Version > MaxConsentVersion || c.Given.IsZero()) {
		add("consent", "needs a version from 1 to %d and the time it was given", MaxConsentVersion)
	}
	if len(ps) > 0 {
		return &ValidationError{Problems: ps}
	}
	return nil
}

// Query returns base with the customer's sort order, narrowed to open cases
// when they do not want closed ones. Parameters the user gives on a request
// are parsed on top of the result, so they still win.
func (p Preferences) Query(base listing.Query) listing.Query {
	q := base
	if p.Sort != "" {
		q.Sort, q.Descending = p.Sort, p.Descending
	}
	if !p.ShowClosed && q.Scope == listing.All {
		q.Scope = listing.OpenOnly
	}
	return q
}

// Apply returns the cases whose sender the customer has not hidden, in their
// original order. It does not touch closed cases: see Query.
func (p Preferences) Apply(cs []cases.Case) []cases.Case {
	if len(p.HiddenActors) == 0 {
		return cs
	}
	out := make([]cases.Case, 0, len(cs))
	for _, c := range cs {
		if !slices.Contains(p.HiddenActors, c.Sender.ID) {
			out = append(out, c)
		}
	}
	return out
}

// Redact returns c as discreet mode shows it: title replaced by placeholder
// (the catalogue's neutral text, in the page's language) and every other
// text the producer wrote about the case left out, so it never reaches the
// page at all, not even hidden. Sender, status, dates, the forecast, the
// payment state and the link to the e-service stay. The producer's
// language goes too: what is left is the page's own text.
func Redact(c cases.Case, placeholder string) cases.Case {
	return cases.Case{
		ID: c.ID, Date: c.Date, Title: placeholder, Sender: c.Sender, Status: c.Status, Forecast: c.Forecast,
		Payment: c.Payment, PlannedTime: c.PlannedTime, Link: c.Link, Created: c.Created, Updated: c.Updated,
	}
}

// Wants reports whether a change that leaves a case of actor actorID in
// status should be notified under n.
func (n Notify) Wants(actorID string, status cases.Status) bool {
	switch n.Mode {
	case NotifyAll:
		return true
	case NotifyActors:
		return slices.Contains(n.Actors, actorID)
	case NotifyActionRequired:
		return status == cases.ActionRequired
	}
	return false
}

// Clone returns p with its own copies of the actor lists and groups.
func (p Preferences) Clone() Preferences {
	p.HiddenActors = slices.Clone(p.HiddenActors)
	p.Notify.Actors = slices.Clone(p.Notify.Actors)
	if p.Groups != nil {
		groups := make([]Group, len(p.Groups))
		for i, g := range p.Groups {
			groups[i] = Group{ID: g.ID, Name: g.Name, Refs: slices.Clone(g.Refs)}
		}
		p.Groups = groups
	}
	return p
}

// ErrInvalid marks preferences from outside (a browser, a hub) that could not
// be decoded or did not validate.
var ErrInvalid = errors.New("invalid preferences")

// Decode reads preferences sent from outside: one JSON object, valid UTF-8,
// no unknown members and nothing after it. Members left out keep their
// Default value. The result is validated. Errors wrap ErrInvalid and never
// quote the input.
func Decode(data []byte) (Preferences, error) {
	if !utf8.Valid(data) {
		return Preferences{}, fmt.Errorf("%w: not valid UTF-8", ErrInvalid)
	}
	p := Default()
	if err := jsondecode.Strict(data, &p); err != nil {
		return Preferences{}, fmt.Errorf("%w: %s", ErrInvalid, jsondecode.Describe(err))
	}
	if err := p.Validate(); err != nil {
		return Preferences{}, fmt.Errorf("%w: %w", ErrInvalid, err)
	}
	// An empty list and an absent one mean the same; keep one form.
	if len(p.HiddenActors) == 0 {
		p.HiddenActors = nil
	}
	if len(p.Notify.Actors) == 0 {
		p.Notify.Actors = nil
	}
	if len(p.Groups) == 0 {
		p.Groups = nil
	}
	return p, nil
}

// Store keeps preferences per party. Get of a party with nothing stored
// returns Default() and no error: having no preferences is not a failure.
// Delete forgets everything kept for the party (the customer withdrew their
// consent); deleting what is not there is no error.
type Store interface {
	Get(ctx context.Context, party identity.Party) (Preferences, error)
	Put(ctx context.Context, party identity.Party, p Preferences) error
	Delete(ctx context.Context, party identity.Party) error
}

// ErrNoParty is returned when a store is asked about an empty party.
var ErrNoParty = errors.New("preferences: no party")
