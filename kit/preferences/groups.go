package preferences

import (
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"fmt"
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/arendevy/arendevy/kit/cases"
	"github.com/arendevy/arendevy/kit/identity"
	"github.com/arendevy/arendevy/kit/listing"
)

// Case groups ("ärendegrupper"): cases from several producers gathered
// under a name the customer chose around one life situation ("Vi bygger
// hus"). A group keeps its name and, per case, a keyed pseudonymous
// reference (CaseRef): an HMAC under a key of this customer's own
// (GroupKey), never a title, case number, producer text or date. The kit
// computes each case's reference when it compiles an overview and matches
// it against the groups; a case that no longer exists simply matches
// nothing, so it drops out without an error. Without the store's secret a
// reference cannot be tied to a case, not even by someone who holds both
// the store's contents and the case.

// Group is one case group.
type Group struct {
	ID   string   `json:"id"`             // random (NewGroupID), never derived from case data
	Name string   `json:"name"`           // the customer's own words
	Refs []string `json:"refs,omitempty"` // CaseRef of each case in it
}

// Limits of the groups a customer keeps.
const (
	MaxGroups    = 20
	MaxGroupRefs = 200 // per group
	MaxGroupName = 60  // characters
	groupIDBytes = 9   // listing.GroupIDLength base64url characters
	caseRefBytes = 16  // listing.CaseRefLength base64url characters
)

// GroupKey is the customer's own key for their case references:
// HMAC-SHA256(secret, label, number) under a label of its own, so it is
// never the store's key for the customer (Pseudonym), which a copy of the
// store would show.
func GroupKey(secret []byte, party identity.Party) []byte {
	mac := hmac.New(sha256.New, secret)
	mac.Write([]byte("arendevy case groups\x00"))
	mac.Write([]byte(party.Number))
	return mac.Sum(nil)
}

// CaseRef is the reference a group keeps for a case: the HMAC of the
// producer's id and the case's id under the customer's GroupKey, the first
// 16 bytes in base64url. The same case gives the same reference on every
// overview; another customer's key gives another.
func CaseRef(key []byte, c *cases.Case) string {
	mac := hmac.New(sha256.New, key)
	mac.Write([]byte(c.Sender.ID))
	mac.Write([]byte{0})
	mac.Write([]byte(c.ID))
	return base64.RawURLEncoding.EncodeToString(mac.Sum(nil)[:caseRefBytes])
}

// GroupKeyer is a Store that can give each customer a GroupKey from its
// own secret (Memory and kit/postgres). A store without one (a hub that
// keeps the preferences) has no case groups.
type GroupKeyer interface {
	GroupKey(party identity.Party) []byte
}

// GroupKey is the customer's key for their case references.
func (m *Memory) GroupKey(party identity.Party) []byte { return GroupKey(m.secret, party) }

// NewGroupID returns a fresh random group id.
func NewGroupID() string {
	b := make([]byte, groupIDBytes)
	_, _ = rand.Read(b) // never fails: crypto/rand aborts the program instead
	return base64.RawURLEncoding.EncodeToString(b)
}

// ValidGroupID reports whether id has the shape NewGroupID gives; the
// listing query checks the same (listing.ValidGroupID).
func ValidGroupID(id string) bool { return listing.ValidGroupID(id) }

// ValidCaseRef reports whether ref has the shape CaseRef gives; the
// listing query checks the same (listing.ValidCaseRef).
func ValidCaseRef(ref string) bool { return listing.ValidCaseRef(ref) }

// Reasons a group or its name is refused; the kit maps each to a text of
// the catalogue (groups.err.*). They never repeat the value.
var (
	ErrGroupName      = errors.New("a group's name is 1 to 60 characters of text")
	ErrGroupNameTaken = errors.New("another group has this name")
	ErrTooManyGroups  = errors.New("at most 20 groups")
	ErrGroupFull      = errors.New("at most 200 cases in a group")
	ErrNoGroup        = errors.New("no such group")
	ErrCaseRef        = errors.New("not a case reference")
)

// CleanGroupName is name as a group keeps it: spaces around it trimmed,
// or ErrGroupName when what is left is empty, longer than MaxGroupName
// characters, or holds a control or format character.
func CleanGroupName(name string) (string, error) {
	name = strings.TrimSpace(name)
	if name == "" || !utf8.ValidString(name) || utf8.RuneCountInString(name) > MaxGroupName {
		return "", ErrGroupName
	}
	for _, r := range name {
		if unicode.IsControl(r) || unicode.Is(unicode.Cf, r) {
			return "", ErrGroupName
		}
	}
	return name, nil
}

// Group returns the group with the id, if there is one.
func (p Preferences) Group(id string) (Group, bool) {
	i := slices.IndexFunc(p.Groups, func(g Group) bool { return g.ID == id })
	if i < 0 {
		return Group{}, false
	}
	return p.Groups[i], true
}

// GroupsOf are the ids of the groups that hold ref, in the groups' order.
func (p Preferences) GroupsOf(ref string) []string {
	var ids []string
	for _, g := range p.Groups {
		if slices.Contains(g.Refs, ref) {
			ids = append(ids, g.ID)
		}
	}
	return ids
}

// CreateGroup returns p with a new group called name holding refs, and
// the new group's id.
func (p Preferences) CreateGroup(name string, refs []string) (Preferences, string, error) {
	name, err := CleanGroupName(name)
	if err != nil {
		return p, "", err
	}
	if len(p.Groups) >= MaxGroups {
		return p, "", ErrTooManyGroups
	}
	if p.nameTaken(name, "") {
		return p, "", ErrGroupNameTaken
	}
	g := Group{ID: NewGroupID(), Name: name}
	for _, ref := range refs {
		if !ValidCaseRef(ref) {
			return p, "", ErrCaseRef
		}
		if !slices.Contains(g.Refs, ref) {
			g.Refs = append(g.Refs, ref)
		}
	}
	if len(g.Refs) > MaxGroupRefs {
		return p, "", ErrGroupFull
	}
	p = p.Clone()
	p.Groups = append(p.Groups, g)
	return p, g.ID, nil
}

// RenameGroup returns p with the group id called name.
func (p Preferences) RenameGroup(id, name string) (Preferences, error) {
	name, err := CleanGroupName(name)
	if err != nil {
		return p, err
	}
	if p.nameTaken(name, id) {
		return p, ErrGroupNameTaken
	}
	return p.changeGroup(id, func(g *Group) error { g.Name = name; return nil })
}

// RemoveGroup returns p without the group id. The cases stay where they
// are: only the group goes.
func (p Preferences) RemoveGroup(id string) (Preferences, error) {
	if _, ok := p.Group(id); !ok {
		return p, ErrNoGroup
	}
	p = p.Clone()
	p.Groups = slices.DeleteFunc(p.Groups, func(g Group) bool { return g.ID == id })
	return p, nil
}

// AddToGroup returns p with ref in the group id (once).
func (p Preferences) AddToGroup(id, ref string) (Preferences, error) {
	if !ValidCaseRef(ref) {
		return p, ErrCaseRef
	}
	return p.changeGroup(id, func(g *Group) error {
		switch {
		case slices.Contains(g.Refs, ref):
		case len(g.Refs) >= MaxGroupRefs:
			return ErrGroupFull
		default:
			g.Refs = append(g.Refs, ref)
		}
		return nil
	})
}

// RemoveFromGroup returns p with ref out of the group id.
func (p Preferences) RemoveFromGroup(id, ref string) (Preferences, error) {
	if !ValidCaseRef(ref) {
		return p, ErrCaseRef
	}
	return p.changeGroup(id, func(g *Group) error {
		g.Refs = slices.DeleteFunc(g.Refs, func(r string) bool { return r == ref })
		return nil
	})
}

// KeepGroups returns p with the groups of stored: they change only through
// the group operations above, so saving the other settings (from a form or
// a browser that sent groups of its own) never touches them.
func (p Preferences) KeepGroups(stored Preferences) Preferences {
	p.Groups = stored.Clone().Groups
	return p
}

func (p Preferences) changeGroup(id string, change func(*Group) error) (Preferences, error) {
	i := slices.IndexFunc(p.Groups, func(g Group) bool { return g.ID == id })
	if i < 0 {
		return p, ErrNoGroup
	}
	p = p.Clone()
	if err := change(&p.Groups[i]); err != nil {
		return p, err
	}
	return p, nil
}

// nameTaken reports whether a group other than except is called name,
// letter case aside.
func (p Preferences) nameTaken(name, except string) bool {
	return slices.ContainsFunc(p.Groups, func(g Group) bool { return g.ID != except && strings.EqualFold(g.Name, name) })
}

// validateGroups adds the problems of p's groups: what Validate says about
// groups stored or sent from outside.
func (p Preferences) validateGroups(add func(field, format string, a ...any)) {
	if len(p.Groups) > MaxGroups {
		add("groups", "more than %d groups", MaxGroups)
		return
	}
	for i, g := range p.Groups {
		field := fmt.Sprintf("groups[%d]", i)
		if !ValidGroupID(g.ID) {
			add(field+".id", "must be 12 base64url characters")
		} else if slices.ContainsFunc(p.Groups[:i], func(o Group) bool { return o.ID == g.ID }) {
			add(field+".id", "listed twice")
		}
		if clean, err := CleanGroupName(g.Name); err != nil || clean != g.Name {
			add(field+".name", "must be 1 to %d characters of text, without control characters or spaces around", MaxGroupName)
		} else if slices.ContainsFunc(p.Groups[:i], func(o Group) bool { return strings.EqualFold(o.Name, g.Name) }) {
			add(field+".name", "another group has this name")
		}
		if len(g.Refs) > MaxGroupRefs {
			add(field+".refs", "more than %d cases", MaxGroupRefs)
			continue
		}
		for j, ref := range g.Refs {
			switch {
			case !ValidCaseRef(ref):
				add(fmt.Sprintf("%s.refs[%d]", field, j), "must be 22 base64url characters")
			case slices.Contains(g.Refs[:j], ref):
				add(fmt.Sprintf("%s.refs[%d]", field, j), "listed twice")
			}
		}
	}
}
