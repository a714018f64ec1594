// Package overview is the compiled standard case overview of one customer:
// what the kit's API answers, what the server renders into the page and what
// the <arendevy-overview> element takes over. It holds the types and their
// JSON; package kit compiles them from the sources, and nothing here is kept
// after the request that compiled it.
package overview

import (
	"slices"
	"time"

	"github.com/arendevy/arendevy/kit/cases"
	"github.com/arendevy/arendevy/kit/identity"
	"github.com/arendevy/arendevy/kit/listing"
	"github.com/arendevy/arendevy/kit/producers"
)

// Customer says whose overview it is, for the view's heading.
type Customer struct {
	Name  string        `json:"name"`
	Kind  identity.Kind `json:"kind"`
	Agent bool          `json:"agent"`          // the user acts for this customer
	User  string        `json:"user,omitempty"` // the agent's own name, when Agent
}

// CustomerOf is the customer subject asks about, and whether an agent asks.
func CustomerOf(s identity.Subject) Customer {
	c := s.Customer()
	out := Customer{Name: c.Name, Kind: c.Kind, Agent: s.IsAgent()}
	if out.Agent {
		out.User = s.User.Name
	}
	return out
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
	New        int             `json:"new"`     // how many of Cases are New
	// Contacts are the customer services of the Senders that the portal's
	// producer directory knows: every case's detail says how to reach them.
	Contacts []Contact `json:"contacts,omitempty"`

	// PreferencesUnavailable: the customer's saved preferences could not
	// be read, so the overview is in the default order with nothing hidden.
	PreferencesUnavailable bool `json:"preferencesUnavailable,omitempty"`

	// Discreet says whether the overview is in discreet mode (its cases
	// redacted, preferences.Redact): present when the customer's
	// preferences are kept and so the mode can be switched, absent
	// otherwise. The element's switch shows it and saves its opposite.
	Discreet *bool `json:"discreet,omitempty"`

	// SupportCode is what the citizen reads out to the portal's customer
	// service: it finds this request's line in the kit's log (package
	// supportcode), and says nothing itself.
	SupportCode string `json:"supportCode,omitempty"`

	// Groups are the customer's case groups, in their order; Suggestions
	// the groups the cases' tags and categories suggest. Both empty when the
	// preferences keep no case groups (see preferences.GroupKeyer).
	Groups      []Group      `json:"groups,omitempty"`
	Suggestions []Suggestion `json:"suggestions,omitempty"`
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
	// New: the case's date is after the customer's previous visit
	// (preferences.Preferences.IsNew); false on the first visit ever.
	New bool `json:"new,omitempty"`
	// Ref is the case's reference in the customer's case groups
	// (preferences.CaseRef): keyed and pseudonymous, it is what a page
	// sends to put the case in a group or take it out. Empty when the
	// preferences have no case groups.
	Ref string `json:"ref,omitempty"`
	// Groups are the ids of the customer's groups that hold the case.
	Groups []string `json:"groups,omitempty"`
	// Revealed: in discreet mode, this is the one case the request asked
	// to see in full (listing.Query.Reveal); every other case is redacted.
	Revealed bool `json:"revealed,omitempty"`
}

// Group is one of the customer's case groups as a page shows it: its
// name, and how many of the overview's cases it holds now (a case that no
// longer exists is not counted: it has dropped out).
type Group struct {
	ID    string `json:"id"`
	Name  string `json:"name"`
	Count int    `json:"count"`
}

// Suggestion offers a case group the data suggests: cases that share a
// tag (a life situation the source gives, "Vi bygger hus") or a category,
// the group's name. It is worked out per overview and only offered; the
// customer makes the group with an explicit click.
type Suggestion struct {
	Name string   `json:"name"`
	Refs []string `json:"refs"`
}

// Contact is how to reach the customer service of a producer responsible
// for cases in the overview.
type Contact struct {
	Producer        string            `json:"producer"` // the sender's ID
	CustomerService producers.Contact `json:"customerService"`
}

// Senders are the distinct senders of cs, sorted by name with Swedish collation.
func Senders(cs []cases.Case) []cases.Actor {
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

// NewCount is how many of cs are new since the customer's previous visit.
func NewCount(cs []CaseView) int {
	n := 0
	for _, c := range cs {
		if c.New {
			n++
		}
	}
	return n
}
