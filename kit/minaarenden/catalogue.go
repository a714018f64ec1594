package minaarenden

import (
	_ "embed"
	"errors"
	"fmt"
	"io"
	"os"
	"slices"
	"strings"

	"github.com/BurntSushi/toml"

	"github.com/arendevy/arendevy/kit/cases"
	"github.com/arendevy/arendevy/kit/i18n"
)

// The type catalogue is what a portal knows about event types beyond what
// the events say: the standard status a type means, the title of the case it
// begins, what its last day is for, in every language the page is shown in.
// It lives in a TOML file the portal keeps (format: catalogue.toml, which is
// also the default), so that no citizen text is written in Go.

//go:embed catalogue.toml
var defaultCatalogueFile []byte

// defaultCatalogue is catalogue.toml, parsed once; a broken embedded file
// is a bug of the kit, caught by its tests.
var defaultCatalogue = func() *Catalogue {
	c, err := ParseCatalogue(defaultCatalogueFile)
	if err != nil {
		panic(err)
	}
	return c
}()

// DefaultCatalogue is the catalogue the kit ships (catalogue.toml): the
// example to start a portal's own from, used when Config.Catalogue is nil.
func DefaultCatalogue() *Catalogue { return defaultCatalogue }

// CatalogueLanguages are the languages every text of a catalogue is given
// in: Swedish, the standard's, and English.
var CatalogueLanguages = []string{"sv", "en"}

// pageLanguages are the languages a catalogue text may be given in besides:
// every language of the page (the kit's message catalogue, locales/), so
// that a page in Finnish shows the catalogue's Finnish.
var pageLanguages = func() []string {
	langs := slices.Clone(CatalogueLanguages)
	b, err := i18n.Default()
	if err != nil {
		return langs // the kit refuses to start on a broken message catalogue, naming why
	}
	for _, tag := range b.Languages() {
		if !slices.Contains(langs, tag.String()) {
			langs = append(langs, tag.String())
		}
	}
	return langs
}()

// MaxCatalogueBytes caps a catalogue file.
const MaxCatalogueBytes = 1 << 20

// ErrCatalogue is wrapped by a *CatalogueError.
var ErrCatalogue = errors.New("minaarenden: invalid type catalogue")

// CatalogueError names every problem of a catalogue file, each with its
// place ("types[2].status: …"). It quotes types and statuses, which are the
// portal's own configuration, never case data.
type CatalogueError struct{ Problems []string }

func (e *CatalogueError) Error() string {
	return ErrCatalogue.Error() + ": " + strings.Join(e.Problems, "; ")
}

func (e *CatalogueError) Unwrap() error { return ErrCatalogue }

// Text is one wording in every catalogue language, keyed by language.
type Text map[string]string

// In is the wording for the page's language (a BCP 47 tag: "fi-FI" is
// "fi") when the catalogue gives one, else Swedish, the standard's language.
func (t Text) In(lang string) string {
	base, _, _ := strings.Cut(strings.ToLower(lang), "-")
	if s, ok := t[base]; ok {
		return s
	}
	return t["sv"]
}

// TypeEntry is what the catalogue says about one event type, prefix or last
// segment. Empty fields say nothing, and a shorter match may say it.
type TypeEntry struct {
	Type         string       `toml:"type"`
	Status       cases.Status `toml:"status"`
	Title        Text         `toml:"title"`
	PlannedEvent Text         `toml:"planned_event"`
}

// Catalogue is a parsed, checked type catalogue. It is not changed after
// parsing, so one is safe to share.
type Catalogue struct {
	// Service is the forwarding service's name as an actor.
	Service string
	// Deadline is the planned event of a last day the customer must act by,
	// when the type gives no wording; MissingDocuments titles the list of
	// missing documents; Firm titles the sole-trader firm (kund.tillagg) a
	// case belongs to.
	Deadline, MissingDocuments, Firm Text
	Types                            []TypeEntry
}

type catalogueFile struct {
	Service string `toml:"service"`
	Texts   struct {
		Deadline         Text `toml:"deadline"`
		MissingDocuments Text `toml:"missing_documents"`
		Firm             Text `toml:"firm"`
	} `toml:"texts"`
	Types []TypeEntry `toml:"types"`
}

// LoadCatalogue reads and checks a catalogue file.
func LoadCatalogue(path string) (*Catalogue, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("%w: %w", ErrCatalogue, err)
	}
	defer f.Close()
	raw, err := io.ReadAll(io.LimitReader(f, MaxCatalogueBytes+1))
	if err != nil {
		return nil, fmt.Errorf("%w: %w", ErrCatalogue, err)
	}
	if len(raw) > MaxCatalogueBytes {
		return nil, &CatalogueError{Problems: []string{fmt.Sprintf("larger than %d bytes", MaxCatalogueBytes)}}
	}
	return ParseCatalogue(raw)
}

// ParseCatalogue checks a catalogue in the format of catalogue.toml. The
// error is a *CatalogueError naming every problem: an unknown key, a
// missing or unknown language, an unknown status, a type that is no event
// type or is given twice, a text that is empty or too long.
func ParseCatalogue(data []byte) (*Catalogue, error) {
	var f catalogueFile
	md, err := toml.Decode(string(data), &f)
	if err != nil {
		// The decoder's message names the line; the file is configuration.
		return nil, &CatalogueError{Problems: []string{err.Error()}}
	}
	var problems []string
	bad := func(format string, a ...any) { problems = append(problems, fmt.Sprintf(format, a...)) }
	for _, k := range md.Undecoded() {
		bad("%s: unknown key", k)
	}
	if !usableText(f.Service, cases.MaxTitle) {
		bad("service: must be text of 1 to %d characters", cases.MaxTitle)
	}
	text := func(field string, t Text, required bool) {
		if t == nil {
			if required {
				bad("%s: required, with %s", field, strings.Join(CatalogueLanguages, " and "))
			}
			return
		}
		for _, lang := range CatalogueLanguages {
			if _, ok := t[lang]; !ok {
				bad("%s: the %s text is missing", field, lang)
			} else if !usableText(t[lang], cases.MaxTitle) {
				bad("%s.%s: must be text of 1 to %d characters", field, lang, cases.MaxTitle)
			}
		}
		for lang := range t {
			switch {
			case !slices.Contains(pageLanguages, lang):
				bad("%s.%s: not a language of the page (%s)", field, lang, strings.Join(pageLanguages, ", "))
			case !slices.Contains(CatalogueLanguages, lang) && !usableText(t[lang], cases.MaxTitle):
				bad("%s.%s: must be text of 1 to %d characters", field, lang, cases.MaxTitle)
			}
		}
	}
	text("texts.deadline", f.Texts.Deadline, true)
	text("texts.missing_documents", f.Texts.MissingDocuments, true)
	text("texts.firm", f.Texts.Firm, true)
	for i, e := range f.Types {
		at := fmt.Sprintf("types[%d]", i)
		switch {
		case !typePattern.MatchString(e.Type):
			bad("%s.type: %q is not an event type, a prefix of one or a segment (upper-case letters, digits and _, dotted)", at, e.Type)
		case slices.IndexFunc(f.Types[:i], func(o TypeEntry) bool { return o.Type == e.Type }) >= 0:
			bad("%s.type: %q is given twice; say everything about it in one entry", at, e.Type)
		}
		if e.Status != "" && !e.Status.Valid() {
			bad("%s.status: %q is not one of received, in_progress, action_required, closed", at, e.Status)
		}
		text(at+".title", e.Title, false)
		text(at+".planned_event", e.PlannedEvent, false)
		if e.Status == "" && e.Title == nil && e.PlannedEvent == nil {
			bad("%s: says nothing; give status, title or planned_event", at)
		}
	}
	if len(problems) > 0 {
		return nil, &CatalogueError{Problems: problems}
	}
	return &Catalogue{Service: f.Service, Deadline: f.Texts.Deadline, MissingDocuments: f.Texts.MissingDocuments, Firm: f.Texts.Firm, Types: f.Types}, nil
}

// lookup is the entry that says what says asks about typ: the longest
// prefix in whole segments that says it, else the type's last segment.
func (c *Catalogue) lookup(typ string, says func(TypeEntry) bool) (TypeEntry, bool) {
	best, found := TypeEntry{}, false
	for _, e := range c.Types {
		if says(e) && hasTypePrefix(typ, e.Type) && (!found || len(e.Type) > len(best.Type)) {
			best, found = e, true
		}
	}
	if found {
		return best, true
	}
	if i := strings.LastIndexByte(typ, '.'); i >= 0 {
		last := typ[i+1:]
		for _, e := range c.Types {
			if says(e) && e.Type == last {
				return e, true
			}
		}
	}
	return TypeEntry{}, false
}

// status is the catalogue's status for typ, if it gives one.
func (c *Catalogue) status(typ string) (cases.Status, bool) {
	e, ok := c.lookup(typ, func(e TypeEntry) bool { return e.Status != "" })
	return e.Status, ok
}

// text is the catalogue's wording of a field for typ in lang, or "".
func (c *Catalogue) text(typ, lang string, field func(TypeEntry) Text) string {
	e, ok := c.lookup(typ, func(e TypeEntry) bool { return field(e) != nil })
	if !ok {
		return ""
	}
	return field(e).In(lang)
}
