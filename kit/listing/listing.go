// Package listing sorts and filters an overview the way the user asked:
// by date, sender, status or title, ascending or descending, or new cases
// first, and by senders, statuses, open/closed, new since the last visit and
// free text. Text is compared with Swedish
// collation: å, ä and ö are letters of their own that follow z.
package listing

import (
	"bytes"
	"cmp"
	"encoding/base64"
	"fmt"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"
	"unicode/utf8"

	"golang.org/x/text/collate"
	"golang.org/x/text/language"

	"github.com/arendevy/arendevy/kit/cases"
	"github.com/arendevy/arendevy/kit/internal/jsonappend"
)

// Key is what an overview is sorted by.
type Key string

const (
	ByDate   Key = "date"
	BySender Key = "sender"
	ByStatus Key = "status"
	ByTitle  Key = "title"
	// ByNew puts the cases new since the customer's previous visit first
	// (Query.NewSince), newest first among each.
	ByNew Key = "new"
)

// Scope selects open cases, closed cases or both.
type Scope string

const (
	All        Scope = "all"
	OpenOnly   Scope = "open"
	ClosedOnly Scope = "closed"
)

// Query is how the user wants the overview. The zero value is not valid; use
// Default or Parse.
type Query struct {
	Sort       Key
	Descending bool
	Senders    []string       // actor IDs; empty means all
	Statuses   []cases.Status // empty means all
	Scope      Scope
	Text       string
	// Older is how many of their windows further back the sources that
	// look back a limited time reach (cases.WithOlder): the user asked to
	// see older cases. Not a preference: only the address carries it, and
	// the element's older attribute (not the query's JSON).
	Older int `json:"-"`
	// Group is the id of one of the customer's case groups: only its cases
	// are shown. The listing checks its shape (ValidGroupID); the kit, which
	// knows the customer's groups and each case's membership, drops an id
	// that names no group and does the filtering (kit/preferences).
	Group string
	// NewOnly keeps only the cases new since the previous visit.
	NewOnly bool
	// Reveal is the reference of one case (preferences.CaseRef, keyed per
	// customer) that discreet mode shows in full on this request only. The
	// listing checks its shape (ValidCaseRef); the kit, which holds the
	// customer's key, reveals the case it names, if one of theirs does. It
	// is never carried on (Values, the query's JSON): a sort or filter
	// hides the case again, and nothing of it is remembered.
	Reveal string `json:"-"`
	// NewSince is the instant after which a case is new (IsNew): the
	// customer's previous visit, which the kit sets from their
	// preferences, never from the address. Zero: nothing is new.
	NewSince time.Time `json:"-"`
}

// GroupIDLength is the length of a case group's id: 9 random bytes in
// base64url (preferences.NewGroupID).
const GroupIDLength = 12

// ValidGroupID reports whether id has the shape of a case group's id.
func ValidGroupID(id string) bool {
	_, err := base64.RawURLEncoding.DecodeString(id)
	return len(id) == GroupIDLength && err == nil
}

// CaseRefLength is the length of a case's reference: 16 bytes of an HMAC
// in base64url (preferences.CaseRef).
const CaseRefLength = 22

// ValidCaseRef reports whether ref has the shape of a case's reference.
func ValidCaseRef(ref string) bool {
	_, err := base64.RawURLEncoding.DecodeString(ref)
	return len(ref) == CaseRefLength && err == nil
}

// IsNew reports whether a case dated date is new to a customer whose
// previous visit was since; nothing is new on the first visit ever (since
// zero).
func IsNew(date, since time.Time) bool { return !since.IsZero() && date.After(since) }

// Default is the standard view: every case, newest first.
func Default() Query { return Query{Sort: ByDate, Descending: true, Scope: All} }

// Limits on the query string.
const (
	MaxText   = 200
	MaxValues = 100
)

// InvalidParam names a query parameter and why it was refused.
type InvalidParam struct {
	Name   string `json:"name"`
	Reason string `json:"reason"`
}

// ParamError lists every refused parameter.
type ParamError struct{ Params []InvalidParam }

func (e *ParamError) Error() string {
	var b strings.Builder
	for i, p := range e.Params {
		if i > 0 {
			b.WriteString("; ")
		}
		b.WriteString(p.Name + ": " + p.Reason)
	}
	return b.String()
}

// Params are the URL parameters of a query, as Parse reads them.
var Params = []string{"sort", "order", "sender", "status", "scope", "q", "older", "new", "group", "reveal"}

// Parse reads a Query from URL parameters, starting from base:
// sort=date|sender|status|title|new, order=asc|desc, sender=ID (repeatable
// or comma-separated), status=… (likewise), scope=all|open|closed, q=text,
// older=0…cases.MaxOlder, new=only|all, group=ID (empty: every case),
// reveal=REF (a case's reference; empty: none).
// Unknown parameters are refused, so a typo does not silently do nothing.
// Every problem is reported, not only the first.
func Parse(v url.Values, base Query) (Query, error) {
	q := base
	var bad []InvalidParam
	fail := func(name, format string, a ...any) {
		bad = append(bad, InvalidParam{Name: name, Reason: fmt.Sprintf(format, a...)})
	}
	one := func(name string) (string, bool) {
		vs, ok := v[name]
		if !ok {
			return "", false
		}
		if len(vs) != 1 {
			fail(name, "given %d times; give it once", len(vs))
			return "", false
		}
		if !utf8.ValidString(vs[0]) {
			fail(name, "not valid UTF-8")
			return "", false
		}
		return vs[0], true
	}
	list := func(name string) ([]string, bool) {
		vs, ok := v[name]
		if !ok {
			return nil, false
		}
		var out []string
		for _, s := range vs {
			for part := range strings.SplitSeq(s, ",") {
				if part = strings.TrimSpace(part); part != "" {
					out = append(out, part)
				}
			}
		}
		if len(out) > MaxValues {
			fail(name, "more than %d values", MaxValues)
			return nil, false
		}
		return out, true
	}
	for name := range v {
		if !slices.Contains(Params, name) {
			fail(name, "unknown parameter; known: %s", strings.Join(Params, ", "))
		}
	}
	if s, ok := one("sort"); ok {
		switch k := Key(s); k {
		case ByDate, BySender, ByStatus, ByTitle, ByNew:
			// Without an order, the key's own: newest (or new) first, else
			// A to Ö (as the element and the overview's sort form have it).
			q.Sort, q.Descending = k, k.descendingByDefault()
		default:
			fail("sort", "must be date, sender, status, title or new")
		}
	}
	if s, ok := one("order"); ok {
		switch s {
		case "asc":
			q.Descending = false
		case "desc":
			q.Descending = true
		default:
			fail("order", "must be asc or desc")
		}
	}
	if ids, ok := list("sender"); ok {
		q.Senders = nil
		for _, id := range ids {
			if !cases.ValidActorID(id) {
				fail("sender", "actor IDs are letters, digits, '-', '_' and '.', at most 100 characters")
				break
			}
			q.Senders = append(q.Senders, id)
		}
	}
	if sts, ok := list("status"); ok {
		q.Statuses = nil
		for _, s := range sts {
			st := cases.Status(s)
			if !st.Valid() {
				fail("status", "must be received, in_progress, action_required or closed")
				break
			}
			q.Statuses = append(q.Statuses, st)
		}
	}
	if s, ok := one("scope"); ok {
		switch sc := Scope(s); sc {
		case All, OpenOnly, ClosedOnly:
			q.Scope = sc
		default:
			fail("scope", "must be all, open or closed")
		}
	}
	if s, ok := one("q"); ok {
		s = strings.TrimSpace(s)
		switch {
		case utf8.RuneCountInString(s) > MaxText:
			fail("q", "longer than %d characters", MaxText)
		case strings.ContainsFunc(s, func(r rune) bool { return r < ' ' }):
			fail("q", "contains control characters")
		default:
			q.Text = s
		}
	}
	if s, ok := one("older"); ok {
		n, err := strconv.Atoi(s)
		if err != nil || n < 0 || n > cases.MaxOlder {
			fail("older", "must be a whole number from 0 to %d", cases.MaxOlder)
		} else {
			q.Older = n
		}
	}
	if s, ok := one("new"); ok {
		switch s {
		case "only", "all":
			q.NewOnly = s == "only"
		default:
			fail("new", "must be only or all")
		}
	}
	if s, ok := one("group"); ok {
		if s != "" && !ValidGroupID(s) {
			fail("group", "must be a case group's id: %d letters, digits, '-' or '_'", GroupIDLength)
		} else {
			q.Group = s
		}
	}
	if s, ok := one("reveal"); ok {
		if s != "" && !ValidCaseRef(s) {
			fail("reveal", "must be a case's reference: %d letters, digits, '-' or '_'", CaseRefLength)
		} else {
			q.Reveal = s
		}
	}
	if len(bad) > 0 {
		slices.SortFunc(bad, func(a, b InvalidParam) int { return strings.Compare(a.Name, b.Name) })
		return base, &ParamError{Params: bad}
	}
	return q, nil
}

// Values renders q as URL parameters (the inverse of Parse), less Reveal,
// which is for the one request that asked.
func (q Query) Values() url.Values {
	v := url.Values{}
	v.Set("sort", string(q.Sort))
	if q.Descending {
		v.Set("order", "desc")
	} else {
		v.Set("order", "asc")
	}
	if len(q.Senders) > 0 {
		v.Set("sender", strings.Join(q.Senders, ","))
	}
	if len(q.Statuses) > 0 {
		ss := make([]string, len(q.Statuses))
		for i, s := range q.Statuses {
			ss[i] = string(s)
		}
		v.Set("status", strings.Join(ss, ","))
	}
	v.Set("scope", string(q.Scope))
	if q.Text != "" {
		v.Set("q", q.Text)
	}
	if q.Older > 0 {
		v.Set("older", strconv.Itoa(q.Older))
	}
	if q.NewOnly {
		v.Set("new", "only")
	}
	if q.Group != "" {
		v.Set("group", q.Group)
	}
	return v
}

// descendingByDefault: sorted by k without an order, the newest (or the
// new) cases come first; by the other keys, A to Ö.
func (k Key) descendingByDefault() bool { return k == ByDate || k == ByNew }

// collators are not safe for concurrent use; a pool keeps sorting lock-free.
var collators = sync.Pool{New: func() any {
	return collate.New(language.Swedish, collate.IgnoreCase, collate.Loose)
}}

// Apply returns the cases of cs that q selects, in q's order (Select).
func Apply(cs []cases.Case, q Query) []cases.Case {
	return pick(cs, Select(cs, q))
}

// Select returns the positions in cs of the cases that match q, in q's
// order: a caller that builds something from each case reads them in place
// instead of copying cases around. Ties are broken by date (newest first)
// and then ID, so the order is stable across requests.
func Select(cs []cases.Case, q Query) []int {
	needle := fold(q.Text)
	idx := make([]int, 0, len(cs))
	for i := range cs {
		if selects(&cs[i], q, needle) {
			idx = append(idx, i)
		}
	}
	order(cs, idx, q)
	return idx
}

// Filter returns the cases that match q, in their original order.
func Filter(cs []cases.Case, q Query) []cases.Case {
	needle := fold(q.Text)
	out := make([]cases.Case, 0, len(cs))
	for i := range cs {
		if selects(&cs[i], q, needle) {
			out = append(out, cs[i])
		}
	}
	return out
}

// Sort orders cs by q.Sort and q.Descending, in place.
func Sort(cs []cases.Case, q Query) {
	idx := make([]int, len(cs))
	for i := range idx {
		idx[i] = i
	}
	order(cs, idx, q)
	copy(cs, pick(cs, idx))
}

func pick(cs []cases.Case, idx []int) []cases.Case {
	out := make([]cases.Case, len(idx))
	for k, i := range idx {
		out[k] = cs[i]
	}
	return out
}

// selects reports whether c matches q; needle is q.Text folded.
func selects(c *cases.Case, q Query, needle string) bool {
	switch {
	case q.Scope == OpenOnly && !c.Open(), q.Scope == ClosedOnly && c.Open():
	case len(q.Senders) > 0 && !slices.Contains(q.Senders, c.Sender.ID):
	case len(q.Statuses) > 0 && !slices.Contains(q.Statuses, c.Status):
	case q.NewOnly && !IsNew(c.Date, q.NewSince):
	case needle != "" && !matches(c, needle):
	default:
		return true
	}
	return false
}

// matches reports whether the folded needle occurs in a field the user sees
// in the summary or detail.
func matches(c *cases.Case, needle string) bool {
	for _, s := range []string{c.Title, c.Sender.Name, c.CaseNumber, c.Category, c.FreeText, c.PlannedEvent, c.Officer} {
		if strings.Contains(fold(s), needle) {
			return true
		}
	}
	return false
}

// fold lower-cases for matching. It keeps å, ä, ö distinct from a and o: in
// Swedish they are separate letters.
func fold(s string) string { return strings.ToLower(s) }

// order sorts idx, positions in cs, by q.Sort and q.Descending.
func order(cs []cases.Case, idx []int, q Query) {
	col := collators.Get().(*collate.Collator)
	defer collators.Put(col)
	var buf collate.Buffer
	keyOf := func(s string) []byte { return col.KeyFromString(&buf, s) }

	// Sort small items, not cases: a Case is several hundred bytes and the
	// sort moves its elements many times. Collation keys are computed once
	// per case rather than per comparison.
	type item struct {
		i    int
		key  []byte
		rank int
		new  int // 1 when new, so that descending puts the new first
		date time.Time
		id   string
	}
	items := make([]item, len(idx))
	for k, i := range idx {
		c := &cs[i]
		items[k] = item{i: i, rank: Urgency(c.Status), date: c.Date, id: c.ID}
		if IsNew(c.Date, q.NewSince) {
			items[k].new = 1
		}
		switch q.Sort {
		case BySender:
			items[k].key = keyOf(c.Sender.Name)
		case ByTitle:
			items[k].key = keyOf(c.Title)
		}
	}
	// Sorted by date, the cases that wait for the customer come first in
	// either order: what the customer must do is what they came to see.
	waiting := func(it *item) int {
		if q.Sort == ByDate && it.rank == 0 {
			return 0
		}
		return 1
	}
	primary := func(a, b *item) int {
		switch q.Sort {
		case ByStatus:
			return cmp.Compare(a.rank, b.rank)
		case BySender, ByTitle:
			return bytes.Compare(a.key, b.key)
		case ByNew:
			return cmp.Compare(a.new, b.new)
		default:
			return a.date.Compare(b.date)
		}
	}
	// Every tie is broken down to the position, so the order is total and
	// the faster unstable sort gives the stable result.
	slices.SortFunc(items, func(a, b item) int {
		if r := cmp.Compare(waiting(&a), waiting(&b)); r != 0 {
			return r
		}
		r := primary(&a, &b)
		if q.Descending {
			r = -r
		}
		if r != 0 {
			return r
		}
		if r = b.date.Compare(a.date); r != 0 { // newest first among equals
			return r
		}
		if r = strings.Compare(a.id, b.id); r != 0 {
			return r
		}
		return cmp.Compare(a.i, b.i)
	})
	for k, it := range items {
		idx[k] = it.i
	}
}

// urgency is the order of the statuses when sorting by status: the cases
// that wait for the customer first, then the ones just received, those in
// progress, and the closed ones last.
var urgency = []cases.Status{cases.ActionRequired, cases.Received, cases.InProgress, cases.Closed}

// Urgency is s's place in the order of urgency (0: action required), or -1.
func Urgency(s cases.Status) int { return slices.Index(urgency, s) }

// WaitingFirst reports whether q puts the cases that wait for the customer
// above the rest whatever their date: the date sort does, in both orders.
func (q Query) WaitingFirst() bool { return q.Sort == ByDate }

// CompareText compares two texts with Swedish collation.
func CompareText(a, b string) int {
	col := collators.Get().(*collate.Collator)
	defer collators.Put(col)
	return col.CompareString(a, b)
}

// MarshalJSON writes q with the names of its URL parameters:
// {"sort":…,"order":"asc"|"desc","sender":[…],"status":[…],"scope":…,"q":…,
// "new":"only"|"all"}.
func (q Query) MarshalJSON() ([]byte, error) { return q.AppendJSON(nil), nil }

// AppendJSON appends q's JSON (see MarshalJSON) to b; the overview's
// encoder writes the query with it.
func (q Query) AppendJSON(b []byte) []byte {
	b = append(b, `{"sort":`...)
	b = jsonappend.String(b, string(q.Sort))
	if q.Descending {
		b = append(b, `,"order":"desc"`...)
	} else {
		b = append(b, `,"order":"asc"`...)
	}
	b = append(b, `,"sender":`...)
	b = jsonappend.Strings(b, q.Senders)
	b = append(b, `,"status":`...)
	b = jsonappend.Strings(b, q.Statuses)
	b = append(b, `,"scope":`...)
	b = jsonappend.String(b, string(q.Scope))
	b = append(b, `,"q":`...)
	b = jsonappend.String(b, q.Text)
	if q.NewOnly {
		b = append(b, `,"new":"only"`...)
	} else {
		b = append(b, `,"new":"all"`...)
	}
	if q.Group != "" {
		b = append(b, `,"group":`...)
		b = jsonappend.String(b, q.Group)
	}
	return append(b, '}')
}
