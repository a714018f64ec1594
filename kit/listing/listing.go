// Package listing sorts and filters an overview the way the user asked:
// by date, sender, status or title, ascending or descending, and by senders,
// statuses, open/closed and free text. Text is compared with Swedish
// collation: å, ä and ö are letters of their own that follow z.
package listing

import (
	"bytes"
	"cmp"
	"encoding/json"
	"fmt"
	"net/url"
	"slices"
	"strings"
	"sync"
	"time"
	"unicode/utf8"

	"golang.org/x/text/collate"
	"golang.org/x/text/language"

	"github.com/arendevy/arendevy/kit/cases"
)

// Key is what an overview is sorted by.
type Key string

const (
	ByDate   Key = "date"
	BySender Key = "sender"
	ByStatus Key = "status"
	ByTitle  Key = "title"
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
}

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

// Parse reads a Query from URL parameters, starting from base:
// sort=date|sender|status|title, order=asc|desc, sender=ID (repeatable or
// comma-separated), status=… (likewise), scope=all|open|closed, q=text.
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
		switch name {
		case "sort", "order", "sender", "status", "scope", "q":
		default:
			fail(name, "unknown parameter; known: sort, order, sender, status, scope, q")
		}
	}
	if s, ok := one("sort"); ok {
		switch k := Key(s); k {
		case ByDate, BySender, ByStatus, ByTitle:
			q.Sort = k
		default:
			fail("sort", "must be date, sender, status or title")
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
	if len(bad) > 0 {
		slices.SortFunc(bad, func(a, b InvalidParam) int { return strings.Compare(a.Name, b.Name) })
		return base, &ParamError{Params: bad}
	}
	return q, nil
}

// Values renders q as URL parameters (the inverse of Parse).
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
	return v
}

// collators are not safe for concurrent use; a pool keeps sorting lock-free.
var collators = sync.Pool{New: func() any {
	return collate.New(language.Swedish, collate.IgnoreCase, collate.Loose)
}}

// Apply filters cs by q and sorts what remains, in place where it can. Ties
// are broken by date (newest first) and then ID, so the order is stable
// across requests.
func Apply(cs []cases.Case, q Query) []cases.Case {
	out := Filter(cs, q)
	Sort(out, q)
	return out
}

// Filter returns the cases that match q, in their original order.
func Filter(cs []cases.Case, q Query) []cases.Case {
	needle := fold(q.Text)
	out := make([]cases.Case, 0, len(cs))
	for _, c := range cs {
		switch {
		case q.Scope == OpenOnly && !c.Open(), q.Scope == ClosedOnly && c.Open():
		case len(q.Senders) > 0 && !slices.Contains(q.Senders, c.Sender.ID):
		case len(q.Statuses) > 0 && !slices.Contains(q.Statuses, c.Status):
		case needle != "" && !matches(c, needle):
		default:
			out = append(out, c)
		}
	}
	return out
}

// matches reports whether the folded needle occurs in a field the user sees
// in the summary or detail.
func matches(c cases.Case, needle string) bool {
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

// Sort orders cs by q.Sort and q.Descending.
func Sort(cs []cases.Case, q Query) {
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
		date time.Time
		id   string
	}
	items := make([]item, len(cs))
	for i, c := range cs {
		items[i] = item{i: i, rank: c.Status.Rank(), date: c.Date, id: c.ID}
		switch q.Sort {
		case BySender:
			items[i].key = keyOf(c.Sender.Name)
		case ByTitle:
			items[i].key = keyOf(c.Title)
		}
	}
	primary := func(a, b *item) int {
		switch q.Sort {
		case ByStatus:
			return cmp.Compare(a.rank, b.rank)
		case BySender, ByTitle:
			return bytes.Compare(a.key, b.key)
		default:
			return a.date.Compare(b.date)
		}
	}
	slices.SortStableFunc(items, func(a, b item) int {
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
		return strings.Compare(a.id, b.id)
	})
	sorted := make([]cases.Case, len(cs))
	for k, it := range items {
		sorted[k] = cs[it.i]
	}
	copy(cs, sorted)
}

// CompareText compares two texts with Swedish collation.
func CompareText(a, b string) int {
	col := collators.Get().(*collate.Collator)
	defer collators.Put(col)
	return col.CompareString(a, b)
}

// queryJSON is Query as the API shows it: the same names as the URL parameters.
type queryJSON struct {
	Sort     Key            `json:"sort"`
	Order    string         `json:"order"`
	Senders  []string       `json:"sender"`
	Statuses []cases.Status `json:"status"`
	Scope    Scope          `json:"scope"`
	Text     string         `json:"q"`
}

// MarshalJSON writes q with the names of its URL parameters.
func (q Query) MarshalJSON() ([]byte, error) {
	j := queryJSON{Sort: q.Sort, Order: "asc", Senders: q.Senders, Statuses: q.Statuses, Scope: q.Scope, Text: q.Text}
	if q.Descending {
		j.Order = "desc"
	}
	if j.Senders == nil {
		j.Senders = []string{}
	}
	if j.Statuses == nil {
		j.Statuses = []cases.Status{}
	}
	return json.Marshal(j)
}
