package memory

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"maps"
	"math"
	"slices"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/arendevy/arendevy/kit/cases"
	"github.com/arendevy/arendevy/kit/identity"
	"github.com/arendevy/arendevy/kit/internal/jsondecode"
	"github.com/arendevy/arendevy/kit/producers"
)

// DefaultMaxBytes is the largest document Load reads unless MaxBytes says
// otherwise: thousands of cases, far from what a demo or fixture needs.
const DefaultMaxBytes = 8 << 20

var (
	// ErrInvalid is wrapped by every *LoadError.
	ErrInvalid = errors.New("memory: invalid case document")
	// ErrTooLarge is returned for a document over the size cap.
	ErrTooLarge = errors.New("memory: case document too large")
)

// LoadError lists every problem of a refused document. Each problem's Field
// is a JSON path into the document, e.g.
// cases["191212121212"][3].sender.id. Paths name the document's customer
// keys: the error describes a fixture, not a request, and belongs in the
// author's terminal, not in a production log.
type LoadError struct {
	Problems []cases.Problem
}

// shownProblems caps how many problems Error spells out; Problems keeps all.
const shownProblems = 20

func (e *LoadError) Error() string {
	var b strings.Builder
	b.WriteString(ErrInvalid.Error())
	for i, p := range e.Problems {
		if i == shownProblems {
			fmt.Fprintf(&b, "; and %d more", len(e.Problems)-i)
			break
		}
		if i == 0 {
			b.WriteString(": ")
		} else {
			b.WriteString("; ")
		}
		b.WriteString(p.String())
	}
	return b.String()
}

// Unwrap makes errors.Is(err, ErrInvalid) hold.
func (e *LoadError) Unwrap() error { return ErrInvalid }

// Option tunes Load.
type Option func(*options)

type options struct {
	maxBytes int64
	shift    bool
	now      time.Time
}

// MaxBytes caps the document's size; n ≤ 0 means DefaultMaxBytes.
func MaxBytes(n int64) Option {
	return func(o *options) {
		if n > 0 {
			o.maxBytes = min(n, math.MaxInt64-1) // Load reads one byte more to notice excess
		}
	}
}

// ShiftTo moves the whole document by whole days so that the newest case
// date lands yesterday, at its own time of day; dates and years in the
// cases' texts move with it. Relative order and spacing stay intact, so
// dated demo data never looks stale and never contradicts itself. The
// document is checked before it is shifted.
func ShiftTo(now time.Time) Option {
	return func(o *options) { o.shift, o.now = true, now }
}

// document is the top level of the format. Elements stay raw so that each is
// decoded on its own and every problem is reported with its path.
type document struct {
	Producers []json.RawMessage            `json:"producers"`
	Personas  []json.RawMessage            `json:"personas"`
	Cases     map[string][]json.RawMessage `json:"cases"`
}

type personaDoc struct {
	Number         string   `json:"number"`
	Name           string   `json:"name"`
	Description    string   `json:"description"`
	ActsFor        []string `json:"actsFor"`
	Unavailable    []string `json:"unavailable"`
	GeneratedCases int      `json:"generatedCases"`
}

// MaxGenerated caps the generatedCases of all personas together: enough to
// try a long list, far below DefaultMaxBytes' worth of cases.
const MaxGenerated = 2000

// Load reads and checks a case document:
//
//	{"producers": [producers.Info, …],
//	 "personas": [{"number": "…", "name": "…", "description": "…", "actsFor": ["<number>", …],
//	               "unavailable": ["<producer id>", …], "generatedCases": 240}, …],
//	 "cases": {"<customer number>": [cases.Case, …], …}}
//
// Decoding is strict: unknown fields, duplicate keys and trailing data are
// refused. Numbers are checked with identity.ParseNumber, which also gives
// each persona its kind. Every case must pass cases.Validate, name a producer
// of the document as its sender (an empty sender name is filled from the
// producer), and link only to one of its producer's hosts. actsFor names
// other personas of the document. A persona's unavailable producers fail
// whenever its cases are asked (a partial overview to look at), and
// generatedCases adds that many cases made from the document's own
// (generate.go; a long overview to look at). Every problem is reported at
// once in a *LoadError.
func Load(r io.Reader, opts ...Option) (*Data, error) {
	o := options{maxBytes: DefaultMaxBytes}
	for _, opt := range opts {
		opt(&o)
	}
	raw, err := io.ReadAll(io.LimitReader(r, o.maxBytes+1))
	if err != nil {
		return nil, fmt.Errorf("memory: read case document: %w", err)
	}
	if int64(len(raw)) > o.maxBytes {
		return nil, fmt.Errorf("%w: more than %d bytes", ErrTooLarge, o.maxBytes)
	}
	var l loader
	d := l.load(raw)
	if len(l.problems) > 0 {
		return nil, &LoadError{Problems: l.problems}
	}
	d.generate(l.generated)
	if o.shift {
		d.shift(o.now)
	}
	return d, nil
}

// root names the document as a whole in problems.
const root = "document"

type loader struct {
	problems  []cases.Problem
	generated map[string]int // persona number → generatedCases
}

func (l *loader) add(field, format string, a ...any) {
	l.problems = append(l.problems, cases.Problem{Field: field, Reason: fmt.Sprintf(format, a...)})
}

func (l *loader) load(raw []byte) *Data {
	// encoding/json would silently turn invalid UTF-8 into U+FFFD.
	if !utf8.Valid(raw) {
		l.add(root, "not valid UTF-8")
		return nil
	}
	l.problems = append(l.problems, duplicateKeys(raw)...)
	// Checked first: a null document would decode into an empty one.
	if start := bytes.TrimLeft(raw, " \t\r\n"); len(start) == 0 || start[0] != '{' {
		l.add(root, "want a JSON object")
		return nil
	}
	var doc document
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&doc); err != nil {
		l.decodeProblem(root, err)
		var syntax *json.SyntaxError
		if errors.As(err, &syntax) || errors.Is(err, io.ErrUnexpectedEOF) {
			return nil // nothing beyond this point can be trusted
		}
	}
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		l.add(root, "data after the top-level object")
	}
	dir, broken := l.producers(doc.Producers)
	d := &Data{dir: dir}
	d.personas, d.persona, d.outages = l.personas(doc.Personas, dir)
	d.cases = l.cases(doc.Cases, dir, broken)
	return d
}

// producers builds the directory. When the document is refused anyway, it
// still returns a directory of the producers that are fine on their own, and
// the IDs of the others, so that cases are checked against what the author
// meant rather than drowned in follow-up problems.
func (l *loader) producers(raws []json.RawMessage) (*producers.Directory, map[string]bool) {
	infos := make([]producers.Info, len(raws))
	undecoded := map[string]bool{} // "producers[i" of entries that did not decode
	for i, raw := range raws {
		if err := jsondecode.Strict(raw, &infos[i]); err != nil {
			path := fmt.Sprintf("producers[%d]", i)
			l.decodeProblem(path, err)
			undecoded[strings.TrimSuffix(path, "]")] = true
		}
	}
	dir, err := producers.New(infos)
	if err == nil && len(undecoded) == 0 {
		return dir, nil
	}
	bad := maps.Clone(undecoded)
	if err != nil {
		for _, e := range unjoin(err) {
			// producers.New reports "producers[i].field: reason".
			msg := e.Error()
			entry, _, _ := strings.Cut(msg, "]")
			if undecoded[entry] {
				continue // its decoding problem says enough
			}
			bad[entry] = true
			field, reason, _ := strings.Cut(msg, ": ")
			l.add(field, "%s", reason)
		}
	}
	broken := map[string]bool{}
	var fine []producers.Info
	for i, in := range infos {
		if bad[fmt.Sprintf("producers[%d", i)] {
			broken[in.ID] = true
			continue
		}
		fine = append(fine, in)
	}
	// Only used to check the cases of a document already refused; every
	// entry left is valid and unique, and a nil Directory is an empty one.
	dir, _ = producers.New(fine)
	return dir, broken
}

func unjoin(err error) []error {
	if j, ok := err.(interface{ Unwrap() []error }); ok {
		return j.Unwrap()
	}
	return []error{err}
}

func (l *loader) personas(raws []json.RawMessage, dir *producers.Directory) ([]Persona, map[string]int, map[string][]string) {
	docs := make([]personaDoc, len(raws))
	at := make([]int, len(raws)) // raw index → index in personas, or -1
	var personas []Persona
	var outages map[string][]string
	generated := 0
	index := map[string]int{}
	first := map[string]int{}
	for i, raw := range raws {
		at[i] = -1
		path := fmt.Sprintf("personas[%d]", i)
		if err := jsondecode.Strict(raw, &docs[i]); err != nil {
			l.decodeProblem(path, err)
			continue
		}
		p := docs[i]
		number, kind, err := identity.ParseNumber(p.Number)
		if err != nil {
			l.add(path+".number", "%v", err)
			continue
		}
		if j, dup := first[number]; dup {
			l.add(path+".number", "same persona as personas[%d]", j)
			continue
		}
		first[number] = i
		l.text(path+".name", p.Name, true)
		l.text(path+".description", p.Description, false)
		for k, id := range p.Unavailable {
			if _, ok := dir.Lookup(id); !ok {
				l.add(fmt.Sprintf("%s.unavailable[%d]", path, k), "unknown producer %q", id)
			}
		}
		if len(p.Unavailable) > 0 {
			if outages == nil {
				outages = map[string][]string{}
			}
			outages[number] = slices.Clone(p.Unavailable)
		}
		switch {
		case p.GeneratedCases < 0 || p.GeneratedCases > MaxGenerated-generated:
			l.add(path+".generatedCases", "want 0 to %d for all personas together", MaxGenerated)
		case p.GeneratedCases > 0:
			if l.generated == nil {
				l.generated = map[string]int{}
			}
			l.generated[number] = p.GeneratedCases
			generated += p.GeneratedCases
		}
		at[i] = len(personas)
		index[number] = len(personas)
		personas = append(personas, Persona{
			Party:       identity.Party{Number: number, Kind: kind, Name: p.Name},
			Description: p.Description,
		})
	}
	// Mandates second: a persona may act for one listed after it.
	for i, p := range docs {
		if at[i] < 0 {
			continue
		}
		self := &personas[at[i]]
		for k, raw := range p.ActsFor {
			path := fmt.Sprintf("personas[%d].actsFor[%d]", i, k)
			number, _, err := identity.ParseNumber(raw)
			j, known := index[number]
			switch {
			case err != nil:
				l.add(path, "%v", err)
			case number == self.Party.Number:
				l.add(path, "a persona cannot act for itself")
			case !known:
				l.add(path, "no persona in the document has this number")
			case slices.ContainsFunc(self.ActsFor, func(q identity.Party) bool { return q.Number == number }):
				l.add(path, "listed twice")
			default:
				self.ActsFor = append(self.ActsFor, personas[j].Party)
			}
		}
	}
	return personas, index, outages
}

// text checks a persona's display text: it is shown in a login picker.
func (l *loader) text(field, v string, required bool) {
	switch {
	case required && strings.TrimSpace(v) == "":
		l.add(field, "required")
	case utf8.RuneCountInString(v) > cases.MaxShort:
		l.add(field, "longer than %d characters", cases.MaxShort)
	case strings.ContainsFunc(v, func(r rune) bool { return unicode.IsControl(r) || unicode.Is(unicode.Bidi_Control, r) }):
		l.add(field, "contains control characters")
	}
}

func (l *loader) cases(doc map[string][]json.RawMessage, dir *producers.Directory, broken map[string]bool) map[string][]cases.Case {
	store := map[string][]cases.Case{}
	firstKey := map[string]string{}
	for _, key := range slices.Sorted(maps.Keys(doc)) { // sorted: problems come in a stable order
		path := "cases" + member(key)
		number, _, err := identity.ParseNumber(key)
		if err != nil {
			l.add(path, "%v", err)
			continue
		}
		if other, dup := firstKey[number]; dup {
			l.add(path, "same customer as cases%s", member(other))
			continue
		}
		firstKey[number] = key
		ids := map[string]int{}
		list := make([]cases.Case, 0, len(doc[key]))
		for i, raw := range doc[key] {
			cp := fmt.Sprintf("%s[%d]", path, i)
			var c cases.Case
			if err := jsondecode.Strict(raw, &c); err != nil {
				l.decodeProblem(cp, err)
				continue
			}
			senderKnown := l.sender(cp, &c, dir, broken)
			for _, p := range c.Validate() {
				if p.Field == "sender.name" && !senderKnown {
					continue // the sender's problem is reported already
				}
				l.add(cp+"."+p.Field, "%s", p.Reason)
			}
			if j, dup := ids[c.ID]; dup && c.ID != "" {
				l.add(cp+".id", "same id as %s[%d]", path, j)
			} else {
				ids[c.ID] = i
			}
			list = append(list, c)
		}
		store[number] = list
	}
	return store
}

// sender ties a case to its producer, which must exist, names its cases,
// and decides which hosts its deep links may point to. It reports whether
// the producer was found.
func (l *loader) sender(path string, c *cases.Case, dir *producers.Directory, broken map[string]bool) bool {
	id := c.Sender.ID
	if id == "" {
		return false // Validate reports it
	}
	info, ok := dir.Lookup(id)
	switch {
	case !ok && broken[id]:
		l.add(path+".sender.id", "producer %q is invalid (see producers)", id)
		return false
	case !ok:
		l.add(path+".sender.id", "unknown producer %q", id)
		return false
	}
	switch c.Sender.Name {
	case "":
		c.Sender.Name = info.Name
	case info.Name:
	default:
		l.add(path+".sender.name", "differs from the name of producer %q", id)
	}
	switch {
	case c.Link == "" || cases.CheckLink(c.Link) != "" || dir.Allows(id, c.Link):
		// no link, or one Validate refuses already, or a fine one
	case !info.HasEService():
		l.add(path+".link", "producer %q has no e-service (no hosts), so its cases cannot link", id)
	default:
		l.add(path+".link", "host is not one of the hosts of producer %q", id)
	}
	return true
}

// decodeProblem turns a decoding error into a problem at path, as precise as
// encoding/json allows. The document is the operator's own, so the problem
// may quote it where that helps: the character the parser stumbled on, the
// member it does not know.
func (l *loader) decodeProblem(path string, err error) {
	if errors.Is(err, jsondecode.ErrDuplicate) {
		return // duplicateKeys named it, with its path
	}
	p := jsondecode.Describe(err)
	switch {
	case p.Field != "" && path == root:
		path = p.Field
	case p.Field != "":
		path += "." + p.Field
	}
	if p.Detail != "" {
		p.Reason += ": " + p.Detail
	}
	l.add(path, "%s", p.Reason)
}

// duplicateKeys reports every member given twice in its object, each at its
// path: the whole document is walked once here, so the decoding of its parts
// (jsondecode.Strict) need not report them again.
func duplicateKeys(raw []byte) []cases.Problem {
	var problems []cases.Problem
	for _, d := range jsondecode.Duplicates(raw) {
		path := ""
		for _, step := range d.Path {
			switch step := step.(type) {
			case string:
				path = join(path, step)
			case int:
				path = fmt.Sprintf("%s[%d]", path, step)
			}
		}
		problems = append(problems, cases.Problem{Field: join(path, d.Key), Reason: "key appears twice in its object"})
	}
	return problems
}

// join appends an object member to a JSON path: .name for plain names,
// ["key"] for anything else (customer numbers, odd keys).
func join(path, key string) string {
	if path == "" && isName(key) {
		return key
	}
	return path + member(key)
}

func member(key string) string {
	if isName(key) {
		return "." + key
	}
	return fmt.Sprintf("[%q]", key)
}

func isName(s string) bool {
	for i, r := range s {
		if !(r == '_' || r < utf8.RuneSelf && unicode.IsLetter(r) || i > 0 && r >= '0' && r <= '9') {
			return false
		}
	}
	return s != ""
}
